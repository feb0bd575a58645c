"""Min konto's Mine data: Last ned alt mitt (steps shown while it is built, then a dated zip to download)
and Importer fra en eksport (only while the account is empty and its cohort open; what was imported and what
found no match is shown; a bad file is refused under the field and nothing is written). Participants only."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from sqlmodel import func, select
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ledpro_journal.i18n import format_date, today_in_oslo
from ledpro_journal.models import Document, DocumentKind
from ledpro_journal.services import data_export, data_import, programme
from tests.app.builders import click, en, nb, open_page, open_write, run, visible_text, write

PAGE = "pages/account.py"


@pytest.fixture
def handed_over(monkeypatch) -> list[tuple[bytes, str, str | None]]:
    """What the page gives the browser to download: (content, mime type, file name) per file."""
    files = []
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            files.append((path_or_data, mimetype, filename))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


def _export_of(dbs, user) -> bytes:
    return data_export.build_export(user, session=dbs).content


def _documents(fresh, user) -> int:
    with fresh() as session:
        return session.exec(select(func.count()).select_from(Document).where(Document.owner_id == user.id)
                            .where(Document.version > 0)).one()


def test_a_participant_downloads_everything_as_a_dated_zip(writers, browser, dbs, handed_over):
    write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Stillheten", "description": "Gruppa var taus."})
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    assert nb("my_data.title") in [s.value for s in at.subheader]
    assert not at.download_button or all(not b.label.startswith("Last ned ledpro") for b in at.download_button)

    click(at, nb("my_data.export.button"))
    [status] = at.status
    assert status.label == nb("my_data.export.ready")
    assert [m.value for m in status.markdown] == [nb(f"my_data.step.{step}") for step in data_export.STEPS]
    name = f"ledpro-pia-{today_in_oslo().isoformat()}.zip"
    assert nb("my_data.export.download", filename=name).replace("\\", "") in [
        b.label.replace("\\", "") for b in at.download_button]
    [(content, mime, filename)] = [f for f in handed_over if f[2] == name]
    assert mime == "application/zip"
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        data = json.loads(archive.read("ledpro-export.json"))
        assert "arkiv/index.html" in archive.namelist()
    assert [d["fields"]["title"] for d in data["documents"]] == ["Stillheten"]
    # An account with writing cannot import: it says why instead of offering the field.
    assert not at.get("file_uploader")
    assert nb("my_data.import.only_empty") in [c.value for c in at.caption]


def test_a_participant_of_a_closed_cohort_downloads_everything_as_the_banner_says(writers, browser, dbs, handed_over):
    write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Stillheten", "description": "Gruppa var taus."})
    programme.close_cohort(writers.admin, session=dbs, cohort_id=writers.cohort.id, deletion_on=date(2099, 6, 1))
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    assert nb("cohort.closed_banner", name=writers.cohort.name, date=format_date(date(2099, 6, 1), "nb")) in [
        w.value for w in at.warning]
    click(at, nb("my_data.export.button"))
    [status] = at.status
    assert status.label == nb("my_data.export.ready")
    assert not at.error
    name = f"ledpro-pia-{today_in_oslo().isoformat()}.zip"
    [(content, _, _)] = [f for f in handed_over if f[2] == name]
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        data = json.loads(archive.read("ledpro-export.json"))
    assert [d["fields"]["title"] for d in data["documents"]] == ["Stillheten"]
    # The import writes, and a closed cohort is read-only: it is not offered, not even to an empty account
    # (which an open cohort offers it to), and a line says why.
    assert not at.get("file_uploader")
    assert data_import.is_empty(writers.ola, session=dbs)
    browser.sign_in(writers.ola)
    at = open_page(PAGE)
    assert not at.get("file_uploader")
    assert nb("my_data.import.title") not in visible_text(at)
    assert nb("my_data.import.button") not in [b.label for b in at.button]
    assert nb("my_data.import.closed") in [c.value for c in at.caption]
    assert nb("my_data.import.only_empty") not in [c.value for c in at.caption]


def test_facilitators_and_administrators_have_no_journal_to_export(writers, frode, browser):
    for user in (frode, writers.admin):
        browser.sign_in(user)
        at = open_page(PAGE)
        assert nb("my_data.title") not in [s.value for s in at.subheader]
        assert nb("my_data.export.button") not in [b.label for b in at.button]


def test_import_into_an_empty_account_and_see_what_came_in(writers, browser, dbs, fresh):
    action = write(dbs, writers.pia, DocumentKind.ACTION, {"title": "Stille start"})
    write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Stillheten"})
    write(dbs, writers.pia, DocumentKind.LOG, {"observations": "Stille."}, parent_id=action.id)
    content = _export_of(dbs, writers.pia)
    browser.sign_in(writers.ola)
    at = open_page(PAGE)
    assert nb("my_data.import.title") in visible_text(at)
    [uploader] = at.get("file_uploader")
    assert uploader.label == nb("my_data.import.file")
    assert uploader.proto.max_upload_size_mb == 10
    assert nb("upload.limits", size=10, types=".zip") in [c.value for c in at.caption]
    assert [b.disabled for b in at.button if b.label == nb("my_data.import.button")] == [True]

    uploader.upload("ledpro-pia.zip", content, "application/zip")
    run(at)
    click(at, nb("my_data.import.button"))
    assert [s.value for s in at.success] == [nb("my_data.import.done", challenge=0, actions=1, logs=1, notes=1,
                                                  revisions=3, references=0)]
    assert nb("my_data.import.all_matched") in [c.value for c in at.caption]
    assert _documents(fresh, writers.ola) == 3
    # The account is no longer empty: no second import is offered.
    assert not at.get("file_uploader")


def test_what_found_no_match_is_named(writers, browser, dbs, fresh):
    write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Fra et annet kull"})
    members = {}
    with zipfile.ZipFile(io.BytesIO(_export_of(dbs, writers.pia))) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    data = json.loads(members["ledpro-export.json"])
    data["documents"][0]["gathering"] = 9
    data["documents"][0]["themes"] = ["Et *tema* fra før"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, raw in {**members, "ledpro-export.json": json.dumps(data).encode()}.items():
            archive.writestr(name, raw)
    browser.sign_in(writers.ola)
    at = open_page(PAGE)
    at.get("file_uploader")[0].upload("eksport.zip", out.getvalue(), "application/zip")
    run(at)
    click(at, nb("my_data.import.button"))
    [warning] = at.warning
    assert nb("my_data.import.unmatched") in warning.value
    assert nb("my_data.import.unmatched_gathering", number=9, count=1) in warning.value
    assert nb("my_data.import.unmatched_theme", name="Et \\*tema\\* fra før", count=1) in warning.value
    assert _documents(fresh, writers.ola) == 1
    # Kept on the note: its page says it came from an import, and what was not found here.
    with fresh() as session:
        note_id = session.exec(select(Document.id).where(Document.owner_id == writers.ola.id)
                               .where(Document.version > 0)).one()
    open_write(at, note_id)
    theme = nb("journal.unmatched_theme", name="Et \\*tema\\* fra før")
    what = "; ".join([nb("journal.unmatched_gathering", number=9), nb("journal.unmatched_themes", names=theme)])
    assert nb("journal.unmatched", what=what) in [c.value for c in at.caption]


@pytest.mark.parametrize(("content", "key", "params"), [
    (b"ikke en zip", "my_data.import.not_zip", {}),
    ("traversal", "my_data.import.unsafe_path", {}),
    ("foreign", "my_data.import.foreign", {}),
])
def test_a_bad_file_is_refused_under_the_field_and_nothing_is_written(writers, browser, fresh, content, key, params):
    if content == "traversal":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("../../ledpro-export.json", "{}")
        content = out.getvalue()
    elif content == "foreign":
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("ledpro-export.json", json.dumps({"format": "noe annet"}))
        content = out.getvalue()
    browser.sign_in(writers.ola)
    at = open_page(PAGE)
    at.get("file_uploader")[0].upload("fil.zip", content, "application/zip")
    run(at)
    click(at, nb("my_data.import.button"))
    assert [e.value for e in at.error] == [nb(key, **params)]
    assert _documents(fresh, writers.ola) == 0
    assert at.get("file_uploader")  # still empty: the field is still there


def test_in_english(writers, browser, dbs):
    dbs.refresh(writers.pia)
    writers.pia.language = "en"
    dbs.add(writers.pia)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    assert en("my_data.title") in [s.value for s in at.subheader]
    assert en("my_data.export.button") in [b.label for b in at.button]
    assert en("my_data.import.title") in visible_text(at)
