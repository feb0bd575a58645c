"""Last ned alt mitt in Chromium against a real server: a participant downloads the zip from Min konto,
and its index.html, opened from disk in a browser whose every request off the disk is blocked, shows the
journal (a note's line breaks and markup-looking text exactly as written), with no request attempted
anywhere else. Then a newcomer with an empty account brings the same zip in through the file field.

Screenshots of the archive (desktop and phone) go to test-artifacts/ to look at after a run."""

from __future__ import annotations

import zipfile
from datetime import date

import pytest
from playwright.sync_api import expect

from ledpro_journal.i18n import t
from ledpro_journal.models import ActionStatus, DocumentKind
from ledpro_journal.services import journal
from tests.browser.conftest import PROJECT_ROOT, cohort_on_a_server, nav_link, seed, sign_in
from tests.helpers import make_member

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT_ROOT / "test-artifacts"
NOTE_TEXT = "Første linje\n\n  Innrykket linje med <img src=https://example.com/pixel.png> og **stjerner**\nSiste"


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "my_data")
    yield world
    world["server"].close()


def _year(world):
    def build(session):
        kari = make_member(session, world["admin"], world["cohort_id"], "kari", name="Kari Nordmann")
        note = journal.create_document(kari, session=session, kind=DocumentKind.NOTE)
        journal.save_document(kari, session=session, document_id=note.id, base_version=0,
                              fields={"title": "Stillheten i møtet", "description": "Først skrevet"})
        journal.save_document(kari, session=session, document_id=note.id, base_version=1,
                              fields={"description": NOTE_TEXT})
        action = journal.create_document(kari, session=session, kind=DocumentKind.ACTION)
        journal.save_document(kari, session=session, document_id=action.id, base_version=0,
                              fields={"title": "Stille start på møtene", "purpose": "Mer ro"},
                              happened_on=date(2024, 10, 1), status=ActionStatus.PLANNED)
        log = journal.create_document(kari, session=session, kind=DocumentKind.LOG, parent_id=action.id)
        journal.save_document(kari, session=session, document_id=log.id, base_version=0,
                              fields={"observations": "Det ble stille i to minutter."},
                              happened_on=date(2024, 10, 2), status=ActionStatus.IN_PROGRESS)
        newcomer = make_member(session, world["admin"], world["cohort_id"], "nina", name="Nina Nykommer")
        return kari, newcomer

    return seed(world["url"], build)


def _offline_page(new_context, **options):
    """A page whose every request that is not a file on disk is blocked and written down."""
    context = new_context(bypass_csp=False, **options)
    attempted: list[str] = []

    def block(route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    context.route("**/*", block)
    return context.new_page(), attempted


def test_download_everything_and_read_it_offline_then_import_it(world, new_context, tmp_path):
    kari, newcomer = _year(world)
    base = world["server"].url
    page = new_context(accept_downloads=True).new_page()
    sign_in(page, base, kari.username, expect_home=kari.display_name)
    nav_link(page, t("nav.account", "nb")).click()
    main = page.get_by_test_id("stMain")
    main.get_by_role("button", name=t("my_data.export.button", "nb")).click()
    expect(main.get_by_text(t("my_data.export.ready", "nb"))).to_be_visible()
    download_button = main.get_by_role("button", name="Last ned ledpro-kari-")
    expect(download_button).to_be_visible()
    with page.expect_download() as waiting:
        download_button.click()
    download = waiting.value
    assert download.suggested_filename.startswith("ledpro-kari-") and download.suggested_filename.endswith(".zip")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(saved) as archive:
        archive.extractall(folder)

    # Opened from disk, offline: nothing but the files themselves is ever requested.
    offline, attempted = _offline_page(new_context)
    offline.goto((folder / "arkiv" / "index.html").as_uri())
    expect(offline.get_by_role("heading", name="LEDPRO Journal – Kari Nordmann")).to_be_visible()
    expect(offline.get_by_role("link", name="Stille start på møtene")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    offline.screenshot(path=str(ARTIFACTS / "my_data_index.png"), full_page=True)
    offline.get_by_role("link", name="Stillheten i møtet").click()
    expect(offline.get_by_role("heading", name="Stillheten i møtet", exact=True)).to_be_visible()
    text = offline.locator(".text").first
    assert text.inner_text() == NOTE_TEXT  # line breaks and leading spaces kept, markup shown as typed
    expect(offline.locator("img")).to_have_count(0)
    offline.get_by_text("Versjon 1,").click()
    expect(offline.get_by_text("Først skrevet")).to_be_visible()
    offline.screenshot(path=str(ARTIFACTS / "my_data_note.png"), full_page=True)
    offline.get_by_role("link", name=t("my_data.archive.back", "nb")).click()
    offline.get_by_role("link", name="Stille start på møtene").click()
    expect(offline.get_by_text("Det ble stille i to minutter.")).to_be_visible()

    phone, phone_attempts = _offline_page(new_context, viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto((folder / "arkiv" / "index.html").as_uri())
    phone.get_by_role("link", name="Stillheten i møtet").click()
    expect(phone.locator(".text").first).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width  # no sideways scrolling on a phone
    phone.screenshot(path=str(ARTIFACTS / "my_data_note_phone.png"), full_page=True)
    assert attempted == [] and phone_attempts == []

    # Nina's account is empty: she brings Kari's zip in (as if it were hers from another installation).
    page = new_context().new_page()
    sign_in(page, base, newcomer.username, expect_home=newcomer.display_name)
    nav_link(page, t("nav.account", "nb")).click()
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(t("my_data.import.title", "nb"))).to_be_visible()
    main.get_by_text(t("my_data.import.title", "nb")).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "my_data_import_field.png"))
    main.locator("input[type=file]").set_input_files(saved)
    button = main.get_by_role("button", name=t("my_data.import.button", "nb"), exact=True)
    expect(button).to_be_enabled()
    button.click()
    expect(main.get_by_text("Importert – utfordring: 0, aksjoner: 1, loggføringer: 1")).to_be_visible()
    expect(main.locator("input[type=file]")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "my_data_imported.png"), full_page=True)
    nav_link(page, "Notater").click()
    expect(page.get_by_test_id("stMain").get_by_text("Stillheten i møtet")).to_be_visible()
