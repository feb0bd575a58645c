"""Nothing typed is lost: the editor's drafts reach the database while typing, survive a page switch,
a refresh and a server restart; a save from another tab is never overwritten; text is kept exactly and
never rendered as HTML or Markdown; the word count follows the typing without a rerun.

One server for the module, a fresh participant (and so a fresh challenge) per journey."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from playwright.sync_api import expect

from ledpro_journal.i18n import t
from ledpro_journal.services import journal
from tests.browser.conftest import cohort_on_a_server, nav_link, seed, sign_in
from tests.helpers import make_member

pytestmark = pytest.mark.browser

FIELD = "Min egen del"  # template A, my_part
DRAFT_NOTICE = "Du har tekst som ikke er lagret"
CONFLICT = t("journal.conflict", "nb").split("(")[0].strip()  # "Denne teksten ble lagret et annet sted"
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "nothing_lost")
    yield world
    world["server"].close()


class Writer:
    """A participant of their own, with their challenge document."""

    def __init__(self, world, username: str) -> None:
        self.world = world
        self.username = username
        self.name = username.title()

        def build(session):
            user = make_member(session, world["admin"], world["cohort_id"], username)
            challenge = journal.my_challenge(user, session=session)
            return user, challenge.id

        self.user, self.challenge_id = seed(world["url"], build)

    def read(self, fn):
        return seed(self.world["url"], lambda session: fn(self.user, session))

    def drafts(self):
        return self.read(lambda user, s: journal.drafts_for(user, session=s, document_id=self.challenge_id))

    def document(self):
        return self.read(lambda user, s: journal.get_document(user, session=s, document_id=self.challenge_id))

    def revisions(self):
        return self.read(lambda user, s: journal.list_revisions(user, session=s, document_id=self.challenge_id))

    def revision(self, version: int):
        return self.read(
            lambda user, s: journal.get_revision(user, session=s, document_id=self.challenge_id, version=version)
        )

    def wait_for_draft(self, field: str, text: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        state = None
        while time.monotonic() < deadline:
            state = self.drafts()
            if state is not None and state.texts.get(field) == text:
                return
            time.sleep(0.1)
        raise AssertionError(f"draft of {field!r} never reached the database: {state!r}")


@pytest.fixture
def writer(world):
    return Writer(world, f"skriver{next(_numbers)}")


@pytest.fixture
def server(world):
    return world["server"]


def open_challenge(page):
    nav_link(page, "Min utfordring").click()
    expect(page.get_by_role("heading", name="Min utfordring", exact=True)).to_be_visible()
    field = page.get_by_role("textbox", name=FIELD)
    expect(field).to_be_visible()
    page.wait_for_function("() => !!window.__ledproDrafts")  # the draft script is installed
    return field


def signed_in_page(context, server, writer):
    page = context.new_page()
    sign_in(page, server.url, writer.username, expect_home=writer.name)
    return page


def test_type_then_click_another_page_without_leaving_the_field(server, writer, new_context, screenshot):
    page = signed_in_page(new_context(), server, writer)
    field = open_challenge(page)
    text = "Blåbær på ærlig øy – Æ Ø Å 😀 ferdig"
    field.click()
    field.press_sequentially(text, delay=15)
    nav_link(page, "Aksjoner").click()  # at once: no Tab, no pause
    expect(page.get_by_role("heading", name="Aksjoner", exact=True)).to_be_visible()

    field = open_challenge(page)
    expect(field).to_have_value(text)
    assert field.input_value() == text
    writer.wait_for_draft("my_part", text)
    assert writer.drafts().texts == {"my_part": text}
    screenshot(page, "page_switch_kept_text")


def test_type_leave_the_field_and_refresh(server, writer, new_context, screenshot):
    page = signed_in_page(new_context(), server, writer)
    field = open_challenge(page)
    text = "Skrevet før oppdatering: æøå 😀"
    field.click()
    field.press_sequentially(text, delay=15)
    field.press("Tab")
    writer.wait_for_draft("my_part", text)

    page.reload()
    field = page.get_by_role("textbox", name=FIELD)
    expect(field).to_have_value(text)
    expect(page.get_by_text(DRAFT_NOTICE)).to_be_visible()
    screenshot(page, "refresh_kept_text")


def test_type_then_the_server_restarts(server, writer, new_context, screenshot):
    page = signed_in_page(new_context(), server, writer)
    field = open_challenge(page)
    text = "Før omstarten: æøå 😀"
    field.click()
    field.press_sequentially(text, delay=15)
    # The debounced send reports back on the page; the text is in the database from then on.
    expect(page.locator(".ledpro-draft")).to_contain_text("Utkast lagret")
    writer.wait_for_draft("my_part", text)

    port = server.port
    server.restart()
    assert server.port == port
    page.reload()
    field = page.get_by_role("textbox", name=FIELD)
    expect(field).to_have_value(text)
    expect(page.get_by_text(DRAFT_NOTICE)).to_be_visible()
    screenshot(page, "restart_kept_text")


def test_two_tabs_saving_the_same_text(server, writer, new_context, screenshot):
    context = new_context()
    first = signed_in_page(context, server, writer)
    first_field = open_challenge(first)
    second = context.new_page()
    second.goto(f"{server.url}/")
    expect(second.get_by_role("heading", name=f"Hei, {writer.name}")).to_be_visible()
    second_field = open_challenge(second)  # opened before the first tab saves

    first_field.click()
    first_field.press_sequentially("A-tekst", delay=15)
    first.get_by_role("button", name="Lagre", exact=True).click()
    expect(first.get_by_text("Lagret som versjon 1.")).to_be_visible()
    assert writer.document().version == 1
    assert writer.document().fields["my_part"] == "A-tekst"

    second_field.click()
    second_field.press_sequentially("B-tekst", delay=15)
    second.get_by_role("button", name="Lagre", exact=True).click()
    expect(second.get_by_text(CONFLICT)).to_be_visible()
    keep_mine = second.get_by_role("button", name="Lagre min tekst som ny versjon")
    # The innermost block holding both the warning and its buttons: the bordered conflict panel.
    panel = second.get_by_test_id("stVerticalBlock").filter(has=second.get_by_text(CONFLICT)).filter(has=keep_mine).last
    expect(panel.locator(".ledpro-text", has_text="A-tekst")).to_be_visible()
    expect(panel.locator(".ledpro-text", has_text="B-tekst")).to_be_visible()
    document = writer.document()
    assert document.version == 1 and document.fields["my_part"] == "A-tekst"
    panel.scroll_into_view_if_needed()
    screenshot(second, "conflict_panel")

    keep_mine.click()
    expect(second.get_by_text("Lagret som versjon 2.")).to_be_visible()
    expect(second.get_by_text(CONFLICT)).to_have_count(0)
    document = writer.document()
    assert document.version == 2 and document.fields["my_part"] == "B-tekst"
    assert [r.version for r in writer.revisions()] == [2, 1]
    assert writer.revision(1).fields["my_part"] == "A-tekst"
    assert writer.drafts() is None
    screenshot(second, "conflict_resolved")


def test_text_is_kept_exactly_and_never_rendered(server, writer, new_context, screenshot):
    page = signed_in_page(new_context(), server, writer)
    field = open_challenge(page)
    text = "Linje 1\n\tInnrykk <b>fet</b> & ![bilde](http://example.invalid/x.png) 😀 שלום"
    field.fill(text)
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_text("Lagret som versjon 1.")).to_be_visible()
    assert writer.document().fields["my_part"] == text
    assert writer.revision(1).fields["my_part"] == text

    field = page.get_by_role("textbox", name=FIELD)
    expect(field).to_have_value(text)
    context_field = page.get_by_role("textbox", name=t("tpl.A.context", "nb"))
    context_field.fill("Andre lagring")
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_text("Lagret som versjon 2.")).to_be_visible()
    assert writer.document().fields["my_part"] == text

    page.get_by_text(re.compile(r"Tidligere versjoner \(2\)")).click()
    history = page.get_by_test_id("stExpander").filter(has_text="Tidligere versjoner")
    shown = history.locator(".ledpro-text", has_text="Innrykk")
    expect(shown.first).to_be_visible()
    expect(shown).to_have_count(2)  # version 1 beside now (version 2): the same text
    for index in range(2):
        content = shown.nth(index).text_content()
        assert "<b>fet</b>" in content
        assert "![bilde](http://example.invalid/x.png)" in content
        assert content == text  # text_content keeps the line break and the tab
    assert history.locator(".ledpro-text b").count() == 0
    assert page.locator('img[src*="example.invalid"]').count() == 0
    assert page.locator(".ledpro-text b, .ledpro-text img, .ledpro-text a").count() == 0
    history.scroll_into_view_if_needed()
    screenshot(page, "exact_text_history")


def test_word_count_follows_the_typing_without_a_rerun(server, writer, new_context, screenshot):
    page = new_context().new_page()
    sent = []  # every message the page sends to Streamlit: a rerun would be one of them
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    sign_in(page, server.url, writer.username, expect_home=writer.name)
    field = open_challenge(page)
    counter = page.locator(".ledpro-wc")
    expect(counter).to_have_text("0 ord")
    assert sent, "the Streamlit websocket was not observed"

    field.click()
    time.sleep(0.5)
    before = len(sent)
    field.press_sequentially("en to tre fire", delay=20)
    expect(counter).to_have_text("4 ord", timeout=2_000)
    field.press_sequentially(" fem", delay=20)
    expect(counter).to_have_text("5 ord", timeout=2_000)
    time.sleep(1.0)  # past the draft debounce: that goes over HTTP, not the websocket
    assert len(sent) == before, "typing sent something to Streamlit (a rerun)"
    expect(field).to_be_focused()
    expect(field).to_have_value("en to tre fire fem")
    screenshot(page, "live_word_count")
