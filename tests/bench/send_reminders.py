"""Does `send-reminders` cost more SQL statements with more participants? And how long does a run take?

    PYTHONPATH=. .venv/bin/python tests/bench/send_reminders.py [--participants 100 10000] [--db-dir DIR]

Builds (or reuses, from --db-dir) a SQLite database per size with one cohort of N participants, written with
the journal benchmark's builder (tests/bench/journal_pages.py: the same actions in periods with statuses, log
entries, reflection notes linked to actions, some in the bin; fewer notes and shorter texts, which reminders
never read). Gatherings 1-4 lie behind, 5 is 20 days ahead. Every participant has an address and asked for
both reminders, today's weekday and 30 days before; half of them asked for titles. So everyone with an open
action gets the weekly e-mail and everyone with anything open the one before the gathering.

Each size is run the way cron runs it, through the real service and SMTP client, sending to a real SMTP
server in its own process (aiosmtpd's Sink, which takes and drops every message): once with nothing sent yet
(everything due goes out), and once more right after (nothing is due: the cost of an idempotent rerun).
Reported: SQL statements (counted at the cursor, so every round trip counts), wall time, and its parts:
composing the e-mails, the SMTP conversation, and the rest (the queries, fetching their rows, the
bookkeeping). What was sent is written down as the run goes, one UPDATE per reminders.RECORD_EVERY (50)
e-mails, so those are counted apart ("recording"): the target is the same number of the others at every
size. Also reported: the longest time the run held SQLite's write lock in one go (from its first write to
the commit), which is what the app's saves could have to wait. Exit code is always 0: this is a report.
"""

from __future__ import annotations

import argparse
import random
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from ledpro_journal import db  # noqa: E402
from ledpro_journal.config import Settings  # noqa: E402
from ledpro_journal.i18n import today_in_oslo  # noqa: E402
from ledpro_journal.mail import SmtpSender  # noqa: E402
from ledpro_journal.models import Installation, ReminderPreference, SentReminder, User  # noqa: E402
from ledpro_journal.services import journal, reminders  # noqa: E402
from tests.bench import journal_pages as builder  # noqa: E402
from tests.mailbox import free_port  # noqa: E402

BUILD_VERSION = 1
SEED = 2026
ACTIONS, LOGS, NOTES = 12, 27, 10


def short_pool(rng: random.Random, size: int = 600) -> builder.Pool:
    """Paragraphs of 10-40 words: reminders read titles and links only, and the databases stay small."""
    texts = []
    for _ in range(size):
        words = [rng.choice(builder.WORDS) for _ in range(rng.randint(10, 40))]
        texts.append(" ".join(words).capitalize() + ".")
    return builder.Pool(texts, [journal._printable(t, 10**7).lower() for t in texts],
                        [journal.count_words(t) for t in texts], [t.strip() for t in builder.TITLES if t.strip()])


def build(path: Path, participants: int, today: date) -> None:
    path.unlink(missing_ok=True)
    builder.migrate(path)
    engine = builder.build_engine(path)
    rng = random.Random(SEED)
    maker = builder.DocMaker(short_pool(rng), rng)
    now = datetime.now(UTC)
    prog = builder.programme_rows(today, now)
    counter = iter(range(1, 10**9))
    started = time.perf_counter()
    with engine.begin() as connection:
        builder.programme_insert(connection, prog)
        # The signing key exists (the first run ever makes it, two statements that no later run repeats).
        connection.execute(sa.insert(Installation.__table__),
                           [dict(id=1, set_up_at=now, signing_key=secrets.token_hex(32))])
    for chunk_start in range(0, participants, builder.CHUNK_PARTICIPANTS):
        rows = builder.Rows()
        for number in range(chunk_start, min(participants, chunk_start + builder.CHUNK_PARTICIPANTS)):
            user_id, group_id = number + 1, number // builder.GROUP_SIZE + 1
            if number % builder.GROUP_SIZE == 0:
                rows.groups.append(dict(id=group_id, cohort_id=1, name=f"Gruppe {group_id}"))
            rows.users.append(builder.user_row(user_id, number, "x", now))
            rows.memberships.append(dict(cohort_id=1, user_id=user_id, role="participant", group_id=group_id,
                                         part=1, joined_at=now - timedelta(days=230)))
            mine = builder.participant_documents(
                maker, rng, owner_id=user_id, next_id=lambda: next(counter), prog=prog, now=now, today=today,
                actions=ACTIONS, logs=LOGS, notes=NOTES - 1, bin_notes=1, unsaved=0, drafts_on_saved=0,
            )
            mine.revisions = []
            rows.extend(mine)
        with engine.begin() as connection:
            builder.insert(connection, rows)
    with engine.begin() as connection:
        connection.execute(sa.update(User).values(email=User.username + "@example.no"))
        connection.execute(sa.insert(ReminderPreference.__table__).from_select(
            ["user_id", "weekly", "weekday", "before_gathering", "days_before", "show_titles", "updated_at"],
            sa.select(User.id, sa.true(), sa.literal(today.weekday()), sa.true(), sa.literal(30),
                      User.id % 2 == 0, sa.literal(now, ReminderPreference.__table__.c.updated_at.type)),
        ))
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    print(f"  built {participants} participants in {time.perf_counter() - started:.0f} s", flush=True)


def database(db_dir: Path, participants: int, today: date) -> Path:
    """The cached database for this size and day (gatherings are placed relative to the day)."""
    path = db_dir / f"reminders_{participants}_{today.isoformat()}_v{BUILD_VERSION}.db"
    if not path.exists():
        db_dir.mkdir(parents=True, exist_ok=True)
        print(f"building {path} ...", flush=True)
        build(path, participants, today)
    return path


@dataclass
class Run:
    statements: int
    recording: int
    longest_write: float
    seconds: float
    compose_seconds: float
    smtp_seconds: float
    sent: int

    @property
    def database_seconds(self) -> float:
        """Everything but composing and sending: the queries, fetching their rows, the bookkeeping."""
        return self.seconds - self.compose_seconds - self.smtp_seconds


def run_once(engine: sa.Engine, settings: Settings, today: date) -> Run:
    count, recording, compose_seconds, smtp_seconds = 0, 0, 0.0, 0.0
    write_started: float | None = None
    longest_write = 0.0

    def counted(conn, _cursor, statement, *_args) -> None:
        nonlocal count, recording, write_started
        count += 1
        recording += statement.lstrip().startswith("UPDATE sent_reminders")
        if write_started is None and not statement.lstrip().upper().startswith(("SELECT", "PRAGMA")):
            write_started = time.perf_counter()

    def committed(_conn) -> None:
        nonlocal write_started, longest_write
        if write_started is not None:
            longest_write = max(longest_write, time.perf_counter() - write_started)
            write_started = None

    compose = reminders.compose

    def timed_compose(*args, **kwargs):
        nonlocal compose_seconds
        started = time.perf_counter()
        try:
            return compose(*args, **kwargs)
        finally:
            compose_seconds += time.perf_counter() - started

    reminders.compose = timed_compose
    with SmtpSender(settings) as smtp:
        def send(message) -> None:
            nonlocal smtp_seconds
            started = time.perf_counter()
            try:
                smtp(message)
            finally:
                smtp_seconds += time.perf_counter() - started

        sa.event.listen(engine, "before_cursor_execute", counted)
        sa.event.listen(engine, "commit", committed)
        started = time.perf_counter()
        try:
            with Session(engine, expire_on_commit=False) as session:
                outcome = reminders.send_reminders(session, today=today, send=send, sender=settings.mail_from,
                                                   public_url="https://ledpro.example.no")
                session.commit()
        finally:
            seconds = time.perf_counter() - started
            sa.event.remove(engine, "before_cursor_execute", counted)
            sa.event.remove(engine, "commit", committed)
            reminders.compose = compose
    assert outcome.ok, (outcome.server_error, outcome.failed[:3])
    return Run(count, recording, longest_write, seconds, compose_seconds, smtp_seconds, len(outcome.sent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--participants", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--db-dir", type=Path, default=Path("/tmp/ledpro_bench_reminders"))
    args = parser.parse_args()
    today = today_in_oslo()
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"])
    time.sleep(1.0)
    settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                        mail_from="LEDPRO Journal <ledpro@example.no>")
    results = []
    try:
        for participants in args.participants:
            path = database(args.db_dir, participants, today)
            engine = db.create_engine_for(f"sqlite:///{path}")
            db.migrate(engine)
            with engine.begin() as connection:  # a run from scratch: nothing sent yet
                connection.execute(sa.delete(SentReminder))
            first = run_once(engine, settings, today)
            again = run_once(engine, settings, today)
            engine.dispose()
            results.append((participants, first, again))
    finally:
        sink.terminate()
        sink.wait()

    print(f"\nsend-reminders on {today.isoformat()} (SQLite, SMTP to a local aiosmtpd sink)\n")
    print("| participants | run | e-mails | SQL statements | of them recording | time s | database s | composing s "
          "| SMTP s | longest write s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for participants, first, again in results:
        for label, run in (("first", first), ("again", again)):
            print(f"| {participants:,} | {label} | {run.sent:,} | {run.statements} | {run.recording} | "
                  f"{run.seconds:.2f} | {run.database_seconds:.2f} | {run.compose_seconds:.2f} | "
                  f"{run.smtp_seconds:.2f} | {run.longest_write:.3f} |")
    same = len({first.statements - first.recording for _, first, _ in results}) == 1 and len(
        {again.statements - again.recording for _, _, again in results}) == 1
    print(f"\nstatements apart from recording the same at every size: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
