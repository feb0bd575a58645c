"""Nothing is fetched from another host: a visitor's address reaches no third party (issue 10). Every
request the browser makes while a participant, a facilitator and an administrator go through their pages
goes to the app's own server (or stays inside the page: data: and blob: addresses)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from ledpro_journal.models import Role
from tests.browser.conftest import cohort_on_a_server, nav_link, seed, sign_in
from tests.helpers import make_member

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "no_other_hosts")
    seed(world["url"], lambda s: make_member(s, world["admin"], world["cohort_id"], "pernille"))
    seed(world["url"], lambda s: make_member(s, world["admin"], world["cohort_id"], "frank", role=Role.FACILITATOR))
    yield world
    world["server"].close()


def settled(page) -> None:
    page.wait_for_function("document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'")


@pytest.mark.parametrize("username, name, pages", [
    ("pernille", "Pernille", ["Min oversikt", "Min utfordring", "Aksjoner", "Notater", "Refleksjonsgruppa",
                              "Litteratur", "Eksamensutkast", "Navn og anonymisering", "Papirkurv", "Min konto"]),
    ("frank", "Frank", ["Litteratur", "Grupper og deltakere", "Kulloversikt", "Min konto"]),
    ("admin", "Ada Admin", ["Kull og samlinger", "Grupper og deltakere", "Invitasjonskoder", "Brukere"]),
])
def test_every_request_goes_to_the_apps_own_server(world, new_context, username, name, pages):
    own = urlsplit(world["server"].url).netloc
    requested: list[str] = []
    context = new_context()
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    sign_in(page, world["server"].url, username, expect_home=name)
    settled(page)
    for title in pages:
        nav_link(page, title).click()
        settled(page)
    page.wait_for_timeout(500)
    elsewhere = [url for url in requested
                 if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != own]
    assert requested and not elsewhere, elsewhere
