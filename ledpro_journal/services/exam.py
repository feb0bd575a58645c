"""The exam draft: a participant's (or a group's) year of work as a well-formed Word document.

A draft has settings (individual or group, title, problem statement, prompts, word limit) and, per
contributor, the material they chose and its order. Composing reads only what each contributor chose of
their own writing; a group draft holds the material of members who joined it, nobody else's. These are
the use cases on the draft itself; what a contributor may put in is exam_material.py, and how the
document's chapters are composed (the skeleton of EXAM.md) is exam_document.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from ledpro_journal.export.exam_docx import build_docx
from ledpro_journal.i18n import language_or_default
from ledpro_journal.models import (
    CohortMembership,
    ExamContribution,
    ExamDraft,
    ReflectionGroup,
    Role,
    User,
    utcnow,
)
from ledpro_journal.services import permissions
from ledpro_journal.services.errors import Conflict, Invalid, NotAllowed, NotFound
from ledpro_journal.services.exam_document import Composition, compose_document
from ledpro_journal.services.exam_material import (
    Item,
    ItemRef,
    Material,
    chosen_items,
    is_group_draft,
    load_material,
    stored_choices,
)

INDIVIDUAL = "individual"
GROUP = "group"
MAX_TITLE_LENGTH = 300
MAX_PROBLEM_LENGTH = 5000
MAX_WORD_LIMIT = 100_000


# --- the draft and who may use it ----------------------------------------------------------------------


def open_draft(actor: User, *, session: Session, mode: str = INDIVIDUAL) -> ExamDraft:
    """The actor's individual draft, or their reflection group's draft, made on first use. Opening a
    group draft does not put anything of one's own in it: that takes `join_group_draft`."""
    membership = permissions.participant_membership(actor, session)
    if mode == GROUP:
        if membership.group_id is None:
            raise NotAllowed("exam.no_group")
        where = ExamDraft.group_id == membership.group_id
        values = {"group_id": membership.group_id}
    elif mode == INDIVIDUAL:
        where = ExamDraft.owner_id == actor.id
        values = {"owner_id": actor.id}
    else:
        raise Invalid.one("mode", "field.invalid_choice")
    draft = session.exec(select(ExamDraft).where(where)).first()
    if draft is None:
        # Two members opening the group draft at the same moment: the unique key lets one row win.
        with session.begin_nested() as savepoint:
            try:
                session.add(ExamDraft(cohort_id=membership.cohort_id, **values))
                session.flush()
            except sa.exc.IntegrityError:
                savepoint.rollback()
        draft = session.exec(select(ExamDraft).where(where)).one()
        if mode == INDIVIDUAL:
            _contribution(session, draft, actor, create=True)
    return draft


def _draft(session: Session, actor: User, draft_id: int) -> ExamDraft:
    draft = session.get(ExamDraft, draft_id) if permissions.valid_id(draft_id) else None
    permissions.ensure_can_use_exam_draft(actor, session, draft)
    return draft


def _writable_draft(session: Session, actor: User, draft_id: int) -> ExamDraft:
    """A draft whose settings or material the actor changes: its cohort must still be open (reading and
    downloading a closed cohort's draft go on until the deletion date)."""
    draft = _draft(session, actor, draft_id)
    permissions.ensure_cohort_open(draft.cohort_id, session)
    return draft


def _contribution(session: Session, draft: ExamDraft, user: User, *, create: bool = False) -> ExamContribution | None:
    contribution = session.get(ExamContribution, (draft.id, user.id))
    if contribution is None and create:
        contribution = ExamContribution(draft_id=draft.id, user_id=user.id, choices=[])
        session.add(contribution)
        session.flush()
    return contribution


def join_group_draft(actor: User, *, session: Session, draft_id: int) -> None:
    """Takes part in the group's draft. Nothing of one's own is in it until one ticks it: what is
    ticked, the other members can read."""
    draft = _writable_draft(session, actor, draft_id)
    if not is_group_draft(draft):
        raise NotAllowed()
    _contribution(session, draft, actor, create=True)


def leave_group_draft(actor: User, *, session: Session, draft_id: int) -> None:
    draft = _writable_draft(session, actor, draft_id)
    if not is_group_draft(draft):
        raise NotAllowed()
    contribution = _contribution(session, draft, actor)
    if contribution is not None:
        session.delete(contribution)
        session.flush()


def update_settings(
    actor: User,
    *,
    session: Session,
    draft_id: int,
    title: str,
    problem_statement: str,
    include_prompts: bool,
    word_limit: int | None,
    shown_title: str | None = None,
    shown_problem_statement: str | None = None,
) -> ExamDraft:
    """Saves the draft's settings. `shown_title` and `shown_problem_statement` are the texts the form was
    drawn with: a text the writer left as shown is not written (nor is its author changed), and a text they
    changed while someone else saved another one since it was drawn is refused with a Conflict, so that a
    stale form neither writes an old text back nor overwrites a new one unseen. Without them, a text equal
    to the saved one is not written."""
    draft = _writable_draft(session, actor, draft_id)
    problems: dict[str, tuple[str, dict]] = {}
    if len(title) > MAX_TITLE_LENGTH:
        problems["title"] = ("field.too_long", {"max": MAX_TITLE_LENGTH})
    if len(problem_statement) > MAX_PROBLEM_LENGTH:
        problems["problem_statement"] = ("field.too_long", {"max": MAX_PROBLEM_LENGTH})
    if word_limit is not None and not (0 < word_limit <= MAX_WORD_LIMIT):
        problems["word_limit"] = ("exam.word_limit_invalid", {"max": MAX_WORD_LIMIT})
    if problems:
        raise Invalid(problems)
    # Who wrote each text last: a member leaving takes what they wrote last out of a group draft (leaving.py).
    new_title = _changed_text(title, shown_title, draft.title, "exam.conflict.title")
    new_problem = _changed_text(problem_statement, shown_problem_statement, draft.problem_statement,
                                "exam.conflict.problem_statement")
    if new_title is not None:
        draft.title, draft.title_by = new_title, actor.id
    if new_problem is not None:
        draft.problem_statement, draft.problem_statement_by = new_problem, actor.id
    draft.include_prompts = bool(include_prompts)
    draft.word_limit = word_limit
    draft.updated_at = utcnow()
    session.add(draft)
    session.flush()
    return draft


def _changed_text(submitted: str, shown: str | None, saved: str, conflict_key: str) -> str | None:
    """The text to write, or None for none: not when it is what the form showed (or what is saved); a
    Conflict when it was changed on a form drawn before someone else saved another text."""
    text = submitted.strip()
    if text == saved or (shown is not None and text == shown.strip()):
        return None
    if shown is not None and shown.strip() != saved:
        raise Conflict(conflict_key, saved=saved)
    return text


def use_name_replacements(actor: User, *, session: Session, draft_id: int, use: bool) -> ExamDraft:
    """The offer in one's own draft: the names on one's list replaced in the document (the journal keeps
    them). A group draft has no such choice: there they are always replaced."""
    draft = _writable_draft(session, actor, draft_id)
    if is_group_draft(draft):
        raise NotAllowed("names.exam.group_always")
    draft.use_name_replacements = bool(use)
    draft.updated_at = utcnow()
    session.add(draft)
    session.flush()
    return draft


# --- material: what a contributor can put in, and what they chose (see exam_material.py) ---------------


def my_material(actor: User, *, session: Session, draft_id: int, lang: str | None = None) -> list[Item]:
    draft = _draft(session, actor, draft_id)
    contribution = _contribution(session, draft, actor)
    if contribution is None:
        return []
    lang = language_or_default(lang or actor.language)
    return chosen_items(load_material(session, actor, draft), contribution, draft, lang)


def save_choices(actor: User, *, session: Session, draft_id: int, choices: list[tuple[ItemRef, bool]]) -> None:
    """The actor's own material, in the order given; items that are not theirs are refused."""
    draft = _writable_draft(session, actor, draft_id)
    contribution = _contribution(session, draft, actor)
    if contribution is None:
        raise NotAllowed("exam.not_joined")
    contribution.choices = stored_choices(load_material(session, actor, draft), choices)
    session.add(contribution)
    session.flush()


# --- the document (composed in exam_document.py) and the file -----------------------------------------------


def compose(actor: User, *, session: Session, draft_id: int, lang: str | None = None, today: date) -> Composition:
    """The document as it would be downloaded now, with its outline and word count."""
    draft = _draft(session, actor, draft_id)
    return compose_document(session, actor, draft, language_or_default(lang or actor.language), today, {})


@dataclass(frozen=True)
class Workspace:
    """Everything the exam page shows, read once per rerun: the draft, the viewer's own material and
    choices (none until they joined), the document as it stands, and for a group draft who is in it."""

    draft: ExamDraft
    joined: bool
    items: list[Item]
    composition: Composition
    group_name: str = ""
    members_joined: int = 0
    members: int = 0


def workspace(actor: User, *, session: Session, mode: str, lang: str | None = None, today: date) -> Workspace:
    draft = open_draft(actor, session=session, mode=mode)
    lang = language_or_default(lang or actor.language)
    contribution = _contribution(session, draft, actor)
    loaded: dict[int, Material] = {}
    items: list[Item] = []
    if contribution is not None:
        loaded[actor.id] = load_material(session, actor, draft)
        items = chosen_items(loaded[actor.id], contribution, draft, lang)
    composition = compose_document(session, actor, draft, lang, today, loaded)
    if not is_group_draft(draft):
        return Workspace(draft, contribution is not None, items, composition)
    group = session.get(ReflectionGroup, draft.group_id)
    members_joined, members = member_count(actor, session=session, draft_id=draft.id)
    return Workspace(draft, contribution is not None, items, composition, group.name, members_joined, members)


@dataclass(frozen=True)
class ExamFile:
    content: bytes
    filename: str
    removed_characters: int


def render(composition: Composition) -> ExamFile:
    built = build_docx(composition.document)
    return ExamFile(built.content, composition.filename, built.removed_characters)


def build_exam(actor: User, *, session: Session, draft_id: int, lang: str | None = None, today: date) -> ExamFile:
    return render(compose(actor, session=session, draft_id=draft_id, lang=lang, today=today))


# --- for operators and tests ---------------------------------------------------------------------------


def export_for_user(session: Session, *, username: str, mode: str, today: date, lang: str | None = None) -> ExamFile:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFound("cli.no_such_user")
    draft = open_draft(user, session=session, mode=mode)
    if mode == GROUP and _contribution(session, draft, user) is None:
        raise NotAllowed("exam.not_joined")
    return build_exam(user, session=session, draft_id=draft.id, lang=lang, today=today)


def member_count(actor: User, *, session: Session, draft_id: int) -> tuple[int, int]:
    """(members who joined, members of the group): a group draft says who is in it, by count."""
    draft = _draft(session, actor, draft_id)
    members = session.exec(
        select(CohortMembership.user_id)
        .where(CohortMembership.group_id == draft.group_id)
        .where(CohortMembership.role == Role.PARTICIPANT)
    ).all()
    joined_count = session.exec(
        select(sa.func.count()).select_from(ExamContribution)
        .where(ExamContribution.draft_id == draft.id)
        .where(ExamContribution.user_id.in_(members or [-1]))
    ).one()
    return joined_count, len(members)
