"""Min konto's calendar: the .ics file to download, the personal subscription address and a new address
that ends the old one; for participants and facilitators, in their language, and for no administrator."""

from __future__ import annotations

from datetime import date

import pytest
from icalendar import Calendar
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from ledpro_journal.config import get_settings
from ledpro_journal.models import CalendarFeed, DocumentKind
from ledpro_journal.services import accounts, calendar
from tests.app.builders import en, entry_app, nb, open_page, run, toasts, visible_text, write

PAGE = "pages/account.py"


@pytest.fixture
def handed_over(monkeypatch) -> list[tuple[bytes, str, str | None]]:
    """What the page gives the browser to download: (content, mime type, file name) per file."""
    files = []
    original = MemoryMediaFileStorage.load_and_get_id

    def record(self, path_or_data, mimetype, kind, filename=None):
        if isinstance(path_or_data, bytes):
            files.append((path_or_data, mimetype, filename))
        return original(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", record)
    return files


@pytest.fixture
def public_url(monkeypatch):
    monkeypatch.setenv("LEDPRO_PUBLIC_URL", "https://ledpro.example.no")
    get_settings.cache_clear()
    return "https://ledpro.example.no"


def feed_token(fresh, user) -> str | None:
    with fresh() as session:
        feed = session.get(CalendarFeed, user.id)
        return feed.token if feed else None


def codes(at) -> list[str]:
    return [code.value for code in at.code]


def open_account_at(url: str):
    """Min konto in a browser that opened the app at `url` (no public address set)."""
    at = entry_app()
    at.context = {"url": url}
    run(at)
    at.switch_page(PAGE)
    return run(at)


def test_a_participant_downloads_their_calendar_and_sees_their_address(
    writers, browser, dbs, fresh, handed_over, public_url
):
    action = write(dbs, writers.pia, DocumentKind.ACTION, {"title": "Nytt møteopplegg"}, happened_on=date(2024, 3, 4))
    write(dbs, writers.ola, DocumentKind.ACTION, {"title": "Olas aksjon"}, happened_on=date(2024, 3, 5))
    browser.sign_in(writers.pia)
    at = open_page(PAGE)

    assert nb("calendar.title") in [header.value for header in at.subheader]
    [button] = at.download_button
    assert button.label == nb("calendar.download")
    [(content, mime, filename)] = [f for f in handed_over if f[2] == calendar.FILE_NAME]
    assert mime == "text/calendar"
    summaries = {str(e["SUMMARY"]): e for e in Calendar.from_ical(content).walk("VEVENT")}
    assert summaries["Aksjon: Nytt møteopplegg – Planlagt"].decoded("DTSTART") == date(2024, 3, 4)
    assert str(summaries["Aksjon: Nytt møteopplegg – Planlagt"]["URL"]) == f"{public_url}/write?id={action.id}"
    assert "Samling 1 – LEDPRO 2024" in summaries
    assert not any("Olas" in summary for summary in summaries)

    token = feed_token(fresh, writers.pia)
    assert codes(at) == [f"{public_url}/calendar/{token}.ics"]
    text = visible_text(at)
    for key in ("calendar.how_outlook", "calendar.how_google", "calendar.how_apple", "calendar.secret"):
        assert nb(key) in text
    # Opening the page again shows the same address: it is made once.
    run(at)
    assert codes(at) == [f"{public_url}/calendar/{token}.ics"]


def test_without_a_public_address_the_address_the_browser_used_is_given(writers, browser, fresh):
    browser.sign_in(writers.pia)
    at = open_account_at("http://127.0.0.1:8501/account?x=1")
    token = feed_token(fresh, writers.pia)
    assert codes(at) == [f"http://127.0.0.1:8501/calendar/{token}.ics"]


def test_a_new_address_ends_the_old_one(writers, browser, fresh, public_url):
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    old = feed_token(fresh, writers.pia)
    # Behind a confirmation: the button that ends the old address is inside the popover, after the warning.
    [popover] = [p for p in at.get("popover") if p.proto.popover.label == nb("calendar.renew")]
    assert [m.value for m in popover.markdown] == [nb("calendar.renew_confirm_text")]
    [confirm] = popover.button
    assert confirm.label == nb("calendar.renew_confirm")
    confirm.click()
    run(at)

    new = feed_token(fresh, writers.pia)
    assert new and new != old
    assert toasts(at) == [nb("calendar.renewed")]
    assert codes(at) == [f"{public_url}/calendar/{new}.ics"]
    with fresh() as session:
        assert calendar.user_for_feed_token(session, old) is None
        assert calendar.user_for_feed_token(session, new).id == writers.pia.id


def test_a_facilitator_gets_the_gatherings_of_their_cohort(writers, frode, browser, handed_over, public_url):
    browser.sign_in(frode)
    at = open_page(PAGE)
    assert [b.label for b in at.download_button] == [nb("calendar.download")]
    [(content, _, _)] = [f for f in handed_over if f[2] == calendar.FILE_NAME]
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(content).walk("VEVENT")]
    assert summaries and all(s.startswith("Samling ") for s in summaries)
    text = visible_text(at)
    assert nb("calendar.lead_facilitator") in text and nb("calendar.secret_facilitator") in text
    assert len(at.code) == 1


def test_an_administrator_has_no_calendar(writers, browser, fresh):
    browser.sign_in(writers.admin)
    at = open_page(PAGE)
    assert nb("calendar.title") not in [header.value for header in at.subheader]
    assert not at.download_button and not at.code
    assert feed_token(fresh, writers.admin) is None


def test_the_calendar_speaks_english_to_an_english_user(writers, browser, dbs, handed_over, public_url):
    accounts.update_profile(writers.pia, session=dbs, display_name="Pia Deltaker", candidate_number="",
                            language="en", part=None)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    assert en("calendar.title") in [header.value for header in at.subheader]
    assert [b.label for b in at.download_button] == [en("calendar.download")]
    assert en("calendar.how_google") in visible_text(at)
    [(content, _, _)] = [f for f in handed_over if f[2] == calendar.FILE_NAME]
    assert "Gathering 1 – LEDPRO 2024" in [str(e["SUMMARY"]) for e in Calendar.from_ical(content).walk("VEVENT")]
