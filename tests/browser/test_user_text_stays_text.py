"""What people type stays text on every screen that shows it (issue 10), read from what Chromium rendered:

- markup: a URL, an e-mail address or **bold** in a name, a group's name or a note's title is shown as
  written, never as a link to another site or as formatting (Streamlit's Markdown, remark-gfm, links bare
  URLs after backslash escapes are resolved, so escaping alone is not enough);
- hostile: HTML and script, images and links to remote hosts, javascript: links and right-to-left overrides
  in a name, a group's name, a note's title and a comment run nothing, fetch nothing from another host,
  open no dialog and build no image, script or javascript: link.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from ledpro_journal.models import Audience, DocumentKind, Role
from ledpro_journal.services import journal, programme, sharing
from tests.browser.conftest import cohort_on_a_server, nav_link, seed, sign_in
from tests.helpers import make_member

pytestmark = pytest.mark.browser

# Markup and addresses (Mona)
NAME = "Mona **Fet** www.mona.example"
GROUP = "Gruppe __B__ https://gruppe.example/b"
TITLE = "Møtet [her](https://evil.example/x) og ola@evil.example ~~strek~~ **fet**"
# HTML, script and remote content (Kari)
HOSTILE_NAME = (
    '<img src="https://evil.example/n.png" onerror="alert(1)"> Kari \u202egnp.exe\u202c [x](javascript:alert(2))'
)
HOSTILE_GROUP = '<script>alert("g")</script> ![p](https://evil.example/g.png)'
HOSTILE_TITLE = (
    "![bilde](https://evil.example/t.png) <svg/onload=alert(3)> [lenke](javascript:alert(4)) javascript:alert(5)"
)
COMMENT = "<iframe src=https://evil.example/f></iframe> <img src=x onerror=alert(6)> ![c](https://evil.example/c.png)"
PAGES = {"Notater": "notes", "Refleksjonsgruppa": "group", "Grupper og deltakere": "facilitator"}


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "user_text")

    def build(session):
        admin, cohort_id = world["admin"], world["cohort_id"]
        markup = programme.create_group(admin, session=session, cohort_id=cohort_id, name=GROUP)
        hostile = programme.create_group(admin, session=session, cohort_id=cohort_id, name=HOSTILE_GROUP)
        session.commit()
        mona = make_member(session, admin, cohort_id, "mona", name=NAME, group_id=markup.id)
        kari = make_member(session, admin, cohort_id, "kari", name=HOSTILE_NAME, group_id=hostile.id)
        make_member(session, admin, cohort_id, "lise", name="Lise", group_id=markup.id)
        ola = make_member(session, admin, cohort_id, "ola", name="Ola", group_id=hostile.id)
        make_member(session, admin, cohort_id, "frank", name="Frank", role=Role.FACILITATOR)
        for writer, title, commenter in ((mona, TITLE, None), (kari, HOSTILE_TITLE, ola)):
            note = journal.create_document(writer, session=session, kind=DocumentKind.NOTE)
            journal.save_document(writer, session=session, document_id=note.id, base_version=0,
                                  fields={"title": title, "description": title})
            version = sharing.share_document(writer, session=session, document_id=note.id,
                                             audience=Audience.GROUP, replacements={})
            sharing.share_document(writer, session=session, document_id=note.id, audience=Audience.FACILITATORS,
                                   replacements={})
            if commenter is not None:
                sharing.add_comment(commenter, session=session, shared_version_id=version.id, text=COMMENT)
        session.commit()

    seed(world["url"], build)
    yield world
    world["server"].close()


def settled(page) -> None:
    page.wait_for_function("document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'")


@pytest.mark.parametrize("username, name, title, tab, shown", [
    ("mona", NAME, "Hjem", None, [NAME]),
    ("mona", NAME, "Notater", None, [TITLE]),
    ("kari", HOSTILE_NAME, "Hjem", None, [HOSTILE_NAME]),
    ("kari", HOSTILE_NAME, "Notater", None, [HOSTILE_TITLE]),
    ("lise", "Lise", "Refleksjonsgruppa", None, [NAME, TITLE]),
    ("ola", "Ola", "Refleksjonsgruppa", None, [HOSTILE_GROUP, HOSTILE_NAME, HOSTILE_TITLE]),
    ("ola", "Ola", "Refleksjonsgruppa", "Mine kommentarer", [COMMENT, HOSTILE_TITLE]),
    ("frank", "Frank", "Grupper og deltakere", None, [GROUP, NAME, TITLE, HOSTILE_GROUP, HOSTILE_NAME,
                                                      HOSTILE_TITLE]),
])
def test_names_titles_and_comments_are_shown_as_typed_and_run_and_fetch_nothing(world, new_context, username, name,
                                                                                title, tab, shown):
    own = urlsplit(world["server"].url).netloc
    context = new_context()
    elsewhere, dialogs = [], []
    context.on("request", lambda request: urlsplit(request.url).netloc not in (own, "")
               and not request.url.startswith(("data:", "blob:")) and elsewhere.append(request.url))
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, world["server"].url, username, expect_home=None if username in ("kari", "mona") else name)
    settled(page)
    if title != "Hjem":
        nav_link(page, title).click()
        page.wait_for_url(f"**/{PAGES[title]}")
        settled(page)
    if tab:
        page.get_by_role("tab", name=tab).click()
    for details in page.get_by_test_id("stExpander").locator("details").all():
        if details.get_attribute("open") is None:
            details.locator("summary").click()
    try:
        # Every text drawn (an expander draws its content once it opens).
        page.wait_for_function(
            "texts => texts.every(t => document.querySelector('[data-testid=stMain]').innerText"
            ".replaceAll('\u2060', '').includes(t))", arg=shown, timeout=10_000)
    except PlaywrightTimeout:
        pass  # asserted below, after what matters more: what ran and what was fetched
    page.wait_for_timeout(500)  # time for an injected image or script to load or run, were there one

    main = page.get_by_test_id("stMain")
    built = page.evaluate("""() => ({
        images: [...document.querySelectorAll('img')].map(i => i.getAttribute('src') || ''),
        scripts: [...document.querySelectorAll('script')].map(s => s.textContent),
        frames: [...document.querySelectorAll('iframe, svg[onload], [onerror]')].map(e => e.outerHTML),
        javascript: [...document.querySelectorAll('a[href]')].map(a => a.href).filter(h => /^javascript:/i.test(h)),
    })""")
    links = main.locator("a[href]").evaluate_all("links => links.map(a => a.href)")
    formatted = main.locator("strong, em, del, b, i").evaluate_all("nodes => nodes.map(n => n.textContent)")
    text = main.inner_text().replace("\u2060", "")  # word joiners are invisible

    assert elsewhere == []
    assert dialogs == []
    assert not [src for src in built["images"] if "evil.example" in src or src == "x"]
    assert not [s for s in built["scripts"] if "alert" in s]
    assert not [f for f in built["frames"] if "evil" in f or "alert" in f]
    assert built["javascript"] == []
    assert [link for link in links if urlsplit(link).netloc != own] == []
    # What the user put between ** __ ~~ would stand alone in an element of its own if it were formatting
    # (our own bold, around a whole escaped name, holds the markers too).
    assert not [f for f in formatted if f.strip() in {"Fet", "fet", "B", "strek"}], formatted
    assert [typed for typed in shown if typed not in text] == []
