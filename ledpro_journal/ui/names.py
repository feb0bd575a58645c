"""Names and anonymisation on the page: the participant's list of name replacements (its own page), and
the names block of the exam page (the offer to use the list in one's own draft, and the names still
left in what one includes)."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ledpro_journal.models import ExamDraft, NameReplacement
from ledpro_journal.services import exam, name_replacements
from ledpro_journal.ui.feedback import field_error, flash, form_error, run_action
from ledpro_journal.ui.leaving import writing_closed
from ledpro_journal.ui.navigation import target
from ledpro_journal.ui.session import Viewer, tr, unit_of_work
from ledpro_journal.ui.text import plain

PAGE = "pages/names.py"
_ADD_ERRORS = "names-add"
_LIST_ERRORS = "names-list"


def replacements_page(viewer: Viewer) -> None:
    """Navn og anonymisering: sees, adds, changes and removes the names replaced when text leaves the
    journal."""
    st.title(tr("nav.names"))
    st.caption(tr("names.lead"))
    closed = writing_closed(viewer)  # a closed cohort: the list is read, not changed
    if closed:
        st.info(tr("cohort.read_only"), icon=":material/lock:")
    else:
        _add_form(viewer)
    with unit_of_work() as session:
        rows = name_replacements.my_replacements(viewer.user, session=session)
    st.subheader(tr("names.list_title", count=len(rows)))
    form_error(_LIST_ERRORS)
    if not rows:
        st.info(tr("names.empty"), icon=":material/person_off:")
    for row in rows:
        _row(viewer, row, closed)


def _add_form(viewer: Viewer) -> None:
    # A new form after each name added: the fields are empty for the next one. A refused name keeps
    # what was typed, with the message under the field.
    generation = st.session_state.get("names-add-generation", 0)
    with st.form(f"names-add-{generation}"):
        st.markdown(f"**{tr('names.add_title')}**")
        name_col, replacement_col = st.columns(2)
        with name_col:
            name = st.text_input(tr("names.name"), placeholder=tr("names.name_placeholder"),
                                 max_chars=name_replacements.MAX_NAME_LENGTH)
            field_error(_ADD_ERRORS, "name")
        with replacement_col:
            replacement = st.text_input(tr("names.replacement"), placeholder=tr("names.replacement_placeholder"),
                                        max_chars=name_replacements.MAX_REPLACEMENT_LENGTH)
            field_error(_ADD_ERRORS, "replacement")
        form_error(_ADD_ERRORS)
        if st.form_submit_button(tr("names.add"), type="primary", icon=":material/add:"):
            outcome = run_action(
                lambda session: name_replacements.add_replacement(viewer.user, session=session, name=name,
                                                                  replacement=replacement),
                errors_key=_ADD_ERRORS,
            )
            if outcome.ok:
                flash("names.added", name=outcome.value.name, replacement=outcome.value.replacement)
                st.session_state["names-add-generation"] = generation + 1
            st.rerun()


def _row(viewer: Viewer, row: NameReplacement, closed: bool) -> None:
    errors_key = f"names-row-{row.id}"
    with st.container(border=True):
        name_col, replacement_col, save_col, remove_col = st.columns([2, 3, 1, 1], vertical_alignment="center")
        name_col.markdown(f"**{plain(row.name)}**")
        with replacement_col:
            replacement = st.text_input(
                tr("names.replace_with", name=row.name), value=row.replacement, key=f"names-replacement-{row.id}",
                max_chars=name_replacements.MAX_REPLACEMENT_LENGTH, label_visibility="collapsed", disabled=closed,
            )
        if save_col.button(tr("names.save"), key=f"names-save-{row.id}", icon=":material/save:", disabled=closed):
            outcome = run_action(
                lambda session: name_replacements.change_replacement(
                    viewer.user, session=session, replacement_id=row.id, replacement=replacement),
                errors_key=errors_key,
            )
            if outcome.ok:
                flash("names.saved", name=row.name, replacement=outcome.value.replacement)
            st.rerun()
        if remove_col.button(tr("names.remove"), key=f"names-remove-{row.id}", icon=":material/delete:",
                             disabled=closed):
            outcome = run_action(
                lambda session: name_replacements.remove_replacement(viewer.user, session=session,
                                                                     replacement_id=row.id),
                errors_key=_LIST_ERRORS,
            )
            if outcome.ok:
                st.session_state.pop(f"names-replacement-{row.id}", None)
                flash("names.removed", name=row.name)
            st.rerun()
        field_error(errors_key, "replacement")
        form_error(errors_key)


# --- the exam page ------------------------------------------------------------------------------------------


def names_in_exam_draft(viewer: Viewer, draft: ExamDraft, composition: exam.Composition, *,
                        on_change: Callable[[], None]) -> None:
    """In one's own draft, the offer to use one's name replacements (stored with the draft, off until
    chosen); in a group draft, that they are always used. Then the names still left in what one
    includes, with the way to the list. `on_change`: what the page does when the document changes."""
    if exam.is_group_draft(draft):
        st.caption(tr("names.exam.group_always"))
    else:
        key = f"exam-use-names-{draft.id}"
        st.session_state[key] = bool(draft.use_name_replacements)  # as stored, drawn afresh every run

        def save() -> None:
            use = bool(st.session_state[key])
            outcome = run_action(
                lambda session: exam.use_name_replacements(viewer.user, session=session, draft_id=draft.id, use=use),
                errors_key="exam-names",
            )
            if outcome.ok:
                flash("names.exam.now_on" if use else "names.exam.now_off")
                on_change()

        st.toggle(tr("names.exam.use"), key=key, help=tr("names.exam.use_help"), on_change=save)
        form_error("exam-names")
    if composition.possible_names:
        message = "names.exam.left_group" if exam.is_group_draft(draft) else "names.exam.left"
        st.warning(tr(message, names=plain(", ".join(composition.possible_names))), icon=":material/person_search:")
        destination = target(PAGE)
        if not isinstance(destination, str):  # this run's navigation has the page (a page run alone has none)
            st.page_link(destination, label=tr("names.exam.to_list"), icon=":material/person_off:")
