"""The HTTP side of the app (no Streamlit): sign-in pages, the session gate and the server's start-up."""
