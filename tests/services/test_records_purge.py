"""Sign-in records are kept only for a while: attempts (username, address) and ended sign-ins (with the browser's
description) are deleted after the settings' number of days; active sign-ins and what the throttle counts stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from ledpro_journal.config import get_settings
from ledpro_journal.models import AuthSession, LoginAttempt, utcnow
from ledpro_journal.services import accounts
from ledpro_journal.services.errors import SignInRefused
from tests.helpers import PASSWORD

ADDRESS = "192.0.2.10"


@pytest.fixture
def settings_with(monkeypatch):
    def apply(**values: int) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"LEDPRO_{name.upper()}", str(value))
        get_settings.cache_clear()

    yield apply
    get_settings.cache_clear()


def attempt(session, *, ago: timedelta, username: str = "admin", succeeded: bool = False) -> int:
    row = LoginAttempt(username=username, address=ADDRESS, attempted_at=utcnow() - ago, succeeded=succeeded)
    session.add(row)
    session.flush()
    return row.id


def sign_in_session(session, user, *, created_ago: timedelta, last_seen_ago: timedelta | None = None,
                    revoked_ago: timedelta | None = None, expires_in: timedelta | None = None) -> str:
    """A sign-in started through the real service, then moved back in time."""
    token = accounts.start_session(session, user, user_agent="Mozilla/5.0 (Macintosh) Firefox/128.0")
    row = session.exec(select(AuthSession).where(AuthSession.token_hash == accounts.hash_token(token))).one()
    now = utcnow()
    row.created_at = now - created_ago
    row.last_seen_at = now - (last_seen_ago if last_seen_ago is not None else created_ago)
    row.expires_at = (now + expires_in) if expires_in is not None else row.created_at + timedelta(days=90)
    row.revoked_at = (now - revoked_ago) if revoked_ago is not None else None
    session.add(row)
    session.flush()
    return token


def remaining_attempt_ids(session) -> set[int]:
    return set(session.exec(select(LoginAttempt.id)).all())


def remaining_tokens(session, tokens: dict[str, str]) -> set[str]:
    hashes = set(session.exec(select(AuthSession.token_hash)).all())
    return {name for name, token in tokens.items() if accounts.hash_token(token) in hashes}


def test_sign_in_attempts_older_than_90_days_are_deleted(session, admin):
    attempt(session, ago=timedelta(days=91))
    attempt(session, ago=timedelta(days=200), succeeded=True)
    kept = {attempt(session, ago=timedelta(days=89)), attempt(session, ago=timedelta(minutes=1), succeeded=True)}
    session.commit()

    purged = accounts.purge_old_records(session)
    session.commit()
    assert purged.attempts == 2
    assert remaining_attempt_ids(session) == kept
    # Nothing left to do on a second run.
    assert accounts.purge_old_records(session).attempts == 0


def test_ended_sign_ins_are_deleted_90_days_after_they_ended_and_active_ones_stay(session, admin):
    day = timedelta(days=1)
    tokens = {
        "signed out 91 days ago": sign_in_session(session, admin, created_ago=100 * day, revoked_ago=91 * day),
        "signed out 10 days ago": sign_in_session(session, admin, created_ago=50 * day, revoked_ago=10 * day),
        "expired 91 days ago": sign_in_session(session, admin, created_ago=181 * day, last_seen_ago=95 * day),
        "expired 30 days ago": sign_in_session(session, admin, created_ago=120 * day, last_seen_ago=31 * day),
        # Unused past the 14 idle days, 106 days ago; its maximum age would only come later.
        "idle since 120 days": sign_in_session(session, admin, created_ago=130 * day, last_seen_ago=120 * day,
                                               expires_in=10 * day),
        "idle since 20 days": sign_in_session(session, admin, created_ago=25 * day, last_seen_ago=20 * day),
        "active for 89 days": sign_in_session(session, admin, created_ago=89 * day, last_seen_ago=timedelta(hours=1),
                                              expires_in=day),
    }
    session.commit()

    purged = accounts.purge_old_records(session)
    session.commit()
    assert purged.sessions == 3
    assert remaining_tokens(session, tokens) == {
        "signed out 10 days ago", "expired 30 days ago", "idle since 20 days", "active for 89 days",
    }
    assert accounts.resolve_session(session, tokens["active for 89 days"]).id == admin.id


def test_the_settings_say_how_long(session, admin, settings_with):
    settings_with(login_records_days=7, ended_sessions_days=30)
    old = attempt(session, ago=timedelta(days=8))
    recent = attempt(session, ago=timedelta(days=6))
    tokens = {
        "signed out 31 days ago": sign_in_session(session, admin, created_ago=timedelta(days=40),
                                                  revoked_ago=timedelta(days=31)),
        "signed out 29 days ago": sign_in_session(session, admin, created_ago=timedelta(days=40),
                                                  revoked_ago=timedelta(days=29)),
    }
    session.commit()
    accounts.purge_old_records(session)
    session.commit()
    assert old not in remaining_attempt_ids(session) and recent in remaining_attempt_ids(session)
    assert remaining_tokens(session, tokens) == {"signed out 29 days ago"}


def test_a_locked_account_stays_locked_after_a_purge(session, admin, settings_with):
    settings_with(login_records_days=1)
    for _ in range(get_settings().login_lockout_after):
        assert accounts.authenticate(session, username="admin", password="feil passord her", address=ADDRESS) is None
    session.commit()
    accounts.purge_old_records(session)
    session.commit()
    with pytest.raises(SignInRefused):
        accounts.authenticate(session, username="admin", password=PASSWORD, address=ADDRESS)


def test_a_purge_never_deletes_what_the_throttle_still_counts(session, admin, settings_with):
    """A lockout window longer than the retention (two days against one): the window wins."""
    settings_with(login_records_days=1, login_lockout_minutes=2 * 24 * 60)
    for _ in range(get_settings().login_lockout_after):
        attempt(session, ago=timedelta(hours=36))
    session.commit()
    assert accounts.sign_in_throttle(session, username="admin", address=ADDRESS).locked_until is not None
    assert accounts.purge_old_records(session).attempts == 0
    session.commit()
    assert accounts.sign_in_throttle(session, username="admin", address=ADDRESS).locked_until is not None
