"""Last ned alt mitt and Importer fra en eksport: the export holds the participant's whole year, validates
against the published schema, reads as a plain archive and as tables; and brought into an empty account
elsewhere (SQLite -> PostgreSQL -> SQLite) and exported again, it is the same, field by field, apart from
what is documented as not recreated (shares and comments, which involve other people)."""

from __future__ import annotations

import copy
import io
import json
import re
from datetime import date
from pathlib import Path

import jsonschema
import openpyxl
import pytest
from sqlmodel import Session, select

from ledpro_journal import db
from ledpro_journal.models import Document, DocumentKind
from ledpro_journal.services import data_export, data_import, journal, programme
from ledpro_journal.services.errors import NotAllowed
from tests.conftest import drop_postgres_database, make_postgres_database
from tests.helpers import make_member
from tests.services import my_data_world as world_
from tests.services.my_data_world import export_json, fresh_participant, people, unpack, year

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "docs" / "ledpro-export.schema.json").read_text(encoding="utf-8"))


def comparable(data: dict) -> dict:
    """An export as a re-import must reproduce it: without the moment of export and the account's own
    creation date, without shares and comments (not recreated), without exam choices of comments received
    (those comments are not recreated), and the reading list's entries without their dates (they are the
    cohort's entries there)."""
    data = copy.deepcopy(data)
    data.pop("exported_at")
    data["profile"].pop("created_at")
    data["shares"] = []
    data["comments_written"] = []
    if data["exam"]["individual"]:
        data["exam"]["individual"]["choices"] = [
            c for c in data["exam"]["individual"]["choices"] if c["item"].startswith("d")
        ]
    data["exam"]["group_choices"] = None
    for reference in data["references"]:
        if reference["list"] == "reading_list":
            reference.pop("created_at")
            reference.pop("updated_at")
    return data


def import_into_fresh(url: str, content: bytes) -> tuple[data_import.ImportResult, bytes]:
    engine = db.create_engine_for(url)
    db.migrate(engine)
    try:
        with Session(engine, expire_on_commit=False) as session:
            kari = fresh_participant(session)
            result = data_import.import_export(kari, session=session, content=content)
            session.commit()
        with Session(engine, expire_on_commit=False) as session:
            again = data_export.build_export(kari, session=session, lang="nb")
        return result, again.content
    finally:
        engine.dispose()


def test_round_trip_sqlite_to_postgresql_and_back(sqlite_url, tmp_path, postgres_admin_engine):
    engine = db.create_engine_for(sqlite_url)
    db.migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        world = people(session)
        year(session, world)
        first = data_export.build_export(world.kari, session=session, lang="nb").content
    engine.dispose()

    postgres = make_postgres_database(postgres_admin_engine)
    try:
        result, second = import_into_fresh(postgres, first)
    finally:
        db.dispose_engines()
        drop_postgres_database(postgres_admin_engine, postgres)
    assert result.counts == {"challenge": 1, "action": 1, "log": 2, "note": 3, "revisions": 10, "references": 1}
    assert result.all_matched
    assert (result.shares_not_recreated, result.comments_not_recreated) == (1, 4)
    _, third = import_into_fresh(f"sqlite:///{tmp_path / 'back.db'}", second)

    one, two, three = (comparable(export_json(c)) for c in (first, second, third))
    for key in one:
        assert two[key] == one[key], key
        assert three[key] == one[key], key
    # The comparison is not vacuous: the year is in it.
    assert [d["kind"] for d in one["documents"]] == ["challenge", "action", "log", "log", "note", "note", "note"]
    assert len(one["documents"][0]["revisions"]) == 2


@pytest.fixture
def kari_year(session):
    world = people(session)
    ids = year(session, world)
    return world, ids


def test_a_real_export_is_valid_against_the_published_schema(session, kari_year):
    world, _ = kari_year
    data = export_json(data_export.build_export(world.kari, session=session).content)
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
    example = json.loads((ROOT / "docs" / "ledpro-export.example.json").read_text(encoding="utf-8"))
    jsonschema.validate(example, SCHEMA, format_checker=jsonschema.FormatChecker())
    # ... and the schema does refuse what is not an export.
    broken = copy.deepcopy(data)
    broken["documents"][0]["kind"] = "diary"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_the_export_holds_the_year(session, kari_year):
    world, ids = kari_year
    data = export_json(data_export.build_export(world.kari, session=session).content)
    by_title = {d["fields"].get("title"): d for d in data["documents"]}
    note = by_title["Stillheten"]
    assert [r["fields"].get("title") for r in note["revisions"]] == ["Første utkast", "Stillheten", "Stillheten"]
    assert note["gathering"] == 1
    assert note["actions"] == [by_title["Stille start"]["ref"]]
    assert note["themes"] == sorted(["Grunnleggende organisasjonsforståelse",
                                     "Underliggende prosesser – spenning – motstand"])
    assert [c["pages"] for c in note["citations"]] in (["", "45"], ["45", ""])
    assert by_title["Kastet"]["in_bin"] and by_title["Kastet"]["deleted_at"]
    assert by_title["Halvferdig"]["unsaved"][0]["text"] == "Ikke lagret ennå"
    logs = [d for d in data["documents"] if d["kind"] == "log"]
    assert {log["parent"] for log in logs} == {by_title["Stille start"]["ref"]}
    assert data["name_replacements"] == [{"name": "Per", "replacement": "leder A"}]
    assert data["exam"]["individual"]["word_limit"] == 5000
    assert "password_hash" not in json.dumps(data["profile"]) and "argon2" not in json.dumps(data)


def test_the_archive_opens_anywhere_and_shows_text_as_written(session, kari_year):
    world, _ = kari_year
    hostile = "<script>alert(1)</script>\n  <img src=https://example.com/x.png> **fet** &amp;\nslutt"
    note = data_export.collect(world.kari, session=session)["documents"][4]
    journal.save_document(world.kari, session=session, document_id=_id_of(session, world.kari, "Stillheten"),
                          base_version=note["version"], fields={"analysis": hostile})
    files = unpack(data_export.build_export(world.kari, session=session, lang="nb").content)
    pages = {name: content.decode("utf-8") for name, content in files.items() if name.startswith("arkiv/")}
    assert "arkiv/index.html" in pages
    assert sum(1 for name in pages if "/notat-" in name) == 3
    assert sum(1 for name in pages if "/aksjon-" in name) == 1
    for name, page in pages.items():
        assert page.startswith("<!DOCTYPE html>") and '<html lang="nb">' in page, name
        assert 'name="viewport"' in page
        assert "<script" not in page.lower() and "<img" not in page.lower(), name
        # No element of the page points anywhere but at the archive's own pages.
        for target in re.findall(r"<[^<>]*\b(?:src|href|action)\s*=\s*\"?([^\" >]*)", page):
            assert re.fullmatch(r"(index|[a-z]+-[0-9]+)\.html", target), (name, target)
        assert "<link" not in page
    [stillheten] = [p for p in pages.values() if "<h1>Stillheten</h1>" in p]
    assert "white-space:pre-wrap" in stillheten
    assert ("&lt;script&gt;alert(1)&lt;/script&gt;\n  &lt;img src=https://example.com/x.png&gt; **fet** "
            "&amp;amp;\nslutt") in stillheten
    # Comments received, attributed by role; earlier versions; sources.
    assert world_.FROM_GROUP_MEMBER in stillheten and "Et gruppemedlem" in stillheten
    assert world_.FROM_FACILITATOR in stillheten and "Faglærer" in stillheten
    assert "Tidligere versjoner" in stillheten and "Første utkast" in stillheten
    assert "Bion, W. R. (1961). Experiences in groups and other papers. Tavistock." in stillheten
    index = pages["arkiv/index.html"]
    assert "i papirkurven" in index and "Kastet" in index
    assert world_.KARIS_COMMENT_ON_SIRI in index and "På et notat fra et gruppemedlem" in index
    [action] = [p for name, p in pages.items() if "/aksjon-" in name]
    assert "Det ble stille." in action and "Uro" in action  # its log entries


def _id_of(session, user, title: str) -> int:
    return session.exec(select(Document.id).where(Document.owner_id == user.id)
                        .where(Document.title == title)).one()


def test_the_tables_for_a_spreadsheet(session, kari_year):
    world, _ = kari_year
    formula = "=HYPERLINK(\"http://example.com\")"
    note_id = _id_of(session, world.kari, "Stillheten")
    journal.save_document(world.kari, session=session, document_id=note_id, base_version=3,
                          fields={"evaluation": formula + "\nlinje 2", "feelings": "kontroll\x01tegn"})
    files = unpack(data_export.build_export(world.kari, session=session, lang="nb").content)
    notes_csv = files["notater.csv"].decode("utf-8-sig")
    assert notes_csv.splitlines()[0].startswith("Nr.,Tittel,Mal,Samling")
    assert formula.replace('"', '""') + "\nlinje 2" in notes_csv
    assert "Stille start" in notes_csv  # the linked action, by title
    actions_csv = files["aksjoner.csv"].decode("utf-8-sig")
    assert "Stille start" in actions_csv and "Gjennomført" in actions_csv
    book = openpyxl.load_workbook(io.BytesIO(files["ledpro-tabeller.xlsx"]))
    assert book.sheetnames == ["Aksjoner", "Refleksjonsnotater"]
    values = [cell.value for row in book["Refleksjonsnotater"].iter_rows() for cell in row]
    assert formula + "\nlinje 2" in values  # text, not a formula
    assert "kontroll\ufffdtegn" in values
    assert all(cell.data_type != "f" for row in book["Refleksjonsnotater"].iter_rows() for cell in row)


@pytest.mark.parametrize("who", ["admin", "facilitator"])
def test_only_a_participant_has_a_journal_to_export(session, kari_year, who):
    world, _ = kari_year
    actor = world.admin if who == "admin" else world.frode
    with pytest.raises(NotAllowed):
        data_export.build_export(actor, session=session)


def test_progress_is_reported_step_by_step(session, kari_year):
    world, _ = kari_year
    steps = []
    data_export.build_export(world.kari, session=session, progress=steps.append)
    assert steps == list(data_export.STEPS)


def test_unmatched_gatherings_and_themes_are_listed_and_the_items_kept(session, kari_year):
    world, _ = kari_year
    content = data_export.build_export(world.kari, session=session).content
    admin = world.admin
    other = programme.create_cohort(admin, session=session, name="Annet kull", institution="", place="",
                                    from_ledpro_2024=False)
    programme.add_theme(admin, session=session, cohort_id=other.id, name="Grunnleggende organisasjonsforståelse")
    session.commit()
    newcomer = make_member(session, admin, other.id, "nykommer")
    result = data_import.import_export(newcomer, session=session, content=content)
    session.commit()
    assert result.unmatched_gatherings == {1: 1, 2: 1}
    assert result.unmatched_themes == {"Underliggende prosesser – spenning – motstand": 1}
    assert result.reading_list_kept_as_own == ["Organizational culture and leadership"]
    data = export_json(data_export.build_export(newcomer, session=session).content)
    note = next(d for d in data["documents"] if d["fields"].get("title") == "Stillheten")
    assert len(note["revisions"]) == 3 and len(note["citations"]) == 2
    assert {r["list"] for r in data["references"]} == {"own"}
    # Kept, not dropped: the gathering numbers and theme names with no match here are on the documents, and
    # go out again where they came from.
    original = export_json(content)
    links = [(d["ref"], d["gathering"], d["themes"]) for d in original["documents"]]
    assert [(d["ref"], d["gathering"], d["themes"]) for d in data["documents"]] == links
    assert (note["gathering"], note["themes"]) == (1, ["Grunnleggende organisasjonsforståelse",
                                                       "Underliggende prosesser – spenning – motstand"])
    stored = session.exec(select(Document).where(Document.owner_id == newcomer.id)
                          .where(Document.title == "Stillheten")).one()
    assert stored.gathering_id is None
    assert stored.unmatched_links == {"gathering": 1, "themes": ["Underliggende prosesser – spenning – motstand"]}
    # Brought back into a cohort of the original kind, everything finds its match again: the same documents.
    again = make_member(session, admin, world.cohort_id, "tilbake")
    data_import.import_export(again, session=session, content=data_export.build_export(newcomer, session=session)
                              .content)
    session.commit()
    back = export_json(data_export.build_export(again, session=session).content)
    assert [(d["ref"], d["gathering"], d["themes"]) for d in back["documents"]] == links
    assert session.exec(select(Document.unmatched_links).where(Document.owner_id == again.id)
                        .where(Document.unmatched_links.is_not(None))).all() == []


def test_what_the_writer_chooses_clears_what_found_no_match(session, kari_year):
    """The note page names what an import found no match for; choosing a gathering clears the gathering, and
    choosing themes the themes; saving without choosing keeps them."""
    world, _ = kari_year
    content = data_export.build_export(world.kari, session=session).content
    admin = world.admin
    other = programme.create_cohort(admin, session=session, name="Annet kull", institution="", place="",
                                    from_ledpro_2024=False)
    theme = programme.add_theme(admin, session=session, cohort_id=other.id,
                                name="Grunnleggende organisasjonsforståelse")
    session.commit()
    newcomer = make_member(session, admin, other.id, "nykommer")
    data_import.import_export(newcomer, session=session, content=content)
    session.commit()
    note = session.exec(select(Document).where(Document.owner_id == newcomer.id)
                        .where(Document.title == "Stillheten")).one()
    links = journal.note_links(newcomer, session=session, note_id=note.id)
    assert links.theme_ids == (theme.id,)
    saved = journal.save_document(newcomer, session=session, document_id=note.id, base_version=note.version,
                                  fields={"conclusion": "Mer"}, links=links)
    assert saved.unmatched_links == {"gathering": 1, "themes": ["Underliggende prosesser – spenning – motstand"]}
    gathering = programme.add_gathering(admin, session=session, cohort_id=other.id, number=3,
                                        start_date=date(2025, 1, 6), end_date=date(2025, 1, 8), place="Hamar")
    saved = journal.save_document(newcomer, session=session, document_id=note.id, base_version=saved.version,
                                  fields={}, gathering_id=gathering.id, links=links)
    assert saved.unmatched_links == {"themes": ["Underliggende prosesser – spenning – motstand"]}
    saved = journal.save_document(newcomer, session=session, document_id=note.id, base_version=saved.version,
                                  fields={}, gathering_id=gathering.id, links=journal.Links())
    assert saved.unmatched_links is None
    session.commit()
    exported = export_json(data_export.build_export(newcomer, session=session).content)
    [again] = [d for d in exported["documents"] if d["fields"].get("title") == "Stillheten"]
    assert (again["gathering"], again["themes"]) == (3, [])


def test_a_log_entry_of_an_action_never_saved_comes_with_its_action(session):
    world = people(session)
    action = journal.create_document(world.kari, session=session, kind=DocumentKind.ACTION)
    log = journal.create_document(world.kari, session=session, kind=DocumentKind.LOG, parent_id=action.id)
    journal.save_document(world.kari, session=session, document_id=log.id, base_version=0,
                          fields={"observations": "Skrevet før aksjonen ble lagret"})
    session.commit()
    content = data_export.build_export(world.kari, session=session).content
    data = export_json(content)
    assert [(d["kind"], d["version"], d["parent"]) for d in data["documents"]] == [("action", 0, None),
                                                                                  ("log", 1, "d1")]
    newcomer = make_member(session, world.admin, world.cohort_id, "nykommer")
    data_import.import_export(newcomer, session=session, content=content)
    session.commit()
    again = export_json(data_export.build_export(newcomer, session=session).content)
    assert again["documents"] == data["documents"]
