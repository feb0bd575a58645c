"""Kull og samlinger: cohorts from the LEDPRO 2024 template, their details, themes and gatherings; and the
tab "Mal for eksamensutkast": whether the cohort has an institution template, its name and when it came,
and taking it away. (Uploading needs st.file_uploader, which AppTest cannot fill; the template itself is
set through programme.set_exam_template, as an upload would.)"""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest
from sqlmodel import select

from ledpro_journal.i18n import format_date, format_datetime
from ledpro_journal.models import Cohort, ExamTemplate, Gathering, Theme
from ledpro_journal.services import programme
from ledpro_journal.ui.text import plain
from tests.app.builders import (
    error_after,
    form,
    labelled,
    nb,
    open_page,
    programme_rows,
    run,
    titles,
    toasts,
    visible_text,
)
from tests.helpers import make_admin, make_cohort, make_member

PAGE = "pages/admin_cohorts.py"


@pytest.fixture
def admin(dbs, browser):
    user = make_admin(dbs)
    browser.sign_in(user)
    return user


def cohorts_in_db(fresh) -> list[Cohort]:
    with fresh() as session:
        return list(session.exec(select(Cohort).order_by(Cohort.id)).all())


def create_cohort_via_form(at, name: str, *, from_template: bool = True) -> None:
    new = form(at, "new_cohort")
    labelled(new.text_input, nb("cohort.name")).input(name)
    labelled(new.checkbox, nb("cohort.from_template")).set_value(from_template)
    labelled(new.form_submit_button, nb("cohort.create")).click()
    run(at)


def test_without_cohorts_the_new_cohort_form_is_open(admin):
    at = open_page(PAGE)
    assert titles(at) == [nb("nav.admin_cohorts")]
    assert [e.label for e in at.expander] == [nb("cohort.new")]
    assert at.expander[0].proto.expanded
    new = form(at, "new_cohort")
    assert labelled(new.text_input, nb("cohort.institution")).value == "Høgskolen i Innlandet"
    assert labelled(new.checkbox, nb("cohort.from_template")).value is True
    assert not at.selectbox and not at.tabs


def test_create_a_cohort_from_the_template(admin, fresh):
    at = open_page(PAGE)
    create_cohort_via_form(at, "LEDPRO 2025")

    [cohort] = cohorts_in_db(fresh)
    assert (cohort.name, cohort.institution, cohort.place) == (
        "LEDPRO 2025", "Høgskolen i Innlandet", "Wood Hotel, Brumunddal",
    )
    with fresh() as session:
        assert len(session.exec(select(Gathering).where(Gathering.cohort_id == cohort.id)).all()) == 6
        assert len(session.exec(select(Theme).where(Theme.cohort_id == cohort.id)).all()) == 4
    assert toasts(at) == [nb("cohort.created", name="LEDPRO 2025")]
    picker = labelled(at.selectbox, nb("cohort.pick"))
    assert picker.value == cohort.id and picker.options == ["LEDPRO 2025"]
    assert [t.label for t in at.tabs] == [nb("cohort.tab.details"), nb("cohort.tab.themes"),
                                          nb("cohort.tab.gatherings"), nb("exam.template.title"),
                                          nb("cohort.tab.close")]
    table = programme_rows(at)
    assert len(table) == 6
    assert [r[nb("gathering.column.number")] for r in table] == [nb("gathering.label", number=n) for n in range(1, 7)]
    assert [e.label for e in at.expander][1:] == [nb("gathering.edit", number=n) for n in range(1, 7)]
    assert labelled(form(at, f"cohort_details_{cohort.id}").text_input, nb("cohort.name")).value == "LEDPRO 2025"


def test_create_an_empty_cohort(admin, fresh):
    at = open_page(PAGE)
    create_cohort_via_form(at, "Tomt kull", from_template=False)
    [cohort] = cohorts_in_db(fresh)
    assert cohort.name == "Tomt kull"
    assert nb("gathering.none") in [c.value for c in at.caption]
    assert not [m for m in at.markdown if m.value.startswith("| ")]


def test_empty_name_is_required(admin, fresh):
    at = open_page(PAGE)
    create_cohort_via_form(at, "   ")
    assert error_after(form(at, "new_cohort"), nb("cohort.name")) == nb("field.required")
    assert not toasts(at)
    assert cohorts_in_db(fresh) == []


def test_duplicate_name_is_refused(admin, dbs, fresh):
    make_cohort(dbs, admin, name="LEDPRO 2024")
    at = open_page(PAGE)
    assert at.expander[0].label == nb("cohort.new")  # the form is there, collapsed, once a cohort exists
    assert not at.expander[0].proto.expanded
    create_cohort_via_form(at, "ledpro 2024")
    assert error_after(form(at, "new_cohort"), nb("cohort.name")) == nb("cohort.name_taken")
    assert len(cohorts_in_db(fresh)) == 1


@pytest.fixture
def cohort(admin, dbs):
    return make_cohort(dbs, admin, name="LEDPRO 2024")


def new_gathering(at, cohort_id: int, number: int, start: date, end: date) -> None:
    at.number_input(key=f"new_{cohort_id}_number").set_value(number)
    at.date_input(key=f"new_{cohort_id}_start").set_value(start)
    at.date_input(key=f"new_{cohort_id}_end").set_value(end)
    labelled(form(at, f"new_gathering_{cohort_id}").form_submit_button, nb("gathering.add")).click()
    run(at)


def gathering_count(fresh, cohort_id: int) -> int:
    with fresh() as session:
        return len(session.exec(select(Gathering).where(Gathering.cohort_id == cohort_id)).all())


def test_add_a_gathering(cohort, fresh):
    at = open_page(PAGE)
    assert at.number_input(key=f"new_{cohort.id}_number").value == 7
    new_gathering(at, cohort.id, 7, date(2024, 11, 20), date(2024, 11, 21))
    assert not at.error
    assert toasts(at) == [nb("gathering.added", number=7)]
    assert gathering_count(fresh, cohort.id) == 7
    assert len(programme_rows(at)) == 7


def test_gathering_ending_before_it_starts_is_refused(cohort, fresh):
    at = open_page(PAGE)
    new_gathering(at, cohort.id, 7, date(2024, 12, 10), date(2024, 12, 9))
    new = form(at, f"new_gathering_{cohort.id}")
    assert error_after(new, nb("gathering.end")) == nb("gathering.end_before_start")
    assert [e.value for e in at.error] == [nb("gathering.end_before_start")]
    assert gathering_count(fresh, cohort.id) == 6


def test_overlapping_gathering_is_refused(cohort, fresh):
    at = open_page(PAGE)
    new_gathering(at, cohort.id, 7, date(2024, 10, 8), date(2024, 10, 9))
    new = form(at, f"new_gathering_{cohort.id}")
    assert error_after(new, nb("gathering.start")) == nb("gathering.overlaps", number=6)
    assert gathering_count(fresh, cohort.id) == 6


def test_missing_dates_are_required(cohort, fresh):
    at = open_page(PAGE)
    labelled(form(at, f"new_gathering_{cohort.id}").form_submit_button, nb("gathering.add")).click()
    run(at)
    new = form(at, f"new_gathering_{cohort.id}")
    assert error_after(new, nb("gathering.start")) == nb("field.required")
    assert error_after(new, nb("gathering.end")) == nb("field.required")
    assert gathering_count(fresh, cohort.id) == 6


def test_edit_a_gathering(cohort, fresh):
    with fresh() as session:
        first = session.exec(
            select(Gathering).where(Gathering.cohort_id == cohort.id).where(Gathering.number == 1)
        ).one()
    at = open_page(PAGE)
    at.date_input(key=f"g{first.id}_start").set_value(date(2024, 2, 14))
    at.text_input(key=f"g{first.id}_place").input("Hamar")
    labelled(form(at, f"gathering_{first.id}").form_submit_button, nb("action.save")).click()
    run(at)
    assert not at.error
    with fresh() as session:
        saved = session.get(Gathering, first.id)
        assert (saved.start_date, saved.end_date, saved.place) == (date(2024, 2, 14), date(2024, 2, 16), "Hamar")


def test_edit_cohort_details(cohort, fresh):
    at = open_page(PAGE)
    details = form(at, f"cohort_details_{cohort.id}")
    labelled(details.text_input, nb("cohort.name")).input("LEDPRO vår 2024")
    labelled(details.text_input, nb("cohort.institution")).input("HINN")
    labelled(details.text_input, nb("cohort.place")).input("Hamar")
    labelled(details.form_submit_button, nb("action.save")).click()
    run(at)

    [saved] = cohorts_in_db(fresh)
    assert (saved.name, saved.institution, saved.place) == ("LEDPRO vår 2024", "HINN", "Hamar")
    assert labelled(at.selectbox, nb("cohort.pick")).options == ["LEDPRO vår 2024"]
    assert labelled(form(at, f"cohort_details_{cohort.id}").text_input, nb("cohort.name")).value == "LEDPRO vår 2024"


def test_renaming_a_cohort_to_another_cohorts_name_is_refused(cohort, admin, dbs, fresh):
    make_cohort(dbs, admin, name="LEDPRO 2025")
    at = open_page(PAGE)
    labelled(at.selectbox, nb("cohort.pick")).set_value(cohort.id)
    run(at)
    details = form(at, f"cohort_details_{cohort.id}")
    labelled(details.text_input, nb("cohort.name")).input("LEDPRO 2025")
    labelled(details.form_submit_button, nb("action.save")).click()
    run(at)
    assert error_after(form(at, f"cohort_details_{cohort.id}"), nb("cohort.name")) == nb("cohort.name_taken")
    assert sorted(c.name for c in cohorts_in_db(fresh)) == ["LEDPRO 2024", "LEDPRO 2025"]


def themes_in_db(fresh, cohort_id: int) -> list[Theme]:
    with fresh() as session:
        return list(session.exec(select(Theme).where(Theme.cohort_id == cohort_id).order_by(Theme.position)).all())


def test_add_a_theme(cohort, fresh):
    at = open_page(PAGE)
    new = form(at, f"new_theme_{cohort.id}")
    labelled(new.text_input, nb("theme.new")).input("Etikk i ledelse")
    labelled(new.form_submit_button, nb("theme.add")).click()
    run(at)
    themes = themes_in_db(fresh, cohort.id)
    assert [(t.position, t.name) for t in themes][-1] == (5, "Etikk i ledelse")
    new_row = labelled(form(at, f"theme_{themes[-1].id}").text_input, nb("theme.label", position=5))
    assert new_row.value == "Etikk i ledelse"


def test_add_a_duplicate_theme_is_refused(cohort, fresh):
    at = open_page(PAGE)
    new = form(at, f"new_theme_{cohort.id}")
    labelled(new.text_input, nb("theme.new")).input(programme.LEDPRO_2024["themes"][0].upper())
    labelled(new.form_submit_button, nb("theme.add")).click()
    run(at)
    assert nb("theme.name_taken") in [e.value for e in at.error]
    assert len(themes_in_db(fresh, cohort.id)) == 4


def test_rename_a_theme(cohort, fresh):
    first = themes_in_db(fresh, cohort.id)[0]
    at = open_page(PAGE)
    theme_form = form(at, f"theme_{first.id}")
    labelled(theme_form.text_input, nb("theme.label", position=1)).input("Organisasjonsforståelse")
    labelled(theme_form.form_submit_button, nb("action.save")).click()
    run(at)
    assert themes_in_db(fresh, cohort.id)[0].name == "Organisasjonsforståelse"
    assert programme_rows(at)[0][nb("gathering.column.theme")] == "Organisasjonsforståelse"


def test_delete_a_theme_leaves_its_gatherings_without_theme(cohort, fresh):
    first = themes_in_db(fresh, cohort.id)[0]
    at = open_page(PAGE)
    labelled(form(at, f"theme_{first.id}").form_submit_button, nb("action.delete")).click()
    run(at)
    assert first.id not in [t.id for t in themes_in_db(fresh, cohort.id)]
    assert len(themes_in_db(fresh, cohort.id)) == 3
    with fresh() as session:
        gathering_1 = session.exec(
            select(Gathering).where(Gathering.cohort_id == cohort.id).where(Gathering.number == 1)
        ).one()
        assert gathering_1.theme_id is None
    assert gathering_count(fresh, cohort.id) == 6
    assert programme_rows(at)[0][nb("gathering.column.theme")] == ""


def test_delete_an_empty_cohort(cohort, fresh):
    at = open_page(PAGE)
    assert nb("cohort.delete_confirm", name="LEDPRO 2024") in [m.value for m in at.markdown]
    at.button(key=f"delete_cohort_{cohort.id}").click()
    run(at)
    assert cohorts_in_db(fresh) == []
    assert toasts(at) == [nb("cohort.deleted", name="LEDPRO 2024")]
    assert not at.selectbox and not at.tabs
    assert at.expander[0].proto.expanded  # back to "make the first cohort"


def test_a_cohort_with_members_cannot_be_deleted(cohort, admin, dbs, fresh):
    make_member(dbs, admin, cohort.id, "pia")
    at = open_page(PAGE)
    at.button(key=f"delete_cohort_{cohort.id}").click()
    run(at)
    assert nb("cohort.not_empty", count=1) in [e.value for e in at.error]
    assert len(cohorts_in_db(fresh)) == 1


def test_the_picker_switches_between_cohorts(cohort, admin, dbs):
    other = make_cohort(dbs, admin, name="LEDPRO 2025", from_template=False)
    at = open_page(PAGE)
    picker = labelled(at.selectbox, nb("cohort.pick"))
    assert picker.value == other.id  # newest first
    assert nb("gathering.none") in [c.value for c in at.caption]
    picker.set_value(cohort.id)
    run(at)
    assert len(programme_rows(at)) == 6
    assert "LEDPRO 2024" in visible_text(at)


# --- the institution's exam template (tab "Mal for eksamensutkast") ---------------------------------------------

TAB = nb("exam.template.title")  # "Mal for eksamensutkast"
REMOVE = nb("exam.template.remove")  # "Fjern malen"


def a_word_document() -> bytes:
    document = docx.Document()
    document.add_paragraph("Høgskolens mal")
    content = io.BytesIO()
    document.save(content)
    return content.getvalue()


def template_tab(at):
    return labelled(at.tabs, TAB)


def test_without_a_template_the_tab_says_the_standard_look_is_used(admin, dbs):
    make_cohort(dbs, admin)
    at = open_page(PAGE)
    assert TAB in [t.label for t in at.tabs]
    tab = template_tab(at)
    # The lead, and under the file field its real limit (Streamlit's own "200MB per file" is covered up).
    assert [c.value for c in tab.caption] == [nb("exam.template.lead"), nb("upload.limits", size=10,
                                                                         types=".docx, .dotx")]
    assert [u.proto.max_upload_size_mb for u in tab.get("file_uploader")] == [10]
    assert [i.value for i in tab.info] == [nb("exam.template.none")]
    assert not tab.success
    assert [b.label for b in tab.button] == [nb("exam.template.upload")]
    assert labelled(tab.button, nb("exam.template.upload")).disabled  # nothing chosen to upload
    assert [u.label for u in tab.get("file_uploader")] == [nb("exam.template.file")]


def test_a_template_is_named_with_its_date_and_can_be_removed(admin, dbs, fresh):
    cohort = make_cohort(dbs, admin)
    template = programme.set_exam_template(admin, session=dbs, cohort_id=cohort.id, filename="HINN_mal [2025].docx",
                                           content=a_word_document())
    dbs.commit()
    at = open_page(PAGE)
    tab = template_tab(at)
    assert not tab.info
    assert [s.value for s in tab.success] == [
        nb("exam.template.current", filename=plain("HINN_mal [2025].docx"),
           date=format_datetime(template.uploaded_at, "nb"))
    ]
    assert "HINN_mal [2025].docx" in visible_text(at).replace("\\", "")
    assert [b.label for b in tab.button] == [REMOVE, nb("exam.template.upload")]

    labelled(template_tab(at).button, REMOVE).click()
    run(at)
    assert toasts(at) == [nb("exam.template.removed")]
    assert fresh().get(ExamTemplate, cohort.id) is None
    tab = template_tab(at)
    assert [i.value for i in tab.info] == [nb("exam.template.none")]
    assert not tab.success
    assert REMOVE not in [b.label for b in tab.button]


def test_the_tab_shows_the_template_of_the_cohort_picked(admin, dbs):
    first = make_cohort(dbs, admin, "LEDPRO 2024")
    second = make_cohort(dbs, admin, "LEDPRO 2025")
    programme.set_exam_template(admin, session=dbs, cohort_id=second.id, filename="mal-2025.docx",
                                content=a_word_document())
    dbs.commit()
    at = open_page(PAGE)
    picker = labelled(at.selectbox, nb("cohort.pick"))
    assert picker.value == second.id  # the newest first
    [success] = template_tab(at).success
    assert plain("mal-2025.docx") in success.value

    picker.set_value(first.id)
    run(at)
    assert [i.value for i in template_tab(at).info] == [nb("exam.template.none")]
    assert not template_tab(at).success and REMOVE not in [b.label for b in template_tab(at).button]

    # Removing 2025's from its tab takes that one only.
    labelled(at.selectbox, nb("cohort.pick")).set_value(second.id)
    run(at)
    labelled(template_tab(at).button, REMOVE).click()
    run(at)
    assert [i.value for i in template_tab(at).info] == [nb("exam.template.none")]


# --- ending a cohort ------------------------------------------------------------------------------------------


def close_tab(at):
    [tab] = [t for t in at.tabs if t.label == nb("cohort.tab.close")]
    return tab


def test_ending_a_cohort_says_what_goes_and_when_and_reopening_undoes_it(admin, dbs, fresh):
    cohort = make_cohort(dbs, admin)
    make_member(dbs, admin, cohort.id, "pia")
    at = open_page(PAGE)
    assert nb("cohort.close.what", participants=1, documents=0) in [m.value for m in close_tab(at).markdown]
    box = form(at, f"close_cohort_{cohort.id}")
    labelled(box.date_input, nb("cohort.close.date")).set_value(date(2027, 3, 1))
    labelled(box.form_submit_button, nb("cohort.close.button")).click()
    run(at)
    when = plain(format_date(date(2027, 3, 1), "nb"))
    assert toasts(at) == [nb("cohort.close.done", name=plain("LEDPRO 2024"), date=when)]
    stored = fresh().get(Cohort, cohort.id)
    assert stored.closed_at is not None and stored.deletion_on == date(2027, 3, 1)
    [status] = close_tab(at).warning
    assert status.value.endswith(nb("cohort.close.closed_status", closed="X", date=format_date(date(2027, 3, 1), "nb"))
                                 .split("X")[1])

    labelled(close_tab(at).button, nb("cohort.reopen.button")).click()
    run(at)
    assert toasts(at) == [nb("cohort.reopen.done", name=plain("LEDPRO 2024"))]
    stored = fresh().get(Cohort, cohort.id)
    assert (stored.closed_at, stored.deletion_on) == (None, None)


def test_a_purged_cohort_says_so_and_offers_nothing(admin, dbs):
    cohort = make_cohort(dbs, admin)
    programme.close_cohort(admin, session=dbs, cohort_id=cohort.id, deletion_on=date(2026, 1, 1),
                           today=date(2026, 1, 1))
    programme.purge_due_cohorts(dbs, today=date(2026, 1, 1))
    dbs.commit()
    at = open_page(PAGE)
    tab = close_tab(at)
    assert [i.value.split(" ")[0] for i in tab.info] == [nb("cohort.close.purged_status", date="").split(" ")[0]]
    assert not [f for f in at.form if f.proto.form.form_id == f"close_cohort_{cohort.id}"]
    assert nb("cohort.reopen.button") not in [b.label for b in tab.button]
