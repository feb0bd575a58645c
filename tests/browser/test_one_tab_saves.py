"""Saving the same note again and again in one tab, as a writer does who presses Lagre after every
paragraph: never a conflict (nobody else wrote), every save a new version, no draft left behind.

Lagre makes the editor's script send the field's text as a draft at the same moment as the save; a draft
read before the save committed used to stay behind naming the old version, and the next save then
showed "lagret et annet sted" with no other writer. On SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ledpro_journal.i18n import t
from ledpro_journal.models import DocumentKind
from ledpro_journal.services import journal
from tests.browser.conftest import AppServer, database_of_kind, nav_link, seed, sign_in
from tests.helpers import make_admin, make_cohort, make_member

pytestmark = pytest.mark.browser

CONFLICT = t("journal.conflict", "nb").split("(")[0].strip()
SAVES = 15


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory, chromium_path):
    directory = tmp_path_factory.mktemp(f"one_tab_{request.param}")

    def build(session):
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        return [make_member(session, admin, cohort.id, name) for name in ("skriver", "pauser")]

    with database_of_kind(request, directory) as url:
        writers = seed(url, build)
        server = AppServer(url, directory, f"one_tab_{request.param}").start()
        try:
            yield {"server": server, "url": url, "writers": {w.username: w for w in writers}}
        finally:
            server.close()


def settled(page) -> None:
    page.wait_for_function("document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'")


@pytest.mark.parametrize("username, pause_ms", [("skriver", 0), ("pauser", 800)], ids=["no-pause", "pause"])
def test_saving_again_and_again_in_one_tab_never_shows_a_conflict(world, new_context, username, pause_ms):
    user = world["writers"][username]
    page = new_context().new_page()
    sign_in(page, world["server"].url, username, expect_home=username.title())
    nav_link(page, "Notater").click()
    page.get_by_role("button", name="Nytt notat").click()
    expect(page.get_by_role("heading", name="Refleksjonsnotat", exact=True)).to_be_visible()
    settled(page)

    text = ""
    for version in range(1, SAVES + 1):
        text += f"Avsnitt {version}. "
        field = page.get_by_label("Fritekst", exact=True)
        expect(field).to_have_count(1)
        field.fill(text)
        # With a pause the draft goes out on its own timer first; without, it leaves with the click.
        page.wait_for_timeout(pause_ms)
        page.get_by_role("button", name="Lagre", exact=True).click()
        expect(page.get_by_text(f"Versjon {version}, lagret")).to_be_visible()
        expect(page.get_by_text(CONFLICT)).to_have_count(0)
        settled(page)
        expect(page.get_by_label("Fritekst", exact=True)).to_have_value(text)

    def stored(session):
        rows, _ = journal.find(user, session=session, filters=journal.Filters(kinds=(DocumentKind.NOTE,)))
        (note,) = [journal.get_document(user, session=session, document_id=row.id) for row in rows]
        return note, journal.drafts_for(user, session=session, document_id=note.id)

    note, drafts = seed(world["url"], stored)
    assert note.version == SAVES
    assert note.fields["free_text"] == text
    assert drafts is None
    page.reload()
    expect(page.get_by_label("Fritekst", exact=True)).to_have_value(text)
    expect(page.get_by_text(CONFLICT)).to_have_count(0)
