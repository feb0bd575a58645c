"""When the database cannot be reached: 503 with a sentence in the user's language, never a bare 500.

The app recovers by itself when the database is back (the engine checks a connection before use), so the
answer asks the browser to try again shortly (Retry-After) rather than saying something broke.
"""

from __future__ import annotations

import logging
from html import escape

import sqlalchemy.exc
from starlette.requests import Request
from starlette.responses import Response

from ledpro_journal.config import LANGUAGE_COOKIE
from ledpro_journal.i18n import language_or_default, t
from ledpro_journal.web.pages import html_page

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 10


def is_database_down(error: BaseException) -> bool:
    """A connection that could not be made or was lost, or SQLite that cannot open its file, as opposed
    to a mistake in what was asked."""
    if isinstance(error, sqlalchemy.exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError)


def unavailable_response(request: Request) -> Response:
    lang = language_or_default(request.cookies.get(LANGUAGE_COOKIE))
    message = t("error.unavailable", lang)
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store",
               "X-Content-Type-Options": "nosniff"}
    if request.url.path.startswith("/api/"):
        return Response(message, status_code=503, media_type="text/plain; charset=utf-8", headers=headers)
    response = html_page(request, lang=lang, title="LEDPRO Journal", status=503,
                         body=f"<h1>LEDPRO Journal</h1><p>{escape(message)}</p>")
    response.headers.update(headers)
    return response


class DatabaseGuard:
    """ASGI middleware around the app's own routes: a lost database becomes a 503 in the user's language.
    Once a response has begun it is too late to change it, and then the error goes on as it is."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            if started or not is_database_down(error):
                raise
            # Not the path: a calendar feed's address is its secret.
            log.warning("database unavailable: %s", str(error).splitlines()[0])
            await unavailable_response(Request(scope))(scope, receive, send)
