"""The participant's journal: the challenge, actions and their log entries, reflection notes.

Every explicit save makes a new version (all versions are kept and can be restored). Text that reached
the server before a save is kept as a draft, so that nothing typed is lost. A save names the version
it was based on; if the document moved on meanwhile (another tab), it is refused as a conflict rather
than silently overwriting. Deleting moves to a bin that keeps things for 30 days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, func, select

from ledpro_journal.i18n import OSLO
from ledpro_journal.models import (
    ActionStatus,
    Document,
    DocumentKind,
    DocumentRevision,
    Draft,
    Gathering,
    NoteAction,
    NoteTheme,
    Share,
    SharedVersion,
    Theme,
    User,
    utcnow,
)
from ledpro_journal.services import audit, permissions
from ledpro_journal.services.errors import Conflict, Invalid, NotFound
from ledpro_journal.templates import (
    DEFAULT_TEMPLATE,
    TITLE,
    allowed_templates,
    known_field,
)

BIN_DAYS = 30
PAGE_SIZE = 20
MAX_FIELD_LENGTH = 1_000_000
_WORD = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)


def count_words(text: str) -> int:
    return len(_WORD.findall(text or ""))


def period_key(gathering: Gathering | None, gatherings: list[Gathering]) -> tuple[str, dict]:
    """The catalogue key and parameters naming the period after `gathering` (None: before the first)."""
    if gathering is None:
        return "journal.period.before", {"number": gatherings[0].number if gatherings else 1}
    later = [g for g in gatherings if g.number > gathering.number]
    if later:
        return "journal.period.between", {"after": gathering.number, "before": later[0].number}
    return "journal.period.after_last", {"number": gathering.number}


def _printable(text: str, limit: int) -> str:
    """For derived columns only (lists, search): one line, no control characters, bounded length."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in text or "")
    return " ".join(cleaned.split())[:limit]


def _own(session: Session, actor: User, document_id: int, *, include_deleted: bool = False) -> Document:
    document = session.get(Document, document_id) if permissions.valid_id(document_id) else None
    permissions.ensure_owner(actor, document)
    if document.deleted_at is not None and not include_deleted:
        raise NotFound()
    return document


def _writable(session: Session, actor: User, document_id: int, *, include_deleted: bool = False) -> Document:
    """One's own document, in a cohort that is still open for writing."""
    document = _own(session, actor, document_id, include_deleted=include_deleted)
    permissions.ensure_cohort_open(document.cohort_id, session)
    return document


def _derive(document: Document) -> None:
    fields = document.fields
    document.title = _printable(fields.get(TITLE, ""), 200)
    body = " ".join(text for key, text in fields.items() if key != TITLE)
    document.excerpt = _printable(body, 300)
    document.search_text = _printable(" ".join(fields.values()), 10**7).lower()
    document.word_count = sum(count_words(text) for text in fields.values())


# --- creating and reading ---------------------------------------------------------------------------


def create_document(
    actor: User,
    *,
    session: Session,
    kind: DocumentKind,
    template: str | None = None,
    parent_id: int | None = None,
    gathering_id: int | None = None,
) -> Document:
    """A new, empty document (version 0) that drafts can attach to before its first save."""
    permissions.ensure_participant(actor)
    membership = permissions.participant_membership(actor, session)
    template = template or DEFAULT_TEMPLATE[kind]
    if template not in allowed_templates(kind):
        raise Invalid.one("template", "field.invalid_choice")
    document = Document(owner_id=actor.id, cohort_id=membership.cohort_id, kind=kind, template=template)
    if kind == DocumentKind.CHALLENGE:
        existing = session.exec(
            select(Document)
            .where(Document.owner_id == actor.id)
            .where(Document.kind == DocumentKind.CHALLENGE)
            .where(Document.deleted_at.is_(None))
        ).first()
        if existing is not None:
            return existing
    # Past the challenge that exists already (opening Min utfordring reads it): from here on this writes.
    permissions.ensure_cohort_open(membership.cohort_id, session)
    if kind == DocumentKind.ACTION:
        document.status = ActionStatus.PLANNED
        document.gathering_id = _check_gathering(session, membership.cohort_id, gathering_id)
    if kind == DocumentKind.LOG:
        action = _own(session, actor, parent_id) if parent_id is not None else None
        if action is None or action.kind != DocumentKind.ACTION:
            raise Invalid.one("parent_id", "field.invalid_choice")
        document.parent_id = action.id
        document.status = action.status
        document.happened_on = datetime.now(OSLO).date()
    if kind == DocumentKind.NOTE:
        document.gathering_id = _check_gathering(session, membership.cohort_id, gathering_id)
    session.add(document)
    session.flush()
    return document


def get_document(actor: User, *, session: Session, document_id: int) -> Document:
    return _own(session, actor, document_id)


def my_challenge(actor: User, *, session: Session) -> Document:
    """The participant's one workplace challenge, created empty the first time it is asked for."""
    return create_document(actor, session=session, kind=DocumentKind.CHALLENGE)


def _check_gathering(session: Session, cohort_id: int, gathering_id: int | None) -> int | None:
    if gathering_id is None:
        return None
    gathering = session.get(Gathering, gathering_id)
    if gathering is None or gathering.cohort_id != cohort_id:
        raise Invalid.one("gathering_id", "field.invalid_choice")
    return gathering_id


# --- saving ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Links:
    action_ids: tuple[int, ...] = ()
    theme_ids: tuple[int, ...] = ()


def save_document(
    actor: User,
    *,
    session: Session,
    document_id: int,
    base_version: int,
    fields: dict[str, str],
    template: str | None = None,
    gathering_id: int | None = None,
    happened_on: date | None = None,
    status: ActionStatus | None = None,
    links: Links | None = None,
) -> Document:
    """Saves a new version. Raises Conflict (key journal.conflict) when the document was saved elsewhere
    after `base_version`; the caller shows both texts and lets the writer choose."""
    document = _writable(session, actor, document_id)
    if base_version != document.version:
        raise Conflict("journal.conflict", version=document.version)
    template = template or document.template
    if template not in allowed_templates(document.kind):
        raise Invalid.one("template", "field.invalid_choice")
    problems = {}
    for key, text in fields.items():
        if not known_field(key) or not isinstance(text, str):
            problems[key] = ("field.invalid_choice", {})
        elif len(text) > MAX_FIELD_LENGTH:
            problems[key] = ("field.too_long", {"max": MAX_FIELD_LENGTH})
    if problems:
        raise Invalid(problems)
    # Claim the next version in the database itself: two tabs saving at the same moment both pass the check
    # above, and only one of them may win (the other gets the conflict, not a database error).
    claimed = session.execute(
        sa.update(Document)
        .where(Document.id == document.id)
        .where(Document.version == base_version)
        .values(version=base_version + 1)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        session.refresh(document)
        raise Conflict("journal.conflict", version=document.version)

    # Fields not sent stay as they were: a template switch never loses text.
    merged = {**document.fields, **fields}
    document.fields = {key: text for key, text in merged.items() if text != ""}
    document.template = template
    if document.kind in (DocumentKind.ACTION, DocumentKind.NOTE):
        document.gathering_id = _check_gathering(session, document.cohort_id, gathering_id)
    if document.unmatched_links:
        # What an import found no match for (data_import.py) gives way to what the writer chooses here: a
        # gathering, or themes other than the note had.
        with session.no_autoflush:
            had = set(session.exec(select(NoteTheme.theme_id).where(NoteTheme.note_id == document.id)))
        chosen = {"gathering": document.gathering_id is not None,
                  "themes": links is not None and set(links.theme_ids) != had}
        left = {part: value for part, value in document.unmatched_links.items() if not chosen.get(part)}
        document.unmatched_links = left or None
    if document.kind in (DocumentKind.ACTION, DocumentKind.LOG):
        document.happened_on = happened_on
        if status is not None:
            document.status = ActionStatus(status)
    _derive(document)
    document.version = base_version + 1
    document.updated_at = utcnow()
    session.add(document)
    if document.kind == DocumentKind.LOG and status is not None and _is_newest_log(session, document):
        action = session.get(Document, document.parent_id)
        action.status = ActionStatus(status)
        session.add(action)
    session.add(
        DocumentRevision(
            document_id=document.id,
            version=document.version,
            template=document.template,
            fields=dict(document.fields),
            word_count=document.word_count,
            saved_at=document.updated_at,
        )
    )
    if document.kind == DocumentKind.NOTE and links is not None:
        _set_links(session, actor, document, links)
    _drop_saved_drafts(session, document)
    session.flush()
    return document


def _is_newest_log(session: Session, log: Document) -> bool:
    """An action's status follows its newest log entry (latest date, then the last written): correcting
    an older entry must not move the action back to what was true then."""
    session.flush()
    newest = session.exec(
        select(Document.id)
        .where(Document.parent_id == log.parent_id)
        .where(Document.kind == DocumentKind.LOG)
        .where(Document.deleted_at.is_(None))
        .where(Document.version > 0)
        .order_by(Document.happened_on.desc().nulls_last(), Document.id.desc())
        .limit(1)
    ).first()
    return newest == log.id


def _drop_saved_drafts(session: Session, document: Document) -> None:
    """Drafts whose text is now saved are done with. Any other draft (typed in another tab that has not
    saved yet) stays: that tab's save will show the conflict, and a refresh there brings its text back."""
    for draft in session.exec(select(Draft).where(Draft.document_id == document.id)).all():
        if draft.text == document.fields.get(draft.field, ""):
            session.delete(draft)


def _set_links(session: Session, actor: User, note: Document, links: Links) -> None:
    actions = set(links.action_ids)
    if actions:
        owned = set(
            session.exec(
                select(Document.id)
                .where(Document.id.in_(actions))
                .where(Document.owner_id == actor.id)
                .where(Document.kind == DocumentKind.ACTION)
            )
        )
        if owned != actions:
            raise Invalid.one("action_ids", "field.invalid_choice")
    themes = set(links.theme_ids)
    if themes:
        valid = set(session.exec(select(Theme.id).where(Theme.id.in_(themes)).where(Theme.cohort_id == note.cohort_id)))
        if valid != themes:
            raise Invalid.one("theme_ids", "field.invalid_choice")
    session.execute(sa.delete(NoteAction).where(NoteAction.note_id == note.id))
    session.execute(sa.delete(NoteTheme).where(NoteTheme.note_id == note.id))
    session.add_all([NoteAction(note_id=note.id, action_id=a) for a in sorted(actions)])
    session.add_all([NoteTheme(note_id=note.id, theme_id=t) for t in sorted(themes)])


def note_links(actor: User, *, session: Session, note_id: int) -> Links:
    _own(session, actor, note_id)
    return Links(
        action_ids=tuple(session.exec(select(NoteAction.action_id).where(NoteAction.note_id == note_id))),
        theme_ids=tuple(session.exec(select(NoteTheme.theme_id).where(NoteTheme.note_id == note_id))),
    )


# --- drafts ---------------------------------------------------------------------------------------------


def save_draft(actor: User, *, session: Session, document_id: int, field: str, text: str, base_version: int) -> None:
    """Keeps text the moment it reaches the server, before any explicit save."""
    _wait_for_saves_of(session, document_id)
    document = _writable(session, actor, document_id)
    if not known_field(field) or not isinstance(text, str) or len(text) > MAX_FIELD_LENGTH:
        raise Invalid.one(field if isinstance(field, str) else "field", "field.invalid_choice")
    if text == document.fields.get(field, ""):  # nothing unsaved in it: no draft to keep
        session.execute(sa.delete(Draft).where(Draft.document_id == document.id).where(Draft.field == field))
        return
    existing = select(Draft).where(Draft.document_id == document.id).where(Draft.field == field)
    draft = session.exec(existing).first()
    if draft is None:
        try:
            # Two sends of the same field can cross (two tabs, or a click and a blur at once).
            with session.begin_nested():
                session.add(Draft(document_id=document.id, field=field, text=text, base_version=base_version))
            return
        except sa.exc.IntegrityError:
            draft = session.exec(existing).one()
    draft.text = text
    draft.base_version = base_version
    draft.saved_at = utcnow()
    session.add(draft)
    session.flush()


def _wait_for_saves_of(session: Session, document_id: int) -> None:
    """Takes the document's write lock before reading it (its row in PostgreSQL, the database in SQLite).

    The editor sends what is in a field at the moment Lagre is pressed, and that request often runs beside
    the save itself. Read before the save commits, the text still differs from the saved text, and a draft
    naming the old version would be kept after the save dropped the others: the next save in the same tab
    then looked like a conflict with another writer. Holding the lock from the read to the write means the
    draft sees the save it raced with, and the saved text needs no draft."""
    if permissions.valid_id(document_id):
        session.execute(
            sa.update(Document)
            .where(Document.id == document_id)
            .values(version=Document.version)
            .execution_options(synchronize_session=False)
        )


@dataclass(frozen=True)
class DraftState:
    texts: dict[str, str]
    base_version: int
    saved_at: datetime


def drafts_for(actor: User, *, session: Session, document_id: int) -> DraftState | None:
    document = _own(session, actor, document_id)
    # A draft of exactly the saved text holds nothing unsaved, whatever version it was started from.
    drafts = [
        draft for draft in session.exec(select(Draft).where(Draft.document_id == document_id))
        if draft.text != document.fields.get(draft.field, "")
    ]
    if not drafts:
        return None
    return DraftState(
        texts={d.field: d.text for d in drafts},
        base_version=min(d.base_version for d in drafts),
        saved_at=max(d.saved_at for d in drafts),
    )


def discard_drafts(actor: User, *, session: Session, document_id: int) -> None:
    _writable(session, actor, document_id)
    session.execute(sa.delete(Draft).where(Draft.document_id == document_id))


# --- history ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RevisionInfo:
    version: int
    saved_at: datetime
    word_count: int
    template: str


def list_revisions(actor: User, *, session: Session, document_id: int) -> list[RevisionInfo]:
    _own(session, actor, document_id)
    rows = session.exec(
        select(
            DocumentRevision.version, DocumentRevision.saved_at, DocumentRevision.word_count, DocumentRevision.template
        )
        .where(DocumentRevision.document_id == document_id)
        .order_by(DocumentRevision.version.desc())
    ).all()
    return [RevisionInfo(*row) for row in rows]


def get_revision(actor: User, *, session: Session, document_id: int, version: int) -> DocumentRevision:
    _own(session, actor, document_id)
    revision = session.exec(
        select(DocumentRevision)
        .where(DocumentRevision.document_id == document_id)
        .where(DocumentRevision.version == version)
    ).first()
    if revision is None:
        raise NotFound()
    return revision


def restore_revision(actor: User, *, session: Session, document_id: int, version: int, base_version: int) -> Document:
    """Makes an earlier version the current one, as a new version: nothing in between is lost."""
    revision = get_revision(actor, session=session, document_id=document_id, version=version)
    document = _writable(session, actor, document_id)
    cleared = {key: "" for key in document.fields if key not in revision.fields}
    return save_document(
        actor,
        session=session,
        document_id=document_id,
        base_version=base_version,
        fields={**cleared, **revision.fields},
        template=revision.template,
        gathering_id=document.gathering_id,
        happened_on=document.happened_on,
        status=None,
    )


# --- the bin ------------------------------------------------------------------------------------------------


def delete_document(actor: User, *, session: Session, document_id: int) -> None:
    """Moves to the bin (an action takes its log entries with it); restorable for 30 days."""
    document = _writable(session, actor, document_id)
    if document.kind == DocumentKind.CHALLENGE:
        raise Conflict("journal.challenge_not_deletable")
    now = utcnow()
    document.deleted_at = now
    session.add(document)
    # What is in the bin is shown to no one: its shares are withdrawn (their comments stay with them).
    session.execute(
        sa.update(Share)
        .where(Share.document_id == document.id)
        .where(Share.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
    if document.kind == DocumentKind.ACTION:
        session.execute(
            sa.update(Document)
            .where(Document.parent_id == document.id)
            .where(Document.deleted_at.is_(None))
            .values(deleted_at=now)
        )
    audit.record(session, actor=actor, kind="document.deleted", subject=actor, document_id=document.id,
                 document_kind=str(document.kind))


def restore_document(actor: User, *, session: Session, document_id: int) -> Document:
    document = _writable(session, actor, document_id, include_deleted=True)
    if document.deleted_at is None:
        return document
    if document.parent_id is not None:
        parent = session.get(Document, document.parent_id)
        if parent.deleted_at is not None:
            raise Conflict("journal.restore_action_first")
    if document.kind == DocumentKind.ACTION:
        session.execute(
            sa.update(Document)
            .where(Document.parent_id == document.id)
            .where(Document.deleted_at == document.deleted_at)
            .values(deleted_at=None)
        )
    document.deleted_at = None
    session.add(document)
    session.flush()
    return document


def _purge_expired(session: Session, now: datetime | None, owner_id: int | None) -> int:
    limit = (now or utcnow()) - timedelta(days=BIN_DAYS)
    expired = sa.and_(Document.deleted_at.is_not(None), Document.deleted_at < limit)
    if owner_id is not None:
        expired = sa.and_(expired, Document.owner_id == owner_id)
    per_owner = session.exec(select(Document.owner_id, func.count()).where(expired).group_by(Document.owner_id)).all()
    for owner, count in per_owner:
        audit.record(session, actor=None, kind="document.purged", subject=owner, count=count)
    erase_shared_text(session, select(Document.id).where(expired))
    return session.execute(sa.delete(Document).where(expired)).rowcount


def erase_shared_text(session: Session, document_ids) -> None:
    """Before documents are deleted for good: what their shares showed (title, text, log entries) goes
    with them, and the shares are withdrawn. `document_ids`: a select of ids."""
    erase_shares(session, select(Share.id).where(Share.document_id.in_(document_ids)))


def erase_shares(session: Session, shares) -> None:
    """Blanks what the shares showed and withdraws them (`shares`: a select of share ids). The shares
    themselves stay, so that comments others wrote keep their place (shown on a deleted note) and their
    authors; nobody can read what was shared any more."""
    session.execute(
        sa.update(SharedVersion)
        .where(SharedVersion.share_id.in_(shares))
        .values(title="", fields={}, logs=[])
        .execution_options(synchronize_session=False)
    )
    session.execute(
        sa.update(Share)
        .where(Share.id.in_(shares))
        .where(Share.withdrawn_at.is_(None))
        .values(withdrawn_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def purge_bin(session: Session, *, now: datetime | None = None) -> int:
    """Deletes for good what has been in anyone's bin longer than 30 days (at server start)."""
    return _purge_expired(session, now, owner_id=None)


# --- finding things ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """What a list shows of a document, without its text."""

    id: int
    kind: DocumentKind
    template: str
    title: str
    excerpt: str
    word_count: int
    version: int
    gathering_id: int | None
    happened_on: date | None
    status: ActionStatus | None
    parent_id: int | None
    updated_at: datetime
    deleted_at: datetime | None


def shared_now_query(owner_id: int):
    """The owner's documents that are shared (not withdrawn) at this moment."""
    return (
        select(Share.document_id)
        .where(Share.owner_id == owner_id)
        .where(Share.withdrawn_at.is_(None))
        .where(Share.document_id.is_not(None))
    )


def _written():
    """Saved at least once, or holding typed text: an empty document someone opened and left is not listed."""
    return sa.or_(Document.version > 0, Document.id.in_(select(Draft.document_id)))


_ROW_COLUMNS = (
    Document.id, Document.kind, Document.template, Document.title, Document.excerpt, Document.word_count,
    Document.version, Document.gathering_id, Document.happened_on, Document.status, Document.parent_id,
    Document.updated_at, Document.deleted_at,
)


@dataclass(frozen=True)
class Filters:
    kinds: tuple[DocumentKind, ...] = (DocumentKind.NOTE, DocumentKind.ACTION, DocumentKind.LOG)
    period: int | None = None  # gathering id; 0 means "before the first gathering"
    theme_id: int | None = None
    template: str | None = None
    action_id: int | None = None
    shared: bool | None = None  # shared now with the group or the facilitators, or not
    query: str = ""


def find(
    actor: User, *, session: Session, filters: Filters, page: int = 1, per_page: int = PAGE_SIZE
) -> tuple[list[Row], int]:
    """The actor's own writing that matches, newest first, one page at a time, with the total count."""
    permissions.ensure_participant(actor)
    query = (
        select(*_ROW_COLUMNS)
        .where(Document.owner_id == actor.id)
        .where(Document.deleted_at.is_(None))
        .where(Document.kind.in_(filters.kinds))
        .where(_written())
    )
    if filters.period is not None:
        # A log entry has no gathering of its own: it belongs to its action's period.
        action = aliased(Document)

        def in_period(column):
            return column.is_(None) if filters.period == 0 else column == filters.period

        query = query.where(
            sa.or_(
                sa.and_(Document.kind != DocumentKind.LOG, in_period(Document.gathering_id)),
                sa.and_(
                    Document.kind == DocumentKind.LOG,
                    Document.parent_id.in_(select(action.id).where(in_period(action.gathering_id))),
                ),
            )
        )
    if filters.template:
        query = query.where(Document.template == filters.template)
    if filters.theme_id is not None:
        query = query.where(
            Document.id.in_(select(NoteTheme.note_id).where(NoteTheme.theme_id == filters.theme_id))
        )
    if filters.action_id is not None:
        query = query.where(
            sa.or_(
                Document.id == filters.action_id,
                Document.parent_id == filters.action_id,
                Document.id.in_(select(NoteAction.note_id).where(NoteAction.action_id == filters.action_id)),
            )
        )
    if filters.shared is not None:
        shared_now = shared_now_query(actor.id)
        query = query.where(Document.id.in_(shared_now) if filters.shared else Document.id.not_in(shared_now))
    for word in _printable(filters.query, 200).lower().split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Document.search_text.like(f"%{escaped}%", escape="\\"))
    # The total rides along with the page (a window count), so a search reads the texts once, not twice.
    rows = session.exec(
        query.add_columns(func.count().over())
        .order_by(Document.updated_at.desc(), Document.id.desc())
        .offset((max(page, 1) - 1) * per_page)
        .limit(per_page)
    ).all()
    if rows:
        total = rows[0][-1]
    else:
        total = session.exec(select(func.count()).select_from(query.subquery())).one() if page > 1 else 0
    return [Row(*row[:-1]) for row in rows], total


def list_bin(actor: User, *, session: Session, now: datetime | None = None) -> list[Row]:
    """The actor's bin. Opening it first deletes for good what has been there longer than 30 days, the
    actor's only, so that the page never touches other people's rows."""
    permissions.ensure_participant(actor)
    _purge_expired(session, now, owner_id=actor.id)
    rows = session.exec(
        select(*_ROW_COLUMNS)
        .where(Document.owner_id == actor.id)
        .where(Document.deleted_at.is_not(None))
        .order_by(Document.deleted_at.desc())
    ).all()
    return [Row(*row) for row in rows]


def list_actions(actor: User, *, session: Session) -> list[Row]:
    """All the actor's actions (for grouping by period), without their text."""
    permissions.ensure_participant(actor)
    rows = session.exec(
        select(*_ROW_COLUMNS)
        .where(Document.owner_id == actor.id)
        .where(Document.kind == DocumentKind.ACTION)
        .where(Document.deleted_at.is_(None))
        .where(_written())
        .order_by(Document.happened_on.is_(None), Document.happened_on, Document.id)
    ).all()
    return [Row(*row) for row in rows]


def log_counts(actor: User, *, session: Session) -> dict[int, int]:
    """How many saved log entries each of the actor's actions has."""
    permissions.ensure_participant(actor)
    return dict(
        session.exec(
            select(Document.parent_id, func.count())
            .where(Document.owner_id == actor.id)
            .where(Document.kind == DocumentKind.LOG)
            .where(Document.deleted_at.is_(None))
            .where(Document.version > 0)
            .group_by(Document.parent_id)
        ).all()
    )


def list_logs(actor: User, *, session: Session, action_id: int) -> list[Row]:
    _own(session, actor, action_id)
    rows = session.exec(
        select(*_ROW_COLUMNS)
        .where(Document.parent_id == action_id)
        .where(Document.deleted_at.is_(None))
        .where(_written())
        .order_by(Document.happened_on.desc(), Document.id.desc())
    ).all()
    return [Row(*row) for row in rows]


# --- where the participant is in the cycle -------------------------------------------------------------------


@dataclass
class Overview:
    has_challenge: bool
    action_count: int
    log_count: int
    note_count: int
    next_gathering: Gathering | None
    current_period: int | None  # the gathering the present period follows (None: before the first)
    actions_without_log: list[Row] = field(default_factory=list)
    actions_without_reflection: list[Row] = field(default_factory=list)
    recently_edited: list[Row] = field(default_factory=list)
    challenge_id: int | None = None

    @property
    def is_new(self) -> bool:
        return not (self.has_challenge and self.action_count and self.log_count and self.note_count)


@dataclass(frozen=True)
class Timeline:
    """The participant's gatherings, and where today falls between them."""

    gatherings: list[Gathering]
    current_period: int | None  # the gathering the present period follows (None: before the first)
    next_gathering: Gathering | None


def timeline(actor: User, *, session: Session, today: date) -> Timeline:
    permissions.ensure_participant(actor)
    membership = permissions.participant_membership(actor, session)
    gatherings = list(
        session.exec(
            select(Gathering).where(Gathering.cohort_id == membership.cohort_id).order_by(Gathering.start_date)
        ).all()
    )
    past = [g for g in gatherings if g.start_date <= today]
    upcoming = [g for g in gatherings if g.end_date >= today]
    return Timeline(gatherings, past[-1].id if past else None, upcoming[0] if upcoming else None)


def overview(actor: User, *, session: Session, today: date) -> Overview:
    """The start page: what is written, what is due before the next gathering, what was edited last."""
    when = timeline(actor, session=session, today=today)
    current_period = when.current_period
    # One pass over the participant's own rows (no text columns) serves every list on the page.
    rows = [
        Row(*row)
        for row in session.exec(
            select(*_ROW_COLUMNS).where(Document.owner_id == actor.id).where(Document.deleted_at.is_(None))
        ).all()
    ]
    saved = [r for r in rows if r.version > 0]
    counts: dict[DocumentKind, int] = {}
    for row in saved:
        counts[row.kind] = counts.get(row.kind, 0) + 1
    logged = {r.parent_id for r in saved if r.kind == DocumentKind.LOG}
    actions = sorted(
        (r for r in saved if r.kind == DocumentKind.ACTION),
        key=lambda a: (a.happened_on is None, a.happened_on or date.min, a.id),
    )
    open_actions = [a for a in actions if a.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)]
    reflected = set(
        session.exec(
            select(NoteAction.action_id)
            .join(Document, Document.id == NoteAction.note_id)
            .where(Document.owner_id == actor.id)
            .where(Document.deleted_at.is_(None))
        )
    )
    in_period = [a for a in open_actions if a.gathering_id == current_period]
    recent = sorted(saved, key=lambda r: (r.updated_at, r.id), reverse=True)[:5]
    challenge_id = next((r.id for r in rows if r.kind == DocumentKind.CHALLENGE), None)
    return Overview(
        has_challenge=counts.get(DocumentKind.CHALLENGE, 0) > 0,
        action_count=counts.get(DocumentKind.ACTION, 0),
        log_count=counts.get(DocumentKind.LOG, 0),
        note_count=counts.get(DocumentKind.NOTE, 0),
        next_gathering=when.next_gathering,
        current_period=current_period,
        actions_without_log=[a for a in in_period if a.id not in logged],
        actions_without_reflection=[a for a in actions if a.id in logged and a.id not in reflected],
        recently_edited=recent,
        challenge_id=challenge_id,
    )
