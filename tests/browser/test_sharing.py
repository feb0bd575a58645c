"""Sharing with the reflection group: two signed-in people in two browser contexts against one server.

The owner shares a note with names replaced, a group member reads and comments, the owner sees the
comment come back, shares a new version, withdraws it; a participant of another group never sees it,
and a facilitator sees what was shared and counts of activity, never a private note.

One server for the module; every journey gets a reflection group and people of its own, and the steps
before the journey are seeded through the services."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from ledpro_journal.i18n import t
from ledpro_journal.models import Audience, DocumentKind, Role
from ledpro_journal.services import journal, programme, sharing
from tests.browser.conftest import cohort_on_a_server, nav_link, seed, sign_in
from tests.helpers import make_cohort, make_member

pytestmark = pytest.mark.browser

PANEL = t("share.panel", "nb")  # "Del med gruppa eller faglærerne"
PANEL_SHARED = t("share.panel_shared", "nb", count=1)  # "Delt (1) – del igjen eller trekk tilbake"
SHARE_BUTTON = t("share.button.group", "nb")  # "Del med gruppa"
NOT_FOUND = t("error.not_found", "nb")
CHANGED_SINCE = t("share.changed_since", "nb")
OLDER_VERSION = t("share.older_version", "nb")
WITHDRAWN_NOTE = t("group_page.withdrawn_note", "nb")  # "(notatet er trukket tilbake)"
NOTHING_SHARED = t("group_page.nothing_new", "nb")
TITLE_FIELD = "Tittel"
DESCRIPTION_FIELD = "Beskrivelse: hva skjedde?"  # template D1, the default of "Nytt notat"
WRITTEN = "Kari var stille i møtet."
SHARED = "Kollega A var stille i møtet."
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "sharing")
    yield world
    world["server"].close()


class Group:
    """A reflection group of its own with two participants, and a participant of another group."""

    def __init__(self, world, cohort_id: int | None = None) -> None:
        self.world = world
        cohort_id = cohort_id or world["cohort_id"]
        n = next(_numbers)
        self.name = f"Gruppe {n} Nord"
        self.other_name = f"Gruppe {n} Sør"

        def build(session):
            admin = world["admin"]
            group = programme.create_group(admin, session=session, cohort_id=cohort_id, name=self.name)
            other = programme.create_group(admin, session=session, cohort_id=cohort_id, name=self.other_name)
            session.commit()
            owner = make_member(session, admin, cohort_id, f"eier{n}", name=f"Siri Eier {n}", group_id=group.id)
            reader = make_member(session, admin, cohort_id, f"leser{n}", name=f"Live Leser {n}", group_id=group.id)
            outsider = make_member(session, admin, cohort_id, f"utenfor{n}", name=f"Ulf Utenfor {n}",
                                   group_id=other.id)
            return group.id, owner, reader, outsider

        self.group_id, self.owner, self.reader, self.outsider = seed(world["url"], build)
        self.title = f"Møtet på tirsdag {n}"

    def run(self, fn):
        return seed(self.world["url"], fn)

    def note(self, title: str, text: str) -> int:
        """A saved note of the owner's (version 1)."""

        def build(session):
            note = journal.create_document(self.owner, session=session, kind=DocumentKind.NOTE)
            journal.save_document(self.owner, session=session, document_id=note.id, base_version=0,
                                  fields={"title": title, "description": text})
            return note.id

        return self.run(build)

    def share(self, note_id: int, replacements: dict[str, str] | None = None):
        return self.run(lambda session: sharing.share_document(
            self.owner, session=session, document_id=note_id, audience=Audience.GROUP,
            replacements=replacements or {"Kari": "kollega A"},
        ))

    def comment(self, version_id: int, text: str) -> None:
        self.run(lambda session: sharing.add_comment(self.reader, session=session, shared_version_id=version_id,
                                                     text=text))


@pytest.fixture
def group(world):
    return Group(world)


@pytest.fixture
def base(world):
    return world["server"].url


def signed_in(new_context, base: str, user) -> object:
    page = new_context().new_page()
    sign_in(page, base, user.username, expect_home=user.display_name)
    return page


def main(page):
    return page.get_by_test_id("stMain")


def toast(page, text: str):
    return page.get_by_test_id("stToast").filter(has_text=text)


def expander(page, label: str):
    return page.get_by_test_id("stExpander").filter(has=page.get_by_text(label, exact=True))


def open_expander(page, label: str):
    panel = expander(page, label)
    expect(panel).to_be_visible()
    panel.get_by_text(label, exact=True).click()
    return panel


def write_note_in_ui(page, title: str, text: str) -> int:
    nav_link(page, "Notater").click()
    expect(page.get_by_role("heading", name="Notater", exact=True)).to_be_visible()
    page.get_by_role("button", name="Nytt notat", exact=True).click()
    expect(page.get_by_role("heading", name="Refleksjonsnotat", exact=True)).to_be_visible()
    page.get_by_role("textbox", name=TITLE_FIELD).fill(title)
    page.get_by_role("textbox", name=DESCRIPTION_FIELD).fill(text)
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_text("Lagret som versjon 1.")).to_be_visible()
    return int(re.search(r"[?&]id=(\d+)", page.url).group(1))


def open_note(page, base: str, note_id: int):
    page.goto(f"{base}/write?id={note_id}")
    expect(page.get_by_role("heading", name="Refleksjonsnotat", exact=True)).to_be_visible()


def share_with_group(page, label: str, replacements: dict[str, str], version: int):
    panel = open_expander(page, label)
    for name, role in replacements.items():
        expect(panel.get_by_text(name, exact=True)).to_be_visible()  # the name check lists it
        panel.get_by_role("textbox", name=f"Erstatt «{name}» med").fill(role)
    panel.get_by_role("button", name=SHARE_BUTTON, exact=True).click()
    expect(toast(page, f"Delt (delt versjon {version}).")).to_be_visible()
    expect(expander(page, PANEL_SHARED)).to_be_visible()


def open_group_page(page):
    nav_link(page, "Refleksjonsgruppa").click()
    expect(page.get_by_role("tab", name="Delt siden forrige samling")).to_be_visible()


def feed_link(page, title: str):
    return main(page).get_by_role("link").filter(has_text=title)


def open_shared(page, base: str, share_id: int, title: str):
    page.goto(f"{base}/shared?share={share_id}")
    expect(page.get_by_role("heading", name=title)).to_be_visible()


# --- the journeys -------------------------------------------------------------------------------------------


def test_share_with_names_replaced_reaches_the_group_only(group, base, new_context, screenshot):
    owner = signed_in(new_context, base, group.owner)
    note_id = write_note_in_ui(owner, group.title, WRITTEN)
    share_with_group(owner, PANEL, {"Kari": "kollega A"}, version=1)
    screenshot(owner, "owner_after_sharing")

    reader = signed_in(new_context, base, group.reader)
    open_group_page(reader)
    link = feed_link(reader, group.title)
    expect(link).to_have_count(1)
    expect(link).to_contain_text("●")  # unread
    expect(link).to_contain_text(group.owner.display_name)
    link.click()
    expect(reader.get_by_role("heading", name=group.title)).to_be_visible()
    expect(main(reader).get_by_text(SHARED, exact=True)).to_be_visible()
    expect(main(reader)).not_to_contain_text("Kari")
    assert "Kari" not in reader.content()

    # Read now: back on the group page the dot is gone.
    open_group_page(reader)
    expect(feed_link(reader, group.title)).to_have_count(1)
    expect(feed_link(reader, group.title)).not_to_contain_text("●")

    # Someone in another group sees nothing of it, not even through its address.
    outsider = signed_in(new_context, base, group.outsider)
    open_group_page(outsider)
    expect(main(outsider).get_by_text(NOTHING_SHARED)).to_be_visible()
    expect(feed_link(outsider, group.title)).to_have_count(0)
    share_id = group.run(lambda s: sharing.shares_of_document(group.owner, session=s, document_id=note_id))[0].share_id
    outsider.goto(f"{base}/shared?share={share_id}")
    expect(main(outsider).get_by_text(NOT_FOUND)).to_be_visible()
    expect(main(outsider)).not_to_contain_text("møtet")
    assert group.title not in outsider.content()
    screenshot(reader, "reader_sees_roles_not_names")


def test_comment_comes_back_to_the_owner(group, base, new_context, screenshot):
    note_id = group.note(group.title, WRITTEN)
    version = group.share(note_id)

    reader = signed_in(new_context, base, group.reader)
    open_group_page(reader)
    feed_link(reader, group.title).click()
    expect(main(reader).get_by_text(SHARED, exact=True)).to_be_visible()
    comment = "Hva tror du stillheten betydde?"
    reader.get_by_role("textbox", name="Kommentar").fill(comment)
    reader.get_by_role("button", name="Send kommentar", exact=True).click()
    expect(toast(reader, "Kommentaren er sendt.")).to_be_visible()
    expect(main(reader).get_by_text(comment, exact=True)).to_be_visible()
    expect(reader.get_by_role("heading", name="Kommentarer (1)")).to_be_visible()

    owner = signed_in(new_context, base, group.owner)
    marker = main(owner).get_by_role("link", name=f"1 ny kommentar på «{group.title}»")
    expect(marker).to_be_visible()
    marker.click()
    expect(owner.get_by_role("heading", name=group.title)).to_be_visible()
    expect(main(owner).get_by_text(comment, exact=True)).to_be_visible()
    expect(main(owner).get_by_text(group.reader.display_name, exact=False)).to_be_visible()

    nav_link(owner, "Hjem").click()
    expect(owner.get_by_role("heading", name=f"Hei, {group.owner.display_name}")).to_be_visible()
    expect(owner.get_by_role("heading", name="LEDPRO 2024")).to_be_visible()  # the page has drawn below it
    expect(main(owner).get_by_text("nye kommentarer")).to_have_count(0)
    assert version.number == 1
    screenshot(owner, "owner_home_after_reading_comment")


def test_new_version_is_shown_only_when_shared_again(group, base, new_context, screenshot):
    note_id = group.note(group.title, WRITTEN)
    version = group.share(note_id)
    first_comment = "Stillhet kan bety mye."
    group.comment(version.id, first_comment)
    share_id = version.share_id

    reader = signed_in(new_context, base, group.reader)
    open_shared(reader, base, share_id, group.title)
    expect(main(reader).get_by_text(SHARED, exact=True)).to_be_visible()

    owner = signed_in(new_context, base, group.owner)
    open_note(owner, base, note_id)
    owner.get_by_role("textbox", name=DESCRIPTION_FIELD).fill("Kari tok ordet i møtet.")
    owner.get_by_role("button", name="Lagre", exact=True).click()
    expect(owner.get_by_text("Lagret som versjon 2.")).to_be_visible()

    # Saved, not shared: the group still reads what was shared.
    reader.reload()
    expect(reader.get_by_role("heading", name=group.title)).to_be_visible()
    expect(main(reader).get_by_text(SHARED, exact=True)).to_be_visible()
    expect(main(reader).get_by_text("Kollega A tok ordet i møtet.")).to_have_count(0)
    expect(reader.get_by_label("Delte versjoner")).to_have_count(0)

    panel = open_expander(owner, PANEL_SHARED)
    expect(panel.get_by_text(CHANGED_SINCE)).to_be_visible()
    expect(panel.get_by_text("Kari", exact=True)).to_be_visible()
    panel.get_by_role("textbox", name="Erstatt «Kari» med").fill("kollega A")
    panel.get_by_role("button", name=SHARE_BUTTON, exact=True).click()
    expect(toast(owner, "Delt (delt versjon 2).")).to_be_visible()

    # Shared again: unread again on the group page, and the link opens the new version.
    open_group_page(reader)
    link = feed_link(reader, group.title)
    expect(link).to_contain_text("●")
    expect(link).to_contain_text("2 delte versjoner")
    link.click()
    expect(main(reader).get_by_text("Kollega A tok ordet i møtet.", exact=True)).to_be_visible()
    expect(main(reader)).not_to_contain_text("Kari")
    expect(reader.get_by_role("heading", name="Kommentarer (0)")).to_be_visible()
    versions = reader.get_by_label("Delte versjoner")
    expect(versions).to_be_visible()
    versions.click()
    reader.get_by_role("option", name=re.compile(r"^Delt versjon 1 – ")).click()
    expect(reader).to_have_url(re.compile(r"[?&]v=1(&|$)"))
    expect(main(reader).get_by_text(OLDER_VERSION)).to_be_visible()
    expect(main(reader).get_by_text(SHARED, exact=True)).to_be_visible()
    expect(main(reader).get_by_text("Kollega A tok ordet i møtet.")).to_have_count(0)
    expect(main(reader).get_by_text(first_comment, exact=True)).to_be_visible()
    expect(reader.get_by_role("heading", name="Kommentarer (1)")).to_be_visible()
    screenshot(reader, "reader_on_earlier_shared_version")


def test_withdraw_hides_the_note_but_keeps_the_comment(group, base, new_context, screenshot):
    note_id = group.note(group.title, WRITTEN)
    version = group.share(note_id)
    comment = "Takk for at du delte dette."
    group.comment(version.id, comment)

    owner = signed_in(new_context, base, group.owner)
    open_note(owner, base, note_id)
    panel = open_expander(owner, PANEL_SHARED)
    panel.get_by_role("button", name="Trekk tilbake", exact=True).click()
    expect(toast(owner, "Delingen er trukket tilbake.")).to_be_visible()
    expect(expander(owner, PANEL)).to_be_visible()
    expect(expander(owner, PANEL_SHARED)).to_have_count(0)

    reader = signed_in(new_context, base, group.reader)
    open_group_page(reader)
    expect(main(reader).get_by_text(NOTHING_SHARED)).to_be_visible()
    expect(feed_link(reader, group.title)).to_have_count(0)

    reader.goto(f"{base}/shared?share={version.share_id}")
    expect(main(reader).get_by_text(NOT_FOUND)).to_be_visible()
    expect(main(reader)).not_to_contain_text("møtet")

    open_group_page(reader)
    reader.get_by_role("tab", name="Mine kommentarer").click()
    mine = reader.get_by_role("tabpanel", name="Mine kommentarer")
    expect(mine.get_by_text(comment, exact=True)).to_be_visible()
    expect(mine.get_by_text(WITHDRAWN_NOTE)).to_be_visible()
    expect(mine).not_to_contain_text(group.title)
    screenshot(reader, "reader_comments_after_withdrawal")


def test_facilitator_sees_what_is_shared_and_counts_never_private_text(world, base, new_context, screenshot):
    cohort_id = seed(world["url"], lambda session: make_cohort(session, world["admin"], "LEDPRO faglærerkull")).id
    group = Group(world, cohort_id)
    shared_id = group.note(group.title, WRITTEN)
    version = group.share(shared_id)
    secret_title = "Hemmelig tittel Zorblax"
    secret_text = "Privat tekst som aldri deles Quixtrel"
    secret_id = group.note(secret_title, secret_text)
    facilitator = seed(world["url"], lambda session: make_member(
        session, world["admin"], cohort_id, f"fag{next(_numbers)}", role=Role.FACILITATOR,
        name="Frida Faglærer",
    ))

    page = signed_in(new_context, base, facilitator)
    expect(page.get_by_role("heading", name="LEDPRO faglærerkull")).to_be_visible()
    seen_pages = [page.content()]
    nav_link(page, "Grupper og deltakere").click()
    expect(page.get_by_role("heading", name="Grupper og deltakere", exact=True)).to_be_visible()
    groups = expander(page, f"{group.name} – 1 delt, 1 ulest")
    expect(groups).to_be_visible()
    link = groups.get_by_role("link").filter(has_text=group.title)
    expect(link).to_be_visible()
    expect(link).to_contain_text(group.owner.display_name)
    seen_pages.append(page.content())

    page.get_by_role("tab", name="Aktivitet").click()
    activity = page.get_by_role("tabpanel", name="Aktivitet")
    expect(activity.get_by_text("Bare tall")).to_be_visible()
    table = activity.get_by_test_id("stDataFrame")
    expect(table).to_be_visible()
    # The grid draws on a canvas; once it has focus, an accessible table inside the canvas carries the cells.
    table.get_by_test_id("data-grid-canvas").focus()
    rows = table.locator("tr[role=row]")
    expect(rows).to_have_count(4)  # the header and the cohort's three participants; not the facilitator
    owner_row = rows.filter(has_text=group.owner.display_name)
    expect(owner_row.locator("td")).to_have_text(
        [group.owner.display_name, group.name, "0", "0", "2", re.compile(r"\d{2}\.\d{2}\.\d{4}")]
    )
    expect(rows.filter(has_text=group.reader.display_name).locator("td")).to_have_text(
        [group.reader.display_name, group.name, "0", "0", "0", "—"]
    )
    seen_pages.append(page.content())

    page.get_by_role("tab", name="Delt i gruppene").click()
    link.click()
    expect(page.get_by_role("heading", name=group.title)).to_be_visible()
    expect(main(page).get_by_text(SHARED, exact=True)).to_be_visible()
    seen_pages.append(page.content())
    assert version.number == 1

    # Nor through the address of the private note's editor.
    page.goto(f"{base}/write?id={secret_id}")
    expect(main(page)).to_be_visible()
    page.wait_for_load_state("networkidle")
    seen_pages.append(page.content())

    for content in seen_pages:
        for secret in (secret_title, secret_text, "Zorblax", "Quixtrel"):
            assert secret not in content
    screenshot(page, "facilitator_reads_shared_note")
