"""Journey 8: two app servers on one PostgreSQL database. A sign-in made through one is honoured by the
other, and what an administrator creates through one shows on the other."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ledpro_journal.config import SESSION_COOKIE
from tests.browser.conftest import AppServer, home_heading, nav_link, seed, sign_in
from tests.conftest import drop_postgres_database, make_postgres_database
from tests.helpers import make_admin

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory, chromium_path, postgres_admin_engine):
    directory = tmp_path_factory.mktemp("two_servers")
    url = make_postgres_database(postgres_admin_engine)
    servers: list[AppServer] = []
    try:
        seed(url, make_admin)
        for name in ("server-a", "server-b"):
            servers.append(AppServer(url, directory, name).start())
        assert servers[0].port != servers[1].port
        yield servers
    finally:
        for server in servers:
            server.close()
        drop_postgres_database(postgres_admin_engine, url)


def test_two_servers_share_sessions_and_data(two_servers, new_context, screenshot):
    server_a, server_b = two_servers
    context_a = new_context()
    page_a = context_a.new_page()
    sign_in(page_a, server_a.url, "admin", expect_home="Ada Admin")

    # Cookies belong to a host, not a port: copy the session cookie explicitly into B's own context.
    cookie = next(c for c in context_a.cookies() if c["name"] == SESSION_COOKIE)
    assert cookie["domain"] == "127.0.0.1"
    context_b = new_context()
    context_b.add_cookies([{**cookie, "domain": "127.0.0.1", "path": "/"}])
    page_b = context_b.new_page()
    page_b.goto(f"{server_b.url}/")
    expect(page_b).to_have_url(f"{server_b.url}/")
    expect(home_heading(page_b, "Ada Admin")).to_be_visible()

    nav_link(page_a, "Kull og samlinger").click()
    expect(page_a.get_by_role("heading", name="Kull og samlinger", exact=True)).to_be_visible()
    page_a.get_by_label("Navn", exact=True).fill("LEDPRO 2031")
    page_a.get_by_role("button", name="Opprett kull").click()
    expect(page_a.get_by_text("Kullet «LEDPRO 2031» er opprettet.")).to_be_visible()

    nav_link(page_b, "Kull og samlinger").click()
    expect(page_b.get_by_role("heading", name="Kull og samlinger", exact=True)).to_be_visible()
    expect(page_b.get_by_role("tabpanel", name="Opplysninger").get_by_label("Navn")).to_have_value("LEDPRO 2031")
    screenshot(page_b, "server_b_sees_cohort")
