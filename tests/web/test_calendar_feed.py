"""GET /calendar/<token>.ics over HTTP (Starlette's TestClient, no browser): what a calendar program gets
without any cookie, what an unknown or renewed address answers, and the conditional requests they poll with."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from icalendar import Calendar
from sqlmodel import Session, select

from ledpro_journal.config import SESSION_COOKIE, get_settings
from ledpro_journal.models import DocumentKind, Gathering, User
from ledpro_journal.services import accounts, calendar, journal, programme
from tests.helpers import make_admin, make_cohort, make_member

# What calendar programs send: Outlook and Apple Calendar ask for text/calendar, Google for anything.
ACCEPTS = ["text/calendar", "*/*", "text/html,application/xhtml+xml,*/*;q=0.8", None]


@pytest.fixture
def pia(database):
    with Session(database, expire_on_commit=False) as session:
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        pia = make_member(session, admin, cohort.id, "pia", name="Pia Deltaker")
        document = journal.create_document(pia, session=session, kind=DocumentKind.ACTION)
        journal.save_document(pia, session=session, document_id=document.id, base_version=0,
                              fields={"title": "Min hemmelige aksjon"}, happened_on=date(2024, 3, 4))
        session.commit()
    return pia


def token_of(database, user) -> str:
    with Session(database) as session:
        token = calendar.feed_token_for(user, session=session)
        session.commit()
    return token


def renew(database, user) -> str:
    with Session(database) as session:
        token = calendar.renew_feed_token(user, session=session)
        session.commit()
    return token


def fetch(client, token, accept="text/calendar", **headers):
    if accept is not None:
        headers["Accept"] = accept
    return client.get(f"/calendar/{token}.ics", headers=headers)


@pytest.mark.parametrize("accept", ACCEPTS)
def test_the_feed_answers_without_any_cookie(client, database, pia, accept):
    token = token_of(database, pia)
    response = fetch(client, token, accept)
    assert not client.cookies
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["cache-control"]
    assert SESSION_COOKIE not in response.headers.get("set-cookie", "")
    parsed = Calendar.from_ical(response.content)
    summaries = [str(event["SUMMARY"]) for event in parsed.walk("VEVENT")]
    assert "Aksjon: Min hemmelige aksjon – Planlagt" in summaries
    assert "Samling 1 – LEDPRO 2024" in summaries


def test_events_link_back_to_the_address_the_feed_was_fetched_at(client, database, pia):
    response = fetch(client, token_of(database, pia))
    urls = {str(event["URL"]) for event in Calendar.from_ical(response.content).walk("VEVENT")}
    assert "http://testserver/" in urls
    assert any(url.startswith("http://testserver/write?id=") for url in urls)


def test_events_link_to_the_public_address_when_it_is_set(client, database, pia, monkeypatch):
    monkeypatch.setenv("LEDPRO_PUBLIC_URL", "https://ledpro.example.no")
    get_settings.cache_clear()
    response = fetch(client, token_of(database, pia))
    urls = {str(event["URL"]) for event in Calendar.from_ical(response.content).walk("VEVENT")}
    assert "https://ledpro.example.no/" in urls
    assert not any("testserver" in url for url in urls)


@pytest.mark.parametrize("path", ["/calendar/ikke-en-adresse.ics", "/calendar/" + "A" * 43 + ".ics",
                                  "/calendar/", "/calendar/noe/annet", "/calendar/x.ics?next=/"])
def test_an_unknown_address_is_a_plain_404(client, database, pia, path):
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert "Min konto" in response.text and "My account" in response.text
    assert "APP CONTENT" not in response.text  # never Streamlit, never the sign-in form
    assert "location" not in response.headers


def test_renewing_ends_the_old_address_at_once(client, database, pia):
    old = token_of(database, pia)
    assert fetch(client, old).status_code == 200
    new = renew(database, pia)
    gone = fetch(client, old)
    assert gone.status_code == 404
    assert old not in gone.text
    assert fetch(client, new).status_code == 200


def test_a_deactivated_account_has_no_feed(client, database, pia):
    token = token_of(database, pia)
    with Session(database) as session:
        admin = session.get(User, 1)
        accounts.set_user_active(admin, session=session, user_id=pia.id, active=False)
        session.commit()
    assert fetch(client, token).status_code == 404


def test_an_unchanged_feed_answers_304_and_a_changed_one_the_new_calendar(client, database, pia):
    token = token_of(database, pia)
    first = fetch(client, token)
    etag = first.headers["etag"]
    unchanged = fetch(client, token, **{"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    assert fetch(client, token, **{"If-None-Match": f'W/{etag}, "other"'}).status_code == 304

    with Session(database) as session:
        action = journal.list_actions(pia, session=session)[0]
        journal.save_document(pia, session=session, document_id=action.id, base_version=action.version,
                              fields={}, happened_on=date(2024, 3, 11))
        session.commit()
    changed = fetch(client, token, **{"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    event = next(e for e in Calendar.from_ical(changed.content).walk("VEVENT") if "Min hemmelige" in str(e["SUMMARY"]))
    assert event.decoded("DTSTART") == date(2024, 3, 11)


def test_a_moved_gathering_changes_the_etag_and_saving_it_unchanged_does_not(client, database, pia):
    token = token_of(database, pia)
    etag = fetch(client, token).headers["etag"]

    def save_third(days_later: int):
        with Session(database) as session:
            admin = session.get(User, 1)
            third = session.exec(select(Gathering).where(Gathering.number == 3)).one()
            programme.update_gathering(admin, session=session, gathering_id=third.id, number=3,
                                       start_date=date(2024, 5, 15) + timedelta(days=days_later),
                                       end_date=date(2024, 5, 16) + timedelta(days=days_later), place=third.place,
                                       theme_id=third.theme_id)
            session.commit()
            return third.id

    third_id = save_third(0)  # as it was
    assert fetch(client, token, **{"If-None-Match": etag}).status_code == 304
    save_third(2)
    moved = fetch(client, token, **{"If-None-Match": etag})
    assert moved.status_code == 200
    assert moved.headers["etag"] != etag
    event = next(e for e in Calendar.from_ical(moved.content).walk("VEVENT")
                 if str(e["UID"]).startswith(f"gathering-{third_id}@"))
    assert (event.decoded("DTSTART"), event.decoded("SEQUENCE")) == (date(2024, 5, 17), 1)
    save_third(2)  # saved again unchanged: the calendar program's copy is still current
    assert fetch(client, token, **{"If-None-Match": moved.headers["etag"]}).status_code == 304


def test_head_answers_like_get_without_the_body(client, database, pia):
    response = client.head(f"/calendar/{token_of(database, pia)}.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    assert response.content == b""


def test_the_rest_of_the_app_still_asks_anonymous_visitors_to_sign_in(client, database, pia):
    response = client.get("/account", headers={"Accept": "text/html"})
    assert response.status_code == 303
    assert response.headers["location"].startswith("/auth/signin")


def test_a_failing_database_is_logged_without_the_address(client, database, pia, caplog):
    token = token_of(database, pia)
    with database.begin() as connection:
        # The lookup now fails, and the database error quotes the query's parameters: the token.
        connection.execute(sa.text("ALTER TABLE calendar_feeds RENAME COLUMN token TO old_token"))
    with caplog.at_level(logging.DEBUG):
        response = fetch(client, token)
    assert response.status_code == 503
    assert token not in response.text
    # Everything the server side logged (httpx, the test's own client, logs the address it asked for).
    logged = "\n".join(record.getMessage() for record in caplog.records if not record.name.startswith("httpx"))
    assert "calendar feed not served" in logged and "OperationalError" in logged
    assert token not in logged
