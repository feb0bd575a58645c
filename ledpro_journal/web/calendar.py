"""GET /calendar/<token>.ics: a person's calendar feed, fetched by calendar programs without signing in.

The token in the address is the only key to the feed, so the address must reach no log: this module answers
every path under /calendar/ itself (nothing there reaches Streamlit or the sign-in gate, which would put
the path in a redirect), never logs a token, and `keep_feed_addresses_out_of_logs` blanks feed addresses
in what the ASGI server logs about requests (uvicorn's access log, when a deployment turns it on, and its
ASGI trace).
"""

from __future__ import annotations

import hashlib
import logging
import re
import traceback

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from ledpro_journal.config import get_settings
from ledpro_journal.db import session_scope
from ledpro_journal.i18n import LANGUAGES, t
from ledpro_journal.services import calendar

log = logging.getLogger(__name__)

# Whatever follows /calendar/ in a logged line, up to the end of the path.
_FEED_ADDRESS = re.compile(r"/calendar/[^\s\"'?#]*")
_BLANKED = "/calendar/[feed address]"
# The loggers that write request paths: uvicorn's access log, its ASGI trace, and its error log.
_SERVER_LOGGERS = ("access", "asgi", "error")


class FeedAddressFilter(logging.Filter):
    """Blanks calendar feed addresses in a log record's message and arguments (keeping their number and
    types, which uvicorn's access log formatter relies on)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = _FEED_ADDRESS.sub(_BLANKED, record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_blank(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _blank(value) for key, value in record.args.items()}
        return True


def _blank(value: object) -> object:
    if isinstance(value, bytes | bytearray):
        value = bytes(value).decode("latin-1")
        return _FEED_ADDRESS.sub(_BLANKED, value) if "/calendar/" in value else value.encode("latin-1")
    if isinstance(value, str):
        return _FEED_ADDRESS.sub(_BLANKED, value)
    if isinstance(value, int | float) or value is None:
        return value
    text = str(value)
    return _FEED_ADDRESS.sub(_BLANKED, text) if "/calendar/" in text else value


_FILTER = FeedAddressFilter()


def keep_feed_addresses_out_of_logs() -> None:
    """Puts the filter on uvicorn's loggers (filters on a logger outlive uvicorn's own logging setup,
    which replaces only handlers). Idempotent."""
    for name in _SERVER_LOGGERS:
        logger = logging.getLogger("uvicorn").getChild(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


def _app_url(request: Request) -> str:
    """The app's address for links in the feed: the configured public address, else the one the calendar
    program used to fetch the feed."""
    return get_settings().public_url or str(request.base_url)


def _not_found() -> Response:
    # No one is signed in here: the text in every language.
    text = "\n\n".join(t("calendar.feed_not_found", code) for code in LANGUAGES) + "\n"
    return _private(PlainTextResponse(text, status_code=404))


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


async def feed(request: Request) -> Response:
    token = request.path_params.get("token", "")
    app_url = _app_url(request)

    def build() -> bytes | None:
        with session_scope() as session:
            return calendar.feed_for_token(session, token, app_url=app_url)

    try:
        content = await run_in_threadpool(build)
    except Exception:
        # A database error names the query's parameters, the token among them.
        log.error("calendar feed not served:\n%s", traceback.format_exc().replace(token, "[feed token]"))
        return _private(PlainTextResponse(t("error.unavailable"), status_code=503))
    if content is None:
        return _not_found()
    etag = '"' + hashlib.sha256(content).hexdigest()[:32] + '"'
    if _matches(request.headers.get("if-none-match", ""), etag):
        return _private(Response(status_code=304, headers={"ETag": etag}))
    response = Response(
        content,
        media_type="text/calendar; charset=utf-8",
        headers={"ETag": etag, "Content-Disposition": f'inline; filename="{calendar.FILE_NAME}"'},
    )
    return _private(response)


def _matches(if_none_match: str, etag: str) -> bool:
    """Whether If-None-Match names this entity tag ("*" names any; W/ marks a weak tag, equal here)."""
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return etag in tags or "*" in tags


async def not_a_feed(_request: Request) -> Response:
    return _not_found()


def routes() -> list[Route]:
    keep_feed_addresses_out_of_logs()
    return [
        Route("/calendar/{token}.ics", feed, methods=["GET"]),
        # Anything else under /calendar/ is answered here too: Streamlit would serve its page shell, and the
        # sign-in gate would put the address in a redirect.
        Route("/calendar/{rest:path}", not_a_feed, methods=["GET"]),
    ]
