"""The server: Streamlit's app (streamlit_app.py) plus the sign-in pages and the session gate.

Start it with `./run.sh` (or `streamlit run app.py`); `streamlit run` finds `app` below and serves it.
"""

from contextlib import asynccontextmanager

import streamlit as st

from ledpro_journal.ui import app_server
from ledpro_journal.ui.errors import handle_script_error
from ledpro_journal.web import server


@asynccontextmanager
async def lifespan(streamlit_app):
    app_server.navigate_only_with_st_navigation()
    app_server.mark_served_by_app()
    async with server.lifespan(streamlit_app):
        yield


app = st.App(
    "streamlit_app.py",
    routes=server.routes(),
    middleware=server.middleware(),
    lifespan=lifespan,
    on_script_error=handle_script_error,
)
