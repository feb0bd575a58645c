"""Brukere: every account, deactivation (takes effect at the user's next click) and password resets."""

import pandas as pd
import streamlit as st

from ledpro_journal.i18n import format_datetime
from ledpro_journal.models import Role
from ledpro_journal.services import accounts
from ledpro_journal.ui.feedback import flash, form_error, run_action
from ledpro_journal.ui.session import lang, require_user, tr, unit_of_work
from ledpro_journal.ui.text import plain

viewer = require_user(Role.ADMIN)
admin = viewer.user

st.title(tr("nav.admin_users"))
st.caption(tr("user.lead"))

with unit_of_work() as session:
    users = accounts.list_users(admin, session=session)

search = st.text_input(tr("user.search"), placeholder=tr("user.search_placeholder"))
needle = search.strip().lower()
shown = [u for u in users if not needle or needle in u.display_name.lower() or needle in u.username]
rows = [
    {
        tr("user.column.name"): u.display_name,
        tr("auth.username"): u.username,
        tr("user.column.role"): tr(f"role.{u.role}"),
        tr("user.column.cohorts"): u.cohorts,
        tr("user.column.status"): tr("user.active") if u.is_active else tr("user.inactive"),
        tr("user.column.created"): format_datetime(u.created_at, lang()),
    }
    for u in shown
]
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")

by_id = {u.id: u for u in shown}
if not by_id:
    st.stop()
st.subheader(tr("user.manage"))
user_id = st.selectbox(
    tr("user.pick"), list(by_id), format_func=lambda i: f"{by_id[i].display_name} ({by_id[i].username})",
    placeholder=tr("widget.choose_option"),
)
chosen = by_id[user_id]
ERRORS = "user_manage_errors"
form_error(ERRORS)
status_col, reset_col = st.columns(2)
with status_col:
    if chosen.is_active:
        st.write(tr("user.deactivate_lead", name=plain(chosen.display_name)))
        if st.button(tr("user.deactivate"), icon=":material/person_off:", disabled=chosen.id == admin.id):
            outcome = run_action(
                lambda session: accounts.set_user_active(admin, session=session, user_id=chosen.id, active=False),
                errors_key=ERRORS,
            )
            if outcome.ok:
                flash("user.deactivated", name=chosen.display_name)
            st.rerun()
    else:
        st.write(tr("user.reactivate_lead", name=plain(chosen.display_name)))
        if st.button(tr("user.reactivate"), icon=":material/person_check:"):
            outcome = run_action(
                lambda session: accounts.set_user_active(admin, session=session, user_id=chosen.id, active=True),
                errors_key=ERRORS,
            )
            if outcome.ok:
                flash("user.reactivated", name=chosen.display_name)
            st.rerun()
with reset_col:
    st.write(tr("user.reset_lead"))
    if st.button(tr("user.reset_password"), icon=":material/password:"):
        outcome = run_action(
            lambda session: accounts.admin_reset_password(admin, session=session, user_id=chosen.id),
            errors_key=ERRORS,
        )
        if outcome.ok:
            st.session_state["temporary_password"] = (chosen.id, outcome.value)
        st.rerun()
    temporary = st.session_state.get("temporary_password")
    if temporary and temporary[0] == chosen.id:
        st.success(tr("user.temporary_password"), icon=":material/password:")
        st.code(temporary[1], language=None)
