"""Names in the group draft, in Chromium against a real server: a participant writes a note about Kari,
shares it with Kari replaced by "kollega A", joins the group's exam draft and ticks the note; a peer
opens the group draft and downloads the Word file, which says "kollega A" and never "Kari", while the
owner's journal still says "Kari".

Nobody in this journey is called Kari: any "Kari" in what the peer gets leaked from the journal."""

from __future__ import annotations

import io
import itertools
import re
import zipfile

import docx
import pytest
from playwright.sync_api import expect

from ledpro_journal.i18n import t
from ledpro_journal.services import accounts, journal, name_replacements, programme
from tests.browser.conftest import cohort_on_a_server, nav_link, seed, sign_in
from tests.helpers import make_member

pytestmark = pytest.mark.browser

WRITTEN = "Kari var stille i møtet. Etterpå spurte jeg Kari om hvorfor."
REPLACED = "Kollega A var stille i møtet. Etterpå spurte jeg kollega A om hvorfor."
DESCRIPTION_FIELD = t("tpl.D1.description", "nb")  # "Beskrivelse: hva skjedde?", the default template's
SHARE_BUTTON = t("share.button.group", "nb")
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "names")
    yield world
    world["server"].close()


@pytest.fixture
def base(world):
    return world["server"].url


@pytest.fixture
def group(world):
    """A reflection group of its own: the owner and a peer, with candidate numbers (part 2)."""
    n = next(_numbers)

    def build(session):
        admin = world["admin"]
        group = programme.create_group(admin, session=session, cohort_id=world["cohort_id"], name=f"Gruppe {n} Navn")
        session.commit()
        people = []
        for username, name, number in ((f"eier{n}", f"Siri Eier {n}", f"47{n:02d}"),
                                       (f"peer{n}", f"Live Leser {n}", f"58{n:02d}")):
            user = make_member(session, admin, world["cohort_id"], username, name=name, group_id=group.id)
            accounts.update_profile(user, session=session, display_name=name, candidate_number=number,
                                    language="nb", part=2)
            people.append(user)
        return people

    owner, peer = seed(world["url"], build)
    return {"owner": owner, "peer": peer, "title": f"Samtale med Kari {n}"}


def signed_in(new_context, base: str, user, **options):
    page = new_context(**options).new_page()
    sign_in(page, base, user.username, expect_home=user.display_name)
    return page


def main(page):
    return page.get_by_test_id("stMain")


def toast(page, text: str):
    return page.get_by_test_id("stToast").filter(has_text=text)


def open_group_draft(page):
    nav_link(page, t("nav.exam", "nb")).click()
    expect(page.get_by_role("heading", name=t("nav.exam", "nb"), exact=True)).to_be_visible()
    main(page).get_by_role("radio", name=t("exam.mode.group", "nb"), exact=True).click()  # the segmented control
    expect(main(page).get_by_text(t("names.exam.group_always", "nb"))).to_be_visible()


def outline(page):
    return page.get_by_test_id("stExpander").filter(has_text=t("exam.outline", "nb"))


def test_the_peer_downloads_the_group_draft_with_the_owners_replacement_not_the_name(
        world, base, group, new_context, tmp_path, screenshot):
    owner, peer = group["owner"], group["peer"]

    # The owner writes a note about Kari ...
    page = signed_in(new_context, base, owner)
    nav_link(page, "Notater").click()
    page.get_by_role("button", name="Nytt notat", exact=True).click()
    expect(page.get_by_role("heading", name="Refleksjonsnotat", exact=True)).to_be_visible()
    page.get_by_role("textbox", name="Tittel").fill(group["title"])
    page.get_by_role("textbox", name=DESCRIPTION_FIELD).fill(WRITTEN)
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_text("Lagret som versjon 1.")).to_be_visible()
    note_id = int(re.search(r"[?&]id=(\d+)", page.url).group(1))

    # ... shares it with Kari replaced by "kollega A" ...
    panel = page.get_by_test_id("stExpander").filter(has=page.get_by_text(t("share.panel", "nb"), exact=True))
    panel.get_by_text(t("share.panel", "nb"), exact=True).click()
    expect(panel.get_by_text("Kari", exact=True)).to_be_visible()  # the name check points it out
    panel.get_by_role("textbox", name=t("share.replace_with", "nb", name="Kari")).fill("kollega A")
    panel.get_by_role("button", name=SHARE_BUTTON, exact=True).click()
    expect(toast(page, t("share.shared", "nb", version=1))).to_be_visible()
    assert seed(world["url"], lambda s: name_replacements.replacements_of(s, [owner.id])) == {
        owner.id: {"Kari": "kollega A"}}  # remembered

    # ... joins the group's exam draft and ticks the note in the material table (a canvas grid).
    open_group_draft(page)
    page.get_by_role("button", name=t("exam.join", "nb")).click()
    expect(toast(page, t("exam.joined", "nb"))).to_be_visible()
    grid = main(page).get_by_test_id("stDataFrame")
    expect(grid).to_be_visible()  # opened by itself while nothing is ticked
    page.wait_for_timeout(1000)  # the expander opens with an animation; the grid takes clicks after it
    box = grid.bounding_box()
    row_height = 35  # Streamlit's grid: a header row, then rows of 35 px; the note is the only row
    page.mouse.click(box["x"] + 25, box["y"] + row_height + row_height / 2)
    page.wait_for_timeout(300)
    page.keyboard.press(" ")
    expect(toast(page, t("exam.choices_saved", "nb"))).to_be_visible()
    expect(outline(page)).to_contain_text(group["title"].replace("Kari", "kollega A"))
    expect(outline(page)).not_to_contain_text("Kari")

    # The peer opens the group's draft: no Kari on the page, nor in the Word file.
    peer_page = signed_in(new_context, base, peer, accept_downloads=True)
    open_group_draft(peer_page)
    expect(outline(peer_page)).to_contain_text(group["title"].replace("Kari", "kollega A"))
    expect(main(peer_page)).not_to_contain_text("Kari")
    peer_page.get_by_role("button", name=t("exam.make", "nb")).click()
    expect(main(peer_page).get_by_text(t("exam.ready", "nb"))).to_be_visible()
    download_button = main(peer_page).get_by_role("button", name="Last ned LEDPRO-")
    expect(download_button).to_contain_text("-gruppe-")
    with peer_page.expect_download() as waiting:
        download_button.click()
    saved = tmp_path / waiting.value.suggested_filename
    waiting.value.save_as(saved)
    screenshot(peer_page, "peer_group_draft_without_kari")

    content = saved.read_bytes()
    document = docx.Document(io.BytesIO(content))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [cell.text for table in document.tables for row in table.rows for cell in row.cells])
    assert REPLACED in text
    assert group["title"].replace("Kari", "kollega A") in text
    assert "Kari" not in text
    with zipfile.ZipFile(io.BytesIO(content)) as package:  # headers, metadata, everything in the file
        assert not any("Kari" in package.read(name).decode("utf-8", "replace") for name in package.namelist())
    assert "Kari" not in peer_page.content()

    # The owner's journal keeps Kari.
    kept = seed(world["url"], lambda s: journal.get_document(owner, session=s, document_id=note_id).fields)
    assert kept["description"] == WRITTEN and kept["title"] == group["title"]
