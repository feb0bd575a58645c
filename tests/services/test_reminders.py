"""Reminder e-mails (services.reminders, mail.SmtpSender): the choices on Min konto, who is due on which
day, what an e-mail says and never says, sending each once, and what happens when the SMTP server fails.
Every e-mail goes through a real SMTP server (aiosmtpd, tests/mailbox.py) and is read as it arrived."""

from __future__ import annotations

import os
import smtplib
import sqlite3
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from ledpro_journal.config import Settings
from ledpro_journal.mail import SmtpSender, _refused_for_good
from ledpro_journal.models import (
    ActionStatus,
    Cohort,
    DocumentKind,
    Installation,
    ReminderPreference,
    Role,
    SentReminder,
    User,
)
from ledpro_journal.services import accounts, journal, programme, reminders
from ledpro_journal.services.errors import Invalid, NotAllowed, NotFound
from ledpro_journal.services.journal import Links
from tests.helpers import make_member
from tests.mailbox import Mailbox, free_port

# A Wednesday. Gatherings 1 and 2 are over, 3 is 20 days ahead: the present period follows gathering 2.
TODAY = date(2026, 12, 2)
PUBLIC_URL = "https://ledpro.example.no"
WEDNESDAY = TODAY.weekday()
SENDER = "LEDPRO Journal <ledpro@example.no>"


@pytest.fixture
def box():
    with Mailbox() as mailbox:
        yield mailbox


def smtp_settings(port: int, **changes) -> Settings:
    return Settings(**{"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_security": "none", "mail_from": SENDER,
                       "smtp_timeout": 5, **changes})


def run(session: Session, port: int, today: date = TODAY, now: datetime | None = None,
        **settings) -> reminders.Outcome:
    with SmtpSender(smtp_settings(port, **settings)) as send:
        return reminders.send_reminders(session, today=today, send=send, sender=SENDER, public_url=PUBLIC_URL,
                                        now=now)


@pytest.fixture
def cohort(session, admin):
    cohort = programme.create_cohort(admin, session=session, name="LEDPRO 2026", from_ledpro_2024=False)
    gatherings = [
        programme.add_gathering(admin, session=session, cohort_id=cohort.id, number=number,
                                start_date=TODAY + timedelta(days=offset), end_date=TODAY + timedelta(days=offset + 1))
        for number, offset in ((1, -40), (2, -10), (3, 20), (4, 60))
    ]
    session.commit()
    return SimpleNamespace(id=cohort.id, gatherings=gatherings)


def write(session, user, kind, fields, **options):
    create = {k: options.pop(k) for k in ("parent_id", "gathering_id") if k in options}
    document = journal.create_document(user, session=session, kind=kind, **create)
    journal.save_document(user, session=session, document_id=document.id, base_version=0, fields=fields,
                          gathering_id=create.get("gathering_id"), **options)
    session.commit()
    return document


def participant(session, admin, cohort, username, *, weekly=True, weekday=WEDNESDAY, before=False,
                days=7, titles=False, email=None, lang="nb"):
    user = make_member(session, admin, cohort.id, username)
    if lang != "nb":
        accounts.update_profile(user, session=session, display_name=user.display_name, candidate_number="",
                                language=lang)
    reminders.set_preferences(user, session=session, email=email or f"{username}@example.no", weekly=weekly,
                              weekday=weekday, before_gathering=before, days_before=days, show_titles=titles)
    session.commit()
    return user


def open_action(session, user, gathering, title="Prøve ut ukentlige møter", **fields):
    return write(session, user, DocumentKind.ACTION, {"title": title, **fields},
                 gathering_id=gathering.id if gathering else None)


def to(box: Mailbox, user: User) -> list:
    return [m for m in box.arrived if m.recipients == [f"{user.username}@example.no"]]


# --- the choices ----------------------------------------------------------------------------------------------


def test_reminders_are_off_until_chosen_and_an_address_is_checked_properly(session, admin, cohort):
    pia = make_member(session, admin, cohort.id, "pia")
    assert reminders.my_preferences(pia, session=session) == reminders.Preferences(email="")
    saved = reminders.set_preferences(pia, session=session, email="  pia.deltaker@Eksempel.NO ", weekly=True,
                                      weekday=3, before_gathering=True, days_before=10, show_titles=True)
    session.commit()
    assert saved == reminders.Preferences(email="pia.deltaker@eksempel.no", weekly=True, weekday=3,
                                          before_gathering=True, days_before=10, show_titles=True)
    assert session.get(User, pia.id).email == "pia.deltaker@eksempel.no"

    for bad in ("pia", "pia@", "@eksempel.no", "pia@@eksempel.no", "pia@eksempel", "pia deltaker@eksempel.no",
                "pia@eksempel..no", "pia@-eksempel.no", "x" * 250 + "@eksempel.no"):
        with pytest.raises(Invalid) as refused:
            reminders.set_preferences(pia, session=session, email=bad, weekly=True, weekday=3,
                                      before_gathering=False, days_before=7, show_titles=False)
        assert refused.value.errors["email"][0] in ("reminders.email_invalid", "field.too_long"), bad
        session.rollback()
    with pytest.raises(Invalid) as refused:
        reminders.set_preferences(pia, session=session, email="", weekly=False, weekday=7, before_gathering=True,
                                  days_before=31, show_titles=False)
    assert {field: key for field, (key, _) in refused.value.errors.items()} == {
        "email": "reminders.email_needed", "weekday": "field.invalid_choice", "days_before": "reminders.days_invalid"}
    session.rollback()
    # Nothing of a refused form was kept.
    assert reminders.my_preferences(pia, session=session) == saved
    # Reminders off: the address may go.
    assert reminders.set_preferences(pia, session=session, email="", weekly=False, weekday=0,
                                     before_gathering=False, days_before=7, show_titles=False).email == ""
    assert session.get(User, pia.id).email is None


def test_only_participants_have_reminders(session, admin, cohort):
    frode = make_member(session, admin, cohort.id, "frode", role=Role.FACILITATOR)
    for actor in (admin, frode, None):
        with pytest.raises(NotAllowed):
            reminders.my_preferences(actor, session=session)
        with pytest.raises(NotAllowed):
            reminders.set_preferences(actor, session=session, email="a@example.no", weekly=True, weekday=0,
                                      before_gathering=False, days_before=7, show_titles=False)


# --- who is due ------------------------------------------------------------------------------------------------


def test_weekly_reminder_goes_on_the_chosen_weekday_while_an_action_of_the_period_has_no_log(
    session, admin, cohort, box
):
    first, second = cohort.gatherings[0], cohort.gatherings[1]
    pia = participant(session, admin, cohort, "pia")
    open_action(session, pia, second, "Pias aksjon")
    other_day = participant(session, admin, cohort, "ola", weekday=(TODAY.weekday() + 1) % 7)
    open_action(session, other_day, second)
    logged = participant(session, admin, cohort, "kari")
    action = open_action(session, logged, second)
    write(session, logged, DocumentKind.LOG, {"title": "Det gikk bra"}, parent_id=action.id)
    earlier_period = participant(session, admin, cohort, "per")
    open_action(session, earlier_period, first)
    finished = participant(session, admin, cohort, "siv")
    write(session, finished, DocumentKind.ACTION, {"title": "Ferdig"}, gathering_id=second.id,
          status=ActionStatus.DONE)
    write(session, finished, DocumentKind.ACTION, {"title": "Droppet"}, gathering_id=second.id,
          status=ActionStatus.DROPPED)
    binned = participant(session, admin, cohort, "bodil")
    journal.delete_document(binned, session=session, document_id=open_action(session, binned, second).id)
    session.commit()
    # Never: deactivated, deleted, in a closed cohort, without an address.
    gone = {name: participant(session, admin, cohort, name) for name in ("deaktivert", "slettet", "uten")}
    for user in gone.values():
        open_action(session, user, second)
    accounts.set_user_active(admin, session=session, user_id=gone["deaktivert"].id, active=False)
    session.execute(sa.update(User).where(User.id == gone["slettet"].id).values(deleted_at=datetime.now(UTC)))
    session.execute(sa.update(User).where(User.id == gone["uten"].id).values(email=None))
    closed_cohort = programme.create_cohort(admin, session=session, name="LEDPRO 2025", from_ledpro_2024=False)
    session.commit()
    closed = participant(session, admin, closed_cohort, "lukket")
    open_action(session, closed, None)
    session.execute(sa.update(Cohort).where(Cohort.id == closed_cohort.id).values(closed_at=datetime.now(UTC)))
    session.commit()

    outcome = run(session, box.port)

    assert outcome.ok
    assert [m.recipients for m in box.arrived] == [["pia@example.no"]]
    assert [r.key for r in outcome.sent] == ["weekly:2026-W49"]
    [mail] = box.arrived
    assert mail.message["Subject"] == "LEDPRO: aksjoner som venter på loggføring (1)"
    assert "Aksjoner i denne perioden uten loggføring: 1" in mail.text
    # What the start page lists as actions without a log entry is what the e-mail counts.
    overview = journal.overview(pia, session=session, today=TODAY)
    assert len(overview.actions_without_log) == 1
    # Ola's day is tomorrow (Pia gets nothing then); next Wednesday Pia's again.
    run(session, box.port, TODAY + timedelta(days=1))
    run(session, box.port, TODAY + timedelta(days=7))
    assert [m.recipients for m in box.arrived] == [["pia@example.no"], ["ola@example.no"], ["pia@example.no"]]


def test_before_a_gathering_one_nudge_from_n_days_before_until_it_starts(session, admin, cohort, box):
    second, third = cohort.gatherings[1], cohort.gatherings[2]
    pia = participant(session, admin, cohort, "pia", weekly=False, before=True, days=7)
    action = open_action(session, pia, second, "Uten logg")
    logged = open_action(session, pia, second, "Logget, ikke reflektert")
    write(session, pia, DocumentKind.LOG, {"title": "Logg"}, parent_id=logged.id)
    reflected = open_action(session, pia, second, "Logget og reflektert")
    write(session, pia, DocumentKind.LOG, {"title": "Logg 2"}, parent_id=reflected.id)
    note = write(session, pia, DocumentKind.NOTE, {"title": "Refleksjon"})
    journal.save_document(pia, session=session, document_id=note.id, base_version=1, fields={"title": "Refleksjon"},
                          links=Links(action_ids=(reflected.id,)))
    session.commit()
    nothing_open = participant(session, admin, cohort, "ola", weekly=False, before=True, days=7)
    assert action.id

    for day in (TODAY, third.start_date - timedelta(days=8)):
        assert not run(session, box.port, day).sent
    assert box.arrived == []
    # The cron job did not run on the 7th day before; the next run, 3 days before, still sends it, once.
    late = third.start_date - timedelta(days=3)
    outcome = run(session, box.port, late)
    assert [(r.username, r.key) for r in outcome.sent] == [("pia", f"gathering:{third.id}")]
    [mail] = box.arrived
    assert mail.message["Subject"] == "LEDPRO: samling 3 nærmer seg"
    assert "Samling 3 begynner 22. desember 2026." in mail.text
    assert "Aksjoner i denne perioden uten loggføring: 1" in mail.text
    assert "Loggførte aksjoner uten refleksjonsnotat: 1" in mail.text
    for day in (late, late + timedelta(days=1), third.start_date):
        assert not run(session, box.port, day).sent
    assert len(box.arrived) == 1 and not to(box, nothing_open)


def test_the_email_names_own_actions_only_when_chosen_and_never_holds_what_was_written(session, admin, cohort, box):
    """Every text field of every document holds a secret word; no e-mail ever contains one. Titles of
    actions appear only for the participant who chose so; titles of notes and log entries never."""
    second = cohort.gatherings[1]
    quiet = participant(session, admin, cohort, "pia", before=True, days=30)
    named = participant(session, admin, cohort, "ola", before=True, days=30, titles=True)
    secrets_written = []
    for user in (quiet, named):
        secret = f"Hemmelig{user.username.title()}"
        secrets_written.append(secret)
        body = {key: f"{secret} i {key}" for key in ("purpose", "theory", "questions", "involved", "when_where",
                                                        "observe", "resistance", "authority", "cycle", "free_text")}
        write(session, user, DocumentKind.CHALLENGE, {"title": f"{secret}Utfordring", "context": secret})
        open_action(session, user, second, f"Aksjonstittel {user.username}", **body)
        logged = open_action(session, user, second, f"Logget aksjon {user.username}", **body)
        write(session, user, DocumentKind.LOG, {"title": f"{secret}Loggtittel", "observations": secret,
                                                 "feelings": secret}, parent_id=logged.id)
        write(session, user, DocumentKind.NOTE, {"title": f"{secret}Notattittel", "description": secret,
                                                  "analysis": secret, "free_text": secret})

    outcome = run(session, box.port)

    assert outcome.ok and len(box.arrived) == 4  # weekly and before-gathering, to each
    for mail in box.arrived:
        for secret in secrets_written:
            assert secret not in mail.everything
        assert "i purpose" not in mail.everything
    for mail in to(box, quiet):
        assert "Aksjonstittel" not in mail.everything and "Logget aksjon" not in mail.everything
    weekly, gathering = sorted(to(box, named), key=lambda m: m.message["Subject"])
    assert "– Aksjonstittel ola" in gathering.text and "– Logget aksjon ola" in gathering.text
    assert "– Aksjonstittel ola" in weekly.text and "Logget aksjon ola" not in weekly.text
    assert "Aksjonstittel pia" not in weekly.everything + gathering.everything


def test_headers_links_and_language(session, admin, cohort, box):
    anna = participant(session, admin, cohort, "anna", lang="en")
    open_action(session, anna, cohort.gatherings[1])
    run(session, box.port)
    [mail] = box.arrived
    message = mail.message
    assert message["From"] == SENDER and message["To"] == "anna@example.no"
    assert message["Subject"] == "LEDPRO: actions waiting for a log entry (1)"
    # A BCP 47 tag (RFC 3282), as the registry gives it for the person's language.
    assert message["Content-Language"] == "en-GB" and message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    link = message["List-Unsubscribe"].strip().strip("<>")
    assert link.startswith(f"{PUBLIC_URL}/reminders/unsubscribe/{anna.id}.")
    assert f"Stop the reminders: {link}" in mail.text
    assert f"Open your journal: {PUBLIC_URL}/actions" in mail.text
    assert f"{PUBLIC_URL}/account" in mail.text

    # The link turns the reminders off, and nothing else; a forged or altered one does nothing.
    token = link.rsplit("/", 1)[1]
    for forged in (f"{anna.id + 1}.{token.split('.')[1]}", token[:-1] + ("A" if token[-1] != "A" else "B"),
                   "", "x.y", f"{anna.id}", "99999999999999999999.abc"):
        with pytest.raises(NotFound):
            reminders.unsubscribe(session, token=forged)
    assert reminders.unsubscribe(session, token=token) == "en"
    session.commit()
    preference = session.get(ReminderPreference, anna.id)
    assert (preference.weekly, preference.before_gathering, preference.show_titles) == (False, False, False)
    assert session.get(User, anna.id).email == "anna@example.no"


def test_the_signing_key_is_made_once(session, admin, cohort, box):
    assert session.get(Installation, 1).signing_key is None
    run(session, box.port)
    session.expire_all()
    key = session.get(Installation, 1).signing_key
    assert key and len(key) == 64
    run(session, box.port, TODAY + timedelta(days=7))
    session.expire_all()
    assert session.get(Installation, 1).signing_key == key


# --- sending once, and failing without losing anything ----------------------------------------------------------


def test_running_twice_sends_nothing_twice(session, admin, cohort, box):
    people = [participant(session, admin, cohort, f"deltaker{i}", weekly=False, before=True) for i in range(3)]
    for user in people:
        open_action(session, user, cohort.gatherings[1])
    late = cohort.gatherings[2].start_date - timedelta(days=2)
    assert len(run(session, box.port, late).sent) == 3
    assert not run(session, box.port, late).sent
    assert sorted(m.recipients[0] for m in box.arrived) == [f"deltaker{i}@example.no" for i in range(3)]
    rows = session.exec(select(SentReminder)).all()
    assert len(rows) == 3 and all(row.sent_at is not None for row in rows)


def test_a_refusing_server_is_reported_nothing_is_marked_sent_and_the_next_run_sends(session, admin, cohort, box):
    people = [participant(session, admin, cohort, f"deltaker{i}") for i in range(3)]
    for user in people:
        open_action(session, user, cohort.gatherings[1])
    box.refuse("554 5.7.1 Sorry")

    outcome = run(session, box.port)

    assert not outcome.ok and not outcome.sent and len(outcome.failed) == 3
    assert all("554" in reason for _, reason in outcome.failed)
    assert session.exec(select(SentReminder)).all() == []
    box.refuse(None)
    assert run(session, box.port).ok
    assert sorted(m.recipients[0] for m in box.arrived) == [f"deltaker{i}@example.no" for i in range(3)]
    assert not run(session, box.port).sent


def test_an_unreachable_server_or_one_without_starttls_sends_nothing_and_loses_nothing(session, admin, cohort, box):
    pia = participant(session, admin, cohort, "pia")
    open_action(session, pia, cohort.gatherings[1])

    nobody_listens = run(session, free_port())
    assert nobody_listens.server_error and [r.username for r in nobody_listens.not_tried] == ["pia"]
    # Asked for STARTTLS, the server does not offer it: nothing goes out in clear.
    no_tls = run(session, box.port, smtp_security="starttls")
    assert "STARTTLS" in no_tls.server_error and box.arrived == []
    assert session.exec(select(SentReminder)).all() == []

    assert run(session, box.port).ok
    assert len(to(box, pia)) == 1


def test_a_claim_left_by_a_run_that_died_is_sent_by_a_later_run(session, admin, cohort, box):
    pia = participant(session, admin, cohort, "pia")
    open_action(session, pia, cohort.gatherings[1])
    session.add(SentReminder(user_id=pia.id, reminder_key=reminders.weekly_key(TODAY),
                             claimed_at=datetime.now(UTC) - timedelta(hours=1)))
    session.commit()
    assert not run(session, box.port).sent  # another run may still be sending it
    session.execute(sa.update(SentReminder).values(claimed_at=datetime.now(UTC) - reminders.STALE_CLAIM * 2))
    session.commit()
    assert [r.username for r in run(session, box.port).sent] == ["pia"]


def test_sent_reminders_are_forgotten_once_they_can_no_longer_be_due(session, admin, cohort, box):
    pia = participant(session, admin, cohort, "pia")
    long_ago = datetime.now(UTC) - reminders.KEEP_SENT - timedelta(days=1)
    session.add(SentReminder(user_id=pia.id, reminder_key="weekly:2026-W40", claimed_at=long_ago, sent_at=long_ago))
    session.add(SentReminder(user_id=pia.id, reminder_key="weekly:2026-W45", claimed_at=datetime.now(UTC),
                             sent_at=datetime.now(UTC)))
    session.commit()
    run(session, box.port)
    assert [row.reminder_key for row in session.exec(select(SentReminder))] == ["weekly:2026-W45"]


def test_two_runs_at_the_same_moment_send_each_reminder_once(engine, session, admin, cohort, box):
    people = [participant(session, admin, cohort, f"deltaker{i:02d}", before=True, days=30) for i in range(12)]
    for user in people:
        open_action(session, user, cohort.gatherings[1])
    start = threading.Barrier(2)
    outcomes, errors = [], []

    def runner() -> None:
        try:
            with Session(engine, expire_on_commit=False) as own:
                start.wait()
                outcomes.append(run(own, box.port))
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == [] and len(outcomes) == 2 and all(o.ok for o in outcomes)
    addresses = [m.recipients[0] for m in box.arrived]
    assert len(addresses) == 24 and len(set(zip(addresses, [m.message["Subject"] for m in box.arrived],
                                                strict=True))) == 24
    assert sum(len(o.sent) for o in outcomes) == 24


def test_statements_do_not_grow_with_the_number_of_participants(engine, session, admin, cohort, box, monkeypatch):
    """The same statements for 4 e-mails as for 22; only writing down what was sent adds one UPDATE per
    RECORD_EVERY e-mails (never per person), which with 50 stays out of these runs."""
    # Written down by count only here, not after RECORD_SECONDS too: a slow machine would add statements.
    monkeypatch.setattr(reminders, "RECORD_SECONDS", 3600.0)

    def statements_for_a_run(today: date) -> list[str]:
        statements = []

        def counted(_conn, _cursor, statement, *_args) -> None:
            statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", counted)
        try:
            outcome = run(session, box.port, today)
        finally:
            sa.event.remove(engine, "before_cursor_execute", counted)
        assert outcome.ok and outcome.sent
        return statements

    def add_people(prefix: str, number: int) -> None:
        for i in range(number):
            user = participant(session, admin, cohort, f"{prefix}deltaker{i}", before=True, days=30, titles=i % 2 == 0)
            open_action(session, user, cohort.gatherings[1])

    def recording(statements: list[str]) -> int:
        return sum(statement.lstrip().startswith("UPDATE sent_reminders") for statement in statements)

    reminders._signing_key(session, make=True)  # made by the first run ever, once
    add_people("a", 2)
    few = statements_for_a_run(TODAY)
    add_people("b", 10)
    many = statements_for_a_run(TODAY + timedelta(days=7))
    assert len(few) == len(many) == 11 and recording(few) == recording(many) == 1
    # 12 weekly e-mails, written down every 5: after the 5th, the 10th and at the end.
    monkeypatch.setattr(reminders, "RECORD_EVERY", 5)
    assert recording(statements_for_a_run(TODAY + timedelta(days=14))) == 3


# --- never in the app's way, and nothing sent twice when a run dies ----------------------------------------------


class WriteLockProbe:
    """Asks, from a connection of its own, whether a write lock is held at this moment. SQLite: could another
    connection start writing now (BEGIN IMMEDIATE, no busy wait: the app's save would have to wait otherwise)?
    PostgreSQL: does another connection to this database hold a row-writing lock on sent_reminders (what the
    run writes; held until its transaction ends)?"""

    def __init__(self, engine: sa.Engine) -> None:
        self.sqlite = engine.dialect.name == "sqlite"
        if self.sqlite:
            self.connection = sqlite3.connect(engine.url.database, timeout=0, isolation_level=None,
                                              check_same_thread=False)
        else:
            self.own_engine = sa.create_engine(engine.url, poolclass=sa.pool.NullPool, isolation_level="AUTOCOMMIT")
            self.connection = self.own_engine.connect()

    def held(self) -> bool:
        if self.sqlite:
            try:
                self.connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:  # database is locked
                return True
            self.connection.execute("ROLLBACK")
            return False
        return bool(self.connection.execute(sa.text(
            "SELECT count(*) FROM pg_locks"
            " WHERE database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND relation = 'sent_reminders'::regclass AND mode = 'RowExclusiveLock' AND pid <> pg_backend_pid()"
        )).scalar())

    def close(self) -> None:
        self.connection.close()
        if not self.sqlite:
            self.own_engine.dispose()


def test_who_is_due_is_read_and_mail_is_sent_with_no_write_lock_held(engine, session, admin, cohort, box):
    """Every read through the journals (who is due, both kinds; what the e-mails list) and every e-mail
    happens while another connection could write at once: the run writes only in short transactions of
    its own, between them. Before, letting go of stale claims opened the write first, and the reads of who
    is due ran inside it (about 1 s at 10,000 participants on SQLite, the app's saves waiting)."""
    people = [participant(session, admin, cohort, f"deltaker{i}", before=True, days=30) for i in range(3)]
    for user in people:
        open_action(session, user, cohort.gatherings[1])
    session.add(SentReminder(user_id=people[0].id, reminder_key=reminders.weekly_key(TODAY),
                             claimed_at=datetime.now(UTC) - reminders.STALE_CLAIM * 2))  # a dead run's
    session.commit()
    reminders._signing_key(session, make=True)  # as on every run but the first ever (it commits when made)
    probe = WriteLockProbe(engine)
    try:
        # The probe sees a write transaction when there is one.
        assert not probe.held()
        session.execute(sa.delete(SentReminder).where(SentReminder.id == -1))
        assert probe.held()
        session.rollback()
        assert not probe.held()

        seen: list[tuple[str, bool]] = []

        def before(_conn, _cursor, statement, *_args) -> None:
            if statement.lstrip().upper().startswith("SELECT") and " documents" in statement:
                seen.append(("read", probe.held()))

        sa.event.listen(engine, "before_cursor_execute", before)
        try:
            with SmtpSender(smtp_settings(box.port)) as smtp:
                def send(message) -> None:
                    seen.append(("send", probe.held()))
                    smtp(message)

                outcome = reminders.send_reminders(session, today=TODAY, send=send, sender=SENDER,
                                                   public_url=PUBLIC_URL)
        finally:
            sa.event.remove(engine, "before_cursor_execute", before)
        assert not probe.held()
    finally:
        probe.close()
    assert outcome.ok and len(outcome.sent) == 6
    # Two reads of who is due, two of what the e-mails list, six e-mails: none with a write lock held.
    assert [what for what, _ in seen] == ["read"] * 4 + ["send"] * 6
    assert [held for _, held in seen] == [False] * 10, seen


# Run in a process of its own that dies after `dies_after` e-mails (os._exit: no except, no finally, nothing
# more written), writing down what was sent every 2 e-mails.
DIES_AFTER = """
import os, sys
from datetime import date
from sqlmodel import Session
from ledpro_journal import db
from ledpro_journal.config import Settings
from ledpro_journal.mail import SmtpSender
from ledpro_journal.services import reminders

url, port, today, dies_after = sys.argv[1], int(sys.argv[2]), date.fromisoformat(sys.argv[3]), int(sys.argv[4])
reminders.RECORD_EVERY, reminders.RECORD_SECONDS = 2, 3600.0
sent = 0
settings = Settings(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", mail_from="ledpro@example.no")
with SmtpSender(settings) as smtp, Session(db.create_engine_for(url)) as session:
    def send(message):
        global sent
        if sent == dies_after:
            os._exit(9)
        smtp(message)
        sent += 1
    reminders.send_reminders(session, today=today, send=send, sender="ledpro@example.no",
                             public_url="https://ledpro.example.no")
"""
PROJECT = Path(__file__).resolve().parents[2]


def test_a_run_that_dies_while_sending_has_written_down_what_went_and_it_never_goes_again(
    engine, session, admin, cohort, box
):
    people = [participant(session, admin, cohort, f"deltaker{i}") for i in range(6)]
    for user in people:
        open_action(session, user, cohort.gatherings[1])
    url = engine.url.render_as_string(hide_password=False)
    died = subprocess.run([sys.executable, "-c", DIES_AFTER, url, str(box.port), TODAY.isoformat(), "4"],
                          cwd=PROJECT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(PROJECT)})
    assert died.returncode == 9, died.stderr
    assert len(box.arrived) == 4
    session.expire_all()
    assert sorted(row.sent_at is not None for row in session.exec(select(SentReminder))) == [False] * 2 + [True] * 4

    # While the dead run's claims are fresh, no one sends them (it might still be sending); once stale, the
    # two it never sent go, and the four it sent do not go again.
    assert not run(session, box.port).sent
    later = run(session, box.port, now=datetime.now(UTC) + reminders.STALE_CLAIM + timedelta(minutes=1))
    assert later.ok and len(later.sent) == 2
    assert sorted(m.recipients[0] for m in box.arrived) == [f"deltaker{i}@example.no" for i in range(6)]


def failing_at_the_fourth(smtp):
    """A sender whose fourth e-mail meets an error of our own (a bug, say), not an SMTP one."""
    calls = 0

    def send(message) -> None:
        nonlocal calls
        calls += 1
        if calls == 4:
            raise RuntimeError("not an SMTP error: a bug, say")
        smtp(message)

    return send


def test_a_run_that_fails_with_an_error_of_its_own_still_writes_down_what_went(session, admin, cohort, box):
    people = [participant(session, admin, cohort, f"deltaker{i}") for i in range(5)]
    for user in people:
        open_action(session, user, cohort.gatherings[1])
    with SmtpSender(smtp_settings(box.port)) as smtp, pytest.raises(RuntimeError):
        reminders.send_reminders(session, today=TODAY, send=failing_at_the_fourth(smtp), sender=SENDER,
                                 public_url=PUBLIC_URL)
    assert len(box.arrived) == 3
    later = run(session, box.port, now=datetime.now(UTC) + reminders.STALE_CLAIM + timedelta(minutes=1))
    assert later.ok and len(later.sent) == 2
    assert sorted(m.recipients[0] for m in box.arrived) == [f"deltaker{i}@example.no" for i in range(5)]


# --- an address refused for good -----------------------------------------------------------------------------


def test_an_address_refused_for_good_is_not_tried_again_and_one_refused_for_now_is(session, admin, cohort, box):
    pia, ola, kari, siv = (participant(session, admin, cohort, name) for name in ("pia", "ola", "kari", "siv"))
    for user in (pia, ola, kari, siv):
        open_action(session, user, cohort.gatherings[1])
    box.refuse_recipient("ola@example.no", "550 5.1.1 <ola@example.no>: Recipient address rejected: User unknown")
    box.refuse_recipient("kari@example.no", "450 4.2.1 <kari@example.no>: Mailbox busy, try again later")
    # Relaying denied says the sending is set up wrong, not that the address is: tried again.
    box.refuse_recipient("siv@example.no", "554 5.7.1 <siv@example.no>: Relay access denied")

    first = run(session, box.port)

    assert not first.ok and [r.username for r in first.sent] == ["pia"]
    assert [(r.username, reason) for r, reason in first.refused] == [
        ("ola", "ola@example.no: 550 5.1.1 <ola@example.no>: Recipient address rejected: User unknown")]
    assert sorted(r.username for r, _ in first.failed) == ["kari", "siv"]
    session.expire_all()
    kept = {row.user_id: row.sent_at for row in session.exec(select(SentReminder))}
    assert kept[ola.id] == reminders.REFUSED_AT and kept[pia.id] > reminders.REFUSED_AT
    assert set(kept) == {pia.id, ola.id}

    second = run(session, box.port)
    assert not second.sent and not second.refused and sorted(r.username for r, _ in second.failed) == ["kari", "siv"]
    box.refuse_recipient("kari@example.no", None)
    box.refuse_recipient("siv@example.no", None)
    third = run(session, box.port)
    assert third.ok and sorted(r.username for r in third.sent) == ["kari", "siv"]
    # Not when its claim would have gone stale either.
    stale = run(session, box.port, now=datetime.now(UTC) + reminders.STALE_CLAIM * 2)
    assert stale.ok and not stale.sent
    assert not to(box, ola) and [len(to(box, user)) for user in (pia, kari, siv)] == [1, 1, 1]
    # Next week's reminder is another one: tried once, and refused once.
    next_week = run(session, box.port, TODAY + timedelta(days=7))
    assert [r.username for r, _ in next_week.refused] == ["ola"] and len(next_week.sent) == 3
    assert not run(session, box.port, TODAY + timedelta(days=7)).refused


@pytest.mark.parametrize(("code", "reply", "for_good"), [
    (550, "5.1.1 <x@example.no>: Recipient address rejected: User unknown", True),
    (550, "5.1.10 Recipient address rejected: Domain has null MX", True),
    (553, "5.1.3 Bad destination mailbox address syntax", True),
    (550, "5.2.1 The email account that you tried to reach is disabled", True),
    (550, "Requested action not taken: mailbox unavailable", True),  # no enhanced code
    (551, "User not local", True),
    (552, "5.2.2 Mailbox full", False),
    (554, "5.7.1 <x@example.no>: Relay access denied", False),
    (550, "5.7.54 SMTP; Unable to relay recipient in non-accepted domain", False),
    (554, "Transaction failed", False),
    (450, "4.2.1 Mailbox busy", False),
    (451, "4.3.0 Try again later", False),
    # The recipient's address itself: for good.
    (550, "5.1.1 <x@example.no>: Recipient address rejected: User unknown in virtual mailbox table", True),
    (550, "5.1.1 <sender@example.no>: Recipient address rejected: User unknown", True),  # its name is no sign
    (550, "5.1.1 RESOLVER.ADR.RecipNotFound; not found", True),
    (550, "5.1.2 <x@example.invalid>: Recipient address rejected: Domain not found", True),
    (550, "5.1.6 Recipient mailbox has moved", True),
    (550, "<x@example.no>... User unknown", True),
    (550, "No such user here", True),
    (553, "sorry, no mailbox here by that name. (#5.1.1)", True),  # qmail
    # The sender, refused at RCPT TO (LEDPRO_MAIL_FROM or the relay set up wrong): every address of the run
    # would get the same reply, so never for good.
    (550, "5.1.0 <ledpro@example.no>: Sender address rejected: User unknown in local recipient table", False),
    (550, "5.1.8 <ledpro@example.no>: Sender address rejected: Domain not found", False),
    (553, "5.1.7 <ledpro@example>: Sender address rejected: bad sender mailbox address syntax", False),
    (501, "5.1.7 Bad sender's mailbox address syntax", False),
    (550, "5.1.0 Address rejected", False),
    (550, "5.1.1 Sender unknown", False),
    (550, "relay not permitted", False),  # Exim
    (553, "sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)", False),  # qmail
    (550, "Requested action not taken: mailbox unavailable (sender blocked)", False),
    (550, "Recipient rejected: access denied by policy", False),
    (553, "Requested action not taken: mailbox name not allowed", False),
    (550, "Administrative prohibition", False),
])
def test_which_refusals_are_for_good(code, reply, for_good):
    error = smtplib.SMTPRecipientsRefused({"x@example.no": (code, reply.encode())})
    assert _refused_for_good(error) is for_good


def test_a_sender_refused_at_rcpt_to_keeps_nothing_refused_and_the_next_run_sends(session, admin, cohort, box):
    """Postfix refuses a sender it does not know at RCPT TO, with a 5.1.x code: every address of the run
    gets it, none is a bad address. Two participants: fewer than ALL_REFUSED, so that the reply alone
    decides."""
    people = [participant(session, admin, cohort, name) for name in ("pia", "ola")]
    for user in people:
        open_action(session, user, cohort.gatherings[1])
    box.refuse_every_recipient(
        "550 5.1.0 <ledpro@example.no>: Sender address rejected: User unknown in local recipient table")

    refused = run(session, box.port)

    assert not refused.sent and not refused.refused and not refused.all_refused
    assert sorted(r.username for r, _ in refused.failed) == ["ola", "pia"]
    session.expire_all()
    assert session.exec(select(SentReminder)).all() == []
    box.refuse_every_recipient(None)
    again = run(session, box.port)
    assert again.ok and sorted(r.username for r in again.sent) == ["ola", "pia"]
    assert [len(to(box, user)) for user in people] == [1, 1]


def test_every_address_of_a_run_refused_for_good_is_taken_for_a_server_set_up_wrong(
    session, admin, cohort, box, monkeypatch
):
    """Three or more e-mails tried and each refused with 5.1.1: a relay that knows none of them, not three
    bad addresses. None is kept as refused (not even the ones a batch would have written down on the way),
    and the next run sends them once the server takes them."""
    monkeypatch.setattr(reminders, "RECORD_EVERY", 2)
    people = [participant(session, admin, cohort, f"deltaker{i}") for i in range(4)]
    for user in people:
        open_action(session, user, cohort.gatherings[1])
    box.refuse_every_recipient("550 5.1.1 Recipient address rejected: User unknown in relay recipient table")

    outcome = run(session, box.port)

    assert outcome.all_refused and not outcome.ok and not outcome.refused and not outcome.sent
    assert sorted(r.username for r, _ in outcome.failed) == [f"deltaker{i}" for i in range(4)]
    session.expire_all()
    assert session.exec(select(SentReminder)).all() == []
    box.refuse_every_recipient(None)
    again = run(session, box.port)
    assert again.ok and len(again.sent) == 4 and len(box.arrived) == 4


def test_refused_for_good_still_counts_when_not_every_address_of_the_run_was(session, admin, cohort, box):
    """Below ALL_REFUSED, or with one e-mail of the run taken, refused addresses are what they say."""
    few = [participant(session, admin, cohort, name) for name in ("pia", "ola")]
    for user in few:
        open_action(session, user, cohort.gatherings[1])
    box.refuse_every_recipient("550 5.1.1 Recipient address rejected: User unknown")
    two = run(session, box.port)
    assert not two.all_refused and sorted(r.username for r, _ in two.refused) == ["ola", "pia"]
    box.refuse_every_recipient(None)

    more = [participant(session, admin, cohort, f"deltaker{i}") for i in range(4)]
    for user in more:
        open_action(session, user, cohort.gatherings[1])
    for user in more[1:]:
        box.refuse_recipient(f"{user.username}@example.no", "550 5.1.1 Recipient address rejected: User unknown")
    mixed = run(session, box.port)
    assert not mixed.all_refused and [r.username for r in mixed.sent] == ["deltaker0"]
    assert sorted(r.username for r, _ in mixed.refused) == ["deltaker1", "deltaker2", "deltaker3"]
    session.expire_all()
    kept = [row.sent_at for row in session.exec(select(SentReminder))]
    assert kept.count(reminders.REFUSED_AT) == 5 and len(kept) == 6


def test_a_new_address_lets_go_of_the_reminders_the_old_one_was_refused_for(session, admin, cohort, box):
    pia = participant(session, admin, cohort, "pia")
    open_action(session, pia, cohort.gatherings[1])
    box.refuse_recipient("pia@example.no", "550 5.1.1 <pia@example.no>: Recipient address rejected: User unknown")
    assert [r.username for r, _ in run(session, box.port).refused] == ["pia"]
    sent_earlier = SentReminder(user_id=pia.id, reminder_key=reminders.gathering_key(cohort.gatherings[1].id),
                                claimed_at=datetime.now(UTC), sent_at=datetime.now(UTC))
    session.add(sent_earlier)
    session.commit()

    def save(email: str, weekday: int = WEDNESDAY) -> None:
        reminders.set_preferences(pia, session=session, email=email, weekly=True, weekday=weekday,
                                  before_gathering=False, days_before=7, show_titles=False)
        session.commit()

    # Other choices saved with the same address: still refused.
    save(" pia@Example.no ")
    assert not run(session, box.port).sent
    save("pia.ny@example.no")
    session.expire_all()
    assert [(row.reminder_key, row.sent_at is not None) for row in session.exec(select(SentReminder))] == [
        (sent_earlier.reminder_key, True)]  # what was sent stays sent
    this_week = run(session, box.port)
    assert this_week.ok and [(r.username, r.email) for r in this_week.sent] == [("pia", "pia.ny@example.no")]
    assert [m.recipients for m in box.arrived] == [["pia.ny@example.no"]]


def test_refusals_are_not_written_down_as_for_good_while_every_one_of_the_run_was_refused(
    session, admin, cohort, box, monkeypatch
):
    """A run that fails after three refusals and nothing else (batches of 2 written down on the way) has
    kept none as refused: it may have been the server, so once stale they are tried again."""
    monkeypatch.setattr(reminders, "RECORD_EVERY", 2)
    people = [participant(session, admin, cohort, f"deltaker{i}") for i in range(4)]
    for user in people:
        open_action(session, user, cohort.gatherings[1])
    box.refuse_every_recipient("550 5.1.1 Recipient address rejected: User unknown")
    with SmtpSender(smtp_settings(box.port)) as smtp, pytest.raises(RuntimeError):
        reminders.send_reminders(session, today=TODAY, send=failing_at_the_fourth(smtp), sender=SENDER,
                                 public_url=PUBLIC_URL)
    session.expire_all()
    assert [row.sent_at for row in session.exec(select(SentReminder))] == [None] * 4
    box.refuse_every_recipient(None)
    later = run(session, box.port, now=datetime.now(UTC) + reminders.STALE_CLAIM + timedelta(minutes=1))
    assert later.ok and len(later.sent) == 4
