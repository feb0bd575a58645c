"""Skriv (?id=N): one's own documents open in the editor; anything else says "not found" and shows
nothing of the document."""

from __future__ import annotations

import pytest
from sqlmodel import select

from ledpro_journal.models import Document, DocumentKind
from ledpro_journal.services import journal
from tests.app.conftest import (
    field,
    htmls,
    labelled,
    nb,
    open_page,
    open_write,
    page_links,
    run,
    titles,
    visible_text,
    write,
)


def assert_not_found(at, *secrets: str) -> None:
    assert [w.value for w in at.warning] == [nb("error.not_found")]
    assert titles(at) == []
    assert not at.text_area and not at.text_input and not at.selectbox and not at.button and not at.expander
    assert page_links(at) == [(nb("nav.notes"), "")]
    text = visible_text(at) + "\n".join(htmls(at))
    for secret in secrets:
        assert secret not in text


def test_own_note_opens_in_the_editor(writers, browser, dbs):
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Mitt notat", "description": "Det som skjedde"})
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    assert titles(at) == [nb("journal.kind.note")]
    assert page_links(at) == [(nb("journal.back_to_notes"), "")]
    assert field(at, nb("tpl.field.title")).value == "Mitt notat"
    assert field(at, nb("tpl.D1.description")).value == "Det som skjedde"


def test_another_participants_document_is_not_found(writers, browser, dbs, fresh):
    secret = write(dbs, writers.ola, DocumentKind.NOTE, {"title": "Olas tittel", "description": "Olas private tekst"})
    journal.save_draft(writers.ola, session=dbs, document_id=secret.id, field="feelings", text="Olas utkast",
                       base_version=1)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), secret.id)
    assert_not_found(at, "Olas tittel", "Olas private tekst", "Olas utkast")
    # Nothing changed or created.
    assert fresh().get(Document, secret.id).version == 1
    assert fresh().exec(select(Document).where(Document.owner_id == writers.pia.id)).all() == []


@pytest.mark.parametrize("value", ["abc", "", "1.5", "-", "9999"])
def test_an_id_that_is_not_a_number_or_not_there_is_not_found(writers, browser, dbs, value):
    write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Mitt notat"})
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), value)
    assert_not_found(at, "Mitt notat")


def test_a_deleted_document_is_not_found(writers, browser, dbs):
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Slettet notat"})
    journal.delete_document(writers.pia, session=dbs, document_id=note.id)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    assert_not_found(at, "Slettet notat")


def test_write_page_without_id_is_not_found(writers, browser):
    browser.sign_in(writers.pia)
    at = open_page("pages/home.py")
    at.switch_page("pages/write.py")
    run(at)
    assert_not_found(at)


def test_user_text_is_shown_as_written_and_never_as_markup(writers, browser, dbs):
    hostile = "<img src=x onerror=alert(1)> [lenke](https://evil.example) **fet**"
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": hostile, "description": hostile})
    journal.save_document(writers.pia, session=dbs, document_id=note.id, base_version=1,
                          fields={"description": "Ny tekst"})
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    assert field(at, nb("tpl.D1.description")).value == "Ny tekst"
    # The history shows version 1 escaped: no tag, no link.
    shown = "\n".join(htmls(at))
    assert "<img" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt; [lenke](https://evil.example) **fet**" in shown
    assert not any("<img" in m.value or "evil.example" in m.value for m in at.markdown)
    labelled(at.expander[0].selectbox, nb("journal.history_pick"))  # the history is there
