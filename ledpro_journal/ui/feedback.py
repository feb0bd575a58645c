"""Doing what the user asked and saying how it went: the one action runner, the error messages it leaves
for the form, and the confirmation shown after the rerun."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

import streamlit as st
from sqlmodel import Session

from ledpro_journal.services.errors import Invalid, ServiceError
from ledpro_journal.ui.session import tr, unit_of_work
from ledpro_journal.ui.text import plain

log = logging.getLogger(__name__)
T = TypeVar("T")

FORM_LEVEL = "_form"

# Takes over one named error (by its catalogue key): does what the page needs instead of the plain message,
# and returns the catalogue key of the message the form shows in its place, or None for none.
ErrorHandler = Callable[[ServiceError], str | None]


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: object = None


def run_action(
    action: Callable[[Session], T], *, errors_key: str, on_error: Mapping[str, ErrorHandler] | None = None
) -> Outcome:
    """Runs a use case in one transaction. What went wrong is kept in session state under `errors_key`
    (per field, or FORM_LEVEL for the form as a whole) for `field_error` and `form_error` to show after
    the rerun; an unexpected error is logged in full and explained in one sentence. `on_error` handles
    the errors with those keys itself (the editor's save conflict, say)."""
    st.session_state.pop(errors_key, None)
    try:
        with unit_of_work() as session:
            return Outcome(True, action(session))
    except Invalid as invalid:
        st.session_state[errors_key] = invalid.errors
    except ServiceError as error:
        handler = (on_error or {}).get(error.key)
        if handler is None:
            st.session_state[errors_key] = {FORM_LEVEL: (error.key, error.params)}
        else:
            instead = handler(error)
            if instead is not None:
                st.session_state[errors_key] = {FORM_LEVEL: (instead, {})}
    except Exception:
        log.exception("action failed")
        st.session_state[errors_key] = {FORM_LEVEL: ("error.unexpected", {})}
    return Outcome(False)


def _inert(params: dict[str, object]) -> dict[str, object]:
    """Message parameters as shown: text made inert (it may be user text); numbers stay numbers, so that
    `count` chooses the plural form and is written the language's way."""
    return {name: value if isinstance(value, int) else plain(str(value)) for name, value in params.items()}


def field_error(errors_key: str, field: str) -> None:
    """Shows the message for one field, right under it, if the last attempt left one."""
    error = (st.session_state.get(errors_key) or {}).get(field)
    if error:
        key, params = error
        st.error(tr(key, **_inert(params)), icon=":material/error:")


def form_error(errors_key: str) -> None:
    field_error(errors_key, FORM_LEVEL)


def flash(key: str, /, **params: object) -> None:
    """A confirmation that survives the rerun that follows a change. Parameters are user text: made inert."""
    st.session_state["_flash"] = (key, params)


def show_flash() -> None:
    pending = st.session_state.pop("_flash", None)
    if pending:
        key, params = pending
        st.toast(tr(key, **_inert(params)), icon=":material/check_circle:")
