"""The privacy matrix for the calendar feed: every kind of person asks for their calendar (built directly and
through their feed token) while one participant has dated actions that are private, shared with the group,
shared with the facilitators, withdrawn and binned, each titled with a secret word of its own.

Only the owner's own feed ever holds an action's title, and never a binned one; everyone else's feed holds
none of the words, whatever the owner shared (the feed shows one's own actions, not what one may read).
Gatherings follow the cohorts a person belongs to. Whoever has no calendar is refused, and a deactivated
account's old address opens nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from icalendar import Calendar

from ledpro_journal.models import Audience, DocumentKind, Role, User
from ledpro_journal.services import accounts, calendar, journal, programme, sharing
from ledpro_journal.services.errors import NotAllowed
from tests.helpers import make_admin, make_cohort, make_member

PRIVATE, GROUP, FACILITATORS, WITHDRAWN, BINNED = "private", "group", "facilitators", "withdrawn", "binned"
SECRETS = {
    PRIVATE: "Bortgjemtordet",
    GROUP: "Gruppehemmeligheten",
    FACILITATORS: "Veilederfortroligheten",
    WITHDRAWN: "Tilbaketrukketordet",
    BINNED: "Papirkurvordet",
}
OWNER, SAME_GROUP, OTHER_GROUP = "owner", "same_group", "other_group"
FACILITATOR_A, FACILITATOR_B, PARTICIPANT_B = "facilitator_a", "facilitator_b", "participant_b"
ADMIN, INACTIVE, NOBODY = "admin", "inactive_same_group", "nobody"
ACTORS = (OWNER, SAME_GROUP, OTHER_GROUP, FACILITATOR_A, FACILITATOR_B, PARTICIPANT_B, ADMIN, INACTIVE, NOBODY)
HOLDERS = (OWNER, SAME_GROUP, OTHER_GROUP, FACILITATOR_A, FACILITATOR_B, PARTICIPANT_B)
COHORT_OF = {OWNER: "LEDPRO 2024", SAME_GROUP: "LEDPRO 2024", OTHER_GROUP: "LEDPRO 2024",
             FACILITATOR_A: "LEDPRO 2024", FACILITATOR_B: "LEDPRO 2025", PARTICIPANT_B: "LEDPRO 2025"}
APP = "https://ledpro.example.no"


@dataclass
class World:
    users: dict[str, User | None]
    tokens: dict[str, str]


def _action(session, owner: User, state: str, on: date) -> int:
    document = journal.create_document(owner, session=session, kind=DocumentKind.ACTION)
    journal.save_document(owner, session=session, document_id=document.id, base_version=0,
                          fields={"title": f"Aksjon {SECRETS[state]}", "action_plan": "Planen."}, happened_on=on)
    session.commit()
    return document.id


@pytest.fixture
def world(session) -> World:
    admin = make_admin(session)
    cohort_a = make_cohort(session, admin, "LEDPRO 2024")
    cohort_b = make_cohort(session, admin, "LEDPRO 2025")
    a1 = programme.create_group(admin, session=session, cohort_id=cohort_a.id, name="A1")
    a2 = programme.create_group(admin, session=session, cohort_id=cohort_a.id, name="A2")
    b1 = programme.create_group(admin, session=session, cohort_id=cohort_b.id, name="B1")
    session.commit()
    users = {
        OWNER: make_member(session, admin, cohort_a.id, "eier", name="Eva Eier", group_id=a1.id),
        SAME_GROUP: make_member(session, admin, cohort_a.id, "samme", name="Siri Samme", group_id=a1.id),
        OTHER_GROUP: make_member(session, admin, cohort_a.id, "annen", name="Arne Annen", group_id=a2.id),
        FACILITATOR_A: make_member(session, admin, cohort_a.id, "fagla", name="Frida Fag", role=Role.FACILITATOR),
        FACILITATOR_B: make_member(session, admin, cohort_b.id, "faglb", name="Finn Fag", role=Role.FACILITATOR),
        PARTICIPANT_B: make_member(session, admin, cohort_b.id, "deltb", name="Dina Delt", group_id=b1.id),
        INACTIVE: make_member(session, admin, cohort_a.id, "inaktiv", name="Ivar Inaktiv", group_id=a1.id),
        ADMIN: admin,
        NOBODY: None,
    }
    owner = users[OWNER]
    ids = {state: _action(session, owner, state, date(2024, 3, day)) for day, state in enumerate(SECRETS, start=4)}
    sharing.share_document(owner, session=session, document_id=ids[GROUP], audience=Audience.GROUP)
    sharing.share_document(owner, session=session, document_id=ids[FACILITATORS], audience=Audience.FACILITATORS)
    withdrawn = sharing.share_document(owner, session=session, document_id=ids[WITHDRAWN], audience=Audience.GROUP)
    session.commit()
    sharing.withdraw_share(owner, session=session, share_id=withdrawn.share_id)
    journal.delete_document(owner, session=session, document_id=ids[BINNED])
    session.commit()
    tokens = {name: calendar.feed_token_for(users[name], session=session) for name in (*HOLDERS, INACTIVE)}
    session.commit()
    accounts.set_user_active(admin, session=session, user_id=users[INACTIVE].id, active=False)
    session.commit()
    return World(users, tokens)


def _words_in(content: bytes) -> set[str]:
    # Read back and unfolded: a long line folded in the middle of a word must not hide it.
    parsed = Calendar.from_ical(content)
    text = " ".join(str(value) for event in parsed.walk("VEVENT") for value in event.values())
    return {state for state, word in SECRETS.items() if word in text or word.encode() in content}


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_owners_own_feed_names_their_actions(session, world, actor):
    user = world.users[actor]
    if actor not in HOLDERS:
        with pytest.raises(NotAllowed) as refused:
            calendar.build_calendar(user, session=session, app_url=APP)
        assert not any(word in str(refused.value) for word in SECRETS.values())
        with pytest.raises(NotAllowed):
            calendar.feed_token_for(user, session=session)
        if actor == INACTIVE:
            assert calendar.feed_for_token(session, world.tokens[INACTIVE], app_url=APP) is None
        return

    built = calendar.build_calendar(user, session=session, app_url=APP)
    fed = calendar.feed_for_token(session, world.tokens[actor], app_url=APP)
    assert fed == built
    expected = {PRIVATE, GROUP, FACILITATORS, WITHDRAWN} if actor == OWNER else set()
    assert _words_in(fed) == expected


@pytest.mark.parametrize("actor", HOLDERS)
def test_gatherings_follow_the_cohorts_one_belongs_to(session, world, actor):
    parsed = Calendar.from_ical(calendar.feed_for_token(session, world.tokens[actor], app_url=APP))
    cohorts = {str(e["SUMMARY"]).split(" – ")[1] for e in parsed.walk("VEVENT") if str(e["UID"]).startswith("gath")}
    assert cohorts == {COHORT_OF[actor]}


def test_every_token_opens_its_own_holders_feed_only(session, world):
    for actor in HOLDERS:
        assert calendar.user_for_feed_token(session, world.tokens[actor]).id == world.users[actor].id
    assert len(set(world.tokens.values())) == len(world.tokens)
