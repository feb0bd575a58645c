"""Litteratur: a participant's own references (added through the form, formatted in APA 7, changed and
deleted; private), the cohort's reading list (kept by facilitators, read-only for participants), the
facilitators' view with the cohort picker, no access for administrators. (The "Kilder" panel under a note
in the editor, which stores the note's citations, is tested in test_write.py.)

Importing a file needs st.file_uploader, which AppTest cannot fill: tests/browser/test_exam_download.py
imports a RIS file in Chromium."""

from __future__ import annotations

import re

from sqlmodel import select

from ledpro_journal.models import DocumentKind, Reference, Role
from ledpro_journal.services import literature
from tests.app.builders import (
    BION,
    SCHEIN,
    add_reference,
    error_after,
    errors,
    form,
    labelled,
    nb,
    open_page,
    page_app,
    registered_pages,
    run,
    tab,
    titles,
    toasts,
    visible_text,
    write,
)
from tests.helpers import make_cohort, make_member

PAGE = "pages/literature.py"
EDIT = nb("literature.edit")  # "Endre"
FIELD = {name: nb(f"literature.field.{name}") for name in ("authors", "year", "title", "publisher", "edition")}


def unescaped(markdown: str) -> str:
    """A formatted reference as a reader sees it: Markdown escapes undone, italics marks dropped."""
    return re.sub(r"\\(.)", r"\1", markdown).replace("*", "")


def entries(container) -> list[str]:
    """The references listed in a tab, as read."""
    return [unescaped(m.value) for m in container.markdown]


def add_reference_through_the_form(at, form_key: str, **values: str):
    add = form(at, form_key)
    for name, value in values.items():
        widgets = add.text_area if name in ("authors", "editors") else add.text_input
        labelled(widgets, FIELD[name]).input(value)
    add.button[0].click()
    return run(at)


def references_in_db(fresh) -> list[Reference]:
    return list(fresh().exec(select(Reference).order_by(Reference.id)).all())


# --- a participant's own references --------------------------------------------------------------------------


def test_a_book_added_through_the_form_is_listed_in_apa_and_only_for_its_owner(writers, browser, fresh):
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    assert titles(at) == [nb("nav.literature")]
    assert [t.label for t in at.tabs] == [nb("literature.own"), nb("literature.reading_list"), nb("literature.add"),
                                         nb("literature.import")]
    assert nb("literature.none") in [c.value for c in tab(at, nb("literature.own")).caption]
    adding = tab(at, nb("literature.add"))
    assert labelled(adding.selectbox, nb("literature.kind")).value == "book"

    add_reference_through_the_form(at, "add-own-book", authors="Bion, W. R.", year="1961",
                                   title="Experiences in groups and other papers", publisher="Tavistock")

    assert toasts(at) == [nb("literature.added")]
    own = tab(at, nb("literature.own"))
    assert entries(own) == ["Bion, W. R. (1961). Experiences in groups and other papers. Tavistock."]
    # The title in italics, the user's words never markup.
    assert own.markdown[0].value == r"Bion, W\. R\. \(1961\)\. *Experiences in groups and other papers*\. Tavistock\."
    assert [b.label for b in own.button] == [EDIT]
    [reference] = references_in_db(fresh)
    assert (reference.owner_id, reference.cohort_id, reference.kind) == (writers.pia.id, writers.cohort.id, "book")
    assert reference.data["authors"] == [{"family": "Bion", "given": "W. R."}]
    assert entries(tab(at, nb("literature.reading_list"))) == []
    # The form is empty again for the next reference.
    adding = tab(at, nb("literature.add"))
    assert [w.value for w in (*adding.text_area, *adding.text_input)] == [""] * 7

    # Ola, in the same cohort, does not see it anywhere.
    browser.sign_in(writers.ola)
    at = open_page(PAGE)
    assert "Bion" not in visible_text(at)
    assert entries(tab(at, nb("literature.own"))) == [] and entries(tab(at, nb("literature.reading_list"))) == []


def test_a_missing_title_is_explained_under_the_field_and_nothing_is_added(writers, browser, fresh):
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    add_reference_through_the_form(at, "add-own-book", authors="Bion, W. R.", year="1961", publisher="Tavistock")

    adding = form(at, "add-own-book")
    assert error_after(adding, FIELD["title"]) == nb("field.required")
    assert error_after(adding, FIELD["authors"]) is None
    assert error_after(adding, FIELD["year"]) is None
    assert errors(at) == [nb("field.required")]
    # What was typed is still there to complete.
    assert labelled(adding.text_area, FIELD["authors"]).value == "Bion, W. R."
    assert labelled(adding.text_input, FIELD["publisher"]).value == "Tavistock"
    assert toasts(at) == []
    assert references_in_db(fresh) == []
    assert entries(tab(at, nb("literature.own"))) == []


def test_a_year_that_is_not_a_year_is_explained_under_the_year(writers, browser, fresh):
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    add_reference_through_the_form(at, "add-own-book", authors="Bion, W. R.", year="sekstiett",
                                   title="Experiences in groups")
    assert error_after(form(at, "add-own-book"), FIELD["year"]) == nb("literature.year_invalid")
    assert references_in_db(fresh) == []


def test_changing_the_kind_shows_that_kinds_fields(writers, browser):
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    labelled(tab(at, nb("literature.add")).selectbox, nb("literature.kind")).set_value("article")
    run(at)
    article = form(at, "add-own-article")
    labels = [w.label for w in (*article.text_area, *article.text_input)]
    assert nb("literature.field.container_title") in labels and nb("literature.field.volume") in labels
    assert FIELD["publisher"] not in labels


def test_an_own_reference_can_be_changed_and_deleted(writers, browser, dbs, fresh):
    mine = add_reference(dbs, writers.pia, BION)
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    labelled(tab(at, nb("literature.own")).button, EDIT).click()
    run(at)

    editing = form(at, f"own-form-{mine.id}-book")
    assert labelled(editing.text_input, FIELD["title"]).value == BION["title"]
    assert labelled(editing.text_area, FIELD["authors"]).value == "Bion, Wilfred R."
    labelled(editing.text_input, FIELD["title"]).input("Experiences in groups")
    labelled(editing.button, nb("action.save")).click()
    run(at)
    assert toasts(at) == [nb("literature.saved")]
    assert fresh().get(Reference, mine.id).data["title"] == "Experiences in groups"
    assert entries(tab(at, nb("literature.own"))) == ["Bion, W. R. (1961). Experiences in groups. Tavistock."]
    # Saved: the form closes.
    assert not [f for f in at.form if f.proto.form.form_id.startswith("own-form-")]

    labelled(tab(at, nb("literature.own")).button, EDIT).click()
    run(at)
    labelled(tab(at, nb("literature.own")).button, nb("literature.delete")).click()
    run(at)
    assert toasts(at) == [nb("literature.deleted")]
    assert references_in_db(fresh) == []
    assert entries(tab(at, nb("literature.own"))) == []


def test_deleting_a_cited_reference_says_how_many_notes_cite_it(writers, browser, dbs):
    mine = add_reference(dbs, writers.pia, BION)
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Grunnantakelser"})
    literature.set_citations(writers.pia, session=dbs, note_id=note.id, cited=[(mine.id, "")])
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    labelled(tab(at, nb("literature.own")).button, EDIT).click()
    run(at)
    assert [w.value for w in at.warning] == [nb("literature.delete_cited", count=1)]


# --- the reading list -----------------------------------------------------------------------------------------


def test_the_reading_list_a_facilitator_added_is_read_only_for_participants(writers, browser, dbs, frode):
    add_reference(dbs, frode, SCHEIN, reading_list_of=writers.cohort.id)
    add_reference(dbs, writers.pia, BION)
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    reading = tab(at, nb("literature.reading_list"))
    assert entries(reading) == ["Schein, E. H. (2010). Organizational culture and leadership (4. utg.). Jossey-Bass."]
    assert not reading.button
    assert not [f for f in at.form if f.proto.form.form_id.startswith("reading")]
    # The own list holds her own, not the reading list's.
    assert entries(tab(at, nb("literature.own"))) == ["Bion, W. R. (1961). Experiences in groups and other papers. "
                                                      "Tavistock."]


def test_a_facilitator_keeps_the_reading_list_of_the_cohort_picked(writers, browser, dbs, fresh, frode):
    other = make_cohort(dbs, writers.admin, "LEDPRO 2025")
    make_member(dbs, writers.admin, other.id, "frode2", role=Role.FACILITATOR)  # not Frode: he teaches one cohort
    add_reference(dbs, writers.pia, BION)  # Pia's own: never the facilitator's to see
    browser.sign_in(frode)
    at = open_page(PAGE)
    assert PAGE in registered_pages(at)
    assert titles(at) == [nb("nav.literature")]
    picker = labelled(at.selectbox, nb("cohort.pick"))
    assert picker.options == ["LEDPRO 2024"]
    assert [t.label for t in at.tabs] == [nb("literature.reading_list"), nb("literature.add_to_reading_list"),
                                         nb("literature.import")]
    assert entries(tab(at, nb("literature.reading_list"))) == []
    assert "Bion" not in visible_text(at)

    add_reference_through_the_form(at, f"add-reading-{writers.cohort.id}-book", authors="Schein, Edgar H.",
                                   year="2010", title="Organizational culture and leadership", edition="4",
                                   publisher="Jossey-Bass")
    assert toasts(at) == [nb("literature.added")]
    [reference] = [r for r in references_in_db(fresh) if r.owner_id is None]
    assert reference.cohort_id == writers.cohort.id
    reading = tab(at, nb("literature.reading_list"))
    assert entries(reading) == ["Schein, E. H. (2010). Organizational culture and leadership (4. utg.). Jossey-Bass."]
    assert [b.label for b in reading.button] == [EDIT]  # the facilitator may change it

    # Pia sees it in her cohort's reading list.
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    assert "Schein" in "\n".join(entries(tab(at, nb("literature.reading_list"))))


def test_a_facilitator_without_a_cohort_is_told_so(writers, browser, dbs):
    from ledpro_journal.models import CohortMembership

    frode = make_member(dbs, writers.admin, writers.cohort.id, "frode", role=Role.FACILITATOR)
    membership = dbs.exec(select(CohortMembership).where(CohortMembership.user_id == frode.id)).one()
    dbs.delete(membership)
    dbs.commit()
    browser.sign_in(frode)
    at = open_page("pages/home.py")
    at.switch_page(PAGE)
    run(at)
    assert titles(at) == [nb("nav.literature")]
    assert [i.value for i in at.info] == [nb("home.no_cohort")]
    assert not at.tabs and not at.form


def test_an_administrator_has_no_access(writers, browser, dbs, frode):
    add_reference(dbs, frode, SCHEIN, reading_list_of=writers.cohort.id)
    browser.sign_in(writers.admin)
    assert PAGE not in registered_pages(open_page("pages/home.py"))
    at = run(page_app(PAGE))
    assert titles(at) == [nb("error.no_access_title")]
    assert [w.value for w in at.warning] == [nb("error.not_allowed")]
    assert not at.tabs and not at.form and not at.button and not at.selectbox
    assert "Schein" not in visible_text(at)
