"""Min konto: profile, language, password and the other signed-in browsers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from ledpro_journal.models import CohortMembership, User
from ledpro_journal.services import accounts
from tests.app.builders import en, error_after, form, labelled, nb, open_page, run, titles, toasts, visible_text
from tests.helpers import PASSWORD, make_admin, make_cohort, make_member

NEW_PASSWORD = "et helt nytt og langt passord"


@pytest.fixture
def pia(dbs):
    admin = make_admin(dbs)
    cohort = make_cohort(dbs, admin)
    return make_member(dbs, admin, cohort.id, "pia", name="Pia Deltaker")


def test_account_page_shows_the_profile(pia, browser):
    browser.sign_in(pia)
    at = open_page("pages/account.py")
    assert titles(at) == [nb("account.title")]
    profile = form(at, "profile")
    assert labelled(profile.text_input, nb("auth.display_name")).value == "Pia Deltaker"
    username = labelled(profile.text_input, nb("auth.username"))
    assert username.value == "pia" and username.disabled
    assert labelled(profile.text_input, nb("account.candidate_number")).value == ""
    assert labelled(profile.radio, nb("account.part")).value == 1
    assert labelled(profile.radio, nb("account.language")).value == "nb"
    assert nb("account.no_other_sessions") in [c.value for c in at.caption]


def test_change_name_candidate_number_and_language(pia, browser, fresh):
    browser.sign_in(pia)
    at = open_page("pages/account.py")
    profile = form(at, "profile")
    labelled(profile.text_input, nb("auth.display_name")).input("Pia  Nystad ")
    labelled(profile.text_input, nb("account.candidate_number")).input("A-1234")
    labelled(profile.radio, nb("account.part")).set_value(2)
    labelled(profile.radio, nb("account.language")).set_value("en")
    labelled(profile.form_submit_button, nb("action.save")).click()
    run(at)

    with fresh() as session:
        user = session.get(User, pia.id)
        assert (user.display_name, user.candidate_number, user.language) == ("Pia Nystad", "A-1234", "en")
        membership = session.exec(select(CohortMembership).where(CohortMembership.user_id == pia.id)).one()
        assert membership.part == 2
    # The page is English from the run after the save on, and says the details are saved.
    assert titles(at) == [en("account.title")]
    assert toasts(at) == [en("account.saved")]
    assert [c.value for c in at.sidebar.caption] == [
        en("nav.signed_in_as", name="Pia Nystad", role=en("role.participant"))
    ]
    profile = form(at, "profile")
    assert labelled(profile.text_input, en("auth.display_name")).value == "Pia Nystad"
    assert labelled(profile.text_input, en("account.candidate_number")).value == "A-1234"
    assert labelled(profile.radio, en("account.part")).value == 2
    assert labelled(profile.radio, en("account.language")).value == "en"
    assert en("account.password_title") in [s.value for s in at.subheader]

    # ... and stays English on the next visit (a new AppTest: rerunning this one would make AppTest
    # format the radios' old options with the test's, not the script's, language).
    at = open_page("pages/home.py")
    assert titles(at) == [en("home.title", name="Pia Nystad")]
    assert not at.warning  # the candidate number is set


def test_invalid_candidate_number_is_shown_next_to_the_field_and_nothing_is_saved(pia, browser, fresh):
    browser.sign_in(pia)
    at = open_page("pages/account.py")
    profile = form(at, "profile")
    labelled(profile.text_input, nb("auth.display_name")).input("Nytt Navn")
    labelled(profile.text_input, nb("account.candidate_number")).input("12 34!")
    labelled(profile.radio, nb("account.language")).set_value("en")
    labelled(profile.form_submit_button, nb("action.save")).click()
    run(at)

    assert titles(at) == [nb("account.title")]
    profile = form(at, "profile")
    assert error_after(profile, nb("account.candidate_number")) == nb("account.candidate_number_invalid")
    assert error_after(profile, nb("auth.display_name")) is None
    assert [e.value for e in at.error] == [nb("account.candidate_number_invalid")]
    assert not toasts(at)
    with fresh() as session:
        user = session.get(User, pia.id)
        assert (user.display_name, user.candidate_number, user.language) == ("Pia Deltaker", None, "nb")


def test_empty_display_name_is_refused(pia, browser, fresh):
    browser.sign_in(pia)
    at = open_page("pages/account.py")
    profile = form(at, "profile")
    labelled(profile.text_input, nb("auth.display_name")).input("   ")
    labelled(profile.form_submit_button, nb("action.save")).click()
    run(at)
    assert error_after(form(at, "profile"), nb("auth.display_name")) == nb("field.required")
    with fresh() as session:
        assert session.get(User, pia.id).display_name == "Pia Deltaker"


def test_admin_profile_has_no_candidate_number(dbs, browser):
    browser.sign_in(make_admin(dbs))
    at = open_page("pages/account.py")
    labels = [w.label for w in form(at, "profile").text_input]
    assert nb("account.candidate_number") not in labels
    assert nb("account.part") not in [r.label for r in at.radio]


def fill_password_form(at, current: str, new: str, repeat: str) -> None:
    password = form(at, "password")
    labelled(password.text_input, nb("account.current_password")).input(current)
    labelled(password.text_input, nb("auth.new_password")).input(new)
    labelled(password.text_input, nb("auth.password_repeat")).input(repeat)
    labelled(password.form_submit_button, nb("account.change_password")).click()


def test_wrong_current_password_shows_the_error(pia, browser, fresh):
    browser.sign_in(pia)
    at = open_page("pages/account.py")
    fill_password_form(at, "feil passord", NEW_PASSWORD, NEW_PASSWORD)
    run(at)

    assert error_after(form(at, "password"), nb("account.current_password")) == nb("account.current_password_wrong")
    with fresh() as session:
        assert accounts.authenticate(session, username="pia", password=PASSWORD, address="apptest") is not None
        session.commit()


def test_mismatched_repeat_is_shown_under_the_repeat_field(pia, browser):
    browser.sign_in(pia)
    at = open_page("pages/account.py")
    fill_password_form(at, PASSWORD, NEW_PASSWORD, NEW_PASSWORD + "x")
    run(at)
    assert error_after(form(at, "password"), nb("auth.password_repeat")) == nb("account.password_mismatch")


def test_password_change_ends_the_other_sessions_and_keeps_this_one(pia, browser, fresh):
    browser.new_session(pia)
    browser.new_session(pia)
    token = browser.sign_in(pia)
    at = open_page("pages/account.py")
    assert nb("account.other_sessions", count=2) in visible_text(at)

    fill_password_form(at, PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    run(at)

    assert toasts(at) == [nb("account.password_changed", count=2)]
    assert not at.error
    with fresh() as session:
        assert accounts.active_session_count(session, pia.id) == 1
        assert accounts.resolve_session(session, token).id == pia.id
        for other in browser.tokens[:2]:
            assert accounts.resolve_session(session, other) is None
        assert accounts.authenticate(session, username="pia", password=NEW_PASSWORD, address="apptest") is not None
        assert accounts.authenticate(session, username="pia", password=PASSWORD, address="apptest") is None
        session.commit()
    # Still signed in: the page is there, now with no other browsers.
    assert titles(at) == [nb("account.title")]
    assert nb("account.no_other_sessions") in [c.value for c in at.caption]
    run(at)
    assert titles(at) == [nb("account.title")]


def test_sign_out_other_browsers(pia, browser, fresh):
    browser.new_session(pia)
    browser.sign_in(pia)
    at = open_page("pages/account.py")
    assert nb("account.other_sessions", count=1) in visible_text(at)
    labelled(at.button, nb("account.sign_out_others")).click()
    run(at)
    assert toasts(at) == [nb("account.signed_out_others", count=1)]
    assert nb("account.no_other_sessions") in [c.value for c in at.caption]
    with fresh() as session:
        assert accounts.active_session_count(session, pia.id) == 1
