"""Logg inn med Feide: the OpenID Connect routes beside the sign-in pages (web/auth.py).

/auth/oidc/start sends the browser to the provider, /auth/oidc/callback takes it back and ends in the same
HttpOnly session cookie as a password sign-in. Someone the installation does not know yet goes to
/auth/oidc/link, which links their identity once, with an invite code or an existing account's password; the
way back to that identity is a random token in an HttpOnly cookie scoped to /auth/oidc/. Every failure is a
page in the person's language; the log says what kind of failure and which issuer, never a token or a code.
"""

from __future__ import annotations

import logging
import secrets
from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ledpro_journal.config import LANGUAGE_COOKIE, get_settings
from ledpro_journal.db import session_scope
from ledpro_journal.i18n import LANGUAGES, t
from ledpro_journal.services import accounts, oidc
from ledpro_journal.services.errors import Invalid, SignInRefused
from ledpro_journal.web.auth import (
    CSRF_COOKIE,
    _client_address,
    _csrf_for,
    _expired_form,
    _field,
    _form,
    _form_data,
    _is_secure,
    _lang,
    _page,
    _safe_next,
    _with_csrf,
    set_session_cookie,
    slow_down_after_failures,
)

log = logging.getLogger(__name__)

LINK_COOKIE = "ledpro_oidc_link"
# The state of the login this browser started. The state itself lives in the database (any server may finish the
# login); the cookie binds it to the browser, so that a callback someone got at Feide in their own browser and
# sent to another person does not sign that person in as them, nor link their identity to that person's account.
STATE_COOKIE = "ledpro_oidc_state"
LINK_PATH = "/auth/oidc/link"


def _base_url(request: Request) -> str:
    """This installation's address as the provider knows it: LEDPRO_PUBLIC_URL, else the one the browser used."""
    public = get_settings().public_url.strip().rstrip("/")
    return public or str(request.base_url).rstrip("/")


def _redirect_uri(request: Request) -> str:
    return _base_url(request) + oidc.CALLBACK_PATH


def _provider_name() -> str:
    return get_settings().oidc_provider_name


def signin_button(next_target: str, lang: str) -> str:
    """The sign-in page's "Logg inn med Feide" (a link styled as the primary action), or nothing when off."""
    if not get_settings().oidc_enabled:
        return ""
    href = "/auth/oidc/start?" + urlencode({"next": next_target})
    return (
        f'<a class="button primary" id="oidc-signin" href="{escape(href)}">'
        f'{escape(t("oidc.signin_button", lang, provider=_provider_name()))}</a>'
        f'<p class="divider">{escape(t("oidc.or_password", lang))}</p>'
    )


def _refusal_page(request: Request, lang: str, refused: oidc.LoginRefused) -> Response:
    log.warning("oidc sign-in refused: %s (issuer %s)", refused.kind, get_settings().oidc_issuer.strip())
    body = (
        f'<h1>{escape(t("oidc.error.title", lang))}</h1>'
        f'<p class="notice bad" role="alert">{escape(t(refused.key, lang, provider=_provider_name()))}</p>'
        f'<nav class="alt"><a href="/auth/signin">{escape(t("oidc.back_to_signin", lang))}</a></nav>'
    )
    response = _page(request, lang=lang, title=t("oidc.error.title", lang), body=body, status=refused.status)
    response.delete_cookie(LINK_COOKIE, path="/auth/oidc/")
    return response


def _signed_in(request: Request, outcome: oidc.SignedIn) -> Response:
    response = RedirectResponse(_safe_next(outcome.next_path), status_code=303)
    set_session_cookie(response, request, outcome.token)
    response.delete_cookie(LINK_COOKIE, path="/auth/oidc/")
    response.delete_cookie(CSRF_COOKIE, path="/auth/")
    return response


async def _attempt(work):
    """Runs `work(session)` in a unit of work that is committed when it refuses too (a used state stays
    used). Returns its value, or the LoginRefused."""

    def run():
        with session_scope() as session:
            try:
                return work(session)
            except oidc.LoginRefused as refused:
                return refused

    return await run_in_threadpool(run)


# --- start and callback ---------------------------------------------------------------------------------------


async def start(request: Request) -> Response:
    lang = _lang(request)
    next_target = _safe_next(request.query_params.get("next"))
    outcome = await _attempt(lambda session: oidc.begin_login(
        session, next_path=next_target, lang=lang, redirect_uri=_redirect_uri(request)))
    if isinstance(outcome, oidc.LoginRefused):
        return _refusal_page(request, lang, outcome)
    response = RedirectResponse(outcome, status_code=303)
    state = dict(parse_qsl(urlsplit(outcome).query)).get("state", "")
    response.set_cookie(STATE_COOKIE, state, max_age=accounts.OIDC_LOGIN_MINUTES * 60, path="/auth/oidc/",
                        httponly=True, samesite="lax", secure=_is_secure(request))
    return response


def _started_here(request: Request, state: str) -> bool:
    return secrets.compare_digest(request.cookies.get(STATE_COOKIE, "").encode(), state.encode())


async def callback(request: Request) -> Response:
    params = request.query_params
    if params.get("state") and not _started_here(request, params["state"]):
        # Refused before the login is claimed: the browser that started it can still finish it.
        refused = oidc.LoginRefused("oidc.error.state", status=400, kind="state_of_another_browser")
        return _refusal_page(request, _lang(request), refused)

    def finish():
        try:
            return oidc.finish_login(
                session_scope, state=params.get("state"), code=params.get("code"), error=params.get("error"),
                redirect_uri=_redirect_uri(request), user_agent=request.headers.get("user-agent", ""))
        except oidc.LoginRefused as refused:
            return refused

    outcome = await run_in_threadpool(finish)
    if isinstance(outcome, oidc.LoginRefused):
        return _refusal_page(request, _lang(request), outcome)
    if isinstance(outcome, oidc.SignedIn):
        return _signed_in(request, outcome)
    response = RedirectResponse(LINK_PATH, status_code=303)
    response.set_cookie(LINK_COOKIE, outcome.link_token, max_age=accounts.OIDC_LOGIN_MINUTES * 60,
                        path="/auth/oidc/", httponly=True, samesite="lax", secure=_is_secure(request))
    return response


# --- linking ---------------------------------------------------------------------------------------------------


def _link_page(request: Request, lang: str, csrf: str, pending: oidc.PendingLink, *, values=None, errors=None,
               which: str = "", notice: str = "", status: int = 200) -> Response:
    values = values or {}
    invite_errors = errors if which == "invite" else None
    password_errors = errors if which == "password" else None
    provider = _provider_name()
    greeting = t("oidc.link.hello", lang, name=pending.name) if pending.name else ""
    notice_html = f'<p class="notice" role="status">{escape(notice)}</p>' if notice else ""
    invite_form = _form(
        csrf, LINK_PATH,
        '<input type="hidden" name="form" value="invite">'
        + _field("invite_code", t("auth.invite_code", lang), lang=lang, value=values.get("invite_code", ""),
                 errors=invite_errors, hint=t("auth.invite_code_hint", lang), autofocus=which != "password"),
        t("oidc.link.invite_button", lang),
    )
    password_form = _form(
        csrf, LINK_PATH,
        '<input type="hidden" name="form" value="password">'
        + _field("username", t("auth.username", lang), lang=lang, value=values.get("username", ""),
                 errors=password_errors, autocomplete="username", autofocus=which == "password")
        + _field("password", t("auth.password", lang), lang=lang, kind="password", errors=password_errors,
                 autocomplete="current-password"),
        t("oidc.link.password_button", lang),
    )
    body = (
        f'<h1>{escape(t("oidc.link.title", lang, provider=provider))}</h1>'
        f'<p class="lead">{escape(greeting)} {escape(t("oidc.link.lead", lang, provider=provider))}</p>'
        f"{notice_html}"
        f'<h2>{escape(t("oidc.link.invite_heading", lang))}</h2>{invite_form}'
        f'<h2>{escape(t("oidc.link.password_heading", lang))}</h2>'
        f'<p class="hint">{escape(t("oidc.link.password_lead", lang, provider=provider))}</p>{password_form}'
    )
    response = _page(request, lang=lang, title=t("oidc.link.title", lang, provider=provider), body=body,
                     status=status)
    return _with_csrf(response, request, csrf)


async def link(request: Request) -> Response:
    link_token = request.cookies.get(LINK_COOKIE)
    pending = await _attempt(lambda session: oidc.pending_link(session, link_token))
    if isinstance(pending, oidc.LoginRefused):
        return _refusal_page(request, _lang(request), pending)
    # The language the login began in, until the person picks another with the switch on this page.
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    lang = chosen if chosen in LANGUAGES else pending.lang
    csrf = _csrf_for(request)
    if request.method == "GET":
        notice = t("auth.form_expired", lang) if request.query_params.get("expired") else ""
        return _link_page(request, lang, csrf, pending, notice=notice)

    data = await _form_data(request)
    if data is None:
        return _expired_form(LINK_PATH)
    user_agent = request.headers.get("user-agent", "")
    which = "password" if data.get("form") == "password" else "invite"
    try:
        if which == "invite":
            outcome = await _attempt(lambda session: oidc.link_with_invite(
                session, link_token=link_token, invite_code=data.get("invite_code", ""), user_agent=user_agent))
        else:
            outcome = await _link_with_password(request, link_token, data, user_agent)
    except Invalid as invalid:
        return _link_page(request, lang, csrf, pending, values=data, errors=invalid.errors, which=which, status=400)
    except SignInRefused as refused:
        errors = {"password": (refused.key, refused.params)}
        return _link_page(request, lang, csrf, pending, values=data, errors=errors, which=which, status=429)
    if isinstance(outcome, oidc.LoginRefused):
        return _refusal_page(request, lang, outcome)
    return _signed_in(request, outcome)


async def _link_with_password(request: Request, link_token: str | None, data: dict, user_agent: str):
    """The same throttle as signing in with a password (web/auth.py): slowed after failures, then locked."""
    username, password = data.get("username", ""), data.get("password", "")
    address = _client_address(request)
    await slow_down_after_failures(username, address)

    def count() -> int:
        with session_scope() as session:  # committed first: parallel guesses count each other
            return accounts.count_attempt(session, username=username, address=address)

    attempt_id = await run_in_threadpool(count)
    return await _attempt(lambda session: oidc.link_with_password(
        session, link_token=link_token, attempt_id=attempt_id, username=username, password=password,
        user_agent=user_agent))


# --- signing out ---------------------------------------------------------------------------------------------------


def id_token_of(token: str | None) -> str | None:
    """Called by web/auth.py's sign-out before it ends the session (in a worker thread)."""
    if not token or not get_settings().oidc_enabled:
        return None
    with session_scope() as session:
        return oidc.id_token_of(session, token)


def signed_out_page(request: Request, lang: str, id_token: str) -> Response | None:
    """After ending a session that came from the provider: signed out here, with a way to sign out there too.
    None when the provider offers no end-session address (sign-out then goes on as for a password)."""
    url = oidc.end_session_url(id_token=id_token, post_logout_redirect_uri=_base_url(request) + oidc.SIGNED_OUT_PATH)
    if url is None:
        return None
    provider = _provider_name()
    body = (
        f'<h1>{escape(t("oidc.signout.title", lang))}</h1>'
        f'<p class="lead">{escape(t("oidc.signout.lead", lang, provider=provider))}</p>'
        f'<a class="button primary" id="oidc-signout" href="{escape(url)}">'
        f'{escape(t("oidc.signout.button", lang, provider=provider))}</a>'
        f'<nav class="alt"><a href="/auth/signin">{escape(t("oidc.back_to_signin", lang))}</a></nav>'
    )
    return _page(request, lang=lang, title=t("oidc.signout.title", lang), body=body)


async def signed_out(request: Request) -> Response:
    lang = _lang(request)
    provider = _provider_name()
    body = (
        f'<h1>{escape(t("oidc.signout.done_title", lang, provider=provider))}</h1>'
        f'<p class="lead">{escape(t("oidc.signout.done_lead", lang, provider=provider))}</p>'
        f'<nav class="alt"><a href="/auth/signin">{escape(t("oidc.back_to_signin", lang))}</a></nav>'
    )
    return _page(request, lang=lang, title=t("oidc.signout.done_title", lang, provider=provider), body=body)


def routes() -> list[Route]:
    return [
        Route("/auth/oidc/start", start, methods=["GET"]),
        Route(oidc.CALLBACK_PATH, callback, methods=["GET"]),
        Route(LINK_PATH, link, methods=["GET", "POST"]),
        Route(oidc.SIGNED_OUT_PATH, signed_out, methods=["GET"]),
    ]
