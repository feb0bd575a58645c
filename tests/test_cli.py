"""The operators' command line, run as operators run it: python -m ledpro_journal, in a subprocess,
with LEDPRO_DATABASE_URL pointing at the database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory
from docx import Document as WordDocument
from sqlmodel import Session, select

from ledpro_journal import db
from ledpro_journal.models import DocumentKind, Role, User
from ledpro_journal.services import accounts, journal
from tests.helpers import make_admin, make_cohort, make_member

PROJECT = Path(__file__).resolve().parent.parent
GOOD_PASSWORD = "et godt og langt operatørpassord"


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


def run_cli(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDPRO_")}
    env["LEDPRO_DATABASE_URL"] = url
    return subprocess.run(
        [sys.executable, "-m", "ledpro_journal", *args],
        input=stdin, capture_output=True, text=True, cwd=PROJECT, env=env, timeout=120,
    )


def authenticate(url: str, username: str, password: str) -> User | None:
    engine = db.create_engine_for(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            user = accounts.authenticate(session, username=username, password=password, address="127.0.0.1")
            session.commit()
            return user
    finally:
        engine.dispose()


def test_migrate_prints_the_revision(sqlite_url):
    result = run_cli(sqlite_url, "migrate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"database at revision {head_revision()}"
    engine = db.create_engine_for(sqlite_url)
    try:
        assert db.current_revision(engine) == head_revision()
    finally:
        engine.dispose()
    # Again: nothing to do, same answer.
    again = run_cli(sqlite_url, "migrate")
    assert again.returncode == 0, again.stderr
    assert again.stdout == result.stdout


def test_create_admin_on_each_database(database_url):
    result = run_cli(
        database_url, "create-admin", "--username", "Operatør", "--name", "Olga Operatør", "--password-stdin",
        stdin=GOOD_PASSWORD + "\n",
    )
    assert result.returncode == 0, result.stderr
    assert "operatør" in result.stdout
    user = authenticate(database_url, "operatør", GOOD_PASSWORD)
    assert user is not None
    assert (user.role, user.display_name) == (Role.ADMIN, "Olga Operatør")
    engine = db.create_engine_for(database_url)
    try:
        with Session(engine) as session:
            assert not accounts.needs_setup(session)  # the web's first-run page is closed now
    finally:
        engine.dispose()


def test_short_password_is_refused_in_norwegian(sqlite_url):
    result = run_cli(sqlite_url, "create-admin", "--username", "ola", "--password-stdin", stdin="kort\n")
    assert result.returncode == 2
    assert "password: Passordet må ha minst 10 tegn." in result.stderr
    assert "Traceback" not in result.stderr
    engine = db.create_engine_for(sqlite_url)
    try:
        with Session(engine) as session:
            assert session.exec(select(User)).all() == []
    finally:
        engine.dispose()


def test_taken_username_is_refused(sqlite_url):
    make_user(sqlite_url, "ola")
    second = run_cli(sqlite_url, "create-admin", "--username", "OLA", "--password-stdin", stdin=GOOD_PASSWORD + "\n")
    assert second.returncode == 2
    assert second.stderr.startswith("username: ")


def make_user(url: str, username: str) -> None:
    """Made in this process (quicker than another run of the command line)."""
    engine = db.create_engine_for(url)
    try:
        db.migrate(engine)
        with Session(engine) as session:
            accounts.create_admin(session, username=username, display_name=username.title(), password=GOOD_PASSWORD)
            session.commit()
    finally:
        engine.dispose()


def test_reset_password_ends_sessions_and_sets_the_new_password(sqlite_url):
    make_user(sqlite_url, "ola")
    engine = db.create_engine_for(sqlite_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            ola = session.exec(select(User).where(User.username == "ola")).one()
            token = accounts.start_session(session, ola)
            session.commit()
            assert accounts.resolve_session(session, token) is not None

        new_password = "et helt nytt og langt passord"
        result = run_cli(sqlite_url, "reset-password", "--username", "Ola", "--password-stdin",
                         stdin=new_password + "\n")
        assert result.returncode == 0, result.stderr
        assert "ola" in result.stdout

        with Session(engine) as session:
            assert accounts.resolve_session(session, token) is None
    finally:
        engine.dispose()
    assert authenticate(sqlite_url, "ola", GOOD_PASSWORD) is None
    assert authenticate(sqlite_url, "ola", new_password) is not None


def test_reset_password_keeps_the_old_one_when_the_new_one_is_bad(sqlite_url):
    make_user(sqlite_url, "ola")
    result = run_cli(sqlite_url, "reset-password", "--username", "ola", "--password-stdin", stdin="passord1234\n")
    assert result.returncode == 2
    assert "Dette passordet er for lett å gjette" in result.stderr
    assert authenticate(sqlite_url, "ola", GOOD_PASSWORD) is not None


def test_reset_password_for_an_unknown_user(sqlite_url):
    result = run_cli(sqlite_url, "reset-password", "--username", "ingen", "--password-stdin",
                     stdin=GOOD_PASSWORD + "\n")
    assert result.returncode == 2
    assert result.stderr.strip() == "Ukjent bruker."


@pytest.mark.parametrize("args", [["create-admin"], ["no-such-command"]])
def test_usage_errors(sqlite_url, args):
    result = run_cli(sqlite_url, *args)
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_export_exam_writes_the_participants_draft(sqlite_url, tmp_path):
    engine = db.create_engine_for(sqlite_url)
    db.migrate(engine)
    try:
        with Session(engine, expire_on_commit=False) as session:
            admin = make_admin(session)
            cohort = make_cohort(session, admin)
            kari = make_member(session, admin, cohort.id, "kari", name="Kari Nordmann")
            note = journal.create_document(kari, session=session, kind=DocumentKind.NOTE)
            journal.save_document(kari, session=session, document_id=note.id, base_version=0,
                                  fields={"title": "Stillheten", "description": "Gruppa var taus i ti minutter."})
            session.commit()
    finally:
        engine.dispose()
    out = tmp_path / "utkast.docx"
    result = run_cli(sqlite_url, "export-exam", "--user", "kari", "--out", str(out))
    assert result.returncode == 0, result.stderr
    paragraphs = [p.text for p in WordDocument(str(out)).paragraphs]
    assert "Gruppa var taus i ti minutter." in paragraphs

    nowhere = run_cli(sqlite_url, "export-exam", "--user", "kari", "--out", str(tmp_path / "no" / "such" / "x.docx"))
    assert nowhere.returncode == 2 and "Traceback" not in nowhere.stderr

    missing = run_cli(sqlite_url, "export-exam", "--user", "nobody", "--out", str(tmp_path / "x.docx"))
    assert missing.returncode == 2 and "Ingen bruker" in missing.stderr
    assert not (tmp_path / "x.docx").exists()
