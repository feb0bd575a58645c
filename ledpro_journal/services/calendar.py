"""The calendar: the cohort's gatherings and the participant's own dated actions as an iCalendar file, to
download once or to subscribe to through a personal feed address.

The feed address holds a long random token instead of a sign-in: calendar programs (Outlook, Google
Calendar, Apple Calendar) fetch it on their own, without cookies. Whoever has the address sees the
calendar, so it shows only what its owner may see, and the owner can renew it, which ends the old one.
Every event keeps its UID when its date or text changes, so that a calendar moves it instead of showing
it twice.
"""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from icalendar import Calendar, Event, vDuration
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ledpro_journal.i18n import t
from ledpro_journal.models import (
    ActionStatus,
    CalendarFeed,
    Cohort,
    Document,
    DocumentKind,
    Gathering,
    Installation,
    Role,
    Theme,
    User,
    utcnow,
)
from ledpro_journal.services import permissions

# How often a subscribed calendar is asked to fetch the feed again (REFRESH-INTERVAL, X-PUBLISHED-TTL).
# Programs treat it as a wish: Google Calendar fetches subscriptions a few times a day whatever it says.
REFRESH_INTERVAL = timedelta(hours=4)
FILE_NAME = "ledpro-journal.ics"
# secrets.token_urlsafe(32): 256 random bits in 43 characters.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
_FEED_PREFIX = "/calendar/"
_FEED_SUFFIX = ".ics"
# What an action's status means to a calendar program: dropped actions are shown as cancelled.
_EVENT_STATUS = {
    ActionStatus.PLANNED: "TENTATIVE",
    ActionStatus.IN_PROGRESS: "CONFIRMED",
    ActionStatus.DONE: "CONFIRMED",
    ActionStatus.DROPPED: "CANCELLED",
}


# --- the feed's address ---------------------------------------------------------------------------------


def feed_path(token: str) -> str:
    """The feed's path on this server: /calendar/<token>.ics."""
    return f"{_FEED_PREFIX}{token}{_FEED_SUFFIX}"


def feed_url(base_url: str, token: str) -> str:
    """The feed's absolute address under the app's address (https://ledpro.example.no)."""
    return base_url.rstrip("/") + feed_path(token)


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def feed_token_for(actor: User, *, session: Session) -> str:
    """The actor's feed token, made the first time it is asked for."""
    permissions.ensure_calendar_holder(actor)
    feed = session.get(CalendarFeed, actor.id)
    if feed is not None:
        return feed.token
    try:
        # Two tabs opening Min konto at once both find no row; the second insert fails on the key and
        # reads the first one's token instead.
        with session.begin_nested():
            feed = CalendarFeed(user_id=actor.id, token=_new_token(), created_at=utcnow())
            session.add(feed)
    except IntegrityError:
        feed = session.exec(select(CalendarFeed).where(CalendarFeed.user_id == actor.id)).one()
    return feed.token


def renew_feed_token(actor: User, *, session: Session) -> str:
    """A new feed token in place of the old one: the old address answers 404 from this commit on."""
    permissions.ensure_calendar_holder(actor)
    feed = session.get(CalendarFeed, actor.id)
    if feed is None:
        feed = CalendarFeed(user_id=actor.id)
    feed.token = _new_token()
    feed.created_at = utcnow()
    session.add(feed)
    session.flush()
    return feed.token


def user_for_feed_token(session: Session, token: str | None) -> User | None:
    """Whose feed a token opens, or None: an unknown or renewed token, or an account that is deactivated,
    deleted or not one that has a calendar. The lookup goes through the unique index; the final comparison
    takes the same time wherever the strings differ."""
    if not token or not _TOKEN_SHAPE.fullmatch(token):
        return None
    row = session.exec(
        select(CalendarFeed.token, User).join(User, User.id == CalendarFeed.user_id).where(CalendarFeed.token == token)
    ).first()
    if row is None:
        return None
    stored, user = row
    if not secrets.compare_digest(stored.encode(), token.encode()) or not permissions.may_hold_calendar(user):
        return None
    return user


def feed_for_token(session: Session, token: str | None, *, app_url: str | None) -> bytes | None:
    """The iCalendar file a feed address answers with, or None for an address that opens nothing."""
    user = user_for_feed_token(session, token)
    if user is None:
        return None
    return build_calendar(user, session=session, app_url=app_url)


# --- the calendar ---------------------------------------------------------------------------------------


def build_calendar(actor: User, *, session: Session, app_url: str | None = None) -> bytes:
    """The actor's calendar as an iCalendar file (RFC 5545), in their language.

    Gatherings of the actor's cohorts are all-day events from the first day to the last (DTEND is the day
    after, as RFC 5545 counts all-day events); a participant's own actions with a date are all-day events
    on that date with their status. Nothing else of the journal is in it, and nothing of anyone else's.
    `app_url` (the app's address, when known) adds a link back to the app to every event. The same rows give
    the same bytes, so that an unchanged feed can be answered with 304 Not Modified."""
    actor = permissions.ensure_calendar_holder(actor)
    lang = actor.language
    domain = _uid_domain(session)
    app_url = app_url.rstrip("/") if app_url else None
    cohort_ids = sorted(permissions.visible_cohort_ids(actor, session) or ())
    participant = actor.role == Role.PARTICIPANT
    calendar = Calendar.new(
        prodid="-//LEDPRO Journal//LEDPRO Journal//NB",
        uid=f"calendar-{actor.id}@{domain}",
        name=t("calendar.name" if participant else "calendar.name_facilitator", lang),
        description=t("calendar.description" if participant else "calendar.description_facilitator", lang),
        refresh_interval=REFRESH_INTERVAL,
    )
    # RFC 7986 wants the value type named; Outlook reads X-PUBLISHED-TTL instead.
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH_INTERVAL))
    calendar.add("X-WR-TIMEZONE", "Europe/Oslo")
    calendar.add("CALSCALE", "GREGORIAN")
    for event in _gathering_events(session, cohort_ids, lang=lang, domain=domain, app_url=app_url):
        calendar.add_component(event)
    if participant:
        for event in _action_events(session, actor, lang=lang, domain=domain, app_url=app_url):
            calendar.add_component(event)
    return calendar.to_ical()


def _uid_domain(session: Session) -> str:
    """The right-hand side of every UID: the same whatever address the app is reached at, and different for
    each installation (set up at its own moment), so that two schools' gathering 7 never meet in one
    calendar."""
    set_up_at = session.exec(select(Installation.set_up_at)).first()
    stamp = int(set_up_at.timestamp()) if set_up_at else 0
    return f"i{stamp}.ledpro-journal"


def _gathering_events(session: Session, cohort_ids: list[int], *, lang: str, domain: str, app_url: str | None):
    if not cohort_ids:
        return
    rows = session.exec(
        select(Gathering, Cohort, Theme)
        .join(Cohort, Cohort.id == Gathering.cohort_id)
        .outerjoin(Theme, Theme.id == Gathering.theme_id)
        .where(Gathering.cohort_id.in_(cohort_ids))
        .order_by(Gathering.start_date, Gathering.id)
    ).all()
    for gathering, cohort, theme in rows:
        lines = []
        if theme is not None:
            lines.append(t("calendar.gathering_theme", lang, theme=theme.name))
        if app_url:
            lines.append(t("calendar.open_in_app", lang, url=f"{app_url}/"))
        # Like an action's: SEQUENCE is the gathering's version, raised by every change the event shows
        # (programme.py), and DTSTAMP and LAST-MODIFIED the time of that change, so that strict calendar
        # programs take a moved gathering as changed. A published feed has no METHOD, and then DTSTAMP may
        # be when the event was last revised (RFC 5545 3.8.7.2): the same rows still give the same bytes.
        changed = gathering.updated_at or cohort.created_at
        event = Event.new(
            uid=f"gathering-{gathering.id}@{domain}",
            summary=t("calendar.gathering_summary", lang, number=gathering.number, cohort=cohort.name),
            start=gathering.start_date,
            end=gathering.end_date + timedelta(days=1),
            stamp=changed,
            last_modified=changed,
            sequence=gathering.version,
            location=gathering.place or cohort.place or None,
            description="\n".join(lines) or None,
            transparency="OPAQUE",  # away at the gathering: busy
            url=f"{app_url}/" if app_url else None,
        )
        yield event


def _action_events(session: Session, actor: User, *, lang: str, domain: str, app_url: str | None):
    actions = session.exec(
        select(Document)
        .where(Document.owner_id == actor.id)
        .where(Document.kind == DocumentKind.ACTION)
        .where(Document.deleted_at.is_(None))
        .where(Document.happened_on.is_not(None))
        .order_by(Document.happened_on, Document.id)
    ).all()
    for action in actions:
        status = ActionStatus(action.status or ActionStatus.PLANNED)
        status_text = t(f"journal.status.{status}", lang)
        title = action.title or t("journal.untitled", lang)
        link = f"{app_url}/write?id={action.id}" if app_url else None
        lines = [t("calendar.action_status", lang, status=status_text)]
        if link:
            lines.append(t("calendar.open_in_app", lang, url=link))
        changed = action.updated_at
        yield Event.new(
            uid=f"action-{action.id}@{domain}",
            summary=t("calendar.action_summary", lang, title=title, status=status_text),
            start=action.happened_on,
            end=action.happened_on + timedelta(days=1),
            stamp=changed,
            last_modified=changed,
            sequence=action.version,
            status=_EVENT_STATUS[status],
            transparency="TRANSPARENT",  # an action is done at work, between other things: not busy
            description="\n".join(lines),
            url=link,
        )
