"""Logg inn med Feide at the service level (services/oidc.py), on SQLite and PostgreSQL, against the real test
OIDC provider (tests/oidc_provider.py): a real authorization code from its login form, a real token exchange,
a signed ID token checked against its JWKS, name and e-mail from its userinfo endpoint."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from ledpro_journal.config import get_settings
from ledpro_journal.models import (
    AuditEvent,
    AuthSession,
    CohortMembership,
    OidcLogin,
    Role,
    User,
    UserIdentity,
    utcnow,
)
from ledpro_journal.services import accounts, oidc, programme
from ledpro_journal.services.errors import Invalid
from tests.helpers import PASSWORD, make_member
from tests.oidc_flow import at_provider, configure, query
from tests.oidc_provider import (  # noqa: F401 - the fixtures oidc_provider and oidc_provider_factory
    oidc_provider_factory_fixture,
    oidc_provider_fixture,
)

CALLBACK = "http://127.0.0.1:8599" + oidc.CALLBACK_PATH


@pytest.fixture
def provider(oidc_provider, monkeypatch):
    configure(monkeypatch, oidc_provider)
    yield oidc_provider
    get_settings.cache_clear()
    oidc.forget_provider_metadata()


@pytest.fixture
def kari(provider):
    return provider.account("kari")


def begin(session, *, next_path="/journal", lang="nn") -> str:
    url = oidc.begin_login(session, next_path=next_path, lang=lang, redirect_uri=CALLBACK)
    session.commit()
    return url


def units(session):
    """Units of work on the test's session, committed or rolled back as db.session_scope does."""

    @contextmanager
    def unit():
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise

    return unit


def finish(session, callback: str):
    params = query(callback)
    return oidc.finish_login(units(session), state=params.get("state"), code=params.get("code"),
                             error=params.get("error"), redirect_uri=CALLBACK, user_agent="pytest")


def refused(session, callback: str) -> oidc.LoginRefused:
    with pytest.raises(oidc.LoginRefused) as caught:
        finish(session, callback)
    return caught.value


def invite_code(session, admin, cohort, **kwargs) -> str:
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT, **kwargs)
    session.commit()
    return invite.code


def first_login(session, admin, cohort, account) -> User:
    outcome = finish(session, at_provider(begin(session), account))
    assert isinstance(outcome, oidc.NeedsLink)
    signed_in = oidc.link_with_invite(session, link_token=outcome.link_token,
                                      invite_code=invite_code(session, admin, cohort))
    session.commit()
    return accounts.resolve_session(session, signed_in.token)


def test_the_authorization_url_asks_for_the_code_flow_with_pkce_state_and_nonce(session, provider):
    url = begin(session)
    params = query(url)
    assert url.startswith(provider.discovery()["authorization_endpoint"] + "?")
    assert params["response_type"] == "code" and params["client_id"] == provider.client_id
    assert params["redirect_uri"] == CALLBACK and params["scope"] == "openid profile email userid"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    login = session.exec(select(OidcLogin)).one()
    # Only the state's hash is kept; the nonce and the verifier have to be kept as they are.
    assert login.state_hash == accounts.hash_token(params["state"]) and params["state"] not in login.state_hash
    assert login.nonce == params["nonce"] and login.code_verifier not in url
    assert (login.next_path, login.lang, login.finished_at) == ("/journal", "nn", None)


def test_first_login_links_with_an_invite_code_then_the_second_goes_straight_in(session, admin, cohort, kari):
    outcome = finish(session, at_provider(begin(session), kari))
    assert isinstance(outcome, oidc.NeedsLink) and outcome.name == "Kari Nordmann" and outcome.lang == "nn"
    pending = oidc.pending_link(session, outcome.link_token)
    assert (pending.name, pending.email) == ("Kari Nordmann", "kari.nordmann@example.no")

    with pytest.raises(Invalid) as wrong:
        oidc.link_with_invite(session, link_token=outcome.link_token, invite_code="FEIL-KODE")
    assert wrong.value.errors["invite_code"][0] == "account.invite_invalid"
    session.rollback()

    signed_in = oidc.link_with_invite(session, link_token=outcome.link_token,
                                      invite_code=invite_code(session, admin, cohort))
    session.commit()
    assert signed_in.next_path == "/journal"
    user = accounts.resolve_session(session, signed_in.token)
    assert (user.username, user.display_name, user.email, user.language, user.role) == (
        "kari.nordmann", "Kari Nordmann", "kari.nordmann@example.no", "nn", Role.PARTICIPANT)
    membership = session.exec(select(CohortMembership).where(CohortMembership.user_id == user.id)).one()
    assert membership.cohort_id == cohort.id
    identity = session.exec(select(UserIdentity)).one()
    assert (identity.user_id, identity.issuer, identity.subject) == (user.id, provider_issuer(), kari.sub)
    # No local password: nobody signs in as kari.nordmann with one.
    assert accounts.authenticate(session, username="kari.nordmann", password="", address="10.0.0.1") is None
    auth_session = session.exec(select(AuthSession).where(AuthSession.user_id == user.id)).one()
    assert auth_session.id_token and auth_session.id_token.count(".") == 2
    # What waited to be linked is gone; the finished row stays (purged after 15 minutes).
    login = session.exec(select(OidcLogin)).one()
    assert login.finished_at is not None
    assert (login.link_token_hash, login.subject, login.name, login.email, login.id_token) == (None,) * 5
    with pytest.raises(oidc.LoginRefused):
        oidc.pending_link(session, outcome.link_token)
    kinds = [e.kind for e in session.exec(select(AuditEvent).where(AuditEvent.subject_user_id == user.id))]
    assert kinds == ["identity.linked", "signin.oidc"]

    # The second time: straight in, to the same account.
    again = finish(session, at_provider(begin(session, next_path="/"), kari))
    assert isinstance(again, oidc.SignedIn) and again.next_path == "/"
    assert accounts.resolve_session(session, again.token).id == user.id
    assert session.exec(select(User).where(User.username.like("kari%"))).all() == [user]


def provider_issuer() -> str:
    return get_settings().oidc_issuer


def test_a_username_already_taken_gets_a_number(session, admin, cohort, kari):
    make_member(session, admin, cohort.id, "kari.nordmann")
    user = first_login(session, admin, cohort, kari)
    assert user.username == "kari.nordmann2" and user.display_name == "Kari Nordmann"


def test_linking_to_an_existing_local_account_with_its_password(session, admin, cohort, provider):
    ola = make_member(session, admin, cohort.id, "ola", name="Ola Lokal")
    outcome = finish(session, at_provider(begin(session), provider.account("ola")))
    assert isinstance(outcome, oidc.NeedsLink)

    attempt = accounts.count_attempt(session, username="ola", address="10.0.0.2")
    session.commit()
    with pytest.raises(Invalid) as wrong:
        oidc.link_with_password(session, link_token=outcome.link_token, attempt_id=attempt, username="ola",
                                password="feil passord")
    assert wrong.value.errors["password"][0] == "auth.wrong_credentials"
    session.rollback()

    attempt = accounts.count_attempt(session, username="ola", address="10.0.0.2")
    session.commit()
    signed_in = oidc.link_with_password(session, link_token=outcome.link_token, attempt_id=attempt, username="ola",
                                        password=PASSWORD)
    session.commit()
    assert accounts.resolve_session(session, signed_in.token).id == ola.id
    assert session.get(User, ola.id).display_name == "Ola Lokal"  # the account as it was, now linked
    assert session.exec(select(UserIdentity.user_id)).one() == ola.id
    again = finish(session, at_provider(begin(session), provider.account("ola")))
    assert isinstance(again, oidc.SignedIn) and accounts.resolve_session(session, again.token).id == ola.id


def test_a_replayed_callback_is_refused(session, admin, cohort, kari):
    first_login(session, admin, cohort, kari)
    callback = at_provider(begin(session), kari)
    assert isinstance(finish(session, callback), oidc.SignedIn)
    replay = refused(session, callback)
    assert (replay.key, replay.status) == ("oidc.error.used", 400)


def test_a_wrong_or_missing_state_is_refused(session, kari):
    callback = at_provider(begin(session), kari)
    params = query(callback)
    for state in ("not-the-state", ""):
        with pytest.raises(oidc.LoginRefused) as caught:
            oidc.finish_login(units(session), state=state, code=params["code"], error=None, redirect_uri=CALLBACK)
        assert caught.value.key == "oidc.error.state"
    session.rollback()
    # The right state still works afterwards: a wrong one used nothing up.
    assert isinstance(finish(session, callback), oidc.NeedsLink)


def test_cancelling_at_the_provider_is_refused_clearly_and_uses_the_state_up(session, kari):
    callback = at_provider(begin(session), None, cancel=True)
    assert query(callback)["error"] == "access_denied"
    cancelled = refused(session, callback)
    assert (cancelled.key, cancelled.status) == ("oidc.error.cancelled", 400)
    assert refused(session, callback).key == "oidc.error.used"


def test_a_code_the_provider_does_not_know_is_refused(session, kari):
    callback = at_provider(begin(session), kari)
    params = query(callback)
    with pytest.raises(oidc.LoginRefused) as caught:
        oidc.finish_login(units(session), state=params["state"], code="expired-or-made-up", error=None,
                          redirect_uri=CALLBACK)
    assert (caught.value.key, caught.value.kind) == ("oidc.error.code", "token:invalid_grant")


def test_an_id_token_for_another_nonce_is_refused(session, kari):
    callback = at_provider(begin(session), kari)
    session.execute(sa.update(OidcLogin).values(nonce="some-other-nonce"))
    session.commit()
    wrong = refused(session, callback)
    assert (wrong.key, wrong.status) == ("oidc.error.token", 502)
    assert session.exec(select(UserIdentity)).all() == []


def test_a_login_older_than_fifteen_minutes_is_refused_and_purged(session, kari):
    callback = at_provider(begin(session), kari)
    session.execute(sa.update(OidcLogin).values(created_at=utcnow() - timedelta(minutes=16)))
    session.commit()
    assert refused(session, callback).key == "oidc.error.expired"
    assert accounts.purge_old_records(session).oidc_logins == 1
    session.commit()
    assert session.exec(select(OidcLogin)).all() == []


def test_a_stale_link_token_is_refused(session, kari):
    outcome = finish(session, at_provider(begin(session), kari))
    session.execute(sa.update(OidcLogin).values(created_at=utcnow() - timedelta(minutes=16)))
    session.commit()
    for token in (outcome.link_token, "made-up", None):
        with pytest.raises(oidc.LoginRefused) as caught:
            oidc.pending_link(session, token)
        assert caught.value.key == "oidc.error.link_expired"


def test_a_deactivated_account_is_refused(session, admin, cohort, kari):
    user = first_login(session, admin, cohort, kari)
    accounts.set_user_active(admin, session=session, user_id=user.id, active=False)
    session.commit()
    deactivated = refused(session, at_provider(begin(session), kari))
    assert (deactivated.key, deactivated.status) == ("oidc.error.deactivated", 403)
    assert session.exec(select(AuthSession).where(AuthSession.user_id == user.id)
                        .where(AuthSession.revoked_at.is_(None))).all() == []


def test_feide_only_refuses_the_password_of_a_linked_participant_but_not_of_an_admin(
    session, admin, cohort, provider, monkeypatch
):
    ola = make_member(session, admin, cohort.id, "ola")
    for account, username in ((provider.account("ola"), "ola"), (provider.account("kari"), "admin")):
        outcome = finish(session, at_provider(begin(session), account))
        attempt = accounts.count_attempt(session, username=username, address="10.0.0.3")
        session.commit()
        oidc.link_with_password(session, link_token=outcome.link_token, attempt_id=attempt, username=username,
                                password=PASSWORD)
        session.commit()
    # Off: both still sign in with their passwords.
    assert accounts.authenticate(session, username="ola", password=PASSWORD, address="10.0.0.3").id == ola.id
    configure(monkeypatch, provider, only_for_participants="true")
    with pytest.raises(accounts.UseSingleSignOn) as caught:
        accounts.authenticate(session, username="ola", password=PASSWORD, address="10.0.0.3")
    assert caught.value.key == "oidc.use_provider" and caught.value.params == {"provider": "Feide"}
    assert accounts.authenticate(session, username="admin", password=PASSWORD, address="10.0.0.3").id == admin.id
    # A wrong password is still just wrong: being linked is told only to someone who knows the password.
    assert accounts.authenticate(session, username="ola", password="feil passord", address="10.0.0.3") is None


def test_feide_only_registers_a_local_participant_only_with_a_code_for_externals(
    session, admin, cohort, provider, monkeypatch
):
    configure(monkeypatch, provider, only_for_participants="true")
    ordinary = invite_code(session, admin, cohort)
    external = invite_code(session, admin, cohort, for_externals=True)
    with pytest.raises(Invalid) as caught:
        accounts.register_with_invite(session, invite_code=ordinary, username="ekstern", display_name="Eva Ekstern",
                                      password=PASSWORD, password_repeat=PASSWORD)
    assert caught.value.errors["invite_code"] == ("oidc.invite_needs_provider", {"provider": "Feide"})
    session.rollback()
    user = accounts.register_with_invite(session, invite_code=external, username="ekstern",
                                         display_name="Eva Ekstern", password=PASSWORD, password_repeat=PASSWORD)
    session.commit()
    assert user.role == Role.PARTICIPANT
    # A facilitator's code is for a local account as ever.
    facilitator = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.FACILITATOR)
    accounts.register_with_invite(session, invite_code=facilitator.code, username="fagrid", display_name="Fag Rid",
                                  password=PASSWORD, password_repeat=PASSWORD)
    session.commit()


def test_the_provider_down_is_a_clear_refusal(session, monkeypatch):
    monkeypatch.setenv("LEDPRO_OIDC_ISSUER", "http://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("LEDPRO_OIDC_CLIENT_ID", "ledpro")
    get_settings.cache_clear()
    oidc.forget_provider_metadata()
    try:
        with pytest.raises(oidc.LoginRefused) as caught:
            oidc.begin_login(session, next_path="/", lang="nb", redirect_uri=CALLBACK)
        assert (caught.value.key, caught.value.status) == ("oidc.error.unavailable", 503)
        assert caught.value.kind.startswith("discovery:")
    finally:
        get_settings.cache_clear()


def test_no_transaction_is_open_while_the_provider_answers(session, kari, monkeypatch):
    """The claim is committed before the code goes to the provider, and nothing is written until it answers:
    on SQLite an open write would hold up every save in the app for as long as the provider takes."""
    exchange, open_while_asking = oidc._exchange, []

    def watched(*args, **kwargs):
        open_while_asking.append(session.in_transaction())
        return exchange(*args, **kwargs)

    monkeypatch.setattr(oidc, "_exchange", watched)
    assert isinstance(finish(session, at_provider(begin(session), kari)), oidc.NeedsLink)
    assert open_while_asking == [False]
