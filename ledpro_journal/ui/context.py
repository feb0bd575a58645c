"""Who is looking, in which language, and the page guard: the Streamlit side of the session.

The browser holds only the session cookie; every rerun looks it up in the database, so signing out,
deactivation and password changes take effect at the next click, on whichever server the user is.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from typing import TypeVar

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ledpro_journal import db
from ledpro_journal.config import LANGUAGE_COOKIE, SESSION_COOKIE, get_settings
from ledpro_journal.i18n import language_or_default, t
from ledpro_journal.models import Role, User
from ledpro_journal.services import accounts
from ledpro_journal.services.errors import Invalid, ServiceError

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class Viewer:
    user: User
    token: str

    @property
    def lang(self) -> str:
        return language_or_default(self.user.language)


@st.cache_resource(show_spinner=False)
def _ready_engine(url: str) -> Engine:
    """Once per process and database: the engine, with the schema migrated to the newest version."""
    engine = db.get_engine(url)
    db.migrate(engine)
    return engine


def engine() -> Engine:
    return _ready_engine(db.normalise_url(get_settings().database_url))


@contextmanager
def unit_of_work() -> Iterator[Session]:
    with db.session_scope(engine()) as session:
        yield session


def session_token() -> str | None:
    """The token from the HttpOnly cookie, as the browser sent it when the page was opened."""
    return st.context.cookies.get(SESSION_COOKIE)


# The viewer's language for the script run under way: looked up on every word drawn, so kept per thread
# (each run happens in its script thread) rather than read through session state each time.
_run = threading.local()


def current_viewer() -> Viewer | None:
    _run.lang = None
    token = session_token()
    if not token:
        return None
    with unit_of_work() as session:
        user = accounts.resolve_session(session, token)
    if user is None:
        return None
    _run.lang = st.session_state["lang"] = language_or_default(user.language)
    return Viewer(user=user, token=token)


def lang() -> str:
    current = getattr(_run, "lang", None)
    if current:
        return current
    stored = st.session_state.get("lang")
    return stored or language_or_default(st.context.cookies.get(LANGUAGE_COOKIE))


def tr(key: str, /, **params: object) -> str:
    """The catalogue text for the viewer's language."""
    return t(key, lang(), **params)


def show_signed_out() -> None:
    """What someone without a valid session sees instead of a page: never any of the page's content."""
    st.session_state.pop("lang", None)
    st.title("LEDPRO Journal")
    st.info(tr("auth.not_signed_in"))
    same_tab_link(tr("auth.signin_button"), "/auth/signin", icon=":material/login:")
    # The browser still holds a cookie the server no longer accepts: send it to the sign-in form.
    st.html("<script>window.location.assign('/auth/signin')</script>", unsafe_allow_javascript=True)


def same_tab_link(label: str, href: str, *, icon: str) -> None:
    """A link to one of our own HTTP pages that opens in this tab (st.link_button always opens a new one)."""
    st.markdown(f'{icon} <a href="{escape(href)}" target="_self">{escape(label)}</a>', unsafe_allow_html=True)


@contextmanager
def viewer_for_this_run(viewer: Viewer) -> Iterator[None]:
    """The entry script has just checked the session: the page it runs next need not check it again."""
    _run.viewer = viewer
    try:
        yield
    finally:
        _run.viewer = None


def require_user(*roles: Role) -> Viewer:
    """The one call at the top of every page: the signed-in viewer, or the page stops here."""
    viewer = getattr(_run, "viewer", None) or current_viewer()
    if viewer is None:
        show_signed_out()
        st.stop()
    if roles and viewer.user.role not in roles:
        st.title(tr("error.no_access_title"))
        st.warning(tr("error.not_allowed"))
        st.stop()
    return viewer


# --- doing things and saying what went wrong ---------------------------------------------------------

FORM_LEVEL = "_form"


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: object = None


def run_action(action: Callable[[Session], T], *, errors_key: str) -> Outcome:
    """Runs a use case in one transaction. What went wrong is kept in session state under `errors_key`
    (per field, or FORM_LEVEL for the form as a whole) for `field_error` and `form_error` to show after
    the rerun; an unexpected error is logged in full and explained in one sentence."""
    st.session_state.pop(errors_key, None)
    try:
        with unit_of_work() as session:
            return Outcome(True, action(session))
    except Invalid as invalid:
        st.session_state[errors_key] = invalid.errors
    except ServiceError as error:
        st.session_state[errors_key] = {FORM_LEVEL: (error.key, error.params)}
    except Exception:
        log.exception("action failed")
        st.session_state[errors_key] = {FORM_LEVEL: ("error.unexpected", {})}
    return Outcome(False)


def field_error(errors_key: str, field: str) -> None:
    """Shows the message for one field, right under it, if the last attempt left one."""
    error = (st.session_state.get(errors_key) or {}).get(field)
    if error:
        key, params = error
        st.error(tr(key, **params), icon=":material/error:")


def form_error(errors_key: str) -> None:
    field_error(errors_key, FORM_LEVEL)


def flash(key: str, /, **params: object) -> None:
    """A confirmation that survives the rerun that follows a change. Parameters are user text: made inert."""
    st.session_state["_flash"] = (key, params)


def show_flash() -> None:
    pending = st.session_state.pop("_flash", None)
    if pending:
        key, params = pending
        st.toast(tr(key, **{name: plain(str(value)) for name, value in params.items()}), icon=":material/check_circle:")


_MARKDOWN_SPECIALS = "\\`*_{}[]()<>#+-.!|~$:"


def plain(text: str) -> str:
    """User-written text made inert for Streamlit's Markdown: no links, images, HTML or formatting."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in text or "")
