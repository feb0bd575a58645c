"""The literature library on screen: reference lists in APA 7, the add/edit form, import, and the panel
under a note for citing references."""

from __future__ import annotations

import streamlit as st

from ledpro_journal import references as bib
from ledpro_journal.export.document import Span
from ledpro_journal.models import Document, DocumentKind, Reference
from ledpro_journal.services import literature
from ledpro_journal.ui.feedback import field_error, flash, form_error, run_action
from ledpro_journal.ui.leaving import writing_closed
from ledpro_journal.ui.session import Viewer, lang, tr, unit_of_work
from ledpro_journal.ui.text import plain
from ledpro_journal.ui.widgets import file_field

_NAME_FIELDS = ("authors", "editors")


def entry_markdown(spans: tuple[Span, ...]) -> str:
    """A formatted reference as inert Markdown: the user's words escaped, titles in italics."""
    parts = []
    for span in spans:
        text = plain(span.text)
        if span.italic and span.text.strip():
            lead = span.text[: len(span.text) - len(span.text.lstrip())]
            tail = span.text[len(span.text.rstrip()):]
            text = f"{lead}*{plain(span.text.strip())}*{tail}"
        parts.append(text)
    return "".join(parts)


def formatted(references: list[Reference]) -> dict[int, str]:
    """Each reference as it will stand in the reference list, keyed by id."""
    entries = bib.bibliography_by_key([bib.Work(str(r.id), r.kind, r.data) for r in references], lang())
    return {r.id: entry_markdown(entries[str(r.id)]) for r in references}


def reference_list(viewer: Viewer, references: list[Reference], *, editable: bool, key: str) -> None:
    if not references:
        st.caption(tr("literature.none"))
        return
    texts = formatted(references)
    editing = st.session_state.get(f"{key}-editing")
    for reference in sorted(references, key=lambda r: r.sort_key):
        if not editable:
            st.markdown(texts[reference.id])
            continue
        text_col, edit_col = st.columns([6, 1], vertical_alignment="center")
        text_col.markdown(texts[reference.id])
        if edit_col.button(tr("literature.edit"), key=f"{key}-edit-{reference.id}", icon=":material/edit:"):
            st.session_state[f"{key}-editing"] = reference.id
            st.rerun()
        if editing == reference.id:
            with st.container(border=True):
                reference_form(viewer, key=f"{key}-form-{reference.id}", reference=reference)
                delete_control(viewer, reference, key=f"{key}-delete-{reference.id}")


def reference_form(viewer: Viewer, *, key: str, reference: Reference | None = None,
                   reading_list_of: int | None = None) -> None:
    """Add a reference (to one's own library, or to a cohort's reading list), or change one."""
    errors = f"{key}-errors"
    kind = st.selectbox(
        tr("literature.kind"), bib.KINDS, index=bib.KINDS.index(reference.kind) if reference else 0,
        format_func=lambda k: tr(f"literature.kind.{k}"), key=f"{key}-kind", placeholder=tr("widget.choose_option"),
    )
    data = dict(reference.data) if reference else {}
    # Not clear_on_submit: that empties the form on a refusal too, and everything typed is lost. An added
    # reference gives the next form new widgets instead (the generation in the keys), so it starts empty.
    generation = st.session_state.get(f"{key}-added", 0)
    form_key = f"{key}-{kind}" + (f"-{generation}" if generation else "")
    with st.form(form_key):
        values = {}
        for name in bib.FIELDS[kind]:
            label = tr(f"literature.field.{name}")
            if name in _NAME_FIELDS:
                values[name] = st.text_area(
                    label, value=bib.format_names_for_editing(data.get(name, [])), height=90,
                    help=tr(f"literature.field.{name}.help"), key=f"{form_key}-{name}",
                )
            else:
                values[name] = st.text_input(
                    label, value=str(data.get(name, "")), key=f"{form_key}-{name}",
                    help=tr("literature.field.year.help") if name == "year" else None,
                )
            field_error(errors, name)
        form_error(errors)
        submitted = st.form_submit_button(
            tr("action.save") if reference else tr("literature.add"), type="primary", icon=":material/save:"
        )
    if not submitted:
        return
    for name in _NAME_FIELDS:
        if name in values:
            values[name] = bib.parse_names(values[name])
    if reference is None:
        outcome = run_action(
            lambda s: literature.add_reference(viewer.user, session=s, kind=kind, data=values,
                                               reading_list_of=reading_list_of),
            errors_key=errors,
        )
        message = "literature.added"
    else:
        outcome = run_action(
            lambda s: literature.update_reference(viewer.user, session=s, reference_id=reference.id, kind=kind,
                                                  data=values),
            errors_key=errors,
        )
        message = "literature.saved"
    if outcome.ok:
        flash(message)
        st.session_state.pop(key.rsplit("-form-", 1)[0] + "-editing", None)
        if reference is None:
            st.session_state[f"{key}-added"] = generation + 1
    st.rerun()  # also when refused: the messages under the fields are drawn by the next run


def delete_control(viewer: Viewer, reference: Reference, *, key: str) -> None:
    with unit_of_work() as session:
        cited = literature.times_cited(viewer.user, session=session, reference_id=reference.id)
    if reference.owner_id is None:
        st.caption(tr("literature.delete_reading_list"))
    elif cited:
        st.warning(tr("literature.delete_cited", count=cited))
    if st.button(tr("literature.delete"), key=key, icon=":material/delete:"):
        outcome = run_action(
            lambda s: literature.delete_reference(viewer.user, session=s, reference_id=reference.id),
            errors_key=f"{key}-errors",
        )
        if outcome.ok:
            flash("literature.deleted")
            st.rerun()
    form_error(f"{key}-errors")


def import_form(viewer: Viewer, *, key: str, reading_list_of: int | None = None) -> None:
    errors = f"{key}-errors"
    st.caption(tr("literature.import_lead"))
    upload = file_field(tr("literature.import.file"), types=["ris", "bib", "txt"], max_bytes=bib.MAX_IMPORT_BYTES,
                        key=f"{key}-file")
    field_error(errors, "file")
    form_error(errors)
    result = st.session_state.pop(f"{key}-result", None)
    if result is not None:
        st.success(tr("literature.import.done", added=result.added, duplicates=result.duplicates))
        if result.skipped:
            st.warning(tr("literature.import.skipped", titles=plain("; ".join(result.skipped[:20]))))
    if st.button(tr("literature.import.button"), key=f"{key}-button", disabled=upload is None,
                 icon=":material/upload_file:"):
        outcome = run_action(
            lambda s: literature.import_references(
                viewer.user, session=s, filename=upload.name, content=upload.getvalue(), reading_list_of=reading_list_of
            ),
            errors_key=errors,
        )
        if outcome.ok:
            st.session_state[f"{key}-result"] = outcome.value
        st.rerun()


def citation_panel(viewer: Viewer, document: Document) -> None:
    """Under a note: the references it builds on, each with an optional page."""
    if document.kind != DocumentKind.NOTE:
        return
    key = f"cite-{document.id}"
    errors = f"{key}-errors"
    closed = writing_closed(viewer, document.cohort_id)
    with unit_of_work() as session:
        library = literature.library(viewer.user, session=session)
        current = {c.reference.id: c.pages for c in literature.citations(viewer.user, session=session,
                                                                            note_id=document.id)}
    with st.expander(tr("literature.cite") + (f" ({len(current)})" if current else ""), icon=":material/menu_book:"):
        references = library.all
        if not references:
            st.caption(tr("literature.cite_none"))
            return
        st.caption(tr("literature.cite_lead"))
        labels = {r.id: _short_label(r) for r in references}
        chosen = st.multiselect(
            tr("literature.cite_pick"), list(labels), default=[r for r in current if r in labels],
            format_func=labels.get, key=f"{key}-pick", placeholder=tr("widget.choose_options"), select_all=False,
            disabled=closed,
        )
        pages = {}
        for reference_id in chosen:
            pages[reference_id] = st.text_input(
                tr("literature.cite_page", reference=plain(labels[reference_id])), value=current.get(reference_id, ""),
                key=f"{key}-page-{reference_id}", max_chars=literature.MAX_PAGES_LENGTH, disabled=closed,
            )
        field_error(errors, "pages")
        field_error(errors, "references")
        form_error(errors)
        if st.button(tr("literature.cite_save"), key=f"{key}-save", icon=":material/save:", disabled=closed):
            outcome = run_action(
                lambda s: literature.set_citations(viewer.user, session=s, note_id=document.id,
                                                   cited=[(r, pages[r]) for r in chosen]),
                errors_key=errors,
            )
            if outcome.ok:
                flash("literature.cite_saved")
            st.rerun()  # also when refused: the message above the button is drawn by the next run


def _short_label(reference: Reference) -> str:
    return bib.narrative(bib.Work(str(reference.id), reference.kind, reference.data), lang()) + " – " + \
        reference.data.get("title", "")[:80]

