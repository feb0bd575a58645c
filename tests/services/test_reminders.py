"""Reminder e-mails (services.reminders, mail.SmtpSender): the choices on Min konto, who is due on which
day, what an e-mail says and never says, sending each once, and what happens when the SMTP server fails.
Every e-mail goes through a real SMTP server (aiosmtpd, tests/mailbox.py) and is read as it arrived."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from ledpro_journal.config import Settings
from ledpro_journal.mail import SmtpSender
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


def run(session: Session, port: int, today: date = TODAY, **settings) -> reminders.Outcome:
    with SmtpSender(smtp_settings(port, **settings)) as send:
        return reminders.send_reminders(session, today=today, send=send, sender=SENDER, public_url=PUBLIC_URL)


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


def test_statements_do_not_grow_with_the_number_of_participants(engine, session, admin, cohort, box):
    def statements_for_a_run(today: date) -> int:
        count = 0

        def counted(*_args) -> None:
            nonlocal count
            count += 1

        sa.event.listen(engine, "before_cursor_execute", counted)
        try:
            outcome = run(session, box.port, today)
        finally:
            sa.event.remove(engine, "before_cursor_execute", counted)
        assert outcome.ok and outcome.sent
        return count

    def add_people(prefix: str, number: int) -> None:
        for i in range(number):
            user = participant(session, admin, cohort, f"{prefix}deltaker{i}", before=True, days=30, titles=i % 2 == 0)
            open_action(session, user, cohort.gatherings[1])

    reminders._signing_key(session, make=True)  # made by the first run ever, once
    add_people("a", 2)
    few = statements_for_a_run(TODAY)
    add_people("b", 10)
    many = statements_for_a_run(TODAY + timedelta(days=7))
    assert few == many
