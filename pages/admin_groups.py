"""Grupper og deltakere: reflection groups, who is in which, and the cohort's facilitators."""

import streamlit as st

from ledpro_journal.models import Role
from ledpro_journal.services import programme
from ledpro_journal.ui.feedback import field_error, flash, form_error, run_action
from ledpro_journal.ui.session import require_user, tr, unit_of_work
from ledpro_journal.ui.text import plain
from ledpro_journal.ui.widgets import pick_cohort_or_stop

viewer = require_user(Role.ADMIN)
admin = viewer.user

st.title(tr("nav.admin_groups"))

with unit_of_work() as session:
    cohorts = programme.list_cohorts(admin, session=session)
cohort = pick_cohort_or_stop(cohorts)

with unit_of_work() as session:
    groups = programme.list_groups(admin, session=session, cohort_id=cohort.id)
    members = programme.list_members(admin, session=session, cohort_id=cohort.id)
    facilitator_accounts = programme.list_facilitator_accounts(admin, session=session)
group_names = {g.id: g.name for g in groups}
group_choices = [None] + list(group_names)
participants = [m for m in members if m.role == Role.PARTICIPANT]
facilitators = [m for m in members if m.role == Role.FACILITATOR]

groups_col, people_col = st.columns([2, 3], gap="large")

with groups_col:
    st.subheader(tr("group.title"))
    for group in groups:
        ERRORS = f"group_errors_{group.id}"
        count = sum(1 for m in participants if m.group_id == group.id)
        with st.form(f"group_{group.id}", border=False):
            # The groups column is narrow: the name gets the full width, the buttons a row below it.
            new_name = st.text_input(tr("group.name_with_count", count=count), value=group.name, max_chars=120)
            save_col, delete_col = st.columns(2)
            save = save_col.form_submit_button(tr("action.save"), icon=":material/save:")
            delete = delete_col.form_submit_button(tr("action.delete"), icon=":material/delete:")
            field_error(ERRORS, "name")
            form_error(ERRORS)
            if save or delete:
                outcome = run_action(
                    (lambda session: programme.delete_group(admin, session=session, group_id=group.id))
                    if delete
                    else (lambda session: programme.rename_group(admin, session=session, group_id=group.id,
                                                                 name=new_name)),
                    errors_key=ERRORS,
                )
                if outcome.ok:
                    flash("action.deleted" if delete else "action.saved")
                st.rerun()
    NEW = f"group_new_errors_{cohort.id}"
    with st.form(f"new_group_{cohort.id}", clear_on_submit=True):
        name = st.text_input(tr("group.new"), placeholder=tr("group.placeholder"), max_chars=120)
        field_error(NEW, "name")
        form_error(NEW)
        if st.form_submit_button(tr("group.add"), icon=":material/add:"):
            outcome = run_action(
                lambda session: programme.create_group(admin, session=session, cohort_id=cohort.id, name=name),
                errors_key=NEW,
            )
            if outcome.ok:
                flash("group.added", name=outcome.value.name)
            st.rerun()

with people_col:
    st.subheader(tr("group.participants", count=len(participants)))
    if not participants:
        st.caption(tr("group.no_participants"))
    MOVE = f"group_move_errors_{cohort.id}"

    def move(membership_id: int, name: str, widget_key: str) -> None:
        group_id = st.session_state[widget_key]
        outcome = run_action(
            lambda session: programme.move_to_group(admin, session=session, membership_id=membership_id,
                                                    group_id=group_id),
            errors_key=MOVE,
        )
        if outcome.ok:
            flash("group.moved", name=name, group=group_names.get(group_id, tr("group.none")))

    form_error(MOVE)
    for member in participants:
        name_col, group_col = st.columns([3, 2], vertical_alignment="center")
        label = plain(member.display_name) + ("" if member.is_active else f" ({tr('user.inactive')})")
        name_col.markdown(f"{label}  \n:gray[{plain(member.username)} · {tr('home.part', part=member.part)}]")
        widget_key = f"member_group_{member.membership_id}_{member.group_id}"
        group_col.selectbox(
            tr("group.for", name=member.display_name),
            group_choices,
            index=group_choices.index(member.group_id) if member.group_id in group_choices else 0,
            format_func=lambda g: group_names.get(g, tr("group.none")),
            key=widget_key,
            placeholder=tr("widget.choose_option"),
            on_change=move,
            args=(member.membership_id, member.display_name, widget_key),
            label_visibility="collapsed",
        )

    st.subheader(tr("facilitator.title"))
    REMOVE = f"facilitator_errors_{cohort.id}"
    form_error(REMOVE)
    for member in facilitators:
        name_col, button_col = st.columns([4, 1], vertical_alignment="center")
        name_col.write(plain(member.display_name))
        if button_col.button(tr("facilitator.remove"), key=f"remove_facilitator_{member.membership_id}"):
            outcome = run_action(
                lambda session: programme.remove_from_cohort(admin, session=session,
                                                             membership_id=member.membership_id),
                errors_key=REMOVE,
            )
            if outcome.ok:
                flash("facilitator.removed", name=member.display_name)
            st.rerun()
    assigned = {m.user_id for m in facilitators}
    candidates = {u.id: u.display_name for u in facilitator_accounts if u.id not in assigned}
    if candidates:
        with st.form(f"add_facilitator_{cohort.id}"):
            user_id = st.selectbox(tr("facilitator.add_existing"), list(candidates), format_func=candidates.get,
                                   placeholder=tr("widget.choose_option"))
            if st.form_submit_button(tr("facilitator.add"), icon=":material/add:"):
                outcome = run_action(
                    lambda session: programme.assign_facilitator(admin, session=session, cohort_id=cohort.id,
                                                                 user_id=user_id),
                    errors_key=REMOVE,
                )
                if outcome.ok:
                    flash("facilitator.added", name=candidates[user_id])
                st.rerun()
    st.caption(tr("facilitator.invite_hint"))
