"""The participant's start page: a step-by-step guide for someone who has written nothing yet, and
afterwards where they are in the action-learning cycle, with one click to each thing that is due."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ledpro_journal.models import DocumentKind
from ledpro_journal.services import journal, sharing
from ledpro_journal.ui import editor
from ledpro_journal.ui.leaving import writing_closed
from ledpro_journal.ui.navigation import target
from ledpro_journal.ui.session import Viewer, tr, unit_of_work
from ledpro_journal.ui.text import plain

STEPS = ("challenge", "action", "log", "note")


def _done(summary: journal.Overview) -> dict[str, bool]:
    return {
        "challenge": summary.has_challenge,
        "action": summary.action_count > 0,
        "log": summary.log_count > 0,
        "note": summary.note_count > 0,
    }


def _start(viewer: Viewer, step: str, summary: journal.Overview) -> None:
    """The one button of a step: opens (or starts) the thing to write."""
    if step == "challenge":
        st.switch_page(target("pages/challenge.py"))
    with unit_of_work() as session:
        if step == "action":
            document = journal.create_document(
                viewer.user, session=session, kind=DocumentKind.ACTION, gathering_id=summary.current_period
            )
        elif step == "log":
            action = journal.list_actions(viewer.user, session=session)[0]
            document = journal.create_document(viewer.user, session=session, kind=DocumentKind.LOG, parent_id=action.id)
        else:
            document = journal.create_document(viewer.user, session=session, kind=DocumentKind.NOTE)
    editor.open_document(document.id)


def journal_start(viewer: Viewer, today: date) -> None:
    with unit_of_work() as session:
        summary = journal.overview(viewer.user, session=session, today=today)
        comments = sharing.new_comments_on_my_shares(viewer.user, session=session)
    for item in comments:
        st.page_link(target("pages/shared.py"), icon=":material/mark_chat_unread:",
                     label=tr("start.new_comments", count=item.count,
                              title=plain(item.title) or tr("journal.untitled")),
                     query_params={"share": str(item.share_id)})
    if summary.is_new:
        _guide(viewer, summary)
    else:
        _where_i_am(summary, today)


def _guide(viewer: Viewer, summary: journal.Overview) -> None:
    done = _done(summary)
    current = next(step for step in STEPS if not done[step])
    st.subheader(tr("start.guide_title"))
    for number, step in enumerate(STEPS, start=1):
        with st.container(border=step == current):
            if done[step]:
                st.markdown(f":green[:material/check_circle:] ~~{tr(f'start.{step}.title')}~~")
            elif step == current:
                st.markdown(f"**{number}. {tr(f'start.{step}.title')}**")
                st.write(tr(f"start.{step}.text"))
                # Opening the challenge only reads it; the other steps start something new to write.
                closed = step != "challenge" and writing_closed(viewer)
                if st.button(tr(f"start.{step}.button"), type="primary", key=f"start-{step}", disabled=closed):
                    _start(viewer, step, summary)
            else:
                st.markdown(f":gray[{number}. {tr(f'start.{step}.title')}]")


def _link(row: journal.Row, icon: str) -> None:
    st.page_link(target("pages/write.py"), label=plain(row.title) or tr("journal.untitled"), icon=icon,
                 query_params={"id": str(row.id)})


SHOWN = 5


def _short_list(title: str, rows: list[journal.Row], icon: str) -> None:
    """The first few, and how many more wait on the actions page: a start page is not an archive."""
    st.subheader(title)
    for row in rows[:SHOWN]:
        _link(row, icon)
    if len(rows) > SHOWN:
        st.page_link(target("pages/actions.py"), label=tr("start.more", count=len(rows) - SHOWN),
                     icon=":material/more_horiz:")
    if not rows:
        st.caption(tr("start.nothing"))


def _where_i_am(summary: journal.Overview, today: date) -> None:
    left, right = st.columns(2, gap="large")
    with left:
        if summary.next_gathering is not None:
            days = max((summary.next_gathering.start_date - today).days, 0)
            st.metric(tr("start.next_gathering", number=summary.next_gathering.number),
                      tr("start.days_left", count=days))
        _short_list(tr("start.without_log"), summary.actions_without_log, ":material/flag:")
        _short_list(tr("start.without_reflection"), summary.actions_without_reflection, ":material/psychology:")
    with right:
        st.subheader(tr("start.recent"))
        for row in summary.recently_edited:
            _link(row, ":material/history:")
        st.divider()
        st.page_link(target("pages/challenge.py"), label=tr("nav.challenge"), icon=":material/target:")
        st.page_link(target("pages/actions.py"), label=tr("nav.actions"), icon=":material/flag:")
        st.page_link(target("pages/notes.py"), label=tr("nav.notes"), icon=":material/edit_note:")
