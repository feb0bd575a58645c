"""Does a journal page cost more when the database holds other people's writing?

    PYTHONPATH=. .venv/bin/python tests/bench/journal_pages.py [--participants 10000] [--db-dir /tmp/ledpro_bench]

Builds (or reuses, from --db-dir) a SQLite database with one cohort of N participants (about 100 documents
each: a challenge, actions, log entries and reflection notes of realistic length, each with its saved
revision; some drafts, some things in the bin, links from notes to actions and themes) and one heavy
participant (300 notes, 60 actions, 150 log entries, some in the bin). The heavy participant is written
identically into a second database that holds only the cohort and that participant.

Then every journal page is opened through the real entry script (AppTest, signed in as the heavy
participant) in both databases, and its rerun time measured (median of --runs reruns after one warm-up),
alternating the two databases and a trivial Streamlit page so that drift hits all three alike.

Targets: big/small at most 1.2 (a page's cost does not grow with other people's data) and every page
within 10x the trivial page. Exit code is always 0: this is a report. Pages over target get the
statements that grew most, with SQLite's EXPLAIN QUERY PLAN.

The schema and indexes are the real ones (Alembic migrations); rows are inserted in bulk with
SQLAlchemy Core (the same column types, so the stored values are what the app writes). No ANALYZE is
run, because the app does not run one either.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from streamlit import logger as streamlit_logger  # noqa: E402
from streamlit.runtime.pages_manager import PagesManager  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402

from ledpro_journal import config, db  # noqa: E402
from ledpro_journal.models import (  # noqa: E402
    ActionStatus,
    AuthSession,
    Cohort,
    CohortMembership,
    Document,
    DocumentKind,
    DocumentRevision,
    Draft,
    Gathering,
    NoteAction,
    NoteTheme,
    ReflectionGroup,
    Role,
    Theme,
    User,
)
from ledpro_journal.services import accounts, journal  # noqa: E402
from ledpro_journal.services.programme import LEDPRO_2024  # noqa: E402
from ledpro_journal.templates import FREE_TEXT, TEMPLATES, TITLE  # noqa: E402
from ledpro_journal.ui import app_server  # noqa: E402
from ledpro_journal.ui import session as ui_session  # noqa: E402

BUILD_VERSION = 3  # bump when the generated data changes, so that cached databases are rebuilt
SEED = 2024
ENTRY = ROOT / "streamlit_app.py"
CHUNK_PARTICIPANTS = 100  # ~10,000 documents per insert transaction
CACHE_MAX_AGE = timedelta(days=20)  # the bin keeps 30 days; gatherings are placed relative to the build day
RATIO_TARGET = 1.2
SLOW_SECONDS = 3.0  # a page slower than this in the big database is timed SLOW_RUNS times only
SLOW_RUNS = 3
TRIVIAL_TARGET = 10.0
# Pages allowed more than TRIVIAL_TARGET: Min oversikt draws four plotly charts and five tables (issue 11).
TRIVIAL_TARGETS = {"overview": 15.0, "overview (first)": 15.0}

# Everyone else: about 100 documents each.
OTHER_ACTIONS, OTHER_LOGS, OTHER_NOTES = 12, 27, 60
# The heavy participant (besides the challenge): live counts, plus what lies in the bin.
HEAVY_NOTES, HEAVY_ACTIONS, HEAVY_LOGS = 300, 60, 150
HEAVY_BIN_NOTES = 8
GROUP_SIZE = 6

WORDS = """
og i det som en på er til av at for med han ikke den har de om vi et var jeg så men kan også eller
ledelse leder lederen ledere organisasjon organisasjonen arbeid arbeidet arbeidsprosess oppgave oppgaven
primæroppgave rolle rollen autoritet myndighet grense grensene system systemet gruppe gruppen refleksjon
aksjon aksjoner aksjonslæring utfordring utfordringen endring endringer motstand spenning angst tillit
samarbeid kollega kolleger ansatte medarbeidere møte møtet samling samlingen tema teori hypotese praksis
erfaring erfaringer observasjon observasjoner følelse følelser opplevde opplevelse kjente tenkte sa spurte
svarte prøvde planla gjennomførte evaluerte lærte forsto merket la merke til etter før under mens derfor
fordi likevel kanskje egentlig nesten alltid aldri ofte sjelden tydelig uklar vanskelig lett viktig nødvendig
skole barnehage sykehus kommune avdeling enhet team ledergruppe styret rektor enhetsleder virksomhet
tjeneste brukere pasienter elever foreldre innbyggere ressurser budsjett tid rom struktur kultur verdier
mål målet hensikt hensikten plan planen neste steg handling handlinger beslutning beslutninger ansvar
tilbakemelding samtale samtalen dialog konflikt uenighet enighet forventninger krav press stress trygghet
usikkerhet mot fram tilbake inn ut opp ned hjem borte sammen alene selv hverandre noen ingen alle mange få
dag uke måned høst vår morgen kveld første andre tredje siste ny gammel stor liten god dårlig sterk svak
""".split()

TITLES = """
Første møte med ledergruppen|Motstand i personalmøtet|Hva skjer når jeg trekker meg tilbake|Rollen min i
omstillingen|Samling to: grenser og autoritet|Tilbakemelding fra teamet|Planlegging av medarbeidersamtaler|
Uenighet om budsjettet|Refleksjon etter veiledningsgruppen|Ny struktur i avdelingen|Tillit og kontroll|
Primæroppgaven på nytt|Hvem eier problemet|Angst og forsvar i gruppen|Å lede uten å vite svaret|
Observasjoner fra morgenmøtet|Spenning mellom enhetene|Når planen ikke holder|Min egen autoritet|
Evaluering av aksjonen|Samtale med rektor|Grensene rundt teamet|Beslutninger som ikke blir tatt|
Det uuttalte i rommet|Hypotese om motstanden|Hva jeg lærte denne uken
""".replace("\n", " ").split("|")


def utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt


# --- text ----------------------------------------------------------------------------------------------


@dataclass
class Pool:
    """Pre-generated paragraphs (50-400 words) with their derived forms, so that a million documents
    need no per-character work: a document's field is a paragraph (or, for free text, several)."""

    texts: list[str]
    printable: list[str]  # journal._printable(text), lowered
    words: list[int]
    titles: list[str]

    @classmethod
    def make(cls, rng: random.Random, size: int = 3000) -> Pool:
        texts = []
        for _ in range(size):
            remaining = rng.randint(50, 400)
            sentences = []
            while remaining > 0:
                n = min(remaining, rng.randint(6, 18))
                remaining -= n
                sentence = " ".join(rng.choice(WORDS) for _ in range(n))
                sentences.append(sentence[0].upper() + sentence[1:] + rng.choice(".....?"))
            text = ""
            for sentence in sentences:
                text += (("\n\n" if rng.random() < 0.15 else " ") if text else "") + sentence
            texts.append(text)
        printable = [journal._printable(t, 10**7).lower() for t in texts]
        words = [journal.count_words(t) for t in texts]
        return cls(texts, printable, words, [t.strip() for t in TITLES if t.strip()])


class DocMaker:
    """Builds document and revision rows whose derived columns equal what journal._derive computes."""

    def __init__(self, pool: Pool, rng: random.Random):
        self.pool = pool
        self.rng = rng

    def fields(self, template: str) -> tuple[dict[str, str], str, str, int]:
        """fields, excerpt, search_text, word_count."""
        rng, pool = self.rng, self.pool
        title = rng.choice(pool.titles)
        keys = list(TEMPLATES[template].fields)
        count = rng.randint(3, 6)
        if len(keys) >= count:
            chosen = sorted(rng.sample(range(len(keys)), count))
            layout = [(keys[i], [rng.randrange(len(pool.texts))]) for i in chosen]
        else:  # few questions: the rest goes to free text, several paragraphs
            layout = [(k, [rng.randrange(len(pool.texts))]) for k in keys]
            layout.append((FREE_TEXT, [rng.randrange(len(pool.texts)) for _ in range(count - len(keys))]))
        fields = {TITLE: title}
        body_parts, search_parts, words = [], [journal._printable(title, 10**7).lower()], journal.count_words(title)
        for key, indices in layout:
            fields[key] = "\n\n".join(pool.texts[i] for i in indices)
            body_parts.extend(pool.printable[i] for i in indices)
            words += sum(pool.words[i] for i in indices)
        search_parts.extend(body_parts)
        # excerpt keeps the case of the text: take it from the original, it is short
        excerpt = journal._printable(" ".join(fields[k] for k, _ in layout)[:2000], 300)
        return fields, excerpt, " ".join(search_parts), words


def document_row(maker: DocMaker, **values) -> tuple[dict, dict]:
    fields, excerpt, search_text, words = maker.fields(values["template"])
    row = dict(
        fields=fields, title=journal._printable(fields[TITLE], 200), excerpt=excerpt, search_text=search_text,
        word_count=words, gathering_id=None, happened_on=None, status=None, parent_id=None, deleted_at=None,
        version=1,
    )
    row.update(values)
    return row, fields


def revision_rows(maker: DocMaker, row: dict) -> list[dict]:
    """One revision per saved version; earlier versions hold other text (the current one is the row's)."""
    rows = []
    for version in range(1, row["version"] + 1):
        if version == row["version"]:
            fields, words = row["fields"], row["word_count"]
        else:
            fields, _, _, words = maker.fields(row["template"])
        saved = row["updated_at"] - timedelta(days=row["version"] - version)
        rows.append(dict(document_id=row["id"], version=version, template=row["template"], fields=fields,
                         word_count=words, saved_at=saved))
    return rows


# --- the data ------------------------------------------------------------------------------------------


@dataclass
class Programme:
    cohort: dict
    themes: list[dict]
    gatherings: list[dict]


def programme_rows(today: date, now: datetime) -> Programme:
    cohort = dict(id=1, name="LEDPRO benk", institution=LEDPRO_2024["institution"], place=LEDPRO_2024["place"],
                  created_at=now - timedelta(days=240))
    themes = [dict(id=i, cohort_id=1, position=i, name=name) for i, name in enumerate(LEDPRO_2024["themes"], 1)]
    # Four gatherings behind, two ahead: the "due before the next gathering" parts of the pages have content.
    offsets = [-200, -150, -100, -50, 20, 70]
    gatherings = [
        dict(id=number, cohort_id=1, number=number, start_date=today + timedelta(days=offset),
             end_date=today + timedelta(days=offset + 1), place=cohort["place"],
             theme_id=themes[theme_index]["id"])
        for (number, _s, _e, theme_index), offset in zip(LEDPRO_2024["gatherings"], offsets, strict=False)
    ]
    return Programme(cohort, themes, gatherings)


@dataclass
class Rows:
    """Rows for one batch of inserts, table by table."""

    users: list[dict] = field(default_factory=list)
    memberships: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)
    revisions: list[dict] = field(default_factory=list)
    drafts: list[dict] = field(default_factory=list)
    note_actions: list[dict] = field(default_factory=list)
    note_themes: list[dict] = field(default_factory=list)

    def extend(self, other: Rows) -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).extend(getattr(other, name))


def user_row(user_id: int, number: int, password_hash: str, now: datetime, *, heavy: bool = False) -> dict:
    return dict(
        id=user_id, username="tung.deltaker" if heavy else f"deltaker{number:05d}",
        display_name="Tuva Tung" if heavy else f"Deltaker {number:05d}", password_hash=password_hash,
        role=Role.PARTICIPANT.value, is_active=True, language="nb", candidate_number=f"{100000 + number}",
        created_at=now - timedelta(days=230), password_changed_at=now - timedelta(days=230), deactivated_at=None,
    )


def participant_documents(
    maker: DocMaker, rng: random.Random, *, owner_id: int, next_id, prog: Programme, now: datetime, today: date,
    actions: int, logs: int, notes: int, bin_notes: int, unsaved: int, drafts_on_saved: int,
    versions_for=lambda kind: 1,
) -> Rows:
    """One participant's writing. `next_id()` hands out document ids."""
    out = Rows()
    past = [g for g in prog.gatherings if g["start_date"] <= today]
    periods = [None] + [g["id"] for g in past]
    current = past[-1]["id"] if past else None
    theme_ids = [t["id"] for t in prog.themes]

    def stamp() -> datetime:
        return now - timedelta(days=rng.uniform(0.5, 230), seconds=rng.randint(0, 86400))

    def add(kind: DocumentKind, template: str, **values) -> dict:
        created = stamp()
        row, _ = document_row(
            maker, id=next_id(), owner_id=owner_id, cohort_id=1, kind=kind.value, template=template,
            created_at=created, updated_at=created + timedelta(hours=rng.uniform(0, 48)),
            version=versions_for(kind), **values,
        )
        out.documents.append(row)
        out.revisions.extend(revision_rows(maker, row))
        return row

    add(DocumentKind.CHALLENGE, "A")
    action_rows = []
    for _ in range(actions):
        period = rng.choice(periods)
        if period == current:
            status = rng.choice([ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.DONE])
        else:
            status = rng.choice([ActionStatus.DONE, ActionStatus.DONE, ActionStatus.DROPPED, ActionStatus.IN_PROGRESS])
        action_rows.append(add(DocumentKind.ACTION, "B", gathering_id=period, status=status.value,
                               happened_on=today - timedelta(days=rng.randint(-30, 200))))
    # Two thirds of the actions get the log entries, so that some are still waiting for one.
    logged = action_rows[: max(1, (len(action_rows) * 2) // 3)] if action_rows else []
    for _ in range(logs if logged else 0):
        action = rng.choice(logged)
        add(DocumentKind.LOG, "C", parent_id=action["id"], status=action["status"],
            happened_on=today - timedelta(days=rng.randint(0, 200)))
    note_rows = []
    for _ in range(notes + bin_notes):
        note = add(DocumentKind.NOTE, rng.choice(["D1", "D1", "D2", "E", "F", "G"]),
                   gathering_id=rng.choice([None] + [g["id"] for g in past]))
        note_rows.append(note)
        if action_rows and rng.random() < 0.4:
            for action in rng.sample(action_rows, rng.choice([1, 1, 2])):
                out.note_actions.append(dict(note_id=note["id"], action_id=action["id"]))
        if rng.random() < 0.5:
            for theme_id in rng.sample(theme_ids, rng.choice([1, 2])):
                out.note_themes.append(dict(note_id=note["id"], theme_id=theme_id))
    for note in note_rows[len(note_rows) - bin_notes:]:
        note["deleted_at"] = now - timedelta(days=rng.uniform(0.1, 5))
    # Opened and left: version 0, no revision; some with typed text kept as a draft.
    for i in range(unsaved):
        created = stamp()
        row = dict(id=next_id(), owner_id=owner_id, cohort_id=1, kind=DocumentKind.NOTE.value, template="D1",
                   fields={}, title="", excerpt="", search_text="", word_count=0, version=0, gathering_id=None,
                   happened_on=None, status=None, parent_id=None, created_at=created, updated_at=created,
                   deleted_at=None)
        out.documents.append(row)
        if i % 2 == 0:
            out.drafts.append(dict(document_id=row["id"], field="description", base_version=0, saved_at=created,
                                   text=maker.pool.texts[rng.randrange(len(maker.pool.texts))]))
    saved = [r for r in out.documents if r["version"] > 0 and r["deleted_at"] is None]
    for row in rng.sample(saved, min(drafts_on_saved, len(saved))):
        key = next((k for k in row["fields"] if k != TITLE), TITLE)
        out.drafts.append(dict(document_id=row["id"], field=key, base_version=row["version"],
                               saved_at=row["updated_at"] + timedelta(minutes=5),
                               text=row["fields"][key] + " Og litt til."))
    return out


def heavy_rows(pool: Pool, prog: Programme, ids: list[int], *, user_id: int, now: datetime, today: date) -> Rows:
    """The heavy participant, from its own seed: identical in both databases."""
    rng = random.Random(SEED + 1)
    maker = DocMaker(pool, rng)
    queue = iter(ids)

    def versions(kind: DocumentKind) -> int:
        return {DocumentKind.CHALLENGE: 6}.get(kind, rng.choice([1, 1, 1, 2, 3]))

    out = participant_documents(
        maker, rng, owner_id=user_id, next_id=lambda: next(queue), prog=prog, now=now, today=today,
        actions=HEAVY_ACTIONS + 1, logs=HEAVY_LOGS + 2, notes=HEAVY_NOTES, bin_notes=HEAVY_BIN_NOTES, unsaved=2,
        drafts_on_saved=3, versions_for=versions,
    )
    # One action (the last one) in the bin with two log entries of its own, deleted with it.
    actions = [r for r in out.documents if r["kind"] == DocumentKind.ACTION.value]
    binned = actions[-1]
    when = now - timedelta(days=2)
    binned["deleted_at"] = when
    logs = [r for r in out.documents if r["kind"] == DocumentKind.LOG.value]
    for log in logs[-2:]:
        log["parent_id"], log["status"], log["deleted_at"] = binned["id"], binned["status"], when
    out.note_actions = [link for link in out.note_actions if link["action_id"] != binned["id"]]
    assert len(actions) - 1 == HEAVY_ACTIONS and len(logs) - 2 == HEAVY_LOGS
    return out


def heavy_note_id(rows: Rows) -> int:
    """The note the write page opens: saved several times, linked to actions and themes."""
    linked = {link["note_id"] for link in rows.note_actions} & {link["note_id"] for link in rows.note_themes}
    notes = [r for r in rows.documents if r["kind"] == DocumentKind.NOTE.value and r["deleted_at"] is None
             and r["version"] >= 2 and r["id"] in linked]
    return max(notes, key=lambda r: (r["version"], r["word_count"]))["id"]


# --- building ---------------------------------------------------------------------------------------------

TABLES = [
    ("users", User), ("memberships", CohortMembership), ("groups", ReflectionGroup), ("sessions", AuthSession),
    ("documents", Document), ("revisions", DocumentRevision), ("drafts", Draft), ("note_actions", NoteAction),
    ("note_themes", NoteTheme),
]
INSERT_ORDER = ["groups", "users", "memberships", "sessions", "documents", "revisions", "drafts", "note_actions",
                "note_themes"]


def build_engine(path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{path}")

    @sa.event.listens_for(engine, "connect")
    def pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.execute("PRAGMA foreign_keys=OFF")
        cursor.execute("PRAGMA cache_size=-400000")
        cursor.close()

    return engine


def insert(connection: sa.Connection, rows: Rows) -> None:
    models = dict(TABLES)
    for name in INSERT_ORDER:
        batch = getattr(rows, name)
        if name == "documents":
            batch.sort(key=lambda r: r["id"])
        for start in range(0, len(batch), 10_000):
            connection.execute(sa.insert(models[name].__table__), batch[start:start + 10_000])


def migrate(path: Path) -> None:
    engine = db.create_engine_for(f"sqlite:///{path}")
    db.migrate(engine)
    engine.dispose()


def programme_insert(connection: sa.Connection, prog: Programme) -> None:
    connection.execute(sa.insert(Cohort.__table__), [prog.cohort])
    connection.execute(sa.insert(Theme.__table__), prog.themes)
    connection.execute(sa.insert(Gathering.__table__), prog.gatherings)


def others_per_participant() -> int:
    return 1 + OTHER_ACTIONS + OTHER_LOGS + OTHER_NOTES


@dataclass
class Plan:
    """Ids fixed in advance, so that the heavy participant's rows are the same in both databases and lie
    spread through the big one (written over the year among everyone else's), not at its end."""

    participants: int
    heavy_index: int
    heavy_user_id: int
    heavy_group_id: int
    heavy_doc_ids: list[int]
    reserved: set[int]

    @classmethod
    def make(cls, participants: int) -> Plan:
        heavy_count = 1 + (HEAVY_ACTIONS + 1) + (HEAVY_LOGS + 2) + HEAVY_NOTES + HEAVY_BIN_NOTES + 2
        # others: the fixed mix, plus at most 1 unsaved note each
        total = participants * (others_per_participant() + 1) + heavy_count
        stride = max(1, total // heavy_count)
        heavy_doc_ids = [1 + i * stride for i in range(heavy_count)]
        heavy_index = participants // 2
        return cls(participants, heavy_index, heavy_index + 1, heavy_index // GROUP_SIZE + 1, heavy_doc_ids,
                   set(heavy_doc_ids))


def build_big(path: Path, plan: Plan, pool: Pool, password_hash: str, now: datetime, today: date,
              heavy: Rows, *, revisions_for_others: bool) -> dict:
    migrate(path)
    engine = build_engine(path)
    rng = random.Random(SEED)
    maker = DocMaker(pool, rng)
    prog = programme_rows(today, now)
    counter = iter(range(1, 10**9))

    def next_id() -> int:
        while True:
            value = next(counter)
            if value not in plan.reserved:
                return value

    heavy_docs = sorted(heavy.documents, key=lambda r: r["id"])
    heavy_pos = 0  # heavy_docs[:heavy_pos] are written
    started = time.perf_counter()
    with engine.begin() as connection:
        programme_insert(connection, prog)
    people = plan.participants + 1  # the heavy participant has a user number of their own
    for chunk_start in range(0, people, CHUNK_PARTICIPANTS):
        rows = Rows()
        for number in range(chunk_start, min(people, chunk_start + CHUNK_PARTICIPANTS)):
            user_id = number + 1
            group_id = number // GROUP_SIZE + 1
            if number % GROUP_SIZE == 0:
                rows.groups.append(dict(id=group_id, cohort_id=1, name=f"Gruppe {group_id}"))
            if number == plan.heavy_index:
                rows.users.append(user_row(user_id, number, password_hash, now, heavy=True))
                rows.memberships.append(dict(cohort_id=1, user_id=user_id, role=Role.PARTICIPANT.value,
                                             group_id=group_id, part=1, joined_at=now - timedelta(days=230)))
                continue
            rows.users.append(user_row(user_id, number, password_hash, now))
            rows.memberships.append(dict(cohort_id=1, user_id=user_id, role=Role.PARTICIPANT.value,
                                         group_id=group_id, part=1, joined_at=now - timedelta(days=230)))
            rows.sessions.append(dict(
                token_hash=hashlib.sha256(f"s{number}".encode()).hexdigest(), user_id=user_id,
                created_at=now - timedelta(days=3), last_seen_at=now - timedelta(days=1),
                expires_at=now + timedelta(days=80), revoked_at=None, user_agent="Mozilla/5.0 (benk)",
            ))
            mine = participant_documents(
                maker, rng, owner_id=user_id, next_id=next_id, prog=prog, now=now, today=today,
                actions=OTHER_ACTIONS, logs=OTHER_LOGS, notes=OTHER_NOTES - 2, bin_notes=2,
                unsaved=1 if rng.random() < 0.3 else 0, drafts_on_saved=1 if rng.random() < 0.3 else 0,
            )
            if not revisions_for_others:
                mine.revisions = []
            rows.extend(mine)
        # the heavy participant's documents whose ids fall within this chunk's
        high = max((r["id"] for r in rows.documents), default=0)
        last_chunk = chunk_start + CHUNK_PARTICIPANTS >= people
        first = heavy_pos
        while heavy_pos < len(heavy_docs) and (heavy_docs[heavy_pos]["id"] <= high or last_chunk):
            heavy_pos += 1
        fresh = {r["id"] for r in heavy_docs[first:heavy_pos]}
        rows.documents.extend(heavy_docs[first:heavy_pos])
        rows.revisions.extend(r for r in heavy.revisions if r["document_id"] in fresh)
        rows.drafts.extend(r for r in heavy.drafts if r["document_id"] in fresh)
        if last_chunk:
            rows.note_actions.extend(heavy.note_actions)
            rows.note_themes.extend(heavy.note_themes)
        with engine.begin() as connection:
            insert(connection, rows)
        done = min(people, chunk_start + CHUNK_PARTICIPANTS)
        if done % (CHUNK_PARTICIPANTS * 10) == 0 or last_chunk:
            elapsed = time.perf_counter() - started
            print(f"  built {done:>6} of {people} participants, {elapsed:6.0f} s", flush=True)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return {"build_seconds": round(time.perf_counter() - started, 1)}


def build_small(path: Path, plan: Plan, password_hash: str, now: datetime, today: date, heavy: Rows) -> None:
    migrate(path)
    engine = build_engine(path)
    rows = Rows()
    rows.extend(heavy)
    rows.groups.append(dict(id=plan.heavy_group_id, cohort_id=1, name=f"Gruppe {plan.heavy_group_id}"))
    rows.users.append(user_row(plan.heavy_user_id, plan.heavy_index, password_hash, now, heavy=True))
    rows.memberships.append(dict(cohort_id=1, user_id=plan.heavy_user_id, role=Role.PARTICIPANT.value,
                                 group_id=plan.heavy_group_id, part=1, joined_at=now - timedelta(days=230)))
    with engine.begin() as connection:
        programme_insert(connection, programme_rows(today, now))
        insert(connection, rows)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()


def table_counts(path: Path) -> dict[str, int]:
    engine = sa.create_engine(f"sqlite:///{path}")
    names = ["users", "cohort_memberships", "reflection_groups", "documents", "document_revisions", "drafts",
             "note_actions", "note_themes", "auth_sessions"]
    with engine.connect() as connection:
        counts = {n: connection.exec_driver_sql(f"SELECT count(*) FROM {n}").scalar() for n in names}
    engine.dispose()
    return counts


def file_size(path: Path) -> int:
    return sum(p.stat().st_size for p in [path, Path(f"{path}-wal")] if p.exists())


# --- measuring ----------------------------------------------------------------------------------------------


def _init_keeping_navigation(original):
    """See tests/app/conftest.py (navigation_as_on_a_running_server): AppTest resets the pages-folder flag
    before each run; without this every rerun after the first would skip the entry script."""

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        app_server.navigate_only_with_st_navigation()

    return init


PagesManager.__init__ = _init_keeping_navigation(PagesManager.__init__)
app_server.mark_served_by_app()  # as app.py's server does: the entry serves the app, not "start with ./run.sh"
streamlit_logger.set_log_level("error")  # AppTest's bare-mode warnings ("missing ScriptRunContext") are noise here
for _name in ("streamlit.runtime.scriptrunner_utils.script_run_context", "streamlit.runtime.state.session_state_proxy"):
    logging.getLogger(_name).disabled = True

_token: str | None = None
ui_session.session_token = lambda: _token


@dataclass
class Target:
    label: str
    url: str
    token: str


def use(target: Target) -> None:
    global _token
    os.environ["LEDPRO_DATABASE_URL"] = target.url
    config.get_settings.cache_clear()
    config.get_settings()
    _token = target.token


def sign_in(url: str, user_id: int) -> str:
    engine = db.create_engine_for(url)
    with Session(engine, expire_on_commit=False) as session:
        user = session.get(User, user_id)
        token = accounts.start_session(session, user)
        session.commit()
    engine.dispose()
    return token


PAGES = [
    ("home", "pages/home.py", None),
    ("challenge", "pages/challenge.py", None),
    ("actions", "pages/actions.py", None),
    ("notes", "pages/notes.py", None),
    ("notes + search", "pages/notes.py", "search"),
    ("write (note)", "pages/write.py", "note"),
    ("bin", "pages/bin.py", None),
    ("overview", "pages/overview.py", None),
    ("overview (first)", "pages/overview.py", "first"),
]


def forget_overview_figures() -> None:
    """Min oversikt keeps the figures of an unchanged journal from one rerun to the next, and the saved
    versions it read; "first" measures the rerun that works them out and reads them (the first after a
    server start; after a save only that document's versions are read again)."""
    from ledpro_journal.services import overview
    from ledpro_journal.ui import overview as sections

    overview.assemble.cache_clear()
    sections._my_sections.cache_clear()
    with overview._VERSIONS_LOCK:
        overview._VERSIONS.clear()


BEFORE_EACH_RUN = {"first": forget_overview_figures}


def open_app(target: Target, page: str, variant: str | None, note_id: int) -> AppTest:
    use(target)
    at = AppTest.from_file(str(ENTRY), default_timeout=300)
    at.run()
    check(at, target, "entry")
    if page != "pages/home.py":
        at.switch_page(page)
        if variant == "note":
            at.query_params["id"] = str(note_id)
        at.run()
    if variant == "search":
        at.text_input(key="notes_query").set_value("motstand")
        at.run()
    check(at, target, page)
    return at


def check(at: AppTest, target: Target, where: str) -> None:
    if at.exception:
        raise SystemExit(f"{target.label} {where}: {[e.value for e in at.exception]}")
    if [title.value for title in at.title] in ([], ["LEDPRO Journal"]):
        raise SystemExit(f"{target.label} {where}: signed out or empty page")


def timed_run(at: AppTest, target: Target | None) -> float:
    if target is not None:
        use(target)
    start = time.perf_counter()
    at.run()
    elapsed = time.perf_counter() - start
    if at.exception:
        raise SystemExit(f"exception during timing: {[e.value for e in at.exception]}")
    return elapsed


class StatementLog:
    """Every SQL statement of one run, with its time: to show what grew when a page is over target."""

    def __init__(self):
        self.active = False
        self.entries: list[tuple[str, object, float]] = []
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self.before)
        sa.event.listen(sa.engine.Engine, "after_cursor_execute", self.after)

    def before(self, conn, cursor, statement, parameters, context_, executemany):
        conn.info.setdefault("bench_start", []).append(time.perf_counter())

    def after(self, conn, cursor, statement, parameters, context_, executemany):
        start = conn.info["bench_start"].pop()
        if self.active:
            self.entries.append((statement, parameters, time.perf_counter() - start))

    def capture(self, at: AppTest, target: Target, runs: int) -> dict[str, tuple[float, int, object]]:
        """Per statement: the median over `runs` reruns of its time per rerun, its count, its parameters."""
        per_run = []
        for _ in range(runs):
            self.entries = []
            use(target)
            self.active = True
            try:
                at.run()
            finally:
                self.active = False
            summed: dict[str, list] = defaultdict(lambda: [0.0, 0, None])
            for statement, parameters, seconds in self.entries:
                item = summed[statement]
                item[0] += seconds
                item[1] += 1
                item[2] = parameters
            per_run.append(summed)
        return {
            s: (statistics.median(run[s][0] if s in run else 0.0 for run in per_run), per_run[-1][s][1],
                per_run[-1][s][2])
            for s in per_run[-1]
        }


def explain(url: str, statement: str, parameters) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters).all()
            return [row[-1] for row in rows]
    except Exception as error:  # noqa: BLE001 - a report, not a test
        return [f"(no plan: {error})"]
    finally:
        engine.dispose()


def measure(big: Target, small: Target, note_id: int, runs: int,
            only: set[str] | None = None) -> tuple[list[dict], float, dict]:
    trivial = AppTest.from_string("import streamlit as st\nst.write('hei')", default_timeout=60)
    trivial.run()
    trivial_times: list[float] = []
    results = []
    statements = StatementLog()
    diagnostics = {}
    for label, page, variant in [entry for entry in PAGES if not only or entry[0] in only]:
        apps = {"big": open_app(big, page, variant, note_id), "small": open_app(small, page, variant, note_id)}
        targets = {"big": big, "small": small}
        times = {"big": [], "small": []}
        order = ["big", "small", "trivial"]
        page_runs = runs
        if timed_run(apps["big"], big) > SLOW_SECONDS:  # one more warm-up, and a probe for very slow pages
            page_runs = min(runs, SLOW_RUNS)
            print(f"  {label}: a rerun takes over {SLOW_SECONDS:g} s in the big database: {page_runs} reruns only")
        for i in range(page_runs):
            for which in order[i % 3:] + order[: i % 3]:  # rotate, so no one always goes first
                if which == "trivial":
                    trivial_times.append(timed_run(trivial, None))
                else:
                    BEFORE_EACH_RUN.get(variant, lambda: None)()
                    times[which].append(timed_run(apps[which], targets[which]))
        results.append(dict(label=label, page=page, big=statistics.median(times["big"]),
                            small=statistics.median(times["small"]), runs=page_runs))
        diagnostics[label] = {which: statements.capture(apps[which], targets[which], 1 if page_runs < runs else 3)
                              for which in ("big", "small")}
        print(f"  measured {label}", flush=True)
    return results, statistics.median(trivial_times), diagnostics


def report_growth(label: str, diag: dict, big_url: str) -> None:
    big, small = diag["big"], diag["small"]
    growth = sorted(((big[s][0] - small.get(s, (0.0,))[0], s) for s in big), reverse=True)[:4]
    total_big = sum(v[0] for v in big.values()) * 1000
    total_small = sum(v[0] for v in small.values()) * 1000
    print(f"\n{label}: SQL time per run {total_big:.1f} ms (big) vs {total_small:.1f} ms (small), "
          f"{sum(v[1] for v in big.values())} statements")
    for extra, statement in growth:
        if extra * 1000 < 0.5:
            continue
        seconds, count, parameters = big[statement]
        print(f"  +{extra * 1000:.1f} ms ({count}x, {seconds * 1000:.1f} ms in big): "
              f"{' '.join(statement.split())[:400]}")
        for line in explain(big_url, statement, parameters):
            print(f"      plan: {line}")


# --- main ------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--db-dir", type=Path, default=Path("/tmp/ledpro_bench"))
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--pages", nargs="+", metavar="LABEL", help="measure only these pages (e.g. overview)")
    parser.add_argument("--no-revisions-for-others", action="store_true",
                        help="keep revisions for the heavy participant only (smaller, faster build)")
    args = parser.parse_args()
    command = "PYTHONPATH=. .venv/bin/python tests/bench/journal_pages.py " + " ".join(sys.argv[1:])
    args.db_dir.mkdir(parents=True, exist_ok=True)
    revisions_for_others = not args.no_revisions_for_others

    plan = Plan.make(args.participants)
    key = hashlib.sha256(json.dumps([BUILD_VERSION, SEED, args.participants, revisions_for_others, OTHER_ACTIONS,
                                     OTHER_LOGS, OTHER_NOTES]).encode()).hexdigest()[:10]
    big_path = args.db_dir / f"big_{args.participants}p_{key}.db"
    meta_path = big_path.with_suffix(".json")
    small_path = args.db_dir / f"small_{key}.db"

    meta = json.loads(meta_path.read_text()) if meta_path.exists() and big_path.exists() else None
    if meta and datetime.now(UTC) - datetime.fromisoformat(meta["built_at"]) > CACHE_MAX_AGE:
        print("cached database too old (bin and gatherings are relative to the build day): rebuilding")
        meta = None
    now = datetime.fromisoformat(meta["built_at"]) if meta else datetime.now(UTC)
    today = date.fromisoformat(meta["today"]) if meta else date.today()

    pool = Pool.make(random.Random(SEED))
    password_hash = accounts.password_hasher.hash("et langt nok benkpassord")
    heavy = heavy_rows(pool, programme_rows(today, now), plan.heavy_doc_ids, user_id=plan.heavy_user_id,
                       now=now, today=today)
    note_id = heavy_note_id(heavy)
    sanity_check(heavy)

    if meta is None:
        for p in [big_path, Path(f"{big_path}-wal"), Path(f"{big_path}-shm")]:
            p.unlink(missing_ok=True)
        print(f"building {big_path} ({args.participants} participants) ...", flush=True)
        meta = build_big(big_path, plan, pool, password_hash, now, today, heavy,
                         revisions_for_others=revisions_for_others)
        meta.update(built_at=now.isoformat(), today=today.isoformat(), revisions_for_others=revisions_for_others)
        meta_path.write_text(json.dumps(meta))
        reused = False
    else:
        reused = True
    for p in [small_path, Path(f"{small_path}-wal"), Path(f"{small_path}-shm")]:
        p.unlink(missing_ok=True)
    started = time.perf_counter()
    build_small(small_path, plan, password_hash, now, today, heavy)
    small_seconds = time.perf_counter() - started

    big_url, small_url = f"sqlite:///{big_path}", f"sqlite:///{small_path}"
    big = Target("big", big_url, sign_in(big_url, plan.heavy_user_id))
    small = Target("small", small_url, sign_in(small_url, plan.heavy_user_id))
    big_counts, small_counts = table_counts(big_path), table_counts(small_path)

    print("measuring ...", flush=True)
    results, trivial, diagnostics = measure(big, small, note_id, args.runs, set(args.pages or ()))
    db.dispose_engines()

    print("\n=== LEDPRO Journal: journal page rerun time vs other people's data ===")
    print(f"command: {command}")
    print(f"big database:   {big_path} ({file_size(big_path) / 2**30:.2f} GiB), "
          + (f"reused (built {meta['built_at'][:16]}Z in {meta['build_seconds']:.0f} s)" if reused
             else f"built in {meta['build_seconds']:.0f} s"))
    print(f"small database: {small_path} ({file_size(small_path) / 2**20:.1f} MiB), built in {small_seconds:.1f} s")
    if not meta.get("revisions_for_others", True):
        print("note: revisions kept for the heavy participant only (--no-revisions-for-others)")
    print("rows (big / small): " + ", ".join(f"{k} {big_counts[k]:,} / {small_counts[k]:,}" for k in big_counts))
    heavy_kinds = defaultdict(int)
    for r in heavy.documents:
        heavy_kinds[(r["kind"], "bin" if r["deleted_at"] else ("unsaved" if r["version"] == 0 else "live"))] += 1
    print("heavy participant: " + ", ".join(f"{k[0]} {k[1]} {v}" for k, v in sorted(heavy_kinds.items()))
          + f", {len(heavy.revisions)} revisions, {len(heavy.drafts)} drafts, "
          f"{len(heavy.note_actions)} note-action and {len(heavy.note_themes)} note-theme links; write page opens "
          f"note {note_id}")
    print(f"median of {args.runs} reruns after one warm-up; trivial page (st.write('hei')): {trivial * 1000:.1f} ms\n")
    header = (f"{'page':<16} {'big ms':>9} {'small ms':>9} {'big/small':>10} {'':>5} {'big/trivial':>12} "
              f"{'small/trivial':>14} {'':>5}")
    print(header)
    print("-" * len(header))
    over = []
    for r in results:
        ratio = r["big"] / r["small"]
        big_x, small_x = r["big"] / trivial, r["small"] / trivial
        ratio_ok = ratio <= RATIO_TARGET
        trivial_ok = max(big_x, small_x) <= TRIVIAL_TARGETS.get(r["label"], TRIVIAL_TARGET)
        note = "" if r["runs"] == args.runs else f"  ({r['runs']} reruns)"
        print(f"{r['label']:<16} {r['big'] * 1000:>9.1f} {r['small'] * 1000:>9.1f} {ratio:>10.2f} "
              f"{'OK' if ratio_ok else 'OVER':>5} {big_x:>12.1f} {small_x:>14.1f} {'OK' if trivial_ok else 'OVER':>5}"
              f"{note}")
        if not (ratio_ok and trivial_ok):
            over.append(r["label"])
    print(f"\ntargets: big/small <= {RATIO_TARGET}; page <= {TRIVIAL_TARGET:g}x trivial in both databases"
          + "".join(f" ({label}: {target:g}x)" for label, target in TRIVIAL_TARGETS.items()))
    print("SQL time per rerun (instrumented reruns after the timed ones, median; big vs small):")
    for r in results:
        d = diagnostics[r["label"]]
        print(f"  {r['label']:<16} {sum(v[0] for v in d['big'].values()) * 1000:7.1f} ms vs "
              f"{sum(v[0] for v in d['small'].values()) * 1000:7.1f} ms, "
              f"{sum(v[1] for v in d['big'].values())} statements")
    for label in over:
        report_growth(label, diagnostics[label], big_url)


def sanity_check(heavy: Rows) -> None:
    """The bulk rows' derived columns are exactly what the app's own _derive makes of the same fields."""
    for row in heavy.documents[:40]:
        if row["version"] == 0:
            continue
        document = Document(owner_id=1, cohort_id=1, kind=row["kind"], template=row["template"], fields=row["fields"])
        journal._derive(document)
        for column in ("title", "excerpt", "search_text", "word_count"):
            assert getattr(document, column) == row[column], (column, row["id"])


if __name__ == "__main__":
    main()
