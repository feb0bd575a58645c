"""Min konto: name, candidate number, programme part, language, password, other signed-in browsers."""

import streamlit as st

from ledpro_journal.i18n import LANGUAGES
from ledpro_journal.models import Role
from ledpro_journal.services import accounts, programme
from ledpro_journal.ui.audit import my_events_section
from ledpro_journal.ui.calendar import calendar_section
from ledpro_journal.ui.feedback import field_error, flash, form_error, run_action
from ledpro_journal.ui.leaving import delete_account_section
from ledpro_journal.ui.my_data import my_data_section
from ledpro_journal.ui.reminders import reminders_section
from ledpro_journal.ui.session import require_user, tr, unit_of_work

viewer = require_user()
user = viewer.user

st.title(tr("account.title"))

PROFILE = "account_profile_errors"
with unit_of_work() as session:
    views = programme.my_programmes(user, session=session)
    other_sessions = accounts.active_session_count(session, user.id) - 1
current_part = next((v.part for v in views if v.part), None)

with st.form("profile"):
    st.subheader(tr("account.profile"))
    form_error(PROFILE)
    display_name = st.text_input(tr("auth.display_name"), value=user.display_name, max_chars=120)
    field_error(PROFILE, "display_name")
    st.text_input(tr("auth.username"), value=user.username, disabled=True)
    candidate_number = ""
    part = None
    if user.role == Role.PARTICIPANT:
        candidate_number = st.text_input(
            tr("account.candidate_number"),
            value=user.candidate_number or "",
            max_chars=20,
            help=tr("account.candidate_number_help"),
        )
        field_error(PROFILE, "candidate_number")
        if current_part:
            part = st.radio(
                tr("account.part"),
                [1, 2],
                index=current_part - 1,
                format_func=lambda p: tr("home.part", part=p),
                horizontal=True,
            )
    language = st.radio(
        tr("account.language"),
        list(LANGUAGES),
        index=list(LANGUAGES).index(user.language),
        format_func=lambda code: LANGUAGES[code].name,
        horizontal=True,
    )
    if st.form_submit_button(tr("action.save"), type="primary"):
        outcome = run_action(
            lambda session: accounts.update_profile(
                user,
                session=session,
                display_name=display_name,
                candidate_number=candidate_number,
                language=language,
                part=part,
            ),
            errors_key=PROFILE,
        )
        if outcome.ok:
            st.session_state["lang"] = language
            flash("account.saved")
        st.rerun()

PASSWORD = "account_password_errors"
with st.form("password", clear_on_submit=True):
    st.subheader(tr("account.password_title"))
    st.caption(tr("account.password_lead"))
    form_error(PASSWORD)
    current = st.text_input(tr("account.current_password"), type="password", autocomplete="current-password")
    field_error(PASSWORD, "current_password")
    new = st.text_input(
        tr("auth.new_password"),
        type="password",
        autocomplete="new-password",
        help=tr("auth.password_hint", min=accounts.MIN_PASSWORD_LENGTH),
    )
    field_error(PASSWORD, "password")
    repeat = st.text_input(tr("auth.password_repeat"), type="password", autocomplete="new-password")
    field_error(PASSWORD, "password_repeat")
    if st.form_submit_button(tr("account.change_password")):
        outcome = run_action(
            lambda session: accounts.change_password(
                user,
                session=session,
                current_password=current,
                new_password=new,
                new_password_repeat=repeat,
                keep_token=viewer.token,
            ),
            errors_key=PASSWORD,
        )
        if outcome.ok:
            flash("account.password_changed", count=outcome.value)
        st.rerun()

st.subheader(tr("account.sessions_title"))
if other_sessions > 0:
    st.write(tr("account.other_sessions", count=other_sessions))
    if st.button(tr("account.sign_out_others")):
        outcome = run_action(
            lambda session: accounts.sign_out_other_browsers(user, session=session, keep_token=viewer.token),
            errors_key="account_sessions_errors",
        )
        if outcome.ok:
            flash("account.signed_out_others", count=outcome.value)
        st.rerun()
    form_error("account_sessions_errors")
else:
    st.caption(tr("account.no_other_sessions"))

# --- calendar ---
calendar_section(viewer)

# --- reminders ---
reminders_section(viewer)

# --- my data: export and import ---
my_data_section(viewer)

# --- audit trail ---
my_events_section(viewer)

# --- leaving ---
delete_account_section(viewer)
