"""The literature library: the cohort's reading list (kept by facilitators) and each participant's own
references, added by hand or imported from RIS/BibTeX; notes cite them with an optional page.

Bibliographic rules (which fields a kind has, how a reference is formatted, how files are parsed) live in
the references package; this module decides who may do what and keeps the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, func, select

from ledpro_journal import references as bib
from ledpro_journal.models import Document, DocumentKind, NoteCitation, Reference, User, utcnow
from ledpro_journal.services import permissions, plain_text
from ledpro_journal.services.errors import Invalid, NotAllowed, NotFound

MAX_PAGES_LENGTH = 40
MAX_REFERENCES_PER_IMPORT = 2000


def sort_key(kind: str, data: dict) -> str:
    """Alphabetical as a reference list is: first author (or editor, or title), then year, then title."""
    people = data.get("authors") or data.get("editors") or []
    first = people[0] if people else {}
    name = first.get("family") or first.get("literal") or data.get("title", "")
    return " ".join([name, data.get("year", ""), data.get("title", "")]).casefold()[:300]


def _checked(kind: str, data: dict) -> dict:
    if kind not in bib.KINDS:
        raise Invalid.one("kind", "field.invalid_choice")
    cleaned = bib.clean(kind, data)
    problems = bib.validate(kind, cleaned)
    # The cleaning keeps one line without control characters; a lone surrogate would still break the sort key.
    for field, value in cleaned.items():
        if plain_text.has_lone_surrogate(value):
            problems.setdefault(field, plain_text.INVALID_CHARACTERS)
    if problems:
        raise Invalid({field: (key, {}) for field, key in problems.items()})
    return cleaned


def _get(session: Session, actor: User, reference_id: int) -> Reference:
    reference = session.get(Reference, reference_id) if permissions.valid_id(reference_id) else None
    if not permissions.can_read_reference(actor, session, reference):
        raise NotFound()
    return reference


def _target_cohort(actor: User, session: Session, *, reading_list_of: int | None) -> tuple[int, int | None]:
    """(cohort id, owner id) of a new reference: a facilitator's reading list, or a participant's own."""
    if reading_list_of is not None:
        permissions.ensure_facilitator_of(actor, session, reading_list_of)
        permissions.ensure_cohort_open(reading_list_of, session)
        return reading_list_of, None
    cohort_id = permissions.participant_membership(actor, session).cohort_id
    permissions.ensure_cohort_open(cohort_id, session)
    return cohort_id, actor.id


# --- reading ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Library:
    reading_list: list[Reference]
    own: list[Reference]

    @property
    def all(self) -> list[Reference]:
        return sorted(self.reading_list + self.own, key=lambda r: r.sort_key)


def library(actor: User, *, session: Session, cohort_id: int | None = None) -> Library:
    """What the actor can cite or keep: a participant's cohort reading list and own references; a
    facilitator's view of a cohort's reading list (`cohort_id`)."""
    if cohort_id is None:
        permissions.ensure_participant(actor)
        try:
            cohort_id = permissions.participant_membership(actor, session).cohort_id
        except NotFound:
            return Library([], [])
    else:
        permissions.ensure_facilitator_of(actor, session, cohort_id)
    rows = session.exec(
        select(Reference)
        .where(Reference.cohort_id == cohort_id)
        .where(sa.or_(Reference.owner_id.is_(None), Reference.owner_id == actor.id))
        .order_by(Reference.sort_key, Reference.id)
    ).all()
    return Library(
        reading_list=[r for r in rows if r.owner_id is None],
        own=[r for r in rows if r.owner_id is not None],
    )


def author_family_names(session: Session, user: User) -> frozenset[str]:
    """The family names of the authors and editors in the user's own references and in the reading-list
    references their notes cite, word by word ("Schön", "Berg" of "van der Berg"): names of people one
    cites, not of people to hide, for the name check. For services that have checked the user already."""
    own = session.exec(select(Reference.data).where(Reference.owner_id == user.id)).all()
    cited = session.exec(
        select(Reference.id, Reference.data)
        .join(NoteCitation, NoteCitation.reference_id == Reference.id)
        .join(Document, Document.id == NoteCitation.note_id)
        .where(Document.owner_id == user.id)
        .where(Reference.owner_id.is_(None))
    ).all()
    words: set[str] = set()
    for data in [*own, *dict(cited).values()]:
        for field in bib.NAME_FIELDS:
            for person in (data or {}).get(field) or []:
                family = (person.get("family") or person.get("literal") or "") if isinstance(person, dict) else ""
                for word in str(family).replace(",", " ").split():
                    word = word.strip(".;:()[]{}\"'«»")
                    if word[:1].isupper():
                        words.add(word)
                        words.update(part for part in word.split("-") if part[:1].isupper())
    return frozenset(words)


def get_reference(actor: User, *, session: Session, reference_id: int) -> Reference:
    return _get(session, actor, reference_id)


def times_cited(actor: User, *, session: Session, reference_id: int) -> int:
    """How many of the actor's own notes cite it (a facilitator learns only that of their own: none)."""
    _get(session, actor, reference_id)
    return session.exec(
        select(func.count())
        .select_from(NoteCitation)
        .join(Document, Document.id == NoteCitation.note_id)
        .where(NoteCitation.reference_id == reference_id)
        .where(Document.owner_id == actor.id)
    ).one()


# --- changing -----------------------------------------------------------------------------------------


def add_reference(
    actor: User, *, session: Session, kind: str, data: dict, reading_list_of: int | None = None
) -> Reference:
    cohort_id, owner_id = _target_cohort(actor, session, reading_list_of=reading_list_of)
    cleaned = _checked(kind, data)
    reference = Reference(
        cohort_id=cohort_id, owner_id=owner_id, kind=kind, data=cleaned, sort_key=sort_key(kind, cleaned)
    )
    session.add(reference)
    session.flush()
    return reference


def update_reference(actor: User, *, session: Session, reference_id: int, kind: str, data: dict) -> Reference:
    reference = session.get(Reference, reference_id) if permissions.valid_id(reference_id) else None
    permissions.ensure_can_change_reference(actor, session, reference)
    permissions.ensure_cohort_open(reference.cohort_id, session)
    cleaned = _checked(kind, data)
    reference.kind = kind
    reference.data = cleaned
    reference.sort_key = sort_key(kind, cleaned)
    reference.updated_at = utcnow()
    session.add(reference)
    session.flush()
    return reference


def delete_reference(actor: User, *, session: Session, reference_id: int) -> None:
    """Deleting one's own reference removes its citations (the page says how many first). Taking an
    entry off the reading list must not change anyone's notes: each participant who cites it keeps a
    copy in their own library, and their citations move to that copy."""
    reference = session.get(Reference, reference_id) if permissions.valid_id(reference_id) else None
    permissions.ensure_can_change_reference(actor, session, reference)
    permissions.ensure_cohort_open(reference.cohort_id, session)
    if reference.owner_id is None:
        citing = session.exec(
            select(NoteCitation, Document.owner_id)
            .join(Document, Document.id == NoteCitation.note_id)
            .where(NoteCitation.reference_id == reference.id)
        ).all()
        copies: dict[int, Reference] = {}
        for _citation, owner_id in citing:
            if owner_id not in copies:
                copies[owner_id] = Reference(
                    cohort_id=reference.cohort_id,
                    owner_id=owner_id,
                    kind=reference.kind,
                    data=dict(reference.data),
                    sort_key=reference.sort_key,
                )
                session.add(copies[owner_id])
        session.flush()
        for citation, owner_id in citing:
            session.add(NoteCitation(note_id=citation.note_id, reference_id=copies[owner_id].id, pages=citation.pages))
            session.delete(citation)
        session.flush()
    session.delete(reference)
    session.flush()


@dataclass(frozen=True)
class ImportSummary:
    added: int
    duplicates: int
    skipped: list[str]


def import_references(
    actor: User, *, session: Session, filename: str, content: bytes, reading_list_of: int | None = None
) -> ImportSummary:
    """Adds every reference a RIS or BibTeX file holds that is not in the list already (same first
    author, year and title). Entries that cannot be understood are listed, not guessed."""
    cohort_id, owner_id = _target_cohort(actor, session, reading_list_of=reading_list_of)
    try:
        parsed = bib.parse_import(filename or "", content)
    except bib.ImportRejected as rejected:
        raise Invalid.one("file", rejected.key) from None
    if len(parsed.entries) > MAX_REFERENCES_PER_IMPORT:
        raise Invalid.one("file", "literature.import.too_many", max=MAX_REFERENCES_PER_IMPORT)
    same_list = Reference.owner_id.is_(None) if owner_id is None else Reference.owner_id == owner_id
    known = set(session.exec(select(Reference.sort_key).where(Reference.cohort_id == cohort_id).where(same_list)))
    added = duplicates = 0
    skipped = list(parsed.skipped)
    for kind, data in parsed.entries:
        cleaned = bib.clean(kind, data)
        if kind not in bib.KINDS or bib.validate(kind, cleaned):
            skipped.append(cleaned.get("title") or "?")
            continue
        key = sort_key(kind, cleaned)
        if key in known:
            duplicates += 1
            continue
        known.add(key)
        session.add(Reference(cohort_id=cohort_id, owner_id=owner_id, kind=kind, data=cleaned, sort_key=key))
        added += 1
    session.flush()
    return ImportSummary(added=added, duplicates=duplicates, skipped=skipped)


# --- citing from a note -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cited:
    reference: Reference
    pages: str


def citations(actor: User, *, session: Session, note_id: int) -> list[Cited]:
    note = session.get(Document, note_id) if permissions.valid_id(note_id) else None
    permissions.ensure_owner(actor, note)
    rows = session.exec(
        select(NoteCitation, Reference)
        .join(Reference, Reference.id == NoteCitation.reference_id)
        .where(NoteCitation.note_id == note_id)
        .order_by(Reference.sort_key)
    ).all()
    return [Cited(reference, citation.pages) for citation, reference in rows]


def set_citations(actor: User, *, session: Session, note_id: int, cited: list[tuple[int, str]]) -> None:
    """Replaces the note's citations with `cited`: (reference id, page or "")."""
    note = session.get(Document, note_id) if permissions.valid_id(note_id) else None
    permissions.ensure_owner(actor, note)
    if note.kind != DocumentKind.NOTE:
        raise NotAllowed()
    permissions.ensure_cohort_open(note.cohort_id, session)
    chosen: dict[int, str] = {}
    for reference_id, pages in cited:
        reference = session.get(Reference, reference_id) if permissions.valid_id(reference_id) else None
        if not permissions.can_read_reference(actor, session, reference) or reference.cohort_id != note.cohort_id:
            raise Invalid.one("references", "field.invalid_choice")
        pages = " ".join((pages or "").split())
        if len(pages) > MAX_PAGES_LENGTH:
            raise Invalid.one("pages", "field.too_long", max=MAX_PAGES_LENGTH)
        chosen[reference_id] = pages
    session.execute(sa.delete(NoteCitation).where(NoteCitation.note_id == note_id))
    session.add_all([NoteCitation(note_id=note_id, reference_id=r, pages=p) for r, p in chosen.items()])
    session.flush()
