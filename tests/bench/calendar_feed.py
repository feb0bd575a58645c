"""What answering a calendar feed costs, and whether it grows with other people's writing.

    PYTHONPATH=. .venv/bin/python tests/bench/calendar_feed.py [--others 300] [--runs 200]

One participant with a full year (6 gatherings, 60 dated actions, 150 log entries) in two databases: one
holding only them, one also holding --others participants with as much each (rows inserted in bulk). The
feed is answered as the HTTP route answers it (token lookup, calendar built, bytes) --runs times in each,
alternating, on SQLite and on PostgreSQL (127.0.0.1:5432), next to the per-click session check.

Target: big/small at most 1.2 (a feed does not grow with other people's data). The feed's cost next to the
session check is reported for scale: nearly all of it is icalendar building and folding the 66 events, and a
calendar program asks a few times a day (an unchanged feed still is built, then answered 304). Exit code is
always 0: this is a report.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlmodel import Session

from ledpro_journal import db
from ledpro_journal.models import ActionStatus, Document, DocumentKind, utcnow
from ledpro_journal.services import accounts, calendar
from tests.conftest import drop_postgres_database, make_postgres_database
from tests.helpers import make_admin, make_cohort, make_member

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
RATIO_TARGET = 1.2


def _year_of(owner_id: int, cohort_id: int) -> list[dict]:
    rows, now = [], utcnow()
    for number in range(60):
        on = date(2024, 1, 8) + timedelta(days=5 * number)
        rows.append(dict(owner_id=owner_id, cohort_id=cohort_id, kind=DocumentKind.ACTION, template="B",
                         fields={"title": f"Aksjon {number}"}, title=f"Aksjon {number}", version=2,
                         excerpt="", search_text="",
                         happened_on=on, status=ActionStatus.PLANNED, created_at=now, updated_at=now))
    for number in range(150):
        rows.append(dict(owner_id=owner_id, cohort_id=cohort_id, kind=DocumentKind.LOG, template="C",
                         fields={"title": f"Logg {number}"}, title=f"Logg {number}", version=1,
                         excerpt="", search_text="",
                         happened_on=date(2024, 1, 8) + timedelta(days=2 * number), status=ActionStatus.DONE,
                         created_at=now, updated_at=now))
    return rows


def build(url: str, others: int) -> str:
    """The database at `url` with the participant (and `others` more); returns the participant's token."""
    engine = db.create_engine_for(url)
    db.migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        pia = make_member(session, admin, cohort.id, "pia")
        rows = _year_of(pia.id, cohort.id)
        for number in range(others):
            other = make_member(session, admin, cohort.id, f"deltaker{number}")
            rows += _year_of(other.id, cohort.id)
        session.execute(sa.insert(Document), rows)
        token = calendar.feed_token_for(pia, session=session)
        session.commit()
    engine.dispose()
    return token


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def measure(small_url: str, big_url: str, small_token: str, big_token: str, runs: int) -> dict[str, float]:
    engines = {"small": db.create_engine_for(small_url), "big": db.create_engine_for(big_url)}
    tokens = {"small": small_token, "big": big_token}
    with Session(engines["big"], expire_on_commit=False) as session:
        user = calendar.user_for_feed_token(session, big_token)
        session_token = accounts.start_session(session, user)
        session.commit()

    def feed(which):
        with db.session_scope(engines[which]) as session:
            content = calendar.feed_for_token(session, tokens[which], app_url="https://ledpro.example.no")
        assert content and content.count(b"BEGIN:VEVENT") == 66

    def check():
        with db.session_scope(engines["big"]) as session:
            accounts.resolve_session(session, session_token)

    times: dict[str, list[float]] = {"small": [], "big": [], "check": []}
    for which in ("small", "big"):
        feed(which)  # warm-up
    for _ in range(runs):
        times["small"].append(timed(lambda: feed("small")))
        times["big"].append(timed(lambda: feed("big")))
        times["check"].append(timed(check))
    for engine in engines.values():
        engine.dispose()
    return {name: statistics.median(values) for name, values in times.items()}


def report(name: str, result: dict[str, float]) -> None:
    ratio, per_check = result["big"] / result["small"], result["big"] / result["check"]
    print(f"{name:<11} feed {result['small'] * 1000:6.2f} ms (alone) {result['big'] * 1000:6.2f} ms (with others)"
          f"  big/small {ratio:4.2f} {'OK' if ratio <= RATIO_TARGET else 'OVER'}"
          f"  feed/session check {per_check:5.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--others", type=int, default=300)
    parser.add_argument("--runs", type=int, default=200)
    options = parser.parse_args()
    # Registering hundreds of participants need not cost a real password hash each.
    accounts.password_hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    print(f"{options.others} other participants with 60 actions and 150 log entries each; median of {options.runs}")

    with tempfile.TemporaryDirectory() as directory:
        small, big = f"sqlite:///{Path(directory) / 'small.db'}", f"sqlite:///{Path(directory) / 'big.db'}"
        report("SQLite", measure(small, big, build(small, 0), build(big, options.others), options.runs))

    admin_engine = sa.create_engine(db.normalise_url(POSTGRES), isolation_level="AUTOCOMMIT")
    try:
        small, big = make_postgres_database(admin_engine), make_postgres_database(admin_engine)
    except sa.exc.OperationalError as error:
        print(f"PostgreSQL not reachable ({str(error).splitlines()[0]}): skipped")
        return
    try:
        report("PostgreSQL", measure(small, big, build(small, 0), build(big, options.others), options.runs))
    finally:
        db.dispose_engines()
        for url in (small, big):
            drop_postgres_database(admin_engine, url)
        admin_engine.dispose()


if __name__ == "__main__":
    main()
