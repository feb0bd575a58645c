"""Text of every kind survives Last ned alt mitt -> Importer fra en eksport exactly: control characters and
NUL (which the app keeps), lone surrogates (kept as the app stores them), 200,000 characters, HTML,
Markdown, right-to-left and combining characters; in the note, its versions, its unsaved text, the
reference it cites, the name list and the exam draft's title and problem statement. On SQLite and PostgreSQL."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from ledpro_journal import db
from ledpro_journal.models import DocumentKind
from ledpro_journal.services import data_export, data_import, exam, journal, literature, name_replacements
from tests.helpers import make_admin, make_cohort, make_member
from tests.services.my_data_world import export_json
from tests.services.test_text_exact import EXAMPLES

# Every character Python has, lone surrogates included: the drafts API takes "\ud800" from JSON, and the
# journal keeps it as it came.
EVERY_CHARACTER = st.text(alphabet=st.characters(exclude_categories=()), max_size=300)
HOSTILE = {
    **EXAMPLES,
    "lone_surrogates": "før \ud800 midt \udfff og \udbff\udbff etter",
    "long_mixed": ("Linje med <b>html</b> og **markdown** og مرحبا og e\u0301\u0302\n" * 4000)[:200_000],
}
_usernames = (f"deltaker{n}" for n in itertools.count(1))


@pytest.fixture
def text_engine(database_url):
    engine = db.create_engine_for(database_url)
    db.migrate(engine)
    yield engine
    engine.dispose()


def _round_trip(engine, admin, cohort_id: int, text: str) -> None:
    with Session(engine, expire_on_commit=False) as session:
        writer = make_member(session, admin, cohort_id, next(_usernames))
        note = journal.create_document(writer, session=session, kind=DocumentKind.NOTE)
        journal.save_document(writer, session=session, document_id=note.id, base_version=0,
                              fields={"title": text, "description": text})
        journal.save_document(writer, session=session, document_id=note.id, base_version=1,
                              fields={"analysis": text + "\n2", "description": ""})
        journal.save_draft(writer, session=session, document_id=note.id, field="conclusion", text=text,
                           base_version=2)
        # A reference's title and a name are kept in plain columns too (the sort key, the name list), which
        # take no NUL and no lone surrogate: ordinary characters of the text there.
        name = " ".join("".join(ch for ch in text if ch.isprintable() and not "\ud800" <= ch <= "\udfff").split())
        reference = literature.add_reference(writer, session=session, kind="book", data={
            "authors": [{"family": "Bion", "given": "W."}], "year": "1961", "title": "Bok " + name[:500],
            "publisher": "Tavistock"})
        literature.set_citations(writer, session=session, note_id=note.id, cited=[(reference.id, "")])
        if name:
            name_replacements.add_replacement(writer, session=session, name=name[:100], replacement="kollega A")
        # The exam draft's title and problem statement (JSON columns: the text as it came, trimmed at the ends).
        draft = exam.open_draft(writer, session=session, mode=exam.INDIVIDUAL)
        exam.update_settings(writer, session=session, draft_id=draft.id, title=text[:exam.MAX_TITLE_LENGTH],
                             problem_statement=text[:exam.MAX_PROBLEM_LENGTH], include_prompts=False,
                             word_limit=None)
        session.commit()
        before = data_export.build_export(writer, session=session).content
        reader = make_member(session, admin, cohort_id, next(_usernames))
        data_import.import_export(reader, session=session, content=before)
        session.commit()
    with Session(engine, expire_on_commit=False) as session:
        after = data_export.build_export(reader, session=session).content
    first, second = export_json(before), export_json(after)
    [document] = first["documents"]
    assert document["revisions"][0]["fields"] == ({"title": text, "description": text} if text else {})
    assert document["unsaved"] == ([{"field": "conclusion", "text": text, "base_version": 2,
                                     "saved_at": document["unsaved"][0]["saved_at"]}] if text else [])
    assert first["exam"]["individual"]["title"] == text[:exam.MAX_TITLE_LENGTH].strip()
    assert first["exam"]["individual"]["problem_statement"] == text[:exam.MAX_PROBLEM_LENGTH].strip()
    for key in ("documents", "references", "name_replacements", "exam"):
        assert second[key] == first[key], key


@pytest.fixture
def admin_and_cohort(text_engine):
    with Session(text_engine, expire_on_commit=False) as session:
        admin = make_admin(session)
        return admin, make_cohort(session, admin).id


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_text_comes_back_exactly(text_engine, admin_and_cohort, name):
    _round_trip(text_engine, *admin_and_cohort, HOSTILE[name])


def test_any_text_comes_back_exactly(text_engine, admin_and_cohort):
    @settings(max_examples=25, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(text=EVERY_CHARACTER)
    @example(text="\x00\ud800\u202e")
    def round_trip(text):
        _round_trip(text_engine, *admin_and_cohort, text)

    round_trip()
