"""Importer fra en eksport refuses, with a clear message and without changing anything, a file that is too
large, not a zip, a zip bomb, a zip with paths out of its folder or links, an encrypted one, one without
ledpro-export.json, one whose JSON is broken, foreign, of another format version or wrong anywhere inside;
and it imports only into an empty account. Whatever fails, the account is as it was (one transaction)."""

from __future__ import annotations

import copy
import io
import json
import stat
import zipfile

import pytest
from argon2 import PasswordHasher
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import Session, func, select

from ledpro_journal import db
from ledpro_journal.config import get_settings
from ledpro_journal.models import Document, DocumentKind, NameReplacement, Reference
from ledpro_journal.services import accounts, data_export, data_import, journal
from ledpro_journal.services.errors import Conflict, Invalid
from tests.helpers import make_admin, make_cohort, make_member
from tests.services.my_data_world import people, unpack, year, zip_of


@pytest.fixture(scope="module")
def good_export(tmp_path_factory) -> bytes:
    """Kari's year exported once for the module (an export is the same whatever database it came from)."""
    engine = db.create_engine_for(f"sqlite:///{tmp_path_factory.mktemp('export') / 'year.db'}")
    db.migrate(engine)
    # The fast hashing of tests/conftest.py, which is function-scoped and so not yet in place here.
    hasher = accounts.password_hasher
    accounts.password_hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    try:
        with Session(engine, expire_on_commit=False) as session:
            world = people(session)
            year(session, world)
            content = data_export.build_export(world.kari, session=session).content
    finally:
        accounts.password_hasher = hasher
        engine.dispose()
    return content


@pytest.fixture
def export(session, good_export):
    """The export, and an installation with the same programme and Nina's empty account in it."""
    admin = make_admin(session)
    cohort = make_cohort(session, admin)
    newcomer = make_member(session, admin, cohort.id, "nykommer", name="Nina Nykommer")
    return admin, good_export, newcomer


def _nothing_written(session, user) -> None:
    session.rollback()
    assert session.exec(select(func.count()).select_from(Document).where(Document.owner_id == user.id)
                        .where(Document.version > 0)).one() == 0
    assert session.exec(select(func.count()).select_from(Reference).where(Reference.owner_id == user.id)).one() == 0
    assert session.exec(select(func.count()).select_from(NameReplacement)
                        .where(NameReplacement.owner_id == user.id)).one() == 0


def _refused(session, user, content: bytes, key: str) -> Invalid:
    with pytest.raises(Invalid) as raised:
        data_import.import_export(user, session=session, content=content)
    assert raised.value.errors["file"][0] == key, raised.value.errors
    _nothing_written(session, user)
    return raised.value


def _with_json(content: bytes, change) -> bytes:
    members = unpack(content)
    data = json.loads(members["ledpro-export.json"])
    changed = change(data)
    members["ledpro-export.json"] = json.dumps(data if changed is None else changed)
    return zip_of(members)


@pytest.fixture
def limits(monkeypatch):
    def set_limits(**values):
        for name, value in values.items():
            monkeypatch.setenv(f"LEDPRO_{name.upper()}", str(value))
        get_settings.cache_clear()

    yield set_limits
    get_settings.cache_clear()


def test_a_good_export_is_imported_into_an_empty_account(session, export):
    _, content, newcomer = export
    journal.my_challenge(newcomer, session=session)  # the start page made an empty challenge: still empty
    result = data_import.import_export(newcomer, session=session, content=content)
    session.commit()
    assert result.counts["note"] == 3
    challenges = session.exec(select(Document).where(Document.owner_id == newcomer.id)
                              .where(Document.kind == DocumentKind.CHALLENGE)).all()
    assert [c.fields["title"] for c in challenges] == ["Møtekultur"]


def test_too_large(session, export, limits):
    _, content, newcomer = export
    limits(import_max_mb=1)
    _refused(session, newcomer, content + b"\0" * (1024 * 1024), "my_data.import.too_large")


@pytest.mark.parametrize("content", [b"", b"hello", b"PK\x03\x04broken", "half"])
def test_not_a_zip(session, export, content):
    _, good, newcomer = export
    if content == "half":
        content = good[: len(good) // 2]
    _refused(session, newcomer, content, "my_data.import.not_zip")


def test_a_zip_bomb_by_ratio(session, export):
    _, _, newcomer = export
    bomb = zip_of({"ledpro-export.json": b"{}", "arkiv/zeros.html": b"\0" * (60 * 1024 * 1024)})
    assert len(bomb) < 100 * 1024
    _refused(session, newcomer, bomb, "my_data.import.bomb")


def test_a_zip_bomb_by_total_size(session, export, limits):
    _, content, newcomer = export
    limits(import_max_unpacked_mb=1)
    members = unpack(content)
    members["arkiv/big.html"] = bytes(range(256)) * 8192  # 2 MB that do not pack well: no ratio alarm
    _refused(session, newcomer, zip_of(members), "my_data.import.bomb")


def test_too_many_members(session, export, monkeypatch):
    _, content, newcomer = export
    monkeypatch.setattr(data_import, "MAX_MEMBERS", 5)
    _refused(session, newcomer, content, "my_data.import.bomb")


@pytest.mark.parametrize("name", ["../ledpro-export.json", "/etc/passwd", "arkiv/../../x.html", "C:/x.html",
                                  "..\\x.html", "arkiv\\..\\..\\x.html", "c:x.html"])
def test_paths_out_of_the_folder(session, export, name):
    _, content, newcomer = export
    members = unpack(content)
    members[name] = b"x"
    _refused(session, newcomer, zip_of(members), "my_data.import.unsafe_path")


def test_a_symbolic_link(session, export):
    _, content, newcomer = export
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in unpack(content).items():
            archive.writestr(name, data)
        link = zipfile.ZipInfo("arkiv/lenke.html")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(link, "/etc/passwd")
    _refused(session, newcomer, out.getvalue(), "my_data.import.unsafe_path")


def test_an_encrypted_member(session, export):
    _, content, newcomer = export
    # zipfile writes no encrypted members: set the "encrypted" bit in the local and the central header.
    raw = bytearray(zip_of({"ledpro-export.json": unpack(content)["ledpro-export.json"]}))
    raw[6] |= 0x1
    central = raw.index(b"PK\x01\x02")
    raw[central + 8] |= 0x1
    _refused(session, newcomer, bytes(raw), "my_data.import.encrypted")


def test_no_export_in_the_zip(session, export):
    _, content, newcomer = export
    members = unpack(content)
    del members["ledpro-export.json"]
    _refused(session, newcomer, zip_of(members), "my_data.import.no_export")
    _refused(session, newcomer, zip_of({"arkiv/ledpro-export.json": members["notater.csv"]}),
             "my_data.import.no_export")


@pytest.mark.parametrize("raw", [b"{not json", b"\xff\xfe{}", b'{"format": NaN}', b"[" * 100_000])
def test_not_json(session, export, raw):
    _, _, newcomer = export
    _refused(session, newcomer, zip_of({"ledpro-export.json": raw}), "my_data.import.not_json")


@pytest.mark.parametrize("data", [[], {}, {"format": "other-app"}, "ledpro-export"])
def test_foreign(session, export, data):
    _, _, newcomer = export
    _refused(session, newcomer, zip_of({"ledpro-export.json": json.dumps(data)}), "my_data.import.foreign")


@pytest.mark.parametrize("version", [2, 0, "1", True, 1.0, None])
def test_another_format_version(session, export, version):
    _, content, newcomer = export

    def change(data):
        data["format_version"] = version

    refused = _refused(session, newcomer, _with_json(content, change), "my_data.import.unknown_version")
    assert refused.errors["file"][1] == {"supported": 1}


def _set(path):
    """A change at a path into the JSON: ("documents", 4, "kind")."""

    def apply(value):
        def change(data):
            target = data
            for step in path[:-1]:
                target = target[step]
            target[path[-1]] = value

        return change

    return apply


BROKEN = {
    "kind": (_set(("documents", 4, "kind"))("diary"), "documents[4].kind"),
    "template_of_another_kind": (_set(("documents", 4, "template"))("A"), "documents[4].template"),
    "text_not_a_string": (_set(("documents", 4, "fields", "title"))(42), "documents[4].fields"),
    "unknown_field": (_set(("documents", 4, "fields", "<script>"))("x"), "documents[4].fields"),
    "too_long": (_set(("documents", 4, "fields", "description"))("x" * 1_000_001), "documents[4].fields"),
    "log_of_a_note": (_set(("documents", 2, "parent"))("d5"), "documents[2].parent"),
    "log_without_action": (_set(("documents", 2, "parent"))(None), "documents[2].parent"),
    "link_to_nowhere": (_set(("documents", 4, "actions"))(["d99"]), "documents[4].actions"),
    "citation_to_nowhere": (_set(("documents", 4, "citations"))([{"reference": "r9", "pages": ""}]),
                            "documents[4].citations"),
    "revision_ahead": (_set(("documents", 0, "version"))(1), "documents[0].revisions[1].version"),
    "bad_date": (_set(("documents", 1, "happened_on"))("2024-13-45"), "documents[1].happened_on"),
    "naive_time": (_set(("documents", 1, "created_at"))("2024-01-01T10:00:00"), "documents[1].created_at"),
    "bin_without_date": (_set(("documents", 5, "deleted_at"))(None), "documents[5].deleted_at"),
    "duplicate_ref": (_set(("documents", 1, "ref"))("d1"), "documents"),
    "version_as_float": (_set(("documents", 4, "version"))(3.0), "documents[4].version"),
    "status_unknown": (_set(("documents", 1, "status"))("finished"), "documents[1].status"),
    "exam_choice_to_nowhere": (_set(("exam", "individual", "choices"))([{"item": "d99", "on": True}]),
                               "exam.individual.choices[0].item"),
    "word_limit": (_set(("exam", "individual", "word_limit"))(-5), "exam.individual.word_limit"),
    "nul_in_name": (_set(("name_replacements", 0, "name"))("Per\x00"), "name_replacements[0].name"),
    "reference_kind": (_set(("references", 0, "kind"))("movie"), "references[0].kind"),
    "documents_not_a_list": (_set(("documents",))({}), "documents"),
    "missing_section": (lambda data: data.pop("references") and None, "$"),
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_an_export_wrong_inside_is_refused_whole(session, export, name):
    _, content, newcomer = export
    change, where = BROKEN[name]
    refused = _refused(session, newcomer, _with_json(content, change), "my_data.import.invalid")
    assert refused.errors["file"][1] == {"where": where}


def test_only_into_an_empty_account(session, export):
    _, content, newcomer = export
    data_import.import_export(newcomer, session=session, content=content)
    session.commit()
    with pytest.raises(Conflict) as raised:
        data_import.import_export(newcomer, session=session, content=content)
    assert raised.value.key == "my_data.import.not_empty"
    session.rollback()
    assert session.exec(select(func.count()).select_from(Document).where(Document.owner_id == newcomer.id)).one() == 7


def test_a_failure_while_writing_leaves_nothing(engine, good_export, monkeypatch):
    """Past every check, something fails half way (here: the exam draft): the unit of work the page runs
    the import in rolls back the documents already added."""
    content = good_export
    with Session(engine, expire_on_commit=False) as session:
        admin = make_admin(session)
        newcomer = make_member(session, admin, make_cohort(session, admin).id, "nykommer")

    def fail(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(data_import, "_import_exam", fail)
    with pytest.raises(RuntimeError), db.session_scope(engine) as session:
        data_import.import_export(newcomer, session=session, content=content)
    with Session(engine) as session:
        _nothing_written(session, newcomer)


def test_a_copy_of_the_same_export_is_not_changed_by_checking(good_export):
    """Checking reads the data and never alters it (the import works on what was checked)."""
    content = good_export
    data = json.loads(unpack(content)["ledpro-export.json"])
    before = copy.deepcopy(data)
    data_import.check(data)
    assert data == before


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _leaves(value, path=()):
    """Every place in the JSON: (path, value)."""
    yield path, value
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, (*path, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _leaves(inner, (*path, index))


def test_any_value_anywhere_is_refused_as_invalid_or_taken_never_a_crash(good_export):
    """Checking is total: whatever value stands at whatever place, the answer is the export or Invalid."""
    data = json.loads(unpack(good_export)["ledpro-export.json"])
    places = [path for path, _ in _leaves(data) if path]

    @settings(max_examples=200, deadline=None)
    @given(place=st.sampled_from(places), value=JSON_VALUES)
    def replace_one(place, value):
        changed = copy.deepcopy(data)
        target = changed
        for step in place[:-1]:
            target = target[step]
        target[place[-1]] = value
        try:
            data_import.check(changed)
        except Invalid as invalid:
            assert invalid.errors["file"][0] == "my_data.import.invalid"

    replace_one()
