"""The one place that decides who may read or change what.

Services ask here before they read or write; pages never filter rows themselves. Administrators set up
cohorts and accounts but are never given a participant's private writing; facilitators see the cohorts
they are assigned to; participants see their own cohort.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from ledpro_journal.models import (
    Audience,
    AuditEvent,
    Cohort,
    CohortMembership,
    Document,
    Role,
    Share,
    SharedVersion,
    User,
)
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


def readable_shares(actor: User | None, session: Session):
    """Who sees a share, as a filter on the shares table: its owner always; while it is shared, the members
    of the group it was shared with (as they are now: moving to another group changes what one sees at
    once) and the cohort's facilitators. Administrators never. The one statement of the rule:
    `can_read_share` asks it about a single share."""
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
                sa.and_(Share.audience == Audience.GROUP, Share.group_id.in_(groups or [-1])),
            ),
        ),
    )


def can_read_share(actor: User | None, session: Session, share) -> bool:
    if actor is None or not actor.is_active or share is None or share.id is None:
        return False
    readable = select(Share.id).where(Share.id == share.id).where(readable_shares(actor, session))
    return session.exec(readable).first() is not None


def first_readable_version(actor: User, share) -> int:
    """Which shared versions a reader sees: the owner every one; anyone else those shared to the present
    audience (`visible_from` on), so that sharing again after a withdrawal, or with another group, never
    brings back what an earlier audience was shown."""
    return 1 if share.owner_id == actor.id else share.visible_from


def is_new_audience(share, group_id: int | None) -> bool:
    """Sharing again after a withdrawal, or with the group one has moved to: the readers are new."""
    return share.withdrawn_at is not None or (share.audience == Audience.GROUP and share.group_id != group_id)


def show_new_audience_from(share, number: int) -> None:
    """New readers start from the version shared to them now (see `first_readable_version`)."""
    share.visible_from = number


def can_read_shared_version(actor: User | None, session: Session, share, number: int) -> bool:
    return can_read_share(actor, session, share) and number >= first_readable_version(actor, share)


def readable_versions(actor: User):
    """`first_readable_version` as a filter on shared versions joined with their share."""
    return sa.or_(Share.owner_id == actor.id, SharedVersion.number >= Share.visible_from)


def shared_with_group_now(group_id: int):
    """Shared versions a group may read now, as a filter on shared versions joined with their share: not
    withdrawn, shared with that group, from the version it was shared to this group on."""
    return sa.and_(
        Share.withdrawn_at.is_(None),
        Share.audience == Audience.GROUP,
        Share.group_id == group_id,
        SharedVersion.number >= Share.visible_from,
    )


def ensure_share_owner(actor: User | None, share) -> User:
    """Withdrawing a share is its owner's; anyone else is told it does not exist."""
    actor = _active_or_not_found(actor)
    if share is None or share.owner_id != actor.id:
        raise NotFound()
    return actor


def ensure_comment_author(actor: User | None, comment) -> User:
    """A comment is changed or deleted by its author only."""
    actor = _active_or_not_found(actor)
    if comment is None or comment.author_id != actor.id:
        raise NotFound()
    return actor


def _active_or_not_found(actor: User | None) -> User:
    if actor is None or not actor.is_active:
        raise NotFound()
    return actor


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


def activity_facts():
    """What counting a participant's unshared writing may look at, for facilitators (their activity counts,
    the cohort overview): that something of a kind was written and kept, by whom, when, and which action a
    log entry belongs to. Never its text, title, template, themes, gathering or links to notes and actions:
    a count selected from these columns only cannot change with anything the participant chose to write."""
    return (Document.owner_id, Document.kind, Document.parent_id, Document.created_at)


def unshared_writing_counted():
    """Which of the activity facts count: saved at least once, and not in the bin."""
    return sa.and_(Document.deleted_at.is_(None), Document.version > 0)


def may_hold_calendar(user: User | None) -> bool:
    """A calendar of gatherings (and one's own dated actions) is for participants and facilitators, while
    their account is active and not deleted: an administrator belongs to no cohort."""
    return (
        user is not None
        and user.is_active
        and user.deleted_at is None
        and user.role in (Role.PARTICIPANT, Role.FACILITATOR)
    )


def ensure_calendar_holder(actor: User | None) -> User:
    if not may_hold_calendar(actor):
        raise NotAllowed()
    return actor


def valid_id(value: object) -> bool:
    """An identifier that can exist: a typed-in 10**20 is simply not there, not a database error."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


def participant_membership(actor: User | None, session: Session) -> CohortMembership:
    """A participant's place in their cohort (and group), for the use cases that need one. Anyone who is
    not a participant is not allowed; a participant in no cohort is told so (NotFound, journal.no_cohort)."""
    actor = ensure_participant(actor)
    membership = session.exec(
        select(CohortMembership)
        .where(CohortMembership.user_id == actor.id)
        .where(CohortMembership.role == Role.PARTICIPANT)
    ).first()
    if membership is None:
        raise NotFound("journal.no_cohort")
    return membership


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


def cohort_is_closed(session: Session, cohort_id: int) -> bool:
    """A closed cohort (awaiting deletion, or deleted) is read-only for everyone in it."""
    closed_at = session.exec(select(Cohort.closed_at).where(Cohort.id == cohort_id)).first()
    return closed_at is not None


def ensure_cohort_open(cohort_id: int, session: Session) -> None:
    """Every use case that writes asks this: once a cohort is closed, nothing more is written in it (reading
    and downloading go on until its deletion date). Reopening it makes it writable again."""
    if cohort_is_closed(session, cohort_id):
        raise NotAllowed("cohort.closed")


def ensure_participant_can_write(actor: User | None, session: Session) -> User:
    """A participant's writing that belongs to no document (name replacements): their cohort must be open."""
    actor = ensure_participant(actor)
    theirs = (
        select(CohortMembership.cohort_id)
        .where(CohortMembership.user_id == actor.id)
        .where(CohortMembership.role == Role.PARTICIPANT)
    )
    closed = session.exec(select(Cohort.id).where(Cohort.id.in_(theirs)).where(Cohort.closed_at.is_not(None)))
    if closed.first() is not None:
        raise NotAllowed("cohort.closed")
    return actor


def ensure_own_name_replacement(actor: User | None, replacement) -> User:
    """A participant's list of name replacements holds the real names: only they read or change it.
    Anyone else gets NotFound, as for a document, so that a typed-in id reveals nothing."""
    actor = ensure_participant(actor)
    if replacement is None or replacement.owner_id != actor.id:
        raise NotFound()
    return actor


def ensure_active(actor: User | None) -> User:
    """Anyone signed in with an active account (their own account's trail)."""
    return _active(actor)


def own_audit_events(actor: User):
    """A person's audit trail, as a filter on audit events: the events about them (what they did, and what an
    administrator did to their account). Never anyone else's."""
    return AuditEvent.subject_user_id == actor.id


def administrative_audit_events():
    """What administrators read in the event log (after `ensure_admin`): administrative events only. A
    participant's own acts (sharing, deleting, exporting, signing in) are theirs, not the administrators'."""
    return AuditEvent.administrative.is_(True)
