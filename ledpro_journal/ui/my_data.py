"""Mine data on Min konto: Last ned alt mitt (the zip is built with its steps shown, then offered for
download under a dated name), and, while the account is empty and its cohort open, Importer fra en eksport
with what was imported and what found no match here."""

from __future__ import annotations

import streamlit as st

from ledpro_journal.models import Role
from ledpro_journal.services import data_export, data_import, programme
from ledpro_journal.ui.feedback import field_error, form_error, run_action
from ledpro_journal.ui.session import Viewer, lang, tr, unit_of_work
from ledpro_journal.ui.text import plain
from ledpro_journal.ui.widgets import UPLOAD_MEGABYTE, file_field

IMPORT_ERRORS = "my_data_import_errors"
IMPORTED = "my_data_import_result"


def my_data_section(viewer: Viewer) -> None:
    """Drawn for participants, who have a journal; nothing for anyone else."""
    if viewer.user.role != Role.PARTICIPANT:
        return
    st.subheader(tr("my_data.title"))
    _export(viewer)
    _import(viewer)


def _export(viewer: Viewer) -> None:
    st.write(tr("my_data.export.lead"))
    export_controls(viewer)


def export_controls(viewer: Viewer, key: str = "my_data", label: str = "my_data.export.button") -> None:
    """Last ned alt mitt: the button, the zip built with its steps shown, then the download. Drawn here and
    again before deleting the account (ui/leaving.py), each place with its own `key` and button `label`."""
    user = viewer.user
    errors_key, built_key = f"{key}_export_errors", f"{key}_export_file"
    if st.button(tr(label), type="primary", icon=":material/archive:", key=f"{key}_export"):
        st.session_state.pop(built_key, None)
        with st.status(tr("my_data.export.making"), expanded=True) as status:

            def progress(step: str) -> None:
                st.write(tr(f"my_data.step.{step}"))

            outcome = run_action(
                lambda session: data_export.build_export(user, session=session, lang=lang(), progress=progress),
                errors_key=errors_key,
            )
            status.update(label=tr("my_data.export.ready") if outcome.ok else tr("error.unexpected"),
                          state="complete" if outcome.ok else "error", expanded=False)
        if outcome.ok:
            st.session_state[built_key] = outcome.value
    form_error(errors_key)
    built = st.session_state.get(built_key)
    if built is not None:
        st.download_button(
            tr("my_data.export.download", filename=plain(built.filename)), data=built.content,
            file_name=built.filename, mime="application/zip", icon=":material/download:", on_click="ignore",
            key=f"{key}_download",
        )


def _import(viewer: Viewer) -> None:
    user = viewer.user
    result = st.session_state.get(IMPORTED)
    if result is not None:
        _show_result(result)
    with unit_of_work() as session:
        # An import writes, and a closed cohort is read-only (the service refuses it): not offered there.
        closed = bool(programme.my_closed_cohorts(user, session=session))
        empty = not closed and data_import.is_empty(user, session=session)
    if closed:
        if result is None:
            st.caption(tr("my_data.import.closed"))
        return
    if not empty:
        if result is None:
            st.caption(tr("my_data.import.only_empty"))
        return
    st.markdown(f"**{tr('my_data.import.title')}**")
    st.write(tr("my_data.import.lead"))
    # The field takes what both the service and the server take (the server's limit is in .streamlit).
    server_bytes = int(st.get_option("server.maxUploadSize")) * UPLOAD_MEGABYTE
    upload = file_field(tr("my_data.import.file"), types=["zip"],
                        max_bytes=min(data_import.max_upload_bytes(), server_bytes), key="my_data_import_file")
    field_error(IMPORT_ERRORS, "file")
    if st.button(tr("my_data.import.button"), disabled=upload is None, icon=":material/upload_file:",
                 key="my_data_import"):
        content = upload.getvalue()
        outcome = run_action(lambda session: data_import.import_export(user, session=session, content=content),
                             errors_key=IMPORT_ERRORS)
        if outcome.ok:
            st.session_state[IMPORTED] = outcome.value
        st.rerun()
    form_error(IMPORT_ERRORS)


def _show_result(result: data_import.ImportResult) -> None:
    counts = result.counts
    st.success(tr("my_data.import.done", challenge=counts.get("challenge", 0), actions=counts.get("action", 0),
                  logs=counts.get("log", 0), notes=counts.get("note", 0), revisions=counts.get("revisions", 0),
                  references=counts.get("references", 0)), icon=":material/check_circle:")
    if result.all_matched:
        st.caption(tr("my_data.import.all_matched"))
    else:
        lines = [f"- {tr('my_data.import.unmatched_gathering', number=number, count=count)}"
                 for number, count in sorted(result.unmatched_gatherings.items())]
        lines += [f"- {tr('my_data.import.unmatched_theme', name=plain(name), count=count)}"
                  for name, count in sorted(result.unmatched_themes.items())]
        lines += [f"- {tr('my_data.import.kept_as_own', title=plain(title))}"
                  for title in result.reading_list_kept_as_own]
        st.warning(tr("my_data.import.unmatched") + "\n\n" + "\n".join(lines), icon=":material/link_off:")
    if result.shares_not_recreated or result.comments_not_recreated:
        st.info(tr("my_data.import.not_recreated", shares=result.shares_not_recreated,
                   comments=result.comments_not_recreated), icon=":material/info:")
