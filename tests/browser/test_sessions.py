"""Journeys 2, 3, 4, 5, 7 and 9 on one shared server: registering, signing in and out, the cookie,
restarts, and sessions that end because of something that happened elsewhere."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ledpro_journal.config import SESSION_COOKIE
from ledpro_journal.i18n import t
from ledpro_journal.models import Role
from ledpro_journal.services import programme
from tests.browser.conftest import (
    expect_sign_in_form,
    home_heading,
    nav_link,
    seed,
    sign_in,
    sqlite_url,
    start_server,
)
from tests.helpers import PASSWORD, make_admin, make_cohort, make_member

pytestmark = pytest.mark.browser

NOT_SIGNED_IN = t("auth.not_signed_in", "nb")


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    """An admin, the cohort "LEDPRO 2024", a participant invite code and a few participants."""
    directory = tmp_path_factory.mktemp("sessions")
    url = sqlite_url(directory)

    def build(session):
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
        session.commit()
        for username in ("kari", "dagfinn", "pia"):
            make_member(session, admin, cohort.id, username)
        return invite.code

    invite_code = seed(url, build)
    server = start_server(url, directory, "sessions")
    yield {"server": server, "invite_code": invite_code}
    server.close()


@pytest.fixture
def server(world):
    return world["server"]


def session_cookie(context) -> dict:
    cookies = [c for c in context.cookies() if c["name"] == SESSION_COOKIE]
    assert len(cookies) == 1, context.cookies()
    return cookies[0]


def expect_thrown_out(page) -> None:
    """The sign-in form (after the page's redirect) or, on the way there, the not-signed-in message."""
    expect(page.locator("#username").or_(page.get_by_text(NOT_SIGNED_IN))).to_be_visible()


def test_register_with_an_invite_code(world, new_context, screenshot):
    base = world["server"].url
    page = new_context().new_page()
    page.goto(f"{base}/auth/register")

    page.locator("#invite_code").fill("ZZZZ-ZZZZ-ZZZZ")
    page.locator("#display_name").fill("Nora Ny")
    page.locator("#username").fill("nora")
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_repeat").fill(PASSWORD)
    page.get_by_role("button", name="Registrer meg").click()

    error = page.locator("#invite_code-error")
    expect(error).to_contain_text("Invitasjonskoden er ukjent")
    expect(page.locator("#invite_code")).to_have_attribute("aria-describedby", "invite_code-error")
    expect(page.locator("#invite_code")).to_have_value("ZZZZ-ZZZZ-ZZZZ")
    expect(page.locator("#display_name")).to_have_value("Nora Ny")
    expect(page.locator("#username")).to_have_value("nora")

    page.locator("#invite_code").fill(world["invite_code"])
    page.locator("#password").fill(PASSWORD)
    page.locator("#password_repeat").fill(PASSWORD)
    page.get_by_role("button", name="Registrer meg").click()
    expect(home_heading(page, "Nora Ny")).to_be_visible()
    expect(page.get_by_role("heading", name="LEDPRO 2024")).to_be_visible()
    screenshot(page, "registered_home")


def test_sign_in_refresh_and_the_cookie(server, new_context, screenshot):
    context = new_context()
    page = context.new_page()
    sign_in(page, server.url, "kari", "feil passord her")
    expect(page.get_by_text("Feil brukernavn eller passord.")).to_be_visible()
    expect(page.locator("#username")).to_have_value("kari")
    assert not [c for c in context.cookies() if c["name"] == SESSION_COOKIE]

    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(home_heading(page, "Kari")).to_be_visible()

    page.reload()
    expect(home_heading(page, "Kari")).to_be_visible()
    cookie = session_cookie(context)
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Lax"
    assert cookie["path"] == "/"
    assert SESSION_COOKIE not in page.evaluate("document.cookie")
    screenshot(page, "signed_in_after_reload")


def test_sign_in_survives_a_server_restart(server, new_context, screenshot):
    page = new_context().new_page()
    sign_in(page, server.url, "kari", expect_home="Kari")
    port = server.port

    server.restart()
    assert server.port == port

    page.reload()
    expect(home_heading(page, "Kari")).to_be_visible()
    nav_link(page, "Min konto").click()
    expect(page.get_by_role("heading", name="Min konto")).to_be_visible()
    screenshot(page, "signed_in_after_restart")


def test_sign_out_ends_the_session(server, new_context, screenshot):
    context = new_context()
    page = context.new_page()
    sign_in(page, server.url, "kari", expect_home="Kari")
    old_token = session_cookie(context)["value"]

    nav_link(page, "Logg ut").click()
    expect(page.get_by_text("Du er logget ut.")).to_be_visible()
    expect_sign_in_form(page)
    assert not [c for c in context.cookies() if c["name"] == SESSION_COOKIE]

    page.goto(f"{server.url}/")
    expect_sign_in_form(page)

    # The old cookie value, replayed from somewhere else, no longer opens anything.
    replay = new_context()
    replay.add_cookies([{"name": SESSION_COOKIE, "value": old_token, "url": server.url}])
    answer = replay.request.get(f"{server.url}/", max_redirects=0, headers={"Accept": "text/html"})
    assert answer.status == 303 and answer.headers["location"].startswith("/auth/signin")
    replayed = replay.new_page()
    replayed.goto(f"{server.url}/")
    expect_sign_in_form(replayed)
    expect(home_heading(replayed, "Kari")).to_have_count(0)
    screenshot(page, "signed_out")


def test_a_deactivated_user_is_thrown_out_at_the_next_click(server, new_context, screenshot):
    participant = new_context().new_page()
    sign_in(participant, server.url, "dagfinn", expect_home="Dagfinn")

    admin = new_context().new_page()
    sign_in(admin, server.url, "admin", expect_home="Ada Admin")
    nav_link(admin, "Brukere").click()
    expect(admin.get_by_role("heading", name="Brukere")).to_be_visible()
    admin.get_by_label("Søk").fill("dagfinn")
    admin.get_by_label("Søk").press("Enter")
    expect(admin.get_by_text("Dagfinn kan logge inn.")).to_be_visible()
    admin.get_by_role("button", name="Deaktiver").click()
    expect(admin.get_by_text("Dagfinn er deaktivert og logget ut.")).to_be_visible()

    nav_link(participant, "Min konto").click()
    expect_thrown_out(participant)
    expect(participant.get_by_role("heading", name="Min konto")).to_have_count(0)
    # Let the page's own redirect to the sign-in form finish first: a goto started while it runs is aborted.
    expect_sign_in_form(participant)
    participant.goto(f"{server.url}/account")
    expect_sign_in_form(participant)
    screenshot(participant, "deactivated_thrown_out")


def test_changing_the_password_ends_the_other_sessions(server, new_context, screenshot):
    here = new_context().new_page()
    sign_in(here, server.url, "pia", expect_home="Pia")
    elsewhere = new_context().new_page()
    sign_in(elsewhere, server.url, "pia", expect_home="Pia")

    nav_link(here, "Min konto").click()
    expect(here.get_by_role("heading", name="Min konto")).to_be_visible()
    expect(here.get_by_text("Du er også logget inn i 1 annen nettleser eller enhet.")).to_be_visible()
    new_password = "et helt nytt og langt passord"
    here.get_by_label("Nåværende passord", exact=True).fill(PASSWORD)
    here.get_by_label("Nytt passord", exact=True).fill(new_password)
    here.get_by_label("Gjenta passordet", exact=True).fill(new_password)
    here.get_by_role("button", name="Bytt passord").click()
    expect(here.get_by_text("Passordet er byttet. 1 annen økt ble avsluttet.")).to_be_visible()

    nav_link(elsewhere, "Min konto").click()
    expect_thrown_out(elsewhere)
    expect(elsewhere.get_by_role("heading", name="Min konto")).to_have_count(0)

    # The browser that changed it stays signed in, and the new password is the one that works.
    here.reload()
    expect(here.get_by_role("heading", name="Min konto")).to_be_visible()
    sign_in(elsewhere, server.url, "pia", new_password, expect_home="Pia")
    screenshot(elsewhere, "password_changed_signed_in_again")
