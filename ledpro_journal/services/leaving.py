"""Leaving: a person deletes their account, and a closed cohort's content is deleted on its deletion date.

What a person wrote privately goes at once and for good (not to the bin): documents with every version,
draft, link and citation, references, name replacements, exam drafts and their part in a group draft.
What they wrote last in a group exam draft's title or problem statement is emptied. What they shared is
withdrawn and blanked. Comments they wrote on others' notes stay where they were written (the conversation
is the others' too), shown as from a former participant: the account row stays as a tombstone without
name, password or e-mail, so that those comments keep an author.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, func, select

from ledpro_journal.models import (
    AuthSession,
    CalendarFeed,
    CohortMembership,
    Comment,
    Document,
    ExamContribution,
    ExamDraft,
    LoginAttempt,
    NameReplacement,
    Reference,
    ReminderPreference,
    Role,
    SentReminder,
    Share,
    SharedVersion,
    ShareSeen,
    User,
    UserIdentity,
    utcnow,
)
from ledpro_journal.services import audit, journal, permissions
from ledpro_journal.services.accounts import normalise_username
from ledpro_journal.services.errors import Conflict, Invalid

# No argon2 hash looks like this: verifying any password against it fails, so nobody signs in as a tombstone.
UNUSABLE_PASSWORD = "!account deleted"


def tombstone_username(user_id: int) -> str:
    """Unique, and outside the pattern of usernames one can register ("#" is not allowed there), so that
    nobody can take it before the account it belongs to is deleted."""
    return f"slettet#{user_id}"


def _run(session: Session, statement) -> int:
    return session.execute(statement.execution_options(synchronize_session=False)).rowcount


def _delete_documents(session: Session, documents) -> int:
    """Deletes for good the documents `documents` (a select of ids) selects, with everything that hangs on
    them (versions, drafts, links, citations go by the foreign keys' cascade); their shares are blanked and
    withdrawn first."""
    journal.erase_shared_text(session, documents)
    ids = list(session.exec(documents))
    if ids:
        _run(session, sa.delete(Document).where(Document.id.in_(ids)))
    return len(ids)


# --- deleting one's account ---------------------------------------------------------------------------------


def delete_account(user: User, session: Session, confirm_username: str) -> None:
    """Deletes the actor's account after they typed their username. Administrators may leave unless they
    are the last active one (someone must be able to run the installation)."""
    actor = permissions.ensure_self(user, user.id)
    account = session.get(User, actor.id)
    if account is None or account.deleted_at is not None:
        raise Conflict("leaving.already_deleted")
    if normalise_username(confirm_username) != account.username:
        raise Invalid.one("confirm_username", "leaving.username_mismatch")
    if account.role == Role.ADMIN:
        other_admins = session.exec(
            select(func.count())
            .select_from(User)
            .where(User.role == Role.ADMIN)
            .where(User.is_active.is_(True))
            .where(User.deleted_at.is_(None))
            .where(User.id != account.id)
        ).one()
        if not other_admins:
            raise Conflict("leaving.last_admin")
    erase_person(session, account)
    # The person's own trail goes with them; administrators keep the fact, with no name (and no subject).
    audit.forget_person(session, account.id)
    audit.record(session, actor=None, kind="account.deleted", administrative=True, role=str(account.role))
    now = utcnow()
    account.username = tombstone_username(account.id)
    account.display_name = ""
    account.password_hash = UNUSABLE_PASSWORD
    account.email = None
    account.candidate_number = None
    account.is_active = False
    account.deactivated_at = now
    account.deleted_at = now
    session.add(account)
    session.flush()


def erase_person(session: Session, account: User) -> None:
    """Everything of the person's except their comments on others' notes (see the module's docstring)."""
    user_id = account.id
    own_shares = select(Share.id).where(Share.owner_id == user_id)
    journal.erase_shares(session, own_shares)
    # Their own remarks in the conversation on their own notes go with the notes.
    _run(session, sa.delete(Comment).where(Comment.author_id == user_id).where(
        Comment.shared_version_id.in_(select(SharedVersion.id).where(SharedVersion.share_id.in_(own_shares)))
    ))
    _delete_documents(session, select(Document.id).where(Document.owner_id == user_id))
    _run(session, sa.delete(Reference).where(Reference.owner_id == user_id))
    _run(session, sa.delete(NameReplacement).where(NameReplacement.owner_id == user_id))
    _run(session, sa.delete(ExamContribution).where(ExamContribution.user_id == user_id))
    _run(session, sa.delete(ExamContribution).where(
        ExamContribution.draft_id.in_(select(ExamDraft.id).where(ExamDraft.owner_id == user_id))
    ))
    _run(session, sa.delete(ExamDraft).where(ExamDraft.owner_id == user_id))
    # A group draft's title and problem statement are shared: what they wrote last goes (empty: the first
    # chosen challenge's, or none); what another member wrote since stays. The drafts this session holds are
    # updated too: the group's draft goes on being used.
    for text, by in ((ExamDraft.title, ExamDraft.title_by),
                     (ExamDraft.problem_statement, ExamDraft.problem_statement_by)):
        session.execute(sa.update(ExamDraft).where(by == user_id)
                        .values({text: "", by: None, ExamDraft.updated_at: utcnow()})
                        .execution_options(synchronize_session="fetch"))
    _run(session, sa.delete(ShareSeen).where(ShareSeen.user_id == user_id))
    _run(session, sa.delete(CalendarFeed).where(CalendarFeed.user_id == user_id))
    _run(session, sa.delete(ReminderPreference).where(ReminderPreference.user_id == user_id))
    _run(session, sa.delete(SentReminder).where(SentReminder.user_id == user_id))
    _run(session, sa.delete(AuthSession).where(AuthSession.user_id == user_id))
    _run(session, sa.delete(UserIdentity).where(UserIdentity.user_id == user_id))
    _run(session, sa.delete(LoginAttempt).where(LoginAttempt.username == account.username))
    _run(session, sa.delete(CohortMembership).where(CohortMembership.user_id == user_id))


# --- deleting a closed cohort's content ----------------------------------------------------------------------


@dataclass(frozen=True)
class CohortErased:
    participants: int
    documents: int


def participants_of(cohort_id: int):
    """The cohort's participants, as a select of user ids."""
    return (
        select(CohortMembership.user_id)
        .where(CohortMembership.cohort_id == cohort_id)
        .where(CohortMembership.role == Role.PARTICIPANT)
    )


def erase_cohort_content(session: Session, cohort_id: int) -> CohortErased:
    """What the cohort's participants wrote and kept: documents, their own references, shares with their
    snapshots and every comment on them, exam drafts, name replacements, calendar feeds and reminders.
    Accounts, memberships, the programme (gatherings, themes, groups) and the reading list stay."""
    participants = participants_of(cohort_id)
    count = session.exec(select(func.count()).select_from(participants.subquery())).one()
    _run(session, sa.delete(Share).where(Share.cohort_id == cohort_id))
    documents = _delete_documents(session, select(Document.id).where(Document.cohort_id == cohort_id))
    _run(session, sa.delete(Reference).where(Reference.cohort_id == cohort_id).where(Reference.owner_id.is_not(None)))
    _run(session, sa.delete(ExamContribution).where(
        ExamContribution.draft_id.in_(select(ExamDraft.id).where(ExamDraft.cohort_id == cohort_id))
    ))
    _run(session, sa.delete(ExamDraft).where(ExamDraft.cohort_id == cohort_id))
    _run(session, sa.delete(NameReplacement).where(NameReplacement.owner_id.in_(participants)))
    for model in (CalendarFeed, ReminderPreference, SentReminder):
        _run(session, sa.delete(model).where(model.user_id.in_(participants)))
    session.flush()
    return CohortErased(participants=count, documents=documents)
