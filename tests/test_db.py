"""The engine factory and migrations as an operator relies on them."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from ledpro_journal import db


def test_sqlite_runs_with_wal_foreign_keys_and_a_busy_timeout(sqlite_url):
    engine = db.create_engine_for(sqlite_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
    engine.dispose()


def test_plain_postgresql_urls_mean_psycopg_3():
    assert db.normalise_url("postgresql://postgres@127.0.0.1/x").startswith("postgresql+psycopg://")
    assert db.normalise_url("postgres://postgres@127.0.0.1/x").startswith("postgresql+psycopg://")
    assert db.normalise_url("sqlite:///data/x.db") == "sqlite:///data/x.db"


def test_several_servers_starting_at_once_migrate_once(database_url):
    """App servers that start together on one database must not trip over each other's migration."""
    engines = [db.create_engine_for(database_url) for _ in range(3)]
    failures = []

    def start(engine):
        try:
            db.migrate(engine)
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)

    threads = [threading.Thread(target=start, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert db.current_revision(engines[0]) is not None
    with engines[0].connect() as connection:
        assert sa.inspect(connection).has_table("users")
    for engine in engines:
        engine.dispose()
