"""Reminders by e-mail on Min konto: the address, the weekly and the before-gathering reminder, whether the
e-mail may name one's actions, and what an e-mail contains and never contains."""

from __future__ import annotations

import streamlit as st

from ledpro_journal.models import Role
from ledpro_journal.services import reminders
from ledpro_journal.ui.feedback import field_error, flash, form_error, run_action
from ledpro_journal.ui.session import Viewer, tr, unit_of_work

ERRORS = "account_reminders_errors"


def reminders_section(viewer: Viewer) -> None:
    """Drawn for participants only: reminders are about one's own journal."""
    user = viewer.user
    if user.role != Role.PARTICIPANT:
        return
    with unit_of_work() as session:
        current = reminders.my_preferences(user, session=session)
    st.subheader(tr("reminders.title"))
    st.write(tr("reminders.lead"))
    st.markdown(tr("reminders.contains"))
    st.markdown(tr("reminders.never_contains"))
    if not current.email:
        st.info(tr("reminders.no_email"), icon=":material/mail:")
    with st.form("reminders"):
        form_error(ERRORS)
        email = st.text_input(tr("reminders.email"), value=current.email, max_chars=reminders.MAX_EMAIL_LENGTH,
                              help=tr("reminders.email_help"), autocomplete="email")
        field_error(ERRORS, "email")
        weekly = st.checkbox(tr("reminders.weekly"), value=current.weekly)
        weekday = st.selectbox(tr("reminders.weekday"), list(reminders.WEEKDAYS), index=current.weekday,
                               format_func=lambda day: tr(f"reminders.weekday.{day}"),
                               placeholder=tr("widget.choose_option"))
        field_error(ERRORS, "weekday")
        before_gathering = st.checkbox(tr("reminders.before_gathering"), value=current.before_gathering)
        days_before = st.number_input(tr("reminders.days_before"), min_value=reminders.MIN_DAYS_BEFORE,
                                      max_value=reminders.MAX_DAYS_BEFORE, value=current.days_before, step=1)
        field_error(ERRORS, "days_before")
        show_titles = st.checkbox(tr("reminders.show_titles"), value=current.show_titles,
                                  help=tr("reminders.show_titles_help"))
        if st.form_submit_button(tr("action.save"), type="primary"):
            outcome = run_action(
                lambda session: reminders.set_preferences(
                    user, session=session, email=email, weekly=weekly, weekday=weekday,
                    before_gathering=before_gathering, days_before=int(days_before), show_titles=show_titles,
                ),
                errors_key=ERRORS,
            )
            if outcome.ok:
                flash("reminders.saved")
            st.rerun()
