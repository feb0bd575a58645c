"""Who may read or change what, asked of the services themselves: participants and facilitators get
none of the administrator's powers, read only their own cohorts, and an inactive account nothing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import select

from ledpro_journal.models import Cohort, CohortMembership, Role, User
from ledpro_journal.services import accounts, permissions, programme
from ledpro_journal.services.errors import NotAllowed
from tests.helpers import make_admin, make_cohort, make_member


@dataclass
class World:
    admin: User
    participant: User
    facilitator: User
    other_participant: User
    cohort: Cohort
    other_cohort: Cohort
    empty_cohort_id: int
    group_id: int
    other_group_id: int
    membership_id: int
    invite_id: int
    theme_id: int
    gathering_id: int

    def actor(self, role: str) -> User:
        return {"admin": self.admin, "participant": self.participant, "facilitator": self.facilitator}[role]


@pytest.fixture
def world(session) -> World:
    admin = make_admin(session)
    cohort = make_cohort(session, admin)
    other = make_cohort(session, admin, "LEDPRO 2025", from_template=False)
    empty = make_cohort(session, admin, "Tomt kull", from_template=False)
    group = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 1")
    other_group = programme.create_group(admin, session=session, cohort_id=other.id, name="Gruppe A")
    session.commit()
    participant = make_member(session, admin, cohort.id, "kari", group_id=group.id)
    facilitator = make_member(session, admin, cohort.id, "fasilitator", role=Role.FACILITATOR)
    other_participant = make_member(session, admin, other.id, "ola", group_id=other_group.id)
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
    session.commit()
    membership = session.exec(select(CohortMembership).where(CohortMembership.user_id == participant.id)).one()
    return World(
        admin=admin, participant=participant, facilitator=facilitator, other_participant=other_participant,
        cohort=cohort, other_cohort=other, empty_cohort_id=empty.id, group_id=group.id, other_group_id=other_group.id,
        membership_id=membership.id, invite_id=invite.id,
        theme_id=programme.list_themes(admin, session=session, cohort_id=cohort.id)[0].id,
        gathering_id=programme.list_gatherings(admin, session=session, cohort_id=cohort.id)[0].id,
    )


# Every administrator-only use case, called as `actor` would call it from a page.
ADMIN_ONLY = {
    "create_cohort": lambda a, w, s: programme.create_cohort(a, session=s, name="LEDPRO 2026"),
    "update_cohort": lambda a, w, s: programme.update_cohort(
        a, session=s, cohort_id=w.cohort.id, name="Nytt navn", institution="", place=""),
    "delete_cohort": lambda a, w, s: programme.delete_cohort(a, session=s, cohort_id=w.empty_cohort_id),
    "add_theme": lambda a, w, s: programme.add_theme(a, session=s, cohort_id=w.cohort.id, name="Nytt tema"),
    "rename_theme": lambda a, w, s: programme.rename_theme(a, session=s, theme_id=w.theme_id, name="Nytt navn"),
    "delete_theme": lambda a, w, s: programme.delete_theme(a, session=s, theme_id=w.theme_id),
    "add_gathering": lambda a, w, s: programme.add_gathering(
        a, session=s, cohort_id=w.cohort.id, number=7, start_date=date(2024, 11, 20), end_date=date(2024, 11, 21)),
    "update_gathering": lambda a, w, s: programme.update_gathering(
        a, session=s, gathering_id=w.gathering_id, number=1, start_date=date(2024, 2, 14),
        end_date=date(2024, 2, 15), place="", theme_id=None),
    "delete_gathering": lambda a, w, s: programme.delete_gathering(a, session=s, gathering_id=w.gathering_id),
    "create_group": lambda a, w, s: programme.create_group(a, session=s, cohort_id=w.cohort.id, name="Gruppe 9"),
    "rename_group": lambda a, w, s: programme.rename_group(a, session=s, group_id=w.group_id, name="Gruppe 9"),
    "delete_group": lambda a, w, s: programme.delete_group(a, session=s, group_id=w.group_id),
    "move_to_group": lambda a, w, s: programme.move_to_group(
        a, session=s, membership_id=w.membership_id, group_id=None),
    "assign_facilitator": lambda a, w, s: programme.assign_facilitator(
        a, session=s, cohort_id=w.other_cohort.id, user_id=w.facilitator.id),
    "remove_from_cohort": lambda a, w, s: programme.remove_from_cohort(
        a, session=s, membership_id=s.exec(select(CohortMembership.id).where(
            CohortMembership.user_id == w.facilitator.id)).one()),
    "list_facilitator_accounts": lambda a, w, s: programme.list_facilitator_accounts(a, session=s),
    "create_invite": lambda a, w, s: programme.create_invite(
        a, session=s, cohort_id=w.cohort.id, role=Role.PARTICIPANT),
    "list_invites": lambda a, w, s: programme.list_invites(a, session=s, cohort_id=w.cohort.id),
    "revoke_invite": lambda a, w, s: programme.revoke_invite(a, session=s, invite_id=w.invite_id),
    "admin_overview": lambda a, w, s: programme.admin_overview(a, session=s),
    "list_users": lambda a, w, s: accounts.list_users(a, session=s),
    "set_user_active": lambda a, w, s: accounts.set_user_active(
        a, session=s, user_id=w.other_participant.id, active=False),
    "admin_reset_password": lambda a, w, s: accounts.admin_reset_password(a, session=s, user_id=w.other_participant.id),
}


def _attempt(call, actor, world, session) -> str:
    """'refused' or 'allowed'; whatever happened is undone so that the next call starts afresh."""
    try:
        with session.begin_nested():
            call(actor, world, session)
            raise _Undo()
    except NotAllowed:
        outcome = "refused"
    except _Undo:
        outcome = "allowed"
    session.expire_all()
    return outcome


class _Undo(Exception):
    pass


@pytest.mark.parametrize("role", ["participant", "facilitator"])
def test_only_administrators_use_the_administrators_services(session, world, role):
    actor = world.actor(role)
    allowed = [name for name, call in ADMIN_ONLY.items() if _attempt(call, actor, world, session) != "refused"]
    assert allowed == [], f"a {role} was allowed: {allowed}"


def test_the_administrator_can_use_every_one_of_them(session, world):
    # The other half of the matrix: the calls above are refused for the role, not for being malformed.
    refused = [name for name, call in ADMIN_ONLY.items() if _attempt(call, world.admin, world, session) != "allowed"]
    assert refused == []
    # And each was undone again, so that every call met the same world.
    session.commit()
    assert len(programme.list_themes(world.admin, session=session, cohort_id=world.cohort.id)) == 4
    assert len(programme.list_gatherings(world.admin, session=session, cohort_id=world.cohort.id)) == 6
    assert len(programme.list_groups(world.admin, session=session, cohort_id=world.cohort.id)) == 1
    assert len(programme.list_cohorts(world.admin, session=session)) == 3
    assert session.get(User, world.other_participant.id).is_active


def test_a_refused_call_changes_nothing(session, world):
    for name in ("delete_gathering", "set_user_active", "delete_group", "revoke_invite"):
        with pytest.raises(NotAllowed):
            ADMIN_ONLY[name](world.participant, world, session)
    session.commit()
    session.expire_all()
    assert len(programme.list_gatherings(world.admin, session=session, cohort_id=world.cohort.id)) == 6
    assert session.get(User, world.other_participant.id).is_active
    assert len(programme.list_groups(world.admin, session=session, cohort_id=world.cohort.id)) == 1
    invites = programme.list_invites(world.admin, session=session, cohort_id=world.cohort.id)
    assert programme.invite_status(invites[0]) == "active"


READERS = {
    "list_themes": programme.list_themes,
    "list_gatherings": programme.list_gatherings,
    "list_groups": programme.list_groups,
}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("role", ["participant", "facilitator"])
def test_people_read_the_programme_of_their_own_cohort_only(session, world, role, reader):
    actor = world.actor(role)
    read = READERS[reader]
    own = read(actor, session=session, cohort_id=world.cohort.id)
    assert own == read(world.admin, session=session, cohort_id=world.cohort.id)
    assert own  # the template cohort has themes and gatherings; the world has a group
    with pytest.raises(NotAllowed):
        read(actor, session=session, cohort_id=world.other_cohort.id)


def test_facilitators_see_only_the_cohorts_they_are_assigned_to(session, world):
    assert [c.name for c in programme.list_cohorts(world.facilitator, session=session)] == ["LEDPRO 2024"]
    programme.assign_facilitator(world.admin, session=session, cohort_id=world.other_cohort.id,
                                 user_id=world.facilitator.id)
    session.commit()
    assert {c.name for c in programme.list_cohorts(world.facilitator, session=session)} == {
        "LEDPRO 2024", "LEDPRO 2025"}
    assert len(programme.list_members(world.facilitator, session=session, cohort_id=world.other_cohort.id)) == 2


def test_list_cohorts_by_role(session, world):
    assert {c.name for c in programme.list_cohorts(world.admin, session=session)} == {
        "LEDPRO 2024", "LEDPRO 2025", "Tomt kull",
    }
    assert [c.name for c in programme.list_cohorts(world.participant, session=session)] == ["LEDPRO 2024"]
    assert [c.name for c in programme.list_cohorts(world.other_participant, session=session)] == ["LEDPRO 2025"]
    unassigned = make_member(session, world.admin, world.other_cohort.id, "ny.fasilitator", role=Role.FACILITATOR)
    programme.remove_from_cohort(
        world.admin, session=session,
        membership_id=session.exec(select(CohortMembership.id).where(CohortMembership.user_id == unassigned.id)).one(),
    )
    session.commit()
    assert programme.list_cohorts(unassigned, session=session) == []


def test_members_are_listed_for_facilitators_of_the_cohort_but_not_for_participants(session, world):
    names = {m.username for m in programme.list_members(world.facilitator, session=session, cohort_id=world.cohort.id)}
    assert names == {"kari", "fasilitator"}
    with pytest.raises(NotAllowed):
        programme.list_members(world.participant, session=session, cohort_id=world.cohort.id)
    with pytest.raises(NotAllowed):
        programme.list_members(world.facilitator, session=session, cohort_id=world.other_cohort.id)


@pytest.mark.parametrize("role", ["admin", "participant", "facilitator"])
def test_an_inactive_actor_is_refused_everything(session, world, role):
    actor = world.actor(role)
    if role == "admin":
        second = accounts.create_admin(session, username="admin2", display_name="Admin 2",
                                       password="et langt nok passord")
        session.commit()
        accounts.set_user_active(second, session=session, user_id=actor.id, active=False)
    else:
        accounts.set_user_active(world.admin, session=session, user_id=actor.id, active=False)
    session.commit()
    session.refresh(actor)
    assert not actor.is_active
    calls = {
        "list_cohorts": lambda: programme.list_cohorts(actor, session=session),
        "list_themes": lambda: programme.list_themes(actor, session=session, cohort_id=world.cohort.id),
        "list_gatherings": lambda: programme.list_gatherings(actor, session=session, cohort_id=world.cohort.id),
        "list_groups": lambda: programme.list_groups(actor, session=session, cohort_id=world.cohort.id),
        "my_programmes": lambda: programme.my_programmes(actor, session=session),
        "update_profile": lambda: accounts.update_profile(
            actor, session=session, display_name="X", candidate_number="", language="nb"),
        "change_password": lambda: accounts.change_password(
            actor, session=session, current_password="et langt nok testpassord", new_password="et nytt langt passord",
            new_password_repeat="et nytt langt passord", keep_token=None),
        "create_cohort": lambda: programme.create_cohort(actor, session=session, name="LEDPRO 2026"),
    }
    allowed = []
    for name, call in calls.items():
        try:
            call()
            allowed.append(name)
        except NotAllowed:
            pass
    assert allowed == []


def test_no_actor_is_refused(session, world):
    with pytest.raises(NotAllowed):
        permissions.ensure_admin(None)
    with pytest.raises(NotAllowed):
        programme.list_cohorts(None, session=session)
    with pytest.raises(NotAllowed):
        permissions.ensure_can_view_cohort(None, session, world.cohort.id)


def test_ensure_self_is_about_ones_own_account(session, world):
    assert permissions.ensure_self(world.participant, world.participant.id) is world.participant
    with pytest.raises(NotAllowed):
        permissions.ensure_self(world.admin, world.participant.id)  # not even the administrator


def test_visible_cohorts(session, world):
    assert permissions.visible_cohort_ids(world.admin, session) is None
    assert permissions.visible_cohort_ids(world.participant, session) == {world.cohort.id}
    assert permissions.visible_cohort_ids(world.other_participant, session) == {world.other_cohort.id}
