"""The test OIDC provider (tests/oidc_provider.py) behaves like Feide where the app depends on it: code
flow with PKCE, a sparse ID token, name and email from userinfo, cancel gives access_denied, sign-out
returns to the app. Plain httpx, so a failure here is the provider's, not the app's."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import secrets
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from tests.oidc_provider import (  # noqa: F401 - the fixtures oidc_provider and oidc_provider_factory
    OidcProvider,
    oidc_provider_factory_fixture,
    oidc_provider_fixture,
)

# Any port on 127.0.0.1 is accepted for the registered callback; nothing listens here, the flow stops
# at the redirect.
CALLBACK = "http://127.0.0.1:8599/auth/oidc/callback"
AFTER_LOGOUT = "http://127.0.0.1:8599/"
ALLOWED_ID_TOKEN_CLAIMS = {"sub", "iss", "aud", "exp", "iat", "nonce", "auth_time", "at_hash", "sid", "azp"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt_payload(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def form_action(page: httpx.Response, form_id: str | None = None) -> str:
    form = rf'<form[^>]*id="{re.escape(form_id)}"' if form_id else r"<form"
    pattern = form + r'[^>]*action="([^"]+)"'
    match = re.search(pattern, page.text)
    assert match, page.text
    return urljoin(str(page.url), html.unescape(match.group(1)))


def follow(client: httpx.Client, response: httpx.Response, *, stop_at: str) -> httpx.Response | str:
    """Follows redirects on the provider; returns the URL once it leaves for stop_at (the app)."""
    for _ in range(10):
        if response.status_code not in (302, 303):
            return response
        location = urljoin(str(response.url), response.headers["location"])
        if location.startswith(stop_at):
            return location
        response = client.get(location)
    raise AssertionError("too many redirects")


def authorize(client: httpx.Client, provider: OidcProvider, **extra: str) -> tuple[httpx.Response | str, dict]:
    discovery = provider.discovery()
    verifier = secrets.token_urlsafe(48)
    request = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": CALLBACK,
        "scope": "openid profile email userid userid-feide",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": b64url(hashlib.sha256(verifier.encode()).digest()),
        "code_challenge_method": "S256",
        **extra,
    }
    response = client.get(discovery["authorization_endpoint"], params=request)
    return follow(client, response, stop_at=CALLBACK), {**request, "code_verifier": verifier}


def sign_in(client: httpx.Client, provider: OidcProvider, username: str, password: str) -> tuple[str, dict]:
    login_page, request = authorize(client, provider)
    assert isinstance(login_page, httpx.Response)
    for text in ("Brukernavn", "Passord", "Logg inn", "Avbryt"):
        assert text in login_page.text
    response = client.post(form_action(login_page), data={"username": username, "password": password})
    callback = follow(client, response, stop_at=CALLBACK)
    assert isinstance(callback, str), callback.text
    return callback, request


def test_discovery_looks_like_feide(oidc_provider: OidcProvider) -> None:
    discovery = oidc_provider.discovery()
    assert discovery["issuer"] == oidc_provider.issuer
    assert discovery["response_types_supported"] == ["code"]
    assert discovery["grant_types_supported"] == ["authorization_code"]
    assert discovery["code_challenge_methods_supported"] == ["S256"]
    assert set(discovery["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post"}
    assert {"openid", "profile", "email", "userid", "userid-feide"} <= set(discovery["scopes_supported"])
    assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]
    for endpoint in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri",
                     "end_session_endpoint"):
        assert discovery[endpoint].startswith(oidc_provider.issuer + "/")
    assert httpx.get(discovery["jwks_uri"]).json()["keys"][0]["kty"] == "RSA"


def test_code_flow_with_pkce_sparse_id_token_userinfo_and_sign_out(oidc_provider: OidcProvider) -> None:
    account = oidc_provider.accounts[0]
    discovery = oidc_provider.discovery()
    with httpx.Client() as browser:
        callback, request = sign_in(browser, oidc_provider, account.username, account.password)
        query = parse_qs(urlsplit(callback).query)
        assert query["state"] == [request["state"]]
        assert query["iss"] == [oidc_provider.issuer]

        token_request = {
            "grant_type": "authorization_code", "code": query["code"][0], "redirect_uri": CALLBACK,
            "code_verifier": request["code_verifier"],
        }
        tokens = httpx.post(
            discovery["token_endpoint"], data=token_request, auth=(oidc_provider.client_id, oidc_provider.client_secret)
        )
        assert tokens.status_code == 200, tokens.text
        tokens = tokens.json()
        assert tokens["token_type"].lower() == "bearer"
        assert "refresh_token" not in tokens

        claims = jwt_payload(tokens["id_token"])
        assert claims["sub"] == account.sub
        assert claims["iss"] == oidc_provider.issuer
        assert claims["aud"] == oidc_provider.client_id
        assert claims["nonce"] == request["nonce"]
        assert {"exp", "iat", "auth_time"} <= claims.keys()
        assert "name" not in claims and "email" not in claims
        assert claims.keys() <= ALLOWED_ID_TOKEN_CLAIMS, claims

        bearer = {"Authorization": f"Bearer {tokens['access_token']}"}
        userinfo = httpx.get(discovery["userinfo_endpoint"], headers=bearer)
        assert userinfo.status_code == 200, userinfo.text
        assert userinfo.json() == {
            "sub": account.sub, "name": account.name, "email": account.email,
            "https://n.feide.no/claims/eduPersonPrincipalName": account.eppn,
        }

        # The code is single-use.
        again = httpx.post(
            discovery["token_endpoint"], data=token_request, auth=(oidc_provider.client_id, oidc_provider.client_secret)
        )
        assert again.status_code == 400 and again.json()["error"] == "invalid_grant"

        # RP-initiated sign-out: the confirmation submits itself in a browser; here we submit it.
        logout_page = browser.get(discovery["end_session_endpoint"], params={
            "id_token_hint": tokens["id_token"], "post_logout_redirect_uri": AFTER_LOGOUT, "state": "bye",
        })
        assert logout_page.status_code == 200, logout_page.text
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', logout_page.text))
        assert fields.get("logout") == "yes"
        response = browser.post(form_action(logout_page, "op.logoutForm"), data=fields)
        assert response.status_code in (302, 303)
        back = response.headers["location"]
        assert back.startswith(AFTER_LOGOUT) and parse_qs(urlsplit(back).query)["state"] == ["bye"]

        # Signed out at the provider too: the next sign-in asks for the password again.
        login_page, _ = authorize(browser, oidc_provider)
        assert isinstance(login_page, httpx.Response) and "Passord" in login_page.text


def test_client_secret_post_works_too(oidc_provider: OidcProvider) -> None:
    account = oidc_provider.accounts[1]
    with httpx.Client() as browser:
        callback, request = sign_in(browser, oidc_provider, account.username, account.password)
    tokens = httpx.post(oidc_provider.discovery()["token_endpoint"], data={
        "grant_type": "authorization_code", "code": parse_qs(urlsplit(callback).query)["code"][0],
        "redirect_uri": CALLBACK, "code_verifier": request["code_verifier"],
        "client_id": oidc_provider.client_id, "client_secret": oidc_provider.client_secret,
    })
    assert tokens.status_code == 200, tokens.text
    assert jwt_payload(tokens.json()["id_token"])["sub"] == account.sub


def test_wrong_verifier_or_secret_is_refused(oidc_provider: OidcProvider) -> None:
    account = oidc_provider.accounts[0]
    token_endpoint = oidc_provider.discovery()["token_endpoint"]
    with httpx.Client() as browser:
        callback, request = sign_in(browser, oidc_provider, account.username, account.password)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}
    wrong_secret = httpx.post(token_endpoint, data={**data, "code_verifier": request["code_verifier"]},
                              auth=(oidc_provider.client_id, "wrong"))
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"
    wrong_verifier = httpx.post(token_endpoint, data={**data, "code_verifier": secrets.token_urlsafe(48)},
                                auth=(oidc_provider.client_id, oidc_provider.client_secret))
    assert wrong_verifier.status_code == 400 and wrong_verifier.json()["error"] == "invalid_grant"


def test_pkce_is_required(oidc_provider: OidcProvider) -> None:
    with httpx.Client() as browser:
        result, request = authorize(browser, oidc_provider, code_challenge="", code_challenge_method="")
    assert isinstance(result, str), result.text
    query = parse_qs(urlsplit(result).query)
    assert query["error"] == ["invalid_request"] and "PKCE" in query["error_description"][0]


def test_cancel_returns_access_denied(oidc_provider: OidcProvider) -> None:
    with httpx.Client() as browser:
        login_page, request = authorize(browser, oidc_provider)
        assert isinstance(login_page, httpx.Response)
        cancel = re.search(r'formaction="([^"]+)"[^>]*>Avbryt<', login_page.text)
        assert cancel, login_page.text
        response = browser.post(urljoin(str(login_page.url), cancel.group(1)), data={"username": "", "password": ""})
        result = follow(browser, response, stop_at=CALLBACK)
    assert isinstance(result, str), result.text
    query = parse_qs(urlsplit(result).query)
    assert query["error"] == ["access_denied"] and query["state"] == [request["state"]]


def test_wrong_password_shows_the_form_again(oidc_provider: OidcProvider) -> None:
    account = oidc_provider.accounts[0]
    with httpx.Client() as browser:
        login_page, _ = authorize(browser, oidc_provider)
        assert isinstance(login_page, httpx.Response)
        again = browser.post(form_action(login_page), data={"username": account.username, "password": "feil"})
        assert again.status_code == 200 and "Feil brukernavn eller passord" in again.text
        # The same interaction still works with the right password.
        response = browser.post(form_action(again), data={"username": account.username, "password": account.password})
        assert isinstance(follow(browser, response, stop_at=CALLBACK), str)


def test_unregistered_redirect_uri_is_refused(oidc_provider: OidcProvider) -> None:
    with httpx.Client() as browser:
        for uri in ("http://127.0.0.1:8599/elsewhere", "http://evil.example/auth/oidc/callback"):
            result, _ = authorize(browser, oidc_provider, redirect_uri=uri)
            assert isinstance(result, httpx.Response) and result.status_code == 400
            assert "redirect_uri did not match" in html.unescape(result.text)


def test_exact_redirect_uris_when_asked(oidc_provider_factory) -> None:
    provider = oidc_provider_factory(redirect_uris=[CALLBACK], loopback_any_port=False)
    with httpx.Client() as browser:
        login_page, _ = authorize(browser, provider)
        assert isinstance(login_page, httpx.Response) and "Passord" in login_page.text
        other_port, _ = authorize(browser, provider, redirect_uri=CALLBACK.replace("8599", "8600"))
        assert isinstance(other_port, httpx.Response) and other_port.status_code == 400


def test_authlib_verifies_the_id_token(oidc_provider: OidcProvider) -> None:
    """Interop with the library the app uses: Authlib fetches the token, the signature checks out."""
    httpx_client = pytest.importorskip("authlib.integrations.httpx_client")
    joserfc_jwt = pytest.importorskip("joserfc.jwt")
    from joserfc.jwk import KeySet

    discovery = oidc_provider.discovery()
    account = oidc_provider.accounts[0]
    client = httpx_client.OAuth2Client(
        oidc_provider.client_id, oidc_provider.client_secret, scope="openid profile email",
        redirect_uri=CALLBACK, code_challenge_method="S256", token_endpoint_auth_method="client_secret_post",
    )
    verifier = secrets.token_urlsafe(48)
    url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=verifier, nonce="n-0S6_WzA2Mj"
    )
    with httpx.Client() as browser:
        login_page = follow(browser, browser.get(url), stop_at=CALLBACK)
        assert isinstance(login_page, httpx.Response)
        response = browser.post(form_action(login_page), data={"username": account.email, "password": account.password})
        callback = follow(browser, response, stop_at=CALLBACK)
    assert isinstance(callback, str)
    token = client.fetch_token(discovery["token_endpoint"], authorization_response=callback, code_verifier=verifier,
                               state=state)
    keys = KeySet.import_key_set(httpx.get(discovery["jwks_uri"]).json())
    id_token = joserfc_jwt.decode(token["id_token"], keys, algorithms=["RS256"])
    assert id_token.claims["sub"] == account.sub and id_token.claims["nonce"] == "n-0S6_WzA2Mj"
    assert "email" not in id_token.claims
    userinfo = client.get(discovery["userinfo_endpoint"]).json()
    assert userinfo["email"] == account.email
