"""Text is kept exactly as typed: every character (control characters, NUL, tabs, CR LF, right-to-left
scripts, emoji, markup) comes back unchanged from the draft, the saved note and its history, on SQLite and
PostgreSQL alike. Lists and search only ever get a cleaned copy."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from ledpro_journal import db
from ledpro_journal.models import DocumentKind
from ledpro_journal.services import journal
from ledpro_journal.services.journal import Filters, count_words
from tests.helpers import make_admin, make_cohort, make_member
from tests.hostile_text import ANY_TEXT, EXAMPLES


def _people(session: Session):
    admin = make_admin(session)
    cohort = make_cohort(session, admin)
    return make_member(session, admin, cohort.id, "kari")


def _store_and_read_back(engine, kari, text: str, field: str = "description") -> None:
    """Draft, save, and read back in fresh sessions: what the next page load would see."""
    with Session(engine, expire_on_commit=False) as session:
        note = journal.create_document(kari, session=session, kind=DocumentKind.NOTE)
        journal.save_draft(kari, session=session, document_id=note.id, field=field, text=text, base_version=0)
        session.commit()
        note_id = note.id

    with Session(engine) as session:
        state = journal.drafts_for(kari, session=session, document_id=note_id)
        if text == "":
            assert state is None  # nothing typed that differs from the (empty) saved note
        else:
            assert state.texts == {field: text}
            assert state.base_version == 0

    with Session(engine, expire_on_commit=False) as session:
        journal.save_document(kari, session=session, document_id=note_id, base_version=0,
                              fields={field: text, "title": text})
        session.commit()

    with Session(engine) as session:
        document = journal.get_document(kari, session=session, document_id=note_id)
        expected = {field: text, "title": text} if text else {}
        assert document.fields == expected
        assert document.version == 1
        assert document.word_count == 2 * count_words(text)
        # The derived copies for lists are one clean line: no control characters, bounded length.
        assert len(document.title) <= 200 and len(document.excerpt) <= 300
        assert all(ch.isprintable() for ch in document.title + document.excerpt + document.search_text)
        revision = journal.get_revision(kari, session=session, document_id=note_id, version=1)
        assert revision.fields == expected
        assert journal.drafts_for(kari, session=session, document_id=note_id) is None

    # A second version and a restore of the first bring the very same text back.
    with Session(engine, expire_on_commit=False) as session:
        journal.save_document(kari, session=session, document_id=note_id, base_version=1,
                              fields={field: "annet", "title": "annet"})
        journal.restore_revision(kari, session=session, document_id=note_id, version=1, base_version=2)
        session.commit()
    with Session(engine) as session:
        assert journal.get_document(kari, session=session, document_id=note_id).fields == expected
        assert journal.get_revision(kari, session=session, document_id=note_id, version=3).fields == expected


@pytest.fixture
def text_engine(database_url):
    """One migrated engine per database kind; hypothesis runs many examples against it."""
    engine = db.create_engine_for(database_url)
    db.migrate(engine)
    yield engine
    engine.dispose()


def test_any_text_comes_back_exactly(text_engine):
    with Session(text_engine, expire_on_commit=False) as session:
        kari = _people(session)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
    @given(text=ANY_TEXT, field=st.sampled_from(["description", "feelings", "free_text", "analysis"]))
    def roundtrip(text, field):
        _store_and_read_back(text_engine, kari, text, field)

    roundtrip()


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_examples_come_back_exactly(text_engine, name):
    with Session(text_engine, expire_on_commit=False) as session:
        kari = _people(session)
    _store_and_read_back(text_engine, kari, EXAMPLES[name])


def test_a_200000_character_note_is_kept_and_found(session):
    kari = _people(session)
    text = EXAMPLES["long_note"] + " sluttordet"
    assert len(text) > 200_000
    note = journal.create_document(kari, session=session, kind=DocumentKind.NOTE)
    journal.save_document(kari, session=session, document_id=note.id, base_version=0, fields={"description": text})
    session.commit()
    session.expire_all()
    assert journal.get_document(kari, session=session, document_id=note.id).fields["description"] == text
    rows, total = journal.find(kari, session=session, filters=Filters(query="SLUTTORDET"))
    assert total == 1 and rows[0].id == note.id
    assert len(rows[0].excerpt) <= 300
    # 5263 whole sentences of seven words, the first word of the next one, and the last word.
    assert rows[0].word_count == 5263 * 7 + 1 + 1


def test_markup_is_stored_as_text_not_interpreted(session):
    kari = _people(session)
    note = journal.create_document(kari, session=session, kind=DocumentKind.NOTE)
    fields = {"title": "<script>alert(1)</script> & co", "description": "![x](http://example.com/x.png)"}
    journal.save_document(kari, session=session, document_id=note.id, base_version=0, fields=fields)
    session.commit()
    session.expire_all()
    document = journal.get_document(kari, session=session, document_id=note.id)
    assert document.fields == fields
    assert document.title == "<script>alert(1)</script> & co"
    assert journal.find(kari, session=session, filters=Filters(query="<script>"))[1] == 1
    assert journal.find(kari, session=session, filters=Filters(query="&"))[1] == 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Hei på deg", 3),
        ("", 0),
        ("   \n\t", 0),
        ("👍 🎉 ❤️", 0),
        ("Bra 👍 møte", 2),
        ("Æsøy og Ørnulf gikk til Årnes", 6),
        ("kamp/flukt-hypotesen er Bions", 4),
        ("selvledelse, ikke-ledelse og ledelse.", 4),
        ("don't it's", 2),
        ("2024 var året", 3),
        ("مرحبا بالعالم", 2),
        ("שלום עולם", 2),
        ("Linje\r\nlinje\ttab", 3),
        ("&amp; <b>fet</b>", 4),
    ],
)
def test_count_words(text, words):
    assert count_words(text) == words
