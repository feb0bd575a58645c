"""The unsubscribe link of a reminder e-mail over HTTP: taken from an e-mail that really arrived (aiosmtpd),
opened without signing in; a GET only asks, a POST (the page's button, or a mail program's RFC 8058
one-click POST) turns the reminders off; a forged link is refused with a page saying so."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlmodel import Session

from ledpro_journal.config import Settings
from ledpro_journal.i18n import t
from ledpro_journal.mail import SmtpSender
from ledpro_journal.models import DocumentKind, ReminderPreference
from ledpro_journal.services import accounts, journal, programme, reminders
from tests.helpers import make_admin, make_cohort, make_member
from tests.mailbox import Mailbox

HTML = {"accept": "text/html,application/xhtml+xml"}
TODAY = date(2026, 12, 2)


def mailed_link(database, *, lang: str = "nb") -> tuple[str, int]:
    """A participant with a weekly reminder due, the reminder sent, and the unsubscribe path it carries."""
    with Session(database, expire_on_commit=False) as session:
        admin = make_admin(session)
        cohort = make_cohort(session, admin)
        pia = make_member(session, admin, cohort.id, "pia", name="Pia Deltaker")
        accounts.update_profile(pia, session=session, display_name="Pia Deltaker", candidate_number="",
                                language=lang)
        reminders.set_preferences(pia, session=session, email="pia@example.no", weekly=True,
                                  weekday=TODAY.weekday(), before_gathering=True, days_before=7, show_titles=False)
        last = programme.list_gatherings(admin, session=session, cohort_id=cohort.id)[-1]
        action = journal.create_document(pia, session=session, kind=DocumentKind.ACTION, gathering_id=last.id)
        journal.save_document(pia, session=session, document_id=action.id, base_version=0,
                              fields={"title": "Ukentlig møte"}, gathering_id=last.id)
        session.commit()
        with Mailbox() as box:
            settings = Settings(smtp_host="127.0.0.1", smtp_port=box.port, smtp_security="none",
                                mail_from="ledpro@example.no")
            with SmtpSender(settings) as send:
                outcome = reminders.send_reminders(session, today=TODAY, send=send, sender="ledpro@example.no",
                                                   public_url="https://ledpro.example.no")
            assert outcome.ok
            [mail] = box.arrived
        link = mail.message["List-Unsubscribe"].strip().strip("<>")
        assert link in mail.text
        return urlsplit(link).path, pia.id


def preference(database, user_id):
    with Session(database) as session:
        row = session.get(ReminderPreference, user_id)
        return row.weekly, row.before_gathering


def test_the_link_asks_first_then_turns_reminders_off_without_signing_in(client, database):
    path, user_id = mailed_link(database)

    page = client.get(path, headers=HTML)  # what a mail scanner's prefetch does, too
    assert page.status_code == 200
    assert t("reminders.unsubscribe.title", "nb") in page.text
    assert f'<form method="post" action="{path}">' in page.text
    assert t("reminders.unsubscribe.button", "nb") in page.text
    assert page.headers["x-frame-options"] == "DENY"
    assert preference(database, user_id) == (True, True)

    done = client.post(path, data={})
    assert done.status_code == 200
    assert t("reminders.unsubscribe.done_title", "nb") in done.text
    assert preference(database, user_id) == (False, False)
    assert client.post(path).status_code == 200  # twice is fine


def test_a_mail_programs_one_click_post_works_and_the_page_is_in_the_users_language(client, database):
    path, user_id = mailed_link(database, lang="en")
    assert t("reminders.unsubscribe.title", "en") in client.get(path, headers=HTML).text
    response = client.post(path, content=b"List-Unsubscribe=One-Click",
                           headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 200 and t("reminders.unsubscribe.done_title", "en") in response.text
    assert preference(database, user_id) == (False, False)


@pytest.mark.parametrize("change", ["other user", "altered", "no signature", "garbage"])
def test_a_forged_or_damaged_link_changes_nothing_and_says_so(client, database, change):
    path, user_id = mailed_link(database)
    token = path.rsplit("/", 1)[1]
    user_part, signature = token.split(".")
    forged = {
        "other user": f"{int(user_part) - 1}.{signature}",
        "altered": f"{user_part}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}",
        "no signature": user_part,
        "garbage": "%3Cscript%3E",
    }[change]
    for method in ("GET", "POST"):
        response = client.request(method, f"/reminders/unsubscribe/{forged}", headers=HTML)
        assert response.status_code == 404
        assert t("reminders.link_invalid", "nb") in response.text
        assert "<script>" not in response.text
    assert preference(database, user_id) == (True, True)
