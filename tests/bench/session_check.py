"""How much the per-click session check costs (every rerun of every page does one).

    PYTHONPATH=. .venv/bin/python tests/bench/session_check.py

Prints the median and 95th percentile of 500 checks on SQLite and on PostgreSQL (127.0.0.1:5432).
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from ledpro_journal import db
from ledpro_journal.services import accounts
from tests.helpers import make_admin

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def measure(url: str) -> tuple[float, float]:
    engine = db.create_engine_for(url)
    db.migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        token = accounts.start_session(session, make_admin(session))
        session.commit()
    times = []
    for _ in range(500):
        start = time.perf_counter()
        with db.session_scope(engine) as session:
            accounts.resolve_session(session, token)
        times.append(time.perf_counter() - start)
    engine.dispose()
    times.sort()
    return statistics.median(times) * 1000, times[int(len(times) * 0.95)] * 1000


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        median, p95 = measure(f"sqlite:///{Path(folder) / 'bench.db'}")
        print(f"sqlite      session check: median {median:.2f} ms, p95 {p95:.2f} ms")
    admin = sa.create_engine(db.normalise_url(POSTGRES), isolation_level="AUTOCOMMIT")
    name = f"ledpro_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        median, p95 = measure(f"postgresql://postgres@127.0.0.1:5432/{name}")
        print(f"postgresql  session check: median {median:.2f} ms, p95 {p95:.2f} ms")
    finally:
        db.dispose_engines()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
