"""The exam export against pandoc, in the same run: a journal of about 100,000 words (200 notes, each
citing a reference with a page, plus the challenge) and pandoc converting the same text from Markdown
to .docx (one process per conversion: its whole time and peak resident memory).

Ours is measured two ways:
- in the app: what a participant waits for after "Lag Word-fil" in a running server (code imported,
  database connected): the export's time (first click and the median of later ones) and the memory it
  needs on top of what the server already holds (peak resident size during the export minus the size
  before it);
- from the command line: `python -m ledpro_journal export-exam` as a cold process, whole time and peak,
  interpreter start, imports and migration check included.

    PYTHONPATH=. .venv/bin/python tests/bench/exam_export.py [--runs 5] [--notes 200] [--words 500]

Target (issue 5): our time and our peak memory at most 0.5x pandoc's.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlmodel import Session

from ledpro_journal import db
from ledpro_journal.models import DocumentKind
from ledpro_journal.services import accounts, journal, literature, programme
from tests.helpers import make_admin, make_cohort, make_member

PROJECT = Path(__file__).resolve().parents[2]
VOCABULARY = (
    "møtet gruppa leder ansvar tillit motstand oppgave grense rolle autoritet samarbeid endring kommune enhet "
    "stillhet spenning refleksjon læring handling observasjon hypotese avhengighet kamp flukt pardannelse "
    "primæroppgave kultur medarbeider tjeneste bruker ledelse prosess samling aksjon logg erfaring teori "
    "og i på som det en for med til av at er var ikke men jeg vi de hun han seg dette etter før da når"
).split()
FIELDS = ("description", "feelings", "evaluation", "analysis", "conclusion", "action_plan")


def paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(VOCABULARY) for _ in range(words))
    return text[0].upper() + text[1:] + "."


def seed(url: str, notes: int, words_per_note: int) -> list[tuple[str, dict[str, str]]]:
    """The participant's year; returns the notes' texts for the Markdown side."""
    rng = random.Random(2024)
    engine = db.create_engine_for(url)
    db.migrate(engine)
    written = []
    with Session(engine, expire_on_commit=False) as session:
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        kari = make_member(session, admin, cohort.id, "kari", name="Kari Nordmann")
        accounts.update_profile(kari, session=session, display_name="Kari Nordmann", candidate_number="4711",
                                language="nb", part=2)
        gatherings = programme.list_gatherings(admin, session=session, cohort_id=cohort.id)
        themes = programme.list_themes(admin, session=session, cohort_id=cohort.id)
        references = [
            literature.add_reference(kari, session=session, kind="book", data={
                "authors": [{"family": f"Forfatter{i}", "given": "Anne"}], "year": str(1960 + i),
                "title": f"Bok nummer {i} om ledelse", "publisher": "Forlaget"})
            for i in range(20)
        ]
        challenge = journal.create_document(kari, session=session, kind=DocumentKind.CHALLENGE)
        journal.save_document(kari, session=session, document_id=challenge.id, base_version=0, fields={
            "title": "Møtekultur", "context": paragraph(rng, 120), "problem_statement": "Hvordan endre møtene?"})
        for n in range(notes):
            per_field = words_per_note // len(FIELDS)
            fields = {"title": f"Notat {n + 1}"}
            for key in FIELDS:
                half = per_field // 2
                fields[key] = paragraph(rng, half) + "\n\n" + paragraph(rng, per_field - half)
            note = journal.create_document(kari, session=session, kind=DocumentKind.NOTE)
            journal.save_document(
                kari, session=session, document_id=note.id, base_version=0, fields=fields,
                gathering_id=gatherings[n % len(gatherings)].id,
                links=journal.Links(theme_ids=(themes[n % len(themes)].id,)),
            )
            literature.set_citations(kari, session=session, note_id=note.id,
                                     cited=[(references[n % 20].id, str(n + 1))])
            written.append((fields["title"], fields))
        session.commit()
    engine.dispose()
    return written


def markdown(notes: list[tuple[str, dict[str, str]]]) -> str:
    lines = ["# Møtekultur", "", "## 5 Analyse og drøfting", ""]
    for title, fields in notes:
        lines += [f"### {title}", ""]
        for key in FIELDS:
            lines += [f"**{key}**", "", fields[key], ""]
    return "\n".join(lines)


def measure(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak MiB of one run of `command`, in a fresh wrapper process so that the peak is
    that command's alone."""
    wrapper = (
        "import resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)\n"
        "print(time.perf_counter() - start, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    out = subprocess.run([sys.executable, "-c", wrapper, *command], env=env, capture_output=True, text=True,
                         check=True, cwd=PROJECT)
    seconds, kib = out.stdout.split()
    return float(seconds), int(kib) / 1024


IN_APP = """
import resource, statistics, sys, time
from datetime import date
from sqlmodel import Session
from ledpro_journal import db
from ledpro_journal.services import exam

from ledpro_journal import references

engine = db.create_engine_for(sys.argv[1])
with engine.connect() as connection:  # a server's connection pool is warm before anyone clicks
    connection.exec_driver_sql("SELECT 1")
references.load_styles()  # as the server's start does

def resident_mib():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20

def export():
    start = time.perf_counter()
    with Session(engine) as session:
        exam.export_for_user(session, username="kari", mode="individual", today=date(2024, 11, 1))
    return time.perf_counter() - start

before = resident_mib()
first = export()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
later = statistics.median(export() for _ in range(int(sys.argv[2])))
print(first, later, peak - before)
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--notes", type=int, default=200)
    parser.add_argument("--words", type=int, default=500, help="words per note")
    args = parser.parse_args()
    pandoc = shutil.which("pandoc")
    if pandoc is None:
        raise SystemExit("pandoc is not installed (apt-get install pandoc)")
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        url = f"sqlite:///{folder / 'bench.db'}"
        notes = seed(url, args.notes, args.words)
        source = folder / "journal.md"
        source.write_text(markdown(notes), encoding="utf-8")
        words = len(source.read_text(encoding="utf-8").split())
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDPRO_")}
        env.update(LEDPRO_DATABASE_URL=url, PYTHONPATH=str(PROJECT))
        ours_command = [sys.executable, "-m", "ledpro_journal", "export-exam", "--user", "kari",
                        "--out", str(folder / "ours.docx")]
        pandoc_command = [pandoc, "-f", "markdown", "-t", "docx", "-o", str(folder / "pandoc.docx"), str(source)]
        measure(ours_command, env)  # warm the file cache for both before timing
        measure(pandoc_command, env)
        ours, theirs = [], []
        for _ in range(args.runs):
            ours.append(measure(ours_command, env))
            theirs.append(measure(pandoc_command, env))
        in_app = subprocess.run([sys.executable, "-c", IN_APP, url, str(args.runs)], env=env, cwd=PROJECT,
                                capture_output=True, text=True, check=True)
        first, later, added = (float(x) for x in in_app.stdout.split())
        ours_time, ours_memory = statistics.median(t for t, _ in ours), max(m for _, m in ours)
        pandoc_time, pandoc_memory = statistics.median(t for t, _ in theirs), max(m for _, m in theirs)
        print(f"journal: {args.notes} notes, {words:,} words of Markdown; medians of {args.runs} runs")
        print(f"pandoc md -> docx        : {pandoc_time:6.2f} s, peak {pandoc_memory:6.1f} MiB "
              f"({(folder / 'pandoc.docx').stat().st_size / 1024:.0f} KiB)")
        print(f"ours in the app (click)  : {later:6.2f} s (first click {first:.2f} s), "
              f"+{added:5.1f} MiB on top of the server")
        print(f"ours cold CLI export-exam: {ours_time:6.2f} s, peak {ours_memory:6.1f} MiB "
              f"({(folder / 'ours.docx').stat().st_size / 1024:.0f} KiB)")
        print(f"ratio in the app : time {later / pandoc_time:.2f}x (first click {first / pandoc_time:.2f}x), "
              f"memory {added / pandoc_memory:.2f}x   (target: at most 0.5x each)")
        print(f"ratio cold CLI   : time {ours_time / pandoc_time:.2f}x, memory {ours_memory / pandoc_memory:.2f}x")


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"(benchmark took {time.perf_counter() - start:.0f} s)")
