"""Eksamensutkast: choose what goes into the exam draft, see its outline and word count, download it as
a Word document. Individual, or shared by the reflection group."""

import pandas as pd
import streamlit as st

from ledpro_journal.i18n import format_date, format_number, today_in_oslo
from ledpro_journal.models import Role
from ledpro_journal.services import exam
from ledpro_journal.services.errors import ServiceError
from ledpro_journal.ui.feedback import FORM_LEVEL, field_error, flash, form_error, run_action
from ledpro_journal.ui.leaving import writing_closed
from ledpro_journal.ui.names import names_in_exam_draft
from ledpro_journal.ui.session import lang, require_user, tr, unit_of_work
from ledpro_journal.ui.text import plain

viewer = require_user(Role.PARTICIPANT)
user = viewer.user

st.title(tr("nav.exam"))
st.caption(tr("exam.lead"))

# required: clicking the chosen draft again keeps it chosen (it would otherwise unchoose it and quietly
# show the individual draft with nothing marked).
mode = st.segmented_control(
    tr("exam.mode"), [exam.INDIVIDUAL, exam.GROUP], default=exam.INDIVIDUAL, required=True,
    format_func=lambda m: tr(f"exam.mode.{m}"), key="exam_mode",
)

try:
    with unit_of_work() as session:
        work = exam.workspace(user, session=session, mode=mode, lang=lang(), today=today_in_oslo())
except ServiceError as error:
    st.info(tr(error.key, **error.params), icon=":material/info:")
    st.stop()
draft, has_joined, items, composition = work.draft, work.joined, work.items, work.composition
# A closed cohort's draft is read and downloaded, no longer changed.
closed = writing_closed(viewer, draft.cohort_id)


def forget_built_file() -> None:
    st.session_state.pop(f"exam_file_{draft.id}", None)


# --- a group draft: who is in it ------------------------------------------------------------------------
if mode == exam.GROUP:
    st.info(tr("exam.group_lead", group=plain(work.group_name), joined=work.members_joined, members=work.members),
            icon=":material/groups:")
    if not has_joined:
        st.warning(tr("exam.join_warning"), icon=":material/visibility:")
        if st.button(tr("exam.join"), type="primary", icon=":material/group_add:", disabled=closed):
            if run_action(lambda s: exam.join_group_draft(user, session=s, draft_id=draft.id),
                          errors_key="exam-join").ok:
                flash("exam.joined")
                forget_built_file()
                st.rerun()
        form_error("exam-join")
    else:
        if st.button(tr("exam.leave"), icon=":material/group_remove:", disabled=closed):
            if run_action(lambda s: exam.leave_group_draft(user, session=s, draft_id=draft.id),
                          errors_key="exam-join").ok:
                flash("exam.left")
                forget_built_file()
                st.rerun()
        form_error("exam-join")

# --- settings ---------------------------------------------------------------------------------------------
# The title and problem statement are kept with the texts the form showed when they were drawn: what the
# writer left as shown is not saved over what another member saved since (the service refuses a changed
# text when the saved one changed too, and what was typed stays in the field). A field the writer has not
# touched follows the saved text on the next run.
SETTINGS_TEXTS = {"title": draft.title, "problem_statement": draft.problem_statement}


def shown_key(field: str) -> str:
    return f"exam-settings-shown-{field}-{draft.id}"


def text_key(field: str) -> str:
    return f"exam-settings-{field}-{draft.id}"


for field, saved in SETTINGS_TEXTS.items():
    if text_key(field) not in st.session_state or st.session_state[text_key(field)] == st.session_state.get(
            shown_key(field)):
        st.session_state[text_key(field)] = st.session_state[shown_key(field)] = saved


def shown_again_as_saved() -> None:
    """After a conflict: the texts saved now count as shown (a field left untouched was already brought up to
    date above), so saving again puts what the writer typed in."""
    for name, text in SETTINGS_TEXTS.items():
        st.session_state[shown_key(name)] = text


with st.expander(tr("exam.settings"), icon=":material/tune:", expanded=False):
    with st.form(f"exam-settings-{draft.id}"):
        title = st.text_input(tr("exam.title"), help=tr("exam.title.help"), max_chars=exam.MAX_TITLE_LENGTH,
                              disabled=closed, key=text_key("title"))
        field_error("exam-settings", "title")
        problem = st.text_area(tr("exam.problem_statement"), help=tr("exam.problem_statement.help"), height=100,
                               disabled=closed, key=text_key("problem_statement"))
        field_error("exam-settings", "problem_statement")
        prompts = st.checkbox(tr("exam.include_prompts"), value=draft.include_prompts, disabled=closed)
        limit = st.number_input(tr("exam.word_limit"), min_value=0, max_value=exam.MAX_WORD_LIMIT, step=500,
                                value=draft.word_limit or 0, disabled=closed)
        field_error("exam-settings", "word_limit")
        form_error("exam-settings")
        if st.form_submit_button(tr("exam.save_settings"), type="primary", icon=":material/save:", disabled=closed):
            outcome = run_action(
                lambda s: exam.update_settings(user, session=s, draft_id=draft.id, title=title,
                                               problem_statement=problem, include_prompts=prompts,
                                               word_limit=int(limit) or None,
                                               shown_title=st.session_state[shown_key("title")],
                                               shown_problem_statement=st.session_state[
                                                   shown_key("problem_statement")]),
                errors_key="exam-settings",
            )
            refused = (st.session_state.get("exam-settings") or {}).get(FORM_LEVEL)
            if refused and refused[0] in ("exam.conflict.title", "exam.conflict.problem_statement"):
                shown_again_as_saved()
            if outcome.ok:
                flash("exam.settings_saved")
                forget_built_file()
                for field in SETTINGS_TEXTS:  # drawn anew from what was saved
                    st.session_state.pop(text_key(field), None)
            st.rerun()  # also when refused: the messages under the fields are drawn by the next run

# --- material -------------------------------------------------------------------------------------------
if has_joined:
    # Open by itself where nothing is chosen yet (a group draft just joined), and then as the participant
    # leaves it: `expanded` is decided once, since a new value on the next run would close the list after
    # the first tick.
    opened = st.session_state.setdefault(
        f"exam-material-open-{draft.id}", mode == exam.GROUP and not any(item.on for item in items)
    )
    with st.expander(tr("exam.material"), icon=":material/checklist:", expanded=opened):
        if not items:
            st.caption(tr("exam.material_empty"))
        else:
            st.caption(tr("exam.material_lead_group" if mode == exam.GROUP else "exam.material_lead"))
            table = pd.DataFrame(
                {
                    "on": [item.on for item in items],
                    "order": list(range(1, len(items) + 1)),
                    "kind": [tr(f"exam.kind.{item.kind}") for item in items],
                    "title": [item.title for item in items],
                    "gathering": [str(item.gathering_number) if item.gathering_number else "" for item in items],
                    "date": [format_date(item.when, lang(), style="short") if item.when else "" for item in items],
                },
            )
            generation = st.session_state.get(f"exam-material-gen-{draft.id}", 0)
            editor_key = f"exam-material-{draft.id}-{generation}"

            def save_edited_choices() -> None:
                """Every tick and renumbering is saved at once: nothing chosen is lost by leaving the page."""
                edits = st.session_state[editor_key].get("edited_rows", {})
                rows = [
                    (int(edits.get(position, {}).get("order") or position + 1), position, item.ref,
                     bool(edits.get(position, {}).get("on", item.on)))
                    for position, item in enumerate(items)
                ]
                choices = [(ref, on) for _, _, ref, on in sorted(rows)]
                if run_action(lambda s: exam.save_choices(user, session=s, draft_id=draft.id, choices=choices),
                              errors_key="exam-choices").ok:
                    flash("exam.choices_saved")
                    forget_built_file()
                # The table is drawn afresh from what is saved (new order, new ticks).
                st.session_state[f"exam-material-gen-{draft.id}"] = generation + 1

            st.data_editor(
                table,
                hide_index=True,
                width="stretch",
                disabled=True if closed else ["kind", "title", "gathering", "date"],
                column_config={
                    "on": st.column_config.CheckboxColumn(tr("exam.column.on"), width="small"),
                    "order": st.column_config.NumberColumn(tr("exam.column.order"), min_value=1, step=1, width="small"),
                    "kind": st.column_config.TextColumn(tr("exam.column.kind")),
                    "title": st.column_config.TextColumn(tr("exam.column.title"), width="medium"),
                    "gathering": st.column_config.TextColumn(tr("exam.column.gathering"), width="small"),
                    "date": st.column_config.TextColumn(tr("exam.column.date"), width="small"),
                },
                key=editor_key,
                on_change=save_edited_choices,
            )
            form_error("exam-choices")

# --- outline, word count, what to know before downloading --------------------------------------------------
words_col, limit_col = st.columns(2)
words_col.metric(tr("exam.words"), format_number(composition.body_words, lang()))
if composition.word_limit:
    limit_col.metric(tr("exam.word_limit_short"), format_number(composition.word_limit, lang()))
    st.progress(min(composition.body_words / composition.word_limit, 1.0),
                text=tr("exam.words_of_limit", words=format_number(composition.body_words, lang()),
                        limit=format_number(composition.word_limit, lang())))
if composition.over_limit:
    st.warning(tr("exam.over_limit", over=format_number(composition.body_words - composition.word_limit, lang())),
               icon=":material/warning:")
st.caption(tr("exam.words_note"))
if composition.missing_candidate_numbers:
    st.warning(tr("exam.missing_candidate", count=composition.missing_candidate_numbers), icon=":material/badge:")
names_in_exam_draft(viewer, draft, composition, on_change=forget_built_file)
for note_title, count in composition.unsupported_characters.items():
    st.warning(tr("exam.unsupported", count=count, title=plain(note_title)), icon=":material/warning:")
if composition.template_filename:
    st.caption(tr("exam.template_in_use", filename=plain(composition.template_filename)))

with st.expander(tr("exam.outline"), icon=":material/format_list_numbered:", expanded=True):
    lines = [
        "  " * (entry.level - 1)
        + f"- {plain(entry.title)} · "
        + tr("exam.outline_words", count=entry.words)
        for entry in composition.outline
    ]
    st.markdown("\n".join(lines))

# --- the file -----------------------------------------------------------------------------------------------
built_key = f"exam_file_{draft.id}"
if st.button(tr("exam.make"), type="primary", icon=":material/description:"):
    with st.status(tr("exam.making"), expanded=False) as status:
        # The document as this run composed it (and showed in the outline) is the one written.
        st.write(tr("exam.step.build"))
        outcome = run_action(lambda s: exam.render(composition), errors_key="exam-build")
        status.update(label=tr("exam.ready") if outcome.ok else tr("error.unexpected"),
                      state="complete" if outcome.ok else "error")
    if outcome.ok:
        st.session_state[built_key] = outcome.value
form_error("exam-build")
built = st.session_state.get(built_key)
if built is not None:
    if built.removed_characters:
        st.info(tr("exam.removed", count=built.removed_characters), icon=":material/info:")
    st.download_button(
        tr("exam.download_file", filename=built.filename), data=built.content, file_name=built.filename,
        mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        icon=":material/download:", on_click="ignore", type="primary",
    )
