"""Sign-in, registration, first-run setup and sign-out as plain HTTP pages beside the Streamlit app.

Why here and not in Streamlit widgets: only an HTTP response can set an HttpOnly cookie, and Streamlit
talks over a websocket. These pages are small server-rendered forms (text from the catalogue); a
successful sign-in stores a server-side session and sets a random token in an HttpOnly, SameSite=Lax
cookie. `SessionGate` sends anonymous visitors of any app page here before Streamlit loads at all.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from html import escape
from urllib.parse import quote, urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ledpro_journal.config import LANGUAGE_COOKIE, SESSION_COOKIE, get_settings
from ledpro_journal.db import session_scope
from ledpro_journal.i18n import LANGUAGES, language_from_header, language_or_default, t
from ledpro_journal.services import accounts
from ledpro_journal.services.errors import Conflict, Invalid, SignInRefused
from ledpro_journal.web.pages import ACCESSIBILITY_PATH, html_page
from ledpro_journal.web.unavailable import is_database_down, unavailable_response

log = logging.getLogger(__name__)

CSRF_COOKIE = "ledpro_csrf"
# Paths Streamlit needs to load its page and talk to the server, our sign-in pages, the API (which
# checks the session itself) and the calendar feeds (opened by the token in their address, see web/calendar.py),
# and the reminder e-mails' unsubscribe page (opened by its signed link, see web/reminders.py).
_UNGATED_PREFIXES = (
    "/_stcore/", "/static/", "/media/", "/component/", "/app/static/", "/auth/", "/api/", "/calendar/",
    "/reminders/",
)
_UNGATED_FILES = ("/favicon.png", "/manifest.json", "/robots.txt", ACCESSIBILITY_PATH)


# --- helpers ---------------------------------------------------------------------------------------


def _lang(request: Request) -> str:
    """The language chosen on these pages (a cookie), else the first of the browser's languages we have."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in LANGUAGES else language_from_header(request.headers.get("accept-language"))


def _safe_next(target: str | None) -> str:
    """Only paths on this site: never //evil.example or https://evil.example."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if target.startswith("/auth/"):
        return "/"
    return target


def _client_address(request: Request) -> str:
    return (request.client.host if request.client else "") or "unknown"


def _is_secure(request: Request) -> bool:
    forced = get_settings().cookie_secure
    return forced if forced is not None else request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=get_settings().session_max_days * 86400,
        path="/",
        httponly=True,
        samesite="lax",
        secure=_is_secure(request),
    )


def _clear_session_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=_is_secure(request))


async def _needs_setup() -> bool:
    def check() -> bool:
        with session_scope() as session:
            return accounts.needs_setup(session)

    return await run_in_threadpool(check)


async def _user_for(request: Request):
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None

    def resolve():
        with session_scope() as session:
            return accounts.resolve_session(session, token)

    return await run_in_threadpool(resolve)


# --- rendering ---------------------------------------------------------------------------------------



def _field(
    name: str,
    label: str,
    *,
    lang: str,
    kind: str = "text",
    value: str = "",
    errors: dict | None = None,
    hint: str = "",
    autocomplete: str = "off",
    autofocus: bool = False,
) -> str:
    error = (errors or {}).get(name)
    error_html = ""
    described = ""
    if error:
        key, params = error
        error_html = f'<p class="field-error" id="{name}-error" role="alert">{escape(t(key, lang, **params))}</p>'
        described = f' aria-describedby="{name}-error" aria-invalid="true"'
    hint_html = f'<span class="hint">{escape(hint)}</span>' if hint else ""
    value_attr = f' value="{escape(value)}"' if kind != "password" else ""
    focus = " autofocus" if autofocus else ""
    return (
        f'<label for="{name}">{escape(label)}{hint_html}</label>'
        f'<input type="{kind}" id="{name}" name="{name}"{value_attr} autocomplete="{autocomplete}"{described}{focus}>'
        f"{error_html}"
    )


def _page(request: Request, *, lang: str, title: str, body: str, status: int = 200) -> HTMLResponse:
    return html_page(request, lang=lang, title=title, body=body, status=status)


def _form(csrf: str, action: str, inner: str, submit: str) -> str:
    return (
        f'<form method="post" action="{escape(action)}" novalidate>'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">{inner}'
        f'<button type="submit">{escape(submit)}</button>'
        f"</form>"
    )


def _with_csrf(response: Response, request: Request, csrf: str) -> Response:
    response.set_cookie(CSRF_COOKIE, csrf, path="/auth/", httponly=True, samesite="strict", secure=_is_secure(request))
    return response


def _csrf_for(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)


async def _form_data(request: Request) -> dict[str, str] | None:
    """The posted fields, or None when the post did not come from our own form (CSRF): the token in the
    form must match its cookie (SameSite=Strict, so a post from another site comes without it), and a
    browser that says where the post comes from must say it is this site."""
    if _from_another_site(request):
        return None
    form = await request.form()
    data = {key: str(value) for key, value in form.items() if isinstance(value, str)}
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not secrets.compare_digest(cookie, data.get("csrf", "")):
        return None
    return data


def _from_another_site(request: Request) -> bool:
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    if origin is None:
        return False
    # By host name: a proxy may pass on the Host without the port the browser used (nginx's $host).
    # "null" is what a browser sends from a sandboxed frame or a file: never our own form.
    ours = {urlsplit(f"//{request.headers.get(name, '')}").hostname for name in ("host", "x-forwarded-host")}
    return urlsplit(origin).hostname not in ours - {None}


def _expired_form(target: str) -> Response:
    """Our CSRF cookie was missing (old tab, cookies cleared): show the form again, with a word why."""
    return RedirectResponse(f"{target}{'&' if '?' in target else '?'}expired=1", status_code=303)


# --- sign in -------------------------------------------------------------------------------------------


def _signin_page(request: Request, lang: str, csrf: str, *, values=None, notice="", bad=False, status=200):
    values = values or {}
    next_target = _safe_next(values.get("next") or request.query_params.get("next"))
    notice_html = f'<p class="notice{" bad" if bad else ""}" role="status">{escape(notice)}</p>' if notice else ""
    inner = (
        f'<input type="hidden" name="next" value="{escape(next_target)}">'
        + _field("username", t("auth.username", lang), lang=lang, value=values.get("username", ""),
                 autocomplete="username", autofocus=True)
        + _field("password", t("auth.password", lang), lang=lang, kind="password", autocomplete="current-password")
    )
    from ledpro_journal.web import oidc  # imports this module

    body = (
        f'<h1>{escape(t("auth.signin_title", lang))}</h1><p class="lead">{escape(t("auth.signin_lead", lang))}</p>'
        f"{notice_html}{oidc.signin_button(next_target, lang)}"
        f"{_form(csrf, '/auth/signin', inner, t('auth.signin_button', lang))}"
        f'<nav class="alt"><a href="/auth/register">{escape(t("auth.register_link", lang))}</a></nav>'
    )
    return _with_csrf(
        _page(request, lang=lang, title=t("auth.signin_title", lang), body=body, status=status), request, csrf
    )


async def slow_down_after_failures(username: str, address: str) -> None:
    """Before a password is checked: waits out the delay that earlier failures for this account or address
    have earned (1, 2, 4, 8 s); the lockout itself is refused when the attempt is counted."""

    def throttle():
        with session_scope() as session:
            return accounts.sign_in_throttle(session, username=username, address=address)

    delay = (await run_in_threadpool(throttle)).delay_seconds
    if delay:
        await asyncio.sleep(delay)


async def signin(request: Request) -> Response:
    lang = _lang(request)
    if await _needs_setup():
        return RedirectResponse("/auth/setup", status_code=303)
    csrf = _csrf_for(request)
    if request.method == "GET":
        if await _user_for(request) is not None:
            return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
        notice = ""
        if request.query_params.get("signed_out"):
            notice = t("auth.signed_out", lang)
        elif request.query_params.get("account_deleted"):
            notice = t("leaving.signed_out", lang)
        elif request.query_params.get("expired"):
            notice = t("auth.form_expired", lang)
        return _signin_page(request, lang, csrf, notice=notice)

    data = await _form_data(request)
    if data is None:
        return _expired_form("/auth/signin")
    username, password = data.get("username", ""), data.get("password", "")
    address = _client_address(request)
    await slow_down_after_failures(username, address)

    def attempt() -> str | None:
        with session_scope() as session:  # committed first: parallel guesses count each other
            attempt_id = accounts.count_attempt(session, username=username, address=address)
        with session_scope() as session:
            user = accounts.check_password(session, attempt_id=attempt_id, username=username, password=password)
            if user is None:
                return None
            return accounts.start_session(session, user, user_agent=request.headers.get("user-agent", ""),
                                          address=address)

    try:
        token = await run_in_threadpool(attempt)
    except SignInRefused as refused:
        # A participant who signs in with the provider only gets 403 (see accounts.UseSingleSignOn).
        status = 403 if isinstance(refused, accounts.UseSingleSignOn) else 429
        return _signin_page(request, lang, csrf, values=data, notice=t(refused.key, lang, **refused.params),
                            bad=True, status=status)
    if token is None:
        return _signin_page(request, lang, csrf, values=data, notice=t("auth.wrong_credentials", lang), bad=True,
                            status=401)
    response = RedirectResponse(_safe_next(data.get("next")), status_code=303)
    set_session_cookie(response, request, token)
    response.delete_cookie(CSRF_COOKIE, path="/auth/")
    return response


# --- first run and registration ---------------------------------------------------------------------------------------


def _account_fields(lang: str, values: dict, errors: dict | None, *, with_invite: bool) -> str:
    fields = ""
    if with_invite:
        fields += _field("invite_code", t("auth.invite_code", lang), lang=lang, value=values.get("invite_code", ""),
                         errors=errors, hint=t("auth.invite_code_hint", lang), autofocus=True)
    fields += _field("display_name", t("auth.display_name", lang), lang=lang, value=values.get("display_name", ""),
                     errors=errors, autocomplete="name", autofocus=not with_invite)
    fields += _field("username", t("auth.username", lang), lang=lang, value=values.get("username", ""), errors=errors,
                     hint=t("auth.username_hint", lang), autocomplete="username")
    fields += _field("password", t("auth.new_password", lang), lang=lang, kind="password", errors=errors,
                     hint=t("auth.password_hint", lang, min=accounts.MIN_PASSWORD_LENGTH), autocomplete="new-password")
    fields += _field("password_repeat", t("auth.password_repeat", lang), lang=lang, kind="password", errors=errors,
                     autocomplete="new-password")
    return fields


async def _account_form(request: Request, *, page: str, with_invite: bool, create_user) -> Response:
    """The first-run form (page="setup") and the registration form (page="register"): the same fields,
    the same handling. `create_user(session, data, lang)` makes the account or raises Invalid."""
    lang = _lang(request)
    csrf = _csrf_for(request)
    values = {"invite_code": request.query_params.get("code", "")}
    errors = None
    if request.method == "POST":
        data = await _form_data(request)
        if data is None:
            return _expired_form(f"/auth/{page}")

        def create() -> str:
            with session_scope() as session:
                user = create_user(session, data, lang)
                return accounts.start_session(session, user, user_agent=request.headers.get("user-agent", ""))

        try:
            token = await run_in_threadpool(create)
        except Invalid as invalid:
            values, errors = data, invalid.errors
        except Conflict:
            return RedirectResponse("/auth/signin", status_code=303)
        else:
            response = RedirectResponse("/", status_code=303)
            set_session_cookie(response, request, token)
            return response
    notice = ""
    if request.query_params.get("expired"):
        notice = f'<p class="notice" role="status">{escape(t("auth.form_expired", lang))}</p>'
    body = (
        f'<h1>{escape(t(f"{page}.title", lang))}</h1><p class="lead">{escape(t(f"{page}.lead", lang))}</p>'
        + notice
        + _form(csrf, f"/auth/{page}", _account_fields(lang, values, errors, with_invite=with_invite),
                t(f"{page}.button", lang))
    )
    if with_invite:
        body += f'<nav class="alt"><a href="/auth/signin">{escape(t("register.have_account", lang))}</a></nav>'
    response = _page(request, lang=lang, title=t(f"{page}.title", lang), body=body, status=400 if errors else 200)
    return _with_csrf(response, request, csrf)


async def setup(request: Request) -> Response:
    if not await _needs_setup():
        return RedirectResponse("/auth/signin", status_code=303)
    return await _account_form(
        request,
        page="setup",
        with_invite=False,
        create_user=lambda session, data, lang: accounts.create_first_admin(
            session,
            username=data.get("username", ""),
            display_name=data.get("display_name", ""),
            password=data.get("password", ""),
            password_repeat=data.get("password_repeat", ""),
            language=lang,
        ),
    )


async def register(request: Request) -> Response:
    if await _needs_setup():
        return RedirectResponse("/auth/setup", status_code=303)
    return await _account_form(
        request,
        page="register",
        with_invite=True,
        create_user=lambda session, data, lang: accounts.register_with_invite(
            session,
            invite_code=data.get("invite_code", ""),
            username=data.get("username", ""),
            display_name=data.get("display_name", ""),
            password=data.get("password", ""),
            password_repeat=data.get("password_repeat", ""),
            language=lang,
        ),
    )


# --- sign out and language ------------------------------------------------------------------------------------


async def signout(request: Request) -> Response:
    # A link from another site must not sign anyone out (Sec-Fetch-Site is sent by every current browser).
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return RedirectResponse("/", status_code=303)
    token = request.cookies.get(SESSION_COOKIE)
    from ledpro_journal.web import oidc  # imports this module

    def end() -> str | None:
        id_token = oidc.id_token_of(token)
        with session_scope() as session:
            accounts.end_session(session, token)
        return id_token

    id_token = await run_in_threadpool(end)
    # A sign-in that came from the OpenID Connect provider: signed out here, and offered the provider's sign-out.
    offer = None
    if id_token and not request.query_params.get("account_deleted"):
        offer = await run_in_threadpool(oidc.signed_out_page, request, _lang(request), id_token)
    if offer is not None:
        response = offer
    elif request.query_params.get("account_deleted"):
        # After deleting one's account (ui/leaving.py): the farewell, in the language the person used.
        response = RedirectResponse("/auth/signin?account_deleted=1", status_code=303)
        response.set_cookie(LANGUAGE_COOKIE, language_or_default(request.query_params.get("lang")),
                            max_age=365 * 86400, path="/", samesite="lax", secure=_is_secure(request))
    else:
        response = RedirectResponse("/auth/signin?signed_out=1", status_code=303)
    _clear_session_cookie(response, request)
    return response


async def language(request: Request) -> Response:
    lang = language_or_default(request.query_params.get("lang"))
    target = request.query_params.get("next") or "/auth/signin"
    if not target.startswith("/auth/") or target.startswith("//"):
        target = "/auth/signin"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, path="/", samesite="lax",
                        secure=_is_secure(request))
    return response


def routes() -> list[Route]:
    return [
        Route("/auth/signin", signin, methods=["GET", "POST"]),
        Route("/auth/setup", setup, methods=["GET", "POST"]),
        Route("/auth/register", register, methods=["GET", "POST"]),
        Route("/auth/signout", signout, methods=["GET"]),
        Route("/auth/language", language, methods=["GET"]),
    ]


# --- the gate in front of the Streamlit app ---------------------------------------------------------------------


class SessionGate:
    """ASGI middleware: a browser asking for an app page without a valid session is sent to sign in
    (or to the first-run setup) before any of the app is served. The websocket is left alone: every
    page also checks the session itself on every rerun (ui.session.require_user)."""

    def __init__(self, app) -> None:
        self.app = app
        self._set_up = False  # once true it stays true: setup happens once per installation

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or not self._gated(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            if not self._set_up:
                if await _needs_setup():
                    await RedirectResponse("/auth/setup", status_code=303)(scope, receive, send)
                    return
                self._set_up = True
            user = await _user_for(request)
        except Exception as error:
            if is_database_down(error):
                log.warning("session check: database unavailable: %s", str(error).splitlines()[0])
            else:
                log.exception("session check failed")
            await unavailable_response(request)(scope, receive, send)
            return
        if user is None:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            response = RedirectResponse(f"/auth/signin?next={quote(target, safe='/')}", status_code=303)
            if SESSION_COOKIE in request.cookies:
                _clear_session_cookie(response, request)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _gated(scope) -> bool:
        if scope.get("method") not in ("GET", "HEAD"):
            return False
        path = scope.get("path", "/")
        if path.startswith(_UNGATED_PREFIXES) or path in _UNGATED_FILES:
            return False
        accept = dict(scope.get("headers") or []).get(b"accept", b"")
        return b"text/html" in accept or b"*/*" in accept or not accept
