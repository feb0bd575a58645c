"""What the ASGI app needs besides Streamlit itself: logging, migrations at start, and the routes."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware

from ledpro_journal import db
from ledpro_journal.config import get_settings
from ledpro_journal.export import references
from ledpro_journal.services import journal
from ledpro_journal.web import auth, drafts

log = logging.getLogger("ledpro_journal")


def configure_logging() -> None:
    logging.basicConfig(
        level=get_settings().log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@asynccontextmanager
async def lifespan(_app):
    configure_logging()
    await run_in_threadpool(db.migrate)
    await run_in_threadpool(_empty_old_bins)
    await run_in_threadpool(references.load_styles)
    log.info("database ready: %s", db.get_engine().url.render_as_string(hide_password=True))
    yield
    db.dispose_engines()


def _empty_old_bins() -> None:
    with db.session_scope() as session:
        purged = journal.purge_bin(session)
    if purged:
        log.info("deleted %d documents that were in the bin for more than %d days", purged, journal.BIN_DAYS)


def routes():
    return auth.routes() + drafts.routes()


def middleware():
    return [Middleware(auth.SessionGate)]
