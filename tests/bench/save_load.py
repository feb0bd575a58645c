"""A whole gathering writing at once: save times at 60 writers against one writer alone, in the same run.

    PYTHONPATH=. .venv/bin/python tests/bench/save_load.py [--writers 60] [--rounds 10] [--databases sqlite,postgresql]
        [--pg-flush on|off|both]

For SQLite and for PostgreSQL (127.0.0.1:5432) a database gets N participants with a note each and a real
server (`streamlit run app.py`); everyone signs in over HTTP. Two ways of saving are measured:

- drafts API: PUT /api/drafts/<id> against the server (what the editor sends while someone types),
- service save: journal.save_document in this process, each writer in its own thread and session
  (what Lagre runs on the server),

each in three patterns, one after the other on the same server and database:

- alone:    one writer, pausing 0.5-1.5 s before each request (the editor sends a draft 0.6 s after
            typing stops; a writer pauses about once a second),
- together: N writers at that pace, all starting at the same moment. Target: p95 at most 3x alone's.
- burst:    N writers sending at the very same instant, round after round. No server can answer N
            requests in the time of one: p95 here is the time it takes to serve the whole burst, and
            the report gives that as requests per second served.

Prints p50/p95 per pattern and the ratios to alone. Exit code is always 0: this is a report.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session  # noqa: E402

from ledpro_journal import db  # noqa: E402
from ledpro_journal.services import journal  # noqa: E402
from tests.browser.conftest import AppServer, seed  # noqa: E402
from tests.helpers import PASSWORD, participants_with_a_note  # noqa: E402

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"
DRAFT_HEADERS = {"X-LEDPRO-Draft": "1", "Content-Type": "application/json"}
PAUSE = (0.5, 1.5)
# Paragraph-sized text: what a draft carries while someone writes a reflection note.
TEXT = "Jeg merket at gruppen ble stille da vi snakket om tillit, og det har jeg tenkt mye på siden. " * 6


def quantiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000


# --- the drafts API over HTTP ---------------------------------------------------------------------------


async def sign_in(client: httpx.AsyncClient, username: str) -> None:
    form = await client.get("/auth/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    response = await client.post("/auth/signin", data={"csrf": csrf, "username": username, "password": PASSWORD})
    if response.status_code != 303:
        raise RuntimeError(f"sign-in of {username} answered {response.status_code}")


async def put_draft(client: httpx.AsyncClient, note_id: int, counter: int) -> float:
    body = json.dumps({"field": "free_text", "text": f"{counter}: {TEXT}", "base_version": 0})
    start = time.perf_counter()
    response = await client.put(f"/api/drafts/{note_id}", content=body, headers=DRAFT_HEADERS)
    elapsed = time.perf_counter() - start
    if response.status_code != 204:
        raise RuntimeError(f"draft answered {response.status_code}: {response.text[:200]}")
    return elapsed


async def paced_drafts(client, note_id: int, rounds: int, start_at: float) -> list[float]:
    await asyncio.sleep(max(0.0, start_at - time.perf_counter()))
    times = []
    for counter in range(rounds):
        await asyncio.sleep(random.uniform(*PAUSE))
        times.append(await put_draft(client, note_id, counter))
    return times


async def drafts_api(server_url: str, writers: list[tuple[str, int]], rounds: int) -> dict[str, list[float]]:
    # Idle connections are dropped before the server's keep-alive timeout (5 s) could close them under us.
    limits = httpx.Limits(keepalive_expiry=3)
    clients = [httpx.AsyncClient(base_url=server_url, timeout=120, limits=limits) for _ in writers]
    try:
        for client, (username, _) in zip(clients, writers, strict=True):
            await sign_in(client, username)
        first, first_note = clients[0], writers[0][1]
        for counter in range(30):  # warm-up: code paths compiled, connections open
            await put_draft(first, first_note, counter)
        results = {}
        results["alone"] = await paced_drafts(first, first_note, rounds * 3, time.perf_counter())
        start_at = time.perf_counter() + 0.2
        together = await asyncio.gather(
            *[paced_drafts(c, note, rounds, start_at) for c, (_, note) in zip(clients, writers, strict=True)]
        )
        results["together"] = [t for times in together for t in times]
        burst, started = [], time.perf_counter()
        for counter in range(rounds):
            burst += await asyncio.gather(
                *[put_draft(c, note, counter) for c, (_, note) in zip(clients, writers, strict=True)]
            )
        results["burst"] = burst
        results["burst_rate"] = [len(burst) / (time.perf_counter() - started)]
        return results
    finally:
        for client in clients:
            await client.aclose()


# --- the service save in this process -------------------------------------------------------------------


def service_saves(url: str, users: list, notes: list[int], rounds: int) -> dict[str, list[float]]:
    engine = db.create_engine_for(url)
    versions = dict.fromkeys(notes, 0)

    def save(user, note_id: int) -> float:
        start = time.perf_counter()
        with Session(engine, expire_on_commit=False) as session:
            document = journal.save_document(
                user, session=session, document_id=note_id, base_version=versions[note_id],
                fields={"free_text": f"{versions[note_id]}: {TEXT}"},
            )
            session.commit()
        versions[note_id] = document.version
        return time.perf_counter() - start

    def run(count: int, paced: bool) -> list[float]:
        together = threading.Barrier(count)
        times: list[float] = []

        def writer(index: int) -> None:
            together.wait()
            for _ in range(rounds * (3 if count == 1 else 1)):
                if paced:
                    time.sleep(random.uniform(*PAUSE))
                times.append(save(users[index], notes[index]))
                if not paced:
                    burst_round.wait()

        burst_round = threading.Barrier(count)
        threads = [threading.Thread(target=writer, args=(index,)) for index in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return times

    try:
        for _ in range(30):
            save(users[0], notes[0])
        results = {"alone": run(1, paced=True), "together": run(len(users), paced=True)}
        started = time.perf_counter()
        results["burst"] = run(len(users), paced=False)
        results["burst_rate"] = [len(results["burst"]) / (time.perf_counter() - started)]
        return results
    finally:
        engine.dispose()


# --- the run --------------------------------------------------------------------------------------------


def measure(label: str, url: str, writer_count: int, rounds: int, folder: Path) -> None:
    users, notes = seed(url, lambda session: participants_with_a_note(session, writer_count))
    server = AppServer(url, folder, f"save_load_{label}").start()
    try:
        http = asyncio.run(drafts_api(server.url, [(u.username, n) for u, n in zip(users, notes, strict=True)], rounds))
    finally:
        server.close()
    service = service_saves(url, users, notes, rounds)
    for name, results in (("drafts API", http), ("service save", service)):
        alone_p50, alone_p95 = quantiles(results["alone"])
        print(f"{label:<10} {name:<13} alone     p50 {alone_p50:7.1f} ms  p95 {alone_p95:7.1f} ms")
        for pattern in ("together", "burst"):
            p50, p95 = quantiles(results[pattern])
            extra = f"  ({results['burst_rate'][0]:.0f} saves/s served)" if pattern == "burst" else ""
            print(
                f"{label:<10} {name:<13} {pattern:<9} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms"
                f"  p50 {p50 / alone_p50:5.1f}x  p95 {p95 / alone_p95:5.1f}x{extra}"
            )
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writers", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-flush", choices=["on", "off", "both"], default="on",
        help="PostgreSQL's synchronous_commit: off tells whether tails come from flushing commits to the disk",
    )
    args = parser.parse_args()
    print(f"{args.writers} writers, {args.rounds} saves each per pattern; alone: {args.rounds * 3} saves")
    if "sqlite" in args.databases:
        with tempfile.TemporaryDirectory() as folder:
            measure("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", args.writers, args.rounds, Path(folder))
    if "postgresql" not in args.databases:
        return
    for flush in (["on", "off"] if args.pg_flush == "both" else [args.pg_flush]):
        measure_postgresql(flush, args.writers, args.rounds)


def measure_postgresql(flush: str, writer_count: int, rounds: int) -> None:
    admin = sa.create_engine(db.normalise_url(POSTGRES), isolation_level="AUTOCOMMIT")
    name = f"ledpro_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        connection.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = {flush}'))
    label = "postgresql" if flush == "on" else "pg noflush"
    try:
        with tempfile.TemporaryDirectory() as folder:
            measure(label, f"postgresql://postgres@127.0.0.1:5432/{name}", writer_count, rounds, Path(folder))
    finally:
        db.dispose_engines()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

if __name__ == "__main__":
    main()
