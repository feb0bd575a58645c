"""The calendar on Min konto: the .ics file to download, the personal feed address to subscribe to (with
how Outlook, Google Calendar and Apple Calendar take it), and making a new address that ends the old one."""

from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from ledpro_journal.config import get_settings
from ledpro_journal.models import Role
from ledpro_journal.services import calendar, permissions
from ledpro_journal.ui.feedback import flash, form_error, run_action
from ledpro_journal.ui.session import Viewer, tr, unit_of_work

RENEW = "calendar_renew_errors"


def app_url() -> str:
    """The app's address as people reach it: the configured public address, else the one this browser used
    (scheme, host and the server's base path). Empty when no browser says (AppTest without a setting)."""
    configured = get_settings().public_url
    if configured:
        return configured.rstrip("/")
    parts = urlsplit(st.context.url or "")
    if not parts.scheme or not parts.netloc:
        return ""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"{parts.scheme}://{parts.netloc}" + (f"/{base}" if base else "")


def calendar_section(viewer: Viewer) -> None:
    """Drawn for participants (gatherings and their dated actions) and facilitators (their cohorts'
    gatherings); nothing for anyone else."""
    user = viewer.user
    if not permissions.may_hold_calendar(user):
        return
    participant = user.role == Role.PARTICIPANT
    base = app_url()
    with unit_of_work() as session:
        token = calendar.feed_token_for(user, session=session)
        content = calendar.build_calendar(user, session=session, app_url=base or None)

    st.subheader(tr("calendar.title"))
    st.caption(tr("calendar.lead" if participant else "calendar.lead_facilitator"))
    st.download_button(
        tr("calendar.download"),
        data=content,
        file_name=calendar.FILE_NAME,
        mime="text/calendar",
        icon=":material/calendar_month:",
        help=tr("calendar.download_help"),
        on_click="ignore",
    )

    st.markdown(f"**{tr('calendar.subscribe_title')}**")
    st.write(tr("calendar.subscribe_lead"))
    st.code(calendar.feed_url(base, token) if base else calendar.feed_path(token), language=None)
    st.markdown(
        "\n".join(f"- {tr(key)}" for key in ("calendar.how_outlook", "calendar.how_google", "calendar.how_apple"))
    )
    st.caption(tr("calendar.how_often"))
    st.info(tr("calendar.secret" if participant else "calendar.secret_facilitator"), icon=":material/lock:")

    with st.popover(tr("calendar.renew"), icon=":material/autorenew:"):
        st.write(tr("calendar.renew_confirm_text"))
        if st.button(tr("calendar.renew_confirm"), type="primary", key="calendar_renew"):
            outcome = run_action(lambda session: calendar.renew_feed_token(user, session=session), errors_key=RENEW)
            if outcome.ok:
                flash("calendar.renewed")
            st.rerun()
    form_error(RENEW)
