"""Journey 1: the first-run setup form, shown exactly once per installation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    expect_sign_in_form,
    home_heading,
    sqlite_url,
    start_server,
)
from tests.helpers import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory, chromium_path):
    directory = tmp_path_factory.mktemp("first_run")
    server = start_server(sqlite_url(directory), directory, "first-run")
    yield server
    server.close()


def test_first_run_setup_creates_the_admin_once(fresh_server, new_context, screenshot):
    base = fresh_server.url
    context = new_context()
    page = context.new_page()

    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/auth/setup")
    expect(page.get_by_role("heading", name="Sett opp LEDPRO Journal")).to_be_visible()

    page.locator("#display_name").fill("Siri Setup")
    page.locator("#username").fill("siri")
    page.locator("#password").fill("kort")
    page.locator("#password_repeat").fill("kort")
    page.get_by_role("button", name="Opprett administrator").click()

    error = page.locator("#password-error")
    expect(error).to_have_text("Passordet må ha minst 10 tegn.")
    expect(page.locator("#password")).to_have_attribute("aria-describedby", "password-error")
    expect(page.locator("#display_name")).to_have_value("Siri Setup")
    expect(page.locator("#username")).to_have_value("siri")

    page.locator("#password").fill(PASSWORD)
    page.locator("#password_repeat").fill(PASSWORD)
    page.get_by_role("button", name="Opprett administrator").click()
    expect(home_heading(page, "Siri Setup")).to_be_visible()
    expect(page).to_have_url(f"{base}/")

    # Never again: the setup address answers with a redirect to sign in, signed in or not.
    answer = context.request.get(f"{base}/auth/setup", max_redirects=0)
    assert answer.status == 303 and answer.headers["location"] == "/auth/signin"
    page.goto(f"{base}/auth/setup")
    expect(home_heading(page, "Siri Setup")).to_be_visible()
    expect(page.get_by_role("heading", name="Sett opp LEDPRO Journal")).to_have_count(0)

    stranger = new_context().new_page()
    stranger.goto(f"{base}/auth/setup")
    expect_sign_in_form(stranger)
    expect(stranger.get_by_role("heading", name="Sett opp LEDPRO Journal")).to_have_count(0)
    stranger.goto(f"{base}/")
    expect_sign_in_form(stranger)
    screenshot(page, "first_run_home")
