"""Shared fixtures. The data tests run against SQLite and PostgreSQL: `database_url` is parametrised
over both. PostgreSQL comes from LEDPRO_TEST_POSTGRES_URL (default: postgres at 127.0.0.1:5432, as in
CI); each test gets its own database, created and dropped here. Outside CI an unreachable PostgreSQL
skips those tests with the reason; in CI (CI=true) it fails them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlmodel import Session

from ledpro_journal import db
from ledpro_journal.config import get_settings
from ledpro_journal.services import accounts

POSTGRES_ADMIN_URL = os.environ.get("LEDPRO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _postgres_unavailable(reason: str) -> None:
    message = f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {reason}"
    if IN_CI:
        pytest.fail(message + " (CI=true: the PostgreSQL tests must run)")
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_admin_engine() -> Iterator[sa.Engine]:
    engine = sa.create_engine(db.normalise_url(POSTGRES_ADMIN_URL), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means: not available
        engine.dispose()
        _postgres_unavailable(str(exc).splitlines()[0])
    yield engine
    engine.dispose()


def make_postgres_database(admin_engine: sa.Engine) -> str:
    name = f"ledpro_test_{uuid.uuid4().hex[:12]}"
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return sa.engine.make_url(db.normalise_url(POSTGRES_ADMIN_URL)).set(database=name).render_as_string(
        hide_password=False
    )


def drop_postgres_database(admin_engine: sa.Engine, url: str) -> None:
    name = sa.engine.make_url(url).database
    with admin_engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    """An empty database of each kind; nothing migrated yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledpro.db'}"
        return
    admin_engine = request.getfixturevalue("postgres_admin_engine")
    url = make_postgres_database(admin_engine)
    yield url
    db.dispose_engines()
    drop_postgres_database(admin_engine, url)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'ledpro.db'}"


@pytest.fixture
def engine(database_url) -> Iterator[sa.Engine]:
    engine = db.create_engine_for(database_url)
    db.migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """argon2id with tiny costs in tests: the same code paths, a fraction of the time."""
    monkeypatch.setattr(accounts, "password_hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture
def use_database(monkeypatch):
    """Points the app's settings (and so ui.session and db.get_engine) at a given database URL."""

    def point_at(url: str) -> None:
        monkeypatch.setenv("LEDPRO_DATABASE_URL", url)
        get_settings.cache_clear()

    yield point_at
    get_settings.cache_clear()
