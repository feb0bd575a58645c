"""What people type stays text on every screen (issue 10): a URL, an e-mail address or **bold** in a name,
a group's name or a note's title is shown as written, never as a link to another site or as formatting.

Streamlit's Markdown (remark-gfm) links bare URLs after backslash escapes are resolved, so escaping alone
is not enough; this test reads what Chromium rendered."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ledpro_journal.models import Audience, DocumentKind, Role
from ledpro_journal.services import journal, programme, sharing
from tests.browser.conftest import cohort_on_a_server, nav_link, seed, sign_in
from tests.helpers import make_member

pytestmark = pytest.mark.browser

NAME = "Kari **Fet** www.kari.example"
GROUP = "Gruppe __B__ https://gruppe.example/b"
TITLE = "Møtet [her](https://evil.example/x) og ola@evil.example ~~strek~~ **fet**"
PAGES = {"Notater": "notes", "Refleksjonsgruppa": "group", "Grupper og deltakere": "facilitator"}


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "user_text")

    def build(session):
        admin, cohort_id = world["admin"], world["cohort_id"]
        group = programme.create_group(admin, session=session, cohort_id=cohort_id, name=GROUP)
        session.commit()
        kari = make_member(session, admin, cohort_id, "kari", name=NAME, group_id=group.id)
        make_member(session, admin, cohort_id, "lise", name="Lise", group_id=group.id)
        make_member(session, admin, cohort_id, "frank", name="Frank", role=Role.FACILITATOR)
        note = journal.create_document(kari, session=session, kind=DocumentKind.NOTE)
        journal.save_document(kari, session=session, document_id=note.id, base_version=0,
                              fields={"title": TITLE, "description": "Teksten."})
        for audience in (Audience.GROUP, Audience.FACILITATORS):
            sharing.share_document(kari, session=session, document_id=note.id, audience=audience, replacements={})
        session.commit()

    seed(world["url"], build)
    yield world
    world["server"].close()


def settled(page) -> None:
    page.wait_for_function("document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'")


def what_the_page_shows(page) -> tuple[str, list[str], list[str]]:
    """The main area's text (word joiners taken out: they are invisible), the addresses of its links, and
    the text of everything drawn as formatting."""
    main = page.get_by_test_id("stMain")
    text = main.inner_text().replace("\u2060", "")
    links = main.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    formatted = main.locator("strong, em, del, b, i").evaluate_all("nodes => nodes.map(n => n.textContent)")
    return text, links, formatted


@pytest.mark.parametrize("username, name, title, shown", [
    ("kari", NAME, "Hjem", [NAME]),
    ("kari", NAME, "Notater", [TITLE]),
    ("lise", "Lise", "Refleksjonsgruppa", [NAME, TITLE]),
    ("frank", "Frank", "Grupper og deltakere", [GROUP, NAME, TITLE]),
])
def test_names_and_titles_with_links_and_markup_are_shown_as_typed(world, new_context, username, name, title, shown):
    own = urlsplit(world["server"].url).netloc
    page = new_context().new_page()
    sign_in(page, world["server"].url, username, expect_home=None if username == "kari" else name)
    settled(page)
    if title != "Hjem":
        nav_link(page, title).click()
        page.wait_for_url(f"**/{PAGES[title]}")
        settled(page)
    for details in page.get_by_test_id("stExpander").locator("details").all():
        if details.get_attribute("open") is None:
            details.locator("summary").click()
    # Wait until every text is drawn (an expander draws its content once it opens).
    page.wait_for_function(
        "texts => texts.every(t => document.querySelector('[data-testid=stMain]').innerText"
        ".replaceAll('\u2060', '').includes(t))", arg=shown)

    text, links, formatted = what_the_page_shows(page)

    assert all(typed in text for typed in shown)
    assert [link for link in links if urlsplit(link).netloc != own] == []
    # What the user put between ** __ ~~ would stand alone in an element of its own if it were formatting
    # (our own bold, around a whole escaped name, holds the markers too).
    assert not [f for f in formatted if f.strip() in {"Fet", "fet", "B", "strek"}], formatted
