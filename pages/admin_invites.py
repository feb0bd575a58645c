"""Invitasjonskoder: codes that let participants and facilitators register into a cohort."""

import pandas as pd
import streamlit as st

from ledpro_journal.config import get_settings
from ledpro_journal.i18n import format_datetime
from ledpro_journal.models import Role
from ledpro_journal.services import programme
from ledpro_journal.ui.feedback import field_error, flash, form_error, run_action
from ledpro_journal.ui.session import lang, require_user, tr, unit_of_work
from ledpro_journal.ui.widgets import pick_cohort_or_stop

viewer = require_user(Role.ADMIN)
admin = viewer.user

st.title(tr("nav.admin_invites"))
st.caption(tr("invite.lead"))

with unit_of_work() as session:
    cohorts = programme.list_cohorts(admin, session=session)
cohort = pick_cohort_or_stop(cohorts)

with unit_of_work() as session:
    groups = programme.list_groups(admin, session=session, cohort_id=cohort.id)
    invites = programme.list_invites(admin, session=session, cohort_id=cohort.id)
group_names = {g.id: g.name for g in groups}
# Participants sign in with the OpenID Connect provider only: a code may still let an external register locally.
oidc_only = get_settings().oidc_only
provider = get_settings().oidc_provider_name

NEW = f"invite_new_errors_{cohort.id}"
with st.container(border=True):
    st.subheader(tr("invite.new"))
    form_error(NEW)
    # Outside the form, so that choosing the role redraws the form with only what applies to it: a group
    # is for participants' codes alone.
    role = st.radio(
        tr("invite.role"), [Role.PARTICIPANT, Role.FACILITATOR], format_func=lambda r: tr(f"role.{r}"),
        horizontal=True, key=f"new_invite_role_{cohort.id}",
    )
    with st.form(f"new_invite_{cohort.id}", border=False):
        group_id = None
        if role == Role.PARTICIPANT:
            group_id = st.selectbox(
                tr("invite.group"), [None] + list(group_names),
                format_func=lambda g: group_names.get(g, tr("invite.no_group")), help=tr("invite.group_help"),
                placeholder=tr("widget.choose_option"),
            )
            field_error(NEW, "group_id")
        for_externals = False
        if oidc_only and role == Role.PARTICIPANT:
            for_externals = st.checkbox(tr("oidc.invite.for_externals"),
                                        help=tr("oidc.invite.for_externals_help", provider=provider))
        uses_col, days_col = st.columns(2)
        max_uses = uses_col.number_input(tr("invite.max_uses"), min_value=0, max_value=500, value=30, step=1,
                                         help=tr("invite.max_uses_help"))
        field_error(NEW, "max_uses")
        valid_days = days_col.number_input(tr("invite.valid_days"), min_value=1, max_value=365, value=60, step=1)
        field_error(NEW, "valid_days")
        if st.form_submit_button(tr("invite.create"), type="primary", icon=":material/key:"):
            outcome = run_action(
                lambda session: programme.create_invite(
                    admin,
                    session=session,
                    cohort_id=cohort.id,
                    role=role,
                    max_uses=int(max_uses) or None,
                    valid_days=int(valid_days),
                    group_id=group_id,
                    for_externals=for_externals,
                ),
                errors_key=NEW,
            )
            if outcome.ok:
                st.session_state["new_invite_code"] = outcome.value.code
                flash("invite.created", code=outcome.value.code)
            st.rerun()

new_code = st.session_state.get("new_invite_code")
if new_code:
    st.success(tr("invite.share_this"), icon=":material/key:")
    st.code(new_code, language=None)
    st.caption(tr("invite.register_at", path=f"/auth/register?code={new_code}"))

st.subheader(tr("invite.list"))
if not invites:
    st.caption(tr("invite.none"))
else:
    rows = [
        {
            tr("invite.column.code"): invite.code,
            tr("invite.column.role"): tr(f"role.{invite.role}"),
            tr("invite.column.group"): group_names.get(invite.group_id, ""),
            tr("invite.column.uses"): f"{invite.use_count} / {invite.max_uses or '∞'}",
            tr("invite.column.expires"): format_datetime(invite.expires_at, lang()) or "—",
            tr("invite.column.status"): tr(f"invite.status.{programme.invite_status(invite)}"),
            **({tr("oidc.invite.column"): tr("oidc.invite.external_yes") if invite.for_externals else ""}
               if oidc_only else {}),
        }
        for invite in invites
    ]
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    active = {i.id: i.code for i in invites if programme.invite_status(i) == "active"}
    if active:
        REVOKE = f"invite_revoke_errors_{cohort.id}"
        with st.form(f"revoke_invite_{cohort.id}"):
            form_error(REVOKE)
            invite_id = st.selectbox(tr("invite.revoke_which"), list(active), format_func=active.get,
                                     placeholder=tr("widget.choose_option"))
            if st.form_submit_button(tr("invite.revoke"), icon=":material/block:"):
                outcome = run_action(
                    lambda session: programme.revoke_invite(admin, session=session, invite_id=invite_id),
                    errors_key=REVOKE,
                )
                if outcome.ok:
                    if st.session_state.get("new_invite_code") == active[invite_id]:
                        st.session_state.pop("new_invite_code")
                    flash("invite.revoked", code=active[invite_id])
                st.rerun()
