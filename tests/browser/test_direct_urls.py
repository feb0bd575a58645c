"""Journey 6: every page's address, opened without signing in on a freshly started server, shows the
sign-in form and nothing of the page. Runs before any signed-in session has built the navigation."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from ledpro_journal.i18n import t
from tests.browser.conftest import (
    PROJECT_ROOT,
    expect_sign_in_form,
    seed,
    sqlite_url,
    start_server,
)
from tests.helpers import PASSWORD, make_admin, make_cohort

pytestmark = pytest.mark.browser

PAGE_PATHS = sorted({f"/{p.stem}" for p in Path(PROJECT_ROOT, "pages").glob("*.py")} | {"/home", "/account"})
# Titles and headings of the pages: none of them may show before signing in.
PAGE_TEXTS = [
    t(key, "nb")
    for key in (
        "nav.admin_users", "nav.admin_cohorts", "nav.admin_groups", "nav.admin_invites", "nav.account",
        "cohort.new", "user.manage", "invite.new", "account.password_title", "home.programme",
    )
]


@pytest.fixture(scope="module")
def gated_server(tmp_path_factory, chromium_path):
    directory = tmp_path_factory.mktemp("direct_urls")
    url = sqlite_url(directory)
    seed(url, lambda session: make_cohort(session, make_admin(session)))  # set up: not in first-run mode
    server = start_server(url, directory, "direct-urls")
    yield server
    server.close()


def test_anonymous_direct_urls_show_only_the_sign_in_form(gated_server, new_context, screenshot):
    base = gated_server.url
    assert len(PAGE_PATHS) >= 6, PAGE_PATHS
    for path in [*PAGE_PATHS, "/"]:
        context = new_context()
        page = context.new_page()
        page.goto(f"{base}{path}")
        expect_sign_in_form(page)
        query = parse_qs(urlsplit(page.url).query)
        assert query.get("next") == [path], (path, page.url)
        assert page.get_by_role("heading").all_inner_texts() == ["Logg inn"], path
        for text in PAGE_TEXTS:
            expect(page.get_by_text(text, exact=True)).to_have_count(0)
        assert page.get_by_test_id("stApp").count() == 0, f"{path}: the Streamlit app was served"

    # The address is remembered: signing in from the form opens the page that was asked for.
    page = new_context().new_page()
    page.goto(f"{base}/admin_users")
    expect_sign_in_form(page)
    page.locator("#username").fill("admin")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", name="Brukere", exact=True)).to_be_visible()
    expect(page).to_have_url(f"{base}/admin_users")
    screenshot(page, "direct_url_after_sign_in")
