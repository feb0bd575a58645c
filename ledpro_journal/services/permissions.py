"""The one place that decides who may read or change what.

Services ask here before they read or write; pages never filter rows themselves. Administrators set up
cohorts and accounts but are never given a participant's private writing; facilitators see the cohorts
they are assigned to; participants see their own cohort.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from ledpro_journal.models import CohortMembership, Role, Share, User
from ledpro_journal.services.errors import NotAllowed, NotFound


def _active(actor: User | None) -> User:
    if actor is None or not actor.is_active:
        raise NotAllowed()
    return actor


def ensure_admin(actor: User | None) -> User:
    """Setting up cohorts, gatherings, groups, invite codes and accounts."""
    actor = _active(actor)
    if actor.role != Role.ADMIN:
        raise NotAllowed()
    return actor


def ensure_self(actor: User | None, user_id: int) -> User:
    """A person's own account settings: only they change them."""
    actor = _active(actor)
    if actor.id != user_id:
        raise NotAllowed()
    return actor


def visible_cohort_ids(actor: User | None, session: Session) -> set[int] | None:
    """Cohorts whose programme (dates, themes, groups) the actor may read. None means all of them."""
    actor = _active(actor)
    if actor.role == Role.ADMIN:
        return None
    rows = session.exec(select(CohortMembership.cohort_id).where(CohortMembership.user_id == actor.id))
    return set(rows)


def ensure_can_view_cohort(actor: User | None, session: Session, cohort_id: int) -> User:
    actor = _active(actor)
    visible = visible_cohort_ids(actor, session)
    if visible is not None and cohort_id not in visible:
        raise NotAllowed()
    return actor


def ensure_participant(actor: User | None) -> User:
    """Keeping a journal is what participants do; administrators and facilitators have none."""
    actor = _active(actor)
    if actor.role != Role.PARTICIPANT:
        raise NotAllowed()
    return actor


def ensure_owner(actor: User | None, document) -> User:
    """A participant's writing is theirs alone until they share it (sharing comes with the groups).

    Anyone else gets NotFound, not NotAllowed: an identifier typed into a URL must not even reveal that
    the document exists.
    """
    actor = _active(actor)
    if document is None or document.owner_id != actor.id:
        raise NotFound()
    return actor


def can_read_share(actor: User | None, session: Session, share) -> bool:
    """Who sees a shared version: its owner always; while it is shared, the members of the group it
    was shared with (as they are now: moving to another group changes what one sees at once) and the
    cohort's facilitators. Administrators never."""
    if actor is None or not actor.is_active or share is None:
        return False
    if share.owner_id == actor.id:
        return True
    if share.withdrawn_at is not None:
        return False
    membership = session.exec(
        select(CohortMembership)
        .where(CohortMembership.user_id == actor.id)
        .where(CohortMembership.cohort_id == share.cohort_id)
    ).first()
    if membership is None:
        return False
    if membership.role == Role.FACILITATOR:
        return True
    return (
        membership.role == Role.PARTICIPANT
        and share.audience == "group"
        and share.group_id is not None
        and membership.group_id == share.group_id
    )


def ensure_can_read_share(actor: User | None, session: Session, share) -> User:
    if not can_read_share(actor, session, share):
        raise NotFound()
    return actor


def ensure_facilitator_of(actor: User | None, session: Session, cohort_id: int) -> User:
    """Facilitators see their cohorts' shared work and counts of everyone's activity, never private text."""
    actor = _active(actor)
    membership = session.exec(
        select(CohortMembership)
        .where(CohortMembership.user_id == actor.id)
        .where(CohortMembership.cohort_id == cohort_id)
        .where(CohortMembership.role == Role.FACILITATOR)
    ).first()
    if membership is None:
        raise NotAllowed()
    return actor


def readable_shares(actor: User | None, session: Session):
    """The same rule as can_read_share, as a filter on the shares table, for lists of many shares."""
    actor = _active(actor)
    memberships = session.exec(select(CohortMembership).where(CohortMembership.user_id == actor.id)).all()
    facilitated = [m.cohort_id for m in memberships if m.role == Role.FACILITATOR]
    groups = [m.group_id for m in memberships if m.role == Role.PARTICIPANT and m.group_id is not None]
    return sa.or_(
        Share.owner_id == actor.id,
        sa.and_(
            Share.withdrawn_at.is_(None),
            sa.or_(
                Share.cohort_id.in_(facilitated or [-1]),
                sa.and_(Share.audience == "group", Share.group_id.in_(groups or [-1])),
            ),
        ),
    )


def valid_id(value: object) -> bool:
    """An identifier that can exist: a typed-in 10**20 is simply not there, not a database error."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def participant_membership(actor: User, session: Session) -> CohortMembership | None:
    """A participant's place in their cohort (and group); None for anyone else."""
    return session.exec(
        select(CohortMembership)
        .where(CohortMembership.user_id == actor.id)
        .where(CohortMembership.role == Role.PARTICIPANT)
    ).first()


def can_read_reference(actor: User | None, session: Session, reference) -> bool:
    """One's own references, and the reading list of a cohort one belongs to (as participant or
    facilitator). Another participant's own references are theirs: a library can say a lot about a note."""
    if actor is None or not actor.is_active or reference is None:
        return False
    if reference.owner_id is not None:
        return reference.owner_id == actor.id
    visible = visible_cohort_ids(actor, session)
    return actor.role != Role.ADMIN and visible is not None and reference.cohort_id in visible


def ensure_can_change_reference(actor: User | None, session: Session, reference) -> User:
    """Own references are changed by their owner; the cohort's reading list by its facilitators."""
    actor = _active(actor)
    if reference is None or not can_read_reference(actor, session, reference):
        raise NotFound()
    if reference.owner_id is None:
        ensure_facilitator_of(actor, session, reference.cohort_id)
    return actor


def ensure_can_use_exam_draft(actor: User | None, session: Session, draft) -> User:
    """An individual draft is its participant's; a group draft belongs to the members its group has now.
    What a member sees in it is what the members who joined chose to put there."""
    actor = _active(actor)
    if draft is None or actor.role != Role.PARTICIPANT:
        raise NotFound()
    if draft.owner_id is not None:
        if draft.owner_id != actor.id:
            raise NotFound()
        return actor
    in_group = session.exec(
        select(CohortMembership.id)
        .where(CohortMembership.user_id == actor.id)
        .where(CohortMembership.role == Role.PARTICIPANT)
        .where(CohortMembership.group_id == draft.group_id)
    ).first()
    if draft.group_id is None or in_group is None:
        raise NotFound()
    return actor
