"""/reminders/unsubscribe/<signed token>: stopping the reminder e-mails without signing in.

Each e-mail carries this address twice: as a link in its text and in its List-Unsubscribe header, with
List-Unsubscribe-Post, so that mail programs offer their own button, which POSTs here (RFC 8058). The
signed token is the authority, and it can do one thing only: turn that person's reminders off.

A GET changes nothing: mail scanners and link previews open every link in a message. It shows a page
with one button, which POSTs.
"""

from __future__ import annotations

import logging
from html import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from ledpro_journal.db import session_scope
from ledpro_journal.i18n import language_or_default, t
from ledpro_journal.services import reminders
from ledpro_journal.services.errors import NotFound
from ledpro_journal.web.auth import _lang
from ledpro_journal.web.pages import html_page
from ledpro_journal.web.unavailable import unavailable_response

log = logging.getLogger(__name__)
PREFIX = "/reminders/"


def _page(request: Request, lang: str, title: str, body: str, status: int = 200) -> HTMLResponse:
    return html_page(request, lang=lang, title=title, body=f"<h1>{escape(title)}</h1>{body}", status=status,
                     noindex=True)


def _invalid(request: Request) -> Response:
    lang = _lang(request)
    return _page(request, lang, t("reminders.unsubscribe.invalid_title", lang),
                 f'<p class="notice bad" role="alert">{escape(t("reminders.link_invalid", lang))}</p>', status=404)


async def unsubscribe(request: Request) -> Response:
    token = request.path_params["token"]
    posted = request.method == "POST"

    def act() -> str:
        with session_scope() as session:
            if posted:
                return reminders.unsubscribe(session, token=token)
            return reminders.link_language(session, token=token)

    try:
        lang = language_or_default(await run_in_threadpool(act))
    except NotFound:
        return _invalid(request)
    except Exception:
        log.exception("unsubscribe failed")
        return unavailable_response(request)
    if posted:
        body = (
            f'<p class="lead">{escape(t("reminders.unsubscribe.done", lang))}</p>'
            f'<nav class="alt"><a href="/account">{escape(t("reminders.unsubscribe.to_account", lang))}</a></nav>'
        )
        return _page(request, lang, t("reminders.unsubscribe.done_title", lang), body)
    body = (
        f'<p class="lead">{escape(t("reminders.unsubscribe.lead", lang))}</p>'
        f'<form method="post" action="{escape(request.url.path)}">'
        f'<button type="submit">{escape(t("reminders.unsubscribe.button", lang))}</button></form>'
    )
    return _page(request, lang, t("reminders.unsubscribe.title", lang), body)


def routes() -> list[Route]:
    return [Route(PREFIX + "unsubscribe/{token}", unsubscribe, methods=["GET", "POST"])]
