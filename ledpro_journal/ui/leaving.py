"""Leaving on the page: deleting one's account (Min konto), the banner every page of a closed cohort shows,
and what the editors ask before they offer to write."""

from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from ledpro_journal.i18n import OSLO, format_date, format_datetime, today_in_oslo
from ledpro_journal.models import Cohort, Role, User
from ledpro_journal.services import leaving, permissions, programme
from ledpro_journal.ui.feedback import field_error, flash, form_error, run_action
from ledpro_journal.ui.my_data import export_controls
from ledpro_journal.ui.session import Viewer, lang, tr, unit_of_work
from ledpro_journal.ui.text import plain

DELETE_ERRORS = "leaving_delete_errors"


def delete_account_section(viewer: Viewer) -> None:
    """What goes and what stays, the export first, the username typed to confirm, then the account is
    deleted and the browser lands on the sign-in page with a word in the person's own language."""
    st.subheader(tr("leaving.title"))
    st.write(tr("leaving.lead"))
    if viewer.user.role == Role.PARTICIPANT:
        st.info(tr("leaving.export_first"), icon=":material/download:")
        export_controls(viewer, key="leaving", label="leaving.export_button")
    else:
        st.info(tr("leaving.no_export"), icon=":material/info:")
    with st.form("delete_account", clear_on_submit=True):
        form_error(DELETE_ERRORS)
        typed = st.text_input(tr("leaving.confirm", username=plain(viewer.user.username)), max_chars=60,
                              autocomplete="off")
        field_error(DELETE_ERRORS, "confirm_username")
        submitted = st.form_submit_button(tr("leaving.button"), type="primary", icon=":material/delete_forever:")
    if submitted:
        language = viewer.lang
        outcome = run_action(lambda session: leaving.delete_account(viewer.user, session, typed),
                             errors_key=DELETE_ERRORS)
        if outcome.ok:
            _gone(language)
        st.rerun()


def _gone(language: str) -> None:
    """The account is gone, and with it the session: nothing more of the app is drawn. The sign-out
    route clears the cookie and shows the sign-in page with the farewell, in the person's language."""
    st.success(tr("leaving.signed_out"), icon=":material/check_circle:")
    target = "/auth/signout?" + urlencode({"account_deleted": "1", "lang": language})
    st.html(f"<script>window.location.assign({target!r})</script>", unsafe_allow_javascript=True)
    st.stop()


def closed_cohort_banner(viewer: Viewer) -> None:
    """On every page of a member of a closed cohort: read-only, when it is deleted, and to download first."""
    with unit_of_work() as session:
        closed = programme.my_closed_cohorts(viewer.user, session=session)
    for cohort in closed:
        if cohort.purged:
            st.warning(tr("cohort.purged_banner", name=plain(cohort.name)), icon=":material/lock:")
        else:
            when = format_date(cohort.deletion_on, lang())
            st.warning(tr("cohort.closed_banner", name=plain(cohort.name), date=when), icon=":material/lock:")


def writing_closed(viewer: Viewer, cohort_id: int | None = None) -> bool:
    """Whether a page shows text to read rather than fields to type in that cannot be saved: the given
    cohort, or (None) a cohort the viewer belongs to, is closed."""
    with unit_of_work() as session:
        if cohort_id is not None:
            return permissions.cohort_is_closed(session, cohort_id)
        return bool(programme.my_closed_cohorts(viewer.user, session=session))


def comment_author(author_name: str, author_left: bool) -> str:
    """A comment's author as shown: their name, or "former participant" once they deleted their account."""
    return tr("leaving.former_participant") if author_left else plain(author_name)


def close_cohort_section(admin: User, cohort: Cohort) -> None:
    """Kull og samlinger → Avslutt kullet: what closing does, what will be deleted and when, the date,
    and reopening while nothing is deleted yet."""
    today = today_in_oslo()
    with unit_of_work() as session:
        summary = programme.closing_summary(admin, session=session, cohort_id=cohort.id, today=today)
    st.write(tr("cohort.close.lead"))
    st.write(tr("cohort.close.what", participants=summary.participants, documents=summary.documents))
    if summary.purged_at is not None:
        st.info(tr("cohort.close.purged_status", date=format_datetime(summary.purged_at, lang())),
                icon=":material/delete_forever:")
        return
    closed = summary.closed_at is not None
    if closed:
        closed_on = format_date(summary.closed_at.astimezone(OSLO).date(), lang())
        st.warning(tr("cohort.close.closed_status", closed=closed_on, date=format_date(summary.deletion_on, lang())),
                   icon=":material/lock:")
    errors_key = f"cohort_close_errors_{cohort.id}"
    with st.form(f"close_cohort_{cohort.id}"):
        form_error(errors_key)
        chosen = st.date_input(tr("cohort.close.date"), value=summary.deletion_on or summary.default_deletion_on,
                               min_value=today, format="DD.MM.YYYY", help=tr("cohort.close.date_help"))
        field_error(errors_key, "deletion_on")
        label = tr("cohort.close.move_date" if closed else "cohort.close.button")
        if st.form_submit_button(label, type="primary", icon=":material/lock:"):
            outcome = run_action(
                lambda session: programme.close_cohort(admin, session=session, cohort_id=cohort.id,
                                                       deletion_on=chosen, today=today),
                errors_key=errors_key,
            )
            if outcome.ok:
                flash("cohort.close.done", name=cohort.name, date=format_date(outcome.value.deletion_on, lang()))
            st.rerun()
    if closed:
        st.caption(tr("cohort.reopen.lead"))
        if st.button(tr("cohort.reopen.button"), icon=":material/lock_open:", key=f"reopen_cohort_{cohort.id}"):
            outcome = run_action(lambda session: programme.reopen_cohort(admin, session=session, cohort_id=cohort.id),
                                 errors_key=errors_key)
            if outcome.ok:
                flash("cohort.reopen.done", name=cohort.name)
            st.rerun()
