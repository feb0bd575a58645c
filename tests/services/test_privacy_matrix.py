"""The privacy promise for shared writing, as a matrix: every service that reads, lists, counts or searches
user content (the exam draft included), asked by every kind of actor, about a private note, a note shared
with the group, a note shared with the facilitators and a share that was withdrawn.

Each note holds a secret word of its own. Whoever may not read a note never finds its word anywhere: not
in a result, not in a count, not in an error, not through an identifier typed into a URL. Whoever may
read it does find it (so that the matrix would notice a service that shows nothing to anyone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import select

from ledpro_journal.models import (
    Audience,
    CohortMembership,
    Document,
    DocumentKind,
    Role,
    User,
)
from ledpro_journal.services import accounts, exam, journal, name_replacements, programme, sharing
from ledpro_journal.services.errors import Conflict, NotAllowed, NotFound, ServiceError
from ledpro_journal.services.journal import Filters
from tests.helpers import make_admin, make_cohort, make_member

PRIVATE, GROUP, FACILITATORS, WITHDRAWN = "private", "group", "facilitators", "withdrawn"
STATES = (PRIVATE, GROUP, FACILITATORS, WITHDRAWN)
SECRETS = {
    PRIVATE: "Bortgjemtordet",
    GROUP: "Gruppehemmeligheten",
    FACILITATORS: "Veilederfortroligheten",
    WITHDRAWN: "Tilbaketrukketordet",
}
COMMENTS = {
    GROUP: "Kommentar fra gruppa",
    FACILITATORS: "Kommentar fra faglærer",
    WITHDRAWN: "Kommentar før tilbaketrekking",
}

OWNER, SAME_GROUP, OTHER_GROUP = "owner", "same_group", "other_group"
FACILITATOR_A, FACILITATOR_B, PARTICIPANT_B = "facilitator_a", "facilitator_b", "participant_b"
ADMIN, INACTIVE, NOBODY = "admin", "inactive_same_group", "nobody"
ACTORS = (OWNER, SAME_GROUP, OTHER_GROUP, FACILITATOR_A, FACILITATOR_B, PARTICIPANT_B, ADMIN, INACTIVE, NOBODY)
PARTICIPANTS = {OWNER, SAME_GROUP, OTHER_GROUP, PARTICIPANT_B, INACTIVE}
FACILITATORS_ = {FACILITATOR_A, FACILITATOR_B}


@dataclass
class World:
    users: dict[str, User | None]
    cohort_a: int
    cohort_b: int
    group_ids: list[int]  # A1, A2, B1
    note_ids: dict[str, int]
    share_ids: dict[str, int]  # no entry for the private note
    version_ids: dict[str, int]
    comment_ids: dict[str, int]
    others_share_id: int  # the other-group member's own share with group A2


def _membership_id(session, user: User) -> int:
    return session.exec(select(CohortMembership.id).where(CohortMembership.user_id == user.id)).one()


def _note(session, owner: User, state: str) -> Document:
    document = journal.create_document(owner, session=session, kind=DocumentKind.NOTE)
    secret = SECRETS[state]
    journal.save_document(owner, session=session, document_id=document.id, base_version=0,
                          fields={"title": f"Notat {secret}", "description": f"Teksten om {secret} og mer."})
    session.commit()
    return document


@pytest.fixture
def world(session) -> World:
    return build_world(session)


def build_world(session) -> World:
    """The owner's four notes, the people around them, their comments (also used by the export's matrix,
    tests/services/test_data_export_privacy.py)."""
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

    notes = {state: _note(session, owner, state) for state in STATES}
    versions = {
        GROUP: sharing.share_document(owner, session=session, document_id=notes[GROUP].id, audience=Audience.GROUP),
        FACILITATORS: sharing.share_document(owner, session=session, document_id=notes[FACILITATORS].id,
                                             audience=Audience.FACILITATORS),
        WITHDRAWN: sharing.share_document(owner, session=session, document_id=notes[WITHDRAWN].id,
                                          audience=Audience.GROUP),
    }
    session.commit()
    comments = {
        GROUP: sharing.add_comment(users[SAME_GROUP], session=session, shared_version_id=versions[GROUP].id,
                                   text=COMMENTS[GROUP]),
        FACILITATORS: sharing.add_comment(users[FACILITATOR_A], session=session,
                                          shared_version_id=versions[FACILITATORS].id, text=COMMENTS[FACILITATORS]),
        WITHDRAWN: sharing.add_comment(users[SAME_GROUP], session=session, shared_version_id=versions[WITHDRAWN].id,
                                       text=COMMENTS[WITHDRAWN]),
    }
    session.commit()
    sharing.withdraw_share(owner, session=session, share_id=versions[WITHDRAWN].share_id)
    session.commit()

    # The others have something of their own, so that their lists are not trivially empty.
    theirs = journal.create_document(users[OTHER_GROUP], session=session, kind=DocumentKind.NOTE)
    journal.save_document(users[OTHER_GROUP], session=session, document_id=theirs.id, base_version=0,
                          fields={"title": "Arnes notat", "description": "Nabotekst"})
    others_share = sharing.share_document(users[OTHER_GROUP], session=session, document_id=theirs.id,
                                          audience=Audience.GROUP)
    session.commit()

    # The inactive account was a member of the owner's group all along, and was then deactivated.
    accounts.set_user_active(admin, session=session, user_id=users[INACTIVE].id, active=False)
    session.commit()
    assert users[INACTIVE].is_active is False

    return World(
        users=users,
        cohort_a=cohort_a.id,
        cohort_b=cohort_b.id,
        group_ids=[a1.id, a2.id, b1.id],
        note_ids={state: note.id for state, note in notes.items()},
        share_ids={state: version.share_id for state, version in versions.items()},
        version_ids={state: version.id for state, version in versions.items()},
        comment_ids={state: c.id for state, c in comments.items()},
        others_share_id=others_share.share_id,
    )


# --- who may obtain what ------------------------------------------------------------------------------------------


def may_read_share(actor: str, state: str) -> bool:
    """The rule under test: the owner always; the same group only what is shared with it; the cohort's
    facilitators what is shared with the group or with them; nobody else; withdrawn only the owner."""
    if state == PRIVATE:
        return False  # there is no share of it: the owner reads it in the journal
    if actor == OWNER:
        return True
    if state == WITHDRAWN:
        return False
    if actor == SAME_GROUP:
        return state == GROUP
    if actor == FACILITATOR_A:
        return state in (GROUP, FACILITATORS)
    return False


# What each service may show of each state's secret, and to whom.
EXPECTED_REVEAL = {
    "read_share": may_read_share,
    "read_share_first_version": may_read_share,
    # The feed lists what is shared now: the participant's own group's shares (theirs included), the
    # facilitator's chosen group's shares of both audiences. Never withdrawn ones.
    "feed": lambda actor, state: (state == GROUP and actor in (OWNER, SAME_GROUP, FACILITATOR_A))
    or (state == FACILITATORS and actor == FACILITATOR_A),
    "add_comment": lambda actor, state: False,
    "shares_of_document": lambda actor, state: False,  # the owner's overview: counts, no text
    "new_comments_on_my_shares": lambda actor, state: actor == OWNER and state != PRIVATE,
    "my_comments": lambda actor, state: (actor, state) in ((SAME_GROUP, GROUP), (FACILITATOR_A, FACILITATORS)),
    "participant_activity": lambda actor, state: False,
    "facilitator_groups": lambda actor, state: False,
    "get_document": lambda actor, state: actor == OWNER,
    "find": lambda actor, state: actor == OWNER,
    "list_revisions": lambda actor, state: False,
    "overview": lambda actor, state: actor == OWNER,
    # The exam draft: one's own draft holds one's own writing; someone else's draft id typed in finds
    # nothing; a group draft the owner joined without ticking anything holds none of it.
    "exam_own_draft": lambda actor, state: actor == OWNER,
    "exam_owners_draft_typed": lambda actor, state: actor == OWNER,
    "exam_group_draft": lambda actor, state: False,
    # The owner's list of name replacements holds the real names: the owner reads it, nobody else, not
    # even by typing in the id of one of its rows to change or remove it.
    "name_replacements": lambda actor, state: actor == OWNER,
}


def _each(calls):
    """Runs every call, collecting results and refusals: one refusal does not hide what another call shows."""
    outcomes = []
    for call in calls:
        try:
            outcomes.append(call())
        except ServiceError as error:
            outcomes.append(error)
    return outcomes


def _feed_calls(actor: User | None, session, world: World):
    calls = [lambda: sharing.feed(actor, session=session)]
    # Participants: a typed group id is ignored. Facilitators: every group of every cohort, also the others'.
    calls += [lambda g=g: sharing.feed(actor, session=session, group_id=g) for g in world.group_ids]
    return _each(calls)


SERVICES = {
    "read_share": lambda a, s, w, state: sharing.read_share(a, session=s, share_id=w.share_ids.get(state, -1)),
    "read_share_first_version": lambda a, s, w, state: sharing.read_share(
        a, session=s, share_id=w.share_ids.get(state, -1), number=1
    ),
    "feed": lambda a, s, w, state: _feed_calls(a, s, w),
    "add_comment": lambda a, s, w, state: sharing.add_comment(
        a, session=s, shared_version_id=w.version_ids.get(state, -1), text="Et spørsmål"
    ),
    "shares_of_document": lambda a, s, w, state: sharing.shares_of_document(
        a, session=s, document_id=w.note_ids[state]
    ),
    "new_comments_on_my_shares": lambda a, s, w, state: sharing.new_comments_on_my_shares(a, session=s),
    "my_comments": lambda a, s, w, state: sharing.my_comments(a, session=s),
    "participant_activity": lambda a, s, w, state: _each(
        [lambda c=c: sharing.participant_activity(a, session=s, cohort_id=c) for c in (w.cohort_a, w.cohort_b)]
    ),
    "facilitator_groups": lambda a, s, w, state: _each(
        [lambda c=c: sharing.facilitator_groups(a, session=s, cohort_id=c) for c in (w.cohort_a, w.cohort_b)]
    ),
    "get_document": lambda a, s, w, state: journal.get_document(a, session=s, document_id=w.note_ids[state]),
    "find": lambda a, s, w, state: journal.find(a, session=s, filters=Filters(query=SECRETS[state])),
    "list_revisions": lambda a, s, w, state: journal.list_revisions(a, session=s, document_id=w.note_ids[state]),
    "overview": lambda a, s, w, state: journal.overview(a, session=s, today=date(2024, 5, 1)),
    "exam_own_draft": lambda a, s, w, state: _exam_own_draft(a, s),
    "exam_owners_draft_typed": lambda a, s, w, state: _exam_owners_draft_typed(a, s, w),
    "exam_group_draft": lambda a, s, w, state: _exam_group_draft(a, s, w),
    "name_replacements": lambda a, s, w, state: _name_replacements(a, s, w, state),
}


def _name_replacements(actor, session, world: World, state: str):
    """The owner keeps the state's secret word on their list of names; the actor reads their own list,
    runs the name check, and types in the row's id to change and to remove it."""
    row = name_replacements.add_replacement(world.users[OWNER], session=session, name=SECRETS[state],
                                            replacement="kollega A")
    session.commit()
    return _each([
        lambda: name_replacements.my_replacements(actor, session=session),
        lambda: name_replacements.check_names(actor, session=session, texts=["Ingen navn her."]),
        lambda: name_replacements.change_replacement(actor, session=session, replacement_id=row.id,
                                                     replacement="rolle B"),
        lambda: name_replacements.remove_replacement(actor, session=session, replacement_id=row.id),
    ])


def _exam_own_draft(actor, session):
    draft = exam.open_draft(actor, session=session)
    return exam.compose(actor, session=session, draft_id=draft.id, today=date(2024, 11, 1))


def _exam_owners_draft_typed(actor, session, world: World):
    draft = exam.open_draft(world.users[OWNER], session=session)
    session.commit()
    return exam.compose(actor, session=session, draft_id=draft.id, today=date(2024, 11, 1))


def _exam_group_draft(actor, session, world: World):
    """The owner joins the group draft and ticks nothing; the actor reads their own group draft, if
    they have one, and types in the owner's group draft's id."""
    owners = exam.open_draft(world.users[OWNER], session=session, mode=exam.GROUP)
    exam.join_group_draft(world.users[OWNER], session=session, draft_id=owners.id)
    session.commit()
    calls = [lambda: exam.compose(actor, session=session, draft_id=owners.id, today=date(2024, 11, 1))]

    def own():
        draft = exam.open_draft(actor, session=session, mode=exam.GROUP)
        exam.join_group_draft(actor, session=session, draft_id=draft.id)
        return exam.compose(actor, session=session, draft_id=draft.id, today=date(2024, 11, 1))

    return _each([*calls, own])


def _observed(outcome) -> str:
    """Everything a caller could see: the returned structure, or the refusal with its key and parameters."""
    if isinstance(outcome, ServiceError):
        return f"{outcome!s} {outcome!r} {outcome.key!r} {outcome.params!r} {getattr(outcome, 'errors', '')!r}"
    if isinstance(outcome, list):
        return " ".join(_observed(item) for item in outcome)
    if isinstance(outcome, sharing.SharedView):
        return f"{outcome!r} {outcome.version.fields!r} {outcome.version.logs!r} {outcome.comments!r}"
    if isinstance(outcome, Document):
        return f"{outcome!r} {outcome.fields!r} {outcome.title!r} {outcome.excerpt!r} {outcome.search_text!r}"
    return repr(outcome)


def _refusals(outcome) -> list[ServiceError]:
    if isinstance(outcome, ServiceError):
        return [outcome]
    if isinstance(outcome, list):
        return [item for item in outcome if isinstance(item, ServiceError)]
    return []


@pytest.mark.parametrize("service", sorted(SERVICES))
@pytest.mark.parametrize("actor_name", ACTORS)
def test_only_those_allowed_obtain_the_text(session, world, actor_name, service):
    actor = world.users[actor_name]
    expected = EXPECTED_REVEAL[service]
    failures = []
    for state in STATES:
        try:
            outcome = SERVICES[service](actor, session, world, state)
            session.commit()
        except ServiceError as error:
            outcome = error
            session.rollback()
        seen = _observed(outcome).lower()
        obtained = SECRETS[state].lower() in seen
        if obtained != expected(actor_name, state):
            failures.append(f"{state}: obtained={obtained}, expected={expected(actor_name, state)}")
        # No other note's secret leaks through the call about this one either.
        for other_state, secret in SECRETS.items():
            if other_state != state and secret.lower() in seen and not expected(actor_name, other_state):
                failures.append(f"{state}: shows the secret of {other_state}")
        # Refusals never reveal that a document exists to those who cannot read it: NotFound or NotAllowed.
        for refusal in _refusals(outcome):
            if not isinstance(refusal, (NotFound, NotAllowed, Conflict)):
                failures.append(f"{state}: unexpected refusal {refusal!r}")
            if isinstance(refusal, Conflict) and not (actor_name == OWNER and state == WITHDRAWN):
                failures.append(f"{state}: a conflict tells {actor_name} something: {refusal!r}")
        _check_specifics(service, actor_name, state, outcome, world, failures)
    assert not failures, failures


def _check_specifics(service, actor_name, state, outcome, world, failures) -> None:
    """What the matrix's yes/no does not say: the right kind of refusal, and the owner's own view."""
    readable = may_read_share(actor_name, state)
    if service in ("read_share", "read_share_first_version"):
        if readable:
            if not isinstance(outcome, sharing.SharedView):
                failures.append(f"{state}: {actor_name} could not read: {outcome!r}")
        elif not isinstance(outcome, NotFound):
            failures.append(f"{state}: expected NotFound for {actor_name}, got {outcome!r}")
    if service == "add_comment":
        may_comment = readable and state != WITHDRAWN
        if may_comment != (not isinstance(outcome, ServiceError)):
            failures.append(f"{state}: {actor_name} commenting gave {outcome!r}")
        if actor_name == OWNER and state == WITHDRAWN and not (isinstance(outcome, Conflict)
                                                             and outcome.key == "sharing.withdrawn"):
            failures.append(f"{state}: the owner should hear the share is withdrawn, got {outcome!r}")
        if not readable and not isinstance(outcome, NotFound):
            failures.append(f"{state}: expected NotFound for {actor_name}, got {outcome!r}")
    if service in ("get_document", "list_revisions", "shares_of_document"):
        if actor_name == OWNER:
            if isinstance(outcome, ServiceError):
                failures.append(f"{state}: the owner was refused: {outcome!r}")
        elif actor_name in (SAME_GROUP, OTHER_GROUP, PARTICIPANT_B) and not isinstance(outcome, NotFound):
            failures.append(f"{state}: expected NotFound for {actor_name}, got {outcome!r}")
        elif not isinstance(outcome, (NotFound, NotAllowed)):
            failures.append(f"{state}: expected a refusal for {actor_name}, got {outcome!r}")
    owners_shares = {PRIVATE: [], GROUP: [False], FACILITATORS: [False], WITHDRAWN: [True]}
    if (service == "shares_of_document" and actor_name == OWNER and isinstance(outcome, list)
            and [s.withdrawn for s in outcome] != owners_shares[state]):
        failures.append(f"{state}: the owner's shares are wrong: {outcome!r}")
    if service == "my_comments" and actor_name == SAME_GROUP and isinstance(outcome, list):
        by_share = {c.share_id: c for c in outcome}
        withdrawn = by_share.get(world.share_ids[WITHDRAWN])
        if withdrawn is None or withdrawn.text != COMMENTS[WITHDRAWN] or withdrawn.on_title is not None:
            failures.append(f"the commenter does not get their comment back without the title: {outcome!r}")
        group = by_share.get(world.share_ids[GROUP])
        if group is None or group.on_title != f"Notat {SECRETS[GROUP]}":
            failures.append(f"the group comment lacks its title: {outcome!r}")
    if service in ("participant_activity", "facilitator_groups"):
        results = [o for o in outcome if not isinstance(o, ServiceError)]
        allowed = {FACILITATOR_A: 1, FACILITATOR_B: 1}.get(actor_name, 0)
        if len(results) != allowed:
            failures.append(f"{actor_name} got {len(results)} of the cohorts' {service}")
    if service == "feed" and actor_name in FACILITATORS_:
        answered = [o for o in outcome[1:] if not isinstance(o, ServiceError)]
        own_groups = 2 if actor_name == FACILITATOR_A else 1
        if len(answered) != own_groups:
            failures.append(f"{actor_name} read {len(answered)} groups' feeds, expected {own_groups}")
    refused = REFUSED.get(service, set())
    if actor_name in refused:
        outcomes = outcome if service == "feed" else [outcome]
        if not all(isinstance(o, NotAllowed) for o in outcomes):
            failures.append(f"{state}: {actor_name} was not refused {service}: {outcome!r}")
    elif service in REFUSED and actor_name not in FACILITATORS_ and any(isinstance(o, ServiceError) for o in
                                    (outcome[:1] if service == "feed" else [outcome])):
        failures.append(f"{state}: {actor_name} was refused their own {service}: {outcome!r}")


NON_PARTICIPANTS = {ADMIN, NOBODY, INACTIVE, FACILITATOR_A, FACILITATOR_B}
# Services about the actor's own things: who is turned away (NotAllowed) rather than given their own list.
REFUSED = {
    "feed": {ADMIN, NOBODY, INACTIVE},
    "new_comments_on_my_shares": NON_PARTICIPANTS,
    "my_comments": {NOBODY, INACTIVE},
    "find": NON_PARTICIPANTS,
    "overview": NON_PARTICIPANTS,
    "exam_own_draft": NON_PARTICIPANTS,
}


# --- beyond the matrix ------------------------------------------------------------------------------------------------


def test_the_same_group_member_sees_the_group_share_and_the_facilitator_both(session, world):
    """The matrix's positive cases, spelled out."""
    peer, facilitator = world.users[SAME_GROUP], world.users[FACILITATOR_A]
    view = sharing.read_share(peer, session=session, share_id=world.share_ids[GROUP])
    assert SECRETS[GROUP] in view.version.fields["description"]
    assert [c.text for c in view.comments] == [COMMENTS[GROUP]]
    for state in (GROUP, FACILITATORS):
        assert SECRETS[state] in sharing.read_share(facilitator, session=session,
                                                    share_id=world.share_ids[state]).version.fields["description"]
    assert {i.share_id for i in sharing.feed(facilitator, session=session, group_id=world.group_ids[0])} == {
        world.share_ids[GROUP], world.share_ids[FACILITATORS]
    }
    assert [i.share_id for i in sharing.feed(facilitator, session=session, group_id=world.group_ids[1])] == [
        world.others_share_id
    ]


def test_moving_a_member_to_another_group_changes_what_they_see_at_once(session, world):
    admin, peer = world.users[ADMIN], world.users[SAME_GROUP]
    assert [i.share_id for i in sharing.feed(peer, session=session)] == [world.share_ids[GROUP]]
    with pytest.raises(NotFound):
        sharing.read_share(peer, session=session, share_id=world.others_share_id)

    programme.move_to_group(admin, session=session, membership_id=_membership_id(session, peer),
                            group_id=world.group_ids[1])
    session.commit()

    assert [i.share_id for i in sharing.feed(peer, session=session)] == [world.others_share_id]
    assert "Nabotekst" in repr(sharing.read_share(peer, session=session, share_id=world.others_share_id).version.fields)
    for state in STATES:
        if state in world.share_ids:
            with pytest.raises(NotFound) as excinfo:
                sharing.read_share(peer, session=session, share_id=world.share_ids[state])
            assert SECRETS[state] not in repr(excinfo.value)
    with pytest.raises(NotFound):
        sharing.add_comment(peer, session=session, shared_version_id=world.version_ids[GROUP], text="Fortsatt her?")
    session.rollback()
    mine = {c.share_id: c for c in sharing.my_comments(peer, session=session)}
    assert mine[world.share_ids[GROUP]].on_title is None  # the comment is theirs; the note is no longer for them
    assert mine[world.share_ids[GROUP]].text == COMMENTS[GROUP]
    assert SECRETS[GROUP] not in repr(sharing.my_comments(peer, session=session))

    # And the other way: the member who was in A2 moves into A1 and sees its share at once.
    other = world.users[OTHER_GROUP]
    programme.move_to_group(admin, session=session, membership_id=_membership_id(session, other),
                            group_id=world.group_ids[0])
    session.commit()
    assert SECRETS[GROUP] in sharing.read_share(other, session=session,
                                                share_id=world.share_ids[GROUP]).version.fields["description"]


def test_removing_a_member_from_every_group_hides_the_group_share(session, world):
    admin, peer = world.users[ADMIN], world.users[SAME_GROUP]
    programme.move_to_group(admin, session=session, membership_id=_membership_id(session, peer), group_id=None)
    session.commit()
    assert sharing.feed(peer, session=session) == []
    with pytest.raises(NotFound):
        sharing.read_share(peer, session=session, share_id=world.share_ids[GROUP])


@pytest.mark.parametrize("actor_name", [SAME_GROUP, OTHER_GROUP, FACILITATOR_A, FACILITATOR_B, PARTICIPANT_B, ADMIN])
def test_typed_identifiers_find_nothing(session, world, actor_name):
    actor = world.users[actor_name]
    readable = {world.share_ids[s] for s in (GROUP, FACILITATORS, WITHDRAWN) if may_read_share(actor_name, s)}
    if actor_name in (OTHER_GROUP, FACILITATOR_A):
        readable.add(world.others_share_id)
    all_share_ids = set(world.share_ids.values()) | {world.others_share_id}
    typed = set(range(-1, max(all_share_ids) + 5)) | {10**9, 2**31 - 1}
    for share_id in sorted(typed - readable):
        with pytest.raises(NotFound):
            sharing.read_share(actor, session=session, share_id=share_id)
    for share_id in ("1", str(world.share_ids[GROUP]), None, 1.0, [world.share_ids[GROUP]]):
        with pytest.raises(NotFound):
            sharing.read_share(actor, session=session, share_id=share_id)
    # A shared version's id, or a document's, typed where a share id belongs or into add_comment.
    version_ids = set(world.version_ids.values())
    readable_versions = {world.version_ids[s] for s in (GROUP, FACILITATORS) if may_read_share(actor_name, s)}
    if actor_name in (OTHER_GROUP, FACILITATOR_A):
        readable_versions.add(max(version_ids) + 1)  # the other-group member's own share's version
    for version_id in sorted((version_ids | {max(version_ids) + 1, 10**9, -1}) - readable_versions):
        with pytest.raises(NotFound) as excinfo:
            sharing.add_comment(actor, session=session, shared_version_id=version_id, text="Hei")
        session.rollback()
        assert not any(secret in repr(excinfo.value) for secret in SECRETS.values())
    for state in STATES:
        with pytest.raises((NotFound, NotAllowed)):
            journal.get_document(actor, session=session, document_id=world.note_ids[state])
        with pytest.raises((NotFound, NotAllowed)):
            sharing.shares_of_document(actor, session=session, document_id=world.note_ids[state])
        with pytest.raises((NotFound, NotAllowed)):
            sharing.withdraw_share(actor, session=session, share_id=world.share_ids.get(state, -1))
        session.rollback()
    # Comments by others cannot be changed or removed by an id typed in.
    for comment_id in world.comment_ids.values():
        if session.get(sharing.Comment, comment_id).author_id == getattr(actor, "id", None):
            continue
        with pytest.raises(NotFound):
            sharing.edit_comment(actor, session=session, comment_id=comment_id, text="Overskrevet")
        with pytest.raises(NotFound):
            sharing.delete_comment(actor, session=session, comment_id=comment_id)
        session.rollback()


def test_a_later_number_typed_into_the_address_does_not_open_an_unshared_version(session, world):
    owner, peer = world.users[OWNER], world.users[SAME_GROUP]
    journal.save_document(owner, session=session, document_id=world.note_ids[GROUP], base_version=1,
                          fields={"description": "Ny privat tekst Uferdigordet"})
    session.commit()
    view = sharing.read_share(peer, session=session, share_id=world.share_ids[GROUP])
    assert "Uferdigordet" not in repr(view.version.fields) and view.changed_since is True
    for number in (0, 2, 3, -1):
        with pytest.raises(NotFound):
            sharing.read_share(peer, session=session, share_id=world.share_ids[GROUP], number=number)
    # A facilitator-only note cannot be reached from the group by any version number either.
    for number in (None, 1, 2):
        with pytest.raises(NotFound):
            sharing.read_share(peer, session=session, share_id=world.share_ids[FACILITATORS], number=number)


def test_reactivating_the_inactive_member_gives_back_exactly_the_group_share(session, world):
    inactive = world.users[INACTIVE]
    accounts.set_user_active(world.users[ADMIN], session=session, user_id=inactive.id, active=True)
    session.commit()
    assert [i.share_id for i in sharing.feed(inactive, session=session)] == [world.share_ids[GROUP]]
    for state in (FACILITATORS, WITHDRAWN):
        with pytest.raises(NotFound):
            sharing.read_share(inactive, session=session, share_id=world.share_ids[state])


# --- versions an earlier audience was shown ---------------------------------------------------------------------

EARLIER, LATER = "Tidligeresynsordet", "Senereordet"


def _share_again_after(session, world: World, how: str) -> tuple[User, int]:
    """The owner shares a note with their group (EARLIER, with a comment), then either withdraws it or moves
    to group A2, rewrites it (LATER) and shares it again. Returns (a reader of the new share, its id)."""
    owner, peer, admin = world.users[OWNER], world.users[SAME_GROUP], world.users[ADMIN]
    note = journal.create_document(owner, session=session, kind=DocumentKind.NOTE)
    journal.save_document(owner, session=session, document_id=note.id, base_version=0,
                          fields={"title": f"Notat {EARLIER}", "description": f"Om {EARLIER}."})
    first = sharing.share_document(owner, session=session, document_id=note.id, audience=Audience.GROUP)
    sharing.add_comment(peer, session=session, shared_version_id=first.id, text="Svar på den første versjonen")
    session.commit()
    if how == "withdrawn":
        sharing.withdraw_share(owner, session=session, share_id=first.share_id)
        reader = peer
    else:
        programme.move_to_group(admin, session=session, membership_id=_membership_id(session, owner),
                                group_id=world.group_ids[1])
        reader = world.users[OTHER_GROUP]
    session.commit()
    journal.save_document(owner, session=session, document_id=note.id, base_version=1,
                          fields={"title": f"Notat {LATER}", "description": f"Om {LATER}."})
    again = sharing.share_document(owner, session=session, document_id=note.id, audience=Audience.GROUP)
    session.commit()
    assert again.share_id == first.share_id and again.number == 2
    return reader, first


@pytest.mark.parametrize("how", ["withdrawn", "owner_moved_group"])
@pytest.mark.parametrize("reader_name", ["group_member", FACILITATOR_A])
def test_a_new_audience_never_gets_the_versions_an_earlier_audience_was_shown(session, world, how, reader_name):
    reader, first = _share_again_after(session, world, how)
    if reader_name == FACILITATOR_A:
        reader = world.users[FACILITATOR_A]
    seen = []
    view = sharing.read_share(reader, session=session, share_id=first.share_id)
    seen.append(_observed(view))
    assert LATER.lower() in seen[-1].lower()
    assert [number for number, *_ in view.versions] == [2]
    with pytest.raises(NotFound):
        sharing.read_share(reader, session=session, share_id=first.share_id, number=1)
    with pytest.raises(NotFound):
        sharing.add_comment(reader, session=session, shared_version_id=first.id, text="Et spørsmål")
    session.rollback()
    feed = sharing.feed(reader, session=session, group_id=None if reader_name != FACILITATOR_A else (
        world.group_ids[0] if how == "withdrawn" else world.group_ids[1]))
    (item,) = [i for i in feed if i.share_id == first.share_id]
    assert item.versions == 1 and item.comments == 0
    seen.append(_observed(feed))
    mine = sharing.my_comments(reader, session=session)
    seen.append(_observed(mine))
    # The member who commented on the first version keeps the comment, without that version's title.
    assert [c.on_title for c in mine if c.share_id == first.share_id] in ([], [None])
    assert not any(EARLIER.lower() in text.lower() for text in seen), seen
    # The owner keeps every version and its comments.
    owner_view = sharing.read_share(world.users[OWNER], session=session, share_id=first.share_id, number=1)
    assert EARLIER in _observed(owner_view)
