"""WCAG 2.1 AA, checked by axe-core in Chromium (issue 10): every page, for every role, in every language,
the sign-in pages and the accessibility statement included, has no serious or critical violation; what
axe reports below that is listed, with the reason, in the README's accessibility section; and the page
says its language."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlmodel import select

from ledpro_journal.i18n import LANGUAGES, language_tag, t
from ledpro_journal.models import Audience, DocumentKind, Role, User
from ledpro_journal.services import journal, programme, sharing
from ledpro_journal.ui.navigation import PAGES
from tests.browser.conftest import cohort_on_a_server, seed, sign_in
from tests.helpers import make_member

pytestmark = pytest.mark.browser

README = Path(__file__).resolve().parents[2] / "README.md"
BLOCKING = {"serious", "critical"}
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
           "resultTypes": ["violations"]}
AXE = Axe()


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "a11y")

    def build(session):
        admin, cohort_id = world["admin"], world["cohort_id"]
        group = programme.create_group(admin, session=session, cohort_id=cohort_id, name="Gruppe Nord")
        session.commit()
        people = {}
        for lang in LANGUAGES:
            people[(Role.PARTICIPANT, lang)] = make_member(session, admin, cohort_id, f"deltaker_{lang}",
                                                           name=f"Dina {lang}", group_id=group.id)
            people[(Role.FACILITATOR, lang)] = make_member(session, admin, cohort_id, f"faglaerer_{lang}",
                                                           name=f"Frida {lang}", role=Role.FACILITATOR)
        for (_role, lang), user in people.items():
            session.get(User, user.id).language = lang
        session.commit()
        writer = people[(Role.PARTICIPANT, "nb")]
        note = journal.create_document(writer, session=session, kind=DocumentKind.NOTE)
        journal.save_document(writer, session=session, document_id=note.id, base_version=0,
                              fields={"title": "Møtet", "description": "Vi snakket om endringen."})
        action = journal.create_document(writer, session=session, kind=DocumentKind.ACTION)
        journal.save_document(writer, session=session, document_id=action.id, base_version=0,
                              fields={"title": "Samtale med teamet", "purpose": "Spørre hva de trenger."})
        shared = sharing.share_document(writer, session=session, document_id=note.id, audience=Audience.GROUP,
                                        replacements={})
        sharing.add_comment(people[(Role.PARTICIPANT, "en")], session=session, shared_version_id=shared.id,
                            text="Godt skrevet.")
        session.commit()
        return {key: user.username for key, user in people.items()}, note.id, action.id

    world["people"], world["note_id"], world["action_id"] = seed(world["url"], build)
    yield world
    world["server"].close()


def settled(page) -> None:
    page.wait_for_function("document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'")
    page.wait_for_timeout(300)


def addresses_for(role: Role, world) -> list[str]:
    paths = [Path(path).stem for path, _title, _icon, roles in PAGES if roles is None or role in roles]
    addresses = ["/" if stem == "home" else f"/{stem}" for stem in paths if stem not in ("write", "shared")]
    if role == Role.PARTICIPANT:
        addresses += [f"/write?id={world['note_id']}", f"/write?id={world['action_id']}"]
    return addresses


def blocking(violations: list[dict]) -> list[str]:
    return [f"{v['id']} ({v['impact']}): {v['help']} — {v['nodes'][0]['html'][:160]}"
            for v in violations if v["impact"] in BLOCKING]


def listed_in_readme() -> set[str]:
    section = README.read_text(encoding="utf-8").split("\n## Accessibility\n", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([a-z0-9-]+)`", section))


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_sign_in_pages_and_the_statement_pass_axe(world, new_context, lang):
    page = new_context().new_page()
    base = world["server"].url.rstrip("/")
    page.goto(f"{base}/auth/language?lang={lang}&next=/auth/signin")
    for path in ("/auth/signin", "/auth/register", "/tilgjengelighet"):
        page.goto(base + path)
        assert page.evaluate("document.documentElement.lang") == language_tag(lang)
        violations = AXE.run(page, options=WCAG_AA).response["violations"]
        assert blocking(violations) == [], path
        assert {v["id"] for v in violations} <= listed_in_readme(), path


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.FACILITATOR, Role.ADMIN])
@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_page_of_every_role_in_every_language_passes_axe(world, new_context, role, lang):
    username = world["people"].get((role, lang), "admin")
    if role == Role.ADMIN:  # the one administrator, in this run's language
        seed(world["url"], lambda s: setattr(s.exec(select(User).where(User.username == "admin")).one(),
                                             "language", lang))
    page = new_context().new_page()
    sign_in(page, world["server"].url, username)
    settled(page)
    base = world["server"].url.rstrip("/")
    problems, below = {}, set()
    for address in addresses_for(role, world):
        page.goto(base + address)
        settled(page)
        expect(page.locator("html")).to_have_attribute("lang", language_tag(lang))
        for details in page.get_by_test_id("stExpander").locator("details").all():
            if details.is_visible() and details.get_attribute("open") is None:
                details.locator("summary").click()
        page.wait_for_timeout(300)
        violations = AXE.run(page, options=WCAG_AA).response["violations"]
        if blocking(violations):
            problems[address] = blocking(violations)
        below |= {v["id"] for v in violations if v["impact"] not in BLOCKING}
    assert problems == {}
    assert below <= listed_in_readme(), below - listed_in_readme()
    assert t("a11y.footer_link", lang) in page.get_by_test_id("stSidebar").inner_text()
