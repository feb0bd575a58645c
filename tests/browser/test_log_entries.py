"""Log entries as a participant writes them, in a real browser: *Ny loggføring* always opens a new entry,
*Lagre* saves from every way of reaching an editor, and correcting an old entry never moves the action's
status back.

Streamlit leaves the old ?id= in the address when a link or a switch stays on the same page, and sends
it back with the next click: these journeys go action → log → action → log to catch exactly that."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from ledpro_journal.models import ActionStatus, DocumentKind
from ledpro_journal.services import journal
from tests.browser.conftest import cohort_on_a_server, nav_link, seed, sign_in
from tests.helpers import make_member

pytestmark = pytest.mark.browser

_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "log_entries")
    yield world
    world["server"].close()


class Participant:
    def __init__(self, world, new_context) -> None:
        self.world = world
        username = f"logger{next(_numbers)}"
        self.user = seed(world["url"], lambda s: make_member(s, world["admin"], world["cohort_id"], username))
        self.page = new_context().new_page()
        sign_in(self.page, world["server"].url, username, expect_home=username.title())

    def documents(self, kind: DocumentKind):
        def read(session):
            if kind == DocumentKind.LOG:
                return [
                    journal.get_document(self.user, session=session, document_id=row.id)
                    for action in journal.list_actions(self.user, session=session)
                    for row in journal.list_logs(self.user, session=session, action_id=action.id)
                ]
            rows, _ = journal.find(self.user, session=session, filters=journal.Filters(kinds=(kind,)))
            return [journal.get_document(self.user, session=session, document_id=row.id) for row in rows]

        return seed(self.world["url"], read)

    def document(self, document_id: int):
        return seed(self.world["url"],
                    lambda s: journal.get_document(self.user, session=s, document_id=document_id))

    def drafts(self, document_id: int):
        return seed(self.world["url"],
                    lambda s: journal.drafts_for(self.user, session=s, document_id=document_id))


def heading(page, text: str):
    return page.get_by_role("heading", name=text, exact=True)


def settled(page) -> None:
    """The run under way has finished: what is on screen is this run's, not the previous page's."""
    page.wait_for_function("document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'")


def opened(page, kind: str) -> None:
    expect(heading(page, kind)).to_be_visible()
    settled(page)


def editor_of(page, kind: str, document_id: int) -> None:
    """The editor shows `kind`, and the address names the document it shows."""
    opened(page, kind)
    expect(page).to_have_url(f"{page.url.split('?')[0]}?id={document_id}")


def field(page, label: str):
    """The one field with this label, once the run has replaced the previous document's fields."""
    locator = page.get_by_label(label, exact=True)
    expect(locator).to_have_count(1)
    return locator


def save(page, version: int) -> None:
    """Lagre, and wait for the editor to show the new version (a toast of an earlier save may still show)."""
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_text(f"Versjon {version}, lagret")).to_be_visible()


def choose_status(page, label: str, status: str) -> None:
    box = page.get_by_label(label)
    box.click()
    option = page.get_by_role("option", name=status, exact=True)
    if not option.is_visible():  # focused without opening (the click landed as the field above let go)
        box.press("ArrowDown")
    option.click()
    settled(page)


def new_action_with_a_log_entry(page, action: str, entry: str, *, status: str | None = None) -> None:
    """Aksjoner → Ny aksjon, saved; then Ny loggføring, saved (with the action's status after it)."""
    nav_link(page, "Aksjoner").click()
    opened(page, "Aksjoner")
    page.get_by_role("button", name="Ny aksjon").click()
    opened(page, "Aksjon")
    field(page, "Tittel").fill(action)
    save(page, 1)
    page.get_by_role("button", name="Ny loggføring").click()
    opened(page, "Loggføring")
    field(page, "Tittel").fill(entry)
    if status:
        choose_status(page, "Aksjonens status etter dette", status)
    save(page, 1)


def test_new_log_entry_after_going_back_to_the_action_is_a_new_entry(world, new_context):
    me = Participant(world, new_context)
    page = me.page
    nav_link(page, "Aksjoner").click()
    page.get_by_role("button", name="Ny aksjon").click()
    opened(page, "Aksjon")
    field(page, "Tittel").fill("Møte med teamet")
    save(page, 1)
    (action,) = me.documents(DocumentKind.ACTION)
    editor_of(page, "Aksjon", action.id)

    page.get_by_role("button", name="Ny loggføring").click()
    opened(page, "Loggføring")
    field(page, "Tittel").fill("Første logg")
    save(page, 1)
    (first,) = me.documents(DocumentKind.LOG)
    editor_of(page, "Loggføring", first.id)

    page.get_by_role("link", name="Tilbake til aksjonen").click()
    editor_of(page, "Aksjon", action.id)
    expect(field(page, "Tittel")).to_have_value("Møte med teamet")
    page.get_by_role("button", name="Ny loggføring").click()
    opened(page, "Loggføring")
    expect(field(page, "Tittel")).to_have_value("")
    field(page, "Tittel").fill("Andre logg")
    save(page, 1)

    logs = {log.title: log for log in me.documents(DocumentKind.LOG)}
    assert sorted(logs) == ["Andre logg", "Første logg"]
    assert all(log.version == 1 for log in logs.values())
    editor_of(page, "Loggføring", logs["Andre logg"].id)
    # A refresh opens what the address names: the entry just written.
    page.reload()
    expect(field(page, "Tittel")).to_have_value("Andre logg")


def test_save_saves_in_every_editor_from_every_link_that_opens_it(world, new_context):
    me = Participant(world, new_context)
    page = me.page
    new_action_with_a_log_entry(page, "Prøve ny møteform", "Logg fra mandag")
    nav_link(page, "Notater").click()
    opened(page, "Notater")
    page.get_by_role("button", name="Nytt notat").click()
    opened(page, "Refleksjonsnotat")
    field(page, "Tittel").fill("Refleksjon om møtet")
    save(page, 1)
    (action,) = me.documents(DocumentKind.ACTION)
    (log,) = me.documents(DocumentKind.LOG)
    (note,) = me.documents(DocumentKind.NOTE)

    def edit_and_save(kind: str, document, label: str, text: str) -> None:
        editor_of(page, kind, document.id)
        before = me.document(document.id).version
        field(page, label).fill(text)
        save(page, before + 1)
        editor_of(page, kind, document.id)
        saved = me.document(document.id)
        assert saved.version == before + 1
        assert text in saved.fields.values()
        assert me.drafts(document.id) is None

    # The challenge, from the menu.
    nav_link(page, "Min utfordring").click()
    opened(page, "Min utfordring")
    field(page, "Min egen del").fill("Jeg unngår konflikten.")
    save(page, 1)
    # The action: from the list on Aksjoner, and from "Før samling N".
    nav_link(page, "Aksjoner").click()
    opened(page, "Aksjoner")
    page.get_by_role("link", name="Prøve ny møteform").first.click()
    edit_and_save("Aksjon", action, "Hensikt og forventet virkning", "Kortere møter.")
    nav_link(page, "Aksjoner").click()
    opened(page, "Aksjoner")
    page.get_by_role("link", name="Prøve ny møteform").last.click()
    edit_and_save("Aksjon", action, "Hvem involveres", "Teamet.")
    # The log entry: from its action's list, then again after going back to the action.
    page.get_by_role("link", name="Logg fra mandag").click()
    edit_and_save("Loggføring", log, "Planlagt og faktisk gjort", "Gjorde det.")
    page.get_by_role("link", name="Tilbake til aksjonen").click()
    editor_of(page, "Aksjon", action.id)
    page.get_by_role("link", name="Logg fra mandag").click()
    edit_and_save("Loggføring", log, "Overraskelser", "Stillheten.")
    # The note: from Notater, and from Hjem's recently edited.
    nav_link(page, "Notater").click()
    opened(page, "Notater")
    page.get_by_role("link", name="Refleksjon om møtet").click()
    edit_and_save("Refleksjonsnotat", note, "Fritekst", "Første tanke.")
    nav_link(page, "Hjem").click()
    settled(page)
    page.get_by_role("link", name="Refleksjon om møtet").click()
    edit_and_save("Refleksjonsnotat", note, "Fritekst", "Andre tanke.")


def test_correcting_an_older_log_entry_leaves_the_action_as_the_newest_entry_says(world, new_context):
    me = Participant(world, new_context)
    page = me.page
    new_action_with_a_log_entry(page, "Medarbeidersamtaler", "Første samtale", status="Pågår")
    page.get_by_role("link", name="Tilbake til aksjonen").click()
    opened(page, "Aksjon")
    page.get_by_role("button", name="Ny loggføring").click()
    opened(page, "Loggføring")
    expect(field(page, "Tittel")).to_have_value("")
    field(page, "Tittel").fill("Siste samtale")
    choose_status(page, "Aksjonens status etter dette", "Gjennomført")
    save(page, 1)
    (action,) = me.documents(DocumentKind.ACTION)
    assert me.document(action.id).status == ActionStatus.DONE
    assert {log.title: log.status for log in me.documents(DocumentKind.LOG)} == {
        "Første samtale": ActionStatus.IN_PROGRESS, "Siste samtale": ActionStatus.DONE}

    page.get_by_role("link", name="Tilbake til aksjonen").click()
    opened(page, "Aksjon")
    page.get_by_role("link", name="Første samtale").click()
    opened(page, "Loggføring")
    expect(field(page, "Tittel")).to_have_value("Første samtale")
    field(page, "Overraskelser").fill("En rettelse i ettertid.")
    save(page, 2)
    assert me.document(action.id).status == ActionStatus.DONE
    nav_link(page, "Aksjoner").click()
    opened(page, "Aksjoner")
    expect(page.get_by_role("link", name="Medarbeidersamtaler")).to_contain_text("Gjennomført")

    # Deleting an entry goes back to its action, where the other entry is still listed.
    page.get_by_role("link", name="Medarbeidersamtaler").click()
    editor_of(page, "Aksjon", action.id)
    page.get_by_role("link", name="Første samtale").click()
    opened(page, "Loggføring")
    page.get_by_role("button", name="Flytt til papirkurven").click()
    editor_of(page, "Aksjon", action.id)
    expect(page.get_by_role("link", name="Siste samtale")).to_be_visible()
    expect(page.get_by_role("link", name="Første samtale")).to_have_count(0)
