"""Grupper (facilitators): what each group of their cohorts shared with the group or with the
facilitators, to read and comment; and for each participant counts of activity, never their text."""

import pandas as pd
import streamlit as st

from ledpro_journal.i18n import format_datetime
from ledpro_journal.models import Role
from ledpro_journal.services import sharing
from ledpro_journal.ui.session import lang, require_user, tr, unit_of_work
from ledpro_journal.ui.sharing import feed_list
from ledpro_journal.ui.text import plain
from ledpro_journal.ui.widgets import facilitated_cohort_or_stop

viewer = require_user(Role.FACILITATOR)

st.title(tr("nav.facilitator"))
cohort = facilitated_cohort_or_stop(viewer)

with unit_of_work() as session:
    groups = sharing.facilitator_groups(viewer.user, session=session, cohort_id=cohort.id)
    activity = sharing.participant_activity(viewer.user, session=session, cohort_id=cohort.id)

shared_tab, people_tab = st.tabs([tr("facilitator_page.tab.shared"), tr("facilitator_page.tab.activity")])
with shared_tab:
    if not groups:
        st.caption(tr("facilitator_page.no_groups"))
    with unit_of_work() as session:
        feeds = [(plain(group.name), sharing.feed(viewer.user, session=session, group_id=group.id)) for group in groups]
        ungrouped = sharing.feed(viewer.user, session=session, group_id=None, cohort_id=cohort.id)
    if ungrouped:
        feeds.append((tr("group.none"), ungrouped))
    for name, items in feeds:
        unread = sum(1 for i in items if i.unread)
        with st.expander(tr("facilitator_page.group", name=name, count=len(items), unread=unread),
                         expanded=unread > 0):
            feed_list(items, empty_key="group_page.nothing_new")

with people_tab:
    st.caption(tr("facilitator_page.activity_lead"))
    rows = [
        {
            tr("facilitator_page.column.name"): a.name,
            tr("facilitator_page.column.group"): a.group,
            tr("facilitator_page.column.planned"): a.actions_planned,
            tr("facilitator_page.column.logged"): a.actions_logged,
            tr("facilitator_page.column.notes"): a.notes_written,
            tr("facilitator_page.column.last"): format_datetime(a.last_activity, lang()) or "—",
        }
        for a in activity
    ]
    if rows:
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    else:
        st.caption(tr("group.no_participants"))
