"""Signing in with an OpenID Connect provider (Feide): the authorization code flow with PKCE, state and nonce.

Why the login's state lives in the database (oidc_logins) and not in a cookie or in memory: several app servers
may serve one installation, and the one that gets the callback need not be the one that sent the person away.
A login row is good for `accounts.OIDC_LOGIN_MINUTES` and finishes once: a replayed callback is refused.

What is kept of the person at the provider: the issuer and the stable `sub` (user_identities), and for a new
account the name and e-mail the userinfo endpoint gives (Feide's ID token carries neither). Never the national
identity number: no scope that releases it is asked for, and no claim but sub, name and email is read.

Authlib makes the authorization URL and exchanges the code (its requests client, PKCE S256; its httpx client
is deprecated in favour of another package); joserfc, Authlib's
own JOSE library (authlib.jose is deprecated since Authlib 1.6 and warns on import), checks the ID token's
signature against the provider's JWKS and its iss, aud, exp and nonce.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import timedelta

import httpx
import requests
import sqlalchemy as sa
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlmodel import Session, select

from ledpro_journal.config import Settings, get_settings
from ledpro_journal.models import AuthSession, OidcLogin, User, UserIdentity, utcnow
from ledpro_journal.services import accounts, audit, plain_text
from ledpro_journal.services.errors import Invalid, ServiceError

log = logging.getLogger(__name__)

CALLBACK_PATH = "/auth/oidc/callback"
SIGNED_OUT_PATH = "/auth/oidc/signed-out"
METADATA_SECONDS = 300  # discovery and JWKS are read again after five minutes (a key rotation is picked up)
HTTP_TIMEOUT = 10.0
CLOCK_LEEWAY_SECONDS = 60
_SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
# Only these are read from the provider; anything else it sends (an identity number included) is ignored.
_USERINFO_CLAIMS = ("sub", "name", "email")


class LoginRefused(ServiceError):
    """A sign-in with the provider that cannot go on. `status` is the HTTP answer's; `kind` names the failure in
    the log (never a token or a code)."""

    default_key = "oidc.error.failed"

    def __init__(self, key: str, *, status: int = 400, kind: str = "", **params: object) -> None:
        super().__init__(key, **params)
        self.status = status
        self.kind = kind or key.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class SignedIn:
    token: str  # for the session cookie
    next_path: str
    lang: str


@dataclass(frozen=True)
class NeedsLink:
    link_token: str  # for the link cookie: the way back to this login's identity
    lang: str
    name: str


@dataclass(frozen=True)
class PendingLink:
    name: str
    email: str
    lang: str


# --- the provider's metadata ----------------------------------------------------------------------------------


@dataclass
class _Metadata:
    discovery: dict
    keys: KeySet
    fetched_at: float


_metadata: dict[str, _Metadata] = {}
_metadata_lock = threading.Lock()


def _issuer(settings: Settings) -> str:
    return settings.oidc_issuer.strip().rstrip("/")


def forget_provider_metadata() -> None:
    """For tests, and for a server that changes provider: the next login reads discovery and JWKS again."""
    with _metadata_lock:
        _metadata.clear()


def _get_json(url: str) -> dict:
    response = httpx.get(url, timeout=HTTP_TIMEOUT, follow_redirects=False)
    response.raise_for_status()
    data = response.json()
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    return data


def _fetch_metadata(issuer: str) -> _Metadata:
    try:
        discovery = _get_json(f"{issuer}/.well-known/openid-configuration")
        if str(discovery.get("issuer", "")).rstrip("/") != issuer:
            raise LoginRefused("oidc.error.unavailable", status=502, kind="issuer_mismatch")
        for endpoint in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(discovery.get(endpoint), str):
                raise LoginRefused("oidc.error.unavailable", status=502, kind="discovery_incomplete")
        keys = KeySet.import_key_set(_get_json(discovery["jwks_uri"]))
    except LoginRefused:
        raise
    except (httpx.HTTPError, ValueError, JoseError) as error:
        raise LoginRefused("oidc.error.unavailable", status=503, kind=f"discovery:{type(error).__name__}") from error
    return _Metadata(discovery=discovery, keys=keys, fetched_at=time.monotonic())


def _provider(settings: Settings, *, fresh: bool = False) -> _Metadata:
    issuer = _issuer(settings)
    with _metadata_lock:
        cached = _metadata.get(issuer)
        if cached is not None and not fresh and time.monotonic() - cached.fetched_at < METADATA_SECONDS:
            return cached
    metadata = _fetch_metadata(issuer)
    with _metadata_lock:
        _metadata[issuer] = metadata
    return metadata


def _client(settings: Settings, redirect_uri: str) -> OAuth2Session:
    return OAuth2Session(
        settings.oidc_client_id,
        settings.oidc_client_secret.get_secret_value() or None,
        scope=settings.oidc_scopes,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
        default_timeout=HTTP_TIMEOUT,
    )


def _ensure_enabled(settings: Settings) -> None:
    if not settings.oidc_enabled:
        raise LoginRefused("oidc.error.not_configured", status=404, kind="not_configured")


# --- starting -------------------------------------------------------------------------------------------------


def begin_login(session: Session, *, next_path: str, lang: str, redirect_uri: str) -> str:
    """Keeps a new login's state, nonce and PKCE verifier and returns the provider's authorization URL.
    `redirect_uri`: this installation's callback (…/auth/oidc/callback), as registered at the provider."""
    settings = get_settings()
    _ensure_enabled(settings)
    metadata = _provider(settings)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(64)
    with _client(settings, redirect_uri) as client:
        url, _ = client.create_authorization_url(
            metadata.discovery["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
        )
    session.add(OidcLogin(state_hash=accounts.hash_token(state), nonce=nonce, code_verifier=verifier,
                          next_path=next_path[:500], lang=lang))
    session.flush()
    return url


# --- the callback -----------------------------------------------------------------------------------------------


def finish_login(
    unit_of_work: Callable[[], AbstractContextManager[Session]],
    *,
    state: str | None,
    code: str | None,
    error: str | None,
    redirect_uri: str,
    user_agent: str = "",
) -> SignedIn | NeedsLink:
    """The provider sent the person back. Signs in a linked account, or keeps the identity for linking.
    Raises LoginRefused.

    Three steps, each in its own unit of work from `unit_of_work` (db.session_scope), so that no transaction
    is open while the provider answers (on SQLite an open write would hold up every save in the app for as
    long as the provider takes): the login is claimed and committed first, so that the same callback is never
    taken twice whatever becomes of the first; the code is exchanged and the ID token checked with no database
    session; the sign-in, or the identity waiting to be linked, is written last."""
    settings = get_settings()
    _ensure_enabled(settings)
    with unit_of_work() as session:
        claim = _claim(session, state)
    if error:
        if error == "access_denied":
            raise LoginRefused("oidc.error.cancelled", status=400, kind="access_denied")
        if error == "temporarily_unavailable":
            raise LoginRefused("oidc.error.unavailable", status=503, kind="provider:temporarily_unavailable")
        raise LoginRefused("oidc.error.provider", status=502, kind=f"provider:{error[:40]}")
    if not code:
        raise LoginRefused("oidc.error.provider", status=400, kind="no_code")
    proof = _exchange(settings, claim, code=code, redirect_uri=redirect_uri)
    with unit_of_work() as session:
        return _complete(session, claim, proof, user_agent=user_agent)


@dataclass(frozen=True)
class _Claim:
    login_id: int
    nonce: str
    code_verifier: str
    next_path: str
    lang: str


@dataclass(frozen=True)
class _Proof:
    issuer: str
    subject: str
    id_token: str
    userinfo: dict


def _exchange(settings: Settings, claim: _Claim, *, code: str, redirect_uri: str) -> _Proof:
    """The code for tokens at the provider, the ID token checked, name and e-mail from userinfo."""
    metadata = _provider(settings)
    with _client(settings, redirect_uri) as client:
        try:
            tokens = client.fetch_token(
                metadata.discovery["token_endpoint"], grant_type="authorization_code", code=code,
                code_verifier=claim.code_verifier,
            )
        except OAuthError as refused:
            # invalid_grant: the code was used, expired, or does not match the verifier.
            raise LoginRefused("oidc.error.code", status=400, kind=f"token:{refused.error}") from refused
        except requests.RequestException as failed:
            raise LoginRefused("oidc.error.unavailable", status=503, kind=f"token:{type(failed).__name__}") from failed
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            raise LoginRefused("oidc.error.provider", status=502, kind="no_id_token")
        subject = _verified_id_token(settings, metadata, id_token, nonce=claim.nonce)["sub"]
        userinfo = _userinfo(client, metadata, subject)
    return _Proof(issuer=_issuer(settings), subject=subject, id_token=id_token, userinfo=userinfo)


def _complete(session: Session, claim: _Claim, proof: _Proof, *, user_agent: str) -> SignedIn | NeedsLink:
    identity = session.exec(
        select(UserIdentity).where(UserIdentity.issuer == proof.issuer).where(UserIdentity.subject == proof.subject)
    ).first()
    if identity is not None:
        user = _usable_user(session, identity.user_id)
        identity.last_used_at = utcnow()
        session.add(identity)
        token = _sign_in(session, user, id_token=proof.id_token, user_agent=user_agent)
        # The finished row stays until it is purged, so that the same callback again is told "already used".
        return SignedIn(token=token, next_path=claim.next_path, lang=claim.lang)

    # Someone this installation does not know yet: keep who they are (for OIDC_LOGIN_MINUTES) until they link.
    login = session.get(OidcLogin, claim.login_id)
    if login is None:  # purged in between: only if the provider took longer than the login may last
        raise LoginRefused("oidc.error.expired", status=400, kind="expired_state")
    link_token = secrets.token_urlsafe(32)
    login.issuer, login.subject = proof.issuer, proof.subject
    login.name = _clean_name(proof.userinfo.get("name"))
    login.email = _clean_email(proof.userinfo.get("email"))
    login.id_token = proof.id_token
    login.link_token_hash = accounts.hash_token(link_token)
    session.add(login)
    session.flush()
    return NeedsLink(link_token=link_token, lang=claim.lang, name=login.name or "")


def _claim(session: Session, state: str | None) -> _Claim:
    if not state or len(state) > 200:
        raise LoginRefused("oidc.error.state", status=400, kind="no_state")
    login = session.exec(select(OidcLogin).where(OidcLogin.state_hash == accounts.hash_token(state))).first()
    if login is None:
        raise LoginRefused("oidc.error.state", status=400, kind="unknown_state")
    # A guarded UPDATE: of two callbacks with the same state, on two servers at once, one wins.
    taken = session.execute(
        sa.update(OidcLogin).where(OidcLogin.id == login.id).where(OidcLogin.finished_at.is_(None))
        .values(finished_at=utcnow())
    )
    if taken.rowcount != 1:
        raise LoginRefused("oidc.error.used", status=400, kind="replayed_state")
    session.refresh(login)
    if login.created_at < utcnow() - timedelta(minutes=accounts.OIDC_LOGIN_MINUTES):
        raise LoginRefused("oidc.error.expired", status=400, kind="expired_state")
    return _Claim(login_id=login.id, nonce=login.nonce, code_verifier=login.code_verifier,
                  next_path=login.next_path, lang=login.lang)


def _verified_id_token(settings: Settings, metadata: _Metadata, id_token: str, *, nonce: str) -> dict:
    offered = metadata.discovery.get("id_token_signing_alg_values_supported") or ["RS256"]
    algorithms = [name for name in offered if name in _SIGNING_ALGORITHMS] or ["RS256"]
    try:
        try:
            token = jwt.decode(id_token, metadata.keys, algorithms=algorithms)
        except JoseError:
            # A key the cached JWKS does not have yet (the provider rotated its keys): read them again, once.
            metadata = _provider(settings, fresh=True)
            token = jwt.decode(id_token, metadata.keys, algorithms=algorithms)
        jwt.JWTClaimsRegistry(
            leeway=CLOCK_LEEWAY_SECONDS,
            iss={"essential": True, "value": _issuer(settings)},
            aud={"essential": True, "value": settings.oidc_client_id},
            sub={"essential": True},
            exp={"essential": True},
            nonce={"essential": True, "value": nonce},
        ).validate(token.claims)
    except (JoseError, ValueError) as refused:
        raise LoginRefused("oidc.error.token", status=502, kind=f"id_token:{type(refused).__name__}") from refused
    claims = token.claims
    audience = claims["aud"]
    if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != settings.oidc_client_id:
        raise LoginRefused("oidc.error.token", status=502, kind="id_token:azp")
    return claims


def _userinfo(client: OAuth2Session, metadata: _Metadata, subject: str) -> dict:
    """Name and e-mail: Feide's ID token has neither. Without a userinfo endpoint, or if it fails, the login
    goes on without them (a name is then asked for nowhere: the username stands in)."""
    endpoint = metadata.discovery.get("userinfo_endpoint")
    if not isinstance(endpoint, str):
        return {}
    try:
        response = client.get(endpoint)
        response.raise_for_status()
        info = response.json()
    except (requests.RequestException, ValueError) as failed:
        raise LoginRefused("oidc.error.unavailable", status=502, kind=f"userinfo:{type(failed).__name__}") from failed
    if not isinstance(info, dict) or info.get("sub") != subject:
        # OpenID Connect Core 5.3.2: userinfo about someone else must not be used.
        raise LoginRefused("oidc.error.token", status=502, kind="userinfo:sub_mismatch")
    return {name: info[name] for name in _USERINFO_CLAIMS if isinstance(info.get(name), str)}


def _usable_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or user.deleted_at is not None or not user.is_active:
        raise LoginRefused("oidc.error.deactivated", status=403, kind="account_inactive")
    return user


def _sign_in(session: Session, user: User, *, id_token: str | None, user_agent: str) -> str:
    audit.record(session, actor=user, kind="signin.oidc", subject=user)
    return accounts.start_session(session, user, user_agent=user_agent, id_token=id_token)


def _clean_name(value: object) -> str | None:
    name = " ".join(str(value or "").split())[:120]
    return name if name and not plain_text.has_control_or_surrogate(name) else None


def _clean_email(value: object) -> str | None:
    email = str(value or "").strip()
    return email if 3 <= len(email) <= 254 and "@" in email and not plain_text.has_control_or_surrogate(email) else None


# --- linking a new identity -------------------------------------------------------------------------------------


def _pending(session: Session, link_token: str | None) -> OidcLogin:
    if not link_token or len(link_token) > 200:
        raise LoginRefused("oidc.error.link_expired", status=400, kind="no_link_token")
    login = session.exec(
        select(OidcLogin).where(OidcLogin.link_token_hash == accounts.hash_token(link_token))
    ).first()
    if (login is None or login.subject is None
            or login.created_at < utcnow() - timedelta(minutes=accounts.OIDC_LOGIN_MINUTES)):
        raise LoginRefused("oidc.error.link_expired", status=400, kind="link_expired")
    return login


def pending_link(session: Session, link_token: str | None) -> PendingLink:
    """Who is about to link (for the link page's greeting). Raises LoginRefused when the link token is stale."""
    login = _pending(session, link_token)
    return PendingLink(name=login.name or "", email=login.email or "", lang=login.lang)


def link_with_invite(session: Session, *, link_token: str | None, invite_code: str, user_agent: str = "") -> SignedIn:
    """A new account in the invite's cohort for the identity waiting under `link_token`, and a sign-in.
    Username from the e-mail's local part (or the name), made unique; name and e-mail from the provider."""
    login = _pending(session, link_token)
    linked = _already_linked(session, login, user_agent)
    if linked is not None:
        return linked
    user = accounts.register_without_password(
        session,
        invite_code=invite_code,
        username=_free_username(session, login),
        display_name=login.name or (login.email or "").split("@")[0] or login.subject[:40],
        email=login.email,
        language=login.lang,
    )
    return _link(session, login, user, user_agent)


def link_with_password(
    session: Session, *, link_token: str | None, attempt_id: int, username: str, password: str, user_agent: str = ""
) -> SignedIn:
    """Links the identity waiting under `link_token` to an existing local account once its password is right.

    Like signing in with a password, in two steps: the caller counts the attempt with `accounts.count_attempt`
    (which refuses while locked out) and commits it before calling this with its id."""
    login = _pending(session, link_token)
    user = accounts.check_password(session, attempt_id=attempt_id, username=username, password=password, linking=True)
    if user is None:
        raise Invalid.one("password", "auth.wrong_credentials")
    linked = _already_linked(session, login, user_agent)
    if linked is not None:
        return linked
    return _link(session, login, user, user_agent)


def _already_linked(session: Session, login: OidcLogin, user_agent: str) -> SignedIn | None:
    """The same person linked in another tab meanwhile: sign them in to that account."""
    identity = session.exec(
        select(UserIdentity).where(UserIdentity.issuer == login.issuer).where(UserIdentity.subject == login.subject)
    ).first()
    if identity is None:
        return None
    user = _usable_user(session, identity.user_id)
    token = _sign_in(session, user, id_token=login.id_token, user_agent=user_agent)
    _linked(session, login)
    return SignedIn(token=token, next_path=login.next_path, lang=login.lang)


def _link(session: Session, login: OidcLogin, user: User, user_agent: str) -> SignedIn:
    session.add(UserIdentity(user_id=user.id, issuer=login.issuer, subject=login.subject))
    try:
        session.flush()
    except sa.exc.IntegrityError as exc:  # linked by a parallel request this very moment
        raise LoginRefused("oidc.error.used", status=400, kind="link_race") from exc
    audit.record(session, actor=user, kind="identity.linked", subject=user)
    token = _sign_in(session, user, id_token=login.id_token, user_agent=user_agent)
    _linked(session, login)
    return SignedIn(token=token, next_path=login.next_path, lang=login.lang)


def _linked(session: Session, login: OidcLogin) -> None:
    """The identity is linked: the link token works no more, and what was kept of the person goes (the row
    itself stays until purged, finished, so that its callback is still refused as used)."""
    login.link_token_hash = login.name = login.email = login.id_token = None
    login.issuer = login.subject = None
    session.add(login)
    session.flush()


def _free_username(session: Session, login: OidcLogin) -> str:
    """kari.nordmann from kari.nordmann@example.no (or from the name), then kari.nordmann2, 3, ..."""
    base = ""
    for source in ((login.email or "").split("@")[0], (login.name or "").replace(" ", ".")):
        base = _username_from(source)
        if len(base) >= 3:
            break
    if len(base) < 3:
        base = "user"
    base = base[:36].strip("._-@") or "user"
    candidate, number = base, 1
    while session.exec(select(User.id).where(User.username == candidate)).first() is not None:
        number += 1
        candidate = f"{base}{number}"
    return candidate


def _username_from(text: str) -> str:
    lowered = accounts.normalise_username(text)
    # Letters beyond æøå lose their accents (é → e); what is still not allowed goes.
    ascii_ish = "".join(
        char if char in "æøå" else unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        for char in lowered
    )
    return re.sub(r"[^a-z0-9æøå._@-]", "", ascii_ish).strip("._-@")


# --- signing out --------------------------------------------------------------------------------------------------


def id_token_of(session: Session, token: str | None) -> str | None:
    """The ID token of the sign-in behind a session cookie (for the provider's sign-out), or None."""
    if not token or len(token) > 200:
        return None
    return session.exec(
        select(AuthSession.id_token).where(AuthSession.token_hash == accounts.hash_token(token))
    ).first()


def end_session_url(*, id_token: str, post_logout_redirect_uri: str) -> str | None:
    """The provider's end-session address for signing out there too, or None when it offers none (or is down)."""
    settings = get_settings()
    if not settings.oidc_enabled:
        return None
    try:
        endpoint = _provider(settings).discovery.get("end_session_endpoint")
    except LoginRefused as refused:
        log.warning("oidc: no end-session address (%s, issuer %s)", refused.kind, _issuer(settings))
        return None
    if not isinstance(endpoint, str):
        return None
    query = httpx.QueryParams(
        id_token_hint=id_token, post_logout_redirect_uri=post_logout_redirect_uri, client_id=settings.oidc_client_id
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
