"""Skriv: one document open in the editor (?id=...), whichever kind it is."""

import streamlit as st

from ledpro_journal.i18n import format_date
from ledpro_journal.models import DocumentKind, Role
from ledpro_journal.services import journal
from ledpro_journal.ui import editor
from ledpro_journal.ui.literature import citation_panel
from ledpro_journal.ui.navigation import keep_in_address, target
from ledpro_journal.ui.session import lang, require_user, tr, unit_of_work
from ledpro_journal.ui.sharing import share_panel
from ledpro_journal.ui.text import plain

viewer = require_user(Role.PARTICIPANT)

try:
    document_id = int(st.query_params.get("id", ""))
except ValueError:
    document_id = None
loaded = editor.load(viewer, document_id) if document_id is not None else None
if loaded is None:
    if document_id is None:
        st.warning(tr("error.not_found"))
    st.page_link(target("pages/notes.py"), label=tr("nav.notes"), icon=":material/edit_note:")
    st.stop()

document = loaded.document
keep_in_address(id=str(document.id))
if document.kind == DocumentKind.LOG:
    st.page_link(target("pages/write.py"), label=tr("journal.back_to_action"), icon=":material/arrow_back:",
                 query_params={"id": str(document.parent_id)})
elif document.kind == DocumentKind.ACTION:
    st.page_link(target("pages/actions.py"), label=tr("journal.back_to_actions"), icon=":material/arrow_back:")
elif document.kind == DocumentKind.NOTE:
    st.page_link(target("pages/notes.py"), label=tr("journal.back_to_notes"), icon=":material/arrow_back:")
st.title(tr(f"journal.kind.{document.kind}"))
if document.kind != DocumentKind.NOTE:
    st.caption(editor.template_name(document.template))

editor.document_editor(viewer, loaded)
citation_panel(viewer, document)
share_panel(viewer, document)

if document.kind == DocumentKind.ACTION and document.version > 0:
    st.subheader(tr("journal.logs"))
    with unit_of_work() as session:
        logs = journal.list_logs(viewer.user, session=session, action_id=document.id)
    for entry in logs:
        when = format_date(entry.happened_on, lang()) if entry.happened_on else ""
        title = plain(entry.title) or tr("journal.untitled")
        st.page_link(target("pages/write.py"), label=f"{when} · {title}" if when else title,
                     icon=":material/description:", query_params={"id": str(entry.id)})
    if not logs:
        st.caption(tr("journal.no_logs"))
    if st.button(tr("journal.new_log"), icon=":material/add:", disabled=loaded.read_only):
        with unit_of_work() as session:
            entry = journal.create_document(viewer.user, session=session, kind=DocumentKind.LOG, parent_id=document.id)
        editor.open_document(entry.id)
