"""Losing the database while the app runs (issue 10): the sign-in pages, the session gate and the drafts API
answer 503 with a sentence in the user's language (never a bare 500), and recover by themselves when the
database is back. The database is the real PostgreSQL, reached through a TCP relay the test can cut."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from ledpro_journal import db
from ledpro_journal.config import LANGUAGE_COOKIE, SESSION_COOKIE
from ledpro_journal.i18n import t
from ledpro_journal.models import DocumentKind
from ledpro_journal.services import journal
from ledpro_journal.web import server
from tests.conftest import drop_postgres_database, make_postgres_database
from tests.helpers import make_admin, make_cohort, make_member
from tests.relay import Relay
from tests.web.test_auth_routes import sign_in

UNAVAILABLE_NB = t("error.unavailable", "nb")
UNAVAILABLE_EN = t("error.unavailable", "en")


async def app_page(_request):
    return PlainTextResponse("APP CONTENT")


@pytest.fixture
def relay(postgres_admin_engine, use_database):
    url = make_postgres_database(postgres_admin_engine)
    real = sa.engine.make_url(url)
    relay = Relay((real.host or "127.0.0.1", real.port or 5432))
    relay.start()
    use_database(real.set(host="127.0.0.1", port=relay.port).render_as_string(hide_password=False))
    db.migrate(db.get_engine())
    yield relay
    relay.cut()
    db.dispose_engines()
    drop_postgres_database(postgres_admin_engine, url)


@pytest.fixture
def note_of_a_participant(relay):
    with Session(db.get_engine(), expire_on_commit=False) as session:
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        kari = make_member(session, admin, cohort.id, "kari")
        note = journal.create_document(kari, session=session, kind=DocumentKind.NOTE)
        session.commit()
        return note.id


@pytest.fixture
def client(relay):
    app = Starlette(routes=server.routes() + [Route("/{path:path}", app_page)], middleware=server.middleware())
    with TestClient(app, base_url="http://testserver", follow_redirects=False, raise_server_exceptions=False) as c:
        yield c


def put_draft(client, note_id: int, text: str):
    return client.put(f"/api/drafts/{note_id}", headers={"x-ledpro-draft": "1"},
                      content=f'{{"field": "description", "text": "{text}", "base_version": 0}}')


def test_every_route_says_503_in_the_users_language_and_recovers_when_the_database_is_back(
        client, relay, note_of_a_participant):
    assert sign_in(client, username="kari").status_code == 303
    assert put_draft(client, note_of_a_participant, "Før bruddet").status_code == 204

    relay.cut()

    signin_page = client.get("/auth/signin")
    assert signin_page.status_code == 503 and UNAVAILABLE_NB in signin_page.text
    assert signin_page.headers["retry-after"] and 'lang="nb-NO"' in signin_page.text
    assert "Traceback" not in signin_page.text
    posted = client.post("/auth/signin", data={"csrf": "x", "username": "kari", "password": "y"})
    assert posted.status_code == 503 and UNAVAILABLE_NB in posted.text
    page = client.get("/notes", headers={"accept": "text/html"})
    assert page.status_code == 503 and UNAVAILABLE_NB in page.text
    draft = put_draft(client, note_of_a_participant, "Under bruddet")
    assert draft.status_code == 503 and draft.headers["retry-after"]
    client.cookies.set(LANGUAGE_COOKIE, "en")
    assert UNAVAILABLE_EN in client.get("/auth/signin").text

    relay.start()

    client.cookies.set(LANGUAGE_COOKIE, "nb")
    assert client.get("/notes", headers={"accept": "text/html"}).text == "APP CONTENT"
    assert put_draft(client, note_of_a_participant, "Etter bruddet").status_code == 204
    assert SESSION_COOKIE in client.cookies
    client.cookies.clear()
    assert client.get("/auth/signin").status_code == 200
