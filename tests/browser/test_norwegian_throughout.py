"""Norwegian throughout, in Chromium against a real server: none of Streamlit's own English words on the
screens with choosers and file fields ("Choose options", "Select all", "Upload", "200MB per file"); the file
fields state their real limit in bokmål; a facilitator or administrator who opens a participant's address,
or anyone an address of no page, gets a page in bokmål and no "Page not found" dialog; and the invite form
offers "Plasser i gruppe" only with "Deltaker" chosen.

One server for the module; the people and their writing are seeded through the services."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlmodel import func, select

from ledpro_journal.export.exam_docx import MAX_TEMPLATE_BYTES
from ledpro_journal.i18n import t
from ledpro_journal.models import DocumentKind, InviteCode, Role
from ledpro_journal.references import MAX_IMPORT_BYTES
from ledpro_journal.services import journal, literature, programme
from ledpro_journal.ui.widgets import upload_megabytes
from tests.browser.conftest import PROJECT_ROOT, home_heading, seed, sign_in, sqlite_url, start_server
from tests.helpers import make_admin, make_cohort, make_member

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"  # gitignored: screenshots to look at after a run
# Streamlit's own words, as its frontend writes them when nobody says otherwise.
ENGLISH = ["Choose options", "Choose an option", "Select all", "Upload", "per file", "200MB", "Drag and drop",
           "Page not found", "No options to select"]


def nb(key: str, **params) -> str:
    return t(key, "nb", **params)


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    directory = tmp_path_factory.mktemp("norwegian")
    url = sqlite_url(directory)

    def build(session):
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe Nord")
        pia = make_member(session, admin, cohort.id, "pia", name="Pia Deltaker")
        make_member(session, admin, cohort.id, "frode", role=Role.FACILITATOR, name="Frode Faglærer")
        note = journal.create_document(pia, session=session, kind=DocumentKind.NOTE)
        journal.save_document(pia, session=session, document_id=note.id, base_version=0,
                              fields={"title": "Et notat"})
        literature.add_reference(pia, session=session, kind="book",
                                 data={"authors": [{"family": "Bion", "given": "Wilfred R."}], "year": "1961",
                                       "title": "Experiences in groups", "publisher": "Tavistock"})
        seeded_invites = session.exec(select(func.max(InviteCode.id))).one()
        return {"cohort_id": cohort.id, "note_id": note.id, "seeded_invites": seeded_invites}

    world = seed(url, build)
    world.update(url=url, server=start_server(url, directory, "norwegian"))
    yield world
    world["server"].close()


@pytest.fixture
def base(world):
    return world["server"].url


def signed_in(new_context, base, username: str, name: str):
    page = new_context().new_page()
    sign_in(page, base, username, expect_home=name)
    return page


def main(page):
    return page.get_by_test_id("stMain")


def words_on_screen(page) -> str:
    """What a reader sees: the page's text, and the placeholder of every empty field."""
    return page.evaluate(
        """() => [document.body.innerText, ...Array.from(document.querySelectorAll('input, textarea'))
                  .filter(field => !field.value && field.placeholder && field.offsetParent !== null)
                  .map(field => field.placeholder)].join('\\n')"""
    )


def assert_no_english(page, where: str) -> None:
    words = words_on_screen(page)
    assert [word for word in ENGLISH if word in words] == [], f"{where}:\n{words}"


def generated_texts(locator) -> list[str]:
    """The texts CSS writes into the element and those inside it (content of ::after)."""
    return locator.evaluate(
        """element => [element, ...element.querySelectorAll('*')]
               .map(e => getComputedStyle(e, '::after').content)
               .filter(content => content.startsWith('"')).map(content => content.slice(1, -1))"""
    )


def check_file_field(page, label: str, *, limit: int, types: str) -> None:
    """The field refuses, in the browser, what the service would; its button and the text shown while a
    file is dragged over it are in bokmål; under it, the real limit and the file types in bokmål."""
    field = main(page).get_by_test_id("stFileUploader").filter(has_text=label)
    expect(field).to_be_visible()
    dropzone = field.get_by_test_id("stFileUploaderDropzone")
    expect(dropzone.get_by_role("button", name=nb("upload.choose_file"), exact=True)).to_be_visible()
    expect(dropzone.get_by_role("button", name="Upload", exact=True)).to_have_count(0)
    assert generated_texts(dropzone) == [nb("upload.choose_file")]
    expect(dropzone.get_by_test_id("stFileUploaderDropzoneInstructions")).to_be_hidden()
    expect(main(page).get_by_text(nb("upload.limits", size=upload_megabytes(limit), types=types),
                                  exact=True)).to_be_visible()
    assert_no_english(page, label)

    # A file dragged over the field.
    transfer = page.evaluate_handle(
        "() => { const t = new DataTransfer(); t.items.add(new File(['x'], 'a.ris')); return t; }")
    dropzone.dispatch_event("dragenter", {"dataTransfer": transfer})
    overlay = dropzone.locator(":scope > div:not([data-testid])")
    expect(overlay).to_be_visible()
    assert sorted(generated_texts(dropzone)) == sorted([nb("upload.choose_file"), nb("upload.drop_here")])
    assert "Drag and drop" not in dropzone.inner_text()
    dropzone.dispatch_event("dragleave", {"dataTransfer": transfer})
    expect(overlay).to_have_count(0)

    # A file chosen: its name in place of the button, and none of our words beside it.
    dropzone.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": "a.ris" if ".ris" in types else "a.docx", "mimeType": "text/plain", "buffer": b"x"}])
    expect(dropzone.get_by_test_id("stFileChip")).to_be_visible()
    assert generated_texts(dropzone) == []
    assert_no_english(page, f"{label}, a file chosen")


def test_a_participants_choosers_and_file_field_speak_bokmaal(world, base, new_context):
    page = signed_in(new_context, base, "pia", "Pia Deltaker")
    page.goto(f"{base}/write?id={world['note_id']}")
    themes = main(page).get_by_role("combobox", name=nb("journal.themes"))
    expect(themes).to_have_attribute("placeholder", nb("widget.choose_options"))
    # No actions written yet: the chooser says there is nothing to choose, in bokmål.
    expect(main(page).get_by_role("combobox", name=nb("journal.actions_reflected"))).to_have_attribute(
        "placeholder", nb("widget.no_options"))
    assert_no_english(page, "the note")
    themes.click()
    listbox = page.get_by_role("listbox")
    expect(listbox).to_contain_text("Egen rolle og autoritet")
    expect(listbox.get_by_text("Select all")).to_have_count(0)
    assert_no_english(page, "the note's themes, open")
    page.keyboard.press("Escape")

    main(page).get_by_text(nb("literature.cite"), exact=True).click()
    cite = main(page).get_by_role("combobox", name=nb("literature.cite_pick"))
    expect(cite).to_have_attribute("placeholder", nb("widget.choose_options"))

    # A selectbox emptied to search: our placeholder, not "Choose an option".
    page.goto(f"{base}/notes")
    kind = main(page).get_by_role("combobox", name=nb("journal.filter.kind"))
    kind.click()
    kind.fill("")
    expect(kind).to_have_attribute("placeholder", nb("widget.choose_option"))
    assert_no_english(page, "the notes' filter, emptied")
    page.keyboard.press("Escape")

    page.goto(f"{base}/literature")
    page.get_by_role("tab", name=nb("literature.import")).click()
    check_file_field(page, nb("literature.import.file"), limit=MAX_IMPORT_BYTES, types=".ris, .bib, .txt")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "literature_import_in_bokmaal.png"), full_page=True)


def test_a_facilitators_file_field_speaks_bokmaal(world, base, new_context):
    page = signed_in(new_context, base, "frode", "Frode Faglærer")
    page.goto(f"{base}/literature")
    page.get_by_role("tab", name=nb("literature.import")).click()
    check_file_field(page, nb("literature.import.file"), limit=MAX_IMPORT_BYTES, types=".ris, .bib, .txt")


def test_the_administrators_template_field_speaks_bokmaal(world, base, new_context):
    page = signed_in(new_context, base, "admin", "Ada Admin")
    page.goto(f"{base}/admin_cohorts")
    page.get_by_role("tab", name=nb("exam.template.title")).click()
    check_file_field(page, nb("exam.template.file"), limit=MAX_TEMPLATE_BYTES, types=".docx, .dotx")


def expect_no_dialog(page) -> None:
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text("Page not found")).to_have_count(0)


@pytest.mark.parametrize("username, name", [("frode", "Frode Faglærer"), ("admin", "Ada Admin")])
def test_a_participants_address_says_no_access_in_bokmaal(world, base, new_context, username, name):
    page = signed_in(new_context, base, username, name)
    for path in ("/notes", "/write", f"/write?id={world['note_id']}", "/exam"):
        page.goto(f"{base}{path}")
        expect(main(page).get_by_role("heading", name=nb("error.no_access_title"), exact=True)).to_be_visible()
        expect(main(page).get_by_text(nb("error.not_allowed"), exact=True)).to_be_visible()
        expect(main(page).get_by_text("Et notat")).to_have_count(0)
        expect_no_dialog(page)
        assert_no_english(page, path)
    main(page).get_by_role("link", name=nb("nav.home")).click()
    expect(home_heading(page, name)).to_be_visible()
    expect(page).to_have_url(f"{base}/")


def test_an_address_of_no_page_says_so_in_bokmaal(world, base, new_context):
    page = signed_in(new_context, base, "pia", "Pia Deltaker")
    for path in ("/nonsense", "/n%C3%B8tter", "/admin_users"):
        page.goto(f"{base}{path}")
        title = "error.no_access_title" if path == "/admin_users" else "error.page_not_found_title"
        expect(main(page).get_by_role("heading", name=nb(title), exact=True)).to_be_visible()
        expect_no_dialog(page)
        assert_no_english(page, path)
    # /home names the home page, which lives at the root.
    page.goto(f"{base}/home")
    expect(home_heading(page, "Pia Deltaker")).to_be_visible()
    expect(page).to_have_url(f"{base}/")
    expect_no_dialog(page)
    # Her own pages by their address, as before.
    page.goto(f"{base}/notes")
    expect(main(page).get_by_role("heading", name=nb("nav.notes"), exact=True)).to_be_visible()
    expect_no_dialog(page)


def test_the_invite_form_offers_a_group_only_for_a_participant_code(world, base, new_context):
    page = signed_in(new_context, base, "admin", "Ada Admin")
    page.goto(f"{base}/admin_invites")
    group = main(page).get_by_role("combobox", name=nb("invite.group"))
    expect(group).to_be_visible()
    role = main(page).get_by_test_id("stRadio")
    role.get_by_text(nb("role.facilitator"), exact=True).click()
    expect(main(page).get_by_text(nb("invite.group"), exact=True)).to_have_count(0)
    expect(group).to_have_count(0)
    assert_no_english(page, "the invite form")
    main(page).get_by_role("button", name=nb("invite.create")).click()
    expect(main(page).get_by_text(nb("invite.share_this"))).to_be_visible()
    assert [(i.role, i.group_id) for i in invites(world)] == [(Role.FACILITATOR, None)]

    role.get_by_text(nb("role.participant"), exact=True).click()
    expect(group).to_be_visible()
    group.click()
    page.get_by_role("option", name="Gruppe Nord").click()
    main(page).get_by_role("button", name=nb("invite.create")).click()
    deadline = time.monotonic() + 20
    while len(invites(world)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [(i.role, i.group_id is not None) for i in invites(world)] == [(Role.FACILITATOR, False),
                                                                          (Role.PARTICIPANT, True)]


def invites(world) -> list[InviteCode]:
    """The codes made on the page (the seeded people's codes were made before, by make_member)."""
    return seed(world["url"], lambda session: list(session.exec(
        select(InviteCode).where(InviteCode.id > world["seeded_invites"]).order_by(InviteCode.id)).all()))
