"""Small builders for tests: people and a cohort, made through the real services."""

from __future__ import annotations

from sqlmodel import Session

from ledpro_journal.models import DocumentKind, Role, User
from ledpro_journal.services import accounts, journal, programme

PASSWORD = "et langt nok testpassord"


def make_admin(session: Session, username: str = "admin", name: str = "Ada Admin") -> User:
    user = accounts.create_admin(session, username=username, display_name=name, password=PASSWORD)
    session.commit()
    return user


def make_cohort(session: Session, admin: User, name: str = "LEDPRO 2024", *, from_template: bool = True):
    cohort = programme.create_cohort(
        admin, session=session, name=name, institution="Høgskolen i Innlandet",
        place="Wood Hotel, Brumunddal", from_ledpro_2024=from_template,
    )
    session.commit()
    return cohort


def make_member(
    session: Session,
    admin: User,
    cohort_id: int,
    username: str,
    *,
    role: Role = Role.PARTICIPANT,
    name: str | None = None,
    group_id: int | None = None,
) -> User:
    invite = programme.create_invite(admin, session=session, cohort_id=cohort_id, role=role, group_id=group_id)
    user = accounts.register_with_invite(
        session, invite_code=invite.code, username=username,
        display_name=name or username.title(), password=PASSWORD, password_repeat=PASSWORD,
    )
    session.commit()
    return user


def participants_with_a_note(session: Session, count: int) -> tuple[list[User], list[int]]:
    """A cohort of `count` participants (deltaker00, deltaker01, …), each with an empty note: a gathering
    about to write."""
    admin = make_admin(session)
    cohort = make_cohort(session, admin)
    users = [make_member(session, admin, cohort.id, f"deltaker{number:02d}") for number in range(count)]
    notes = [journal.create_document(user, session=session, kind=DocumentKind.NOTE).id for user in users]
    return users, notes
