"""Delt notat: one shared document as it was shared (?share=...&v=...), with its earlier shared
versions and the comments. For the group's members, the owner and the cohort's facilitators."""

import streamlit as st

from ledpro_journal.models import Role
from ledpro_journal.ui.navigation import target
from ledpro_journal.ui.session import require_user, tr
from ledpro_journal.ui.sharing import shared_reader

viewer = require_user(Role.PARTICIPANT, Role.FACILITATOR)

back = "pages/facilitator.py" if viewer.user.role == Role.FACILITATOR else "pages/group.py"
st.page_link(target(back), label=tr("group_page.back"), icon=":material/arrow_back:")
try:
    share_id = int(st.query_params.get("share", ""))
    number = int(st.query_params["v"]) if "v" in st.query_params else None
except ValueError:
    st.warning(tr("error.not_found"))
else:
    shared_reader(viewer, share_id, number)
