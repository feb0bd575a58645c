"""Backups of the SQLite database, for operators: a consistent copy while the app runs, and a checked
restore. PostgreSQL has its own tools (pg_dump, pg_restore); `postgresql_commands` says which.

Copying ledpro.db with cp is not a backup: in WAL mode recent commits live in ledpro.db-wal until a
checkpoint, so a plain copy can miss them, or even every table. SQLite's online backup API reads one
consistent snapshot through SQLite itself while writers go on.
"""

from __future__ import annotations

import errno
import os
import shlex
import sqlite3
import tempfile
from contextlib import closing, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from ledpro_journal import db

SQLITE_HEADER = b"SQLite format 3\x00"
# Tables every LEDPRO database has had since the first migration: their presence tells ours from any SQLite file.
LEDPRO_TABLES = frozenset({"installation", "users", "cohorts", "auth_sessions", "login_attempts"})
BUSY_TIMEOUT_SECONDS = 30


class BackupError(Exception):
    """A refusal or failure with a catalogue key; the command line prints it on one line."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class NotSQLite(BackupError):
    """The database is PostgreSQL: the operator is shown the pg_dump / pg_restore command instead."""


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    revision: str | None


@dataclass(frozen=True)
class Restored:
    backup_revision: str
    revision: str
    safety_copy: Path | None


def database_file(url: str) -> Path:
    """The file behind a SQLite URL. Raises NotSQLite for any other database."""
    parsed = make_url(db.normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        raise NotSQLite("cli.backup.postgresql")
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("cli.backup.no_database", path=parsed.database or ":memory:")
    return Path(parsed.database)


def postgresql_commands(url: str, file: Path) -> tuple[str, str]:
    """The pg_dump and pg_restore command lines for this database (the password left to ~/.pgpass or PGPASSWORD)."""
    parsed = make_url(db.normalise_url(url))
    # URL.set cannot take a password away; a new URL without it can.
    bare = URL.create("postgresql", parsed.username, None, parsed.host, parsed.port, parsed.database, parsed.query)
    target = shlex.quote(bare.render_as_string(hide_password=False))
    name = shlex.quote(str(file))
    return (
        f"pg_dump --format=custom --file={name} {target}",
        f"pg_restore --clean --if-exists --no-owner --dbname={target} {name}",
    )


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    return _script().get_current_head()


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    # mode=ro/rw never creates a file: a mistyped path is an error, not a new empty database. Read-only is
    # for backup files only: a database in WAL mode may need to create its -shm file even to be read.
    mode = "ro" if read_only else "rw"
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT_SECONDS)


def _integrity_problem(connection: sqlite3.Connection) -> str | None:
    rows = [row[0] for row in connection.execute("PRAGMA integrity_check").fetchall()]
    return None if rows == ["ok"] else "; ".join(rows[:3])


def _revision(connection: sqlite3.Connection) -> str | None:
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "alembic_version" not in tables:
        return None
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def _temporary_file_beside(target: Path) -> Path:
    """An empty file in the target's folder (so that the final rename cannot cross file systems),
    readable by its owner only: a backup holds everyone's private journal."""
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-", suffix=".part")
    except OSError as error:
        raise BackupError("cli.backup.cannot_write", path=target, reason=error.strerror or str(error)) from error
    os.close(handle)
    return Path(name)


def _remove(path: Path) -> None:
    for leftover in (path, Path(f"{path}-journal"), Path(f"{path}-wal"), Path(f"{path}-shm")):
        with suppress(FileNotFoundError):
            leftover.unlink()


def _copy_into(source: sqlite3.Connection, target: Path) -> None:
    """One backup step of all pages (a single consistent snapshot), then a self-contained file:
    rollback journal instead of WAL, so that the copy is one file that can be moved anywhere."""
    with closing(sqlite3.connect(target, timeout=BUSY_TIMEOUT_SECONDS)) as copy:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")
        problem = _integrity_problem(copy)
        if problem:
            raise BackupError("cli.backup.damaged", path=target, reason=problem)


# What can still go wrong once the checks have passed (a full disk, a database locked for too long).
_FAILURES = (sqlite3.Error, OSError, SQLAlchemyError, CommandError)


def _reason(error: Exception) -> str:
    return (str(error).splitlines() or [type(error).__name__])[0]


def backup(url: str, target: Path, *, force: bool = False) -> Backup:
    """Copies the live database to `target` through SQLite's online backup API (safe while the app runs)."""
    try:
        return _backup(url, target, force=force)
    except _FAILURES as error:
        raise BackupError("cli.backup.failed", reason=_reason(error)) from error


def _backup(url: str, target: Path, *, force: bool) -> Backup:
    live = database_file(url)
    if not live.is_file():
        raise BackupError("cli.backup.no_database", path=live)
    if target.is_dir():
        raise BackupError("cli.backup.cannot_write", path=target, reason=os.strerror(errno.EISDIR))
    # Even with --force: replacing the file under a running app's open connections would corrupt it.
    if target.resolve() in {live.resolve(), Path(f"{live.resolve()}-wal"), Path(f"{live.resolve()}-shm")}:
        raise BackupError("cli.backup.is_live", path=target)
    if target.exists() and not force:
        raise BackupError("cli.backup.exists", path=target)
    if not target.parent.is_dir():
        raise BackupError("cli.backup.cannot_write", path=target, reason=os.strerror(errno.ENOENT))
    partial = _temporary_file_beside(target)
    try:
        with closing(_connect(live)) as source:
            _copy_into(source, partial)
        with closing(_connect(partial, read_only=True)) as copy:
            revision = _revision(copy)
        os.replace(partial, target)
    finally:
        _remove(partial)
    _sync_folder(target.parent)
    return Backup(path=target, size=target.stat().st_size, revision=revision)


def _sync_folder(folder: Path) -> None:
    """Makes the rename durable: without it a power cut could leave the folder without the new name."""
    with suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)


def check_backup(path: Path) -> str:
    """The schema revision of a backup file that may be restored; raises BackupError saying why not."""
    if not path.exists():
        raise BackupError("cli.restore.missing", path=path)
    if not path.is_file():
        raise BackupError("cli.restore.not_sqlite", path=path)
    try:
        with path.open("rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupError("cli.restore.unreadable", path=path, reason=error.strerror or str(error)) from error
    if header != SQLITE_HEADER:
        raise BackupError("cli.restore.not_sqlite", path=path)
    try:
        with closing(_connect(path, read_only=True)) as connection:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            revision = _revision(connection)
            if not LEDPRO_TABLES.issubset(tables) or revision is None:
                raise BackupError("cli.restore.not_ledpro", path=path)
            known = {script.revision for script in _script().walk_revisions()}
            if revision not in known:
                raise BackupError("cli.restore.newer", path=path, revision=revision, head=head_revision())
            problem = _integrity_problem(connection)
    except sqlite3.DatabaseError as error:
        raise BackupError("cli.restore.unreadable", path=path, reason=str(error)) from error
    if problem:
        raise BackupError("cli.restore.damaged", path=path, reason=problem)
    return revision


def safety_copy_path(live: Path, now: datetime | None = None) -> Path:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return live.with_name(f"{live.stem}-before-restore-{stamp}{live.suffix}")


def restore(url: str, source: Path) -> Restored:
    """Replaces the live database's content with a checked backup, brought to the current schema.

    The backup is first copied beside the live database and migrated there, so that a failure leaves the
    live database as it was; the live database is kept in a timestamped safety copy next to it; then the
    migrated copy is written into the live database with the backup API, which other open connections
    (a running app) see at their next transaction.
    """
    try:
        return _restore(url, source)
    except _FAILURES as error:
        raise BackupError("cli.restore.failed", reason=_reason(error)) from error


def _restore(url: str, source: Path) -> Restored:
    live = database_file(url)
    backup_revision = check_backup(source)
    try:
        live.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError("cli.backup.cannot_write", path=live, reason=error.strerror or str(error)) from error
    staged = _temporary_file_beside(live)
    try:
        with closing(_connect(source, read_only=True)) as backup_file:
            _copy_into(backup_file, staged)
        _migrate_file(staged)
        safety = None
        if live.is_file() and live.stat().st_size > 0:
            safety = _backup(url, safety_copy_path(live), force=False).path
        try:
            with closing(_connect(staged)) as ready, closing(
                sqlite3.connect(live, timeout=BUSY_TIMEOUT_SECONDS)
            ) as target:
                ready.backup(target)
        except sqlite3.OperationalError as error:
            raise BackupError("cli.backup.cannot_write", path=live, reason=str(error)) from error
    finally:
        _remove(staged)
    with closing(_connect(live)) as restored:
        revision = _revision(restored)
    return Restored(backup_revision=backup_revision, revision=revision, safety_copy=safety)


def _migrate_file(path: Path) -> None:
    engine = db.create_engine_for(f"sqlite:///{path.absolute()}")
    try:
        db.migrate(engine)
    finally:
        engine.dispose()
