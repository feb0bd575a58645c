"""Kulloversikt (facilitators): their cohort in charts made only of activity counts and of what participants
shared with their group or the facilitators; never anything a participant has not shared."""

import streamlit as st

from ledpro_journal.i18n import today_in_oslo
from ledpro_journal.models import Role
from ledpro_journal.services import overview
from ledpro_journal.ui import charts
from ledpro_journal.ui import overview as sections
from ledpro_journal.ui.session import require_user, tr, unit_of_work
from ledpro_journal.ui.widgets import facilitated_cohort_or_stop

viewer = require_user(Role.FACILITATOR)

st.title(tr("nav.cohort_overview"))
cohort = facilitated_cohort_or_stop(viewer)
with unit_of_work() as session:
    figures = overview.cohort_overview(viewer.user, session=session, cohort_id=cohort.id, today=today_in_oslo())

if figures.is_empty:
    st.info(tr("cohort_overview.empty"), icon=":material/info:")
    st.stop()

st.caption(tr("cohort_overview.lead"))
charts.page_styles()
sections.cohort_actions(figures)
sections.cohort_writing(figures)
sections.cohort_sharing(viewer, figures, cohort.id)
sections.cohort_quiet(figures)
