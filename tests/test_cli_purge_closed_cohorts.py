"""`python -m ledpro_journal purge-closed-cohorts`, run as the daily timer runs it: in a subprocess, twice."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, func, select

from ledpro_journal import db
from ledpro_journal.models import Cohort, Document, DocumentKind
from ledpro_journal.services import journal, programme
from tests.helpers import make_admin, make_cohort, make_member
from tests.test_cli import run_cli


def test_purge_deletes_a_due_cohort_once_and_says_what_it_did(database_url):
    engine = db.create_engine_for(database_url)
    db.migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        kari = make_member(session, admin, cohort.id, "kari")
        note = journal.create_document(kari, session=session, kind=DocumentKind.NOTE)
        journal.save_document(kari, session=session, document_id=note.id, base_version=0, fields={"title": "Notat"})
        programme.close_cohort(admin, session=session, cohort_id=cohort.id, deletion_on=date(2027, 6, 1),
                               today=date(2027, 1, 1))
        session.commit()

    early = run_cli(database_url, "purge-closed-cohorts", "--today", "2027-05-31")
    assert early.returncode == 0, early.stderr
    assert early.stdout == "no closed cohort is due for deletion on 2027-05-31: nothing deleted\n"

    due = run_cli(database_url, "purge-closed-cohorts", "--today", "2027-06-01")
    assert due.returncode == 0, due.stderr
    assert due.stdout == ("LEDPRO 2024: deleted the content of 1 participants (1 documents); "
                          "deletion date 2027-06-01\n")
    again = run_cli(database_url, "purge-closed-cohorts", "--today", "2027-06-02")
    assert again.stdout == "no closed cohort is due for deletion on 2027-06-02: nothing deleted\n"
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(Document)).one() == 0
        assert session.exec(select(Cohort.purged_at)).one() is not None
    engine.dispose()


def test_a_bad_date_is_a_usage_error(sqlite_url):
    result = run_cli(sqlite_url, "purge-closed-cohorts", "--today", "1. juni")
    assert result.returncode == 2 and "--today" in result.stderr
