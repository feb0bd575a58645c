"""The literature library: the reading list kept by facilitators, each participant's own references
(private), RIS/BibTeX import with duplicates skipped, and citing from a note. SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledpro_journal.models import DocumentKind, Role
from ledpro_journal.services import journal, literature
from ledpro_journal.services.errors import Invalid, NotAllowed, NotFound
from tests.helpers import make_member

BION = {"authors": [{"family": "Bion", "given": "Wilfred R."}], "year": "1961",
        "title": "Experiences in groups and other papers", "publisher": "Tavistock"}
RIS = (Path(__file__).parents[1] / "references" / "fixtures" / "two_references.ris").read_bytes()


@pytest.fixture
def kari(session, admin, cohort):
    return make_member(session, admin, cohort.id, "kari")


@pytest.fixture
def ola(session, admin, cohort):
    return make_member(session, admin, cohort.id, "ola")


@pytest.fixture
def fac(session, admin, cohort):
    return make_member(session, admin, cohort.id, "fagrid", role=Role.FACILITATOR)


def note_of(session, who):
    note = journal.create_document(who, session=session, kind=DocumentKind.NOTE)
    journal.save_document(who, session=session, document_id=note.id, base_version=0, fields={"title": "Notat"})
    session.commit()
    return note


def test_own_references_are_private_and_the_reading_list_is_shared(session, kari, ola, fac, cohort, admin):
    own = literature.add_reference(kari, session=session, kind="book", data=BION)
    listed = literature.add_reference(fac, session=session, kind="book", reading_list_of=cohort.id,
                                      data={**BION, "title": "Pensumbok"})
    session.commit()
    karis = literature.library(kari, session=session)
    assert [r.id for r in karis.own] == [own.id] and [r.id for r in karis.reading_list] == [listed.id]
    olas = literature.library(ola, session=session)
    assert olas.own == [] and [r.id for r in olas.reading_list] == [listed.id]
    assert [r.id for r in literature.library(fac, session=session, cohort_id=cohort.id).reading_list] == [listed.id]
    assert all(r.id != own.id for r in literature.library(fac, session=session, cohort_id=cohort.id).all)
    with pytest.raises(NotFound):
        literature.get_reference(ola, session=session, reference_id=own.id)
    with pytest.raises(NotFound):
        literature.get_reference(admin, session=session, reference_id=listed.id)


def test_only_facilitators_change_the_reading_list(session, kari, fac, cohort):
    listed = literature.add_reference(fac, session=session, kind="book", reading_list_of=cohort.id, data=BION)
    session.commit()
    with pytest.raises(NotAllowed):
        literature.update_reference(kari, session=session, reference_id=listed.id, kind="book", data=BION)
    with pytest.raises(NotAllowed):
        literature.add_reference(kari, session=session, kind="book", data=BION, reading_list_of=cohort.id)
    changed = literature.update_reference(fac, session=session, reference_id=listed.id, kind="book",
                                          data={**BION, "year": "1962"})
    assert changed.data["year"] == "1962"


def test_a_reference_with_problems_is_refused_with_a_message_per_field(session, kari):
    with pytest.raises(Invalid) as excinfo:
        literature.add_reference(kari, session=session, kind="book", data={"year": "nitten"})
    assert "title" in excinfo.value.errors and "year" in excinfo.value.errors
    with pytest.raises(Invalid):
        literature.add_reference(kari, session=session, kind="poem", data=BION)


def test_import_adds_what_is_new_and_counts_duplicates(session, kari):
    first = literature.import_references(kari, session=session, filename="zotero.ris", content=RIS)
    session.commit()
    assert (first.added, first.duplicates) == (2, 0)
    again = literature.import_references(kari, session=session, filename="zotero.ris", content=RIS)
    assert (again.added, again.duplicates) == (0, 2)
    titles = {r.data["title"] for r in literature.library(kari, session=session).own}
    assert "What is action learning?" in titles


def test_a_file_that_is_not_a_reference_export_gets_a_message(session, kari):
    with pytest.raises(Invalid) as excinfo:
        literature.import_references(kari, session=session, filename="notat.ris", content=b"PK\x03\x04\x00\x00junk")
    key = excinfo.value.errors["file"][0]
    assert key.startswith("literature.import.")


def test_a_note_cites_own_and_reading_list_references_with_a_page(session, kari, ola, fac, cohort):
    own = literature.add_reference(kari, session=session, kind="book", data=BION)
    listed = literature.add_reference(fac, session=session, kind="book", reading_list_of=cohort.id,
                                      data={**BION, "title": "Pensumbok"})
    olas = literature.add_reference(ola, session=session, kind="book", data={**BION, "title": "Olas bok"})
    note = note_of(session, kari)
    literature.set_citations(kari, session=session, note_id=note.id, cited=[(own.id, "45"), (listed.id, "")])
    session.commit()
    cited = {c.reference.id: c.pages for c in literature.citations(kari, session=session, note_id=note.id)}
    assert cited == {own.id: "45", listed.id: ""}
    with pytest.raises(Invalid):
        literature.set_citations(kari, session=session, note_id=note.id, cited=[(olas.id, "")])
    with pytest.raises(NotFound):
        literature.set_citations(ola, session=session, note_id=note.id, cited=[(olas.id, "")])


def test_taking_a_cited_entry_off_the_reading_list_leaves_a_copy_with_the_citing_participant(
        session, kari, fac, cohort):
    listed = literature.add_reference(fac, session=session, kind="book", reading_list_of=cohort.id, data=BION)
    note = note_of(session, kari)
    literature.set_citations(kari, session=session, note_id=note.id, cited=[(listed.id, "12")])
    session.commit()
    literature.delete_reference(fac, session=session, reference_id=listed.id)
    session.commit()
    [citation] = literature.citations(kari, session=session, note_id=note.id)
    assert citation.pages == "12" and citation.reference.owner_id == kari.id
    assert citation.reference.data["title"] == BION["title"]
    assert literature.library(kari, session=session).reading_list == []


def test_deleting_ones_own_cited_reference_says_how_often_it_is_cited_and_removes_the_citations(session, kari):
    own = literature.add_reference(kari, session=session, kind="book", data=BION)
    note = note_of(session, kari)
    literature.set_citations(kari, session=session, note_id=note.id, cited=[(own.id, "")])
    session.commit()
    assert literature.times_cited(kari, session=session, reference_id=own.id) == 1
    literature.delete_reference(kari, session=session, reference_id=own.id)
    session.commit()
    assert literature.citations(kari, session=session, note_id=note.id) == []


def test_control_characters_typed_or_imported_into_a_reference_are_left_out(session, kari):
    added = literature.add_reference(kari, session=session, kind="book",
                                     data={**BION, "title": "Experiences\x00 in groups", "publisher": "Tavi\x01stock"})
    session.commit()
    assert added.data["title"] == "Experiences in groups" and added.data["publisher"] == "Tavistock"
    ris = "TY  - BOOK\r\nAU  - Bion, W.\x00 R.\r\nPY  - 1961\r\nTI  - Groups\x00 again\r\nPB  - Tavistock\r\nER  - \r\n"
    summary = literature.import_references(kari, session=session, filename="endnote.ris",
                                           content=ris.encode("utf-16"))
    session.commit()
    assert summary.added == 1
    assert {r.data["title"] for r in literature.library(kari, session=session).own} >= {"Groups again"}
