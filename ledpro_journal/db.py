"""The one engine factory: SQLite (WAL, foreign keys, busy timeout) by default, PostgreSQL via psycopg 3."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from ledpro_journal.config import PROJECT_ROOT, get_settings
from ledpro_journal.i18n import t

MIGRATIONS_DIR = PROJECT_ROOT / "migrations"
# Any fixed number: it names the PostgreSQL advisory lock that lets only one app server migrate at a time.
_MIGRATION_LOCK_KEY = 4_711_2024

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()
# Alembic runs migrations through a module-global context, so two threads must never migrate at once.
_migration_lock = threading.Lock()


def normalise_url(url: str) -> str:
    """postgresql:// and postgres:// mean psycopg 3 here; SQLAlchemy would otherwise pick psycopg2."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


SQLITE_BUSY_TIMEOUT_SECONDS = 10
# Connections kept open per engine. Every database call runs in a thread: the drafts API's (anyio's 40),
# and one per Streamlit script run. A thread that finds the pool empty waits for one, and a connection
# opened past the pool is closed again when it is returned, so each burst paid for connecting anew
# (tests/bench/save_load.py). An idle SQLite connection costs a file handle and its page cache.
SQLITE_POOL_SIZE, SQLITE_POOL_OVERFLOW = 40, 60


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
    # With WAL, NORMAL loses no commit when the server process dies (the WAL is already written to the
    # operating system; tests/browser/test_crash.py kills it mid-burst); a power cut may undo the last
    # commits but cannot corrupt the file.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


_write_locks: dict[str, threading.Lock] = {}
_write_locks_guard = threading.Lock()
_READING = ("SELECT", "PRAGMA")


def _write_lock_for(path: str) -> threading.Lock:
    with _write_locks_guard:
        return _write_locks.setdefault(os.path.realpath(path), threading.Lock())


class _QueuedWritesConnection(sqlite3.Connection):
    """A SQLite connection whose writes wait in line in this process instead of polling the file lock.

    SQLite lets one connection write at a time; the others retry in its busy handler, sleeping 1, 2, 5 …
    up to 100 ms between tries. With a whole gathering writing at once, drafts spent most of their time
    in that sleep rather than behind the writes ahead of them (tests/bench/save_load.py). Here a
    connection takes its database's lock in this process at its first write and gives it back when the
    transaction ends, so the next writer starts the moment the previous one commits. Reads never wait
    (WAL). Writers in other processes (the command line, a second server) still meet SQLite's own lock
    and busy timeout, and a lock not had within that timeout is left to SQLite to refuse, so this adds
    no way to hang.
    """

    write_lock: threading.Lock
    holds_write_lock = False

    def cursor(self, factory=None):
        return super().cursor(factory or _QueuedWritesCursor)

    def claim_write_lock(self, statement: str) -> None:
        if not self.holds_write_lock and not statement.lstrip()[:6].upper().startswith(_READING):
            self.holds_write_lock = self.write_lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_SECONDS)

    def release_write_lock_if_done(self) -> None:
        if self.holds_write_lock and not self.in_transaction:
            self.holds_write_lock = False
            self.write_lock.release()

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.release_write_lock_if_done()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.release_write_lock_if_done()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.holds_write_lock:
                self.holds_write_lock = False
                self.write_lock.release()


class _QueuedWritesCursor(sqlite3.Cursor):
    def execute(self, statement, parameters=()):
        self.connection.claim_write_lock(statement)
        try:
            return super().execute(statement, parameters)
        finally:
            # A statement outside a transaction (DDL, or one that failed to start) is done with the lock.
            self.connection.release_write_lock_if_done()

    def executemany(self, statement, parameters):
        self.connection.claim_write_lock(statement)
        try:
            return super().executemany(statement, parameters)
        finally:
            self.connection.release_write_lock_if_done()


def _sqlite_connector(path: str):
    write_lock = _write_lock_for(path)

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(
            path, timeout=SQLITE_BUSY_TIMEOUT_SECONDS, check_same_thread=False, factory=_QueuedWritesConnection
        )
        connection.write_lock = write_lock
        return connection

    return connect


def create_engine_for(url: str) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            engine = sa.create_engine(url, connect_args={"check_same_thread": False})
        else:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            engine = sa.create_engine(
                url, creator=_sqlite_connector(parsed.database), poolclass=sa.pool.QueuePool,
                pool_size=SQLITE_POOL_SIZE, max_overflow=SQLITE_POOL_OVERFLOW,
            )
        sa.event.listen(engine, "connect", _configure_sqlite)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def get_engine(url: str | None = None) -> Engine:
    """One engine per database URL per process (engines own connection pools)."""
    url = normalise_url(url or get_settings().database_url)
    with _engines_lock:
        if url not in _engines:
            _engines[url] = create_engine_for(url)
        return _engines[url]


def dispose_engines() -> None:
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """A unit of work: commits when the block succeeds, rolls back when it raises."""
    session = Session(engine or get_engine(), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _alembic_config(connection: sa.Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def migrate(engine: Engine | None = None, revision: str = "head") -> None:
    """Bring the schema to `revision`. Safe to call from several app servers at once."""
    engine = engine or get_engine()
    with _migration_lock, engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            connection.commit()
        try:
            command.upgrade(_alembic_config(connection), revision)
            connection.commit()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_KEY})
                connection.commit()


def downgrade(engine: Engine, revision: str) -> None:
    with _migration_lock, engine.connect() as connection:
        command.downgrade(_alembic_config(connection), revision)
        connection.commit()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


EXIT_DATABASE_UNREACHABLE = 3
# A server that does not answer or refuses us, an address that cannot be parsed, a driver not installed.
DATABASE_UNREACHABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.ArgumentError,
                        sa.exc.NoSuchModuleError, ImportError)


def database_unreachable(error: Exception) -> str:
    """One line for an operator: which database (never its password) and the driver's own reason."""
    url = get_settings().database_url
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        shown = url.split("@")[-1]  # never the password of an address we cannot even parse
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()
    return t("cli.database_unreachable", url=shown, reason=reason[0] if reason else type(error).__name__)
