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

log = logging.getLogger(__name__)
MAX_BODY = 8 * 1024 * 1024


async def put_draft(request: Request) -> Response:
    if request.headers.get("x-ledpro-draft") != "1" or request.headers.get("sec-fetch-site", "same-origin") not in (
        "same-origin",
        "none",
    ):
        return Response(status_code=403)
    body = await request.body()
    if len(body) > MAX_BODY:
        return Response(status_code=413)
    try:
        data = json.loads(body)
        document_id = int(request.path_params["document_id"])
        field, text, base_version = data["field"], data["text"], int(data["base_version"])
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
    except Exception:
        log.exception("draft not saved")
        status = 500
    return Response(status_code=status)


def routes() -> list[Route]:
    return [Route("/api/drafts/{document_id}", put_draft, methods=["PUT"])]
