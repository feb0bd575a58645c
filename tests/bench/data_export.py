"""Last ned alt mitt for a full year: 300 reflection notes with several versions each (plus the challenge,
actions and their log entries), exported as the button does it (JSON, archive, tables, zip), and the
same zip imported into an empty account.

    PYTHONPATH=. .venv/bin/python tests/bench/data_export.py [--notes 300] [--versions 3] [--words 300]
        [--runs 3] [--database-url postgresql://postgres@127.0.0.1:5432/postgres]

Without --database-url a fresh SQLite file is used; with one, a scratch database is made there and dropped.
Target (issue 12): the export under 5 s on this machine; the report gives the ratio to it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlmodel import Session

from ledpro_journal import db
from ledpro_journal.models import ActionStatus, DocumentKind
from ledpro_journal.services import accounts, data_export, data_import, journal, programme
from tests.helpers import make_admin, make_cohort, make_member

TARGET_SECONDS = 5.0
VOCABULARY = (
    "møtet gruppa leder ansvar tillit motstand oppgave grense rolle autoritet samarbeid endring kommune enhet "
    "stillhet spenning refleksjon læring handling observasjon hypotese avhengighet kamp flukt pardannelse "
    "og i på som det en for med til av at er var ikke men jeg vi de hun han seg dette etter før da når"
).split()
FIELDS = ("description", "feelings", "evaluation", "analysis", "conclusion", "action_plan")


def text(rng: random.Random, words: int) -> str:
    sentences = []
    while words > 0:
        n = min(words, rng.randint(6, 18))
        sentence = " ".join(rng.choice(VOCABULARY) for _ in range(n))
        sentences.append(sentence[0].upper() + sentence[1:] + ".")
        words -= n
    return " ".join(sentences).replace(". ", ".\n", 3)


def seed(engine, notes: int, versions: int, words: int):
    rng = random.Random(12)
    with Session(engine, expire_on_commit=False) as session:
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        kari = make_member(session, admin, cohort.id, "kari", name="Kari Nordmann")
        newcomer = make_member(session, admin, cohort.id, "nina", name="Nina Nykommer")
        gatherings = programme.list_gatherings(admin, session=session, cohort_id=cohort.id)
        challenge = journal.my_challenge(kari, session=session)
        for version in range(versions):
            journal.save_document(kari, session=session, document_id=challenge.id, base_version=version,
                                  fields={"title": "Møtekultur", "context": text(rng, words)})
        for n in range(notes // 10):
            action = journal.create_document(kari, session=session, kind=DocumentKind.ACTION,
                                             gathering_id=gatherings[n % len(gatherings)].id)
            journal.save_document(kari, session=session, document_id=action.id, base_version=0,
                                  fields={"title": f"Aksjon {n + 1}", "purpose": text(rng, words // 3)},
                                  gathering_id=action.gathering_id, happened_on=date(2024, 3, 1) + timedelta(n),
                                  status=ActionStatus.PLANNED)
            for _ in range(3):
                log = journal.create_document(kari, session=session, kind=DocumentKind.LOG, parent_id=action.id)
                journal.save_document(kari, session=session, document_id=log.id, base_version=0,
                                      fields={"observations": text(rng, words // 2)},
                                      happened_on=date(2024, 3, 2) + timedelta(n), status=ActionStatus.IN_PROGRESS)
        for n in range(notes):
            note = journal.create_document(kari, session=session, kind=DocumentKind.NOTE,
                                           gathering_id=gatherings[n % len(gatherings)].id)
            for version in range(versions):
                fields = {"title": f"Notat {n + 1}"}
                fields.update({key: text(rng, words // len(FIELDS)) for key in FIELDS})
                journal.save_document(kari, session=session, document_id=note.id, base_version=version,
                                      fields=fields, gathering_id=note.gathering_id)
        session.commit()
        return kari, newcomer


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--notes", type=int, default=300)
    parser.add_argument("--versions", type=int, default=3)
    parser.add_argument("--words", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    accounts.password_hasher = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)

    scratch = None
    if args.database_url:
        admin_engine = sa.create_engine(db.normalise_url(args.database_url), isolation_level="AUTOCOMMIT")
        scratch = f"ledpro_bench_{uuid.uuid4().hex[:10]}"
        with admin_engine.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{scratch}"'))
        url = sa.engine.make_url(db.normalise_url(args.database_url)).set(database=scratch).render_as_string(
            hide_password=False)
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = db.create_engine_for(url)
    try:
        db.migrate(engine)
        started = time.perf_counter()
        kari, newcomer = seed(engine, args.notes, args.versions, args.words)
        print(f"seeded {args.notes} notes x {args.versions} versions, {args.notes // 10} actions x 3 log entries "
              f"({time.perf_counter() - started:.1f} s) on {engine.dialect.name}")
        times = []
        for _ in range(args.runs):
            with Session(engine, expire_on_commit=False) as session:
                started = time.perf_counter()
                built = data_export.build_export(kari, session=session, lang="nb")
                times.append(time.perf_counter() - started)
        median = statistics.median(times)
        print(f"export: {len(built.content) / 1e6:.1f} MB zip; times {', '.join(f'{t:.2f}' for t in times)} s; "
              f"median {median:.2f} s = {median / TARGET_SECONDS:.2f} x the {TARGET_SECONDS:.0f} s target")
        with Session(engine, expire_on_commit=False) as session:
            started = time.perf_counter()
            data_import.import_export(newcomer, session=session, content=built.content)
            session.commit()
            print(f"import of the same zip into an empty account: {time.perf_counter() - started:.2f} s")
    finally:
        engine.dispose()
        if scratch:
            with admin_engine.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)'))
            admin_engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
