"""Logg inn med Feide in a real browser: Chromium against `streamlit run app.py` servers and the real test
OpenID Connect provider (tests/oidc_provider.py), which the browser signs in at through its own login form.

The journeys of issue 13: first login with an invite code, the second straight in, linking to a local account
with its password, a replayed callback, a wrong state, a callback opened in a browser that did not start the
login, a deactivated account, cancelling at the provider, signing out there too, and two app servers on one
PostgreSQL database (login started on one, finished on the other). tests/web/test_oidc_routes.py covers the
same routes over HTTP; these are the browser's view of them.
Every request any of these browsers makes goes to 127.0.0.1 (the app and the provider), nowhere else.
"""

from __future__ import annotations

import itertools
import re
import uuid
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from ledpro_journal.config import SESSION_COOKIE
from ledpro_journal.i18n import t
from ledpro_journal.models import Role, UserIdentity
from ledpro_journal.services import accounts, oidc, programme
from ledpro_journal.web import oidc as oidc_web
from tests.browser.conftest import AppServer, expect_sign_in_form, home_heading, nav_link, seed, sqlite_url
from tests.conftest import drop_postgres_database, make_postgres_database
from tests.helpers import PASSWORD, make_admin, make_cohort, make_member
from tests.oidc_provider import (  # noqa: F401 - registers the fixture oidc_provider_factory
    OidcAccount,
    oidc_provider_factory_fixture,
)

pytestmark = pytest.mark.browser

PROVIDER = "Feide"  # LEDPRO_OIDC_PROVIDER_NAME's default
_numbers = itertools.count(1)


def _account(username: str, name: str) -> OidcAccount:
    email = name.lower().replace(" ", ".").replace("ø", "o") + "@example.no"
    return OidcAccount(sub=str(uuid.uuid4()), username=username, password=f"{username}-feide-passord",
                       name=name, email=email)


# One person at the provider per journey: each journey starts with someone the app has not seen.
ACCOUNTS = {
    account.username: account
    for account in (
        _account("kari", "Kari Nordmann"),
        _account("ola", "Ola Hansen"),
        _account("nils", "Nils Feide Nilsen"),
        _account("tone", "Tone Tveit"),
        _account("una", "Una Utne"),
        _account("per", "Per Pedersen"),
        _account("siri", "Siri Sørli"),
        _account("eva", "Eva Ek"),
        _account("mia", "Mia Mellommann"),
    )
}


def nb(key: str, **params) -> str:
    return t(key, "nb", provider=PROVIDER, **params)


# --- the provider and the servers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def provider(oidc_provider_factory):
    return oidc_provider_factory(
        accounts=list(ACCOUNTS.values()),
        redirect_uris=["http://127.0.0.1/auth/oidc/callback"],  # any port on the loopback address
        post_logout_redirect_uris=["http://127.0.0.1/auth/oidc/signed-out"],
    )


def oidc_settings(provider) -> dict[str, str]:
    return {
        "LEDPRO_OIDC_ISSUER": provider.issuer,
        "LEDPRO_OIDC_CLIENT_ID": provider.client_id,
        "LEDPRO_OIDC_CLIENT_SECRET": provider.client_secret,
    }


def cohort(session):
    admin = make_admin(session)
    return admin, make_cohort(session, admin).id


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path, provider):
    directory = tmp_path_factory.mktemp("feide")
    url = sqlite_url(directory)
    admin, cohort_id = seed(url, cohort)
    server = AppServer(url, directory, "feide", env=oidc_settings(provider)).start()
    yield {"server": server, "url": url, "admin": admin, "cohort_id": cohort_id}
    server.close()


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory, chromium_path, provider, postgres_admin_engine):
    directory = tmp_path_factory.mktemp("feide_two_servers")
    url = make_postgres_database(postgres_admin_engine)
    servers: list[AppServer] = []
    try:
        admin, cohort_id = seed(url, cohort)
        servers = [AppServer(url, directory, name, env=oidc_settings(provider)) for name in ("server-a", "server-b")]
        for server in servers:
            # One installation, one address (a load balancer's in production): the provider sends every browser
            # back to it, and any server may be the one that receives the callback.
            server.env["LEDPRO_PUBLIC_URL"] = servers[0].url
            server.start()
        yield {"servers": servers, "url": url, "admin": admin, "cohort_id": cohort_id}
    finally:
        for server in servers:
            server.close()
        drop_postgres_database(postgres_admin_engine, url)


def invite_code(world) -> str:
    return seed(world["url"], lambda session: programme.create_invite(
        world["admin"], session=session, cohort_id=world["cohort_id"], role=Role.PARTICIPANT).code)


def linked_user_id(world, account: OidcAccount) -> int | None:
    return seed(world["url"], lambda session: session.exec(
        select(UserIdentity.user_id).where(UserIdentity.subject == account.sub)).first())


# --- browsers that only ever talk to 127.0.0.1 ----------------------------------------------------------------


@pytest.fixture
def open_browser(new_context):
    """Fresh browser contexts that note every address they ask for (pages, redirects, websockets); at the end
    of the test none may be on another host than 127.0.0.1."""
    requested: list[str] = []

    def watch_page(page):
        page.on("websocket", lambda socket: requested.append(socket.url))

    def open_context():
        context = new_context()
        context.on("request", lambda request: requested.append(request.url))
        context.on("page", watch_page)
        return context

    yield open_context
    elsewhere = [url for url in requested
                 if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"]
    assert requested and not elsewhere, elsewhere


def callbacks_of(page) -> list[str]:
    """The callback addresses the provider sends this page to, in order (code and state in each)."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url)
            if urlsplit(request.url).path == oidc.CALLBACK_PATH else None)
    return seen


# --- the journey's steps ------------------------------------------------------------------------------------------


def feide_button(page):
    return page.get_by_role("link", name=nb("oidc.signin_button"), exact=True)


def start_with_feide(page, base_url: str) -> None:
    page.goto(f"{base_url}/auth/signin")
    feide_button(page).click()


def at_provider(page, account: OidcAccount) -> None:
    """The provider's login form: Brukernavn, Passord, Logg inn."""
    expect(page.get_by_label("Brukernavn")).to_be_visible()
    assert urlsplit(page.url).path.startswith("/interaction/"), page.url
    page.get_by_label("Brukernavn").fill(account.username)
    page.get_by_label("Passord").fill(account.password)
    page.get_by_role("button", name="Logg inn").click()


def on_link_page(page, account: OidcAccount) -> None:
    expect(page.get_by_role("heading", name=nb("oidc.link.title"), exact=True)).to_be_visible()
    expect(page.get_by_text(nb("oidc.link.hello", name=account.name))).to_be_visible()
    assert urlsplit(page.url).path == oidc_web.LINK_PATH, page.url


def link_with_invite(page, code: str) -> None:
    page.locator("#invite_code").fill(code)
    page.get_by_role("button", name=nb("oidc.link.invite_button"), exact=True).click()


def first_login(page, world, account: OidcAccount) -> None:
    """Feide for the first time, an invite code on the link page, and in."""
    start_with_feide(page, world["server"].url)
    at_provider(page, account)
    on_link_page(page, account)
    link_with_invite(page, invite_code(world))
    expect(home_heading(page, account.name)).to_be_visible()


def session_cookie(context) -> dict | None:
    return next((cookie for cookie in context.cookies() if cookie["name"] == SESSION_COOKIE), None)


def expect_refused(page, response, key: str, status: int) -> None:
    """The clear page: in Norwegian, the reason, a way back to the sign-in page; no traceback, not signed in."""
    assert response is not None and response.status == status, (response and response.status, page.url)
    expect(page.get_by_role("heading", name=nb("oidc.error.title"), exact=True)).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(nb(key))
    expect(page.get_by_role("link", name=nb("oidc.back_to_signin"), exact=True)).to_be_visible()
    assert page.locator("html").get_attribute("lang", timeout=1000).startswith("nb")
    assert "Traceback" not in page.content()
    assert session_cookie(page.context) is None


def callback_response(page):
    """The app's answer at the callback (not a redirect of ours on the way there)."""
    return page.expect_response(lambda response: urlsplit(response.url).path == oidc.CALLBACK_PATH
                                and not 300 <= response.status < 400)


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode({**dict(parse_qsl(parts.query)), **changes})))


def redirect_callback(context, to) -> list[tuple[str, str]]:
    """When the provider sends the browser back to the app, send it to `to(callback)` instead, as a load balancer
    or someone in the middle would. Playwright routes only the first request of a redirect chain, so the
    provider's login form is routed: its chain of redirects is followed here (with the browser's cookies) up to
    the callback, which the browser is not sent to. Only the first login is redirected; the list returned gets
    (the provider's callback address, where the browser was sent instead)."""
    redirected: list[tuple[str, str]] = []

    def handle(route):
        if redirected or route.request.method != "POST":
            route.continue_()
            return
        response = route.fetch(max_redirects=0)
        for _ in range(10):
            assert response.status in (302, 303), (response.status, response.text())
            location = urljoin(response.url, response.headers["location"])
            if urlsplit(location).path == oidc.CALLBACK_PATH:
                break
            response = context.request.get(location, max_redirects=0)
        redirected.append((location, to(location)))
        route.fulfill(status=303, headers={"location": redirected[-1][1]})

    context.route(re.compile(r"/interaction/[^/]+/login$"), handle)
    return redirected


# --- the journeys -------------------------------------------------------------------------------------------------


def test_first_login_with_an_invite_code_and_a_refresh_keeps_one_signed_in(world, provider, open_browser):
    kari = ACCOUNTS["kari"]
    page = open_browser().new_page()
    page.goto(f"{world['server'].url}/auth/signin")
    expect(feide_button(page)).to_be_visible()
    expect(page.get_by_text(nb("oidc.or_password"))).to_be_visible()
    expect(page.locator("#username")).to_be_visible()  # the password form stays beside it
    page.screenshot(path="/tmp/feide_signin.png", full_page=True)

    feide_button(page).click()
    expect(page).to_have_url(re.compile(re.escape(provider.issuer) + "/interaction/"))
    at_provider(page, kari)
    on_link_page(page, kari)
    expect(page.get_by_role("heading", name=t("oidc.link.invite_heading", "nb"), exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name=t("oidc.link.password_heading", "nb"), exact=True)).to_be_visible()
    page.screenshot(path="/tmp/feide_link.png", full_page=True)
    assert linked_user_id(world, kari) is None  # nothing is linked until the person says who they are here

    link_with_invite(page, invite_code(world))
    expect(home_heading(page, kari.name)).to_be_visible()
    assert urlsplit(page.url).netloc == urlsplit(world["server"].url).netloc
    cookie = session_cookie(page.context)
    assert cookie is not None and cookie["httpOnly"]
    assert linked_user_id(world, kari) is not None

    page.reload()
    expect(home_heading(page, kari.name)).to_be_visible()
    assert "/auth/signin" not in page.url


def test_the_second_login_goes_straight_in(world, open_browser):
    ola = ACCOUNTS["ola"]
    first = open_browser().new_page()
    first_login(first, world, ola)

    page = open_browser().new_page()  # another browser: signed in neither at the app nor at the provider
    visited: list[str] = []
    page.on("request", lambda request: visited.append(urlsplit(request.url).path))
    start_with_feide(page, world["server"].url)
    at_provider(page, ola)
    expect(home_heading(page, ola.name)).to_be_visible()
    assert oidc_web.LINK_PATH not in visited, visited
    assert session_cookie(page.context) is not None


def test_linking_to_an_existing_local_account_with_its_password(world, open_browser):
    nils = ACCOUNTS["nils"]
    local = f"nils.lokal{next(_numbers)}"
    user = seed(world["url"], lambda session: make_member(session, world["admin"], world["cohort_id"], local,
                                                          name="Nils Lokal"))
    page = open_browser().new_page()
    start_with_feide(page, world["server"].url)
    at_provider(page, nils)
    on_link_page(page, nils)

    page.locator("#username").fill(local)
    page.locator("#password").fill("ikke passordet")
    page.get_by_role("button", name=nb("oidc.link.password_button"), exact=True).click()
    expect(page.get_by_text(t("auth.wrong_credentials", "nb"))).to_be_visible()
    assert linked_user_id(world, nils) is None

    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name=nb("oidc.link.password_button"), exact=True).click()
    expect(home_heading(page, "Nils Lokal")).to_be_visible()  # the local account, its own name kept

    # From now on Feide signs that account in, in any browser.
    again = open_browser().new_page()
    start_with_feide(again, world["server"].url)
    at_provider(again, nils)
    expect(home_heading(again, "Nils Lokal")).to_be_visible()
    assert linked_user_id(world, nils) == user.id


def test_a_replayed_callback_is_refused(world, open_browser):
    tone = ACCOUNTS["tone"]
    page = open_browser().new_page()
    callbacks = callbacks_of(page)
    start_with_feide(page, world["server"].url)
    at_provider(page, tone)
    on_link_page(page, tone)
    assert len(callbacks) == 1 and "code=" in callbacks[0] and "state=" in callbacks[0]

    # The same browser going back to the address (history, a reload): used.
    response = page.goto(callbacks[0])
    expect_refused(page, response, "oidc.error.used", 400)
    # Someone else who got hold of the address: not a login their browser started.
    other = open_browser().new_page()
    expect_refused(other, other.goto(callbacks[0]), "oidc.error.state", 400)


def test_a_wrong_state_is_refused(world, open_browser):
    una = ACCOUNTS["una"]
    context = open_browser()
    page = context.new_page()
    redirected = redirect_callback(context, lambda url: with_query(url, state="ikke-den-riktige-" + "x" * 20))
    start_with_feide(page, world["server"].url)
    with callback_response(page) as refused:
        at_provider(page, una)
    expect_refused(page, refused.value, "oidc.error.state", 400)
    [(real, forged)] = redirected
    assert page.url == forged and dict(parse_qsl(urlsplit(real).query))["code"] in forged

    # The refusal used nothing up: the provider's own address, state untouched, still finishes the login.
    page.goto(real)
    on_link_page(page, una)


def test_a_callback_from_another_browser_is_refused(world, open_browser):
    """Someone signs in at Feide in their own browser, stops before the app, and gets another person's browser to
    open the callback (a link in an e-mail): that browser did not start the login, so it is refused, and nobody
    is signed in as, or linked to, the sender's Feide identity."""
    mia = ACCOUNTS["mia"]
    sender = open_browser()
    sender_page = sender.new_page()
    redirected = redirect_callback(sender, lambda url: f"{world['server'].url}/auth/signin")
    start_with_feide(sender_page, world["server"].url)
    at_provider(sender_page, mia)
    expect_sign_in_form(sender_page)
    [(callback, _)] = redirected

    page = open_browser().new_page()
    response = page.goto(callback)
    expect_refused(page, response, "oidc.error.state", 400)

    # The one who started it can still finish it (the refusal used nothing up).
    sender_page.goto(callback)
    on_link_page(sender_page, mia)


def test_a_deactivated_account_is_refused(world, open_browser):
    per = ACCOUNTS["per"]
    first_login(open_browser().new_page(), world, per)
    user_id = linked_user_id(world, per)
    seed(world["url"], lambda session: accounts.set_user_active(
        world["admin"], session=session, user_id=user_id, active=False))

    page = open_browser().new_page()
    start_with_feide(page, world["server"].url)
    with callback_response(page) as refused:
        at_provider(page, per)
    expect_refused(page, refused.value, "oidc.error.deactivated", 403)


def test_cancelling_at_feide_gives_a_clear_page(world, open_browser):
    page = open_browser().new_page()
    start_with_feide(page, world["server"].url)
    expect(page.get_by_label("Brukernavn")).to_be_visible()
    with callback_response(page) as cancelled:
        page.get_by_role("button", name="Avbryt").click()
    expect_refused(page, cancelled.value, "oidc.error.cancelled", 400)
    assert "error=access_denied" in cancelled.value.url

    page.get_by_role("link", name=nb("oidc.back_to_signin"), exact=True).click()
    expect_sign_in_form(page)
    expect(feide_button(page)).to_be_visible()


def test_signing_out_offers_signing_out_of_feide_too(world, provider, open_browser):
    siri = ACCOUNTS["siri"]
    page = open_browser().new_page()
    first_login(page, world, siri)

    nav_link(page, t("nav.sign_out", "nb")).click()
    expect(page.get_by_role("heading", name=nb("oidc.signout.title"), exact=True)).to_be_visible()
    expect(page.get_by_text(nb("oidc.signout.lead"))).to_be_visible()
    assert session_cookie(page.context) is None
    button = page.get_by_role("link", name=nb("oidc.signout.button"), exact=True)
    assert button.get_attribute("href").startswith(provider.discovery()["end_session_endpoint"] + "?")

    visited: list[str] = []
    page.on("request", lambda request: visited.append(request.url))
    button.click()
    expect(page.get_by_role("heading", name=nb("oidc.signout.done_title"), exact=True)).to_be_visible()
    expect(page.get_by_text(nb("oidc.signout.done_lead"))).to_be_visible()
    assert page.url == world["server"].url + oidc.SIGNED_OUT_PATH
    assert any(url.startswith(provider.issuer + "/openid/endsession") for url in visited), visited

    # Signed out at the provider too: Feide again asks for the password, and the app has no session.
    page.get_by_role("link", name=nb("oidc.back_to_signin"), exact=True).click()
    expect_sign_in_form(page)
    feide_button(page).click()
    at_provider(page, siri)
    expect(home_heading(page, siri.name)).to_be_visible()


def test_login_started_on_one_server_is_finished_on_the_other(two_servers, open_browser):
    eva = ACCOUNTS["eva"]
    server_a, server_b = two_servers["servers"]
    context = open_browser()
    page = context.new_page()
    redirected = redirect_callback(
        context, lambda url: urlunsplit(urlsplit(url)._replace(netloc=f"127.0.0.1:{server_b.port}")))
    started: list[str] = []
    page.on("request", lambda request: started.append(request.url)
            if urlsplit(request.url).path == "/auth/oidc/start" else None)

    start_with_feide(page, server_a.url)
    at_provider(page, eva)
    on_link_page(page, eva)
    assert [urlsplit(url).port for url in started] == [server_a.port]
    [(callback, finished_at)] = redirected
    assert urlsplit(callback).port == server_a.port and urlsplit(finished_at).port == server_b.port
    assert page.url.startswith(server_b.url + oidc_web.LINK_PATH)

    link_with_invite(page, invite_code(two_servers))
    expect(home_heading(page, eva.name)).to_be_visible()
    assert page.url.startswith(server_b.url + "/"), page.url
    page.reload()
    expect(home_heading(page, eva.name)).to_be_visible()
    assert page.url.startswith(server_b.url + "/"), page.url
