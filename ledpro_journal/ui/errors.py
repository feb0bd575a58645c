"""No traceback ever reaches a user: an uncaught error is logged in full and explained in one sentence."""

from __future__ import annotations

import logging

import streamlit as st

from ledpro_journal.ui.session import tr

log = logging.getLogger("ledpro_journal.ui")


def handle_script_error(exc: Exception) -> bool:
    log.error("uncaught error in a page", exc_info=exc)
    try:
        st.error(tr("error.unexpected"), icon=":material/error:")
    except Exception:  # the page may be in no state to draw; the log has it
        log.exception("could not show the error message")
    return True  # suppress Streamlit's own exception display
