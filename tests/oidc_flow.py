"""Signing in at the test OIDC provider (tests/oidc_provider.py) with plain httpx, as a browser would: open
the authorization URL, fill in the provider's login form (or press Avbryt), and stop where the provider sends
the browser back to the app's callback. Shared by the service and route tests of Logg inn med Feide."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urljoin, urlsplit

import httpx

from ledpro_journal.config import get_settings
from ledpro_journal.services import oidc
from tests.oidc_provider import OidcAccount, OidcProvider


def configure(monkeypatch, provider: OidcProvider, **extra: str) -> None:
    """Points the app's settings at the provider (LEDPRO_OIDC_*) and forgets any cached metadata."""
    monkeypatch.setenv("LEDPRO_OIDC_ISSUER", provider.issuer)
    monkeypatch.setenv("LEDPRO_OIDC_CLIENT_ID", provider.client_id)
    monkeypatch.setenv("LEDPRO_OIDC_CLIENT_SECRET", provider.client_secret)
    for name, value in extra.items():
        monkeypatch.setenv(f"LEDPRO_OIDC_{name.upper()}", value)
    get_settings.cache_clear()
    oidc.forget_provider_metadata()


def _follow(browser: httpx.Client, response: httpx.Response) -> httpx.Response | str:
    """Follows the provider's redirects; returns the address once it points at the app's callback."""
    for _ in range(10):
        if response.status_code not in (302, 303):
            return response
        location = urljoin(str(response.url), response.headers["location"])
        if urlsplit(location).path == oidc.CALLBACK_PATH:
            return location
        response = browser.get(location)
    raise AssertionError("too many redirects at the provider")


def at_provider(authorization_url: str, account: OidcAccount | None, *, browser: httpx.Client | None = None,
                cancel: bool = False) -> str:
    """The callback address the provider sends the browser back to (with code and state, or error).
    `browser` keeps the provider's session cookie between sign-ins (a second sign-in asks for nothing)."""
    own = browser is None
    browser = browser or httpx.Client()
    try:
        page = _follow(browser, browser.get(authorization_url))
        if isinstance(page, str):
            return page  # already signed in at the provider
        assert "Passord" in page.text, page.text
        action = html.unescape(re.search(r'<form method="post" action="([^"]+)"', page.text).group(1))
        if cancel:
            action = html.unescape(re.search(r'formaction="([^"]+)"', page.text).group(1))
        fields = {"username": account.username, "password": account.password} if account else {}
        result = _follow(browser, browser.post(urljoin(str(page.url), action), data=fields))
        assert isinstance(result, str), result.text
        return result
    finally:
        if own:
            browser.close()


def query(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query))
