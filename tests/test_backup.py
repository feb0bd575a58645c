"""Backups for operators: `python -m ledpro_journal backup FILE` and `restore FILE` on SQLite, run as operators
run them (a subprocess with LEDPRO_DATABASE_URL), and pg_dump/pg_restore as the README gives them, against the
test PostgreSQL."""

from __future__ import annotations

import asyncio
import os
import shlex
import shutil
import sqlite3
import subprocess
import threading
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from ledpro_journal import backups, db
from ledpro_journal.models import AuthSession, Document, DocumentKind, LoginAttempt, User, utcnow
from ledpro_journal.services import journal
from ledpro_journal.services.errors import Conflict
from tests.conftest import drop_postgres_database, make_postgres_database
from tests.helpers import make_admin, make_cohort, make_member
from tests.test_cli import head_revision, run_cli
from tests.test_migrations import _a_participant_with_a_note, _ids_after_the_seeded_rows

FIRST_TEXT = "Gruppa var taus i ti minutter."


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


def journal_with_a_note(url: str, text: str = FIRST_TEXT, *, participants: int = 1) -> list[int]:
    """A migrated database with participants (kari, kari1, ...) each with one saved note; returns the note ids."""
    engine = db.create_engine_for(url)
    try:
        db.migrate(engine)
        with Session(engine, expire_on_commit=False) as session:
            admin = make_admin(session)
            cohort = make_cohort(session, admin)
            notes = []
            for number in range(participants):
                person = make_member(session, admin, cohort.id, "kari" if number == 0 else f"kari{number}")
                note = journal.create_document(person, session=session, kind=DocumentKind.NOTE)
                journal.save_document(person, session=session, document_id=note.id, base_version=0,
                                      fields={"title": "Stillheten", "free_text": text})
                notes.append(note.id)
            session.commit()
        return notes
    finally:
        engine.dispose()


def note_text(url: str, note_id: int) -> str:
    engine = db.create_engine_for(url)
    try:
        with Session(engine) as session:
            return session.get(Document, note_id).fields["free_text"]
    finally:
        engine.dispose()


def save_note(url: str, note_id: int, text: str) -> None:
    engine = db.create_engine_for(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            note = session.get(Document, note_id)
            owner = session.get(User, note.owner_id)
            journal.save_document(owner, session=session, document_id=note_id, base_version=note.version,
                                  fields={"free_text": text})
            session.commit()
    finally:
        engine.dispose()


def inconsistent_documents(path: Path) -> list[tuple[int, int, int]]:
    """Documents whose version is not their number of saved revisions (each save writes both at once)."""
    with sqlite3.connect(path) as connection:
        return connection.execute(
            "SELECT d.id, d.version, (SELECT count(*) FROM document_revisions r WHERE r.document_id = d.id)"
            " FROM documents d WHERE d.version != (SELECT count(*) FROM document_revisions r"
            " WHERE r.document_id = d.id)"
        ).fetchall()


def integrity(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return connection.execute("PRAGMA integrity_check").fetchone()[0]


def one_line_refusal(result: subprocess.CompletedProcess, expected: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr


def safety_copies(folder: Path) -> list[Path]:
    return sorted(folder.glob("*-before-restore-*"))


# --- SQLite: backup and restore -----------------------------------------------------------------------


def test_backup_and_restore_bring_the_journal_back_and_keep_a_safety_copy(tmp_path):
    live = tmp_path / "data" / "ledpro.db"
    url = url_of(live)
    (note_id,) = journal_with_a_note(url)
    backup_file = tmp_path / "backups" / "ledpro-mandag.db"
    backup_file.parent.mkdir()

    taken = run_cli(url, "backup", str(backup_file))
    assert taken.returncode == 0, taken.stderr
    assert f"Sikkerhetskopi skrevet til {backup_file}" in taken.stdout
    assert f"skjemarevisjon {head_revision()}" in taken.stdout
    assert "byte" in taken.stdout
    # One self-contained file (no -wal beside it), readable by its owner only: it holds everyone's journal.
    assert sorted(p.name for p in backup_file.parent.iterdir()) == ["ledpro-mandag.db"]
    assert backup_file.stat().st_mode & 0o077 == 0
    assert integrity(backup_file) == "ok"

    save_note(url, note_id, "Skrevet etter sikkerhetskopien.")
    restored = run_cli(url, "restore", str(backup_file))
    assert restored.returncode == 0, restored.stderr
    assert note_text(url, note_id) == FIRST_TEXT
    (safety,) = safety_copies(live.parent)
    assert str(safety) in restored.stdout
    assert note_text(url_of(safety), note_id) == "Skrevet etter sikkerhetskopien."
    assert f"databasen er nå på revisjon {head_revision()}" in restored.stdout

    # The restored journal works on from the version it holds.
    save_note(url, note_id, "Etter gjenopprettingen.")
    assert note_text(url, note_id) == "Etter gjenopprettingen."


def test_a_backup_is_not_written_over_unless_asked(tmp_path):
    url = url_of(tmp_path / "ledpro.db")
    journal_with_a_note(url)
    target = tmp_path / "kopi.db"
    target.write_bytes(b"noe annet")
    refused = run_cli(url, "backup", str(target))
    one_line_refusal(refused, f"{target} finnes allerede")
    assert target.read_bytes() == b"noe annet"
    forced = run_cli(url, "backup", str(target), "--force")
    assert forced.returncode == 0, forced.stderr
    assert integrity(target) == "ok"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []


def test_backup_refuses_a_target_it_cannot_write_and_a_missing_database(tmp_path):
    url = url_of(tmp_path / "ledpro.db")
    nowhere = run_cli(url, "backup", str(tmp_path / "ingen" / "mappe" / "kopi.db"))
    one_line_refusal(nowhere, "Fant ingen database")
    journal_with_a_note(url)
    one_line_refusal(run_cli(url, "backup", str(tmp_path / "ingen" / "kopi.db")), "Kan ikke skrive til")
    one_line_refusal(run_cli(url, "backup", str(tmp_path)), "Kan ikke skrive til")
    one_line_refusal(run_cli(url, "backup", str(tmp_path / "ledpro.db"), "--force"), "er selve databasen")


def test_copying_the_file_of_a_running_database_misses_what_the_backup_has(tmp_path):
    """Why the README says not to copy ledpro.db: while the app holds it open, recent commits are only in
    ledpro.db-wal."""
    live = tmp_path / "ledpro.db"
    url = url_of(live)
    engine = db.create_engine_for(url)
    try:
        db.migrate(engine)
        with engine.connect() as running_app:  # an open connection, as a running server has: no final checkpoint
            running_app.execute(sa.text("SELECT count(*) FROM users"))
            (note_id,) = journal_with_a_note(url)
            shutil.copy(live, tmp_path / "cp-kopi.db")
            backups.backup(url, tmp_path / "backup.db")
    finally:
        engine.dispose()
    with closing(sqlite3.connect(tmp_path / "cp-kopi.db")) as copied:
        tables = {row[0] for row in copied.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        notes = copied.execute("SELECT count(*) FROM documents").fetchone()[0] if "documents" in tables else 0
    assert notes == 0  # the tables, or at least the last commits, are still only in the -wal file
    assert note_text(url_of(tmp_path / "backup.db"), note_id) == FIRST_TEXT


# --- SQLite: what restore refuses ---------------------------------------------------------------------


def foreign_sqlite(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        connection.execute("INSERT INTO notes (text) VALUES ('handleliste')")
    return path


def other_alembic_app(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES ('0001')")
        connection.execute("CREATE TABLE users (id INTEGER PRIMARY KEY)")
    return path


@pytest.fixture
def live_journal(tmp_path):
    live = tmp_path / "data" / "ledpro.db"
    (note_id,) = journal_with_a_note(url_of(live))
    return live, note_id


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda folder: folder / "finnes-ikke.db", "finnes-ikke.db finnes ikke"),
        (lambda folder: folder, "er ikke en SQLite-database"),
        (lambda folder: (folder / "tilfeldig.db").write_bytes(os.urandom(8192)) and folder / "tilfeldig.db",
         "er ikke en SQLite-database"),
        (lambda folder: (folder / "tom.db").write_bytes(b"") or folder / "tom.db", "er ikke en SQLite-database"),
        (lambda folder: foreign_sqlite(folder / "handleliste.db"), "er en SQLite-database, men ikke fra LEDPRO"),
        (lambda folder: other_alembic_app(folder / "annen-app.db"), "er en SQLite-database, men ikke fra LEDPRO"),
    ],
    ids=["missing", "a folder", "random bytes", "empty", "foreign sqlite", "another alembic app"],
)
def test_restore_refuses_what_is_not_a_ledpro_backup_and_changes_nothing(tmp_path, live_journal, make, expected):
    live, note_id = live_journal
    folder = tmp_path / "filer"
    folder.mkdir()
    source = make(folder)
    refused = run_cli(url_of(live), "restore", str(source))
    one_line_refusal(refused, expected)
    assert len(refused.stderr.strip().splitlines()) == 1
    assert note_text(url_of(live), note_id) == FIRST_TEXT
    assert safety_copies(live.parent) == []


def test_restore_refuses_a_backup_from_a_newer_version(tmp_path, live_journal):
    live, note_id = live_journal
    future = tmp_path / "fra-framtida.db"
    backups.backup(url_of(live), future)
    with sqlite3.connect(future) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0042_from_the_future'")
    save_note(url_of(live), note_id, "Dagens tekst.")
    refused = run_cli(url_of(live), "restore", str(future))
    one_line_refusal(refused, "er fra en nyere versjon av LEDPRO Journal (skjemarevisjon 0042_from_the_future")
    assert f"til og med {head_revision()}" in refused.stderr
    assert note_text(url_of(live), note_id) == "Dagens tekst."
    assert safety_copies(live.parent) == []


def test_restore_refuses_a_damaged_backup(tmp_path, live_journal):
    live, note_id = live_journal
    damaged = tmp_path / "skadet.db"
    backups.backup(url_of(live), damaged)
    with closing(sqlite3.connect(damaged)) as connection:
        connection.execute("INSERT INTO login_attempts (username, address, attempted_at, succeeded)"
                           " VALUES ('kari', '10.0.0.1', '2024-01-01 00:00:00', 0)")
        connection.commit()
        # An index that no longer matches its table: what integrity_check exists to find.
        connection.execute("PRAGMA writable_schema = ON")
        connection.execute("UPDATE sqlite_master SET sql = replace(sql, '(username,', '(address,')"
                           " WHERE name = 'ix_login_attempts_username_at'")
        connection.commit()
    assert integrity(damaged) != "ok"
    refused = run_cli(url_of(live), "restore", str(damaged))
    one_line_refusal(refused, f"{damaged} besto ikke integritetskontrollen (row 1 missing from index")
    assert note_text(url_of(live), note_id) == FIRST_TEXT


def test_restore_into_a_place_it_cannot_write(tmp_path, live_journal):
    live, _note_id = live_journal
    good = tmp_path / "god.db"
    backups.backup(url_of(live), good)
    blocker = tmp_path / "en-fil"
    blocker.write_text("ikke en mappe")
    refused = run_cli(url_of(blocker / "ledpro.db"), "restore", str(good))
    one_line_refusal(refused, "Kan ikke skrive til")


# --- SQLite: an older backup is brought up to date ---------------------------------------------------------


def test_restoring_a_backup_from_an_older_release_migrates_it(tmp_path, live_journal):
    live, _note_id = live_journal
    old = tmp_path / "fra-0006.db"
    engine = db.create_engine_for(url_of(old))
    try:
        db.migrate(engine, "0006")
        with engine.begin() as connection:  # rows as the 0006 release wrote them, without today's models
            _a_participant_with_a_note(connection, "ola", "Møtet", "Per tok ordet.")
            connection.execute(sa.text("INSERT INTO installation (id, set_up_at) VALUES (1, '2024-01-01 00:00:00')"))
        _ids_after_the_seeded_rows(engine, "users")
    finally:
        engine.dispose()
    old_bytes = old.read_bytes()

    restored = run_cli(url_of(live), "restore", str(old))
    assert restored.returncode == 0, restored.stderr
    assert f"(skjemarevisjon 0006); databasen er nå på revisjon {head_revision()}" in restored.stdout
    assert old.read_bytes() == old_bytes  # the backup file itself is left as it was
    engine = db.create_engine_for(url_of(live))
    try:
        assert db.current_revision(engine) == head_revision()
        with Session(engine) as session:
            ola = session.get(User, 1)
            assert (ola.username, ola.email) == ("ola", None)  # users.email came with 0007
            assert journal.get_document(ola, session=session, document_id=1).fields["free_text"] == "Per tok ordet."
            assert session.exec(select(User.username)).all() == ["ola"]  # nothing of the journal that was there
    finally:
        engine.dispose()


# --- SQLite: a backup during a burst of saves ---------------------------------------------------------------


def test_a_backup_taken_during_a_burst_of_saves_restores_to_a_consistent_state(tmp_path):
    live = tmp_path / "ledpro.db"
    url = url_of(live)
    notes = journal_with_a_note(url, participants=4)
    engine = db.create_engine_for(url)
    stop = threading.Event()
    saved = [0] * len(notes)
    failures: list[BaseException] = []

    def keep_saving(index: int, note_id: int) -> None:
        try:
            while not stop.is_set():
                with Session(engine, expire_on_commit=False) as session:
                    note = session.get(Document, note_id)
                    owner = session.get(User, note.owner_id)
                    try:
                        journal.save_document(owner, session=session, document_id=note_id, base_version=note.version,
                                              fields={"free_text": f"Lagring {note.version + 1}. " * 200})
                        session.commit()
                        saved[index] += 1
                    except Conflict:
                        session.rollback()
        except BaseException as error:  # re-raised in the test's thread
            failures.append(error)

    writers = [threading.Thread(target=keep_saving, args=(i, note_id)) for i, note_id in enumerate(notes)]
    for writer in writers:
        writer.start()
    taken = []
    try:
        time.sleep(0.3)
        for number in range(5):
            taken.append(backups.backup(url, tmp_path / f"under-lagring-{number}.db"))
            time.sleep(0.1)
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=60)
        engine.dispose()
    assert failures == []
    assert min(saved) > 3, saved

    versions_at_end = sum(1 + count for count in saved)
    for backup in taken:
        assert integrity(backup.path) == "ok"
        assert inconsistent_documents(backup.path) == []
    with sqlite3.connect(taken[-1].path) as connection:
        versions_in_backup = connection.execute("SELECT sum(version) FROM documents").fetchone()[0]
    assert len(notes) < versions_in_backup < versions_at_end  # taken while the saves went on

    elsewhere = tmp_path / "gjenopprettet" / "ledpro.db"
    restored = run_cli(url_of(elsewhere), "restore", str(taken[-1].path))
    assert restored.returncode == 0, restored.stderr
    assert integrity(elsewhere) == "ok"
    assert inconsistent_documents(elsewhere) == []


# --- PostgreSQL -------------------------------------------------------------------------------------------


def test_on_postgresql_the_commands_say_to_use_pg_dump_and_pg_restore(tmp_path):
    url = "postgresql://ledpro:hemmelig@db.internal:5432/ledpro"
    backup = run_cli(url, "backup", str(tmp_path / "ledpro.dump"))
    one_line_refusal(backup, "Databasen er PostgreSQL")
    assert f"pg_dump --format=custom --file={tmp_path / 'ledpro.dump'} postgresql://ledpro@db.internal:5432/ledpro" \
        in backup.stderr
    restore = run_cli(url, "restore", str(tmp_path / "ledpro.dump"))
    one_line_refusal(restore, "pg_restore --clean --if-exists --no-owner")
    assert "hemmelig" not in backup.stderr + restore.stderr
    assert not (tmp_path / "ledpro.dump").exists()


def run_printed(command: str) -> None:
    result = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_pg_dump_and_pg_restore_as_the_readme_gives_them_bring_a_note_back(tmp_path, postgres_admin_engine):
    assert shutil.which("pg_dump") and shutil.which("pg_restore")
    live = make_postgres_database(postgres_admin_engine)
    fresh = make_postgres_database(postgres_admin_engine)
    try:
        (note_id,) = journal_with_a_note(live)
        dump_file = tmp_path / "ledpro.dump"
        dump, _ = backups.postgresql_commands(live, dump_file)
        run_printed(dump)
        assert dump_file.read_bytes().startswith(b"PGDMP")  # the custom format (-Fc)

        # Back to the dump in the same database, after more writing ...
        save_note(live, note_id, "Skrevet etter sikkerhetskopien.")
        _, restore_live = backups.postgresql_commands(live, dump_file)
        run_printed(restore_live)
        assert note_text(live, note_id) == FIRST_TEXT

        # ... and into an empty database on another server, then migrate as the README says.
        _, restore_fresh = backups.postgresql_commands(fresh, dump_file)
        run_printed(restore_fresh)
        migrated = run_cli(fresh, "migrate")
        assert migrated.returncode == 0, migrated.stderr
        assert note_text(fresh, note_id) == FIRST_TEXT
        save_note(fresh, note_id, "Videre på den nye serveren.")  # the sequences came along: saving works
        assert note_text(fresh, note_id) == "Videre på den nye serveren."
    finally:
        db.dispose_engines()
        drop_postgres_database(postgres_admin_engine, live)
        drop_postgres_database(postgres_admin_engine, fresh)


# --- sign-in records: deleted at the server's start and by a daily command -----------------------------------


def old_sign_in_records(url: str) -> None:
    """An attempt 100 days old and a sign-in that ended 100 days ago, beside today's of each."""
    engine = db.create_engine_for(url)
    try:
        db.migrate(engine)
        with Session(engine) as session:
            admin = make_admin(session)
            now = utcnow()
            for days in (100, 0):
                then = now - timedelta(days=days)
                session.add(LoginAttempt(username="admin", address="192.0.2.10", attempted_at=then))
                session.add(AuthSession(token_hash=f"{days:064d}", user_id=admin.id, created_at=then,
                                        last_seen_at=then, expires_at=now + timedelta(days=1), revoked_at=then,
                                        user_agent="Firefox"))
            session.commit()
    finally:
        engine.dispose()


def records_left(url: str) -> tuple[int, int]:
    engine = db.create_engine_for(url)
    try:
        with Session(engine) as session:
            return (len(session.exec(select(LoginAttempt)).all()), len(session.exec(select(AuthSession)).all()))
    finally:
        engine.dispose()


def test_purge_old_records_for_a_daily_timer(sqlite_url):
    old_sign_in_records(sqlite_url)
    result = run_cli(sqlite_url, "purge-old-records")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ("Slettet 1 innloggingsforsøk eldre enn 90 dager, 1 avsluttede innlogginger"
                                     " eldre enn 90 dager og 0 hendelser i hendelsesloggen eldre enn 730 dager.")
    assert records_left(sqlite_url) == (1, 1)


def test_the_server_deletes_old_sign_in_records_when_it_starts(sqlite_url, use_database):
    from ledpro_journal.web import server

    old_sign_in_records(sqlite_url)
    use_database(sqlite_url)
    failures: list[BaseException] = []

    async def start_and_stop() -> None:
        async with server.lifespan(None):
            pass

    def run() -> None:  # a thread of its own: a browser test's event loop may run in this one
        try:
            asyncio.run(start_and_stop())
        except BaseException as error:  # re-raised in the test's thread
            failures.append(error)

    starter = threading.Thread(target=run)
    starter.start()
    starter.join(timeout=60)
    assert failures == []
    assert records_left(sqlite_url) == (1, 1)
