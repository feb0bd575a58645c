"""Entry of the Streamlit app: page config, the sign-in check, and navigation built from the role.

Served by app.py (`./run.sh`), whose server adds the sign-in pages; started on its own (`streamlit run
streamlit_app.py`) it says so instead.
"""

from pathlib import Path

import streamlit as st

from ledpro_journal.ui import accessibility, app_server, navigation
from ledpro_journal.ui.feedback import show_flash
from ledpro_journal.ui.leaving import closed_cohort_banner
from ledpro_journal.ui.session import (
    current_viewer,
    show_signed_out,
    show_start_with_run_sh,
    tr,
    viewer_for_this_run,
)
from ledpro_journal.ui.text import plain, same_tab_link
from ledpro_journal.web.pages import ACCESSIBILITY_PATH

# Our own icon file, sent inline: a `:material/...:` page icon makes every browser fetch it from Google's
# font servers on every page load, telling a third party each visitor's address.
FAVICON = Path(__file__).parent / "ledpro_journal" / "ui" / "static" / "favicon.svg"
st.set_page_config(page_title="LEDPRO Journal", page_icon=str(FAVICON), layout="wide")


def show_only(view, url_path: str) -> None:
    """`view` in place of every page, at whatever address: never Streamlit's own "Page not found" dialog."""
    views = [st.Page(view, title="LEDPRO Journal", url_path=url_path)]
    views += navigation.stand_in({url_path}, lambda address: st.Page(
        view, title="LEDPRO Journal", url_path=address, visibility="hidden"))
    st.navigation(views, position="hidden").run()
    st.stop()


if not app_server.served_by_app():
    # Started without app.py's server: it has no sign-in pages to link to, so say how to start the app.
    show_only(show_start_with_run_sh, "start")

viewer = current_viewer()
accessibility.put_right()
if viewer is None:
    # The signed-out message, which sends the browser to sign in.
    show_only(show_signed_out, "signin")

pages = navigation.build(viewer)
with st.sidebar:
    st.caption(tr("nav.signed_in_as", name=plain(viewer.user.display_name), role=tr(f"role.{viewer.user.role}")))
    same_tab_link(tr("nav.sign_out"), "/auth/signout", icon=":material/logout:")
    same_tab_link(tr("a11y.footer_link"), ACCESSIBILITY_PATH, icon=":material/accessibility:")
show_flash()
closed_cohort_banner(viewer)
with viewer_for_this_run(viewer):
    pages.run()
