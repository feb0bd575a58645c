"""Papirkurv: deleting from the editor moves to the bin, which says when it goes for good; restoring
brings it back (an action takes its log entries along)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from ledpro_journal.i18n import format_date
from ledpro_journal.models import Document, DocumentKind
from ledpro_journal.services import journal
from tests.app.builders import (
    click,
    errors,
    nb,
    open_page,
    open_write,
    page_links,
    run,
    titles,
    toasts,
    write,
)


def bin_rows(at) -> list[str]:
    return [m.value for m in at.main.markdown if m.value.startswith("**")]


def test_empty_bin(writers, browser):
    browser.sign_in(writers.pia)
    at = open_page("pages/bin.py")
    assert titles(at) == [nb("nav.bin")]
    assert [c.value for c in at.main.caption] == [nb("journal.bin_lead", count=30)]
    assert [i.value for i in at.info] == [nb("journal.bin_empty")]


def test_delete_a_note_and_get_it_back(writers, browser, dbs, fresh):
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Til kurven", "description": "Tekst"})
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    click(at, nb("journal.delete"))

    deleted = fresh().get(Document, note.id)
    assert deleted.deleted_at is not None
    # Back on the notes list, with the confirmation; the note is no longer listed.
    assert titles(at) == [nb("nav.notes")]
    assert toasts(at) == [nb("journal.moved_to_bin")]
    assert not [label for label, query in page_links(at) if query]

    at.switch_page("pages/bin.py")
    run(at)
    assert bin_rows(at) == [f"**{nb('journal.kind.note')}:** Til kurven"]
    gone = format_date(deleted.deleted_at + timedelta(days=journal.BIN_DAYS), "nb")
    assert nb("journal.bin_until", date=gone) in [c.value for c in at.caption]

    click(at, nb("journal.restore"))
    assert fresh().get(Document, note.id).deleted_at is None
    assert toasts(at) == [nb("journal.restored_from_bin", title="Til kurven")]
    assert [i.value for i in at.info] == [nb("journal.bin_empty")]
    at.switch_page("pages/notes.py")
    run(at)
    assert ("Til kurven", f"id={note.id}") in page_links(at)


def test_an_action_goes_to_the_bin_with_its_log_and_the_log_waits_for_it(writers, browser, dbs, fresh):
    action = write(dbs, writers.pia, DocumentKind.ACTION, {"title": "Aksjonen"})
    log = write(dbs, writers.pia, DocumentKind.LOG, {"title": "Loggen"}, parent_id=action.id)
    write(dbs, writers.ola, DocumentKind.NOTE, {"title": "Olas slettede"})
    ola_note = dbs.exec(select(Document.id).where(Document.owner_id == writers.ola.id)).one()
    journal.delete_document(writers.ola, session=dbs, document_id=ola_note)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), action.id)
    click(at, nb("journal.delete"))
    assert titles(at) == [nb("nav.actions")]
    assert fresh().get(Document, log.id).deleted_at is not None

    at.switch_page("pages/bin.py")
    run(at)
    rows = bin_rows(at)
    assert sorted(rows) == sorted([f"**{nb('journal.kind.action')}:** Aksjonen",
                                   f"**{nb('journal.kind.log')}:** Loggen"])
    assert "Olas slettede" not in "\n".join(rows)

    # The log entry cannot come back before its action.
    log_button = [b for b in at.button if b.key == f"restore-{log.id}"][0]
    log_button.click()
    run(at)
    assert errors(at) == [nb("journal.restore_action_first")]
    assert fresh().get(Document, log.id).deleted_at is not None

    [b for b in at.button if b.key == f"restore-{action.id}"][0].click()
    run(at)
    assert fresh().get(Document, action.id).deleted_at is None
    assert fresh().get(Document, log.id).deleted_at is None
    assert toasts(at) == [nb("journal.restored_from_bin", title="Aksjonen")]
    assert [i.value for i in at.info] == [nb("journal.bin_empty")]
