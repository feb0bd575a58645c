"""Who is looking, in which language, and the page guard: the Streamlit side of the session.

The browser holds only the session cookie; every rerun looks it up in the database, so signing out,
deactivation and password changes take effect at the next click, on whichever server the user is.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from ledpro_journal import db
from ledpro_journal.config import LANGUAGE_COOKIE, SESSION_COOKIE, get_settings
from ledpro_journal.i18n import language_or_default, t
from ledpro_journal.models import Role, User
from ledpro_journal.services import accounts
from ledpro_journal.ui import app_server
from ledpro_journal.ui.text import same_tab_link


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


def show_start_with_run_sh() -> None:
    """What everyone sees when the scripts are served without app.py's server (`streamlit run
    streamlit_app.py`): there is no sign-in page to send anyone to, so say how the app is started."""
    st.title("LEDPRO Journal")
    st.warning(tr("auth.start_with_run_sh"), icon=":material/terminal:")


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
    viewer = getattr(_run, "viewer", None)
    if viewer is None:
        # A page file run on its own (Streamlit's pages-folder mode, before st.navigation has run once),
        # perhaps by a server without app.py's routes.
        if not app_server.served_by_app():
            show_start_with_run_sh()
            st.stop()
        viewer = current_viewer()
    if viewer is None:
        show_signed_out()
        st.stop()
    if roles and viewer.user.role not in roles:
        show_no_access()
        st.stop()
    return viewer


def show_no_access() -> None:
    """What someone sees instead of a page that is not for their role: nothing of the page itself."""
    st.title(tr("error.no_access_title"))
    st.warning(tr("error.not_allowed"))
