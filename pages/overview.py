"""Min oversikt: the participant's year in four charts (where am I, is my cycle closed, what have I written
about, will I reach the exam), each with a sentence and a table, and from each bar the documents it counts."""

import streamlit as st

from ledpro_journal.i18n import today_in_oslo
from ledpro_journal.models import Role
from ledpro_journal.services import overview
from ledpro_journal.ui import overview as sections
from ledpro_journal.ui.navigation import link
from ledpro_journal.ui.session import require_user, tr, unit_of_work

viewer = require_user(Role.PARTICIPANT)

st.title(tr("nav.overview"))
with unit_of_work() as session:
    mine = overview.my_overview(viewer.user, session=session, today=today_in_oslo())

if mine.is_empty:
    st.info(tr("overview.empty"), icon=":material/lightbulb:")
    link("pages/challenge.py", label=tr("nav.challenge"), icon=":material/target:")
    link("pages/actions.py", label=tr("nav.actions"), icon=":material/flag:")
    st.stop()

st.caption(tr("overview.lead"))
sections.show_my_overview(mine)
