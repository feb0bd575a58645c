"""The sign-in pages and the session gate over HTTP (Starlette's TestClient, no browser)."""

from __future__ import annotations

import re
from html import escape

import pytest
from sqlmodel import Session, select

from ledpro_journal.config import SESSION_COOKIE
from ledpro_journal.i18n import language_tag, t
from ledpro_journal.models import AuthSession
from ledpro_journal.services import accounts, programme
from ledpro_journal.web import auth
from tests.helpers import PASSWORD, make_admin, make_cohort

HTML = {"accept": "text/html,application/xhtml+xml"}





@pytest.fixture
def admin(database):
    with Session(database, expire_on_commit=False) as session:
        return make_admin(session)


def csrf_of(response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', response.text).group(1)


def post_form(client, path, **fields):
    page = client.get(path)
    return client.post(path, data={"csrf": csrf_of(page), **fields})


def sign_in(client, username="admin", password=PASSWORD, **extra):
    return post_form(client, "/auth/signin", username=username, password=password, **extra)


def test_fresh_installation_sends_every_page_to_the_one_time_setup(client):
    assert client.get("/", headers=HTML).headers["location"] == "/auth/setup"
    assert client.get("/admin_users", headers=HTML).headers["location"] == "/auth/setup"
    assert client.get("/auth/signin").headers["location"] == "/auth/setup"
    assert client.get("/auth/register").headers["location"] == "/auth/setup"


def test_setup_shows_problems_next_to_fields_then_creates_the_admin_once(client):
    bad = post_form(client, "/auth/setup", display_name="", username="Ada", password="kort", password_repeat="kort")
    assert bad.status_code == 400
    assert 'id="display_name-error"' in bad.text and "Dette feltet må fylles ut." in bad.text
    assert "Passordet må ha minst 10 tegn." in bad.text
    assert 'value="Ada"' in bad.text  # what was typed stays

    good = post_form(client, "/auth/setup", display_name="Ada Admin", username="Ada", password=PASSWORD,
                     password_repeat=PASSWORD)
    assert good.status_code == 303 and good.headers["location"] == "/"
    cookie = good.headers["set-cookie"]
    assert f"{SESSION_COOKIE}=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert client.get("/", headers=HTML).text == "APP CONTENT"
    # Never again, not even for someone else.
    client.cookies.clear()
    assert client.get("/auth/setup").headers["location"] == "/auth/signin"


def test_anonymous_page_request_is_sent_to_sign_in_with_the_way_back(client, admin):
    response = client.get("/admin_users?x=1", headers=HTML)
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/signin?next=/admin_users%3Fx%3D1"
    # What Streamlit needs to load and talk is not gated (the websocket checks the session itself).
    assert client.get("/_stcore/health").text == "APP CONTENT"
    assert client.get("/static/js/main.js").text == "APP CONTENT"


def test_wrong_password_and_unknown_user_get_the_same_answer(client, admin):
    wrong = sign_in(client, password="feil passord her")
    unknown = sign_in(client, username="nobody")
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert "Feil brukernavn eller passord." in response.text
        assert SESSION_COOKIE not in response.headers.get("set-cookie", "")


def test_sign_in_goes_back_where_the_visitor_was_going_but_never_off_site(client, admin):
    assert sign_in(client, next="/account").headers["location"] == "/account"
    client.cookies.clear()
    assert sign_in(client, next="//evil.example/x").headers["location"] == "/"
    client.cookies.clear()
    assert sign_in(client, next="https://evil.example").headers["location"] == "/"


def test_repeated_failures_are_refused_for_a_while(client, admin, monkeypatch):
    monkeypatch.setattr(auth.asyncio, "sleep", _no_sleep)
    for _ in range(8):
        sign_in(client, password="feil passord her")
    refused = sign_in(client)  # even the right password
    assert refused.status_code == 429
    assert "For mange mislykkede forsøk" in refused.text


async def _no_sleep(_seconds):
    return None


def test_post_without_our_form_token_changes_nothing(client, admin):
    response = client.post("/auth/signin", data={"username": "admin", "password": PASSWORD})
    assert response.status_code == 303 and "expired=1" in response.headers["location"]
    assert SESSION_COOKIE not in client.cookies


def test_sign_out_ends_the_session_on_the_server(client, admin, database):
    sign_in(client)
    token = client.cookies[SESSION_COOKIE]
    response = client.get("/auth/signout")
    assert response.headers["location"] == "/auth/signin?signed_out=1"
    with Session(database) as session:
        assert accounts.resolve_session(session, token) is None
    client.cookies.set(SESSION_COOKIE, token)
    assert client.get("/", headers=HTML).headers["location"].startswith("/auth/signin")
    assert "Du er logget ut." in client.get("/auth/signin?signed_out=1").text


def test_a_link_from_another_site_cannot_sign_anyone_out(client, admin, database):
    sign_in(client)
    token = client.cookies[SESSION_COOKIE]
    client.get("/auth/signout", headers={"sec-fetch-site": "cross-site"})
    with Session(database) as session:
        assert accounts.resolve_session(session, token) is not None


def test_stale_cookie_is_cleared_and_the_visitor_sent_to_sign_in(client, admin):
    client.cookies.set(SESSION_COOKIE, "not-a-real-token")
    response = client.get("/", headers=HTML)
    assert response.headers["location"].startswith("/auth/signin")
    assert f'{SESSION_COOKIE}=""' in response.headers["set-cookie"] or "Max-Age=0" in response.headers["set-cookie"]


def test_only_the_token_hash_is_stored(client, admin, database):
    sign_in(client)
    token = client.cookies[SESSION_COOKIE]
    with Session(database) as session:
        stored = session.exec(select(AuthSession.token_hash)).all()
    assert token not in stored and accounts.hash_token(token) in stored


def test_register_with_invite_code_keeps_what_was_typed_when_something_is_wrong(client, admin, database):
    with Session(database, expire_on_commit=False) as session:
        cohort = make_cohort(session, admin)
        invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role="participant")
        session.commit()
    bad = post_form(client, "/auth/register", invite_code="FEIL-KODE", display_name="Per <b>Deltaker</b>",
                    username="per", password=PASSWORD, password_repeat=PASSWORD)
    assert bad.status_code == 400
    assert "Invitasjonskoden er ukjent" in bad.text
    assert "Per &lt;b&gt;Deltaker&lt;/b&gt;" in bad.text and "<b>Deltaker" not in bad.text
    good = post_form(client, "/auth/register", invite_code=invite.code.lower(), display_name="Per Deltaker",
                     username="per", password=PASSWORD, password_repeat=PASSWORD)
    assert good.headers["location"] == "/"
    assert client.get("/", headers=HTML).text == "APP CONTENT"


def test_invite_link_fills_in_the_code(client, admin):
    assert 'value="ABCD-EFGH-JKMN"' in client.get("/auth/register?code=ABCD-EFGH-JKMN").text


def test_sign_in_pages_switch_to_english_and_back(client, admin):
    response = client.get("/auth/language?lang=en&next=/auth/signin")
    assert response.headers["location"] == "/auth/signin"
    page = client.get("/auth/signin")
    assert "Sign in" in page.text and '<html lang="en-GB">' in page.text
    assert client.get("/auth/language?lang=en&next=https://evil.example").headers["location"] == "/auth/signin"
    client.get("/auth/language?lang=nb&next=/auth/signin")
    assert "Logg inn" in client.get("/auth/signin").text


def test_sign_in_pages_forbid_framing_and_caching(client, admin):
    headers = client.get("/auth/signin").headers
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("accept_language", "lang"), [
    ("nn-NO,nn;q=0.9,nb;q=0.8", "nn"), ("en-GB,en;q=0.9", "en"), ("no", "nb"), ("de", "nb"),
])
def test_the_sign_in_page_starts_in_the_browsers_language_until_one_is_chosen(client, admin, accept_language, lang):
    page = client.get("/auth/signin", headers={"Accept-Language": accept_language})
    assert f'<html lang="{language_tag(lang)}">' in page.text
    assert escape(t("auth.signin_lead", lang)) in page.text
    client.get("/auth/language", params={"lang": "en", "next": "/auth/signin"})
    chosen = client.get("/auth/signin", headers={"Accept-Language": accept_language})
    assert f'<html lang="{language_tag("en")}">' in chosen.text
