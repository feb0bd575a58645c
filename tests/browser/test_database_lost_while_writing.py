"""The database goes away while a participant writes (issue 10): the editor says the draft is not saved
yet, keeps the text, and sends it by itself once the database is back; nothing typed is lost. The app runs
on the real PostgreSQL through a relay the test cuts."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from ledpro_journal import db
from ledpro_journal.i18n import t
from ledpro_journal.models import DocumentKind, Draft
from ledpro_journal.services import journal
from tests.browser.conftest import seed, sign_in, start_server
from tests.conftest import drop_postgres_database, make_postgres_database
from tests.helpers import make_admin, make_cohort, make_member
from tests.relay import Relay

pytestmark = pytest.mark.browser

FIELD = "Beskrivelse: hva skjedde?"  # template D1, the default of a new note
NOT_SAVED_YET = t("journal.draft_failed", "nb")


@pytest.fixture
def world(tmp_path, chromium_path, postgres_admin_engine):
    url = make_postgres_database(postgres_admin_engine)
    direct = sa.engine.make_url(url)
    relay = Relay((direct.host or "127.0.0.1", direct.port or 5432))
    relay.start()

    def build(session):
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        nina = make_member(session, admin, cohort.id, "nina", name="Nina")
        note = journal.create_document(nina, session=session, kind=DocumentKind.NOTE)
        session.commit()
        return note.id

    note_id = seed(url, build)
    server = start_server(direct.set(port=relay.port).render_as_string(hide_password=False), tmp_path, "lost_db")
    yield {"server": server, "relay": relay, "url": url, "note_id": note_id}
    server.close()
    relay.cut()
    drop_postgres_database(postgres_admin_engine, url)


def stored_draft(url: str, note_id: int) -> str:
    engine = db.create_engine_for(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.select(Draft.text).where(Draft.document_id == note_id)).scalar() or ""
    finally:
        engine.dispose()


def test_text_typed_while_the_database_is_away_is_sent_once_it_is_back(world, new_context):
    page = new_context().new_page()
    sign_in(page, world["server"].url, "nina", expect_home="Nina")
    page.goto(f"{world['server'].url.rstrip('/')}/write?id={world['note_id']}")
    field = page.get_by_label(FIELD)
    field.click()
    field.type("Møtet begynte.")
    expect(page.locator(".ledpro-draft").first).to_contain_text("Utkast lagret")

    world["relay"].cut()
    field.type(" Så gikk databasen ned.")
    expect(page.locator(".ledpro-draft").first).to_have_text(NOT_SAVED_YET)
    assert "databasen ned" not in stored_draft(world["url"], world["note_id"])
    expect(field).to_have_value("Møtet begynte. Så gikk databasen ned.")

    world["relay"].start()

    deadline = time.monotonic() + 30
    while "databasen ned" not in stored_draft(world["url"], world["note_id"]) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert stored_draft(world["url"], world["note_id"]) == "Møtet begynte. Så gikk databasen ned."
    expect(page.locator(".ledpro-draft").first).to_contain_text("Utkast lagret")
