"""A whole gathering writing at once on one real server (issue 10), on SQLite and on PostgreSQL:

- 60 participants, each with their own HTTP client and sign-in, send drafts of their notes through
  PUT /api/drafts at the same moment, several times over: every one is answered 204 and the last text
  each sent is the draft stored;
- six participants in their own Chromium contexts press Lagre together, three times: every save is
  confirmed, nobody sees a conflict, and each note has versions 1-3 holding exactly the text saved.
"""

from __future__ import annotations

import json
import threading
from collections import Counter, defaultdict

import pytest
from playwright.sync_api import expect

from ledpro_journal.i18n import t
from ledpro_journal.models import DocumentKind
from ledpro_journal.services import journal
from tests.browser.conftest import AppServer, database_of_kind, nav_link, seed, sign_in, signed_in_client
from tests.helpers import participants_with_a_note

pytestmark = pytest.mark.browser

WRITERS = 60
DRAFTS_EACH = 5
BROWSERS = 6
SAVES = 3
DRAFT_HEADERS = {"X-LEDPRO-Draft": "1", "Content-Type": "application/json"}
CONFLICT = t("journal.conflict", "nb").split("(")[0].strip()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def gathering(request, tmp_path_factory):
    directory = tmp_path_factory.mktemp(f"gathering_{request.param}")
    with database_of_kind(request, directory) as url:
        users, notes = seed(url, lambda session: participants_with_a_note(session, WRITERS))
        server = AppServer(url, directory, f"gathering_{request.param}").start()
        try:
            yield {"server": server, "url": url, "users": users, "notes": notes}
        finally:
            server.close()


def test_sixty_participants_sending_drafts_at_the_same_moment_all_have_them_stored(gathering):
    users, notes = gathering["users"], gathering["notes"]
    clients = [signed_in_client(gathering["server"].url, user.username) for user in users]
    start_together = threading.Barrier(WRITERS)
    answers: dict[int, list[tuple[int, str]]] = defaultdict(list)
    failures: list[BaseException] = []

    def write(index: int) -> None:
        try:
            start_together.wait(timeout=60)
            for number in range(1, DRAFTS_EACH + 1):
                text = f"{users[index].username} skriver utkast {number} – æøå «sitat»"
                body = json.dumps({"field": "free_text", "text": text, "base_version": 0})
                response = clients[index].put(f"/api/drafts/{notes[index]}", content=body, headers=DRAFT_HEADERS)
                answers[index].append((response.status_code, text))
        except BaseException as error:  # noqa: BLE001 - every failure is reported below
            failures.append(error)

    threads = [threading.Thread(target=write, args=(index,)) for index in range(WRITERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
    finally:
        for client in clients:
            client.close()
    assert not failures, [repr(error) for error in failures[:5]]
    statuses = Counter(status for sent in answers.values() for status, _ in sent)
    assert statuses == {204: WRITERS * DRAFTS_EACH}

    def stored(session):
        return [journal.drafts_for(u, session=session, document_id=n) for u, n in zip(users, notes, strict=True)]

    for index, state in enumerate(seed(gathering["url"], stored)):
        assert state is not None, users[index].username
        assert state.texts == {"free_text": answers[index][-1][1]}


def settled(page) -> None:
    page.wait_for_function("document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'")


def test_six_browsers_pressing_lagre_together_all_save(gathering, new_context):
    users = gathering["users"][:BROWSERS]
    url = gathering["server"].url
    pages = []
    for user in users:
        page = new_context().new_page()
        sign_in(page, url, user.username, expect_home=user.display_name)
        nav_link(page, "Notater").click()
        page.get_by_role("button", name="Nytt notat").click()
        expect(page.get_by_role("heading", name="Refleksjonsnotat", exact=True)).to_be_visible()
        settled(page)
        pages.append(page)

    saved: dict[int, list[str]] = defaultdict(list)
    for version in range(1, SAVES + 1):
        for page, user in zip(pages, users, strict=True):
            page.get_by_label("Fritekst", exact=True).fill(f"{user.username} i avsnitt {version} – æøå")
        # One click after the other without waiting: the six saves (and the drafts Lagre sends) meet.
        for page in pages:
            page.get_by_role("button", name="Lagre", exact=True).click()
        for page, user in zip(pages, users, strict=True):
            expect(page.get_by_text(f"Versjon {version}, lagret")).to_be_visible()
            expect(page.get_by_text(CONFLICT)).to_have_count(0)
            saved[user.id].append(f"{user.username} i avsnitt {version} – æøå")
            settled(page)

    def stored(session):
        result = {}
        for user, seeded_note in zip(users, gathering["notes"][:BROWSERS], strict=True):
            rows, _ = journal.find(user, session=session, filters=journal.Filters(kinds=(DocumentKind.NOTE,)))
            (note_id,) = [row.id for row in rows if row.id != seeded_note]
            revisions = journal.list_revisions(user, session=session, document_id=note_id)
            result[user.id] = [
                journal.get_revision(user, session=session, document_id=note_id, version=revision.version).fields
                for revision in sorted(revisions, key=lambda revision: revision.version)
            ]
        return result

    for user_id, revisions in seed(gathering["url"], stored).items():
        assert revisions == [{"free_text": text} for text in saved[user_id]]
