"""The exam draft: a participant's (or a group's) year of work as a well-formed Word document.

A draft has settings (individual or group, title, problem statement, prompts, word limit) and, per
contributor, the material they chose and its order. Composing reads only what each contributor chose of
their own writing; a group draft holds the material of members who joined it, nobody else's. The
document's skeleton follows EXAM.md; the words come from the catalogue in the reader's language, and the
layout from export/exam_docx.py.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from ledpro_journal.export import references as bib
from ledpro_journal.export.document import (
    Block,
    ExamDocument,
    FrontPage,
    Heading,
    Label,
    PageBreak,
    Prompt,
    Remark,
    Table,
    UserText,
)
from ledpro_journal.export.exam_docx import TemplateRejected, build_docx, check_template, word_safe
from ledpro_journal.i18n import format_date, format_number, language_or_default, t
from ledpro_journal.models import (
    Audience,
    Cohort,
    CohortMembership,
    Comment,
    Document,
    DocumentKind,
    ExamContribution,
    ExamDraft,
    ExamTemplate,
    Gathering,
    NoteCitation,
    NoteTheme,
    Reference,
    ReflectionGroup,
    Role,
    Share,
    SharedVersion,
    Theme,
    User,
    utcnow,
)
from ledpro_journal.services import permissions
from ledpro_journal.services.errors import Invalid, NotAllowed, NotFound
from ledpro_journal.services.journal import count_words, participant_membership, period_key
from ledpro_journal.services.names import find_names
from ledpro_journal.templates import FREE_TEXT, TEMPLATES, TITLE, kept_fields, label_key

INDIVIDUAL = "individual"
GROUP = "group"
MAX_TITLE_LENGTH = 300
MAX_PROBLEM_LENGTH = 5000
MAX_WORD_LIMIT = 100_000
MAX_NAMES_SHOWN = 20
_PROBLEM_FIELD = "problem_statement"


# --- the draft and who may use it ----------------------------------------------------------------------


def open_draft(actor: User, *, session: Session, mode: str = INDIVIDUAL) -> ExamDraft:
    """The actor's individual draft, or their reflection group's draft, made on first use. Opening a
    group draft does not put anything of one's own in it: that takes `join_group_draft`."""
    membership = participant_membership(session, actor)
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


def _contribution(session: Session, draft: ExamDraft, user: User, *, create: bool = False) -> ExamContribution | None:
    contribution = session.get(ExamContribution, (draft.id, user.id))
    if contribution is None and create:
        contribution = ExamContribution(draft_id=draft.id, user_id=user.id, choices=[])
        session.add(contribution)
        session.flush()
    return contribution


def is_group_draft(draft: ExamDraft) -> bool:
    return draft.group_id is not None


def join_group_draft(actor: User, *, session: Session, draft_id: int) -> None:
    """Takes part in the group's draft. Nothing of one's own is in it until one ticks it: what is
    ticked, the other members can read."""
    draft = _draft(session, actor, draft_id)
    if not is_group_draft(draft):
        raise NotAllowed()
    _contribution(session, draft, actor, create=True)


def leave_group_draft(actor: User, *, session: Session, draft_id: int) -> None:
    draft = _draft(session, actor, draft_id)
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
) -> ExamDraft:
    draft = _draft(session, actor, draft_id)
    problems: dict[str, tuple[str, dict]] = {}
    if len(title) > MAX_TITLE_LENGTH:
        problems["title"] = ("field.too_long", {"max": MAX_TITLE_LENGTH})
    if len(problem_statement) > MAX_PROBLEM_LENGTH:
        problems["problem_statement"] = ("field.too_long", {"max": MAX_PROBLEM_LENGTH})
    if word_limit is not None and not (0 < word_limit <= MAX_WORD_LIMIT):
        problems["word_limit"] = ("exam.word_limit_invalid", {"max": MAX_WORD_LIMIT})
    if problems:
        raise Invalid(problems)
    draft.title = title.strip()
    draft.problem_statement = problem_statement.strip()
    draft.include_prompts = bool(include_prompts)
    draft.word_limit = word_limit
    draft.updated_at = utcnow()
    session.add(draft)
    session.flush()
    return draft


# --- material: what a contributor can put in, and what they chose --------------------------------------


@dataclass(frozen=True)
class Item:
    key: str  # "d<document id>" or "c<comment id>"
    kind: str  # challenge | action | log | note | comment
    title: str
    gathering_number: int | None
    when: date | None
    on: bool
    parent_key: str | None = None  # a log entry's action, a comment's note


@dataclass
class _Material:
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


def _load_material(session: Session, user: User, draft: ExamDraft) -> _Material:
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
        comments = (
            comments.where(Share.withdrawn_at.is_(None))
            .where(Share.audience == Audience.GROUP)
            .where(Share.group_id == draft.group_id)
            .where(SharedVersion.number >= Share.visible_from)
        )
    comment_rows = session.exec(comments).all()
    return _Material(
        user=user,
        challenge=challenges[0] if challenges else None,
        actions=actions,
        logs=logs,
        notes=notes,
        comments=[(c, s, c.author_id in facilitators) for c, s in comment_rows],
        gatherings=gatherings,
    )


def _default_items(material: _Material, lang: str) -> list[Item]:
    def number(document: Document) -> int | None:
        gathering = material.gatherings.get(document.gathering_id)
        return gathering.number if gathering else None

    items: list[Item] = []
    if material.challenge:
        items.append(Item(f"d{material.challenge.id}", "challenge", _title(material.challenge, lang), None, None, True))
    logs_by_action = defaultdict(list)
    for log in material.logs:
        logs_by_action[log.parent_id].append(log)
    for action in material.actions:
        items.append(Item(f"d{action.id}", "action", _title(action, lang), number(action), action.happened_on, True))
        for log in logs_by_action[action.id]:
            items.append(
                Item(f"d{log.id}", "log", _title(log, lang), number(action), log.happened_on, True, f"d{action.id}")
            )
    for note in material.notes:
        items.append(Item(f"d{note.id}", "note", _title(note, lang), number(note), note.created_at.date(), True))
    for comment, share, _ in material.comments:
        items.append(
            Item(f"c{comment.id}", "comment", _excerpt(comment.text), None, comment.created_at.date(), True,
                 f"d{share.document_id}")
        )
    return items


def _chosen(material: _Material, contribution: ExamContribution, draft: ExamDraft, lang: str) -> list[Item]:
    """The saved order and choices, with anything not chosen about yet after it: included in one's own
    draft (everything, by default), left out of a group's (the group reads only what one ticked)."""
    default_on = not is_group_draft(draft)
    defaults = {item.key: replace(item, on=default_on) for item in _default_items(material, lang)}
    result: list[Item] = []
    for choice in contribution.choices or []:
        item = defaults.pop(choice.get("key"), None) if isinstance(choice, dict) else None
        if item is not None:
            result.append(replace(item, on=bool(choice.get("on", default_on))))
    return result + list(defaults.values())


def my_material(actor: User, *, session: Session, draft_id: int, lang: str | None = None) -> list[Item]:
    draft = _draft(session, actor, draft_id)
    contribution = _contribution(session, draft, actor)
    if contribution is None:
        return []
    lang = language_or_default(lang or actor.language)
    return _chosen(_load_material(session, actor, draft), contribution, draft, lang)


def save_choices(actor: User, *, session: Session, draft_id: int, choices: list[tuple[str, bool]]) -> None:
    """The actor's own material, in the order given; keys that are not theirs are refused."""
    draft = _draft(session, actor, draft_id)
    contribution = _contribution(session, draft, actor)
    if contribution is None:
        raise NotAllowed("exam.not_joined")
    own = {item.key for item in _default_items(_load_material(session, actor, draft), "nb")}
    seen: set[str] = set()
    saved = []
    for key, on in choices:
        if key not in own or key in seen:
            raise Invalid.one("choices", "field.invalid_choice")
        seen.add(key)
        saved.append({"key": key, "on": bool(on)})
    contribution.choices = saved
    session.add(contribution)
    session.flush()


# --- composing the document ----------------------------------------------------------------------------


@dataclass(frozen=True)
class OutlineEntry:
    level: int
    title: str
    words: int


@dataclass(frozen=True)
class Composition:
    document: ExamDocument
    outline: list[OutlineEntry]
    body_words: int
    word_limit: int | None
    filename: str
    missing_candidate_numbers: int
    unsupported_characters: dict[str, int] = field(default_factory=dict)  # title -> characters left out
    template_filename: str | None = None
    possible_names: list[str] = field(default_factory=list)  # in the viewer's own chosen material

    @property
    def over_limit(self) -> bool:
        return self.word_limit is not None and self.body_words > self.word_limit


def _title(document: Document, lang: str) -> str:
    title = " ".join((document.fields.get(TITLE) or "").split())
    if title:
        return title
    name = t(f"tpl.{document.template}.name", lang)
    when = document.happened_on or document.created_at.date()
    return f"{name}, {format_date(when, lang)}"


def _excerpt(text: str, limit: int = 80) -> str:
    line = " ".join((text or "").split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _field_blocks(document: Document, lang: str, *, skip: tuple[str, ...] = ()) -> list[Block]:
    """A document's answers in template order, each under its question; text kept from another template
    after them, labelled in the wording it was written with."""
    template = TEMPLATES[document.template]
    blocks: list[Block] = []
    keys = [k for k in (*template.fields, FREE_TEXT) if k not in skip]
    keys += [k for k in kept_fields(template, document.fields) if k not in skip]
    for key in keys:
        text = document.fields.get(key) or ""
        if not text.strip():
            continue
        blocks.append(Label(t(label_key(document.template, key), lang)))
        blocks.append(UserText(text))
    return blocks


@dataclass
class _Contributor:
    material: _Material
    items: list[Item]  # only those chosen, in the chosen order

    @property
    def on(self) -> set[str]:
        return {item.key for item in self.items}

    def rank(self) -> dict[str, int]:
        return {item.key: position for position, item in enumerate(self.items)}


def _contributors(session: Session, draft: ExamDraft, lang: str, loaded: dict[int, _Material]) -> list[_Contributor]:
    """`loaded`: material already read this request, by user id (the page has read the viewer's)."""
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
    contributors = []
    for contribution, user in rows:
        material = loaded.get(user.id) or _load_material(session, user, draft)
        chosen = [item for item in _chosen(material, contribution, draft, lang) if item.on]
        # A log entry goes in with its action, never without it.
        actions = {item.key for item in chosen if item.kind == "action"}
        chosen = [item for item in chosen if item.kind != "log" or item.parent_key in actions]
        contributors.append(_Contributor(material, chosen))
    return contributors


def _candidate(user: User, lang: str) -> str:
    return user.candidate_number or t("exam.no_candidate_number", lang)


def _parts(session: Session, draft: ExamDraft, users: list[User]) -> set[int]:
    """The programme parts (LEDPRO del 1 or 2) of the draft's contributors."""
    return set(
        session.exec(
            select(CohortMembership.part)
            .where(CohortMembership.cohort_id == draft.cohort_id)
            .where(CohortMembership.user_id.in_([u.id for u in users] or [-1]))
        )
    )


def _part_text(parts: set[int], lang: str) -> str:
    return t("exam.part", lang, part=next(iter(parts))) if len(parts) == 1 else t("exam.parts_both", lang)


def _filename(part: int | None, candidates: list[str], today: date, group: bool) -> str:
    safe = [re.sub(r"[^A-Za-z0-9]", "", c) for c in candidates]
    who = "-".join(c for c in safe if c) or "uten-kandidatnummer"
    kind = "gruppe-" if group else ""
    part_text = f"del{part}-" if part else ""
    return f"LEDPRO-{part_text}{kind}kandidat-{who}-{today.isoformat()}.docx"


def compose(actor: User, *, session: Session, draft_id: int, lang: str | None = None, today: date) -> Composition:
    """The document as it would be downloaded now, with its outline and word count."""
    draft = _draft(session, actor, draft_id)
    return _compose(session, actor, draft, language_or_default(lang or actor.language), today, {})


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
    loaded: dict[int, _Material] = {}
    items: list[Item] = []
    if contribution is not None:
        loaded[actor.id] = _load_material(session, actor, draft)
        items = _chosen(loaded[actor.id], contribution, draft, lang)
    composition = _compose(session, actor, draft, lang, today, loaded)
    if not is_group_draft(draft):
        return Workspace(draft, contribution is not None, items, composition)
    group = session.get(ReflectionGroup, draft.group_id)
    members_joined, members = member_count(actor, session=session, draft_id=draft.id)
    return Workspace(draft, contribution is not None, items, composition, group.name, members_joined, members)


def _compose(session: Session, actor: User, draft: ExamDraft, lang: str, today: date,
             loaded: dict[int, _Material]) -> Composition:
    cohort = session.get(Cohort, draft.cohort_id)
    contributors = _contributors(session, draft, lang, loaded)
    group = is_group_draft(draft)
    builder = _Builder(session, draft, cohort, contributors, lang, group)
    body = builder.body()
    references = builder.references()
    appendix = builder.appendix()

    users = [c.material.user for c in contributors]
    candidates = [_candidate(u, lang) for u in users]
    parts = _parts(session, draft, users or [actor])
    outline = _outline(body)
    # The body opens with chapter 1's heading: the chapters' sections hold every counted word.
    body_words = sum(entry.words for entry in outline if entry.level == 1)
    title = builder.title()
    problem = builder.problem_statement()
    words = format_number(body_words, lang)
    words_line = t("exam.front.words_of_limit", lang, words=words, limit=format_number(draft.word_limit, lang)) \
        if draft.word_limit else words
    front = FrontPage(
        title=title,
        lines=(
            (t("exam.front.problem", lang), problem),
            (t("exam.front.programme", lang), t("exam.programme", lang) + ", " + _part_text(parts, lang)),
            (t("exam.front.institution", lang), cohort.institution or ""),
            (t("exam.front.date", lang), format_date(today, lang, style="long")),
            (t("exam.front.candidates" if len(candidates) > 1 else "exam.front.candidate", lang), ", ".join(candidates)),
            (t("exam.front.words", lang), words_line),
        ),
    )
    template = session.get(ExamTemplate, draft.cohort_id)
    document = ExamDocument(
        language="nb-NO" if lang == "nb" else "en-GB",
        front=front,
        header_text=t("exam.header", lang, candidates=", ".join(candidates), part=_part_text(parts, lang)),
        toc_title=t("exam.toc", lang),
        toc_placeholder=t("exam.toc_placeholder", lang),
        body=tuple(body),
        references_title=t("exam.references", lang),
        references=tuple(references),
        appendix=tuple(appendix),
        title_for_metadata=title,
        template=template.content if template else None,
    )
    own_texts = [
        text
        for contributor in contributors if contributor.material.user.id == actor.id
        for item in contributor.items if item.key.startswith("d")
        for text in contributor.material.documents()[int(item.key[1:])].fields.values()
    ]
    unsupported = {}
    for contributor in contributors:
        documents = contributor.material.documents()
        for item in contributor.items:
            if item.key.startswith("d"):
                removed = sum(word_safe(text)[1] for text in documents[int(item.key[1:])].fields.values())
                if removed:
                    unsupported[item.title] = removed
    return Composition(
        document=document,
        outline=outline,
        body_words=body_words,
        word_limit=draft.word_limit,
        filename=_filename(next(iter(parts)) if len(parts) == 1 else None, [u.candidate_number or "" for u in users], today, group),
        missing_candidate_numbers=sum(1 for u in users if not u.candidate_number),
        unsupported_characters=unsupported,
        template_filename=template.filename if template else None,
        possible_names=[candidate.word for candidate in find_names(own_texts)[:MAX_NAMES_SHOWN]],
    )


def _outline(body: list[Block]) -> list[OutlineEntry]:
    """Every heading with the words of its whole section, subsections included, as a writer reads a
    chapter's length."""
    own: list[list] = []
    for block in body:
        if isinstance(block, Heading):
            own.append([block.level, block.text, count_words(block.text)])
        elif own and isinstance(block, (Label, UserText, Remark)):
            own[-1][2] += count_words(block.text)
    entries = []
    for i, (level, title, _) in enumerate(own):
        words = 0
        j = i
        while j < len(own) and (j == i or own[j][0] > level):
            words += own[j][2]
            j += 1
        entries.append(OutlineEntry(level, title, words))
    return entries


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


# --- the institution's template (administrators) -------------------------------------------------------


def exam_template(actor: User, *, session: Session, cohort_id: int) -> ExamTemplate | None:
    permissions.ensure_admin(actor)
    return session.get(ExamTemplate, cohort_id)


def set_exam_template(actor: User, *, session: Session, cohort_id: int, filename: str, content: bytes) -> ExamTemplate:
    permissions.ensure_admin(actor)
    if session.get(Cohort, cohort_id) is None if permissions.valid_id(cohort_id) else True:
        raise NotFound()
    try:
        check_template(content)
    except TemplateRejected as rejected:
        raise Invalid.one("file", rejected.key) from None
    template = session.get(ExamTemplate, cohort_id) or ExamTemplate(cohort_id=cohort_id, filename="", content=b"")
    template.filename = (filename or "mal.docx")[:200]
    template.content = content
    template.uploaded_at = utcnow()
    session.add(template)
    session.flush()
    return template


def remove_exam_template(actor: User, *, session: Session, cohort_id: int) -> None:
    permissions.ensure_admin(actor)
    template = session.get(ExamTemplate, cohort_id) if permissions.valid_id(cohort_id) else None
    if template is not None:
        session.delete(template)
        session.flush()


class _Builder:
    """Turns the contributors' chosen material into the chapters of EXAM.md."""

    def __init__(self, session: Session, draft: ExamDraft, cohort: Cohort, contributors: list[_Contributor],
                 lang: str, group: bool) -> None:
        self.session, self.draft, self.cohort, self.lang, self.group = session, draft, cohort, lang, group
        self.contributors = contributors
        self.themes = session.exec(select(Theme).where(Theme.cohort_id == cohort.id).order_by(Theme.position)).all()
        self.gatherings = sorted(session.exec(select(Gathering).where(Gathering.cohort_id == cohort.id)).all(),
                                 key=lambda g: g.number)
        note_ids = [int(i.key[1:]) for c in contributors for i in c.items if i.kind == "note"]
        self.note_themes: dict[int, list[int]] = defaultdict(list)
        self.note_citations: dict[int, list[tuple[Reference, str]]] = defaultdict(list)
        if note_ids:
            for link in session.exec(select(NoteTheme).where(NoteTheme.note_id.in_(note_ids))):
                self.note_themes[link.note_id].append(link.theme_id)
            rows = session.exec(
                select(NoteCitation, Reference)
                .join(Reference, Reference.id == NoteCitation.reference_id)
                .where(NoteCitation.note_id.in_(note_ids))
                .order_by(Reference.sort_key)
            ).all()
            for citation, reference in rows:
                self.note_citations[citation.note_id].append((reference, citation.pages))
        # Everything the document cites: the reference list, and the context that tells 2020a from 2020b.
        cited = {r.id: r for pairs in self.note_citations.values() for r, _ in pairs}
        self.library = [(str(r.id), r.kind, r.data) for r in cited.values()]
        theme_rank = {theme.id: theme.position for theme in self.themes}
        for theme_ids in self.note_themes.values():
            theme_ids.sort(key=lambda i: theme_rank.get(i, 0))

    def tr(self, key: str, **params) -> str:
        return t(key, self.lang, **params)

    def prompt(self, key: str, **params) -> list[Block]:
        return [Prompt(self.tr(key, **params))] if self.draft.include_prompts else []

    def by(self, contributor: _Contributor) -> list[Block]:
        return [Remark(self.tr("exam.written_by", candidate=_candidate(contributor.material.user, self.lang)))] \
            if self.group else []

    # settings with the challenge's defaults
    def _first_challenge(self) -> Document | None:
        """The first chosen challenge: one left out lends the draft neither title nor problem statement."""
        for contributor in self.contributors:
            challenge = contributor.material.challenge
            if challenge is not None and f"d{challenge.id}" in contributor.on:
                return challenge
        return None

    def title(self) -> str:
        if self.draft.title:
            return self.draft.title
        challenge = self._first_challenge()
        if challenge and (challenge.fields.get(TITLE) or "").strip():
            return " ".join(challenge.fields[TITLE].split())
        return self.tr("exam.default_title")

    def problem_statement(self) -> str:
        if self.draft.problem_statement:
            return self.draft.problem_statement
        challenge = self._first_challenge()
        return (challenge.fields.get(_PROBLEM_FIELD) or "").strip() if challenge else ""

    # chapters
    def body(self) -> list[Block]:
        return [
            *self.introduction(),
            *self.perspective(),
            *self.method(),
            *self.actions(),
            *self.analysis(),
            *self.conclusion(),
        ]

    def introduction(self) -> list[Block]:
        blocks: list[Block] = [Heading(self.tr("exam.ch1"), 1), *self.prompt("exam.ch1.prompt")]
        for contributor in self.contributors:
            challenge = contributor.material.challenge
            if challenge is None or f"d{challenge.id}" not in contributor.on:
                continue
            heading = self.tr("exam.challenge")
            if self.group:
                heading = self.tr("exam.challenge_of", candidate=_candidate(contributor.material.user, self.lang))
            blocks += [Heading(heading, 2), *_field_blocks(challenge, self.lang, skip=(TITLE, _PROBLEM_FIELD))]
        blocks.append(Heading(self.tr("exam.problem"), 2))
        problem = self.problem_statement()
        blocks += [UserText(problem)] if problem else self.prompt("exam.problem.prompt")
        return blocks

    def _chosen_notes(self) -> list[tuple[_Contributor, Document]]:
        notes = []
        for contributor in self.contributors:
            documents = contributor.material.documents()
            notes += [(contributor, documents[int(i.key[1:])]) for i in contributor.items if i.kind == "note"]
        return notes

    def perspective(self) -> list[Block]:
        blocks: list[Block] = [Heading(self.tr("exam.ch2"), 1), *self.prompt("exam.ch2.prompt")]
        by_theme: dict[int, list[Document]] = defaultdict(list)
        for _, note in self._chosen_notes():
            for theme_id in self.note_themes.get(note.id, []):
                by_theme[theme_id].append(note)
        for theme in self.themes:
            notes = by_theme.get(theme.id)
            if not notes:
                continue
            blocks.append(Heading(theme.name, 2))
            cited: dict[int, Reference] = {}
            for note in notes:
                for reference, _ in self.note_citations.get(note.id, []):
                    cited[reference.id] = reference
            line = self.tr("exam.theme_notes", count=len(notes))
            if cited:
                sources = ", ".join(bib.narrative(str(r.id), r.kind, r.data, self.lang, library=self.library)
                                    for r in cited.values())
                line += " " + self.tr("exam.theme_sources", sources=sources)
            blocks.append(Remark(line))
            blocks += self.prompt("exam.ch2.theme_prompt", theme=theme.name)
        return blocks

    def method(self) -> list[Block]:
        actions = logs = notes = comments = 0
        templates: dict[str, int] = defaultdict(int)
        for contributor in self.contributors:
            documents = contributor.material.documents()
            for item in contributor.items:
                if item.kind == "action":
                    actions += 1
                elif item.kind == "log":
                    logs += 1
                elif item.kind == "note":
                    notes += 1
                    templates[documents[int(item.key[1:])].template] += 1
                elif item.kind == "comment":
                    comments += 1
        kinds = "; ".join(f"{self.tr(f'tpl.{code}.name')}: {count}" for code, count in sorted(templates.items()))
        blocks: list[Block] = [Heading(self.tr("exam.ch3"), 1), *self.prompt("exam.ch3.prompt")]
        blocks.append(Remark(self.tr("exam.method_facts", actions=actions, logs=logs, notes=notes, comments=comments)
                             + (f" ({kinds})" if kinds else "") + "."))
        blocks += self.prompt("exam.ch3.ethics_prompt")
        return blocks

    def _period_label(self, number: int | None) -> str:
        gathering = next((g for g in self.gatherings if g.number == number), None)
        key, params = period_key(gathering, self.gatherings)
        return self.tr(key, **params)

    def actions(self) -> list[Block]:
        blocks: list[Block] = [Heading(self.tr("exam.ch4"), 1), *self.prompt("exam.ch4.prompt")]
        entries = []  # (period, rank, contributor, action, logs)
        for contributor in self.contributors:
            documents = contributor.material.documents()
            rank = contributor.rank()
            chosen_logs = defaultdict(list)
            for item in contributor.items:
                if item.kind == "log":
                    chosen_logs[documents[int(item.key[1:])].parent_id].append(documents[int(item.key[1:])])
            for item in contributor.items:
                if item.kind == "action":
                    action = documents[int(item.key[1:])]
                    entries.append((item.gathering_number or 0, rank[item.key], contributor, action,
                                    chosen_logs.get(action.id, [])))
        entries.sort(key=lambda e: (e[0], e[1]))
        period = None
        for number, _, contributor, action, logs in entries:
            if number != period:
                period = number
                blocks.append(Heading(self._period_label(number or None), 2))
            blocks.append(Heading(_title(action, self.lang), 3))
            blocks += self.by(contributor)
            facts = [self.tr(f"journal.status.{action.status}")] if action.status else []
            if action.happened_on:
                facts.insert(0, format_date(action.happened_on, self.lang, style="long"))
            if facts:
                blocks.append(Remark(" · ".join(facts)))
            blocks += _field_blocks(action, self.lang, skip=(TITLE,))
            for log in logs:
                when = format_date(log.happened_on, self.lang, style="long") if log.happened_on else ""
                blocks.append(Label(self.tr("exam.log_heading", date=when).strip(" –")))
                blocks += _field_blocks(log, self.lang, skip=(TITLE,))
        return blocks

    def analysis(self) -> list[Block]:
        blocks: list[Block] = [Heading(self.tr("exam.ch5"), 1), *self.prompt("exam.ch5.prompt")]
        groups: dict[int | None, list[tuple[_Contributor, Document]]] = defaultdict(list)
        for contributor, note in self._chosen_notes():
            themes = self.note_themes.get(note.id)
            groups[themes[0] if themes else None].append((contributor, note))
        order = [theme.id for theme in self.themes] + [None]
        names = {theme.id: theme.name for theme in self.themes}
        for theme_id in order:
            notes = groups.get(theme_id)
            if not notes:
                continue
            blocks.append(Heading(names.get(theme_id) or self.tr("exam.other_reflections"), 2))
            for contributor, note in notes:
                blocks.append(Heading(_title(note, self.lang), 3))
                blocks += self.by(contributor)
                blocks += _field_blocks(note, self.lang, skip=(TITLE,))
                cited = self.note_citations.get(note.id)
                if cited:
                    citation = bib.cite([(str(r.id), r.kind, r.data, pages or None) for r, pages in cited], self.lang,
                                        library=self.library)
                    blocks.append(Remark(self.tr("exam.sources", citation=citation)))
            if theme_id is not None:
                blocks += self.prompt("exam.ch5.theme_prompt", theme=names[theme_id])
        return blocks

    def conclusion(self) -> list[Block]:
        return [Heading(self.tr("exam.ch6"), 1), *self.prompt("exam.ch6.prompt")]

    def references(self):
        return bib.bibliography(self.library, self.lang)

    def appendix(self) -> list[Block]:
        rows = []
        comments: list[tuple[str, Comment, bool]] = []
        for contributor in self.contributors:
            material = contributor.material
            documents = material.documents()
            actions = {a.id: a for a in material.actions}
            for item in contributor.items:
                if item.kind == "log":
                    log = documents[int(item.key[1:])]
                    action = actions[log.parent_id]
                    candidate = (_candidate(material.user, self.lang),) if self.group else ()
                    rows.append((
                        log.happened_on or date.max,
                        *candidate,
                        format_date(log.happened_on, self.lang, style="short") if log.happened_on else "",
                        _title(action, self.lang),
                        _excerpt(action.fields.get("involved") or "", 200),
                        self.tr(f"journal.status.{log.status}") if log.status else "",
                    ))
            chosen_comments = {int(i.key[1:]) for i in contributor.items if i.kind == "comment"}
            for comment, share, by_facilitator in material.comments:
                if comment.id in chosen_comments and share.document_id in documents:
                    comments.append((_title(documents[share.document_id], self.lang), comment, by_facilitator))
        if not rows and not comments:
            return []
        blocks: list[Block] = [PageBreak(), Heading(self.tr("exam.appendix"), 1)]
        number = 0
        if rows:
            number += 1
            rows.sort(key=lambda r: r[0])
            blocks.append(Heading(self.tr("exam.appendix.log", number=number), 2))
            candidate = (self.tr("exam.log.candidate"),) if self.group else ()
            blocks.append(Table(
                header=(*candidate, self.tr("exam.log.date"), self.tr("exam.log.action"), self.tr("exam.log.with_whom"),
                        self.tr("exam.log.outcome")),
                rows=tuple(row[1:] for row in rows),
            ))
        if comments:
            number += 1
            blocks.append(Heading(self.tr("exam.appendix.comments", number=number), 2))
            current = None
            for title, comment, by_facilitator in comments:
                if title != current:
                    current = title
                    blocks.append(Label(title))
                who = self.tr("exam.comment_by_facilitator" if by_facilitator else "exam.comment_by_member",
                              date=format_date(comment.created_at.date(), self.lang, style="long"))
                blocks += [Remark(who), UserText(comment.text)]
        return blocks


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
