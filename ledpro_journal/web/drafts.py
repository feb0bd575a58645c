"""PUT /api/drafts/{id}: the browser sends text as it is typed, so nothing typed is lost.

Streamlit only learns a text area's content when the field loses focus, and a page switch or refresh
can drop that. The editor's script (ui/editor.py) therefore also sends each field here a moment after
typing stops, when the field loses focus, and when the page is hidden or left. Signed in by the same
HttpOnly cookie; a custom header and the Fetch metadata keep other sites out.
"""

from __future__ import annotations

import json
import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ledpro_journal.config import SESSION_COOKIE
from ledpro_journal.db import session_scope
from ledpro_journal.services import accounts, journal
from ledpro_journal.services.errors import Invalid, NotAllowed, NotFound
from ledpro_journal.web.unavailable import is_database_down, unavailable_response

log = logging.getLogger(__name__)
MAX_BODY = 8 * 1024 * 1024


async def put_draft(request: Request) -> Response:
    if request.headers.get("x-ledpro-draft") != "1" or request.headers.get("sec-fetch-site", "same-origin") not in (
        "same-origin",
        "none",
    ):
        return Response(status_code=403)
    # Before anything else, the session lookup included: a body over the limit is never held in memory.
    body = await _body_within_limit(request)
    if body is None:
        return Response(status_code=413)
    try:
        document_id = int(request.path_params["document_id"])
        field, text, base_version = _draft_fields(body)
    except (ValueError, KeyError, TypeError):
        return Response(status_code=400)
    token = request.cookies.get(SESSION_COOKIE)

    def save() -> int:
        with session_scope() as session:
            user = accounts.resolve_session(session, token)
            if user is None:
                return 401
            journal.save_draft(
                user, session=session, document_id=document_id, field=field, text=text, base_version=base_version
            )
            return 204

    try:
        status = await run_in_threadpool(save)
    except (NotFound, NotAllowed):
        status = 404
    except Invalid:
        status = 422
    except Exception as error:
        if is_database_down(error):
            # The editor keeps the text and sends it again; the database's own words say why.
            log.warning("draft not saved, database unavailable: %s", str(error).splitlines()[0])
            status = 503
        else:
            log.exception("draft not saved")
            status = 500
    if status == 503:
        return unavailable_response(request)
    return Response(status_code=status)


async def _body_within_limit(request: Request) -> bytes | None:
    """The request's body, or None as soon as it is known to be over MAX_BODY: by its Content-Length
    before reading anything, and by counting while it streams in (a chunked body declares no length)."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY):
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number a draft can name")


def _draft_fields(body: bytes) -> tuple[object, object, int]:
    """(field, text, base version) of a well-formed draft; ValueError, KeyError or TypeError otherwise.
    The version is a whole number a document can have: 1e400, Infinity or NaN are refused here. Field and
    text are the journal service's to judge (an unknown field or a text that is no string: 422)."""
    data = json.loads(body, parse_constant=_refuse_constant)
    field, text, base_version = data["field"], data["text"], data["base_version"]
    if isinstance(base_version, bool) or not isinstance(base_version, int) or not 0 <= base_version < 2**63:
        raise ValueError("base_version is a whole number from 0")
    return field, text, base_version


def routes() -> list[Route]:
    return [Route("/api/drafts/{document_id}", put_draft, methods=["PUT"])]
