"""Entry of the Streamlit app: page config, the sign-in check, and navigation built from the role."""

import streamlit as st

from ledpro_journal.ui import navigation
from ledpro_journal.ui.context import (
    current_viewer,
    plain,
    same_tab_link,
    show_flash,
    show_signed_out,
    tr,
    viewer_for_this_run,
)

st.set_page_config(page_title="LEDPRO Journal", page_icon=":material/menu_book:", layout="wide")

viewer = current_viewer()
if viewer is None:
    st.navigation([st.Page(show_signed_out, title="LEDPRO Journal", url_path="signin")], position="hidden").run()
    st.stop()

pages = navigation.build(viewer)
with st.sidebar:
    st.caption(tr("nav.signed_in_as", name=plain(viewer.user.display_name), role=tr(f"role.{viewer.user.role}")))
    same_tab_link(tr("nav.sign_out"), "/auth/signout", icon=":material/logout:")
show_flash()
with viewer_for_this_run(viewer):
    pages.run()
