"""What the audit trail costs: the new-place check added to a password sign-in, and reading the trail
(Min konto's page of 20, the administrators' log of 500) in a table of 200,000 events.

    PYTHONPATH=. .venv/bin/python tests/bench/audit_trail.py

Prints medians on SQLite and on PostgreSQL (127.0.0.1:5432), and the sign-in check as a ratio to starting
the same session without it.
"""

from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

from ledpro_journal import db
from ledpro_journal.models import AuditEvent, AuthSession, LoginAttempt, utcnow
from ledpro_journal.services import accounts, audit
from tests.helpers import make_admin

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
EVENTS = 200_000
PEOPLE = 1_000


def median_ms(run, times: int = 200) -> float:
    samples = []
    for _ in range(times):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def measure(url: str, label: str) -> None:
    engine = db.create_engine_for(url)
    db.migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        admin = make_admin(session)
        now = utcnow()
        # A busy account: 300 earlier sign-ins and 2,000 kept attempts from 40 addresses.
        session.add_all(AuthSession(token_hash=f"{i:064d}", user_id=admin.id, expires_at=now, user_agent=AGENT)
                        for i in range(300))
        session.add_all(LoginAttempt(username=admin.username, address=f"10.0.{i % 40}.{i % 200}", succeeded=True,
                                     attempted_at=now - timedelta(minutes=i)) for i in range(2_000))
        rows = [{"at": now - timedelta(seconds=i), "actor_id": admin.id,
                 "subject_user_id": admin.id if i % PEOPLE == 0 else None, "kind": "admin.group.created",
                 "details": {"group": "Gruppe"}, "administrative": i % 3 == 0} for i in range(EVENTS)]
        session.execute(sa.insert(AuditEvent), rows)
        session.commit()

        def start(address):
            accounts.start_session(session, admin, user_agent=AGENT, address=address)
            session.rollback()

        plain = median_ms(lambda: start(None))
        checked = median_ms(lambda: start("10.0.3.7"))
        page = median_ms(lambda: audit.my_events(admin, session, limit=audit.PAGE_SIZE, offset=0))
        count = median_ms(lambda: audit.count_my_events(admin, session))
        log = median_ms(lambda: audit.administrative_events(admin, session, limit=500), times=50)
    engine.dispose()
    print(f"{label:<11} sign-in session start {plain:.2f} ms, with the new-place check {checked:.2f} ms "
          f"(ratio {checked / plain:.1f}); Min konto page {page:.2f} ms + count {count:.2f} ms; "
          f"admin log of 500 {log:.1f} ms")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        measure(f"sqlite:///{Path(folder) / 'bench.db'}", "sqlite")
    admin = sa.create_engine(db.normalise_url(POSTGRES), isolation_level="AUTOCOMMIT")
    name = f"ledpro_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        measure(f"postgresql://postgres@127.0.0.1:5432/{name}", "postgresql")
    finally:
        db.dispose_engines()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
