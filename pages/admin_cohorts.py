"""Kull og samlinger: a cohort's details, its main themes, its gatherings, and the institution's Word
template for exam drafts."""

import streamlit as st

from ledpro_journal.export.exam_docx import MAX_TEMPLATE_BYTES
from ledpro_journal.i18n import format_datetime
from ledpro_journal.models import Role
from ledpro_journal.services import programme
from ledpro_journal.ui.feedback import field_error, flash, form_error, run_action
from ledpro_journal.ui.leaving import close_cohort_section
from ledpro_journal.ui.session import lang, require_user, tr, unit_of_work
from ledpro_journal.ui.text import plain
from ledpro_journal.ui.widgets import cohort_picker, file_field, programme_table

viewer = require_user(Role.ADMIN)
admin = viewer.user

st.title(tr("nav.admin_cohorts"))

with unit_of_work() as session:
    cohorts = programme.list_cohorts(admin, session=session)

NEW = "cohort_new_errors"
with st.expander(tr("cohort.new"), expanded=not cohorts, icon=":material/add:"):
    with st.form("new_cohort"):
        form_error(NEW)
        name = st.text_input(tr("cohort.name"), placeholder="LEDPRO 2025", max_chars=120)
        field_error(NEW, "name")
        institution = st.text_input(tr("cohort.institution"), value="Høgskolen i Innlandet", max_chars=200)
        field_error(NEW, "institution")
        place = st.text_input(tr("cohort.place"), value="Wood Hotel, Brumunddal", max_chars=200)
        field_error(NEW, "place")
        from_template = st.checkbox(tr("cohort.from_template"), value=True, help=tr("cohort.from_template_help"))
        if st.form_submit_button(tr("cohort.create"), type="primary"):
            outcome = run_action(
                lambda session: programme.create_cohort(
                    admin,
                    session=session,
                    name=name,
                    institution=institution,
                    place=place,
                    from_ledpro_2024=from_template,
                ),
                errors_key=NEW,
            )
            if outcome.ok:
                st.session_state["cohort_id"] = outcome.value.id
                flash("cohort.created", name=outcome.value.name)
            st.rerun()

cohort = cohort_picker(cohorts)
if cohort is None:
    st.stop()

with unit_of_work() as session:
    themes = programme.list_themes(admin, session=session, cohort_id=cohort.id)
    gatherings = programme.list_gatherings(admin, session=session, cohort_id=cohort.id)
themes_by_id = {t.id: t for t in themes}
theme_ids = [None] + [t.id for t in themes]


def theme_label(theme_id):
    return themes_by_id[theme_id].name if theme_id in themes_by_id else tr("gathering.no_theme")


details_tab, themes_tab, gatherings_tab, template_tab, close_tab = st.tabs(
    [tr("cohort.tab.details"), tr("cohort.tab.themes"), tr("cohort.tab.gatherings"), tr("exam.template.title"),
     tr("cohort.tab.close")]
)

with details_tab:
    DETAILS = f"cohort_details_errors_{cohort.id}"
    with st.form(f"cohort_details_{cohort.id}"):
        form_error(DETAILS)
        new_name = st.text_input(tr("cohort.name"), value=cohort.name, max_chars=120)
        field_error(DETAILS, "name")
        new_institution = st.text_input(tr("cohort.institution"), value=cohort.institution, max_chars=200)
        field_error(DETAILS, "institution")
        new_place = st.text_input(tr("cohort.place"), value=cohort.place, max_chars=200)
        field_error(DETAILS, "place")
        if st.form_submit_button(tr("action.save"), type="primary"):
            outcome = run_action(
                lambda session: programme.update_cohort(
                    admin,
                    session=session,
                    cohort_id=cohort.id,
                    name=new_name,
                    institution=new_institution,
                    place=new_place,
                ),
                errors_key=DETAILS,
            )
            if outcome.ok:
                flash("action.saved")
            st.rerun()
    with st.popover(tr("cohort.delete"), icon=":material/delete:"):
        st.write(tr("cohort.delete_confirm", name=plain(cohort.name)))
        DELETE = f"cohort_delete_errors_{cohort.id}"
        form_error(DELETE)
        if st.button(tr("action.delete_for_good"), type="primary", key=f"delete_cohort_{cohort.id}"):
            outcome = run_action(
                lambda session: programme.delete_cohort(admin, session=session, cohort_id=cohort.id),
                errors_key=DELETE,
            )
            if outcome.ok:
                st.session_state.pop("cohort_id", None)
                flash("cohort.deleted", name=cohort.name)
            st.rerun()

with themes_tab:
    st.caption(tr("theme.lead"))
    for theme in themes:
        THEME = f"theme_errors_{theme.id}"
        with st.form(f"theme_{theme.id}", border=False):
            name_col, save_col, delete_col = st.columns([6, 1, 1], vertical_alignment="bottom")
            new_theme_name = name_col.text_input(
                tr("theme.label", position=theme.position), value=theme.name, max_chars=200
            )
            save = save_col.form_submit_button(tr("action.save"))
            delete = delete_col.form_submit_button(tr("action.delete"))
            field_error(THEME, "name")
            form_error(THEME)
            if save or delete:
                if delete:
                    outcome = run_action(
                        lambda session: programme.delete_theme(admin, session=session, theme_id=theme.id),
                        errors_key=THEME,
                    )
                else:
                    outcome = run_action(
                        lambda session: programme.rename_theme(
                            admin, session=session, theme_id=theme.id, name=new_theme_name
                        ),
                        errors_key=THEME,
                    )
                if outcome.ok:
                    flash("action.deleted" if delete else "action.saved")
                st.rerun()
    NEW_THEME = f"theme_new_errors_{cohort.id}"
    with st.form(f"new_theme_{cohort.id}", clear_on_submit=True):
        new_theme = st.text_input(tr("theme.new"), max_chars=200)
        field_error(NEW_THEME, "name")
        form_error(NEW_THEME)
        if st.form_submit_button(tr("theme.add"), icon=":material/add:"):
            outcome = run_action(
                lambda session: programme.add_theme(admin, session=session, cohort_id=cohort.id, name=new_theme),
                errors_key=NEW_THEME,
            )
            if outcome.ok:
                flash("theme.added")
            st.rerun()


def gathering_fields(prefix: str, errors_key: str, gathering=None):
    """The same fields for a new gathering and an existing one; messages appear under each field."""
    number_col, start_col, end_col = st.columns(3)
    with number_col:
        number = st.number_input(
            tr("gathering.number"),
            min_value=1,
            max_value=programme.MAX_GATHERINGS,
            value=gathering.number if gathering else min(len(gatherings) + 1, programme.MAX_GATHERINGS),
            step=1,
            key=f"{prefix}_number",
        )
        field_error(errors_key, "number")
    with start_col:
        start = st.date_input(
            tr("gathering.start"), value=gathering.start_date if gathering else None,
            format="DD.MM.YYYY", key=f"{prefix}_start",
        )
        field_error(errors_key, "start_date")
    with end_col:
        end = st.date_input(
            tr("gathering.end"), value=gathering.end_date if gathering else None,
            format="DD.MM.YYYY", key=f"{prefix}_end",
        )
        field_error(errors_key, "end_date")
    place_col, theme_col = st.columns(2)
    gathering_place = place_col.text_input(
        tr("gathering.place"), value=gathering.place if gathering else cohort.place, max_chars=200,
        key=f"{prefix}_place",
    )
    with place_col:
        field_error(errors_key, "place")
    current_theme = gathering.theme_id if gathering else None
    theme_id = theme_col.selectbox(
        tr("gathering.theme"), theme_ids,
        index=theme_ids.index(current_theme) if current_theme in theme_ids else 0,
        format_func=theme_label, key=f"{prefix}_theme", placeholder=tr("widget.choose_option"),
    )
    field_error(errors_key, "theme_id")
    return {"number": int(number), "start_date": start, "end_date": end, "place": gathering_place, "theme_id": theme_id}


with gatherings_tab:
    programme_table(gatherings, themes_by_id)
    for gathering in gatherings:
        ERRORS = f"gathering_errors_{gathering.id}"
        with st.expander(tr("gathering.edit", number=gathering.number), icon=":material/edit:",
                         expanded=ERRORS in st.session_state):
            with st.form(f"gathering_{gathering.id}"):
                form_error(ERRORS)
                values = gathering_fields(f"g{gathering.id}", ERRORS, gathering)
                save_col, delete_col = st.columns([1, 1])
                save = save_col.form_submit_button(tr("action.save"), type="primary")
                delete = delete_col.form_submit_button(tr("gathering.delete"))
                if save:
                    outcome = run_action(
                        lambda session: programme.update_gathering(
                            admin, session=session, gathering_id=gathering.id, **values
                        ),
                        errors_key=ERRORS,
                    )
                    if outcome.ok:
                        st.session_state.pop(ERRORS, None)
                        flash("gathering.saved", number=values["number"])
                    st.rerun()
                if delete:
                    outcome = run_action(
                        lambda session: programme.delete_gathering(admin, session=session, gathering_id=gathering.id),
                        errors_key=ERRORS,
                    )
                    if outcome.ok:
                        st.session_state.pop(ERRORS, None)
                        flash("gathering.deleted", number=gathering.number)
                    st.rerun()

    NEW_GATHERING = f"gathering_new_errors_{cohort.id}"
    st.subheader(tr("gathering.new"))
    with st.form(f"new_gathering_{cohort.id}"):
        form_error(NEW_GATHERING)
        values = gathering_fields(f"new_{cohort.id}", NEW_GATHERING)
        if st.form_submit_button(tr("gathering.add"), type="primary", icon=":material/add:"):
            outcome = run_action(
                lambda session: programme.add_gathering(admin, session=session, cohort_id=cohort.id, **values),
                errors_key=NEW_GATHERING,
            )
            if outcome.ok:
                flash("gathering.added", number=values["number"])
            st.rerun()

with template_tab:
    st.caption(tr("exam.template.lead"))
    TEMPLATE = f"exam_template_errors_{cohort.id}"
    with unit_of_work() as session:
        current = programme.exam_template(admin, session=session, cohort_id=cohort.id)
    if current is None:
        st.info(tr("exam.template.none"), icon=":material/description:")
    else:
        st.success(tr("exam.template.current", filename=plain(current.filename),
                      date=format_datetime(current.uploaded_at, lang())), icon=":material/description:")
        if st.button(tr("exam.template.remove"), icon=":material/delete:", key=f"remove_template_{cohort.id}"):
            if run_action(lambda session: programme.remove_exam_template(admin, session=session, cohort_id=cohort.id),
                          errors_key=TEMPLATE).ok:
                flash("exam.template.removed")
                st.rerun()
    upload = file_field(tr("exam.template.file"), types=["docx", "dotx"], max_bytes=MAX_TEMPLATE_BYTES,
                        key=f"template_file_{cohort.id}")
    field_error(TEMPLATE, "file")
    form_error(TEMPLATE)
    if st.button(tr("exam.template.upload"), disabled=upload is None, type="primary", icon=":material/upload_file:",
                 key=f"upload_template_{cohort.id}"):
        outcome = run_action(
            lambda session: programme.set_exam_template(admin, session=session, cohort_id=cohort.id,
                                                        filename=upload.name, content=upload.getvalue()),
            errors_key=TEMPLATE,
        )
        if outcome.ok:
            flash("exam.template.uploaded")
        st.rerun()

with close_tab:
    close_cohort_section(admin, cohort)
