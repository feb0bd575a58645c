"""Papirkurv: deleted writing, kept for 30 days and restorable until then."""

from datetime import timedelta

import streamlit as st

from ledpro_journal.i18n import format_date
from ledpro_journal.models import Role
from ledpro_journal.services import journal
from ledpro_journal.ui.editor import template_name
from ledpro_journal.ui.feedback import flash, form_error, run_action
from ledpro_journal.ui.leaving import writing_closed
from ledpro_journal.ui.session import lang, require_user, tr, unit_of_work
from ledpro_journal.ui.text import plain

viewer = require_user(Role.PARTICIPANT)

st.title(tr("nav.bin"))
st.caption(tr("journal.bin_lead", count=journal.BIN_DAYS))

with unit_of_work() as session:
    rows = journal.list_bin(viewer.user, session=session)

ERRORS = "bin_errors"
closed = writing_closed(viewer)  # a closed cohort's bin is read, not changed
form_error(ERRORS)
if not rows:
    st.info(tr("journal.bin_empty"), icon=":material/delete:")
for row in rows:
    with st.container(border=True):
        text_col, button_col = st.columns([5, 1], vertical_alignment="center")
        title = row.title or template_name(row.template)
        gone = format_date(row.deleted_at + timedelta(days=journal.BIN_DAYS), lang())
        text_col.markdown(f"**{tr(f'journal.kind.{row.kind}')}:** {plain(title)}")
        text_col.caption(tr("journal.bin_until", date=gone))
        if button_col.button(tr("journal.restore"), key=f"restore-{row.id}", icon=":material/restore_from_trash:",
                             disabled=closed):
            outcome = run_action(
                lambda session: journal.restore_document(viewer.user, session=session, document_id=row.id),
                errors_key=ERRORS,
            )
            if outcome.ok:
                flash("journal.restored_from_bin", title=title)
            st.rerun()
