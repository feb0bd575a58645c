"""The server this Streamlit app runs in: app.py's own (sign-in pages, session gate, drafts API), or not.

`./run.sh` (`streamlit run app.py`) serves the app through app.py's st.App, whose lifespan calls
`mark_served_by_app()` before the first request. `streamlit run streamlit_app.py`, Streamlit's default
entry, serves the same scripts without any of app.py's routes: nobody could sign in there, so the entry
script says how to start the app instead (ui.session.show_start_with_run_sh).
"""

from __future__ import annotations

from streamlit.runtime.pages_manager import PagesManager

# A flag of the process, as the server is: set once when app.py's server starts, never unset.
_served_by_app = False


def mark_served_by_app() -> None:
    """Called by app.py's lifespan: this process's Streamlit scripts are served with the app's own routes."""
    global _served_by_app
    _served_by_app = True


def served_by_app() -> bool:
    return _served_by_app


def navigate_only_with_st_navigation() -> None:
    """Tells Streamlit, from the start, that this app navigates with st.navigation only.

    With a pages/ folder beside the entry script, Streamlit starts in its old pages-folder mode: opening
    a page's URL runs that file in pages/ on its own (with a menu listing every file), until st.navigation
    has run once in the process and switched the mode off for good. Setting the switch ourselves gives
    the first visitor the real menu too. Streamlit has no public setting for it: this is the private
    class attribute st.navigation itself sets (streamlit.commands.navigation), the one place we touch it.
    """
    PagesManager.uses_pages_directory = False
