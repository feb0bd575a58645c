"""Accounts: first-run setup, registration with invite codes, sign-in and its throttle, server-side
sessions, one's own account, and the administrator's user management. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from ledpro_journal.config import get_settings
from ledpro_journal.models import (
    AuthSession,
    CohortMembership,
    InviteCode,
    LoginAttempt,
    Role,
    User,
    utcnow,
)
from ledpro_journal.services import accounts, programme
from ledpro_journal.services.errors import Conflict, Invalid, NotAllowed, SignInRefused
from tests.helpers import PASSWORD, make_admin, make_member

ADDRESS = "192.0.2.10"
GOOD_PASSWORD = "en lang setning om sommeren i brumunddal"


def register(session, code: str, username: str = "kari", **overrides) -> User:
    fields = dict(
        invite_code=code, username=username, display_name="Kari Nordmann",
        password=PASSWORD, password_repeat=PASSWORD,
    )
    fields.update(overrides)
    user = accounts.register_with_invite(session, **fields)
    session.commit()
    return user


def invalid_fields(excinfo) -> dict[str, str]:
    return {field: key for field, (key, _params) in excinfo.value.errors.items()}


def sign_in(session, username: str, password: str, address: str = ADDRESS) -> User | None:
    user = accounts.authenticate(session, username=username, password=password, address=address)
    session.commit()
    return user


# --- first run ----------------------------------------------------------------------------------


def test_first_run_setup_creates_one_admin_and_then_refuses(session):
    assert accounts.needs_setup(session)
    user = accounts.create_first_admin(
        session, username="Ada", display_name="  Ada   Admin ", password=GOOD_PASSWORD, password_repeat=GOOD_PASSWORD
    )
    session.commit()
    assert user.role == Role.ADMIN
    assert user.username == "ada"
    assert user.display_name == "Ada Admin"
    assert not accounts.needs_setup(session)

    with pytest.raises(Conflict) as excinfo:
        accounts.create_first_admin(
            session, username="eve", display_name="Eve", password=GOOD_PASSWORD, password_repeat=GOOD_PASSWORD
        )
    assert excinfo.value.key == "setup.already_done"
    session.rollback()
    admins = session.exec(select(User).where(User.role == Role.ADMIN)).all()
    assert [a.username for a in admins] == ["ada"]


def test_first_run_setup_reports_bad_fields_and_leaves_setup_open(session):
    with pytest.raises(Invalid) as excinfo:
        accounts.create_first_admin(session, username="a!", display_name="", password="kort", password_repeat="kort")
    assert invalid_fields(excinfo) == {
        "username": "account.username_invalid",
        "display_name": "field.required",
        "password": "account.password_too_short",
    }
    session.rollback()
    assert accounts.needs_setup(session)


def test_cli_style_create_admin_also_completes_setup(session):
    make_admin(session)
    assert not accounts.needs_setup(session)
    with pytest.raises(Conflict):
        accounts.create_first_admin(session, username="eve", display_name="Eve", password=GOOD_PASSWORD)


# --- usernames and passwords ---------------------------------------------------------------------


def test_usernames_are_case_insensitive_and_trimmed(session, admin):
    other = accounts.create_admin(session, username="  Kari ", display_name="Kari", password=GOOD_PASSWORD)
    session.commit()
    assert other.username == "kari"
    with pytest.raises(Invalid) as excinfo:
        accounts.create_admin(session, username="KARI", display_name="Kari 2", password=GOOD_PASSWORD)
    assert invalid_fields(excinfo) == {"username": "account.username_taken"}
    session.rollback()
    assert sign_in(session, "KaRi", GOOD_PASSWORD).id == other.id


@pytest.mark.parametrize(
    ("password", "key"),
    [
        ("", "field.required"),
        ("kort", "account.password_too_short"),
        ("ni tegn!!", "account.password_too_short"),
        ("x" * 1025, "account.password_too_long"),
        ("password123", "account.password_common"),
        ("Passord123", "account.password_common"),  # the blocklist is case-insensitive
        ("velkommen2025", "account.password_common"),
        ("abababababab", "account.password_common"),  # two different characters only
        ("marit.hansen", "account.password_common"),  # the username itself
    ],
)
def test_password_rules(password, key):
    assert accounts.password_problem(password, "marit.hansen") == key


@pytest.mark.parametrize(
    "password",
    ["ti tegn!!!", "en lang setning i bare små bokstaver", "1234 katter på rad", ("abc" * 342)[:1024]],
)
def test_no_composition_rules(password):
    assert accounts.password_problem(password, "kari") is None


def test_too_short_password_is_reported_on_the_password_field_with_the_minimum(session, admin, cohort):
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
    with pytest.raises(Invalid) as excinfo:
        register(session, invite.code, password="kort123", password_repeat="kort123")
    key, params = excinfo.value.errors["password"]
    assert key == "account.password_too_short"
    assert params["min"] == 10
    assert set(excinfo.value.errors) == {"password"}


def test_common_password_is_refused_at_registration(session, admin, cohort):
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
    with pytest.raises(Invalid) as excinfo:
        register(session, invite.code, password="passord1234", password_repeat="passord1234")
    assert invalid_fields(excinfo) == {"password": "account.password_common"}


def test_repeated_password_must_match(session, admin, cohort):
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
    with pytest.raises(Invalid) as excinfo:
        register(session, invite.code, password=GOOD_PASSWORD, password_repeat=GOOD_PASSWORD + " ")
    assert invalid_fields(excinfo) == {"password_repeat": "account.password_mismatch"}


def test_long_lowercase_phrase_is_accepted_at_registration(session, admin, cohort):
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
    phrase = "jeg liker kaffe om morgenen"
    user = register(session, invite.code, password=phrase, password_repeat=phrase)
    assert sign_in(session, "kari", phrase).id == user.id


# --- registration with an invite code -------------------------------------------------------------


def test_invite_places_the_new_user_in_the_cohort_with_role_and_group(session, admin, cohort):
    group = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 1")
    invite = programme.create_invite(
        admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT, group_id=group.id
    )
    session.commit()
    # Typed from paper: lower case and stray spaces are forgiven.
    user = register(session, f"  {invite.code.lower()} ", username="Kari", language="en")
    assert user.role == Role.PARTICIPANT
    assert user.username == "kari"
    assert user.language == "en"
    membership = session.exec(select(CohortMembership).where(CohortMembership.user_id == user.id)).one()
    assert (membership.cohort_id, membership.role, membership.group_id) == (cohort.id, Role.PARTICIPANT, group.id)
    session.refresh(invite)
    assert invite.use_count == 1


def test_facilitator_invite_makes_a_facilitator(session, admin, cohort):
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.FACILITATOR)
    user = register(session, invite.code, username="fasilitator")
    assert user.role == Role.FACILITATOR
    membership = session.exec(select(CohortMembership).where(CohortMembership.user_id == user.id)).one()
    assert membership.role == Role.FACILITATOR
    assert membership.group_id is None


def _revoke(session, admin, invite):
    programme.revoke_invite(admin, session=session, invite_id=invite.id)


def _expire(session, admin, invite):
    invite.expires_at = utcnow() - timedelta(minutes=1)
    session.add(invite)


def _use_up(session, admin, invite):
    invite.max_uses = 1
    invite.use_count = 1
    session.add(invite)


@pytest.mark.parametrize("spoil", [None, _revoke, _expire, _use_up], ids=["unknown", "revoked", "expired", "used_up"])
def test_unusable_invite_code_is_refused_on_the_invite_field(session, admin, cohort, spoil):
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
    code = invite.code
    if spoil is None:
        code = "2222-3333-4444"
    else:
        spoil(session, admin, invite)
    session.commit()
    with pytest.raises(Invalid) as excinfo:
        register(session, code)
    assert invalid_fields(excinfo) == {"invite_code": "account.invite_invalid"}
    session.rollback()
    assert session.exec(select(User).where(User.username == "kari")).first() is None


def test_missing_invite_code_is_required(session):
    with pytest.raises(Invalid) as excinfo:
        register(session, "   ")
    assert invalid_fields(excinfo) == {"invite_code": "field.required"}


def test_max_uses_is_honoured(session, admin, cohort):
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT, max_uses=2)
    session.commit()
    register(session, invite.code, username="forste")
    register(session, invite.code, username="andre")
    with pytest.raises(Invalid) as excinfo:
        register(session, invite.code, username="tredje")
    assert invalid_fields(excinfo) == {"invite_code": "account.invite_invalid"}
    session.rollback()
    session.refresh(invite)
    assert invite.use_count == 2
    members = session.exec(select(CohortMembership).where(CohortMembership.cohort_id == cohort.id)).all()
    assert len(members) == 2


def test_several_field_errors_are_reported_at_once(session, admin, cohort):
    make_member(session, admin, cohort.id, "kari")
    with pytest.raises(Invalid) as excinfo:
        accounts.register_with_invite(
            session, invite_code="ZZZZ-ZZZZ-ZZZZ", username="Kari", display_name=" ",
            password="kort", password_repeat="annet",
        )
    assert invalid_fields(excinfo) == {
        "invite_code": "account.invite_invalid",
        "username": "account.username_taken",
        "display_name": "field.required",
        "password": "account.password_too_short",
    }


def test_a_failed_registration_does_not_use_up_the_invite(session, admin, cohort):
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT, max_uses=1)
    session.commit()
    with pytest.raises(Invalid):
        register(session, invite.code, password="kort")
    session.rollback()
    register(session, invite.code)  # the one use is still there
    session.refresh(invite)
    assert invite.use_count == 1


# --- signing in ------------------------------------------------------------------------------------


def test_right_password_signs_in(session, admin):
    assert sign_in(session, "admin", PASSWORD).id == admin.id
    assert sign_in(session, " ADMIN ", PASSWORD).id == admin.id


def test_wrong_password_and_unknown_user_give_the_same_answer(session, admin):
    assert sign_in(session, "admin", PASSWORD + "x") is None
    assert sign_in(session, "ingen.slik", PASSWORD) is None
    assert sign_in(session, "", "") is None


def test_deactivated_user_cannot_sign_in(session, admin, cohort):
    kari = make_member(session, admin, cohort.id, "kari")
    accounts.set_user_active(admin, session=session, user_id=kari.id, active=False)
    session.commit()
    assert sign_in(session, "kari", PASSWORD) is None
    accounts.set_user_active(admin, session=session, user_id=kari.id, active=True)
    session.commit()
    assert sign_in(session, "kari", PASSWORD).id == kari.id


def test_failed_sign_ins_slow_down_the_answers(session, admin):
    settings = get_settings()
    for _ in range(settings.login_slowdown_after - 1):
        assert sign_in(session, "admin", "feil passord her") is None
    assert accounts.sign_in_throttle(session, username="admin", address=ADDRESS).delay_seconds == 0
    assert sign_in(session, "admin", "feil passord her") is None
    throttle = accounts.sign_in_throttle(session, username="admin", address=ADDRESS)
    assert throttle.delay_seconds > 0
    assert throttle.locked_until is None
    # Another person from another address is not slowed down.
    assert accounts.sign_in_throttle(session, username="kari", address="198.51.100.7").delay_seconds == 0


def test_too_many_failures_lock_the_account_even_for_the_right_password(session, admin):
    settings = get_settings()
    for _ in range(settings.login_lockout_after):
        assert sign_in(session, "Admin", "feil passord her") is None
    with pytest.raises(SignInRefused) as excinfo:
        sign_in(session, "admin", PASSWORD)
    assert excinfo.value.key == "auth.locked"
    assert 1 <= excinfo.value.params["minutes"] <= settings.login_lockout_minutes + 1
    # From another address too: the lock is on the account.
    with pytest.raises(SignInRefused):
        sign_in(session, "admin", PASSWORD, address="198.51.100.7")


def test_the_lockout_ends_after_the_lockout_period(session, admin):
    settings = get_settings()
    for _ in range(settings.login_lockout_after):
        sign_in(session, "admin", "feil passord her")
    with pytest.raises(SignInRefused):
        sign_in(session, "admin", PASSWORD)
    session.rollback()
    for attempt in session.exec(select(LoginAttempt)).all():
        attempt.attempted_at -= timedelta(minutes=settings.login_lockout_minutes + 1)
        session.add(attempt)
    session.commit()
    assert sign_in(session, "admin", PASSWORD).id == admin.id


def test_a_successful_sign_in_resets_the_failure_count(session, admin):
    settings = get_settings()
    for _ in range(settings.login_lockout_after - 1):
        sign_in(session, "admin", "feil passord her")
    assert sign_in(session, "admin", PASSWORD) is not None
    for _ in range(settings.login_lockout_after - 1):
        sign_in(session, "admin", "feil passord her")
    assert sign_in(session, "admin", PASSWORD).id == admin.id


def test_many_failures_from_one_address_lock_that_address(session, admin, cohort):
    settings = get_settings()
    per_user = settings.login_lockout_after - 1
    people = -(-settings.login_ip_lockout_after // per_user)  # enough usernames that none is locked itself
    names = [f"person{i}" for i in range(people)]
    for name in names:
        make_member(session, admin, cohort.id, name)
    failures = 0
    for name in names:
        for _ in range(per_user):
            if failures == settings.login_ip_lockout_after:
                break
            assert sign_in(session, name, "feil passord her") is None
            failures += 1
    assert failures == settings.login_ip_lockout_after
    # Any account, even with the right password, from that address is refused ...
    with pytest.raises(SignInRefused):
        sign_in(session, "admin", PASSWORD)
    # ... while the same account signs in from elsewhere.
    assert sign_in(session, "admin", PASSWORD, address="198.51.100.7").id == admin.id


def test_signing_in_to_ones_own_account_does_not_reset_the_address_count(session, admin, cohort):
    """An attacker with an account of their own must not be able to clear the address lockout."""
    settings = get_settings()
    per_user = settings.login_lockout_after - 1
    failures = 0
    victim = 0
    while failures < settings.login_ip_lockout_after:
        assert sign_in(session, "admin", PASSWORD) is not None  # the attacker's own account, in between
        for _ in range(min(per_user, settings.login_ip_lockout_after - failures)):
            assert sign_in(session, f"victim{victim}", "feil passord her") is None
            failures += 1
        victim += 1
    with pytest.raises(SignInRefused):
        sign_in(session, "admin", PASSWORD)


# --- sessions -----------------------------------------------------------------------------------------


def test_only_the_hash_of_the_session_token_is_stored(session, admin):
    token = accounts.start_session(session, admin, user_agent="Firefox")
    session.commit()
    assert len(token) >= 32
    rows = session.exec(select(AuthSession)).all()
    assert len(rows) == 1
    assert rows[0].token_hash == accounts.hash_token(token)
    assert rows[0].token_hash != token
    for row in rows:
        assert token not in {str(value) for value in row.model_dump().values()}
    assert accounts.resolve_session(session, token).id == admin.id


def test_sessions_have_distinct_tokens(session, admin):
    tokens = {accounts.start_session(session, admin) for _ in range(3)}
    session.commit()
    assert len(tokens) == 3
    assert accounts.active_session_count(session, admin.id) == 3


def test_unknown_or_missing_token_resolves_to_nobody(session, admin):
    accounts.start_session(session, admin)
    session.commit()
    assert accounts.resolve_session(session, None) is None
    assert accounts.resolve_session(session, "") is None
    assert accounts.resolve_session(session, "not-a-token") is None
    assert accounts.resolve_session(session, "x" * 500) is None


def test_signing_out_ends_the_session(session, admin):
    token = accounts.start_session(session, admin)
    other = accounts.start_session(session, admin)
    session.commit()
    accounts.end_session(session, token)
    session.commit()
    assert accounts.resolve_session(session, token) is None
    assert accounts.resolve_session(session, other).id == admin.id


def test_deactivation_ends_the_users_sessions(session, admin, cohort):
    kari = make_member(session, admin, cohort.id, "kari")
    token = accounts.start_session(session, kari)
    session.commit()
    assert accounts.resolve_session(session, token).id == kari.id
    accounts.set_user_active(admin, session=session, user_id=kari.id, active=False)
    session.commit()
    assert accounts.resolve_session(session, token) is None
    assert accounts.active_session_count(session, kari.id) == 0
    # Reactivation does not revive the old session.
    accounts.set_user_active(admin, session=session, user_id=kari.id, active=True)
    session.commit()
    assert accounts.resolve_session(session, token) is None


def test_session_of_an_inactive_user_does_not_resolve_even_if_not_revoked(session, admin, cohort):
    kari = make_member(session, admin, cohort.id, "kari")
    token = accounts.start_session(session, kari)
    kari.is_active = False
    session.add(kari)
    session.commit()
    assert accounts.resolve_session(session, token) is None


def _session_row(session, token) -> AuthSession:
    return session.exec(select(AuthSession).where(AuthSession.token_hash == accounts.hash_token(token))).one()


def test_session_expires_after_its_maximum_age(session, admin):
    token = accounts.start_session(session, admin)
    session.commit()
    row = _session_row(session, token)
    assert row.expires_at - row.created_at == timedelta(days=get_settings().session_max_days)
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    session.commit()
    assert accounts.resolve_session(session, token) is None


def test_session_ends_after_being_idle_too_long(session, admin):
    token = accounts.start_session(session, admin)
    session.commit()
    row = _session_row(session, token)
    idle = timedelta(days=get_settings().session_idle_days)
    row.last_seen_at = utcnow() - idle + timedelta(hours=1)
    session.add(row)
    session.commit()
    assert accounts.resolve_session(session, token).id == admin.id  # still within the idle limit ...
    session.commit()
    row = _session_row(session, token)
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)  # ... and using it counts as activity
    row.last_seen_at = utcnow() - idle - timedelta(minutes=1)
    session.add(row)
    session.commit()
    assert accounts.resolve_session(session, token) is None


def test_change_password_ends_other_sessions_but_keeps_this_one(session, admin, cohort):
    kari = make_member(session, admin, cohort.id, "kari")
    current = accounts.start_session(session, kari)
    others = [accounts.start_session(session, kari) for _ in range(2)]
    admins_session = accounts.start_session(session, admin)
    session.commit()
    ended = accounts.change_password(
        kari, session=session, current_password=PASSWORD, new_password=GOOD_PASSWORD,
        new_password_repeat=GOOD_PASSWORD, keep_token=current,
    )
    session.commit()
    assert ended == 2
    assert accounts.resolve_session(session, current).id == kari.id
    assert all(accounts.resolve_session(session, token) is None for token in others)
    assert accounts.resolve_session(session, admins_session).id == admin.id
    assert sign_in(session, "kari", PASSWORD) is None
    assert sign_in(session, "kari", GOOD_PASSWORD).id == kari.id


def test_change_password_checks_the_current_password_and_the_new_one(session, admin):
    token = accounts.start_session(session, admin)
    session.commit()
    with pytest.raises(Invalid) as excinfo:
        accounts.change_password(
            admin, session=session, current_password="feil passord her", new_password="kort",
            new_password_repeat="kort", keep_token=token,
        )
    assert invalid_fields(excinfo) == {
        "current_password": "account.current_password_wrong",
        "password": "account.password_too_short",
    }
    with pytest.raises(Invalid) as excinfo:
        accounts.change_password(
            admin, session=session, current_password="feil passord her", new_password=GOOD_PASSWORD,
            new_password_repeat=GOOD_PASSWORD, keep_token=token,
        )
    assert invalid_fields(excinfo) == {"current_password": "account.current_password_wrong"}
    session.rollback()
    assert sign_in(session, "admin", PASSWORD).id == admin.id


def test_sign_out_other_browsers(session, admin):
    current = accounts.start_session(session, admin)
    other = accounts.start_session(session, admin)
    session.commit()
    assert accounts.sign_out_other_browsers(admin, session=session, keep_token=current) == 1
    session.commit()
    assert accounts.resolve_session(session, current).id == admin.id
    assert accounts.resolve_session(session, other) is None


def test_admin_reset_password_gives_a_working_temporary_password(session, admin, cohort):
    kari = make_member(session, admin, cohort.id, "kari")
    token = accounts.start_session(session, kari)
    session.commit()
    temporary = accounts.admin_reset_password(admin, session=session, user_id=kari.id)
    session.commit()
    assert accounts.password_problem(temporary, "kari") is None
    assert accounts.resolve_session(session, token) is None
    assert sign_in(session, "kari", PASSWORD) is None
    assert sign_in(session, "kari", temporary).id == kari.id
    assert temporary != accounts.admin_reset_password(admin, session=session, user_id=kari.id)


def test_operator_reset_password_ends_every_session(session, admin):
    token = accounts.start_session(session, admin)
    session.commit()
    accounts.reset_password(session, username="ADMIN", password=GOOD_PASSWORD)
    session.commit()
    assert accounts.resolve_session(session, token) is None
    assert sign_in(session, "admin", GOOD_PASSWORD).id == admin.id


# --- one's own profile ------------------------------------------------------------------------------------


def test_update_profile_sets_name_candidate_number_language_and_part(session, admin, cohort):
    kari = make_member(session, admin, cohort.id, "kari")
    user = accounts.update_profile(
        kari, session=session, display_name=" Kari  Nordmann ", candidate_number=" 4711 ", language="en", part=2
    )
    session.commit()
    assert (user.display_name, user.candidate_number, user.language) == ("Kari Nordmann", "4711", "en")
    membership = session.exec(select(CohortMembership).where(CohortMembership.user_id == kari.id)).one()
    assert membership.part == 2
    # An empty candidate number clears it; no part given leaves the part alone.
    user = accounts.update_profile(kari, session=session, display_name="Kari", candidate_number="", language="nb")
    session.commit()
    assert user.candidate_number is None
    session.refresh(membership)
    assert membership.part == 2


def test_update_profile_reports_every_bad_field(session, admin, cohort):
    kari = make_member(session, admin, cohort.id, "kari")
    with pytest.raises(Invalid) as excinfo:
        accounts.update_profile(
            kari, session=session, display_name="", candidate_number="12 34!", language="de", part=3
        )
    assert invalid_fields(excinfo) == {
        "display_name": "field.required",
        "candidate_number": "account.candidate_number_invalid",
        "language": "field.invalid_choice",
        "part": "field.invalid_choice",
    }
    session.rollback()
    session.refresh(kari)
    assert kari.language == "nb"
    assert kari.candidate_number is None


# --- the administrator's user management ---------------------------------------------------------------


def test_admin_lists_users_with_their_cohorts(session, admin, cohort):
    make_member(session, admin, cohort.id, "kari", name="Kari Nordmann")
    rows = {row.username: row for row in accounts.list_users(admin, session=session)}
    assert set(rows) == {"admin", "kari"}
    assert rows["kari"].cohorts == "LEDPRO 2024"
    assert rows["kari"].role == Role.PARTICIPANT
    assert rows["admin"].cohorts == ""


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.FACILITATOR])
def test_others_cannot_manage_users(session, admin, cohort, role):
    person = make_member(session, admin, cohort.id, "kari", role=role)
    with pytest.raises(NotAllowed):
        accounts.list_users(person, session=session)
    with pytest.raises(NotAllowed):
        accounts.set_user_active(person, session=session, user_id=admin.id, active=False)
    with pytest.raises(NotAllowed):
        accounts.admin_reset_password(person, session=session, user_id=admin.id)
    session.rollback()
    session.refresh(admin)
    assert admin.is_active


def test_admin_cannot_deactivate_self(session, admin):
    with pytest.raises(Conflict) as excinfo:
        accounts.set_user_active(admin, session=session, user_id=admin.id, active=False)
    assert excinfo.value.key == "admin.cannot_deactivate_self"
    session.rollback()
    session.refresh(admin)
    assert admin.is_active


def test_deactivated_admin_loses_admin_rights(session, admin):
    other = accounts.create_admin(session, username="other", display_name="Other", password=GOOD_PASSWORD)
    session.commit()
    accounts.set_user_active(admin, session=session, user_id=other.id, active=False)
    session.commit()
    assert other.deactivated_at is not None
    with pytest.raises(NotAllowed):
        accounts.list_users(other, session=session)


def test_an_inactive_account_cannot_change_its_own_settings(session, admin, cohort):
    kari = make_member(session, admin, cohort.id, "kari")
    inactive = User(**{**kari.model_dump(), "is_active": False})  # e.g. a page still holding the old object
    with pytest.raises(NotAllowed):
        accounts.update_profile(inactive, session=session, display_name="X", candidate_number="", language="nb")
    with pytest.raises(NotAllowed):
        accounts.sign_out_other_browsers(inactive, session=session, keep_token="x")


# --- races: the database has the last word ------------------------------------------------------------


def test_setup_race_loser_gets_conflict(session, engine, monkeypatch):
    accounts.create_first_admin(session, username="ada", display_name="Ada", password=GOOD_PASSWORD)
    session.commit()
    # The other request looked before the first one committed, so it believes setup is still needed.
    monkeypatch.setattr(accounts, "needs_setup", lambda _session: True)
    with pytest.raises(Conflict) as excinfo:
        accounts.create_first_admin(session, username="eve", display_name="Eve", password=GOOD_PASSWORD)
    assert excinfo.value.key == "setup.already_done"
    session.rollback()
    assert [u.username for u in session.exec(select(User)).all()] == ["ada"]


def test_last_use_of_an_invite_goes_to_one_person_only(session, admin, cohort, monkeypatch):
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT, max_uses=1)
    session.commit()
    register(session, invite.code, username="forste")
    # The second person's form was checked while the code still had a use left.
    monkeypatch.setattr(accounts, "_usable_invite", lambda s, code: s.exec(select(InviteCode)).one())
    with pytest.raises(Invalid) as excinfo:
        register(session, invite.code, username="andre")
    assert invalid_fields(excinfo) == {"invite_code": "account.invite_invalid"}
    session.rollback()
    session.refresh(invite)
    assert invite.use_count == 1
    assert session.exec(select(User).where(User.username == "andre")).first() is None


def test_username_race_loser_gets_username_taken(session, admin, cohort, monkeypatch):
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
    session.commit()
    register(session, invite.code, username="kari")
    monkeypatch.setattr(accounts, "_check_username", lambda problems, username, session: None)
    with pytest.raises(Invalid) as excinfo:
        register(session, invite.code, username="Kari")
    assert invalid_fields(excinfo) == {"username": "account.username_taken"}
    session.rollback()
    session.refresh(invite)
    assert invite.use_count == 1


def test_overlong_input_to_sign_in_is_harmless(session, admin):
    assert sign_in(session, "a" * 300, "feil passord her", address="f" * 300) is None
    assert accounts.resolve_session(session, "t" * 201) is None
    token = accounts.start_session(session, admin, user_agent="Mozilla/5.0 " * 50)
    session.commit()
    assert accounts.resolve_session(session, token).id == admin.id


def test_overlong_registration_fields_are_refused_not_crashed(session, admin, cohort):
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
    with pytest.raises(Invalid) as excinfo:
        register(session, invite.code, username="k" * 41, display_name="K" * 121)
    assert invalid_fields(excinfo) == {"username": "account.username_invalid", "display_name": "field.too_long"}


def test_guesses_sent_at_the_same_moment_count_each_other(session, admin):
    """Attempts are counted before the (deliberately slow) password check, so a burst of parallel
    guesses cannot all slip in while none of them has been recorded yet."""
    settings = get_settings()
    pending = []
    for _ in range(settings.login_lockout_after):
        pending.append(accounts.count_attempt(session, username="admin", address="203.0.113.9"))
        session.commit()
    with pytest.raises(SignInRefused):
        accounts.count_attempt(session, username="admin", address="203.0.113.9")
    # Only now do the checks finish; none of them was right.
    for attempt_id in pending:
        assert accounts.check_password(
            session, attempt_id=attempt_id, username="admin", password="feil passord her") is None
