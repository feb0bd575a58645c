"""The one place that decides who may read or change what.

Services ask here before they read or write; pages never filter rows themselves. Administrators set up
cohorts and accounts but are never given a participant's private writing; facilitators see the cohorts
they are assigned to; participants see their own cohort.
"""

from __future__ import annotations

from sqlmodel import Session, select

from ledpro_journal.models import CohortMembership, Role, User
from ledpro_journal.services.errors import NotAllowed


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
