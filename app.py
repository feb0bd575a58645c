"""The server: Streamlit's app (streamlit_app.py) plus the sign-in pages and the session gate.

Start it with `./run.sh` (or `streamlit run app.py`); `streamlit run` finds `app` below and serves it.
"""

import streamlit as st

from ledpro_journal.ui.errors import handle_script_error
from ledpro_journal.web import server

app = st.App(
    "streamlit_app.py",
    routes=server.routes(),
    middleware=server.middleware(),
    lifespan=server.lifespan,
    on_script_error=handle_script_error,
)
