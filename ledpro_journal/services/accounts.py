"""Accounts: first-run setup, registration with an invite code, sign-in, server-side sessions,
profile and password changes, and the administrator's user management."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, func, select

from ledpro_journal.config import get_settings
from ledpro_journal.i18n import DEFAULT_LANGUAGE, LANGUAGES
from ledpro_journal.models import (
    AuthSession,
    CohortMembership,
    Installation,
    InviteCode,
    LoginAttempt,
    OidcLogin,
    Role,
    User,
    UserIdentity,
    utcnow,
)
from ledpro_journal.services import audit, permissions, plain_text
from ledpro_journal.services.common_passwords import COMMON_PASSWORDS
from ledpro_journal.services.errors import (
    Conflict,
    Invalid,
    NotFound,
    Problems,
    SignInRefused,
)

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024
USERNAME_PATTERN = re.compile(r"^[a-z0-9æøå._@-]{3,40}$")
CANDIDATE_NUMBER_PATTERN = re.compile(r"^[0-9A-Za-z-]{1,20}$")
# Only touch last_seen_at this often: a write on every click would make every rerun a write.
SESSION_TOUCH_INTERVAL = timedelta(minutes=5)

# The password hash of an account made through the OpenID Connect provider: no password verifies against it
# (argon2 refuses it as a hash), until an administrator gives the account one.
NO_PASSWORD = "!no-local-password"
# A sign-in with the provider has this long from the start to the callback, and from the callback to linking.
OIDC_LOGIN_MINUTES = 15


class UseSingleSignOn(SignInRefused):
    """The right password of a participant who signs in with the OpenID Connect provider only."""

    default_key = "oidc.use_provider"


# argon2id with the library's RFC 9106 low-memory profile.
password_hasher = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so that both answers take the same time. Made on
    first use: hashing costs 64 MiB and a tenth of a second, which no command that signs no one in should pay."""
    return password_hasher.hash("not a real password, only here for timing")


def normalise_username(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw or "").strip().lower()


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _check_username(problems: Problems, username: str, session: Session) -> None:
    if not username:
        problems.add("username", "field.required")
    elif not USERNAME_PATTERN.match(username):
        problems.add("username", "account.username_invalid")
    elif session.exec(select(User.id).where(User.username == username)).first() is not None:
        problems.add("username", "account.username_taken")


def _check_display_name(problems: Problems, display_name: str) -> str:
    display_name = " ".join((display_name or "").split())
    if not display_name:
        problems.add("display_name", "field.required")
    elif len(display_name) > 120:
        problems.add("display_name", "field.too_long", max=120)
    elif plain_text.has_control_or_surrogate(display_name):
        problems.add("display_name", plain_text.INVALID_CHARACTERS)
    return display_name


def password_problem(password: str, username: str = "") -> str | None:
    """The catalogue key of what is wrong with a new password, or None. No composition rules (NIST 800-63B)."""
    if not password:
        return "field.required"
    if len(password) < MIN_PASSWORD_LENGTH:
        return "account.password_too_short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "account.password_too_long"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2 or (username and lowered == username.lower()):
        return "account.password_common"
    return None


def _check_new_password(problems: Problems, password: str, repeat: str | None, username: str) -> None:
    problem = password_problem(password, username)
    if problem:
        problems.add("password", problem, min=MIN_PASSWORD_LENGTH, max=MAX_PASSWORD_LENGTH)
    elif repeat is not None and repeat != password:
        problems.add("password_repeat", "account.password_mismatch")


def _new_user(username: str, display_name: str, password: str, role: Role, language: str) -> User:
    return User(
        username=username,
        display_name=display_name,
        password_hash=password_hasher.hash(password),
        role=role,
        language=language,
    )


# --- first run -------------------------------------------------------------------------------


def needs_setup(session: Session) -> bool:
    return session.get(Installation, 1) is None


def create_first_admin(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    password_repeat: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> User:
    """The one-time setup. The installation row's fixed primary key lets only one request win."""
    if not needs_setup(session):
        raise Conflict("setup.already_done")
    username = normalise_username(username)
    problems = Problems()
    _check_username(problems, username, session)
    display_name = _check_display_name(problems, display_name)
    _check_new_password(problems, password, password_repeat, username)
    problems.raise_if_any()
    try:
        with session.begin_nested():
            session.add(Installation(id=1))
            session.flush()
    except sa.exc.IntegrityError as exc:
        raise Conflict("setup.already_done") from exc
    user = _new_user(username, display_name, password, Role.ADMIN, language)
    session.add(user)
    session.flush()
    return user


def create_admin(session: Session, *, username: str, display_name: str, password: str) -> User:
    """For operators (command line): another administrator, or the first one without the web form."""
    username = normalise_username(username)
    problems = Problems()
    _check_username(problems, username, session)
    display_name = _check_display_name(problems, display_name)
    _check_new_password(problems, password, None, username)
    problems.raise_if_any()
    if needs_setup(session):
        session.add(Installation(id=1))
    user = _new_user(username, display_name, password, Role.ADMIN, DEFAULT_LANGUAGE)
    session.add(user)
    session.flush()
    return user


# --- registration ------------------------------------------------------------------------------


def normalise_invite_code(raw: str) -> str:
    return re.sub(r"[\s]+", "", (raw or "")).upper()


def _usable_invite(session: Session, code: str) -> InviteCode | None:
    invite = session.exec(select(InviteCode).where(InviteCode.code == code)).first()
    if invite is None or invite.revoked_at is not None:
        return None
    if invite.expires_at is not None and invite.expires_at <= utcnow():
        return None
    if invite.max_uses is not None and invite.use_count >= invite.max_uses:
        return None
    return invite


def register_with_invite(
    session: Session,
    *,
    invite_code: str,
    username: str,
    display_name: str,
    password: str,
    password_repeat: str | None = None,
    language: str = DEFAULT_LANGUAGE,
) -> User:
    code = normalise_invite_code(invite_code)
    username = normalise_username(username)
    problems = Problems()
    invite = _usable_invite(session, code) if code else None
    if not code:
        problems.add("invite_code", "field.required")
    elif invite is None:
        problems.add("invite_code", "account.invite_invalid")
    elif invite.role == Role.PARTICIPANT and not invite.for_externals and get_settings().oidc_only:
        # "Feide only": participants come in through the provider; a local password only for externals.
        problems.add("invite_code", "oidc.invite_needs_provider", provider=get_settings().oidc_provider_name)
    _check_username(problems, username, session)
    display_name = _check_display_name(problems, display_name)
    _check_new_password(problems, password, password_repeat, username)
    problems.raise_if_any()
    user = _new_user(username, display_name, password, invite.role, language)
    return _join_with_invite(session, invite, user)


def _join_with_invite(session: Session, invite: InviteCode, user: User) -> User:
    """Claims one use of the invite, adds the new account and puts it in the invite's cohort (and group)."""
    # Counted with a guarded UPDATE so that two people racing for the last use cannot both get it.
    claimed = session.execute(
        sa.update(InviteCode)
        .where(InviteCode.id == invite.id)
        .where(sa.or_(InviteCode.max_uses.is_(None), InviteCode.use_count < InviteCode.max_uses))
        .values(use_count=InviteCode.use_count + 1)
    )
    if claimed.rowcount != 1:
        raise Invalid.one("invite_code", "account.invite_invalid")
    session.add(user)
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:
        raise Invalid.one("username", "account.username_taken") from exc
    session.add(
        CohortMembership(cohort_id=invite.cohort_id, user_id=user.id, role=invite.role, group_id=invite.group_id)
    )
    session.flush()
    return user


def register_without_password(
    session: Session,
    *,
    invite_code: str,
    username: str,
    display_name: str,
    email: str | None,
    language: str = DEFAULT_LANGUAGE,
) -> User:
    """An account for someone who signs in with the OpenID Connect provider (services/oidc.py chose the
    username and took the name from the provider): no password of its own. Any usable invite will do."""
    code = normalise_invite_code(invite_code)
    invite = _usable_invite(session, code) if code else None
    if not code:
        raise Invalid.one("invite_code", "field.required")
    if invite is None:
        raise Invalid.one("invite_code", "account.invite_invalid")
    problems = Problems()
    username = normalise_username(username)
    _check_username(problems, username, session)
    display_name = _check_display_name(problems, display_name)
    problems.raise_if_any()
    user = User(username=username, display_name=display_name, password_hash=NO_PASSWORD, role=invite.role,
                language=language, email=email or None)
    return _join_with_invite(session, invite, user)


# --- signing in ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    """How a sign-in attempt is to be treated before the password is even looked at."""

    delay_seconds: float = 0.0
    locked_until: datetime | None = None


def sign_in_throttle(session: Session, *, username: str, address: str) -> Throttle:
    settings = get_settings()
    window_start = utcnow() - timedelta(minutes=settings.login_lockout_minutes)
    username = normalise_username(username)[:40]

    def recent_failures(column, value: str, *, reset_by_success: bool) -> tuple[int, datetime | None]:
        query = (
            select(func.count(), func.max(LoginAttempt.attempted_at))
            .where(column == value)
            .where(LoginAttempt.succeeded.is_(False))
            .where(LoginAttempt.attempted_at > window_start)
        )
        if reset_by_success:
            last_success = (
                select(func.max(LoginAttempt.attempted_at))
                .where(column == value)
                .where(LoginAttempt.succeeded.is_(True))
                .scalar_subquery()
            )
            query = query.where(sa.or_(last_success.is_(None), LoginAttempt.attempted_at > last_success))
        return tuple(session.exec(query).one())

    # The account's owner signing in clears the account's count. An address's count is not cleared by
    # a success: otherwise an attacker with an account of their own could reset it between guesses.
    user_failures, user_latest = recent_failures(LoginAttempt.username, username, reset_by_success=True)
    address_failures, address_latest = recent_failures(LoginAttempt.address, address[:64], reset_by_success=False)
    lockout = timedelta(minutes=settings.login_lockout_minutes)
    if user_failures >= settings.login_lockout_after:
        return Throttle(locked_until=user_latest + lockout)
    if address_failures >= settings.login_ip_lockout_after:
        return Throttle(locked_until=address_latest + lockout)
    failures = max(user_failures, address_failures // 3)
    if failures < settings.login_slowdown_after:
        return Throttle()
    return Throttle(delay_seconds=min(2.0 ** (failures - settings.login_slowdown_after), 8.0))


def count_attempt(session: Session, *, username: str, address: str) -> int:
    """Step 1 of signing in: refused while locked out, otherwise counted as a failure until step 2
    proves otherwise. The caller commits this before checking the password, so that guesses sent at
    the same moment see each other (the check takes a while on purpose)."""
    throttle = sign_in_throttle(session, username=username, address=address)
    if throttle.locked_until is not None:
        remaining = max(1, int((throttle.locked_until - utcnow()).total_seconds() // 60) + 1)
        raise SignInRefused(minutes=remaining)
    attempt = LoginAttempt(username=normalise_username(username)[:40], address=address[:64], succeeded=False)
    session.add(attempt)
    session.flush()
    return attempt.id


def check_password(
    session: Session, *, attempt_id: int, username: str, password: str, linking: bool = False
) -> User | None:
    """Step 2: the user, or None for a wrong username or password (one answer, same time for both).

    Raises UseSingleSignOn for the right password of a participant whose account is linked to the OpenID
    Connect provider, when participants sign in there only ("Feide only"); not when `linking` (the password
    is being confirmed to link an account, see services/oidc.py)."""
    key = normalise_username(username)[:40]
    user = session.exec(select(User).where(User.username == key)).first() if key else None
    try:
        password_hasher.verify(user.password_hash if user else _dummy_hash(), password or "")
        ok = user is not None and user.is_active
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        return None
    if not linking and user.role == Role.PARTICIPANT and get_settings().oidc_only and _is_linked(session, user):
        raise UseSingleSignOn(provider=get_settings().oidc_provider_name)
    session.execute(sa.update(LoginAttempt).where(LoginAttempt.id == attempt_id).values(succeeded=True))
    if password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = password_hasher.hash(password)
        session.add(user)
    return user


def _is_linked(session: Session, user: User) -> bool:
    return session.exec(select(UserIdentity.id).where(UserIdentity.user_id == user.id)).first() is not None


def authenticate(session: Session, *, username: str, password: str, address: str) -> User | None:
    """Both steps in one transaction (for tests and scripts; the web sign-in commits between them).

    Raises SignInRefused while the account or the address is locked out.
    """
    attempt_id = count_attempt(session, username=username, address=address)
    return check_password(session, attempt_id=attempt_id, username=username, password=password)


def start_session(
    session: Session, user: User, *, user_agent: str = "", address: str | None = None, id_token: str | None = None
) -> str:
    """Creates the server-side session and returns the token for the cookie (only its hash is stored).
    `address`: given when signing in with a password, so that a sign-in from a new place is recorded.
    `id_token`: a sign-in with the OpenID Connect provider, kept for signing out there too."""
    settings = get_settings()
    if address is not None:
        audit.note_sign_in(session, user, user_agent=user_agent, address=address)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        AuthSession(
            token_hash=hash_token(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(days=settings.session_max_days),
            user_agent=(user_agent or "")[:200],
            id_token=id_token,
        )
    )
    session.flush()
    return token


def resolve_session(session: Session, token: str | None) -> User | None:
    """The signed-in user behind a cookie token, or None. Checked on every request and every rerun,
    so signing out, deactivation and password changes take effect at the next click."""
    if not token or len(token) > 200:
        return None
    now = utcnow()
    idle_limit = now - timedelta(days=get_settings().session_idle_days)
    row = session.exec(
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == hash_token(token))
        .where(AuthSession.revoked_at.is_(None))
        .where(AuthSession.expires_at > now)
        .where(AuthSession.last_seen_at > idle_limit)
        .where(User.is_active.is_(True))
    ).first()
    if row is None:
        return None
    auth_session, user = row
    if now - auth_session.last_seen_at > SESSION_TOUCH_INTERVAL:
        auth_session.last_seen_at = now
        session.add(auth_session)
    return user


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(
            sa.update(AuthSession)
            .where(AuthSession.token_hash == hash_token(token))
            .where(AuthSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_other_sessions(session: Session, user_id: int, *, keep_token: str | None) -> int:
    statement = (
        sa.update(AuthSession)
        .where(AuthSession.user_id == user_id)
        .where(AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if keep_token:
        statement = statement.where(AuthSession.token_hash != hash_token(keep_token))
    return session.execute(statement).rowcount


def sign_out_other_browsers(actor: User, *, session: Session, keep_token: str) -> int:
    permissions.ensure_self(actor, actor.id)
    return end_other_sessions(session, actor.id, keep_token=keep_token)


def active_session_count(session: Session, user_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(AuthSession)
        .where(AuthSession.user_id == user_id)
        .where(AuthSession.revoked_at.is_(None))
        .where(AuthSession.expires_at > utcnow())
    ).one()


# --- one's own account -----------------------------------------------------------------------------


def update_profile(
    actor: User,
    *,
    session: Session,
    display_name: str,
    candidate_number: str,
    language: str,
    part: int | None = None,
) -> User:
    permissions.ensure_self(actor, actor.id)
    problems = Problems()
    display_name = _check_display_name(problems, display_name)
    candidate_number = (candidate_number or "").strip()
    if candidate_number and not CANDIDATE_NUMBER_PATTERN.match(candidate_number):
        problems.add("candidate_number", "account.candidate_number_invalid")
    if language not in LANGUAGES:
        problems.add("language", "field.invalid_choice")
    if part is not None and part not in (1, 2):
        problems.add("part", "field.invalid_choice")
    problems.raise_if_any()
    user = session.get(User, actor.id)
    user.display_name = display_name
    user.candidate_number = candidate_number or None
    user.language = language
    session.add(user)
    if part is not None:
        memberships = session.exec(
            select(CohortMembership)
            .where(CohortMembership.user_id == user.id)
            .where(CohortMembership.role == Role.PARTICIPANT)
        ).all()
        for membership in memberships:
            membership.part = part
            session.add(membership)
    session.flush()
    return user


def change_password(
    actor: User,
    *,
    session: Session,
    current_password: str,
    new_password: str,
    new_password_repeat: str,
    keep_token: str | None,
) -> int:
    """Changes the password and signs out every other browser. Returns how many were signed out."""
    permissions.ensure_self(actor, actor.id)
    user = session.get(User, actor.id)
    problems = Problems()
    try:
        password_hasher.verify(user.password_hash, current_password or "")
    except (VerificationError, InvalidHashError):
        problems.add("current_password", "account.current_password_wrong")
    _check_new_password(problems, new_password, new_password_repeat, user.username)
    problems.raise_if_any()
    _set_password(user, new_password)
    session.add(user)
    session.flush()
    return end_other_sessions(session, user.id, keep_token=keep_token)


def _set_password(user: User, password: str) -> None:
    user.password_hash = password_hasher.hash(password)
    user.password_changed_at = utcnow()


def reset_password(session: Session, *, username: str, password: str) -> User:
    """For operators (command line): set a password and end every session of that account."""
    user = session.exec(select(User).where(User.username == normalise_username(username))).first()
    if user is None or user.deleted_at is not None:
        raise NotFound("account.unknown_user")
    problems = Problems()
    _check_new_password(problems, password, None, user.username)
    problems.raise_if_any()
    _set_password(user, password)
    session.add(user)
    end_other_sessions(session, user.id, keep_token=None)
    session.flush()
    return user


# --- administrators ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: Role
    is_active: bool
    cohorts: str
    created_at: datetime


def list_users(actor: User, *, session: Session) -> list[UserRow]:
    from ledpro_journal.models import Cohort

    permissions.ensure_admin(actor)
    users = session.exec(select(User).where(User.deleted_at.is_(None)).order_by(User.role, User.display_name)).all()
    cohort_names: dict[int, list[str]] = {}
    for user_id, name in session.exec(
        select(CohortMembership.user_id, Cohort.name).join(Cohort, Cohort.id == CohortMembership.cohort_id)
    ):
        cohort_names.setdefault(user_id, []).append(name)
    return [
        UserRow(
            id=u.id,
            username=u.username,
            display_name=u.display_name,
            role=u.role,
            is_active=u.is_active,
            cohorts=", ".join(sorted(cohort_names.get(u.id, []))),
            created_at=u.created_at,
        )
        for u in users
    ]


def set_user_active(actor: User, *, session: Session, user_id: int, active: bool) -> User:
    """Deactivating ends every session of that user: they are thrown out at their next click."""
    permissions.ensure_admin(actor)
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound()
    if user.id == actor.id and not active:
        raise Conflict("admin.cannot_deactivate_self")
    user.is_active = active
    user.deactivated_at = None if active else utcnow()
    session.add(user)
    if not active:
        end_other_sessions(session, user.id, keep_token=None)
    audit.record(session, actor=actor, kind="admin.user.reactivated" if active else "admin.user.deactivated",
                 subject=user, administrative=True, role=str(user.role))
    return user


def admin_reset_password(actor: User, *, session: Session, user_id: int) -> str:
    """Gives the user a new random password (shown once to the administrator) and ends their sessions."""
    permissions.ensure_admin(actor)
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None:
        raise NotFound()
    temporary = "-".join(secrets.token_hex(3) for _ in range(3))
    _set_password(user, temporary)
    session.add(user)
    end_other_sessions(session, user.id, keep_token=None)
    audit.record(session, actor=actor, kind="admin.user.password_reset", subject=user, administrative=True,
                 role=str(user.role))
    return temporary


# --- records kept only for a while (backups) ---------------------------------------------------------


@dataclass(frozen=True)
class PurgedRecords:
    attempts: int
    sessions: int
    audit_events: int = 0
    oidc_logins: int = 0


def purge_old_records(session: Session, *, now: datetime | None = None) -> PurgedRecords:
    """Deletes sign-in attempts older than `login_records_days` and sign-ins that ended (signed out, expired,
    or unused past the idle limit) more than `ended_sessions_days` ago, and audit events older than `audit_days`.
    For the server's start and a daily timer.

    Attempts are never deleted inside the throttle's window, whatever the setting: sign_in_throttle counts them.
    """
    settings = get_settings()
    now = now or utcnow()
    attempts_before = now - max(
        timedelta(days=settings.login_records_days), timedelta(minutes=settings.login_lockout_minutes)
    )
    attempts = session.execute(sa.delete(LoginAttempt).where(LoginAttempt.attempted_at < attempts_before))
    ended_before = now - timedelta(days=settings.ended_sessions_days)
    sessions = session.execute(
        sa.delete(AuthSession).where(
            sa.or_(
                AuthSession.revoked_at < ended_before,
                AuthSession.expires_at < ended_before,
                # An idle session ended when it had gone unused for session_idle_days.
                AuthSession.last_seen_at < ended_before - timedelta(days=settings.session_idle_days),
            )
        )
    )
    # Sign-ins with the provider that were never finished or linked: refused after OIDC_LOGIN_MINUTES anyway.
    oidc_logins = session.execute(
        sa.delete(OidcLogin).where(OidcLogin.created_at < now - timedelta(minutes=OIDC_LOGIN_MINUTES))
    )
    return PurgedRecords(attempts=attempts.rowcount, sessions=sessions.rowcount,
                         audit_events=audit.purge_old_events(session, now=now), oidc_logins=oidc_logins.rowcount)
