"""The server killed outright (SIGKILL, no shutdown of any kind) in the middle of a burst of saves and
drafts (issue 10). Eight participants send drafts through PUT /api/drafts as fast as the server answers,
and one writes a note in Chromium, pressing Lagre after each paragraph; the kill comes right after a
Lagre, while that save and the drafts are under way. After a restart on the same SQLite file every save
the writer was told about is there with exactly its text, every draft the API answered 204 is there (or
the later one that was sent as the server died), and SQLite's integrity check passes."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import threading
import time
from contextlib import closing

import httpx
import pytest
from playwright.sync_api import expect

from ledpro_journal.config import SESSION_COOKIE
from ledpro_journal.models import DocumentKind
from ledpro_journal.services import journal
from tests.browser.conftest import AppServer, nav_link, seed, sign_in, signed_in_client, sqlite_url
from tests.helpers import make_admin, make_cohort, make_member

pytestmark = pytest.mark.browser

DRAFT_WRITERS = 8
SAVES_BEFORE_KILL = 4
DRAFT_HEADERS = {"X-LEDPRO-Draft": "1", "Content-Type": "application/json"}



class DraftSender(threading.Thread):
    """Sends draft after draft of one note, each a new text, until the server stops answering."""

    def __init__(self, client: httpx.Client, note_id: int) -> None:
        super().__init__(daemon=True)
        self.client, self.note_id = client, note_id
        self.sent = self.acknowledged = 0
        self.unexpected: list[int] = []

    def run(self) -> None:
        while True:
            number = self.sent + 1
            body = json.dumps({"field": "free_text", "text": text_of(number), "base_version": 0})
            self.sent = number
            try:
                response = self.client.put(f"/api/drafts/{self.note_id}", content=body, headers=DRAFT_HEADERS)
            except httpx.HTTPError:
                return  # the server is gone
            if response.status_code != 204:
                self.unexpected.append(response.status_code)
                return
            self.acknowledged = number


def integrity(path) -> list[tuple]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute("PRAGMA integrity_check").fetchall()


def text_of(number: int) -> str:
    return f"Utkast nummer {number}: æøå «sitat» " + "ord " * 200


def number_of(text: str) -> int:
    return int(re.match(r"Utkast nummer (\d+):", text).group(1))


def test_a_killed_server_keeps_every_save_and_draft_it_acknowledged(tmp_path, new_context):
    url = sqlite_url(tmp_path)

    def build(session):
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        writer = make_member(session, admin, cohort.id, "skriver")
        senders = [make_member(session, admin, cohort.id, f"utkast{number}") for number in range(DRAFT_WRITERS)]
        notes = [journal.create_document(u, session=session, kind=DocumentKind.NOTE).id for u in senders]
        return writer, senders, notes

    writer, senders, notes = seed(url, build)
    server = AppServer(url, tmp_path, "crash").start()
    try:
        page = new_context().new_page()
        sign_in(page, server.url, "skriver", expect_home="Skriver")
        nav_link(page, "Notater").click()
        page.get_by_role("button", name="Nytt notat").click()
        expect(page.get_by_role("heading", name="Refleksjonsnotat", exact=True)).to_be_visible()
        clients = [signed_in_client(server.url, user.username, timeout=30) for user in senders]
        threads = [DraftSender(client, note) for client, note in zip(clients, notes, strict=True)]
        for thread in threads:
            thread.start()

        saved: list[str] = []
        text = ""
        for version in range(1, SAVES_BEFORE_KILL + 2):
            text += f"Avsnitt {version}: i dag lærte jeg noe om tillit. "
            field = page.get_by_label("Fritekst", exact=True)
            expect(field).to_have_count(1)
            field.fill(text)
            page.get_by_role("button", name="Lagre", exact=True).click()
            if version > SAVES_BEFORE_KILL:
                break
            expect(page.get_by_text(f"Versjon {version}, lagret")).to_be_visible()
            saved.append(text)
        # Mid-burst: the last Lagre has just gone out and the drafts keep coming.
        time.sleep(0.05)
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        for thread in threads:
            thread.join(timeout=30)
        kept_cookie = clients[0].cookies.get(SESSION_COOKIE)
        for client in clients:
            client.close()
        assert all(not thread.unexpected for thread in threads), [thread.unexpected for thread in threads]
        assert all(thread.acknowledged > 0 for thread in threads), "the drafts never got going"

        assert integrity(tmp_path / "ledpro.db") == [("ok",)]
        server.stop()
        server.start()

        def stored(session):
            rows, _ = journal.find(writer, session=session, filters=journal.Filters(kinds=(DocumentKind.NOTE,)))
            (note,) = rows
            revisions = sorted(r.version for r in journal.list_revisions(writer, session=session, document_id=note.id))
            texts = [
                journal.get_revision(writer, session=session, document_id=note.id, version=version).fields
                for version in revisions
            ]
            drafts = [
                journal.drafts_for(u, session=session, document_id=n) for u, n in zip(senders, notes, strict=True)
            ]
            return revisions, texts, drafts

        revisions, texts, drafts = seed(url, stored)
        # The save under way when the server died may or may not have made it, but never by halves.
        assert revisions in (list(range(1, SAVES_BEFORE_KILL + 1)), list(range(1, SAVES_BEFORE_KILL + 2)))
        assert texts[:SAVES_BEFORE_KILL] == [{"free_text": text} for text in saved]
        if len(texts) > SAVES_BEFORE_KILL:
            assert texts[-1] == {"free_text": text}
        for thread, state in zip(threads, drafts, strict=True):
            assert state is not None
            stored_number = number_of(state.texts["free_text"])
            assert thread.acknowledged <= stored_number <= thread.sent
            assert state.texts == {"free_text": text_of(stored_number)}

        # The sign-in survived too: the restarted server takes the same cookie and goes on storing drafts.
        with httpx.Client(base_url=server.url, cookies={SESSION_COOKIE: kept_cookie}) as client:
            body = json.dumps({"field": "free_text", "text": "Etter omstart", "base_version": 0})
            assert client.put(f"/api/drafts/{notes[0]}", content=body, headers=DRAFT_HEADERS).status_code == 204
        assert integrity(tmp_path / "ledpro.db") == [("ok",)]
    finally:
        server.close()
