"""`python -m ledpro_journal send-reminders` as cron or a systemd timer runs it: a subprocess with LEDPRO_
settings, sending to a real SMTP server (aiosmtpd) started here."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from ledpro_journal import db
from ledpro_journal.models import CohortMembership, DocumentKind, User
from ledpro_journal.services import journal, programme, reminders
from tests.helpers import make_admin, make_cohort, make_member
from tests.mailbox import Mailbox

PROJECT = Path(__file__).resolve().parent.parent
WEDNESDAY = "2026-12-02"


@pytest.fixture
def url(sqlite_url):
    engine = db.create_engine_for(sqlite_url)
    db.migrate(engine)
    with Session(engine, expire_on_commit=False) as session:
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        pia = make_member(session, admin, cohort.id, "pia")
        reminders.set_preferences(pia, session=session, email="pia@example.no", weekly=True, weekday=2,
                                  before_gathering=False, days_before=7, show_titles=False)
        last = programme.list_gatherings(admin, session=session, cohort_id=cohort.id)[-1]
        action = journal.create_document(pia, session=session, kind=DocumentKind.ACTION, gathering_id=last.id)
        journal.save_document(pia, session=session, document_id=action.id, base_version=0,
                              fields={"title": "Prøve noe nytt"}, gathering_id=last.id)
        session.commit()
    engine.dispose()
    return sqlite_url


@pytest.fixture
def box():
    with Mailbox() as mailbox:
        yield mailbox


def send_reminders(url: str, port: int, *, public_url: str = "https://ledpro.example.no"):
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDPRO_")}
    env.update(LEDPRO_DATABASE_URL=url, LEDPRO_PUBLIC_URL=public_url, LEDPRO_SMTP_HOST="127.0.0.1",
               LEDPRO_SMTP_PORT=str(port), LEDPRO_SMTP_SECURITY="none", LEDPRO_MAIL_FROM="ledpro@example.no")
    return subprocess.run([sys.executable, "-m", "ledpro_journal", "send-reminders", "--today", WEDNESDAY],
                          capture_output=True, text=True, cwd=PROJECT, env=env, timeout=120)


def test_refuses_to_run_without_the_public_address(url, box):
    result = send_reminders(url, box.port, public_url="")
    assert result.returncode == 2
    assert "LEDPRO_PUBLIC_URL" in result.stderr and "Nothing was sent" in result.stderr
    assert box.arrived == []


def test_sends_what_is_due_says_so_and_sends_nothing_the_second_time(url, box):
    first = send_reminders(url, box.port)
    assert first.returncode == 0, first.stderr
    assert "sent weekly:2026-W49 to pia <pia@example.no>" in first.stdout
    assert "2026-12-02: 1 sent, 0 not sent" in first.stdout
    second = send_reminders(url, box.port)
    assert second.returncode == 0 and "2026-12-02: 0 sent, 0 not sent" in second.stdout
    assert [m.recipients for m in box.arrived] == [["pia@example.no"]]


def test_a_refusing_server_is_reported_with_a_failing_exit_status_and_the_next_run_sends(url, box):
    box.refuse("451 4.3.0 Try again later")
    failed = send_reminders(url, box.port)
    assert failed.returncode == 1
    assert "NOT SENT weekly:2026-W49 to pia <pia@example.no>: 451 4.3.0 Try again later" in failed.stderr
    box.refuse(None)
    again = send_reminders(url, box.port)
    assert again.returncode == 0 and "1 sent" in again.stdout
    assert len(box.arrived) == 1


def test_an_address_refused_for_good_is_reported_once_and_not_tried_again(url, box):
    box.refuse_recipient("pia@example.no", "550 5.1.1 <pia@example.no>: Recipient address rejected: User unknown")
    refused = send_reminders(url, box.port)
    assert refused.returncode == 1
    assert ("NOT SENT weekly:2026-W49 to pia <pia@example.no>: pia@example.no: 550 5.1.1 <pia@example.no>: "
            "Recipient address rejected: User unknown (the address is refused for good: this reminder is not "
            "tried again)") in refused.stderr
    assert "2026-12-02: 0 sent, 1 not sent" in refused.stdout
    again = send_reminders(url, box.port)
    assert again.returncode == 0 and again.stderr == "" and "2026-12-02: 0 sent, 0 not sent" in again.stdout
    assert box.arrived == []


def test_a_refused_sender_is_reported_as_tried_again_and_the_next_run_sends(url, box):
    box.refuse_every_recipient("550 5.1.0 <ledpro@example.no>: Sender address rejected: User unknown in local "
                               "recipient table")
    refused = send_reminders(url, box.port)
    assert refused.returncode == 1
    assert "Sender address rejected" in refused.stderr and "(tried again at the next run)" in refused.stderr
    assert "refused for good" not in refused.stderr
    box.refuse_every_recipient(None)
    again = send_reminders(url, box.port)
    assert again.returncode == 0 and "2026-12-02: 1 sent, 0 not sent" in again.stdout
    assert [m.recipients for m in box.arrived] == [["pia@example.no"]]


def test_every_address_refused_for_good_is_reported_as_a_set_up_problem_and_tried_again(url, box):
    engine = db.create_engine_for(url)
    with Session(engine, expire_on_commit=False) as session:
        admin = session.exec(select(User).where(User.username == "admin")).one()
        cohort_id = session.exec(select(CohortMembership.cohort_id)).first()
        last = programme.list_gatherings(admin, session=session, cohort_id=cohort_id)[-1]
        for name in ("ola", "kari"):
            user = make_member(session, admin, cohort_id, name)
            reminders.set_preferences(user, session=session, email=f"{name}@example.no", weekly=True, weekday=2,
                                      before_gathering=False, days_before=7, show_titles=False)
            action = journal.create_document(user, session=session, kind=DocumentKind.ACTION, gathering_id=last.id)
            journal.save_document(user, session=session, document_id=action.id, base_version=0,
                                  fields={"title": "Noe nytt"}, gathering_id=last.id)
        session.commit()
    engine.dispose()
    box.refuse_every_recipient("550 5.1.1 Recipient address rejected: User unknown in relay recipient table")
    refused = send_reminders(url, box.port)
    assert refused.returncode == 1
    assert "SET-UP PROBLEM" in refused.stderr and "refused every one of the 3 addresses" in refused.stderr
    assert refused.stderr.count("(tried again at the next run)") == 3
    assert "(the address is refused for good" not in refused.stderr
    assert "2026-12-02: 0 sent, 3 not sent" in refused.stdout
    box.refuse_every_recipient(None)
    again = send_reminders(url, box.port)
    assert again.returncode == 0 and "2026-12-02: 3 sent, 0 not sent" in again.stdout
    assert sorted(m.recipients[0] for m in box.arrived) == ["kari@example.no", "ola@example.no", "pia@example.no"]
