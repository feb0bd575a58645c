"""After deleting one's account: the sign-out route clears the cookie and the sign-in page says farewell in
the person's language (Starlette's TestClient, no browser)."""

from __future__ import annotations

from sqlmodel import Session

from ledpro_journal.config import LANGUAGE_COOKIE, SESSION_COOKIE
from ledpro_journal.i18n import t
from ledpro_journal.services import accounts, leaving
from tests.helpers import make_admin


def test_the_farewell_lands_on_the_sign_in_page_in_the_persons_language(client, database):
    with Session(database, expire_on_commit=False) as session:
        make_admin(session)
        leaver = make_admin(session, username="ada2", name="Ada To")
        token = accounts.start_session(session, leaver)
        leaving.delete_account(leaver, session, "ada2")
        session.commit()
    client.cookies.set(SESSION_COOKIE, token)

    response = client.get("/auth/signout?account_deleted=1&lang=en")
    assert response.status_code == 303
    assert response.headers["location"] == "/auth/signin?account_deleted=1"
    cookies = response.headers.get_list("set-cookie")
    assert any(c.startswith(f"{LANGUAGE_COOKIE}=en") for c in cookies)
    assert any(c.startswith(f"{SESSION_COOKIE}=") and "Max-Age=0" in c for c in cookies)

    client.cookies.clear()
    client.cookies.set(LANGUAGE_COOKIE, "en")
    page = client.get("/auth/signin?account_deleted=1")
    assert t("leaving.signed_out", "en") in page.text
