"""The programme as data: cohorts, their themes, gatherings, the institution's template for exam drafts
and reflection groups, who belongs where, and the invite codes that bring people in. A new year's cohort
needs no code, only these use cases."""

from __future__ import annotations

import calendar
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, func, select

from ledpro_journal.export.exam_docx import TemplateRejected, check_template
from ledpro_journal.i18n import today_in_oslo
from ledpro_journal.models import (
    Cohort,
    CohortMembership,
    Document,
    ExamTemplate,
    Gathering,
    InviteCode,
    ReflectionGroup,
    Role,
    Theme,
    User,
    utcnow,
)
from ledpro_journal.services import audit, leaving, permissions, plain_text
from ledpro_journal.services.errors import (
    Conflict,
    Invalid,
    NotAllowed,
    NotFound,
    Problems,
)

MAX_GATHERINGS = 12

# From the programme description of LEDPRO 2024 (Høgskolen i Innlandet): the ready starting point.
LEDPRO_2024 = {
    "name": "LEDPRO 2024",
    "institution": "Høgskolen i Innlandet",
    "place": "Wood Hotel, Brumunddal",
    "themes": [
        "Grunnleggende organisasjonsforståelse",
        "Ledelse av arbeidsprosesser",
        "Underliggende prosesser – spenning – motstand",
        "Egen rolle og autoritet",
    ],
    # (number, first day, last day, index of the main theme). The seed names four main themes for six
    # gatherings without pairing them; this pairing follows the order of the themes and is editable.
    "gatherings": [
        (1, date(2024, 2, 15), date(2024, 2, 16), 0),
        (2, date(2024, 4, 4), date(2024, 4, 5), 1),
        (3, date(2024, 5, 15), date(2024, 5, 16), 2),
        (4, date(2024, 6, 20), date(2024, 6, 21), 3),
        (5, date(2024, 8, 28), date(2024, 8, 29), 1),
        (6, date(2024, 10, 7), date(2024, 10, 8), 3),
    ],
}


def _clean(text: str | None, *, limit: int, field: str = "name") -> str:
    # Refused when too long or unstorable (plain_text), never cut short without a word.
    return plain_text.one_line(text, field=field, limit=limit, required=False)


def _get(session: Session, model, object_id: int | None):
    row = session.get(model, object_id) if permissions.valid_id(object_id) else None
    if row is None:
        raise NotFound()
    return row


# --- cohorts ---------------------------------------------------------------------------------------


def list_cohorts(actor: User, *, session: Session) -> list[Cohort]:
    visible = permissions.visible_cohort_ids(actor, session)
    query = select(Cohort).order_by(Cohort.created_at.desc(), Cohort.id.desc())
    if visible is not None:
        query = query.where(Cohort.id.in_(visible or {-1}))
    return list(session.exec(query).all())


def _check_cohort_fields(session: Session, name: str, cohort_id: int | None) -> Problems:
    problems = Problems()
    if not name:
        problems.add("name", "field.required")
    else:
        # SQLite's lower() leaves Æ, Ø and Å as they are: the exact name is compared as well.
        clash = select(Cohort.id).where(sa.or_(Cohort.name == name, func.lower(Cohort.name) == name.lower()))
        if cohort_id is not None:
            clash = clash.where(Cohort.id != cohort_id)
        if session.exec(clash).first() is not None:
            problems.add("name", "cohort.name_taken")
    return problems


def create_cohort(
    actor: User,
    *,
    session: Session,
    name: str,
    institution: str = "",
    place: str = "",
    from_ledpro_2024: bool = False,
) -> Cohort:
    """A new cohort, empty or filled with LEDPRO 2024's themes and gatherings to edit from there."""
    permissions.ensure_admin(actor)
    name = _clean(name, limit=120)
    _check_cohort_fields(session, name, None).raise_if_any()
    cohort = Cohort(name=name, institution=_clean(institution, limit=200, field="institution"),
                    place=_clean(place, limit=200, field="place"))
    session.add(cohort)
    session.flush()
    if from_ledpro_2024:
        themes = []
        for position, theme_name in enumerate(LEDPRO_2024["themes"], start=1):
            theme = Theme(cohort_id=cohort.id, position=position, name=theme_name)
            session.add(theme)
            themes.append(theme)
        session.flush()
        for number, start, end, theme_index in LEDPRO_2024["gatherings"]:
            session.add(
                Gathering(
                    cohort_id=cohort.id,
                    number=number,
                    start_date=start,
                    end_date=end,
                    place=cohort.place,
                    theme_id=themes[theme_index].id,
                )
            )
        session.flush()
    audit.record(session, actor=actor, kind="admin.cohort.created", administrative=True, cohort_id=cohort.id,
                 cohort=cohort.name)
    return cohort


def update_cohort(
    actor: User, *, session: Session, cohort_id: int, name: str, institution: str, place: str
) -> Cohort:
    permissions.ensure_admin(actor)
    cohort = _get(session, Cohort, cohort_id)
    name = _clean(name, limit=120)
    institution = _clean(institution, limit=200, field="institution")
    place = _clean(place, limit=200, field="place")
    _check_cohort_fields(session, name, cohort_id).raise_if_any()
    # Its gatherings' events name the cohort, and take its place where they have none of their own: a new
    # name changes every event, a new place only those of gatherings without a place.
    if name != cohort.name:
        _revise_gatherings(session, Gathering.cohort_id == cohort_id)
    elif place != cohort.place:
        _revise_gatherings(session, Gathering.cohort_id == cohort_id, Gathering.place == "")
    cohort.name = name
    cohort.institution = institution
    cohort.place = place
    session.add(cohort)
    audit.record(session, actor=actor, kind="admin.cohort.changed", administrative=True, cohort_id=cohort.id,
                 cohort=cohort.name)
    return cohort


def delete_cohort(actor: User, *, session: Session, cohort_id: int) -> None:
    """Only a cohort nobody has joined yet: a cohort with people in it holds their year's work."""
    permissions.ensure_admin(actor)
    cohort = _get(session, Cohort, cohort_id)
    members = session.exec(
        select(func.count()).select_from(CohortMembership).where(CohortMembership.cohort_id == cohort_id)
    ).one()
    if members:
        raise Conflict("cohort.not_empty", count=members)
    session.delete(cohort)
    session.flush()
    audit.record(session, actor=actor, kind="admin.cohort.deleted", administrative=True, cohort_id=cohort_id,
                 cohort=cohort.name)


# --- themes ------------------------------------------------------------------------------------------


def list_themes(actor: User, *, session: Session, cohort_id: int) -> list[Theme]:
    permissions.ensure_can_view_cohort(actor, session, cohort_id)
    return list(session.exec(select(Theme).where(Theme.cohort_id == cohort_id).order_by(Theme.position)).all())


def _check_unique_name(
    session: Session, model, *, cohort_id: int, name: str, own_id: int | None, taken_key: str
) -> None:
    """Themes and groups: a name is required and unique within the cohort, whatever its capitals."""
    if not name:
        raise Invalid.one("name", "field.required")
    # SQLite's lower() leaves Æ, Ø and Å as they are: the exact name is compared as well (else the unique key
    # would fail as an error page).
    same = sa.or_(model.name == name, func.lower(model.name) == name.lower())
    clash = select(model.id).where(model.cohort_id == cohort_id).where(same)
    if own_id is not None:
        clash = clash.where(model.id != own_id)
    if session.exec(clash).first() is not None:
        raise Invalid.one("name", taken_key)


def add_theme(actor: User, *, session: Session, cohort_id: int, name: str) -> Theme:
    permissions.ensure_admin(actor)
    _get(session, Cohort, cohort_id)
    name = _clean(name, limit=200)
    _check_unique_name(session, Theme, cohort_id=cohort_id, name=name, own_id=None, taken_key="theme.name_taken")
    last = session.exec(select(func.max(Theme.position)).where(Theme.cohort_id == cohort_id)).one()
    theme = Theme(cohort_id=cohort_id, position=(last or 0) + 1, name=name)
    session.add(theme)
    session.flush()
    return theme


def rename_theme(actor: User, *, session: Session, theme_id: int, name: str) -> Theme:
    permissions.ensure_admin(actor)
    theme = _get(session, Theme, theme_id)
    name = _clean(name, limit=200)
    _check_unique_name(
        session, Theme, cohort_id=theme.cohort_id, name=name, own_id=theme_id, taken_key="theme.name_taken"
    )
    if name != theme.name:
        _revise_gatherings(session, Gathering.theme_id == theme_id)  # their events name the theme
    theme.name = name
    session.add(theme)
    session.flush()
    return theme


def delete_theme(actor: User, *, session: Session, theme_id: int) -> None:
    """Gatherings that had this theme keep their place in the programme, without a theme."""
    permissions.ensure_admin(actor)
    theme = _get(session, Theme, theme_id)
    _revise_gatherings(session, Gathering.theme_id == theme_id)
    session.execute(sa.update(Gathering).where(Gathering.theme_id == theme_id).values(theme_id=None))
    session.delete(theme)
    session.flush()


# --- gatherings ----------------------------------------------------------------------------------------


def _revised(session: Session, gathering: Gathering) -> None:
    """What the gathering's calendar event shows has changed (its dates, place, number or theme): a new
    SEQUENCE and LAST-MODIFIED for calendar programs that only take an event with those raised as changed
    (calendar.py). A save that changes nothing raises nothing. Raised in the database, so that two
    administrators saving at once give two versions, not one."""
    gathering.version = Gathering.version + 1
    gathering.updated_at = utcnow()
    session.add(gathering)
    session.flush()


def _revise_gatherings(session: Session, *where) -> None:
    """`_revised` for every gathering `where` selects: their events show a theme or cohort that changed."""
    session.execute(
        sa.update(Gathering).where(*where).values(version=Gathering.version + 1, updated_at=utcnow())
        .execution_options(synchronize_session="fetch")
    )


def list_gatherings(actor: User, *, session: Session, cohort_id: int) -> list[Gathering]:
    permissions.ensure_can_view_cohort(actor, session, cohort_id)
    return list(
        session.exec(select(Gathering).where(Gathering.cohort_id == cohort_id).order_by(Gathering.number)).all()
    )


def _check_gathering(
    session: Session,
    *,
    cohort_id: int,
    gathering_id: int | None,
    number: int | None,
    start_date: date | None,
    end_date: date | None,
    theme_id: int | None,
) -> None:
    problems = Problems()
    if number is None:
        problems.add("number", "field.required")
    elif not 1 <= number <= MAX_GATHERINGS:
        problems.add("number", "gathering.number_range", max=MAX_GATHERINGS)
    if start_date is None:
        problems.add("start_date", "field.required")
    if end_date is None:
        problems.add("end_date", "field.required")
    if start_date and end_date:
        if end_date < start_date:
            problems.add("end_date", "gathering.end_before_start")
        elif not 1 <= (end_date - start_date).days <= 2:
            problems.add("end_date", "gathering.two_or_three_days")
    if theme_id is not None:
        theme = session.get(Theme, theme_id)
        if theme is None or theme.cohort_id != cohort_id:
            problems.add("theme_id", "field.invalid_choice")
    problems.raise_if_any()

    others = session.exec(
        select(Gathering).where(Gathering.cohort_id == cohort_id).where(Gathering.id != (gathering_id or -1))
    ).all()
    for other in others:
        if other.number == number:
            problems.add("number", "gathering.number_taken", number=number)
        elif start_date <= other.end_date and other.start_date <= end_date:
            problems.add("start_date", "gathering.overlaps", number=other.number)
        elif (other.number < number) != (other.start_date < start_date):
            problems.add("number", "gathering.out_of_order", number=other.number)
    problems.raise_if_any()


def add_gathering(
    actor: User,
    *,
    session: Session,
    cohort_id: int,
    number: int | None,
    start_date: date | None,
    end_date: date | None,
    place: str = "",
    theme_id: int | None = None,
) -> Gathering:
    permissions.ensure_admin(actor)
    _get(session, Cohort, cohort_id)
    _check_gathering(
        session,
        cohort_id=cohort_id,
        gathering_id=None,
        number=number,
        start_date=start_date,
        end_date=end_date,
        theme_id=theme_id,
    )
    gathering = Gathering(
        cohort_id=cohort_id,
        number=number,
        start_date=start_date,
        end_date=end_date,
        place=_clean(place, limit=200, field="place"),
        theme_id=theme_id,
    )
    session.add(gathering)
    session.flush()
    audit.record(session, actor=actor, kind="admin.gathering.created", administrative=True, cohort_id=cohort_id,
                 gathering_id=gathering.id, number=number)
    return gathering


def update_gathering(
    actor: User,
    *,
    session: Session,
    gathering_id: int,
    number: int | None,
    start_date: date | None,
    end_date: date | None,
    place: str,
    theme_id: int | None,
) -> Gathering:
    permissions.ensure_admin(actor)
    gathering = _get(session, Gathering, gathering_id)
    place = _clean(place, limit=200, field="place")
    _check_gathering(
        session,
        cohort_id=gathering.cohort_id,
        gathering_id=gathering_id,
        number=number,
        start_date=start_date,
        end_date=end_date,
        theme_id=theme_id,
    )
    shown = (number, start_date, end_date, place, theme_id)
    if shown != (gathering.number, gathering.start_date, gathering.end_date, gathering.place, gathering.theme_id):
        gathering.number = number
        gathering.start_date = start_date
        gathering.end_date = end_date
        gathering.place = place
        gathering.theme_id = theme_id
        _revised(session, gathering)
    session.add(gathering)
    audit.record(session, actor=actor, kind="admin.gathering.changed", administrative=True,
                 cohort_id=gathering.cohort_id, gathering_id=gathering.id, number=number)
    return gathering


def delete_gathering(actor: User, *, session: Session, gathering_id: int) -> None:
    permissions.ensure_admin(actor)
    gathering = _get(session, Gathering, gathering_id)
    session.delete(gathering)
    session.flush()
    audit.record(session, actor=actor, kind="admin.gathering.deleted", administrative=True,
                 cohort_id=gathering.cohort_id, gathering_id=gathering_id, number=gathering.number)


# --- the institution's Word template for the cohort's exam drafts ------------------------------------------


def exam_template(actor: User, *, session: Session, cohort_id: int) -> ExamTemplate | None:
    permissions.ensure_admin(actor)
    return session.get(ExamTemplate, cohort_id)


def set_exam_template(actor: User, *, session: Session, cohort_id: int, filename: str, content: bytes) -> ExamTemplate:
    permissions.ensure_admin(actor)
    _get(session, Cohort, cohort_id)
    try:
        check_template(content)
    except TemplateRejected as rejected:
        raise Invalid.one("file", rejected.key) from None
    template = session.get(ExamTemplate, cohort_id) or ExamTemplate(cohort_id=cohort_id, filename="", content=b"")
    template.filename = (filename or "mal.docx")[:200]
    template.content = content
    template.uploaded_at = utcnow()
    session.add(template)
    audit.record(session, actor=actor, kind="admin.template.uploaded", administrative=True, cohort_id=cohort_id,
                 filename=template.filename)
    return template


def remove_exam_template(actor: User, *, session: Session, cohort_id: int) -> None:
    permissions.ensure_admin(actor)
    template = session.get(ExamTemplate, cohort_id) if permissions.valid_id(cohort_id) else None
    if template is not None:
        session.delete(template)
        session.flush()
        audit.record(session, actor=actor, kind="admin.template.removed", administrative=True, cohort_id=cohort_id,
                     filename=template.filename)


# --- reflection groups and memberships -------------------------------------------------------------------


def list_groups(actor: User, *, session: Session, cohort_id: int) -> list[ReflectionGroup]:
    permissions.ensure_can_view_cohort(actor, session, cohort_id)
    return list(
        session.exec(
            select(ReflectionGroup).where(ReflectionGroup.cohort_id == cohort_id).order_by(ReflectionGroup.name)
        ).all()
    )


def create_group(actor: User, *, session: Session, cohort_id: int, name: str) -> ReflectionGroup:
    permissions.ensure_admin(actor)
    _get(session, Cohort, cohort_id)
    name = _clean(name, limit=120)
    _check_unique_name(
        session, ReflectionGroup, cohort_id=cohort_id, name=name, own_id=None, taken_key="group.name_taken"
    )
    group = ReflectionGroup(cohort_id=cohort_id, name=name)
    session.add(group)
    session.flush()
    audit.record(session, actor=actor, kind="admin.group.created", administrative=True, cohort_id=cohort_id,
                 group_id=group.id, group=group.name)
    return group


def rename_group(actor: User, *, session: Session, group_id: int, name: str) -> ReflectionGroup:
    permissions.ensure_admin(actor)
    group = _get(session, ReflectionGroup, group_id)
    name = _clean(name, limit=120)
    _check_unique_name(
        session, ReflectionGroup, cohort_id=group.cohort_id, name=name, own_id=group_id, taken_key="group.name_taken"
    )
    group.name = name
    session.add(group)
    audit.record(session, actor=actor, kind="admin.group.renamed", administrative=True, cohort_id=group.cohort_id,
                 group_id=group.id, group=group.name)
    return group


def delete_group(actor: User, *, session: Session, group_id: int) -> None:
    """Its members stay in the cohort, without a group, until they are placed in another."""
    permissions.ensure_admin(actor)
    group = _get(session, ReflectionGroup, group_id)
    session.execute(
        sa.update(CohortMembership).where(CohortMembership.group_id == group_id).values(group_id=None)
    )
    session.execute(sa.update(InviteCode).where(InviteCode.group_id == group_id).values(group_id=None))
    session.delete(group)
    session.flush()
    audit.record(session, actor=actor, kind="admin.group.deleted", administrative=True, cohort_id=group.cohort_id,
                 group_id=group_id, group=group.name)


@dataclass(frozen=True)
class Member:
    membership_id: int
    user_id: int
    display_name: str
    username: str
    role: Role
    group_id: int | None
    part: int
    is_active: bool


def list_members(actor: User, *, session: Session, cohort_id: int) -> list[Member]:
    """Who is in the cohort: for the administrator (everyone) and facilitators of the cohort."""
    actor = permissions.ensure_can_view_cohort(actor, session, cohort_id)
    if actor.role == Role.PARTICIPANT:
        raise NotAllowed()
    rows = session.exec(
        select(CohortMembership, User)
        .join(User, User.id == CohortMembership.user_id)
        .where(CohortMembership.cohort_id == cohort_id)
        .order_by(CohortMembership.role, User.display_name)
    ).all()
    return [
        Member(m.id, u.id, u.display_name, u.username, m.role, m.group_id, m.part, u.is_active) for m, u in rows
    ]


def move_to_group(actor: User, *, session: Session, membership_id: int, group_id: int | None) -> CohortMembership:
    permissions.ensure_admin(actor)
    membership = _get(session, CohortMembership, membership_id)
    if membership.role != Role.PARTICIPANT:
        raise Invalid.one("group_id", "group.only_participants")
    if group_id is not None:
        group = _get(session, ReflectionGroup, group_id)
        if group.cohort_id != membership.cohort_id:
            raise Invalid.one("group_id", "field.invalid_choice")
    membership.group_id = group_id
    session.add(membership)
    audit.record(session, actor=actor, kind="admin.member.moved", subject=membership.user_id, administrative=True,
                 cohort_id=membership.cohort_id, membership_id=membership.id, group_id=group_id,
                 group=group.name if group_id is not None else None)
    return membership


def assign_facilitator(actor: User, *, session: Session, cohort_id: int, user_id: int) -> CohortMembership:
    permissions.ensure_admin(actor)
    _get(session, Cohort, cohort_id)
    user = _get(session, User, user_id)
    if user.role != Role.FACILITATOR:
        raise Invalid.one("user_id", "cohort.not_a_facilitator")
    existing = session.exec(
        select(CohortMembership)
        .where(CohortMembership.cohort_id == cohort_id)
        .where(CohortMembership.user_id == user_id)
    ).first()
    if existing is not None:
        return existing
    membership = CohortMembership(cohort_id=cohort_id, user_id=user_id, role=Role.FACILITATOR)
    session.add(membership)
    session.flush()
    audit.record(session, actor=actor, kind="admin.facilitator.assigned", subject=user_id, administrative=True,
                 cohort_id=cohort_id, membership_id=membership.id)
    return membership


def remove_from_cohort(actor: User, *, session: Session, membership_id: int) -> None:
    """Only facilitators are removed this way: a participant's place holds their year's work."""
    permissions.ensure_admin(actor)
    membership = _get(session, CohortMembership, membership_id)
    if membership.role != Role.FACILITATOR:
        raise Conflict("cohort.cannot_remove_participant")
    session.delete(membership)
    session.flush()
    audit.record(session, actor=actor, kind="admin.facilitator.removed", subject=membership.user_id,
                 administrative=True, cohort_id=membership.cohort_id, membership_id=membership_id)


def list_facilitator_accounts(actor: User, *, session: Session) -> list[User]:
    permissions.ensure_admin(actor)
    return list(
        session.exec(
            select(User)
            .where(User.role == Role.FACILITATOR)
            .where(User.is_active.is_(True))
            .order_by(User.display_name)
        ).all()
    )


# --- invite codes ---------------------------------------------------------------------------------------

# No 0/O or 1/I/L: codes are read aloud at gatherings and typed from paper.
_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def _new_code() -> str:
    groups = ["".join(secrets.choice(_CODE_ALPHABET) for _ in range(4)) for _ in range(3)]
    return "-".join(groups)


def create_invite(
    actor: User,
    *,
    session: Session,
    cohort_id: int,
    role: Role,
    max_uses: int | None = None,
    valid_days: int | None = 60,
    group_id: int | None = None,
    for_externals: bool = False,
) -> InviteCode:
    """`for_externals`: lets a participant register a local account with a password when participants
    otherwise sign in with the OpenID Connect provider only (Settings.oidc_only_for_participants)."""
    permissions.ensure_admin(actor)
    _get(session, Cohort, cohort_id)
    problems = Problems()
    if role not in (Role.PARTICIPANT, Role.FACILITATOR):
        problems.add("role", "field.invalid_choice")
    if max_uses is not None and not 1 <= max_uses <= 500:
        problems.add("max_uses", "invite.max_uses_range")
    if valid_days is not None and not 1 <= valid_days <= 365:
        problems.add("valid_days", "invite.valid_days_range")
    if group_id is not None:
        group = session.get(ReflectionGroup, group_id)
        if group is None or group.cohort_id != cohort_id or role != Role.PARTICIPANT:
            problems.add("group_id", "field.invalid_choice")
    problems.raise_if_any()
    invite = InviteCode(
        code=_new_code(),
        cohort_id=cohort_id,
        role=role,
        max_uses=max_uses,
        expires_at=utcnow() + timedelta(days=valid_days) if valid_days else None,
        group_id=group_id,
        created_by=actor.id,
        for_externals=bool(for_externals),
    )
    session.add(invite)
    session.flush()
    audit.record(session, actor=actor, kind="admin.invite.created", administrative=True, cohort_id=cohort_id,
                 invite_id=invite.id, role=str(role), group_id=group_id)
    return invite


def list_invites(actor: User, *, session: Session, cohort_id: int) -> list[InviteCode]:
    permissions.ensure_admin(actor)
    return list(
        session.exec(
            select(InviteCode).where(InviteCode.cohort_id == cohort_id).order_by(InviteCode.created_at.desc())
        ).all()
    )


def revoke_invite(actor: User, *, session: Session, invite_id: int) -> InviteCode:
    permissions.ensure_admin(actor)
    invite = _get(session, InviteCode, invite_id)
    if invite.revoked_at is None:
        invite.revoked_at = utcnow()
        session.add(invite)
        audit.record(session, actor=actor, kind="admin.invite.revoked", administrative=True,
                     cohort_id=invite.cohort_id, invite_id=invite.id, role=str(invite.role))
    return invite


def invite_status(invite: InviteCode) -> str:
    """active, revoked, expired or used_up: the catalogue has a word for each."""
    if invite.revoked_at is not None:
        return "revoked"
    if invite.expires_at is not None and invite.expires_at <= utcnow():
        return "expired"
    if invite.max_uses is not None and invite.use_count >= invite.max_uses:
        return "used_up"
    return "active"


# --- what a signed-in person sees of their programme ---------------------------------------------------


@dataclass
class ProgrammeView:
    cohort: Cohort
    themes: dict[int, Theme]
    gatherings: list[Gathering]
    group: ReflectionGroup | None = None
    group_members: list[str] = field(default_factory=list)
    part: int | None = None

    def next_gathering(self, today: date) -> Gathering | None:
        return next((g for g in self.gatherings if g.end_date >= today), None)


def my_programmes(actor: User, *, session: Session) -> list[ProgrammeView]:
    """The cohorts the actor belongs to, each with its gatherings, themes and (participants) group."""
    permissions.visible_cohort_ids(actor, session)
    memberships = session.exec(
        select(CohortMembership, Cohort)
        .join(Cohort, Cohort.id == CohortMembership.cohort_id)
        .where(CohortMembership.user_id == actor.id)
        .order_by(Cohort.created_at.desc())
    ).all()
    views = []
    for membership, cohort in memberships:
        themes = {t.id: t for t in session.exec(select(Theme).where(Theme.cohort_id == cohort.id))}
        gatherings = list(
            session.exec(select(Gathering).where(Gathering.cohort_id == cohort.id).order_by(Gathering.number))
        )
        view = ProgrammeView(cohort=cohort, themes=themes, gatherings=gatherings)
        if membership.role == Role.PARTICIPANT:
            view.part = membership.part
        if membership.group_id is not None:
            view.group = session.get(ReflectionGroup, membership.group_id)
            view.group_members = list(
                session.exec(
                    select(User.display_name)
                    .join(CohortMembership, CohortMembership.user_id == User.id)
                    .where(CohortMembership.group_id == membership.group_id)
                    .where(User.is_active.is_(True))
                    .order_by(User.display_name)
                )
            )
        views.append(view)
    return views


@dataclass(frozen=True)
class AdminOverview:
    cohorts: int
    participants: int
    facilitators: int
    active_invites: int


def admin_overview(actor: User, *, session: Session) -> AdminOverview:
    permissions.ensure_admin(actor)

    def count(query) -> int:
        return session.exec(query).one()

    now = utcnow()
    return AdminOverview(
        cohorts=count(select(func.count()).select_from(Cohort)),
        participants=count(select(func.count()).select_from(User).where(User.role == Role.PARTICIPANT)
                           .where(User.deleted_at.is_(None))),
        facilitators=count(select(func.count()).select_from(User).where(User.role == Role.FACILITATOR)
                           .where(User.deleted_at.is_(None))),
        active_invites=count(
            select(func.count())
            .select_from(InviteCode)
            .where(InviteCode.revoked_at.is_(None))
            .where(sa.or_(InviteCode.expires_at.is_(None), InviteCode.expires_at > now))
            .where(sa.or_(InviteCode.max_uses.is_(None), InviteCode.use_count < InviteCode.max_uses))
        ),
    )


# --- the end of a cohort -----------------------------------------------------------------------------------

# Time after the last gathering for the exam, the grades and appeals before a closed cohort's content goes.
DELETION_MONTHS = 6
# A default deletion date never comes sooner than this: participants need time to download their work.
MIN_NOTICE_DAYS = 30


def _months_after(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_deletion_date(session: Session, cohort_id: int, today: date) -> date:
    """Six months after the last gathering's last day (the exam and appeals fit in between), but no
    sooner than a month from today."""
    last = session.exec(select(func.max(Gathering.end_date)).where(Gathering.cohort_id == cohort_id)).one()
    proposed = _months_after(last or today, DELETION_MONTHS)
    return max(proposed, today + timedelta(days=MIN_NOTICE_DAYS))


def close_cohort(
    actor: User, *, session: Session, cohort_id: int, deletion_on: date | None = None, today: date | None = None
) -> Cohort:
    """Writing stops in the cohort (everything stays readable and downloadable) and its participants'
    content is deleted on `deletion_on`. Closing a closed cohort again moves its deletion date."""
    permissions.ensure_admin(actor)
    cohort = _get(session, Cohort, cohort_id)
    if cohort.purged_at is not None:
        raise Conflict("cohort.close.purged")
    today = today or today_in_oslo()
    deletion_on = deletion_on or default_deletion_date(session, cohort_id, today)
    if deletion_on < today:
        raise Invalid.one("deletion_on", "cohort.close.date_past")
    cohort.closed_at = cohort.closed_at or utcnow()
    cohort.deletion_on = deletion_on
    session.add(cohort)
    audit.record(session, actor=actor, kind="admin.cohort.closed", administrative=True, cohort_id=cohort.id,
                 cohort=cohort.name, deletion_on=deletion_on)
    return cohort


def reopen_cohort(actor: User, *, session: Session, cohort_id: int) -> Cohort:
    """Undoes a close, as long as the content has not been deleted yet."""
    permissions.ensure_admin(actor)
    cohort = _get(session, Cohort, cohort_id)
    if cohort.purged_at is not None:
        raise Conflict("cohort.reopen.purged")
    cohort.closed_at = None
    cohort.deletion_on = None
    session.add(cohort)
    audit.record(session, actor=actor, kind="admin.cohort.reopened", administrative=True, cohort_id=cohort.id,
                 cohort=cohort.name)
    return cohort


@dataclass(frozen=True)
class ClosingSummary:
    """What closing (or the deletion date of) a cohort concerns: for the administrator, counts only."""

    closed_at: datetime | None
    deletion_on: date | None
    purged_at: datetime | None
    default_deletion_on: date
    participants: int
    documents: int


def closing_summary(actor: User, *, session: Session, cohort_id: int, today: date | None = None) -> ClosingSummary:
    permissions.ensure_admin(actor)
    cohort = _get(session, Cohort, cohort_id)
    participants = session.exec(
        select(func.count()).select_from(leaving.participants_of(cohort_id).subquery())
    ).one()
    documents = session.exec(
        select(func.count()).select_from(Document).where(Document.cohort_id == cohort_id).where(Document.version > 0)
    ).one()
    return ClosingSummary(
        closed_at=cohort.closed_at,
        deletion_on=cohort.deletion_on,
        purged_at=cohort.purged_at,
        default_deletion_on=default_deletion_date(session, cohort_id, today or today_in_oslo()),
        participants=participants,
        documents=documents,
    )


@dataclass(frozen=True)
class Purged:
    cohort: str
    deletion_on: date
    participants: int
    documents: int


def purge_due_cohorts(session: Session, *, today: date) -> list[Purged]:
    """For the daily timer: deletes the participants' content of every closed cohort whose deletion date
    has come. Each cohort is done once (purged_at), so running it again deletes nothing."""
    due = session.exec(
        select(Cohort)
        .where(Cohort.closed_at.is_not(None))
        .where(Cohort.purged_at.is_(None))
        .where(Cohort.deletion_on <= today)
        .order_by(Cohort.deletion_on, Cohort.id)
        .with_for_update()
    ).all()
    done = []
    for cohort in due:
        erased = leaving.erase_cohort_content(session, cohort.id)
        cohort.purged_at = utcnow()
        session.add(cohort)
        done.append(Purged(cohort.name, cohort.deletion_on, erased.participants, erased.documents))
    session.flush()
    return done


@dataclass(frozen=True)
class ClosedCohort:
    name: str
    deletion_on: date | None
    purged: bool


def my_closed_cohorts(actor: User, *, session: Session) -> list[ClosedCohort]:
    """The closed cohorts the actor belongs to: every page says so, with the deletion date."""
    permissions.visible_cohort_ids(actor, session)
    rows = session.exec(
        select(Cohort.name, Cohort.deletion_on, Cohort.purged_at)
        .join(CohortMembership, CohortMembership.cohort_id == Cohort.id)
        .where(CohortMembership.user_id == actor.id)
        .where(Cohort.closed_at.is_not(None))
        .order_by(Cohort.name)
    ).all()
    return [ClosedCohort(name, deletion_on, purged_at is not None) for name, deletion_on, purged_at in rows]
