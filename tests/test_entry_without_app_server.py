"""`streamlit run streamlit_app.py` (Streamlit's default entry) serves the scripts without app.py's server,
so without its sign-in pages: the app says, in the user's language, how it is started, and links nowhere."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from ledpro_journal.i18n import t
from ledpro_journal.ui import app_server

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def without_app_server(monkeypatch):
    monkeypatch.setattr(app_server, "_served_by_app", False)


def shows_only_how_to_start(at: AppTest, lang: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert [title.value for title in at.title] == ["LEDPRO Journal"]
    assert [warning.value for warning in at.warning] == [t("auth.start_with_run_sh", lang)]
    assert "./run.sh" in at.warning[0].value
    # No sign-in link or redirect to a page this server does not have, and nothing of any page.
    assert not at.info and not at.button and not at.form and not at.text_input
    everything = [*(node.value for node in at.markdown), *(node.value for node in at.main if node.type == "html")]
    assert not any("/auth/" in text for text in everything)


def test_the_entry_says_to_start_with_run_sh(without_app_server):
    at = AppTest.from_file(ROOT / "streamlit_app.py", default_timeout=30).run()
    shows_only_how_to_start(at, "nb")


def test_the_message_is_in_the_users_language(without_app_server):
    at = AppTest.from_file(ROOT / "streamlit_app.py", default_timeout=30)
    at.session_state["lang"] = "en"
    shows_only_how_to_start(at.run(), "en")


def test_a_page_file_run_on_its_own_says_the_same(without_app_server):
    # Streamlit's pages-folder mode, before st.navigation has run once: the file at its URL, alone.
    at = AppTest.from_file(ROOT / "pages" / "home.py", default_timeout=30).run()
    shows_only_how_to_start(at, "nb")


def test_app_py_marks_the_scripts_as_served_when_its_server_starts(
    without_app_server, monkeypatch, use_database, sqlite_url
):
    import app

    use_database(sqlite_url)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)  # restored after the test

    async def start_and_stop() -> None:
        async with app.lifespan(app.app):
            assert app_server.served_by_app()
            assert PagesManager.uses_pages_directory is False

    # In a thread of its own: after the browser tests, Playwright's event loop runs in this one.
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(start_and_stop())
        except BaseException as error:  # re-raised below, in the test's thread
            failures.append(error)

    starter = threading.Thread(target=run)
    starter.start()
    starter.join(timeout=60)
    assert not starter.is_alive()
    if failures:
        raise failures[0]
