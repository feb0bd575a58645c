"""The HTTP side as the server assembles it (ledpro_journal.web.server), with a stand-in for the
Streamlit app behind it, on a migrated SQLite database."""

import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from ledpro_journal import db
from ledpro_journal.web import server


async def app_page(_request):
    return PlainTextResponse("APP CONTENT")


@pytest.fixture
def database(use_database, sqlite_url):
    use_database(sqlite_url)
    engine = db.get_engine()
    db.migrate(engine)
    yield engine
    db.dispose_engines()


@pytest.fixture
def client(database):
    app = Starlette(routes=server.routes() + [Route("/{path:path}", app_page)], middleware=server.middleware())
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client
