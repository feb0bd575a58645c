"""The server: Streamlit's app (streamlit_app.py) plus the sign-in pages and the session gate.

Start it with `./run.sh` (or `streamlit run app.py`); `streamlit run` finds `app` below and serves it.
"""

from contextlib import asynccontextmanager

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from ledpro_journal.ui.errors import handle_script_error
from ledpro_journal.web import server


@asynccontextmanager
async def lifespan(streamlit_app):
    # Until st.navigation has run once in a process, Streamlit runs a file in pages/ on its own when
    # its URL is opened (the old multipage mode, with a menu listing every file). The app always
    # navigates with st.navigation, so say so from the start: the first visitor gets the real menu.
    PagesManager.uses_pages_directory = False
    async with server.lifespan(streamlit_app):
        yield


app = st.App(
    "streamlit_app.py",
    routes=server.routes(),
    middleware=server.middleware(),
    lifespan=lifespan,
    on_script_error=handle_script_error,
)
