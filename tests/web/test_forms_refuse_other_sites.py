"""The sign-in, registration and setup forms take posts from their own page only (issue 10, OWASP ASVS
4.2.2): a token without the cookie it belongs to, a post another site's page makes, and a post from a
sandboxed frame or a file are refused, and nobody is signed in or created by them."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from ledpro_journal.config import SESSION_COOKIE
from ledpro_journal.models import Role, User
from ledpro_journal.services import programme
from tests.helpers import PASSWORD, make_admin, make_cohort
from tests.web.test_auth_routes import csrf_of

CROSS_SITE = [
    ({"origin": "https://evil.example"}, "another site's page"),
    ({"origin": "null"}, "a sandboxed frame or a file"),
    ({"sec-fetch-site": "cross-site"}, "the browser says cross-site"),
    ({"sec-fetch-site": "same-site"}, "a sibling subdomain"),
]


@pytest.fixture
def admin(database):
    with Session(database, expire_on_commit=False) as session:
        return make_admin(session)


def refused(response) -> bool:
    return (response.status_code == 303 and "expired=1" in response.headers["location"]
            and SESSION_COOKIE not in response.headers.get("set-cookie", ""))


def test_a_sign_in_token_without_its_cookie_signs_nobody_in(client, admin):
    token = csrf_of(client.get("/auth/signin"))
    client.cookies.clear()

    response = client.post("/auth/signin", data={"csrf": token, "username": "admin", "password": PASSWORD})

    assert refused(response)
    assert client.get("/", headers={"accept": "text/html"}).status_code == 303  # still signed out


@pytest.mark.parametrize("headers", [h for h, _ in CROSS_SITE], ids=[why for _, why in CROSS_SITE])
def test_a_sign_in_posted_from_elsewhere_is_refused_even_with_token_and_cookie(client, admin, headers):
    token = csrf_of(client.get("/auth/signin"))

    response = client.post("/auth/signin", data={"csrf": token, "username": "admin", "password": PASSWORD},
                           headers=headers)

    assert refused(response)


def test_the_same_post_from_our_own_page_signs_in(client, admin):
    token = csrf_of(client.get("/auth/signin"))

    response = client.post("/auth/signin", data={"csrf": token, "username": "admin", "password": PASSWORD},
                           headers={"origin": "http://testserver", "sec-fetch-site": "same-origin"})

    assert response.status_code == 303 and f"{SESSION_COOKIE}=" in response.headers["set-cookie"]


def test_behind_a_proxy_that_drops_the_port_our_own_page_still_signs_in(client, admin):
    """nginx's `proxy_set_header Host $host` passes the host name without the port the browser used."""
    token = csrf_of(client.get("/auth/signin"))

    response = client.post("/auth/signin", data={"csrf": token, "username": "admin", "password": PASSWORD},
                           headers={"origin": "https://ledpro.example:8443", "host": "ledpro.example"})

    assert response.status_code == 303 and f"{SESSION_COOKIE}=" in response.headers["set-cookie"]


@pytest.mark.parametrize("headers", [{}, {"origin": "https://evil.example"}], ids=["no cookie", "other site"])
def test_setup_creates_no_administrator_from_elsewhere(client, database, headers):
    token = csrf_of(client.get("/auth/setup"))
    if not headers:
        client.cookies.clear()
    fields = {"csrf": token, "display_name": "Mallory", "username": "mallory", "password": PASSWORD,
              "password_repeat": PASSWORD}

    assert refused(client.post("/auth/setup", data=fields, headers=headers))
    with Session(database) as session:
        assert session.exec(select(User)).all() == []


@pytest.mark.parametrize("headers", [{}, {"origin": "https://evil.example"}], ids=["no cookie", "other site"])
def test_registration_creates_no_account_from_elsewhere(client, database, admin, headers):
    with Session(database, expire_on_commit=False) as session:
        cohort = make_cohort(session, admin)
        code = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT).code
        session.commit()
    token = csrf_of(client.get(f"/auth/register?code={code}"))
    if not headers:
        client.cookies.clear()
    fields = {"csrf": token, "invite_code": code, "display_name": "Mallory", "username": "mallory",
              "password": PASSWORD, "password_repeat": PASSWORD}

    assert refused(client.post("/auth/register", data=fields, headers=headers))
    with Session(database) as session:
        assert session.exec(select(User).where(User.username == "mallory")).first() is None
