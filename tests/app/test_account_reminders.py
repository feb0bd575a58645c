"""Min konto, the reminders section: an address to add, the reminders to choose, what the e-mail says."""

from __future__ import annotations

from ledpro_journal.models import ReminderPreference, Role, User
from ledpro_journal.services import reminders
from tests.app.builders import error_after, form, labelled, nb, open_page, run, toasts, visible_text
from tests.helpers import make_member


def reminder_form(at):
    return form(at, "reminders")


def fill(at, *, email=None, weekly=None, weekday=None, before=None, days=None, titles=None):
    section = reminder_form(at)
    if email is not None:
        labelled(section.text_input, nb("reminders.email")).input(email)
    if weekly is not None:
        labelled(section.checkbox, nb("reminders.weekly")).set_value(weekly)
    if weekday is not None:
        labelled(section.selectbox, nb("reminders.weekday")).set_value(weekday)
    if before is not None:
        labelled(section.checkbox, nb("reminders.before_gathering")).set_value(before)
    if days is not None:
        labelled(section.number_input, nb("reminders.days_before")).set_value(days)
    if titles is not None:
        labelled(section.checkbox, nb("reminders.show_titles")).set_value(titles)
    labelled(section.form_submit_button, nb("action.save")).click()
    return run(at)


def test_a_participant_without_an_address_is_offered_to_add_one_and_told_what_the_email_holds(writers, browser):
    browser.sign_in(writers.pia)
    at = open_page("pages/account.py")
    assert nb("reminders.title") in [s.value for s in at.subheader]
    assert nb("reminders.no_email") in [i.value for i in at.info]
    text = visible_text(at)
    assert nb("reminders.contains") in text and nb("reminders.never_contains") in text
    section = reminder_form(at)
    assert labelled(section.text_input, nb("reminders.email")).value == ""
    # Everything off until chosen.
    assert labelled(section.checkbox, nb("reminders.weekly")).value is False
    assert labelled(section.checkbox, nb("reminders.before_gathering")).value is False
    assert labelled(section.checkbox, nb("reminders.show_titles")).value is False
    assert labelled(section.number_input, nb("reminders.days_before")).value == 7
    assert labelled(section.selectbox, nb("reminders.weekday")).options == [
        nb(f"reminders.weekday.{day}") for day in range(7)]


def test_choosing_reminders_saves_them_with_the_address(writers, browser, fresh):
    browser.sign_in(writers.pia)
    at = open_page("pages/account.py")
    at = fill(at, email=" pia@Eksempel.no ", weekly=True, weekday=3, before=True, days=5, titles=True)

    assert toasts(at) == [nb("reminders.saved")]
    with fresh() as session:
        assert session.get(User, writers.pia.id).email == "pia@eksempel.no"
        row = session.get(ReminderPreference, writers.pia.id)
        assert (row.weekly, row.weekday, row.before_gathering, row.days_before, row.show_titles) == (
            True, 3, True, 5, True)
    section = reminder_form(at)
    assert labelled(section.text_input, nb("reminders.email")).value == "pia@eksempel.no"
    assert labelled(section.selectbox, nb("reminders.weekday")).value == 3
    assert labelled(section.number_input, nb("reminders.days_before")).value == 5
    assert nb("reminders.no_email") not in [i.value for i in at.info]


def test_a_bad_address_is_explained_under_the_field_and_nothing_is_saved(writers, browser, fresh):
    browser.sign_in(writers.pia)
    at = open_page("pages/account.py")
    at = fill(at, email="pia@eksempel", weekly=True)
    assert error_after(reminder_form(at), nb("reminders.email")) == nb("reminders.email_invalid")
    at = fill(at, email="", weekly=True)
    assert error_after(reminder_form(at), nb("reminders.email")) == nb("reminders.email_needed")
    with fresh() as session:
        assert session.get(User, writers.pia.id).email is None
        assert session.get(ReminderPreference, writers.pia.id) is None
    assert not toasts(at)


def test_the_form_shows_what_was_chosen_before(writers, browser, dbs):
    reminders.set_preferences(writers.ola, session=dbs, email="ola@example.no", weekly=False, weekday=4,
                              before_gathering=True, days_before=12, show_titles=False)
    dbs.commit()
    browser.sign_in(writers.ola)
    at = open_page("pages/account.py")
    section = reminder_form(at)
    assert labelled(section.text_input, nb("reminders.email")).value == "ola@example.no"
    assert labelled(section.checkbox, nb("reminders.before_gathering")).value is True
    assert labelled(section.selectbox, nb("reminders.weekday")).value == 4
    assert labelled(section.number_input, nb("reminders.days_before")).value == 12


def test_facilitators_and_administrators_have_no_reminders_section(writers, browser, dbs):
    frode = make_member(dbs, writers.admin, writers.cohort.id, "frode", role=Role.FACILITATOR)
    for user in (frode, writers.admin):
        browser.sign_in(user)
        at = open_page("pages/account.py")
        assert nb("reminders.title") not in [s.value for s in at.subheader]
        assert "reminders" not in [f.proto.form.form_id for f in at.form]
