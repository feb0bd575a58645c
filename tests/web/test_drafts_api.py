"""PUT /api/drafts/{id} over HTTP (Starlette's TestClient, no browser): who may send text, what is
refused, and that what is accepted is stored exactly."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from sqlmodel import Session, select

from ledpro_journal.config import SESSION_COOKIE
from ledpro_journal.models import Draft
from ledpro_journal.services import journal
from ledpro_journal.web import drafts
from tests.helpers import PASSWORD, make_admin, make_cohort, make_member

DRAFT = {"X-LEDPRO-Draft": "1", "Content-Type": "application/json"}


@dataclass
class World:
    kari: object
    per: object
    kari_challenge: int
    per_challenge: int



@pytest.fixture
def world(database) -> World:
    with Session(database, expire_on_commit=False) as session:
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        kari = make_member(session, admin, cohort.id, "kari")
        per = make_member(session, admin, cohort.id, "per")
        kari_challenge = journal.my_challenge(kari, session=session).id
        per_challenge = journal.my_challenge(per, session=session).id
        session.commit()
    return World(kari, per, kari_challenge, per_challenge)



@pytest.fixture
def kari_client(client, world):
    page = client.get("/auth/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    response = client.post("/auth/signin", data={"csrf": csrf, "username": "kari", "password": PASSWORD})
    assert response.status_code == 303, response.text
    assert SESSION_COOKIE in client.cookies
    return client


def put(client, document_id, payload=None, *, headers=DRAFT, content=None):
    if content is None:
        content = json.dumps(payload if payload is not None else {"field": "my_part", "text": "hei", "base_version": 0})
    return client.put(f"/api/drafts/{document_id}", content=content, headers=headers)


def drafts_of(database, user, document_id):
    with Session(database) as session:
        return journal.drafts_for(user, session=session, document_id=document_id)


def all_drafts(database) -> list[Draft]:
    with Session(database) as session:
        return list(session.exec(select(Draft)).all())


def test_valid_draft_is_stored(kari_client, world, database):
    response = put(kari_client, world.kari_challenge,
                   {"field": "my_part", "text": "Min del – æøå 😀", "base_version": 0})
    assert response.status_code == 204
    state = drafts_of(database, world.kari, world.kari_challenge)
    assert state is not None
    assert state.texts == {"my_part": "Min del – æøå 😀"}
    assert state.base_version == 0


def test_without_the_custom_header_is_forbidden(kari_client, world, database):
    response = put(kari_client, world.kari_challenge, headers={"Content-Type": "application/json"})
    assert response.status_code == 403
    response = put(kari_client, world.kari_challenge, headers={**DRAFT, "X-LEDPRO-Draft": "0"})
    assert response.status_code == 403
    assert all_drafts(database) == []


def test_cross_site_request_is_forbidden(kari_client, world, database):
    response = put(kari_client, world.kari_challenge, headers={**DRAFT, "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403
    response = put(kari_client, world.kari_challenge, headers={**DRAFT, "Sec-Fetch-Site": "same-site"})
    assert response.status_code == 403
    assert all_drafts(database) == []


def test_without_a_session_cookie_is_unauthorised(client, world, database):
    assert SESSION_COOKIE not in client.cookies
    response = put(client, world.kari_challenge)
    assert response.status_code == 401
    client.cookies.set(SESSION_COOKIE, "not-a-real-token")
    assert put(client, world.kari_challenge).status_code == 401
    assert all_drafts(database) == []


def test_another_participants_document_is_not_found_and_nothing_stored(kari_client, world, database):
    response = put(kari_client, world.per_challenge,
                   {"field": "my_part", "text": "skrevet inn i Pers tekst", "base_version": 0})
    assert response.status_code == 404
    assert drafts_of(database, world.per, world.per_challenge) is None
    assert all_drafts(database) == []
    # A document that does not exist at all answers the same.
    assert put(kari_client, 999_999).status_code == 404


def test_unknown_field_is_unprocessable(kari_client, world, database):
    response = put(kari_client, world.kari_challenge, {"field": "no_such_field", "text": "x", "base_version": 0})
    assert response.status_code == 422
    response = put(kari_client, world.kari_challenge, {"field": "my_part", "text": 42, "base_version": 0})
    assert response.status_code == 422
    assert all_drafts(database) == []


def test_a_long_text_is_stored_exactly(kari_client, world, database):
    unit = "Linje med æøå, tab\t og emoji 😀 og <b>tegn</b> & ![x](http://example.invalid/x.png)\r\n"
    text = (unit * (200_000 // len(unit) + 1))[:200_000]
    assert len(text) == 200_000
    response = put(kari_client, world.kari_challenge, {"field": "context", "text": text, "base_version": 0})
    assert response.status_code == 204
    assert drafts_of(database, world.kari, world.kari_challenge).texts["context"] == text


def test_body_over_8_mb_is_too_large(kari_client, world, database):
    text = "a" * (drafts.MAX_BODY + 10)
    response = put(kari_client, world.kari_challenge, {"field": "context", "text": text, "base_version": 0})
    assert response.status_code == 413
    assert all_drafts(database) == []


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "",
        json.dumps({"field": "my_part", "text": "x"}),  # no base_version
        json.dumps({"field": "my_part", "text": "x", "base_version": "zwei"}),
        json.dumps(["my_part", "x", 0]),
    ],
    ids=["broken", "empty", "missing-key", "bad-version", "not-an-object"],
)
def test_malformed_body_is_a_bad_request(kari_client, world, database, content):
    response = put(kari_client, world.kari_challenge, content=content)
    assert response.status_code == 400
    assert all_drafts(database) == []


def test_non_numeric_document_id_is_a_bad_request(kari_client, world):
    assert put(kari_client, "abc").status_code == 400


def test_sending_the_saved_text_again_removes_the_draft(kari_client, world, database):
    changed = put(kari_client, world.kari_challenge, {"field": "my_part", "text": "endret", "base_version": 0})
    assert changed.status_code == 204
    assert drafts_of(database, world.kari, world.kari_challenge) is not None
    restored = put(kari_client, world.kari_challenge, {"field": "my_part", "text": "", "base_version": 0})
    assert restored.status_code == 204
    assert drafts_of(database, world.kari, world.kari_challenge) is None


def _chunks(total: int, size: int = 1024 * 1024):
    """A body sent in chunks, with no Content-Length: the server can only count as it reads."""
    sent = 0
    while sent < total:
        piece = min(size, total - sent)
        sent += piece
        yield b"a" * piece


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "anonymous"])
def test_a_streamed_body_over_the_limit_is_refused_before_the_session_is_looked_up(
    client, kari_client, world, database, signed_in
):
    sender = kari_client if signed_in else client
    if not signed_in:
        sender.cookies.clear()
    response = sender.put(f"/api/drafts/{world.kari_challenge}", content=_chunks(drafts.MAX_BODY + 1), headers=DRAFT)
    assert response.status_code == 413
    assert all_drafts(database) == []


def test_a_declared_length_over_the_limit_is_refused_without_reading(kari_client, world, database):
    response = kari_client.put(f"/api/drafts/{world.kari_challenge}", content=b"{}",
                               headers={**DRAFT, "Content-Length": str(drafts.MAX_BODY + 1)})
    assert response.status_code == 413
    assert all_drafts(database) == []


@pytest.mark.parametrize(
    "content",
    [
        '{"field": "my_part", "text": "x", "base_version": 1e400}',
        '{"field": "my_part", "text": "x", "base_version": Infinity}',
        '{"field": "my_part", "text": "x", "base_version": -Infinity}',
        '{"field": "my_part", "text": "x", "base_version": NaN}',
        '{"field": "my_part", "text": "x", "base_version": 1.5}',
        '{"field": "my_part", "text": "x", "base_version": -1}',
        '{"field": "my_part", "text": "x", "base_version": 99999999999999999999999}',
        '{"field": "my_part", "text": "x", "base_version": true}',
        '"a string"',
        "12",
    ],
    ids=["1e400", "infinity", "minus-infinity", "nan", "fraction", "negative", "huge", "bool", "string", "number"],
)
def test_a_base_version_that_no_document_can_have_is_a_bad_request_not_an_error(kari_client, world, database,
                                                                                content):
    response = put(kari_client, world.kari_challenge, content=content)
    assert response.status_code == 400
    assert all_drafts(database) == []


@pytest.mark.parametrize("payload", [{"field": ["my_part"], "text": "x"}, {"field": "my_part", "text": {"a": 1}}],
                         ids=["field-list", "text-object"])
def test_a_field_or_text_of_the_wrong_kind_is_unprocessable_not_an_error(kari_client, world, database, payload):
    assert put(kari_client, world.kari_challenge, {**payload, "base_version": 0}).status_code == 422
    assert all_drafts(database) == []
