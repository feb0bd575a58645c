"""The material of an exam draft: what each contributor may put in (their own writing and the comments
they received), what they chose of it and in what order, and whose material a draft holds.

An item is named by a typed reference (`ItemRef`). The draft's stored choices keep their own form, a
string key per item; `_stored_key` is the one place the two meet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Session, select

from ledpro_journal.i18n import DEFAULT_LANGUAGE, format_date, t
from ledpro_journal.models import (
    CohortMembership,
    Comment,
    Document,
    DocumentKind,
    ExamContribution,
    ExamDraft,
    Gathering,
    Role,
    Share,
    SharedVersion,
    User,
)
from ledpro_journal.services import name_replacements, permissions
from ledpro_journal.services.errors import Invalid
from ledpro_journal.services.names import compile_replacements
from ledpro_journal.templates import TITLE


class ItemKind(StrEnum):
    CHALLENGE = DocumentKind.CHALLENGE.value
    ACTION = DocumentKind.ACTION.value
    LOG = DocumentKind.LOG.value
    NOTE = DocumentKind.NOTE.value
    COMMENT = "comment"  # a comment received on something the contributor shared


@dataclass(frozen=True)
class ItemRef:
    """One item of a contributor's material: a document of theirs, or a comment they received."""

    kind: ItemKind
    id: int  # the document's id, or the comment's

    @property
    def is_document(self) -> bool:
        return self.kind is not ItemKind.COMMENT


@dataclass(frozen=True)
class Item:
    ref: ItemRef
    title: str
    gathering_number: int | None
    when: date | None
    on: bool
    parent: ItemRef | None = None  # a log entry's action

    @property
    def kind(self) -> ItemKind:
        return self.ref.kind


def is_group_draft(draft: ExamDraft) -> bool:
    return draft.group_id is not None


def applies_name_replacements(draft: ExamDraft) -> bool:
    """A group draft always carries each contributor's text with their own name replacements applied (the
    other members read it); an individual draft when its owner chose so."""
    return is_group_draft(draft) or bool(draft.use_name_replacements)


@dataclass
class Material:
    """One contributor's writing, loaded once for both the choosing page and the document."""

    user: User
    challenge: Document | None
    actions: list[Document]
    logs: list[Document]
    notes: list[Document]
    comments: list[tuple[Comment, Share, bool]]  # (comment, share, written by a facilitator)
    gatherings: dict[int, Gathering]

    def documents(self) -> dict[int, Document]:
        docs = [self.challenge] if self.challenge else []
        return {d.id: d for d in docs + self.actions + self.logs + self.notes}

    def with_names_replaced(self, replacements: dict[str, str]) -> Material:
        """The same material with the contributor's names replaced in every text (titles, fields, the
        comments received), as detached copies: the rows in the session, and so the journal, keep the
        text as written."""
        if not replacements:
            return self
        replace = compile_replacements(replacements)

        def document(d: Document | None) -> Document | None:
            return None if d is None else _detached(d, fields={k: replace(v) for k, v in d.fields.items()})

        return Material(
            user=self.user,
            challenge=document(self.challenge),
            actions=[document(d) for d in self.actions],
            logs=[document(d) for d in self.logs],
            notes=[document(d) for d in self.notes],
            comments=[(_detached(c, text=replace(c.text)), share, by_facilitator)
                      for c, share, by_facilitator in self.comments],
            gatherings=self.gatherings,
        )


def _detached(row, **changes):
    """A copy of a row that belongs to no session: changing it can never reach the database."""
    values = {attribute.key: getattr(row, attribute.key) for attribute in sa.inspect(type(row)).column_attrs}
    return type(row)(**{**values, **changes})


def load_material(session: Session, user: User, draft: ExamDraft) -> Material:
    """`draft` decides which comments received may go in: in an individual draft all of them (they were
    written to its owner); in a group draft only those on what is shared with that group now, since the
    draft's readers are that group."""
    cohort_id = draft.cohort_id
    gatherings = {g.id: g for g in session.exec(select(Gathering).where(Gathering.cohort_id == cohort_id))}
    documents = session.exec(
        select(Document)
        .where(Document.owner_id == user.id)
        .where(Document.cohort_id == cohort_id)
        .where(Document.deleted_at.is_(None))
        .where(Document.version > 0)
    ).all()
    by_kind: dict[str, list[Document]] = defaultdict(list)
    for document in documents:
        by_kind[document.kind].append(document)
    action_ids = {a.id for a in by_kind[DocumentKind.ACTION]}

    def number(document: Document) -> int:
        gathering = gatherings.get(document.gathering_id)
        return gathering.number if gathering else 0

    actions = sorted(by_kind[DocumentKind.ACTION], key=lambda d: (number(d), d.happened_on or date.max, d.created_at))
    logs = sorted(
        (d for d in by_kind[DocumentKind.LOG] if d.parent_id in action_ids),
        key=lambda d: (d.happened_on or date.max, d.created_at),
    )
    notes = sorted(by_kind[DocumentKind.NOTE], key=lambda d: (number(d), d.created_at))
    challenges = by_kind[DocumentKind.CHALLENGE]
    facilitators = set(
        session.exec(
            select(CohortMembership.user_id)
            .where(CohortMembership.cohort_id == cohort_id)
            .where(CohortMembership.role == Role.FACILITATOR)
        )
    )
    # Comments others wrote on what this contributor shared, on documents that still exist.
    comments = (
        select(Comment, Share)
        .join(SharedVersion, SharedVersion.id == Comment.shared_version_id)
        .join(Share, Share.id == SharedVersion.share_id)
        .where(Share.owner_id == user.id)
        .where(Share.document_id.in_([d.id for d in documents] or [-1]))
        .where(Comment.author_id != user.id)
        .order_by(Comment.created_at)
    )
    if is_group_draft(draft):
        # Only comments the group can read now go into the group's draft.
        comments = comments.where(permissions.shared_with_group_now(draft.group_id))
    comment_rows = session.exec(comments).all()
    return Material(
        user=user,
        challenge=challenges[0] if challenges else None,
        actions=actions,
        logs=logs,
        notes=notes,
        comments=[(c, s, c.author_id in facilitators) for c, s in comment_rows],
        gatherings=gatherings,
    )


def title_of(document: Document, lang: str) -> str:
    title = " ".join((document.fields.get(TITLE) or "").split())
    if title:
        return title
    name = t(f"tpl.{document.template}.name", lang)
    when = document.happened_on or document.created_at.date()
    return f"{name}, {format_date(when, lang)}"


def excerpt(text: str, limit: int = 80) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def default_items(material: Material, lang: str) -> list[Item]:
    def number(document: Document) -> int | None:
        gathering = material.gatherings.get(document.gathering_id)
        return gathering.number if gathering else None

    items: list[Item] = []
    if material.challenge:
        items.append(Item(ItemRef(ItemKind.CHALLENGE, material.challenge.id), title_of(material.challenge, lang),
                          None, None, True))
    logs_by_action = defaultdict(list)
    for log in material.logs:
        logs_by_action[log.parent_id].append(log)
    for action in material.actions:
        action_ref = ItemRef(ItemKind.ACTION, action.id)
        items.append(Item(action_ref, title_of(action, lang), number(action), action.happened_on, True))
        for log in logs_by_action[action.id]:
            items.append(Item(ItemRef(ItemKind.LOG, log.id), title_of(log, lang), number(action), log.happened_on, True,
                              action_ref))
    for note in material.notes:
        items.append(Item(ItemRef(ItemKind.NOTE, note.id), title_of(note, lang), number(note), note.created_at.date(),
                          True))
    for comment, _, _ in material.comments:
        items.append(Item(ItemRef(ItemKind.COMMENT, comment.id), excerpt(comment.text), None, comment.created_at.date(),
                          True))
    return items


def _stored_key(ref: ItemRef) -> str:
    """An item as `ExamContribution.choices` stores it: "d<document id>" or "c<comment id>"."""
    return f"{'d' if ref.is_document else 'c'}{ref.id}"


def chosen_items(material: Material, contribution: ExamContribution, draft: ExamDraft, lang: str) -> list[Item]:
    """The saved order and choices, with anything not chosen about yet after it: included in one's own
    draft (everything, by default), left out of a group's (the group reads only what one ticked)."""
    default_on = not is_group_draft(draft)
    defaults = {_stored_key(item.ref): replace(item, on=default_on) for item in default_items(material, lang)}
    result: list[Item] = []
    for choice in contribution.choices or []:
        item = defaults.pop(choice.get("key"), None) if isinstance(choice, dict) else None
        if item is not None:
            result.append(replace(item, on=bool(choice.get("on", default_on))))
    return result + list(defaults.values())


def stored_choices(material: Material, choices: list[tuple[ItemRef, bool]]) -> list[dict]:
    """The choices as `ExamContribution.choices` keeps them, in the order given; an item that is not in
    the contributor's material, or comes twice, is refused."""
    own = {item.ref for item in default_items(material, DEFAULT_LANGUAGE)}
    seen: set[ItemRef] = set()
    saved = []
    for ref, on in choices:
        if ref not in own or ref in seen:
            raise Invalid.one("choices", "field.invalid_choice")
        seen.add(ref)
        saved.append({"key": _stored_key(ref), "on": bool(on)})
    return saved


@dataclass
class Contributor:
    material: Material
    items: list[Item]  # only those chosen, in the chosen order

    @property
    def on(self) -> set[ItemRef]:
        return {item.ref for item in self.items}

    def rank(self) -> dict[ItemRef, int]:
        return {item.ref: position for position, item in enumerate(self.items)}


def contributors_of(session: Session, draft: ExamDraft, lang: str, loaded: dict[int, Material]) -> list[Contributor]:
    """Whose material the draft holds, each with what they chose of it. `loaded`: material already read
    this request, by user id (the page has read the viewer's)."""
    if is_group_draft(draft):
        # Members as they are now: someone moved to another group no longer contributes.
        rows = session.exec(
            select(ExamContribution, User)
            .join(User, User.id == ExamContribution.user_id)
            .join(CohortMembership, CohortMembership.user_id == User.id)
            .where(ExamContribution.draft_id == draft.id)
            .where(CohortMembership.group_id == draft.group_id)
            .where(CohortMembership.role == Role.PARTICIPANT)
            .where(User.is_active.is_(True))
            .order_by(ExamContribution.joined_at, User.id)
        ).all()
    else:
        rows = session.exec(
            select(ExamContribution, User)
            .join(User, User.id == ExamContribution.user_id)
            .where(ExamContribution.draft_id == draft.id)
            .where(User.id == draft.owner_id)
        ).all()
    # Whatever leaves the journal carries each contributor's own name replacements (never seen by others).
    replacements = name_replacements.replacements_of(session, [user.id for _, user in rows]) \
        if applies_name_replacements(draft) else {}
    contributors = []
    for contribution, user in rows:
        material = loaded.get(user.id) or load_material(session, user, draft)
        material = material.with_names_replaced(replacements.get(user.id, {}))
        chosen = [item for item in chosen_items(material, contribution, draft, lang) if item.on]
        # A log entry goes in with its action, never without it.
        actions = {item.ref for item in chosen if item.kind is ItemKind.ACTION}
        chosen = [item for item in chosen if item.kind is not ItemKind.LOG or item.parent in actions]
        contributors.append(Contributor(material, chosen))
    return contributors
