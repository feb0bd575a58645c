"""Kull og samlinger, tab "Mal for eksamensutkast": whether the cohort has an institution template, its
name and when it came, and taking it away. (Uploading needs st.file_uploader, which AppTest cannot fill;
the template itself is set through exam.set_exam_template, as an upload would.)"""

from __future__ import annotations

import io

import docx
import pytest

from ledpro_journal.i18n import format_datetime
from ledpro_journal.models import ExamTemplate
from ledpro_journal.services import exam
from ledpro_journal.ui.context import plain
from tests.app.conftest import labelled, nb, open_page, run, toasts, visible_text
from tests.helpers import make_admin, make_cohort

PAGE = "pages/admin_cohorts.py"
TAB = nb("exam.template.title")  # "Mal for eksamensutkast"
REMOVE = nb("exam.template.remove")  # "Fjern malen"


@pytest.fixture
def admin(dbs, browser):
    user = make_admin(dbs)
    browser.sign_in(user)
    return user


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
    assert [c.value for c in tab.caption] == [nb("exam.template.lead")]
    assert [i.value for i in tab.info] == [nb("exam.template.none")]
    assert not tab.success
    assert [b.label for b in tab.button] == [nb("exam.template.upload")]
    assert labelled(tab.button, nb("exam.template.upload")).disabled  # nothing chosen to upload
    assert [u.label for u in tab.get("file_uploader")] == [nb("exam.template.file")]


def test_a_template_is_named_with_its_date_and_can_be_removed(admin, dbs, fresh):
    cohort = make_cohort(dbs, admin)
    template = exam.set_exam_template(admin, session=dbs, cohort_id=cohort.id, filename="HINN_mal [2025].docx",
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
    exam.set_exam_template(admin, session=dbs, cohort_id=second.id, filename="mal-2025.docx",
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
