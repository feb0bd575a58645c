"""The privacy matrix, extended to the reminder e-mails: every kind of actor, with reminders asked for by
every participant (titles included), against an owner whose actions and notes are private, shared with the
group, shared with the facilitators and withdrawn.

Each piece of writing holds a secret word of its own. An e-mail goes to its participant only, names only
their own actions (only the titles, only if they chose so) and holds no word of any text: not the
owner's own reflections, and nothing of what others shared with them. Someone's address and choices are
read by themselves only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from ledpro_journal.config import Settings
from ledpro_journal.mail import SmtpSender
from ledpro_journal.models import Audience, CohortMembership, DocumentKind, Role
from ledpro_journal.services import accounts, journal, programme, reminders, sharing
from ledpro_journal.services.errors import NotAllowed
from tests.helpers import make_member
from tests.mailbox import Mailbox

TODAY = date(2026, 12, 2)
OWNER, SAME_GROUP, OTHER_GROUP, FACILITATOR, OTHER_COHORT, ADMIN, INACTIVE, NOBODY = (
    "owner", "same_group", "other_group", "facilitator", "other_cohort", "admin", "inactive", "nobody")
ACTORS = (OWNER, SAME_GROUP, OTHER_GROUP, FACILITATOR, OTHER_COHORT, ADMIN, INACTIVE, NOBODY)
PARTICIPANTS = (OWNER, SAME_GROUP, OTHER_GROUP, OTHER_COHORT, INACTIVE)
STATES = ("private", "group", "facilitators", "withdrawn")


@pytest.fixture
def world(session, admin):
    cohorts = []
    for name in ("LEDPRO 2026", "LEDPRO 2026 B"):
        cohort = programme.create_cohort(admin, session=session, name=name, from_ledpro_2024=False)
        for number, offset in ((1, -30), (2, 10)):
            programme.add_gathering(admin, session=session, cohort_id=cohort.id, number=number,
                                    start_date=TODAY + timedelta(days=offset),
                                    end_date=TODAY + timedelta(days=offset + 1))
        cohorts.append(cohort)
    first, second, elsewhere = (programme.create_group(admin, session=session, cohort_id=cohort.id, name=name)
                                for cohort, name in ((cohorts[0], "Gruppe 1"), (cohorts[0], "Gruppe 2"),
                                                     (cohorts[1], "Gruppe B")))
    session.commit()
    users = {ADMIN: admin, NOBODY: None}
    for name, cohort, group, role in (
        (OWNER, cohorts[0], first, Role.PARTICIPANT), (SAME_GROUP, cohorts[0], first, Role.PARTICIPANT),
        (INACTIVE, cohorts[0], first, Role.PARTICIPANT), (OTHER_GROUP, cohorts[0], second, Role.PARTICIPANT),
        (FACILITATOR, cohorts[0], None, Role.FACILITATOR), (OTHER_COHORT, cohorts[1], elsewhere, Role.PARTICIPANT),
    ):
        users[name] = make_member(session, admin, cohort.id, name.replace("_", ""), role=role,
                                  group_id=group.id if group else None)
    secrets = {}
    for name in PARTICIPANTS:
        user = users[name]
        reminders.set_preferences(user, session=session, email=f"{user.username}@example.no", weekly=True,
                                  weekday=TODAY.weekday(), before_gathering=True, days_before=30, show_titles=True)
        period = programme.list_gatherings(admin, session=session, cohort_id=user_cohort(session, user))[0]
        for state in STATES:
            secret = f"{name.title().replace('_', '')}{state.title()}"
            secrets[(name, state)] = secret
            action = write(session, user, DocumentKind.ACTION, {"title": f"Tittel{secret}",
                                                                "purpose": f"Tekst{secret}"}, period.id)
            if state != "private":  # logged: the action then also counts as waiting for a reflection
                write(session, user, DocumentKind.LOG, {"title": f"Logg{secret}", "observations": f"Logg{secret}"},
                      None, parent_id=action.id)
            note = write(session, user, DocumentKind.NOTE, {"title": f"Notat{secret}", "analysis": f"Notat{secret}"},
                         None)
            if state != "private":
                audience = Audience.FACILITATORS if state == "facilitators" else Audience.GROUP
                for document in (action, note):  # a log entry is shared with its action
                    sharing.share_document(user, session=session, document_id=document.id, audience=audience)
                    if state == "withdrawn":
                        [share] = sharing.shares_of_document(user, session=session, document_id=document.id)
                        sharing.withdraw_share(user, session=session, share_id=share.share_id)
        session.commit()
    accounts.set_user_active(admin, session=session, user_id=users[INACTIVE].id, active=False)
    session.commit()
    return users, secrets


def user_cohort(session, user) -> int:
    return session.exec(select(CohortMembership.cohort_id).where(CohortMembership.user_id == user.id)).one()


def write(session, user, kind, fields, gathering_id, **create):
    document = journal.create_document(user, session=session, kind=kind, gathering_id=gathering_id, **create)
    journal.save_document(user, session=session, document_id=document.id, base_version=0, fields=fields,
                          gathering_id=gathering_id)
    return document


@pytest.fixture
def mails(session, world):
    with Mailbox() as box:
        settings = Settings(smtp_host="127.0.0.1", smtp_port=box.port, smtp_security="none",
                            mail_from="ledpro@example.no")
        with SmtpSender(settings) as send:
            outcome = reminders.send_reminders(session, today=TODAY, send=send, sender="ledpro@example.no",
                                               public_url="https://ledpro.example.no")
        assert outcome.ok
        return box.arrived


def test_each_actor_gets_only_their_own_reminders_naming_only_their_own_actions(world, mails):
    """One world and one run per database, every actor looked at (the world takes a while to build)."""
    users, secrets = world
    for actor in ACTORS:
        check_mails_of(actor, users, secrets, mails)


def check_mails_of(actor, users, secrets, mails):
    user = users[actor]
    mine = [m for m in mails if user is not None and m.recipients == [f"{user.username}@example.no"]]
    assert all(len(m.recipients) == 1 for m in mails)
    if actor in (OWNER, SAME_GROUP, OTHER_GROUP, OTHER_COHORT):
        assert len(mine) == 2, actor  # the weekly one and the one before the gathering
        # The titles of one's own actions (asked for), every state of sharing alike: the proof that the
        # matrix would see a title if it were there.
        gathering = next(m for m in mine if "samling" in m.message["Subject"])
        for state in STATES:
            assert f"Tittel{secrets[(actor, state)]}" in gathering.text
    else:
        assert mine == [], actor  # facilitators, administrators, a deactivated participant, nobody
    for mail in mine:
        for (owner, _state), secret in secrets.items():
            # No text of anyone, the owner's own included; no title of anyone else's.
            assert f"Tekst{secret}" not in mail.everything
            assert f"Logg{secret}" not in mail.everything
            assert f"Notat{secret}" not in mail.everything
            if owner != actor:
                assert secret not in mail.everything, (actor, secret)


def test_an_address_and_reminder_choices_are_read_by_their_owner_only(session, world):
    users, _ = world
    for actor in ACTORS:
        user = users[actor]
        if actor in (OWNER, SAME_GROUP, OTHER_GROUP, OTHER_COHORT):
            assert reminders.my_preferences(user, session=session).email == f"{user.username}@example.no"
        else:
            with pytest.raises(NotAllowed):
                reminders.my_preferences(user, session=session)
