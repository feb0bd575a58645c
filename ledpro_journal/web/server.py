"""What the ASGI app needs besides Streamlit itself: logging, migrations at start, and the routes."""

from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route

from ledpro_journal import db, references
from ledpro_journal.config import get_settings
from ledpro_journal.services import accounts, journal
from ledpro_journal.web import accessibility, auth, calendar, drafts, oidc, reminders
from ledpro_journal.web.headers import SecurityHeaders
from ledpro_journal.web.unavailable import DatabaseGuard

log = logging.getLogger("ledpro_journal")


def configure_logging() -> None:
    logging.basicConfig(
        level=get_settings().log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@asynccontextmanager
async def lifespan(_app):
    configure_logging()
    try:
        await run_in_threadpool(db.migrate)
    except db.DATABASE_UNREACHABLE as error:
        # One line, not a traceback: the server cannot serve anyone without its database. Starlette prints
        # the traceback of anything raised here, SystemExit included, so the process ends itself.
        log.critical(db.database_unreachable(error))
        logging.shutdown()
        os._exit(db.EXIT_DATABASE_UNREACHABLE)
    await run_in_threadpool(_empty_old_bins)
    await run_in_threadpool(_purge_old_records)
    await run_in_threadpool(references.load_styles)
    log.info("database ready: %s", db.get_engine().url.render_as_string(hide_password=True))
    yield
    db.dispose_engines()


def _empty_old_bins() -> None:
    with db.session_scope() as session:
        purged = journal.purge_bin(session)
    if purged:
        log.info("deleted %d documents that were in the bin for more than %d days", purged, journal.BIN_DAYS)


def _purge_old_records() -> None:
    """Sign-in attempts and ended sign-ins are kept only for a while (see the README's Backups section)."""
    with db.session_scope() as session:
        purged = accounts.purge_old_records(session)
    if purged.attempts or purged.sessions:
        log.info("deleted %d old sign-in attempts and %d ended sign-ins", purged.attempts, purged.sessions)


def routes():
    return (
        auth.routes()
        + oidc.routes()
        + drafts.routes()
        # --- calendar ---
        + calendar.routes()
        # --- reminders ---
        + reminders.routes()
        + accessibility.routes()
        + [Route("/home", _home, methods=["GET"])]
    )


async def _home(request: Request) -> RedirectResponse:
    """/home names the home page, which Streamlit serves only at the root: at /home it would show the root
    under its own English "Page not found" dialog (and no stand-in page may take the default page's name,
    see ui.navigation.stand_in). Sent here after signing in when /home was asked for."""
    query = request.url.query
    return RedirectResponse("/" + (f"?{query}" if query else ""), status_code=303)


def middleware():
    return [Middleware(SecurityHeaders), Middleware(DatabaseGuard), Middleware(auth.SessionGate)]
