"""Navn og anonymisering: the participant's list of name replacements on its own page (see, add, change,
remove; nobody else's list); no access for facilitators and administrators. The share panel filling in and
remembering them is tested in test_write.py, the exam page's offer to use them in test_exam.py."""

from __future__ import annotations

import pytest

from ledpro_journal.models import Role
from tests.app.builders import (
    error_after,
    form,
    labelled,
    nb,
    open_page,
    page_app,
    registered_pages,
    remember,
    run,
    stored,
    titles,
    toasts,
    visible_text,
)
from tests.helpers import make_member

PAGE = "pages/names.py"
NAME, REPLACEMENT, ADD = nb("names.name"), nb("names.replacement"), nb("names.add")


def row_input(at, name: str):
    return labelled(at.text_input, nb("names.replace_with", name=name))


# --- the page -------------------------------------------------------------------------------------------------


def test_the_page_lists_adds_changes_and_removes_names_and_shows_no_one_elses(writers, browser, dbs, fresh):
    kari = remember(dbs, writers.pia, "Kari", "kollega A")
    remember(dbs, writers.ola, "Hemmeligsen", "rolle X")
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    assert PAGE in registered_pages(at)
    assert titles(at) == [nb("nav.names")]
    assert nb("names.lead") in [c.value for c in at.caption]
    assert [s.value for s in at.subheader] == [nb("names.list_title", count=1)]
    assert "**Kari**" in [m.value for m in at.markdown]
    assert row_input(at, "Kari").value == "kollega A"
    assert "Hemmeligsen" not in visible_text(at) and "rolle X" not in visible_text(at)

    # Adding: the name and its role, and the form is empty for the next one.
    adding = form(at, "names-add-0")
    labelled(adding.text_input, NAME).input("Ole  Martin")
    labelled(adding.text_input, REPLACEMENT).input("leder B")
    labelled(adding.button, ADD).click()
    run(at)
    assert toasts(at) == [nb("names.added", name="Ole Martin", replacement="leder B")]
    assert stored(fresh, writers.pia) == [("Kari", "kollega A"), ("Ole Martin", "leder B")]
    adding = form(at, "names-add-1")
    assert [t.value for t in adding.text_input] == ["", ""]
    assert [s.value for s in at.subheader] == [nb("names.list_title", count=2)]
    assert row_input(at, "Ole Martin").value == "leder B"

    # Changing one.
    row_input(at, "Kari").input("rådgiver C")
    at.button(key=f"names-save-{kari.id}").click()
    run(at)
    assert toasts(at) == [nb("names.saved", name="Kari", replacement="rådgiver C")]
    assert stored(fresh, writers.pia) == [("Kari", "rådgiver C"), ("Ole Martin", "leder B")]

    # Removing one.
    at.button(key=f"names-remove-{kari.id}").click()
    run(at)
    assert toasts(at) == [nb("names.removed", name="Kari")]
    assert stored(fresh, writers.pia) == [("Ole Martin", "leder B")]
    assert "**Kari**" not in [m.value for m in at.markdown]
    assert stored(fresh, writers.ola) == [("Hemmeligsen", "rolle X")]


def test_an_empty_list_says_where_names_come_from(writers, browser):
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    assert [i.value for i in at.info] == [nb("names.empty")]
    assert [s.value for s in at.subheader] == [nb("names.list_title", count=0)]


def test_a_name_without_a_replacement_is_refused_under_the_field_and_what_was_typed_stays(writers, browser, fresh,
                                                                                          dbs):
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    adding = form(at, "names-add-0")
    labelled(adding.text_input, NAME).input("Kari")
    labelled(adding.button, ADD).click()
    run(at)
    adding = form(at, "names-add-0")
    assert error_after(adding, REPLACEMENT) == nb("field.required")
    assert error_after(adding, NAME) is None
    assert labelled(adding.text_input, NAME).value == "Kari"
    assert toasts(at) == [] and stored(fresh, writers.pia) == []

    # An existing replacement emptied: refused under it, the stored one kept.
    row = remember(dbs, writers.pia, "Per", "kollega A")
    run(at)
    row_input(at, "Per").input("")
    at.button(key=f"names-save-{row.id}").click()
    run(at)
    assert nb("field.required") in [e.value for e in at.error]
    assert stored(fresh, writers.pia) == [("Per", "kollega A")]


@pytest.mark.parametrize("role", ["admin", "facilitator"])
def test_facilitators_and_administrators_have_no_access(writers, browser, dbs, role):
    remember(dbs, writers.pia, "Kari", "kollega A")
    user = writers.admin if role == "admin" else make_member(dbs, writers.admin, writers.cohort.id, "frode",
                                                              role=Role.FACILITATOR, name="Frode Faglærer")
    browser.sign_in(user)
    assert PAGE not in registered_pages(open_page("pages/home.py"))
    at = run(page_app(PAGE))
    assert titles(at) == [nb("error.no_access_title")]
    assert not at.form and not at.text_input and not at.button
    assert "Kari" not in visible_text(at) and "kollega A" not in visible_text(at)
