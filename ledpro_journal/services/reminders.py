"""Reminder e-mails: what a participant asked for (Min konto), who is due today, and sending them once.

Two reminders, both off until the participant turns them on, both only to an address they gave:
- weekly, on the weekday they picked, while an open action of the present period (from the latest
  gathering that has started to the next one) has no log entry;
- before a gathering, from N days before it until it starts, while something is open: an action of the
  present period without a log entry, or a logged action without a reflection note.

What counts as open is what the start page lists (`journal.overview`), worked out here for everyone at
once: every query is set-wise, so a run costs the same number of statements for 100 participants as for
10,000. An e-mail holds counts, the titles of the participant's own actions only if they chose so, and
links; never a word of what they wrote beyond those titles.

Sending once: each reminder is claimed first, as a row in sent_reminders whose (user, key) is unique
(`weekly:2026-W49`, `gathering:17`), by an INSERT ... ON CONFLICT DO NOTHING that is committed before
anything is sent; the rows it returns are this run's to send. A second run, or another server running at
the same moment, claims nothing that was claimed, so nothing is sent twice. A claim whose e-mail the SMTP
server did not take for now is deleted again, so the next run sends it; one whose address the server
refused for good is kept, marked (REFUSED_AT), and not tried again, until the participant gives another
address (set_preferences lets those go). A run in which the server refused every address it was given
(ALL_REFUSED or more) is taken for a server set up wrong, not for that many bad addresses: nothing is
kept as refused, and all are tried again at the next run.

Never in the app's way: who is due (the costly reads, through everyone's journal) is read with nothing
written yet, so on SQLite no write transaction is open while they run; then one short transaction lets go
of stale claims and makes the new ones, committed before the first e-mail; what the server took is written
down as the run goes, in short transactions of RECORD_EVERY e-mails at most.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from urllib.parse import urlsplit

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from ledpro_journal.i18n import format_date, language_or_default, language_tag, t
from ledpro_journal.models import (
    ActionStatus,
    Cohort,
    CohortMembership,
    Document,
    DocumentKind,
    Gathering,
    Installation,
    NoteAction,
    ReminderPreference,
    Role,
    SentReminder,
    User,
    utcnow,
)
from ledpro_journal.services import permissions
from ledpro_journal.services.errors import NotFound, Problems

MIN_DAYS_BEFORE, MAX_DAYS_BEFORE = 1, 30
WEEKDAYS = range(7)
MAX_EMAIL_LENGTH = 254
# A claim still unsent after this long belongs to a run that died between claiming and sending: it is
# let go, so that a later run sends it (longer than any run takes, so a slow run is never sent twice).
STALE_CLAIM = timedelta(hours=6)
# A sent reminder is remembered while its key could still be due (a week's; a gathering's, which is due at
# most MAX_DAYS_BEFORE days before it starts), then forgotten: the table stays small, and says little.
KEEP_SENT = timedelta(days=MAX_DAYS_BEFORE + 10)
# What the SMTP server took is written down as the run goes: every RECORD_EVERY e-mails, or after
# RECORD_SECONDS if the server is slow, whichever comes first (one short transaction each). A run that dies
# part-way sends again (once its claims are stale) at most those since the last time, never the whole run.
RECORD_EVERY = 50
RECORD_SECONDS = 5.0
# sent_at of a reminder whose address the server refused for good (mail.py: 5xx to RCPT TO about the
# address): a moment no e-mail was ever sent at, so the kept claim says "refused" without a column of its
# own, and is not tried again. Forgotten after KEEP_SENT like the others.
REFUSED_AT = datetime(1970, 1, 1, tzinfo=UTC)
# When every e-mail a run tried (this many at least) was refused for good, the server is set up wrong (the
# sender, the relay), not the addresses: those claims are let go, for the next run, and the run says so.
ALL_REFUSED = 3
WEEKLY, GATHERING = "weekly", "gathering"
_OPEN = (ActionStatus.PLANNED.value, ActionStatus.IN_PROGRESS.value)


# --- the participant's choices ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Preferences:
    email: str
    weekly: bool = False
    weekday: int = 0
    before_gathering: bool = False
    days_before: int = 7
    show_titles: bool = False

    @property
    def any_on(self) -> bool:
        return self.weekly or self.before_gathering


def my_preferences(actor: User, *, session: Session) -> Preferences:
    actor = permissions.ensure_participant(actor)
    user = session.get(User, actor.id)
    row = session.get(ReminderPreference, actor.id)
    if row is None:
        return Preferences(email=user.email or "")
    return Preferences(
        email=user.email or "", weekly=row.weekly, weekday=row.weekday, before_gathering=row.before_gathering,
        days_before=row.days_before, show_titles=row.show_titles,
    )


def normalise_email(problems: Problems, raw: str) -> str:
    """The address as it is to be stored ("" for none); what is wrong with it goes to `problems`. Syntax
    only (email-validator, RFC 5321/5322 with internationalised domains): no DNS look-up from a form."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        checked = validate_email(raw, check_deliverability=False)
    except EmailNotValidError:
        problems.add("email", "reminders.email_invalid")
        return raw
    if len(checked.normalized) > MAX_EMAIL_LENGTH:
        problems.add("email", "field.too_long", max=MAX_EMAIL_LENGTH)
    return checked.normalized


def set_preferences(
    actor: User,
    *,
    session: Session,
    email: str,
    weekly: bool,
    weekday: int,
    before_gathering: bool,
    days_before: int,
    show_titles: bool,
) -> Preferences:
    """Saves the e-mail address and the reminder choices together: a reminder needs an address."""
    actor = permissions.ensure_participant(actor)
    problems = Problems()
    address = normalise_email(problems, email)
    if (weekly or before_gathering) and not address and "email" not in problems:
        problems.add("email", "reminders.email_needed")
    if weekday not in WEEKDAYS:
        problems.add("weekday", "field.invalid_choice")
    if isinstance(days_before, bool) or not isinstance(days_before, int) or not (
        MIN_DAYS_BEFORE <= days_before <= MAX_DAYS_BEFORE
    ):
        problems.add("days_before", "reminders.days_invalid", min=MIN_DAYS_BEFORE, max=MAX_DAYS_BEFORE)
    problems.raise_if_any()
    user = session.get(User, actor.id)
    if (user.email or None) != (address or None):
        # A reminder the old address was refused for is due again, to the new one (this week's, say).
        session.execute(
            sa.delete(SentReminder)
            .where(SentReminder.user_id == actor.id)
            .where(SentReminder.sent_at == REFUSED_AT)
        )
    user.email = address or None
    session.add(user)
    row = session.get(ReminderPreference, actor.id) or ReminderPreference(user_id=actor.id)
    row.weekly, row.weekday, row.before_gathering = bool(weekly), weekday, bool(before_gathering)
    row.days_before, row.show_titles, row.updated_at = days_before, bool(show_titles), utcnow()
    session.add(row)
    session.flush()
    return my_preferences(actor, session=session)


# --- links that work without signing in --------------------------------------------------------------------


def _signing_key(session: Session, *, make: bool) -> bytes | None:
    """The installation's secret for signed links. Made once, by whichever server asks first: the guarded
    UPDATE lets one writer win, and everyone then reads the one that was stored."""
    def stored() -> str | None:
        return session.exec(select(Installation.signing_key).where(Installation.id == 1)).first()

    key = stored()
    if key is None and make:
        session.execute(
            sa.update(Installation)
            .where(Installation.id == 1)
            .where(Installation.signing_key.is_(None))
            .values(signing_key=secrets.token_hex(32))
        )
        session.commit()
        key = stored()
    return key.encode("ascii") if key else None


def _signature(key: bytes, user_id: int) -> str:
    digest = hmac.new(key, f"unsubscribe:{user_id}".encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def unsubscribe_token(key: bytes, user_id: int) -> str:
    return f"{user_id}.{_signature(key, user_id)}"


def _user_for_token(session: Session, token: str) -> User:
    """The participant a signed link names; NotFound for anything forged, mangled or no longer there."""
    user_part, _, signature = (token or "").partition(".")
    key = _signing_key(session, make=False)
    if not (user_part.isascii() and user_part.isdigit() and len(user_part) < 19) or key is None:
        raise NotFound("reminders.link_invalid")
    user_id = int(user_part)
    if not hmac.compare_digest(signature.encode("ascii", "replace"), _signature(key, user_id).encode("ascii")):
        raise NotFound("reminders.link_invalid")
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound("reminders.link_invalid")
    return user


def link_language(session: Session, *, token: str) -> str:
    """The language of the person an unsubscribe link belongs to (NotFound for a bad link)."""
    return language_or_default(_user_for_token(session, token).language)


def unsubscribe(session: Session, *, token: str) -> str:
    """Turns every reminder off for the person the signed link names; returns their language. The link
    in each e-mail is the authority (no sign-in), so it can do this one thing only."""
    user = _user_for_token(session, token)
    session.execute(
        sa.update(ReminderPreference)
        .where(ReminderPreference.user_id == user.id)
        .values(weekly=False, before_gathering=False, updated_at=utcnow())
    )
    return language_or_default(user.language)


# --- who is due today ----------------------------------------------------------------------------------------


def weekly_key(today: date) -> str:
    year, week, _ = today.isocalendar()
    return f"{WEEKLY}:{year}-W{week:02d}"


def gathering_key(gathering_id: int) -> str:
    return f"{GATHERING}:{gathering_id}"


@dataclass(frozen=True)
class _CohortTime:
    current_id: int | None  # the gathering the present period follows (None: before the first)
    next_id: int | None
    next_number: int | None
    next_start: date | None


def _cohort_times(session: Session, today: date) -> dict[int, _CohortTime]:
    """Where today falls in each open cohort's programme (as journal.timeline, for all cohorts at once)."""
    gatherings: dict[int, list[tuple[int, int, date]]] = {}
    for cohort_id, gathering_id, number, start in session.exec(
        select(Cohort.id, Gathering.id, Gathering.number, Gathering.start_date)
        .outerjoin(Gathering, Gathering.cohort_id == Cohort.id)
        .where(Cohort.closed_at.is_(None))
        .order_by(Cohort.id, Gathering.start_date, Gathering.number)
    ):
        rows = gatherings.setdefault(cohort_id, [])
        if gathering_id is not None:
            rows.append((gathering_id, number, start))
    times = {}
    for cohort_id, rows in gatherings.items():
        started = [g for g in rows if g[2] <= today]
        ahead = [g for g in rows if g[2] > today]
        nxt = ahead[0] if ahead else (None, None, None)
        times[cohort_id] = _CohortTime(started[-1][0] if started else None, *nxt)
    return times


def _in_present_period(action, times: dict[int, _CohortTime]):
    """An action placed in the present period of its cohort, an open one. A cohort without a gathering that
    has started is before its first: its present period holds the actions placed before it (no gathering).

    The cohorts are stated as constants, never joined to the participant's membership: with a join, SQLite
    carried a cohort constant from the gathering window over to the documents and read every document of
    the cohort for each participant (7.6 s instead of 0.05 s for 300 participants, tests/bench)."""
    before_first = [c for c, time in times.items() if time.current_id is None]
    cohort = _not_indexed(action.cohort_id)
    return sa.or_(
        sa.and_(action.gathering_id.is_(None), cohort.in_(before_first or [-1])),
        *(sa.and_(cohort == c, action.gathering_id == time.current_id)
          for c, time in times.items() if time.current_id is not None),
    )


def _not_indexed(column):
    """The column as an expression that no index answers (SQLite's own idiom): a whole cohort's documents
    are many, a participant's few, so the documents are to be found by their owner, never by cohort."""
    return column + 0


def _saved_action(action):
    return sa.and_(
        action.kind == DocumentKind.ACTION.value, action.deleted_at.is_(None), action.version > 0
    )


def _has_saved_log(action):
    log = aliased(Document)
    return (
        select(log.id)
        .where(log.parent_id == action.id)
        .where(log.kind == DocumentKind.LOG.value)
        .where(log.deleted_at.is_(None))
        .where(log.version > 0)
        .exists()
    )


def _has_reflection(action):
    """A note not in the bin is linked to the action. Only the owner links their notes to their actions
    (journal.save_document), so the link itself says whose note it is: found by the action, not by
    reading through all of the owner's documents."""
    note = aliased(Document)
    return (
        select(NoteAction.note_id)
        .join(note, note.id == NoteAction.note_id)
        .where(NoteAction.action_id == action.id)
        .where(note.deleted_at.is_(None))
        .exists()
    )


def _without_log(action, times):
    """Open actions of the present period with no saved log entry (the start page's first list)."""
    return sa.and_(
        _saved_action(action),
        action.status.in_(_OPEN),
        _in_present_period(action, times),
        ~_has_saved_log(action),
    )


def _without_reflection(action, times):
    """Logged actions, in an open cohort, that no reflection note is linked to (the start page's second list)."""
    return sa.and_(
        _saved_action(action), _not_indexed(action.cohort_id).in_(list(times) or [-1]), _has_saved_log(action),
        ~_has_reflection(action),
    )


def _reachable():
    """Participants of open cohorts who can be written to: active, not deleted, with an address."""
    return (
        select(User.id)
        .join(ReminderPreference, ReminderPreference.user_id == User.id)
        .join(CohortMembership, CohortMembership.user_id == User.id)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .where(CohortMembership.role == Role.PARTICIPANT.value)
        .where(User.role == Role.PARTICIPANT.value)
        .where(Cohort.closed_at.is_(None))
        .where(User.is_active.is_(True))
        .where(User.deleted_at.is_(None))
        .where(User.email.is_not(None))
    )


def _let_go(stamp: datetime):
    """Claims a run drops before it claims: unsent after STALE_CLAIM (their run died), or kept long enough."""
    return sa.or_(
        sa.and_(SentReminder.sent_at.is_(None), SentReminder.claimed_at < stamp - STALE_CLAIM),
        SentReminder.claimed_at < stamp - KEEP_SENT,
    )


def _not_claimed(key, stamp: datetime):
    """No claim of this key that stays: one the run is about to let go of does not count, so that who is
    due can be read before anything is written, and the reminder of a dead run is claimed anew at once."""
    return ~select(SentReminder.id).where(SentReminder.user_id == User.id).where(
        SentReminder.reminder_key == key
    ).where(sa.not_(_let_go(stamp))).exists()


def _due_weekly(today: date, times: dict[int, _CohortTime], stamp: datetime):
    action = aliased(Document)
    key = weekly_key(today)
    open_action = (
        select(action.id)
        .where(action.owner_id == User.id)
        .where(_without_log(action, times))
        .exists()
    )
    return _Due(
        _reachable()
        .where(ReminderPreference.weekly.is_(True))
        .where(ReminderPreference.weekday == today.weekday())
        .where(_not_claimed(key, stamp))
        .add_columns(sa.literal(key, sa.String(80))),
        open_action,
    )


def _due_before_gathering(today: date, times: dict[int, _CohortTime], stamp: datetime):
    """From `days_before` days before the cohort's next gathering until it starts: a run that is late (or
    a participant who turns it on late) still gets the one nudge while the gathering is ahead."""
    ahead = {
        cohort_id: time for cohort_id, time in times.items()
        if time.next_start is not None and (time.next_start - today).days <= MAX_DAYS_BEFORE
    }
    if not ahead:
        return None
    action = aliased(Document)
    key = sa.case(
        *((CohortMembership.cohort_id == c, sa.literal(gathering_key(time.next_id))) for c, time in ahead.items())
    )
    window = sa.or_(*(
        sa.and_(CohortMembership.cohort_id == c, ReminderPreference.days_before >= (time.next_start - today).days)
        for c, time in ahead.items()
    ))
    something_open = (
        select(action.id)
        .where(action.owner_id == User.id)
        .where(sa.or_(
            _without_log(action, times),
            _without_reflection(action, times),
        ))
        .exists()
    )
    return _Due(
        _reachable()
        .where(ReminderPreference.before_gathering.is_(True))
        .where(window)
        .where(_not_claimed(key, stamp))
        .add_columns(sa.cast(key, sa.String(80))),
        something_open,
    )


@dataclass(frozen=True)
class _Due:
    """Who may get a reminder and its key (`rows`: user id, key), and the costly part of being due: that
    something is open in their journal (`open`)."""

    rows: object
    open: object


def _among(column, ids: list[int], dialect: str):
    """`column IN ids` with the ids as one parameter, however many there are (bound parameters are limited)."""
    if dialect == "postgresql":
        return column == sa.any_(sa.bindparam("ids", ids, type_=postgresql.ARRAY(sa.BigInteger), unique=True))
    values = sa.func.json_each(sa.bindparam("ids", json.dumps(ids), unique=True)).table_valued("value")
    return column.in_(select(values.c.value))


def _who_is_due(session: Session, due: _Due | None) -> list[int]:
    """Who has something open, read through everyone's journal: the costly part, read with nothing written
    in this transaction (SQLite has one writer at a time; a write transaction open now would hold the app's
    saves back for as long as the read takes)."""
    if due is None:
        return []
    return list(session.exec(due.rows.where(due.open).with_only_columns(User.id).distinct()))


def _claim(session: Session, due: _Due | None, ids: list[int], stamp: datetime) -> list[int]:
    """INSERT the due (user, key) rows of those `ids`, skipping any that another run claimed meanwhile: the
    unique key decides, on PostgreSQL too, where a concurrent INSERT of the same key waits for the other to
    commit. Reads no journal (who has something open was read before): the INSERT ... SELECT finds its
    rows by user id, so the write transaction it runs in stays short (about 0.1 s at 10,000)."""
    if due is None or not ids:
        return []
    dialect = session.get_bind().dialect.name
    # In user order, so that two runs inserting the same keys at once wait for each other, never deadlock.
    rows = (
        due.rows.where(_among(User.id, ids, dialect))
        .add_columns(sa.literal(stamp, SentReminder.__table__.c.claimed_at.type))
        .distinct()
        .order_by(User.id)
    )
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(SentReminder.__table__)
    statement = insert.from_select(["user_id", "reminder_key", "claimed_at"], rows).on_conflict_do_nothing(
        index_elements=["user_id", "reminder_key"]
    )
    return list(session.execute(statement.returning(SentReminder.id)).scalars())


# --- the e-mails ----------------------------------------------------------------------------------------------


@dataclass
class Reminder:
    """One claimed e-mail: to whom, which, and what it says (counts, and titles only if chosen)."""

    claim_id: int
    key: str
    username: str
    name: str
    email: str
    lang: str
    user_id: int
    show_titles: bool
    without_log: list[str] = field(default_factory=list)
    without_reflection: list[str] = field(default_factory=list)
    gathering_number: int | None = None
    gathering_start: date | None = None

    @property
    def kind(self) -> str:
        return self.key.partition(":")[0]


def _claimed(session: Session, claim_ids: list[int], times: dict[int, _CohortTime]) -> list[Reminder]:
    """This run's claims with what goes into each e-mail: three set-wise reads, whatever the number."""
    if not claim_ids:
        return []
    mine = _among(SentReminder.id, claim_ids, session.get_bind().dialect.name)
    people = session.exec(
        select(
            SentReminder.id, SentReminder.reminder_key, User.id, User.username, User.display_name, User.email,
            User.language, ReminderPreference.show_titles, sa.func.min(CohortMembership.cohort_id),
        )
        .join(User, User.id == SentReminder.user_id)
        .join(ReminderPreference, ReminderPreference.user_id == User.id)
        .join(CohortMembership, CohortMembership.user_id == User.id)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .where(mine)
        .where(CohortMembership.role == Role.PARTICIPANT.value)
        .where(Cohort.closed_at.is_(None))
        .group_by(SentReminder.id, SentReminder.reminder_key, User.id, User.username, User.display_name,
                  User.email, User.language, ReminderPreference.show_titles)
        .order_by(SentReminder.id)
    ).all()
    reminders = []
    for claim_id, key, user_id, username, name, email, lang, show_titles, cohort_id in people:
        time = times.get(cohort_id) or _CohortTime(None, None, None, None)
        reminders.append(Reminder(
            claim_id=claim_id, key=key, username=username, name=name, email=email,
            lang=language_or_default(lang), user_id=user_id, show_titles=show_titles,
            gathering_number=time.next_number, gathering_start=time.next_start,
        ))
    if not reminders:
        return []
    by_user: dict[int, list[Reminder]] = {}
    for reminder in reminders:
        by_user.setdefault(reminder.user_id, []).append(reminder)
    claimed_users = select(SentReminder.user_id).where(mine)
    action = aliased(Document)
    # The title leaves the database only for those who asked to see it.
    title = sa.case((ReminderPreference.show_titles.is_(True), action.title), else_=sa.literal(""))

    def items(condition):
        return session.exec(
            select(action.owner_id, title)
            .join(ReminderPreference, ReminderPreference.user_id == action.owner_id)
            .where(action.owner_id.in_(claimed_users))
            .where(condition(action, times))
            .order_by(action.owner_id, action.happened_on.is_(None), action.happened_on, action.id)
        ).all()

    for owner_id, item_title in items(_without_log):
        for reminder in by_user.get(owner_id, []):
            reminder.without_log.append(item_title)
    if any(r.kind == GATHERING for r in reminders):
        for owner_id, item_title in items(_without_reflection):
            for reminder in by_user.get(owner_id, []):
                if reminder.kind == GATHERING:
                    reminder.without_reflection.append(item_title)
    return reminders


def compose(reminder: Reminder, *, today: date, sender: str, public_url: str, token: str) -> EmailMessage:
    """The e-mail in the participant's language: counts, their own titles if they chose so, links."""
    lang = reminder.lang
    base = public_url.rstrip("/")
    unsubscribe_url = f"{base}/reminders/unsubscribe/{token}"
    lines = [t("reminders.mail.greeting", lang, name=reminder.name), ""]
    if reminder.kind == GATHERING:
        days = (reminder.gathering_start - today).days
        subject = t("reminders.mail.gathering_subject", lang, number=reminder.gathering_number, days=days)
        lines += [t("reminders.mail.gathering_lead", lang, number=reminder.gathering_number, days=days,
                    date=format_date(reminder.gathering_start, lang, style="long")), ""]
    else:
        subject = t("reminders.mail.weekly_subject", lang, count=len(reminder.without_log))
        lines += [t("reminders.mail.weekly_lead", lang), ""]

    def listing(key: str, titles: list[str]) -> None:
        if not titles:
            return
        lines.append(t(key, lang, count=len(titles)))
        if reminder.show_titles:
            lines.extend(f"  – {title or t('journal.untitled', lang)}" for title in titles)
        lines.append("")

    listing("reminders.mail.without_log", reminder.without_log)
    if reminder.kind == GATHERING:
        listing("reminders.mail.without_reflection", reminder.without_reflection)
    lines += [
        t("reminders.mail.open_app", lang, url=f"{base}/actions"), "",
        "-- ",
        t("reminders.mail.why", lang, url=f"{base}/account"),
        t("reminders.mail.unsubscribe", lang, url=unsubscribe_url),
    ]
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = reminder.email
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = make_msgid(domain=urlsplit(base).hostname or "localhost")
    message["Auto-Submitted"] = "auto-generated"
    # RFC 2369 and RFC 8058: mail programs show their own "unsubscribe" button, which POSTs to this address.
    message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content("\n".join(lines) + "\n")
    # After set_content, which replaces every Content-* header.
    message["Content-Language"] = language_tag(lang)
    return message


# --- a run ----------------------------------------------------------------------------------------------------


class MessageRefused(Exception):
    """The server would not take this one message (a recipient refused, say): the others still go, and
    this one is tried again at the next run."""


class AddressRefused(MessageRefused):
    """The server refused this message's address for good (a permanent reply about the address itself):
    sending it again would be refused again, so this reminder is not tried again."""


class ServerFailed(Exception):
    """The server cannot be reached or used at all: nothing more is tried in this run."""


@dataclass
class Outcome:
    sent: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, str]] = field(default_factory=list)  # tried again at the next run
    refused: list[tuple[Reminder, str]] = field(default_factory=list)  # the address, for good: never again
    not_tried: list[Reminder] = field(default_factory=list)
    server_error: str = ""
    # Every e-mail tried (ALL_REFUSED at least) was refused for good: the set-up, not the addresses. Those
    # are in `failed` then, tried again at the next run, and `refused` is empty.
    all_refused: bool = False

    @property
    def ok(self) -> bool:
        return not self.failed and not self.refused and not self.not_tried and not self.server_error


def send_reminders(
    session: Session,
    *,
    today: date,
    send: Callable[[EmailMessage], None],
    sender: str,
    public_url: str,
    now: datetime | None = None,
) -> Outcome:
    """Claims what is due today, sends it through `send` (which raises MessageRefused, AddressRefused or
    ServerFailed) and records what became of each. Commits as it goes, never holding a write open while it
    reads through the journals or while mail is sent:

    1. who is due, both kinds, read with nothing written yet (on SQLite: no write transaction open);
    2. one short write: stale claims let go, both kinds claimed, committed before the first e-mail (so
       that no other run sends them too);
    3. the e-mails, with what the server took written down every RECORD_EVERY e-mails (or RECORD_SECONDS),
       each a short transaction, and the rest at the end. What was not sent for now is let go, for the
       next run; an address refused for good is kept as refused, unless every e-mail tried (ALL_REFUSED
       at least) was refused so (`Outcome.all_refused`): then they are let go as well. If the run fails
       (an error of this program, an interrupt), what was sent is still written down before the error
       goes on."""
    if not public_url:
        raise ValueError("public_url is needed for the links in the e-mails")
    stamp = now or utcnow()
    times = _cohort_times(session, today)
    key = _signing_key(session, make=True)
    due = [_due_weekly(today, times, stamp), _due_before_gathering(today, times, stamp)]
    ids = [_who_is_due(session, kind) for kind in due]
    session.execute(sa.delete(SentReminder).where(_let_go(stamp)))
    claim_ids = [claim for kind, who in zip(due, ids, strict=True) for claim in _claim(session, kind, who, stamp)]
    session.commit()
    outcome = Outcome()
    reminders = _claimed(session, claim_ids, times)
    session.commit()
    recorder = _Recorder(session, outcome)
    try:
        for index, reminder in enumerate(reminders):
            message = compose(reminder, today=today, sender=sender, public_url=public_url,
                              token=unsubscribe_token(key, reminder.user_id))
            try:
                send(message)
            except AddressRefused as refused:
                outcome.refused.append((reminder, str(refused)))
            except MessageRefused as refused:
                outcome.failed.append((reminder, str(refused)))
            except ServerFailed as failed:
                outcome.server_error = str(failed)
                outcome.not_tried = reminders[index:]
                break
            else:
                outcome.sent.append(reminder)
            recorder.now_and_then()
    except BaseException:
        # The e-mail being sent when it failed may have gone or not: its claim stays, let go once stale.
        with contextlib.suppress(Exception):
            session.rollback()
            recorder.write()
        raise
    if len(outcome.refused) >= ALL_REFUSED and not outcome.sent and not outcome.failed:
        outcome.failed.extend(outcome.refused)
        outcome.refused.clear()
        outcome.all_refused = True
    recorder.write(final=True)
    return outcome


class _Recorder:
    """Writes down what became of the e-mails not written down yet, in one short transaction: at most
    three statements (sent, refused for good, let go), however many e-mails. Refused addresses wait while
    nothing else has happened in the run (it may yet turn out that the server refuses everything), until
    the end of the run; if the run dies first, their claims are let go once stale, and tried again."""

    def __init__(self, session: Session, outcome: Outcome) -> None:
        self.session, self.outcome = session, outcome
        self.sent = self.refused = self.failed = 0
        self.since = time.monotonic()

    def _refused_now(self, final: bool) -> bool:
        return final or bool(self.outcome.sent or self.outcome.failed)

    def _waiting(self) -> int:
        o = self.outcome
        refused = len(o.refused) - self.refused if self._refused_now(final=False) else 0
        return len(o.sent) - self.sent + refused + len(o.failed) - self.failed

    def now_and_then(self) -> None:
        waiting = self._waiting()
        if waiting >= RECORD_EVERY or (waiting and time.monotonic() - self.since >= RECORD_SECONDS):
            self.write()

    def write(self, *, final: bool = False) -> None:
        o, session = self.outcome, self.session
        dialect = session.get_bind().dialect.name
        sent = [r.claim_id for r in o.sent[self.sent:]]
        refused = [r.claim_id for r, _ in o.refused[self.refused:]] if self._refused_now(final) else []
        unsent = [r.claim_id for r, _ in o.failed[self.failed:]] + [r.claim_id for r in o.not_tried]
        if sent:
            session.execute(sa.update(SentReminder).where(_among(SentReminder.id, sent, dialect))
                            .values(sent_at=utcnow()))
        if refused:
            session.execute(sa.update(SentReminder).where(_among(SentReminder.id, refused, dialect))
                            .values(sent_at=REFUSED_AT))
        if unsent:
            session.execute(sa.delete(SentReminder).where(_among(SentReminder.id, unsent, dialect)))
        session.commit()
        self.sent, self.failed = len(o.sent), len(o.failed)
        self.refused += len(refused)
        self.since = time.monotonic()
