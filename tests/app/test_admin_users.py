"""Brukere: every account, deactivation (ends the user's sessions) and temporary passwords."""

from __future__ import annotations

import pytest

from ledpro_journal.models import Role, User
from ledpro_journal.services import accounts
from tests.app.builders import labelled, nb, open_page, run, titles, toasts
from tests.helpers import PASSWORD, make_admin, make_cohort, make_member

PAGE = "pages/admin_users.py"


@pytest.fixture
def people(dbs, browser):
    admin = make_admin(dbs)
    cohort = make_cohort(dbs, admin)
    pia = make_member(dbs, admin, cohort.id, "pia", name="Pia Deltaker")
    frode = make_member(dbs, admin, cohort.id, "frode", role=Role.FACILITATOR, name="Frode Faglærer")
    browser.sign_in(admin)
    return {"admin": admin, "pia": pia, "frode": frode, "cohort": cohort}


def rows(at) -> dict[str, dict]:
    return {r[nb("auth.username")]: r for r in at.dataframe[0].value.to_dict("records")}


def pick(at, user: User) -> None:
    labelled(at.selectbox, nb("user.pick")).set_value(user.id)
    run(at)


def test_the_list_shows_every_user(people):
    at = open_page(PAGE)
    assert titles(at) == [nb("nav.admin_users")]
    listed = rows(at)
    assert set(listed) == {"admin", "pia", "frode"}
    assert listed["pia"][nb("user.column.name")] == "Pia Deltaker"
    assert listed["pia"][nb("user.column.role")] == nb("role.participant")
    assert listed["pia"][nb("user.column.cohorts")] == "LEDPRO 2024"
    assert listed["pia"][nb("user.column.status")] == nb("user.active")
    assert listed["frode"][nb("user.column.role")] == nb("role.facilitator")
    assert listed["admin"][nb("user.column.role")] == nb("role.admin")
    assert listed["admin"][nb("user.column.cohorts")] == ""


def test_search_narrows_the_list(people):
    at = open_page(PAGE)
    labelled(at.text_input, nb("user.search")).input("pia")
    run(at)
    assert set(rows(at)) == {"pia"}
    assert labelled(at.selectbox, nb("user.pick")).options == ["Pia Deltaker (pia)"]
    labelled(at.text_input, nb("user.search")).input("ingen slik")
    run(at)
    assert at.dataframe[0].value.empty
    assert not at.selectbox


def test_admin_cannot_deactivate_themselves(people):
    at = open_page(PAGE)
    pick(at, people["admin"])
    assert labelled(at.button, nb("user.deactivate")).disabled


def test_deactivate_a_participant_ends_their_sessions(people, browser, fresh):
    pia_token = browser.new_session(people["pia"])
    at = open_page(PAGE)
    pick(at, people["pia"])
    assert nb("user.deactivate_lead", name="Pia Deltaker") in [m.value for m in at.markdown]
    labelled(at.button, nb("user.deactivate")).click()
    run(at)

    with fresh() as session:
        assert session.get(User, people["pia"].id).is_active is False
        assert accounts.active_session_count(session, people["pia"].id) == 0
        assert accounts.resolve_session(session, pia_token) is None
    assert toasts(at) == [nb("user.deactivated", name="Pia Deltaker")]
    assert rows(at)["pia"][nb("user.column.status")] == nb("user.inactive")
    assert nb("user.reactivate_lead", name="Pia Deltaker") in [m.value for m in at.markdown]
    # The administrator is still signed in.
    assert titles(at) == [nb("nav.admin_users")]

    labelled(at.button, nb("user.reactivate")).click()
    run(at)
    with fresh() as session:
        assert session.get(User, people["pia"].id).is_active is True
    assert rows(at)["pia"][nb("user.column.status")] == nb("user.active")


def test_reset_password_shows_a_temporary_password_that_works(people, browser, fresh):
    frode_token = browser.new_session(people["frode"])
    at = open_page(PAGE)
    pick(at, people["frode"])
    labelled(at.button, nb("user.reset_password")).click()
    run(at)

    assert [s.value for s in at.success] == [nb("user.temporary_password")]
    [temporary] = [c.value for c in at.code]
    with fresh() as session:
        assert accounts.authenticate(session, username="frode", password=temporary, address="apptest").id == (
            people["frode"].id
        )
        assert accounts.authenticate(session, username="frode", password=PASSWORD, address="apptest") is None
        assert accounts.resolve_session(session, frode_token) is None
        session.commit()
    # Shown only for the account it belongs to.
    pick(at, people["pia"])
    assert not at.code and not at.success
