"""The audit trail: who shared, withdrew, deleted, exported, signed in from a new place, or changed the
programme and accounts, and when. The use cases call `record` at the moment they act, in their own
transaction, so an act and its event are kept or lost together.

An event holds identifiers and plain facts only. `record` takes nothing but the detail names in
`DETAIL_NAMES`, none of which can carry what a participant wrote (a title, a note's text, a comment, the
themes of a note): the trail is read by administrators and kept for years, private writing is not theirs.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from ledpro_journal.config import get_settings
from ledpro_journal.models import AuditEvent, AuthSession, LoginAttempt, User, utcnow
from ledpro_journal.services import permissions

# What an event may say besides its kind. Names are programme facts an administrator set up (a cohort's or
# group's name, a template's file name) or a coarse place of signing in; never text a participant wrote.
DETAIL_NAMES = frozenset({
    "document_id", "document_kind", "share_id", "audience", "count",
    "cohort_id", "cohort", "group_id", "group", "gathering_id", "number", "membership_id",
    "invite_id", "role", "filename", "deletion_on",
    "browser", "system", "network",
})

# Events whose subject is the person the trail belongs to, done by themselves.
OWN_KINDS = (
    "share.created", "share.withdrawn", "document.deleted", "document.purged",
    "export.downloaded", "import.done", "signin.new_place", "identity.linked", "signin.oidc",
)
# Events an administrator sees in the event log (some also concern one person: they see those too).
ADMIN_KINDS = (
    "admin.cohort.created", "admin.cohort.changed", "admin.cohort.deleted", "admin.cohort.closed",
    "admin.cohort.reopened", "admin.gathering.created", "admin.gathering.changed", "admin.gathering.deleted",
    "admin.template.uploaded", "admin.template.removed", "admin.group.created", "admin.group.renamed",
    "admin.group.deleted", "admin.member.moved", "admin.facilitator.assigned", "admin.facilitator.removed",
    "admin.invite.created", "admin.invite.revoked", "admin.user.deactivated", "admin.user.reactivated",
    "admin.user.password_reset", "account.deleted",
)
KINDS = OWN_KINDS + ADMIN_KINDS
PAGE_SIZE = 20


def record(
    session: Session,
    *,
    actor: User | None,
    kind: str,
    subject: User | int | None = None,
    administrative: bool = False,
    **details: object,
) -> AuditEvent:
    """Adds one event to the caller's transaction. `actor` None: a scheduled run did it."""
    if kind not in KINDS:
        raise ValueError(f"unknown audit event kind {kind!r}")
    unknown = set(details) - DETAIL_NAMES
    if unknown:
        raise ValueError(f"audit details may not hold {sorted(unknown)}")
    subject_id = subject.id if isinstance(subject, User) else subject
    event = AuditEvent(
        at=utcnow(),
        actor_id=actor.id if actor is not None else None,
        subject_user_id=subject_id,
        kind=kind,
        details={name: (str(value) if hasattr(value, "isoformat") else value) for name, value in details.items()},
        administrative=administrative,
    )
    session.add(event)
    session.flush()
    return event


# --- reading ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventView:
    id: int
    at: datetime
    kind: str
    details: dict
    by_someone_else: bool
    actor_id: int | None = None
    subject_id: int | None = None
    actor_name: str | None = None
    subject_name: str | None = None


def my_events(actor: User, session: Session, *, limit: int = PAGE_SIZE, offset: int = 0) -> list[EventView]:
    """The actor's own trail, newest first: what they did, and what an administrator did to their account."""
    actor = permissions.ensure_active(actor)
    rows = session.exec(
        select(AuditEvent)
        .where(permissions.own_audit_events(actor))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(max(1, min(limit, 200)))
        .offset(max(0, offset))
    ).all()
    return [EventView(e.id, e.at, e.kind, e.details, e.actor_id != actor.id, e.actor_id, e.subject_user_id)
            for e in rows]


def count_my_events(actor: User, session: Session) -> int:
    actor = permissions.ensure_active(actor)
    return session.exec(
        select(func.count()).select_from(AuditEvent).where(permissions.own_audit_events(actor))
    ).one()


def administrative_events(
    admin: User,
    session: Session,
    *,
    kinds: list[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[EventView]:
    """The administrative events, newest first, filtered by kind and time ([since, until)). A deleted
    account shows with no name."""
    permissions.ensure_admin(admin)
    actor_user = sa.orm.aliased(User)
    subject_user = sa.orm.aliased(User)
    query = (
        select(AuditEvent, actor_user.display_name, subject_user.display_name)
        .outerjoin(actor_user, actor_user.id == AuditEvent.actor_id)
        .outerjoin(subject_user, subject_user.id == AuditEvent.subject_user_id)
        .where(permissions.administrative_audit_events())
    )
    if kinds:
        query = query.where(AuditEvent.kind.in_(kinds))
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    rows = session.exec(query.limit(max(1, min(limit, 5000))).offset(max(0, offset))).all()
    return [
        EventView(e.id, e.at, e.kind, e.details, True, e.actor_id, e.subject_user_id, actor_name or None,
                  subject_name or None)
        for e, actor_name, subject_name in rows
    ]


# --- signing in from a new place -------------------------------------------------------------------------

_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("FxiOS/", "Firefox"),
             ("CriOS/", "Chrome"), ("Chrome/", "Chrome"), ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iOS"), ("iPad", "iOS"), ("Android", "Android"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("Macintosh", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def browser_family(user_agent: str) -> tuple[str, str]:
    """("Firefox", "Windows") from a user agent string; ("", "") for what is not recognised."""
    agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in agent), "")
    return browser, system


def network_of(address: str) -> str:
    """The coarse network of an address: "10.1.2.x" for IPv4 (/24), "2001:db8:1::/48" for IPv6; the full
    address is never kept in the trail."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        return re.sub(r"\.\d+$", ".x", str(ip))
    return str(ipaddress.ip_network(f"{ip}/48", strict=False))


def note_sign_in(session: Session, user: User, *, user_agent: str, address: str) -> AuditEvent | None:
    """Called as a sign-in succeeds (its attempt already marked successful, its session not yet added).

    A new place is a browser (family and system) not seen in the user's earlier sign-ins, or a network
    (/24, /48) none of their earlier successful attempts came from. Only what is still kept counts:
    sign-ins for `ended_sessions_days` after they ended, attempts for `login_records_days`. The very first
    sign-in of an account is no news to anyone, and is not recorded."""
    earlier_agents = session.exec(
        select(AuthSession.user_agent).where(AuthSession.user_id == user.id).distinct()
    ).all()
    if not earlier_agents:
        return None
    browser, system = browser_family(user_agent)
    network = network_of(address)
    known_browser = any(browser_family(agent) == (browser, system) for agent in earlier_agents)
    since = utcnow() - timedelta(days=get_settings().login_records_days)
    addresses = session.exec(
        select(LoginAttempt.address, func.count())
        .where(LoginAttempt.username == user.username)
        .where(LoginAttempt.succeeded.is_(True))
        .where(LoginAttempt.attempted_at >= since)
        .group_by(LoginAttempt.address)
    ).all()
    # The attempt that just succeeded is among them: the network is known if any other one came from it.
    from_network = sum(count for earlier, count in addresses if network_of(earlier) == network)
    if known_browser and from_network > 1:
        return None
    return record(session, actor=user, kind="signin.new_place", subject=user,
                  browser=browser, system=system, network=network)


# --- keeping -----------------------------------------------------------------------------------------------


def purge_old_events(session: Session, *, now: datetime | None = None) -> int:
    """Deletes events older than `audit_days` (the purge-old-records command and the server's start)."""
    before = (now or utcnow()) - timedelta(days=get_settings().audit_days)
    return session.execute(sa.delete(AuditEvent).where(AuditEvent.at < before)).rowcount


def forget_person(session: Session, user_id: int) -> None:
    """Deleting an account: the person's own trail goes; administrative events stay, their name does not
    (the tombstone row has none)."""
    session.execute(
        sa.delete(AuditEvent)
        .where(AuditEvent.subject_user_id == user_id)
        .where(AuditEvent.administrative.is_(False))
    )
