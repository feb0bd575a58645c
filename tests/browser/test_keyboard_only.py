"""Writing, saving and sharing a note with the keyboard alone (issue 10, WCAG 2.1.1 and 2.4.7): signing in,
reaching Notater, starting a note, typing it, saving it and sharing it with the group are all done by Tab,
typing and Enter, and every control that takes focus on the way shows that it has it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from ledpro_journal.i18n import t
from ledpro_journal.models import Document, DocumentKind, Share
from ledpro_journal.services import programme
from tests.browser.conftest import PASSWORD, cohort_on_a_server, seed
from tests.helpers import make_member

pytestmark = pytest.mark.browser

TITLE, TEXT = "Tastaturnotat", "Skrevet uten mus."
MAX_TABS = 120

FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  const outlined = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
  const ringed = s.boxShadow && s.boxShadow !== 'none';
  return {tag: e.tagName, text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 80),
          label: e.getAttribute('aria-label') || '', visible: outlined || ringed};
}"""


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "keyboard")

    def build(session):
        group = programme.create_group(world["admin"], session=session, cohort_id=world["cohort_id"], name="Sør")
        session.commit()
        make_member(session, world["admin"], world["cohort_id"], "tove", name="Tove", group_id=group.id)
        make_member(session, world["admin"], world["cohort_id"], "trond", name="Trond", group_id=group.id)

    seed(world["url"], build)
    yield world
    world["server"].close()


def settled(page) -> None:
    page.wait_for_function("document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'")


def tab_to(page, matches, unseen_focus: list) -> dict:
    """Presses Tab until the focused element satisfies `matches`; notes every focused control whose focus
    cannot be seen."""
    seen = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None:
            continue
        seen.append((focused["tag"], focused["text"] or focused["label"]))
        for _wait in range(5):  # a focus ring may fade in (a CSS transition): look again for a moment
            if focused["visible"]:
                break
            page.wait_for_timeout(150)
            focused = page.evaluate(FOCUSED) or focused
        if not focused["visible"]:
            unseen_focus.append(focused)
        if matches(focused):
            return focused
    raise AssertionError(f"not reached with {MAX_TABS} presses of Tab; focus went to {seen[:40]}")


def test_a_note_is_written_saved_and_shared_with_the_keyboard_alone(world, new_context):
    page = new_context().new_page()
    unseen: list = []
    page.goto(f"{world['server'].url}/auth/signin")
    # The sign-in form: the username field has focus from the start (once the page has loaded).
    expect(page.locator("#username")).to_be_focused()
    page.keyboard.type("tove")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Hei, Tove")).to_be_visible()
    settled(page)
    # The first stop of the Tab key skips the navigation, in the user's language.
    expect(page.get_by_test_id("stSkipToContent")).to_have_text(t("a11y.skip_to_content", "nb"))

    tab_to(page, lambda f: f["tag"] == "A" and f["text"].endswith(t("nav.notes", "nb")), unseen)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=t("nav.notes", "nb"))).to_be_visible()
    settled(page)
    tab_to(page, lambda f: f["tag"] == "BUTTON" and t("journal.new_note", "nb") in f["text"], unseen)
    page.keyboard.press("Enter")
    page.wait_for_url("**/write?id=*")
    settled(page)

    tab_to(page, lambda f: f["tag"] == "INPUT" and f["label"] == "Tittel", unseen)
    page.keyboard.type(TITLE)
    tab_to(page, lambda f: f["tag"] == "TEXTAREA", unseen)
    page.keyboard.type(TEXT)
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"].endswith(t("action.save", "nb")), unseen)
    page.keyboard.press("Enter")
    settled(page)
    expect(page.get_by_text(t("share.panel", "nb"))).to_be_visible()

    tab_to(page, lambda f: f["tag"] == "SUMMARY" and t("share.panel", "nb") in f["text"], unseen)
    page.keyboard.press("Enter")
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"].endswith(t("share.button.group", "nb")), unseen)
    page.keyboard.press("Enter")
    expect(page.get_by_text(t("share.panel_shared", "nb", count=1))).to_be_visible()

    def saved_and_shared(session):
        note = session.exec(select(Document).where(Document.kind == DocumentKind.NOTE)).one()
        shares = session.exec(select(Share).where(Share.document_id == note.id)).all()
        return note.title, note.fields, note.version, [share.audience for share in shares]

    title, fields, version, audiences = seed(world["url"], saved_and_shared)
    assert (title, version, audiences) == (TITLE, 1, ["group"])
    assert TEXT in fields.values()
    assert unseen == [], f"focus not visible on: {unseen}"
