"""The exam draft in Chromium against a real server: a participant with a challenge, a note and a cited
reference opens Eksamensutkast, makes the Word file and downloads it; the file opens in python-docx with
the note's text, the reference in the reference list and the candidate number in its name. And the
Litteratur page in the browser: importing a RIS file (st.file_uploader, which AppTest cannot fill) and a
reference form that says what is missing without losing what was typed.

One server for the module; every journey gets a participant of its own, seeded through the services."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import docx
import pytest
from playwright.sync_api import expect

from ledpro_journal.i18n import t
from ledpro_journal.models import DocumentKind
from ledpro_journal.services import accounts, exam, journal, literature
from tests.browser.conftest import PROJECT_ROOT, cohort_on_a_server, nav_link, seed, sign_in
from tests.helpers import make_member

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"  # gitignored: screenshots to look at after a run
NOTE_TEXT = "Gruppa var taus i ti minutter før noen tok ordet."
MAKE = t("exam.make", "nb")  # "Lag Word-fil"
READY = t("exam.ready", "nb")  # "Word-fila er klar."
TWO_REFERENCES = PROJECT_ROOT / "tests" / "references" / "fixtures" / "two_references.ris"  # as Zotero exports them
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "exam")
    yield world
    world["server"].close()


@pytest.fixture
def base(world):
    return world["server"].url


def participant(world, *, candidate_number: str = "", with_year: bool = False):
    """A participant of their own (candidate number, part 2); with a challenge and a note that cites Bion."""
    n = next(_numbers)

    def build(session):
        user = make_member(session, world["admin"], world["cohort_id"], f"kandidat{n}", name=f"Kari Kandidat {n}")
        accounts.update_profile(user, session=session, display_name=user.display_name,
                                candidate_number=candidate_number, language="nb", part=2)
        if with_year:
            challenge = journal.my_challenge(user, session=session)
            journal.save_document(user, session=session, document_id=challenge.id, base_version=challenge.version,
                                  fields={"title": "Møtekultur i enheten",
                                          "problem_statement": "Hvordan kan jeg endre møtekulturen?"})
            note = journal.create_document(user, session=session, kind=DocumentKind.NOTE)
            journal.save_document(user, session=session, document_id=note.id, base_version=0,
                                  fields={"title": "Stillheten", "description": NOTE_TEXT})
            bion = literature.add_reference(user, session=session, kind="book", data={
                "authors": [{"family": "Bion", "given": "Wilfred R."}], "year": "1961",
                "title": "Experiences in groups and other papers", "publisher": "Tavistock"})
            session.flush()
            literature.set_citations(user, session=session, note_id=note.id, cited=[(bion.id, "12")])
        return user

    return seed(world["url"], build)


def signed_in(new_context, base: str, user, **options):
    page = new_context(**options).new_page()
    sign_in(page, base, user.username, expect_home=user.display_name)
    return page


def main(page):
    return page.get_by_test_id("stMain")


def shoot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


# --- Eksamensutkast -------------------------------------------------------------------------------------------


def test_a_tick_taken_off_in_the_material_table_is_saved_at_once(world, base, new_context):
    """The table is a canvas grid that only a browser can edit: untick the note (challenge, then the note)
    with the keyboard, leave the page, come back: it is still out, and out of the outline."""
    kari = participant(world, candidate_number="4711", with_year=True)
    page = signed_in(new_context, base, kari)
    nav_link(page, "Eksamensutkast").click()
    outline = page.get_by_test_id("stExpander").filter(has_text="Disposisjon")
    expect(outline).to_contain_text("Stillheten")
    page.get_by_text(t("exam.material", "nb"), exact=True).click()
    grid = main(page).get_by_test_id("stDataFrame")
    expect(grid).to_be_visible()
    page.wait_for_timeout(1000)  # the expander opens with an animation; the grid takes clicks after it
    box = grid.bounding_box()
    row_height = 35  # Streamlit's grid: a header row, then rows of 35 px
    page.mouse.click(box["x"] + 25, box["y"] + row_height + row_height * 1 + row_height / 2)  # row 2: the note
    page.wait_for_timeout(300)
    page.keyboard.press(" ")
    expect(page.get_by_text(t("exam.choices_saved", "nb"))).to_be_visible()  # the toast
    expect(outline).not_to_contain_text("Stillheten")

    nav_link(page, "Notater").click()
    nav_link(page, "Eksamensutkast").click()
    expect(page.get_by_test_id("stExpander").filter(has_text="Disposisjon")).not_to_contain_text("Stillheten")
    items = seed(world["url"], lambda session: exam.my_material(
        kari, session=session, draft_id=exam.open_draft(kari, session=session).id))
    assert [(item.kind, item.on) for item in items] == [("challenge", True), ("note", False)]


def test_make_and_download_the_word_file(world, base, new_context, tmp_path):
    kari = participant(world, candidate_number="4711", with_year=True)
    page = signed_in(new_context, base, kari, accept_downloads=True)
    nav_link(page, "Eksamensutkast").click()
    expect(page.get_by_role("heading", name="Eksamensutkast", exact=True)).to_be_visible()
    # The outline: the chapters and the note.
    outline = page.get_by_test_id("stExpander").filter(has_text="Disposisjon")
    expect(outline).to_contain_text("1 Innledning")
    expect(outline).to_contain_text("Stillheten")
    expect(outline).to_contain_text("6 Avslutning")
    expect(main(page)).to_contain_text("Ord i hoveddelen")
    expect(main(page)).not_to_contain_text("Kandidatnummer mangler")
    expect(main(page)).not_to_contain_text("Kari Kandidat")
    shoot(page, "exam_page")

    page.get_by_role("button", name=MAKE).click()
    expect(main(page).get_by_text(READY)).to_be_visible()
    download_button = main(page).get_by_role("button", name="Last ned LEDPRO-")
    expect(download_button).to_be_visible()
    expect(download_button).to_contain_text("4711")
    shoot(page, "exam_page_file_ready")

    with page.expect_download() as waiting:
        download_button.click()
    download = waiting.value
    name = download.suggested_filename
    assert name.startswith("LEDPRO-") and name.endswith(".docx"), name
    assert "kandidat-4711" in name and "del2" in name, name
    saved = tmp_path / name
    download.save_as(saved)

    document = docx.Document(io.BytesIO(saved.read_bytes()))
    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    assert NOTE_TEXT in paragraphs
    assert "Stillheten" in paragraphs  # the note's heading
    assert "Hvordan kan jeg endre møtekulturen?" in text  # the problem statement from the challenge
    assert any(p.startswith("Bion, W. R. (1961).") for p in paragraphs), paragraphs[-10:]
    assert "Kari Kandidat" not in text and kari.username not in text
    assert "4711" in text
    # The page still works after the download (the button does not rerun the script into an error).
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(download_button).to_be_visible()


def test_without_a_candidate_number_the_page_warns_and_the_file_says_so(world, base, new_context, tmp_path):
    per = participant(world, with_year=True)
    page = signed_in(new_context, base, per, accept_downloads=True)
    nav_link(page, "Eksamensutkast").click()
    expect(main(page)).to_contain_text("Kandidatnummer mangler for 1 i utkastet.")
    page.get_by_role("button", name=MAKE).click()
    download_button = main(page).get_by_role("button", name="Last ned LEDPRO-")
    expect(download_button).to_contain_text("uten-kandidatnummer")
    with page.expect_download() as waiting:
        download_button.click()
    assert "uten-kandidatnummer" in waiting.value.suggested_filename


# --- Litteratur -------------------------------------------------------------------------------------------------


def test_import_a_ris_file_and_see_the_references_formatted(world, base, new_context):
    ola = participant(world)
    page = signed_in(new_context, base, ola)
    nav_link(page, "Litteratur").click()
    expect(page.get_by_role("heading", name="Litteratur", exact=True)).to_be_visible()
    page.get_by_role("tab", name="Importer fra Zotero eller EndNote").click()
    main(page).locator("input[type=file]").set_input_files(TWO_REFERENCES)
    button = main(page).get_by_role("button", name="Importer", exact=True)
    expect(button).to_be_enabled()
    button.click()
    expect(main(page).get_by_text("2 lagt til, 0 fantes fra før.")).to_be_visible()

    page.get_by_role("tab", name="Mine referanser").click()
    own = main(page).get_by_role("tabpanel", name="Mine referanser")
    expect(own).to_contain_text("Argyris, C. & Schön, D. A. (1974). Theory in practice")
    expect(own).to_contain_text("Revans, R. (1982). What is action learning?")
    expect(own.locator("em").filter(has_text="Journal of Management Development")).to_be_visible()
    shoot(page, "literature_after_import")

    # The same file again: nothing doubled.
    page.get_by_role("tab", name="Importer fra Zotero eller EndNote").click()
    main(page).locator("input[type=file]").set_input_files(TWO_REFERENCES)
    main(page).get_by_role("button", name="Importer", exact=True).click()
    expect(main(page).get_by_text("0 lagt til, 2 fantes fra før.")).to_be_visible()
    listed = seed(world["url"], lambda session: literature.library(ola, session=session).own)
    assert len(listed) == 2


def test_a_reference_without_a_title_is_refused_with_the_message_under_the_field(world, base, new_context):
    siri = participant(world)
    page = signed_in(new_context, base, siri)
    nav_link(page, "Litteratur").click()
    page.get_by_role("tab", name="Legg til referanse").click()
    adding = main(page).get_by_role("tabpanel", name="Legg til referanse")
    adding.get_by_role("textbox", name="Forfattere").fill("Bion, W. R.")
    adding.get_by_role("textbox", name="År").fill("1961")
    adding.get_by_role("textbox", name="Forlag eller utgiver").fill("Tavistock")
    adding.get_by_role("button", name="Legg til referanse").click()

    expect(adding.get_by_text(t("field.required", "nb"))).to_be_visible()
    shoot(page, "literature_missing_title")
    assert seed(world["url"], lambda session: literature.library(siri, session=session).own) == []
    # What was typed is still there to complete.
    expect(adding.get_by_role("textbox", name="Forfattere")).to_have_value("Bion, W. R.")
    expect(adding.get_by_role("textbox", name="Forlag eller utgiver")).to_have_value("Tavistock")

    adding.get_by_role("textbox", name="Tittel").fill("Experiences in groups")
    adding.get_by_role("button", name="Legg til referanse").click()
    expect(page.get_by_test_id("stToast").filter(has_text="Referansen er lagt til.")).to_be_visible()
    # Added: the form is empty for the next one, with no message left under it.
    for field in ("Forfattere", "År", "Tittel", "Forlag eller utgiver"):
        expect(adding.get_by_role("textbox", name=field)).to_have_value("")
    expect(adding.get_by_text(t("field.required", "nb"))).to_have_count(0)
    page.get_by_role("tab", name="Mine referanser").click()
    expect(main(page).get_by_role("tabpanel", name="Mine referanser")).to_contain_text(
        "Bion, W. R. (1961). Experiences in groups. Tavistock.")
    [added] = seed(world["url"], lambda session: literature.library(siri, session=session).own)
    assert added.data["publisher"] == "Tavistock"
