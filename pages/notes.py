"""Notater: reflection notes (and, with the filter, actions and log entries): find, open, start new."""

import streamlit as st

from ledpro_journal.i18n import format_datetime, today_in_oslo
from ledpro_journal.models import DocumentKind, Role
from ledpro_journal.services import journal, programme
from ledpro_journal.templates import NOTE_TEMPLATES, TEMPLATES
from ledpro_journal.ui import editor
from ledpro_journal.ui.leaving import writing_closed
from ledpro_journal.ui.navigation import target
from ledpro_journal.ui.session import lang, require_user, tr, unit_of_work
from ledpro_journal.ui.text import plain

viewer = require_user(Role.PARTICIPANT)

st.title(tr("nav.notes"))

with unit_of_work() as session:
    gatherings = sorted(journal.timeline(viewer.user, session=session, today=today_in_oslo()).gatherings,
                        key=lambda g: g.number)
    themes = (
        programme.list_themes(viewer.user, session=session, cohort_id=gatherings[0].cohort_id) if gatherings else []
    )
    actions = journal.list_actions(viewer.user, session=session)

with st.container(border=True):
    template_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    template = template_col.selectbox(tr("journal.new_note_template"), NOTE_TEMPLATES, format_func=editor.template_name,
                                      placeholder=tr("widget.choose_option"))
    if button_col.button(tr("journal.new_note"), type="primary", icon=":material/add:",
                         disabled=writing_closed(viewer)):
        with unit_of_work() as session:
            note = journal.create_document(viewer.user, session=session, kind=DocumentKind.NOTE, template=template)
        editor.open_document(note.id)

query = st.text_input(tr("journal.search"), placeholder=tr("journal.search_placeholder"), key="notes_query")
kind_col, period_col, theme_col, template_col, action_col, shared_col = st.columns(6)
kind_options = {
    "notes": (DocumentKind.NOTE,),
    "actions": (DocumentKind.ACTION,),
    "logs": (DocumentKind.LOG,),
    "all": (DocumentKind.NOTE, DocumentKind.ACTION, DocumentKind.LOG, DocumentKind.CHALLENGE),
}
kind = kind_col.selectbox(tr("journal.filter.kind"), list(kind_options),
                          format_func=lambda k: tr(f"journal.filter.{k}"),
                          key="notes_kind", placeholder=tr("widget.choose_option"))
by_id = {g.id: g for g in gatherings}
period = period_col.selectbox(
    tr("journal.period"), [None, 0] + list(by_id), key="notes_period",
    format_func=lambda p: tr("journal.filter.any") if p is None else editor.period_label(by_id.get(p), gatherings),
    placeholder=tr("widget.choose_option"),
)
theme_names = {t.id: t.name for t in themes}
theme_id = theme_col.selectbox(tr("journal.filter.theme"), [None] + list(theme_names), key="notes_theme",
                               format_func=lambda t: tr("journal.filter.any") if t is None else theme_names[t],
                               placeholder=tr("widget.choose_option"))
template_code = template_col.selectbox(
    tr("journal.template"), [None] + list(TEMPLATES), key="notes_template",
    format_func=lambda c: tr("journal.filter.any") if c is None else editor.template_name(c),
    placeholder=tr("widget.choose_option"),
)
action_names = {a.id: a.title or tr("journal.untitled") for a in actions}
action_id = action_col.selectbox(tr("journal.filter.action"), [None] + list(action_names), key="notes_action",
                                 format_func=lambda a: tr("journal.filter.any") if a is None else action_names[a],
                                 placeholder=tr("widget.choose_option"))

shared = shared_col.selectbox(tr("journal.filter.shared"), [None, True, False], key="notes_shared",
                              format_func=lambda s: tr({None: "journal.filter.any", True: "journal.filter.is_shared",
                                                        False: "journal.filter.not_shared"}[s]),
                              placeholder=tr("widget.choose_option"))

filters = journal.Filters(kinds=kind_options[kind], period=period, theme_id=theme_id, template=template_code,
                          action_id=action_id, shared=shared, query=query)
page = st.session_state.get("notes_page", 1)
with unit_of_work() as session:
    rows, total = journal.find(viewer.user, session=session, filters=filters, page=page)
pages = max(1, -(-total // journal.PAGE_SIZE))
if page > pages:
    st.session_state["notes_page"] = pages
    st.rerun()

st.caption(tr("journal.found", count=total))
for row in rows:
    title = plain(row.title or editor.template_name(row.template))
    details = [tr(f"journal.kind.{row.kind}"), editor.template_name(row.template),
               tr("journal.words", count=row.word_count), format_datetime(row.updated_at, lang())]
    if row.version == 0:
        details.append(tr("journal.unsaved"))
    st.page_link(target("pages/write.py"), label=title, icon=":material/description:", query_params={"id": str(row.id)})
    excerpt = f"  \n{plain(row.excerpt[:240])}" if row.excerpt else ""
    st.caption(" · ".join(details) + excerpt)

if pages > 1:
    previous_col, label_col, next_col = st.columns([1, 2, 1], vertical_alignment="center")
    if previous_col.button(tr("journal.previous"), disabled=page <= 1):
        st.session_state["notes_page"] = page - 1
        st.rerun()
    label_col.caption(tr("journal.page_of", page=page, pages=pages))
    if next_col.button(tr("journal.next"), disabled=page >= pages):
        st.session_state["notes_page"] = page + 1
        st.rerun()
