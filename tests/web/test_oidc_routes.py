"""Logg inn med Feide over HTTP: the app's routes (Starlette's TestClient, as the server assembles them) and the
real test OIDC provider (tests/oidc_provider.py), whose login form is filled in with httpx. No browser."""

from __future__ import annotations

import html
import logging
import re
from html import escape
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.testclient import TestClient

from ledpro_journal.config import LANGUAGE_COOKIE, SESSION_COOKIE, get_settings
from ledpro_journal.i18n import t
from ledpro_journal.models import AuthSession, Role, User
from ledpro_journal.services import accounts, oidc, programme
from ledpro_journal.web import oidc as oidc_web
from ledpro_journal.web import server
from tests.helpers import PASSWORD, make_admin, make_cohort, make_member
from tests.oidc_flow import at_provider, configure, query
from tests.oidc_provider import (  # noqa: F401 - the fixtures oidc_provider and oidc_provider_factory
    oidc_provider_factory_fixture,
    oidc_provider_fixture,
)
from tests.web.conftest import app_page

HTML = {"accept": "text/html,application/xhtml+xml"}
APP = "http://127.0.0.1:8599"  # a loopback address: the test provider accepts its callback on any port


@pytest.fixture(scope="module")
def provider(oidc_provider_factory):
    return oidc_provider_factory(
        redirect_uris=["http://127.0.0.1/auth/oidc/callback"],
        post_logout_redirect_uris=["http://127.0.0.1/auth/oidc/signed-out"],
    )


@pytest.fixture
def world(database, provider, monkeypatch):
    configure(monkeypatch, provider)
    with Session(database, expire_on_commit=False) as session:
        admin = make_admin(session)
        cohort = make_cohort(session, admin, from_template=False)
        code = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT).code
        session.commit()
    yield {"admin": admin, "cohort": cohort, "code": code}
    get_settings.cache_clear()
    oidc.forget_provider_metadata()


@pytest.fixture
def app_client(world):
    app = Starlette(routes=server.routes() + [Route("/{path:path}", app_page)], middleware=server.middleware())
    with TestClient(app, base_url=APP, follow_redirects=False) as client:
        yield client


def csrf_of(response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', response.text).group(1)


def to_provider(client, next_path="/journal") -> str:
    response = client.get(f"/auth/oidc/start?next={next_path}")
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    assert location.startswith(oidc_provider_discovery(client)["authorization_endpoint"])
    return location


def oidc_provider_discovery(_client) -> dict:
    return httpx.get(get_settings().oidc_issuer + "/.well-known/openid-configuration").json()


def back_at_app(client, callback: str):
    assert callback.startswith(APP + oidc.CALLBACK_PATH)
    return client.get(callback[len(APP):])


def sign_in_with_provider(client, account):
    return back_at_app(client, at_provider(to_provider(client), account))


def link_with_invite(client, code: str):
    page = client.get(oidc_web.LINK_PATH)
    assert page.status_code == 200, page.text
    return client.post(oidc_web.LINK_PATH, data={"csrf": csrf_of(page), "form": "invite", "invite_code": code})


def test_the_sign_in_page_offers_feide_only_when_it_is_configured(app_client, monkeypatch):
    page = app_client.get("/auth/signin?next=/journal")
    assert "Logg inn med Feide" in page.text
    assert 'href="/auth/oidc/start?next=%2Fjournal"' in page.text
    monkeypatch.setenv("LEDPRO_OIDC_ISSUER", "")
    get_settings.cache_clear()
    assert "Logg inn med Feide" not in app_client.get("/auth/signin").text
    assert app_client.get("/auth/oidc/start").status_code == 404


def test_first_login_links_with_an_invite_code_and_the_second_goes_straight_in(app_client, world, provider, caplog,
                                                                                database):
    kari = provider.account("kari")
    app_client.cookies.set(LANGUAGE_COOKIE, "nn")
    caplog.set_level(logging.DEBUG)
    callback = at_provider(to_provider(app_client), kari)
    response = back_at_app(app_client, callback)
    assert response.status_code == 303 and response.headers["location"] == oidc_web.LINK_PATH
    cookie = response.headers["set-cookie"]
    assert f"{oidc_web.LINK_COOKIE}=" in cookie and "HttpOnly" in cookie and "Path=/auth/oidc/" in cookie
    assert SESSION_COOKIE not in app_client.cookies

    page = app_client.get(oidc_web.LINK_PATH)
    assert "Første innlogging med Feide" in page.text and "Hei, Kari Nordmann!" in page.text
    assert "kjenner deg ikkje enno" in page.text and 'lang="nn-NO"' in page.text
    wrong = app_client.post(oidc_web.LINK_PATH, data={"csrf": csrf_of(page), "form": "invite",
                                                      "invite_code": "FEIL-KODE"})
    assert wrong.status_code == 400 and "Invitasjonskoden er ukjend" in wrong.text

    signed_in = link_with_invite(app_client, world["code"])
    assert signed_in.status_code == 303 and signed_in.headers["location"] == "/journal"
    assert app_client.get("/", headers=HTML).text == "APP CONTENT"
    with Session(database) as session:
        user = session.exec(select(User).where(User.username == "kari.nordmann")).one()
        assert (user.display_name, user.email, user.language) == ("Kari Nordmann", "kari.nordmann@example.no", "nn")
    # Nothing secret in the app's log: no code, no state, no token. (httpx logs each request's URL, the test's own
    # requests to the provider and the callback among them: those are the browser's, not the app's.)
    params = query(callback)
    app_log = "\n".join(record.getMessage() for record in caplog.records if record.name.startswith("ledpro_journal"))
    for secret in (params["code"], params["state"], app_client.cookies[SESSION_COOKIE]):
        assert secret not in app_log

    # The second time: straight in (a fresh browser at the app; the provider asks for the password again).
    app_client.cookies.clear()
    again = sign_in_with_provider(app_client, kari)
    assert again.status_code == 303 and again.headers["location"] == "/journal"
    assert app_client.get("/", headers=HTML).text == "APP CONTENT"


def test_linking_to_a_local_account_with_its_password(app_client, world, provider, database):
    with Session(database, expire_on_commit=False) as session:
        ola = make_member(session, world["admin"], world["cohort"].id, "ola", name="Ola Lokal")
    assert sign_in_with_provider(app_client, provider.account("ola")).headers["location"] == oidc_web.LINK_PATH
    page = app_client.get(oidc_web.LINK_PATH)
    wrong = app_client.post(oidc_web.LINK_PATH, data={"csrf": csrf_of(page), "form": "password", "username": "ola",
                                                      "password": "feil passord"})
    assert wrong.status_code == 400 and "Feil brukernavn eller passord." in wrong.text
    assert 'value="ola"' in wrong.text
    right = app_client.post(oidc_web.LINK_PATH, data={"csrf": csrf_of(page), "form": "password", "username": "ola",
                                                      "password": PASSWORD})
    assert right.status_code == 303 and right.headers["location"] == "/journal"
    with Session(database) as session:
        assert accounts.resolve_session(session, app_client.cookies[SESSION_COOKIE]).id == ola.id


def test_a_post_to_the_link_page_without_our_form_token_changes_nothing(app_client, world, provider):
    sign_in_with_provider(app_client, provider.account("kari"))
    response = app_client.post(oidc_web.LINK_PATH, data={"form": "invite", "invite_code": world["code"]})
    assert response.status_code == 303 and "expired=1" in response.headers["location"]
    assert SESSION_COOKIE not in app_client.cookies


def test_the_link_page_without_a_pending_login_is_a_clear_page(app_client):
    page = app_client.get(oidc_web.LINK_PATH)
    assert page.status_code == 400 and "Logg inn med Feide på nytt" in page.text


def test_a_replayed_callback_is_refused(app_client, world, provider):
    callback = at_provider(to_provider(app_client), provider.account("kari"))
    assert back_at_app(app_client, callback).status_code == 303
    replay = back_at_app(app_client, callback)
    assert replay.status_code == 400
    assert "Denne innloggingen er allerede brukt." in replay.text and "Traceback" not in replay.text


def test_a_wrong_state_is_refused(app_client, world, provider):
    callback = at_provider(to_provider(app_client), provider.account("kari"))
    params = query(callback)
    wrong = app_client.get(oidc.CALLBACK_PATH, params={"code": params["code"], "state": "not-the-state"})
    assert wrong.status_code == 400 and "Denne innloggingen kjenner vi ikke igjen." in wrong.text
    assert app_client.get(oidc.CALLBACK_PATH).status_code == 400


def test_cancelling_at_feide_gives_a_clear_page_in_the_users_language(app_client, world):
    app_client.cookies.set(LANGUAGE_COOKIE, "en")
    cancelled = back_at_app(app_client, at_provider(to_provider(app_client), None, cancel=True))
    assert cancelled.status_code == 400
    assert "You cancelled signing in at Feide. You are not signed in." in cancelled.text
    assert 'href="/auth/signin"' in cancelled.text and SESSION_COOKIE not in app_client.cookies


def test_a_deactivated_account_is_refused(app_client, world, provider, database):
    kari = provider.account("kari")
    sign_in_with_provider(app_client, kari)
    link_with_invite(app_client, world["code"])
    with Session(database) as session:
        user = session.exec(select(User).where(User.username == "kari.nordmann")).one()
        accounts.set_user_active(world["admin"], session=session, user_id=user.id, active=False)
        session.commit()
    app_client.cookies.clear()
    refused = sign_in_with_provider(app_client, kari)
    assert refused.status_code == 403 and "Kontoen din i LEDPRO Journal er deaktivert." in refused.text
    assert SESSION_COOKIE not in app_client.cookies


def test_feide_only_refuses_the_password_of_a_linked_participant_but_not_of_an_admin(
    app_client, world, provider, database, monkeypatch
):
    with Session(database, expire_on_commit=False) as session:
        make_member(session, world["admin"], world["cohort"].id, "ola")
    for account, username in ((provider.account("ola"), "ola"), (provider.account("kari"), "admin")):
        app_client.cookies.clear()
        sign_in_with_provider(app_client, account)
        page = app_client.get(oidc_web.LINK_PATH)
        linked = app_client.post(oidc_web.LINK_PATH, data={"csrf": csrf_of(page), "form": "password",
                                                           "username": username, "password": PASSWORD})
        assert linked.status_code == 303
    configure(monkeypatch, provider, only_for_participants="true")

    def password_sign_in(username):
        app_client.cookies.clear()
        page = app_client.get("/auth/signin")
        return app_client.post("/auth/signin", data={"csrf": csrf_of(page), "username": username,
                                                     "password": PASSWORD})

    refused = password_sign_in("ola")
    assert refused.status_code == 403
    assert "Du logger inn med Feide. Bruk knappen «Logg inn med Feide»." in html.unescape(refused.text)
    assert SESSION_COOKIE not in app_client.cookies
    admin = password_sign_in("admin")
    assert admin.status_code == 303 and SESSION_COOKIE in app_client.cookies


def test_signing_out_offers_feides_sign_out_too(app_client, world, provider, database):
    sign_in_with_provider(app_client, provider.account("kari"))
    link_with_invite(app_client, world["code"])
    token = app_client.cookies[SESSION_COOKIE]
    page = app_client.get("/auth/signout")
    assert page.status_code == 200 and "Du er logget ut av LEDPRO Journal" in page.text
    with Session(database) as session:
        assert accounts.resolve_session(session, token) is None
        id_token = session.exec(select(AuthSession.id_token)).one()
    assert f"{SESSION_COOKIE}=" in page.headers["set-cookie"]  # the cookie is cleared
    link = html.unescape(re.search(r'<a class="button primary" id="oidc-signout" href="([^"]+)"', page.text).group(1))
    assert "Logg ut av Feide også" in page.text
    params = query(link)
    assert link.startswith(provider.discovery()["end_session_endpoint"] + "?")
    assert params == {"id_token_hint": id_token, "post_logout_redirect_uri": APP + oidc.SIGNED_OUT_PATH,
                      "client_id": provider.client_id}

    # At the provider: its confirmation form (it submits itself in a browser), then back to the app.
    with httpx.Client() as browser:
        confirm = browser.get(link)
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirm.text))
        action = html.unescape(re.search(r'<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"', confirm.text)
                               .group(1)) if 'id="op.logoutForm"' in confirm.text else None
        action = action or html.unescape(re.search(r'<form[^>]*action="([^"]+)"', confirm.text).group(1))
        back = browser.post(urljoin(str(confirm.url), action), data=fields)
    assert back.status_code in (302, 303)
    location = back.headers["location"]
    assert location.startswith(APP + oidc.SIGNED_OUT_PATH)
    done = app_client.get(urlsplit(location).path)
    assert done.status_code == 200 and "Du er logget ut av både LEDPRO Journal og Feide." in done.text


def test_a_password_sign_out_is_as_before(app_client, world):
    page = app_client.get("/auth/signin")
    app_client.post("/auth/signin", data={"csrf": csrf_of(page), "username": "admin", "password": PASSWORD})
    assert app_client.get("/auth/signout").headers["location"] == "/auth/signin?signed_out=1"


def test_the_provider_down_gives_a_clear_page(app_client, monkeypatch, caplog):
    monkeypatch.setenv("LEDPRO_OIDC_ISSUER", "http://127.0.0.1:9")  # nothing listens on the discard port
    get_settings.cache_clear()
    oidc.forget_provider_metadata()
    with caplog.at_level(logging.WARNING):
        page = app_client.get("/auth/oidc/start")
    assert page.status_code == 503 and "Vi får ikke kontakt med Feide akkurat nå." in page.text
    assert "Traceback" not in page.text
    assert "oidc sign-in refused: discovery:ConnectError (issuer http://127.0.0.1:9)" in caplog.text


def test_the_link_page_follows_the_language_switch(app_client, world, provider):
    assert sign_in_with_provider(app_client, provider.account("kari")).headers["location"] == oidc_web.LINK_PATH
    assert escape(t("oidc.link.invite_heading", "nb")) in app_client.get(oidc_web.LINK_PATH).text
    app_client.get("/auth/language", params={"lang": "en", "next": oidc_web.LINK_PATH})
    page = app_client.get(oidc_web.LINK_PATH)
    assert escape(t("oidc.link.invite_heading", "en")) in page.text
    assert escape(t("oidc.link.invite_heading", "nb")) not in page.text
