"""Composing an exam draft's document: the front page, the chapters of EXAM.md in the order `CHAPTERS`
states, the reference list and the appendices, from the material the contributors chose. The words come
from the catalogue in the reader's language, and the layout from export/exam_docx.py."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from ledpro_journal import references as bib
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
from ledpro_journal.export.exam_docx import word_safe
from ledpro_journal.i18n import format_date, format_number, language_tag, t
from ledpro_journal.models import (
    Cohort,
    CohortMembership,
    Comment,
    Document,
    ExamDraft,
    ExamTemplate,
    Gathering,
    NoteCitation,
    NoteTheme,
    Reference,
    Theme,
    User,
)
from ledpro_journal.services import name_replacements
from ledpro_journal.services.exam_material import (
    Contributor,
    ItemKind,
    ItemRef,
    Material,
    contributors_of,
    excerpt,
    is_group_draft,
    title_of,
)
from ledpro_journal.services.journal import count_words, period_key
from ledpro_journal.templates import FREE_TEXT, TEMPLATES, TITLE, kept_fields, label_key

MAX_NAMES_SHOWN = 20
_PROBLEM_FIELD = "problem_statement"


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


def compose_document(session: Session, actor: User, draft: ExamDraft, lang: str, today: date,
                     loaded: dict[int, Material]) -> Composition:
    """The document as it would be downloaded now, for `actor`, who may use `draft` (the caller has
    checked). `loaded`: material already read this request, by user id."""
    cohort = session.get(Cohort, draft.cohort_id)
    contributors = contributors_of(session, draft, lang, loaded)
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
            (
                t("exam.front.candidates" if len(candidates) > 1 else "exam.front.candidate", lang),
                ", ".join(candidates),
            ),
            (t("exam.front.words", lang), words_line),
        ),
    )
    template = session.get(ExamTemplate, draft.cohort_id)
    document = ExamDocument(
        language=language_tag(lang),
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
        for item in contributor.items if item.ref.is_document
        for text in contributor.material.documents()[item.ref.id].fields.values()
    ]
    unsupported = {}
    for contributor in contributors:
        documents = contributor.material.documents()
        for item in contributor.items:
            if item.ref.is_document:
                removed = sum(word_safe(text)[1] for text in documents[item.ref.id].fields.values())
                if removed:
                    unsupported[item.title] = removed
    return Composition(
        document=document,
        outline=outline,
        body_words=body_words,
        word_limit=draft.word_limit,
        filename=_filename(
            next(iter(parts)) if len(parts) == 1 else None, [u.candidate_number or "" for u in users], today, group
        ),
        missing_candidate_numbers=sum(1 for u in users if not u.candidate_number),
        unsupported_characters=unsupported,
        template_filename=template.filename if template else None,
        possible_names=name_replacements.names_left(actor, session=session, texts=own_texts)[:MAX_NAMES_SHOWN],
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


def _numbered(number: int, title: str) -> str:
    """A chapter's heading: "1 Innledning"."""
    return f"{number} {title}"


class _Builder:
    """Turns the contributors' chosen material into the chapters of EXAM.md."""

    def __init__(self, session: Session, draft: ExamDraft, cohort: Cohort, contributors: list[Contributor],
                 lang: str, group: bool) -> None:
        self.session, self.draft, self.cohort, self.lang, self.group = session, draft, cohort, lang, group
        self.contributors = contributors
        self.themes = session.exec(select(Theme).where(Theme.cohort_id == cohort.id).order_by(Theme.position)).all()
        self.gatherings = sorted(session.exec(select(Gathering).where(Gathering.cohort_id == cohort.id)).all(),
                                 key=lambda g: g.number)
        note_ids = [i.ref.id for c in contributors for i in c.items if i.kind is ItemKind.NOTE]
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
        self.library = [bib.Work(str(r.id), r.kind, r.data) for r in cited.values()]
        theme_rank = {theme.id: theme.position for theme in self.themes}
        for theme_ids in self.note_themes.values():
            theme_ids.sort(key=lambda i: theme_rank.get(i, 0))

    def tr(self, key: str, **params) -> str:
        return t(key, self.lang, **params)

    def prompt(self, key: str, **params) -> list[Block]:
        return [Prompt(self.tr(key, **params))] if self.draft.include_prompts else []

    def by(self, contributor: Contributor) -> list[Block]:
        return [Remark(self.tr("exam.written_by", candidate=_candidate(contributor.material.user, self.lang)))] \
            if self.group else []

    # settings with the challenge's defaults
    def _first_challenge(self) -> Document | None:
        """The first chosen challenge: one left out lends the draft neither title nor problem statement."""
        for contributor in self.contributors:
            challenge = contributor.material.challenge
            if challenge is not None and ItemRef(ItemKind.CHALLENGE, challenge.id) in contributor.on:
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

    # chapters: each opens with its numbered heading and its prompt (see `body`), then what follows here
    def body(self) -> list[Block]:
        blocks: list[Block] = []
        for number, chapter in enumerate(CHAPTERS, start=1):
            blocks += [Heading(_numbered(number, self.tr(chapter.key)), 1), *self.prompt(f"{chapter.key}.prompt"),
                       *chapter.content(self)]
        return blocks

    def introduction(self) -> list[Block]:
        blocks: list[Block] = []
        for contributor in self.contributors:
            challenge = contributor.material.challenge
            if challenge is None or ItemRef(ItemKind.CHALLENGE, challenge.id) not in contributor.on:
                continue
            heading = self.tr("exam.challenge")
            if self.group:
                heading = self.tr("exam.challenge_of", candidate=_candidate(contributor.material.user, self.lang))
            blocks += [Heading(heading, 2), *_field_blocks(challenge, self.lang, skip=(TITLE, _PROBLEM_FIELD))]
        blocks.append(Heading(self.tr("exam.problem"), 2))
        problem = self.problem_statement()
        blocks += [UserText(problem)] if problem else self.prompt("exam.problem.prompt")
        return blocks

    def _chosen_notes(self) -> list[tuple[Contributor, Document]]:
        notes = []
        for contributor in self.contributors:
            documents = contributor.material.documents()
            notes += [(contributor, documents[i.ref.id]) for i in contributor.items if i.kind is ItemKind.NOTE]
        return notes

    def perspective(self) -> list[Block]:
        blocks: list[Block] = []
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
                sources = ", ".join(bib.narrative(bib.Work(str(r.id), r.kind, r.data), self.lang,
                                                  library=self.library)
                                    for r in cited.values())
                line += " " + self.tr("exam.theme_sources", sources=sources)
            blocks.append(Remark(line))
            blocks += self.prompt("exam.ch2.theme_prompt", theme=theme.name)
        return blocks

    def method(self) -> list[Block]:
        counts: dict[ItemKind, int] = defaultdict(int)
        templates: dict[str, int] = defaultdict(int)
        for contributor in self.contributors:
            documents = contributor.material.documents()
            for item in contributor.items:
                counts[item.kind] += 1
                if item.kind is ItemKind.NOTE:
                    templates[documents[item.ref.id].template] += 1
        kinds = "; ".join(f"{self.tr(f'tpl.{code}.name')}: {count}" for code, count in sorted(templates.items()))
        facts = self.tr("exam.method_facts", actions=counts[ItemKind.ACTION], logs=counts[ItemKind.LOG],
                        notes=counts[ItemKind.NOTE], comments=counts[ItemKind.COMMENT])
        return [Remark(facts + (f" ({kinds})" if kinds else "") + "."), *self.prompt("exam.ch3.ethics_prompt")]

    def _period_label(self, number: int | None) -> str:
        gathering = next((g for g in self.gatherings if g.number == number), None)
        key, params = period_key(gathering, self.gatherings)
        return self.tr(key, **params)

    def actions(self) -> list[Block]:
        blocks: list[Block] = []
        entries = []  # (period, rank, contributor, action, logs)
        for contributor in self.contributors:
            documents = contributor.material.documents()
            rank = contributor.rank()
            chosen_logs = defaultdict(list)
            for item in contributor.items:
                if item.kind is ItemKind.LOG:
                    log = documents[item.ref.id]
                    chosen_logs[log.parent_id].append(log)
            for item in contributor.items:
                if item.kind is ItemKind.ACTION:
                    action = documents[item.ref.id]
                    entries.append((item.gathering_number or 0, rank[item.ref], contributor, action,
                                    chosen_logs.get(action.id, [])))
        entries.sort(key=lambda e: (e[0], e[1]))
        period = None
        for number, _, contributor, action, logs in entries:
            if number != period:
                period = number
                blocks.append(Heading(self._period_label(number or None), 2))
            blocks.append(Heading(title_of(action, self.lang), 3))
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
        blocks: list[Block] = []
        groups: dict[int | None, list[tuple[Contributor, Document]]] = defaultdict(list)
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
                blocks.append(Heading(title_of(note, self.lang), 3))
                blocks += self.by(contributor)
                blocks += _field_blocks(note, self.lang, skip=(TITLE,))
                cited = self.note_citations.get(note.id)
                if cited:
                    cites = [bib.CitedWork(bib.Work(str(r.id), r.kind, r.data), pages or None)
                             for r, pages in cited]
                    citation = bib.cite(cites, self.lang, library=self.library)
                    blocks.append(Remark(self.tr("exam.sources", citation=citation)))
            if theme_id is not None:
                blocks += self.prompt("exam.ch5.theme_prompt", theme=names[theme_id])
        return blocks

    def conclusion(self) -> list[Block]:
        return []

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
                if item.kind is ItemKind.LOG:
                    log = documents[item.ref.id]
                    action = actions[log.parent_id]
                    candidate = (_candidate(material.user, self.lang),) if self.group else ()
                    rows.append((
                        log.happened_on or date.max,
                        *candidate,
                        format_date(log.happened_on, self.lang, style="short") if log.happened_on else "",
                        title_of(action, self.lang),
                        excerpt(action.fields.get("involved") or "", 200),
                        self.tr(f"journal.status.{log.status}") if log.status else "",
                    ))
            chosen_comments = {i.ref.id for i in contributor.items if i.kind is ItemKind.COMMENT}
            for comment, share, by_facilitator in material.comments:
                if comment.id in chosen_comments and share.document_id in documents:
                    comments.append((title_of(documents[share.document_id], self.lang), comment, by_facilitator))
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
            # A comment whose author has deleted their account stays, from "a former participant".
            former = set(self.session.exec(
                select(User.id)
                .where(User.id.in_({comment.author_id for _, comment, _ in comments}))
                .where(User.deleted_at.is_not(None))
            ))
            current = None
            for title, comment, by_facilitator in comments:
                if title != current:
                    current = title
                    blocks.append(Label(title))
                who_key = "exam.comment_by_facilitator" if by_facilitator else "exam.comment_by_member"
                if comment.author_id in former:
                    who_key = "exam.comment_by_former"
                who = self.tr(who_key, date=format_date(comment.created_at.date(), self.lang, style="long"))
                blocks += [Remark(who), UserText(comment.text)]
        return blocks


@dataclass(frozen=True)
class _Chapter:
    key: str  # the heading's catalogue key; its prompt is "<key>.prompt"
    content: Callable[[_Builder], list[Block]]  # what follows the heading and the prompt


# The chapters of EXAM.md, in their order: a chapter's number is its place here.
CHAPTERS: tuple[_Chapter, ...] = (
    _Chapter("exam.ch1", _Builder.introduction),
    _Chapter("exam.ch2", _Builder.perspective),
    _Chapter("exam.ch3", _Builder.method),
    _Chapter("exam.ch4", _Builder.actions),
    _Chapter("exam.ch5", _Builder.analysis),
    _Chapter("exam.ch6", _Builder.conclusion),
)
