"""Aksjoner: planned trials in one's own organisation, grouped by the period between gatherings."""

import streamlit as st

from ledpro_journal.i18n import format_date, today_in_oslo
from ledpro_journal.models import ActionStatus, DocumentKind, Role
from ledpro_journal.services import journal
from ledpro_journal.ui import editor
from ledpro_journal.ui.leaving import writing_closed
from ledpro_journal.ui.navigation import target
from ledpro_journal.ui.session import lang, require_user, tr, unit_of_work
from ledpro_journal.ui.text import plain

viewer = require_user(Role.PARTICIPANT)
today = today_in_oslo()

st.title(tr("nav.actions"))
st.caption(tr("journal.actions_lead"))

with unit_of_work() as session:
    summary = journal.timeline(viewer.user, session=session, today=today)
    actions = journal.list_actions(viewer.user, session=session)
    logs = journal.log_counts(viewer.user, session=session)
gatherings = sorted(summary.gatherings, key=lambda g: g.number)
by_id = {g.id: g for g in gatherings}

if st.button(tr("journal.new_action"), type="primary", icon=":material/add:", disabled=writing_closed(viewer)):
    with unit_of_work() as session:
        action = journal.create_document(
            viewer.user, session=session, kind=DocumentKind.ACTION, gathering_id=summary.current_period
        )
    editor.open_document(action.id)

if summary.next_gathering is not None:
    days = (summary.next_gathering.start_date - today).days
    due = [a for a in actions if a.gathering_id == summary.current_period
           and a.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)]
    with st.container(border=True):
        st.markdown(f"**{tr('journal.due_before', number=summary.next_gathering.number, count=max(days, 0))}**")
        if due:
            for action in due:
                label = plain(action.title) or tr("journal.untitled")
                st.page_link(target("pages/write.py"), label=label, icon=":material/flag:",
                             query_params={"id": str(action.id)})
        else:
            st.caption(tr("journal.nothing_due"))

periods = [None] + [g.id for g in gatherings]
for period in periods:
    in_period = [a for a in actions if a.gathering_id == period]
    if not in_period:
        continue
    heading = editor.period_label(by_id.get(period), gatherings)
    if period == summary.current_period:
        heading += f" · {tr('journal.now')}"
    st.subheader(heading)
    # One link per action, its state in the label: a long year of actions stays a light page.
    for action in in_period:
        details = [tr(f"journal.status.{action.status}")]
        if action.happened_on:
            details.append(format_date(action.happened_on, lang()))
        details.append(tr("journal.log_count", count=logs.get(action.id, 0)))
        if action.version == 0:
            details.append(tr("journal.unsaved"))
        title = plain(action.title) or tr("journal.untitled")
        st.page_link(target("pages/write.py"), label=f"{title} :gray[· {' · '.join(details)}]", icon=":material/flag:",
                     query_params={"id": str(action.id)})

if not actions:
    st.info(tr("journal.no_actions"), icon=":material/flag:")
