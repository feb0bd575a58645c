"""Litteratur: the cohort's reading list and, for participants, their own references (add, edit,
import from Zotero or EndNote). Facilitators keep the reading list of the cohorts they teach."""

import streamlit as st

from ledpro_journal.models import Role
from ledpro_journal.services import literature
from ledpro_journal.ui import literature as library_ui
from ledpro_journal.ui.leaving import writing_closed
from ledpro_journal.ui.session import require_user, tr, unit_of_work
from ledpro_journal.ui.widgets import facilitated_cohort_or_stop

viewer = require_user(Role.PARTICIPANT, Role.FACILITATOR)

st.title(tr("nav.literature"))
st.caption(tr("literature.lead_facilitator" if viewer.user.role == Role.FACILITATOR else "literature.lead"))

if viewer.user.role == Role.FACILITATOR:
    cohort = facilitated_cohort_or_stop(viewer)
    with unit_of_work() as session:
        library = literature.library(viewer.user, session=session, cohort_id=cohort.id)
    closed = writing_closed(viewer, cohort.id)
    list_tab, add_tab, import_tab = st.tabs(
        [tr("literature.reading_list"), tr("literature.add_to_reading_list"), tr("literature.import")]
    )
    with list_tab:
        st.caption(tr("literature.reading_list_lead"))
        library_ui.reference_list(viewer, library.reading_list, editable=not closed, key=f"reading-{cohort.id}")
    with add_tab:
        if closed:
            st.info(tr("cohort.read_only"), icon=":material/lock:")
        else:
            library_ui.reference_form(viewer, key=f"add-reading-{cohort.id}", reading_list_of=cohort.id)
    with import_tab:
        if closed:
            st.info(tr("cohort.read_only"), icon=":material/lock:")
        else:
            library_ui.import_form(viewer, key=f"import-reading-{cohort.id}", reading_list_of=cohort.id)
    st.stop()

with unit_of_work() as session:
    library = literature.library(viewer.user, session=session)
closed = writing_closed(viewer)
own_tab, list_tab, add_tab, import_tab = st.tabs(
    [tr("literature.own"), tr("literature.reading_list"), tr("literature.add"), tr("literature.import")]
)
with own_tab:
    st.caption(tr("literature.own_lead"))
    library_ui.reference_list(viewer, library.own, editable=not closed, key="own")
with list_tab:
    st.caption(tr("literature.reading_list_lead"))
    library_ui.reference_list(viewer, library.reading_list, editable=False, key="reading")
with add_tab:
    if closed:
        st.info(tr("cohort.read_only"), icon=":material/lock:")
    else:
        library_ui.reference_form(viewer, key="add-own")
with import_tab:
    if closed:
        st.info(tr("cohort.read_only"), icon=":material/lock:")
    else:
        library_ui.import_form(viewer, key="import-own")
