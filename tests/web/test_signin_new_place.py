"""Signing in from a new place, over HTTP: the sign-in route hands the client's address to the audit trail,
which keeps only a coarse description of browser and network."""

from __future__ import annotations

import re

import pytest
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

from ledpro_journal.models import AuditEvent
from ledpro_journal.web import server
from tests.helpers import PASSWORD, make_admin

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko)"
                  " Chrome/126.0.0.0 Mobile Safari/537.36")


@pytest.fixture
def admin(database):
    with Session(database, expire_on_commit=False) as session:
        return make_admin(session)


def sign_in_from(address: str, agent: str) -> None:
    app = Starlette(routes=server.routes(), middleware=server.middleware())
    with TestClient(app, base_url="http://testserver", follow_redirects=False, client=(address, 50000),
                    headers={"user-agent": agent}) as client:
        page = client.get("/auth/signin")
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        response = client.post("/auth/signin", data={"csrf": csrf, "username": "admin", "password": PASSWORD})
        assert response.status_code == 303


def recorded(database) -> list[dict]:
    with Session(database) as session:
        return [e.details for e in session.exec(select(AuditEvent).where(AuditEvent.kind == "signin.new_place")
                                                .order_by(AuditEvent.id))]


def test_only_a_new_browser_or_network_is_recorded_and_never_the_full_address(database, admin):
    sign_in_from("10.1.2.3", FIREFOX_WINDOWS)  # the account's first sign-in
    sign_in_from("10.1.2.77", FIREFOX_WINDOWS)
    assert recorded(database) == []
    sign_in_from("10.1.2.77", CHROME_ANDROID)
    sign_in_from("198.51.100.20", FIREFOX_WINDOWS)
    assert recorded(database) == [
        {"browser": "Chrome", "system": "Android", "network": "10.1.2.x"},
        {"browser": "Firefox", "system": "Windows", "network": "198.51.100.x"},
    ]
