"""The calendar feed on real servers: the address Min konto shows is the one a calendar program can fetch
(without any cookie), a new address ends the old one, and no feed address ever reaches the server's log.

Two ways the app is served: `streamlit run app.py` (./run.sh), and uvicorn directly with its access log on
and everything logged that can be (trace level, LEDPRO_LOG_LEVEL=DEBUG), as a deployment might run it."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import date

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from ledpro_journal.i18n import t
from ledpro_journal.models import DocumentKind
from ledpro_journal.services import calendar, journal
from tests.browser.conftest import PROJECT_ROOT, AppServer, seed, sign_in, sqlite_url, start_server
from tests.helpers import make_admin, make_cohort, make_member

pytestmark = pytest.mark.browser

TITLE = "Medarbeidersamtaler på ny måte"


def build(session):
    admin = make_admin(session)
    cohort = make_cohort(session, admin)
    pia = make_member(session, admin, cohort.id, "pia", name="Pia Deltaker")
    action = journal.create_document(pia, session=session, kind=DocumentKind.ACTION)
    journal.save_document(pia, session=session, document_id=action.id, base_version=0, fields={"title": TITLE},
                          happened_on=date(2024, 3, 4))
    return pia


def get(url: str, **headers) -> tuple[int, bytes, object]:
    """What a calendar program gets: no cookie, no redirect followed."""
    request = urllib.request.Request(url, headers={"Accept": "text/calendar", "User-Agent": "Kalender/1.0", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.read(), error.headers


def summaries(content: bytes) -> list[str]:
    return [str(event["SUMMARY"]) for event in Calendar.from_ical(content).walk("VEVENT")]


def shown_address(page) -> str:
    code = page.get_by_test_id("stCode").locator("code")
    expect(code).to_have_count(1)
    return code.inner_text().strip()


def assert_not_in_log(server: AppServer, *tokens: str) -> str:
    log = server.log_text()
    assert "database ready" in log  # the log is the server's, and it was written
    for token in tokens:
        assert token not in log
    return log


def test_the_address_on_min_konto_works_a_new_one_ends_it_and_neither_reaches_the_log(tmp_path, new_context,
                                                                                    screenshot):
    url = sqlite_url(tmp_path)
    seed(url, build)
    server = start_server(url, tmp_path, "calendar")
    try:
        page = new_context().new_page()
        sign_in(page, server.url, "pia", expect_home="Pia Deltaker")
        page.goto(f"{server.url}/account")
        heading = page.get_by_role("heading", name=t("calendar.title", "nb"))
        expect(heading).to_be_visible()
        old = shown_address(page)
        heading.scroll_into_view_if_needed()
        screenshot(page, "min-konto-kalender")
        assert old.startswith(f"{server.url}/calendar/") and old.endswith(".ics")

        status, content, headers = get(old)
        assert status == 200
        assert headers["Content-Type"] == "text/calendar; charset=utf-8"
        assert f"Aksjon: {TITLE} – Planlagt" in summaries(content)
        assert get(old, **{"If-None-Match": headers["ETag"]})[0] == 304

        page.get_by_role("button", name=t("calendar.renew", "nb")).click()
        page.get_by_role("button", name=t("calendar.renew_confirm", "nb")).click()
        expect(page.get_by_test_id("stCode").locator("code")).not_to_have_text(old)
        new = shown_address(page)
        assert new != old and new.startswith(f"{server.url}/calendar/")
        assert get(old)[0] == 404
        assert get(new)[0] == 200
    finally:
        server.close()
    assert_not_in_log(server, old.split("/")[-1].removesuffix(".ics"), new.split("/")[-1].removesuffix(".ics"))


class UvicornServer(AppServer):
    """The same app served by `uvicorn app:app`: its access log on (the default) and at trace level."""

    def start(self) -> UvicornServer:
        env = dict(os.environ, LEDPRO_DATABASE_URL=self.database_url, LEDPRO_LOG_LEVEL="DEBUG",
                   STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
        self._log_file = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app:app", "--host", "127.0.0.1", "--port", str(self.port),
             "--log-level", "trace", "--access-log"],
            cwd=PROJECT_ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT, start_new_session=True,
        )
        if self not in AppServer.live:
            AppServer.live.append(self)
        self._wait_until_healthy()
        return self


def test_uvicorns_access_log_shows_the_request_without_the_address(tmp_path, chromium_path):
    url = sqlite_url(tmp_path)
    pia = seed(url, build)
    old = seed(url, lambda session: calendar.feed_token_for(pia, session=session))
    server = UvicornServer(url, tmp_path, "uvicorn").start()
    try:
        status, _, headers = get(f"{server.url}/calendar/{old}.ics")
        assert status == 200
        assert get(f"{server.url}/calendar/{old}.ics", **{"If-None-Match": headers["ETag"]})[0] == 304
        new = seed(url, lambda session: calendar.renew_feed_token(pia, session=session))
        assert get(f"{server.url}/calendar/{old}.ics")[0] == 404
        assert get(f"{server.url}/calendar/{new}.ics?utm=1")[0] == 200
    finally:
        server.close()
    log = assert_not_in_log(server, old, new)
    # The requests are logged, the addresses blanked.
    assert log.count('"GET /calendar/[feed address] HTTP/1.1" 200') >= 2
    assert '"GET /calendar/[feed address] HTTP/1.1" 304' in log
    assert '"GET /calendar/[feed address] HTTP/1.1" 404' in log
