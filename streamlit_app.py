"""Entry of the Streamlit app: page config, the sign-in check, and navigation built from the role."""

import streamlit as st

from ledpro_journal.models import Role
from ledpro_journal.ui.context import current_viewer, plain, same_tab_link, show_flash, show_signed_out, tr

st.set_page_config(page_title="LEDPRO Journal", page_icon=":material/menu_book:", layout="wide")

viewer = current_viewer()
if viewer is None:
    st.navigation([st.Page(show_signed_out, title="LEDPRO Journal", url_path="signin")], position="hidden").run()
    st.stop()

home = st.Page("pages/home.py", title=tr("nav.home"), icon=":material/home:", default=True)
account = st.Page("pages/account.py", title=tr("nav.account"), icon=":material/person:")
sections = {tr("nav.section.journal"): [home]}
if viewer.user.role == Role.PARTICIPANT:
    sections[tr("nav.section.journal")] += [
        st.Page("pages/challenge.py", title=tr("nav.challenge"), icon=":material/target:"),
        st.Page("pages/actions.py", title=tr("nav.actions"), icon=":material/flag:"),
        st.Page("pages/notes.py", title=tr("nav.notes"), icon=":material/edit_note:"),
        st.Page("pages/bin.py", title=tr("nav.bin"), icon=":material/delete:"),
        st.Page("pages/write.py", title=tr("nav.write"), icon=":material/edit:", visibility="hidden"),
    ]
if viewer.user.role == Role.ADMIN:
    sections[tr("nav.section.admin")] = [
        st.Page("pages/admin_cohorts.py", title=tr("nav.admin_cohorts"), icon=":material/event:"),
        st.Page("pages/admin_groups.py", title=tr("nav.admin_groups"), icon=":material/groups:"),
        st.Page("pages/admin_invites.py", title=tr("nav.admin_invites"), icon=":material/key:"),
        st.Page("pages/admin_users.py", title=tr("nav.admin_users"), icon=":material/manage_accounts:"),
    ]
sections[tr("nav.section.me")] = [account]

navigation = st.navigation(sections)
with st.sidebar:
    st.caption(tr("nav.signed_in_as", name=plain(viewer.user.display_name), role=tr(f"role.{viewer.user.role}")))
    same_tab_link(tr("nav.sign_out"), "/auth/signout", icon=":material/logout:")
show_flash()
navigation.run()
