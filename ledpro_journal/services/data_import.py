"""Importer fra en eksport: a participant's own export (data_export.py) brought into an empty account, in
this installation or another.

The zip is opened with care before anything is read from it (its size, its members' names, sizes and
compression ratios), the JSON is checked as a whole (format, version, types, sizes, that every reference
inside it points somewhere), and only then is anything written, in the caller's one transaction: a file
that is refused changes nothing.

What is recreated is the participant's own: documents with every version, their dates, unsaved text,
links, references and citations, the exam draft's settings and choices, name replacements. Shares and
comments involve other people (readers, commenters) and are not recreated. Gatherings are matched by
number and themes by name in the participant's cohort here; what has no match is listed in the result and
kept on the document (Document.unmatched_links), which the next export writes back where it came from.
"""

from __future__ import annotations

import io
import json
import re
import stat
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from ledpro_journal import references as bib
from ledpro_journal.config import get_settings
from ledpro_journal.i18n import LANGUAGES
from ledpro_journal.models import (
    ActionStatus,
    Document,
    DocumentKind,
    DocumentRevision,
    Draft,
    ExamContribution,
    Gathering,
    NameReplacement,
    NoteAction,
    NoteCitation,
    NoteTheme,
    Reference,
    Theme,
    User,
)
from ledpro_journal.services import accounts, audit, exam, literature, name_replacements, permissions
from ledpro_journal.services.data_export import FORMAT, FORMAT_VERSION, JSON_NAME
from ledpro_journal.services.errors import Conflict, Invalid
from ledpro_journal.services.journal import MAX_FIELD_LENGTH, _derive, _written
from ledpro_journal.templates import allowed_templates, known_field

MEGABYTE = 1024 * 1024
MAX_MEMBERS = 100_000
# A member that unpacks to more than this many times its packed size is refused as a zip bomb. Text packs
# well (a long note of one repeated sentence about 200 times), far from what a bomb needs.
MAX_RATIO = 1000
MAX_DOCUMENTS = 50_000
MAX_REVISIONS = 1_000_000
MAX_VERSION = 10_000_000
MAX_REFERENCES = 20_000
MAX_SHORT_TEXT = 1000
_REF = {"document": re.compile(r"^d[1-9][0-9]{0,8}$"), "reference": re.compile(r"^r[1-9][0-9]{0,8}$"),
        "comment": re.compile(r"^c[1-9][0-9]{0,8}$")}
_DRIVE = re.compile(r"^[A-Za-z]:")
_SURROGATE = re.compile("[\ud800-\udfff]")


def max_upload_bytes() -> int:
    return get_settings().import_max_mb * MEGABYTE


# --- the zip ---------------------------------------------------------------------------------------------


def _refuse(key: str, **params: object) -> Invalid:
    return Invalid.one("file", key, **params)


def read_export(content: bytes) -> dict:
    """The export's JSON from the zip, or Invalid (field "file") saying what is wrong with the file."""
    settings = get_settings()
    if len(content) > settings.import_max_mb * MEGABYTE:
        raise _refuse("my_data.import.too_large", max=settings.import_max_mb)
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except Exception:  # noqa: BLE001 - whatever a broken or hostile file makes zipfile raise: not a zip
        raise _refuse("my_data.import.not_zip") from None
    if len(members) > MAX_MEMBERS:
        raise _refuse("my_data.import.bomb")
    total = 0
    for member in members:
        name = member.filename
        parts = name.replace("\\", "/").split("/")
        if name.startswith(("/", "\\")) or _DRIVE.match(name) or ".." in parts or "\x00" in name:
            raise _refuse("my_data.import.unsafe_path")
        if stat.S_ISLNK(member.external_attr >> 16):
            raise _refuse("my_data.import.unsafe_path")
        if member.flag_bits & 0x1:
            raise _refuse("my_data.import.encrypted")
        total += member.file_size
        if member.file_size > MEGABYTE and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise _refuse("my_data.import.bomb")
    if total > settings.import_max_unpacked_mb * MEGABYTE:
        raise _refuse("my_data.import.bomb")
    found = [m for m in members if m.filename == JSON_NAME]
    if len(found) != 1:
        raise _refuse("my_data.import.no_export")
    member = found[0]
    limit = settings.import_max_unpacked_mb * MEGABYTE
    try:
        with archive.open(member) as stream:
            # Read no further than the limit, whatever the member's header claims.
            raw = stream.read(limit + 1)
    except Exception:  # noqa: BLE001 - a bad CRC, a broken stream, an unknown compression: not a usable zip
        raise _refuse("my_data.import.not_zip") from None
    if len(raw) > limit:
        raise _refuse("my_data.import.bomb")
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise _refuse("my_data.import.not_json") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _refuse("my_data.import.foreign")
    version = data.get("format_version")
    if type(version) is not int or version != FORMAT_VERSION:
        raise _refuse("my_data.import.unknown_version", supported=FORMAT_VERSION)
    return data


def _no_constant(name: str):
    raise ValueError(name)  # NaN and Infinity are not JSON


# --- checking the JSON as a whole ----------------------------------------------------------------------------


class _Bad(Exception):
    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where


def _path(*steps: str) -> str:
    """A place in the JSON as a refusal names it: the exam section's individual draft, say."""
    return ".".join(steps)


def _obj(value, where: str, keys: set[str]) -> dict:
    if not isinstance(value, dict) or not keys <= set(value):
        raise _Bad(where)
    return value


def _list(value, where: str, limit: int) -> list:
    if not isinstance(value, list) or len(value) > limit:
        raise _Bad(where)
    return value


def _str(value, where: str, limit: int = MAX_SHORT_TEXT, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise _Bad(where)
    return value


def _column_text(value, where: str, limit: int) -> str:
    """Text for a plain database column (not a JSON one): no NUL, no lone surrogate, which PostgreSQL
    refuses there."""
    text = _str(value, where, limit)
    if "\x00" in text or _SURROGATE.search(text):
        raise _Bad(where)
    return text


def _int(value, where: str, low: int, high: int, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if type(value) is not int or not low <= value <= high:
        raise _Bad(where)
    return value


def _bool(value, where: str) -> bool:
    if type(value) is not bool:
        raise _Bad(where)
    return value


def _stamp(value, where: str, *, optional: bool = False) -> datetime | None:
    if value is None and optional:
        return None
    try:
        parsed = datetime.fromisoformat(_str(value, where, 40))
    except ValueError:
        raise _Bad(where) from None
    if parsed.tzinfo is None:
        raise _Bad(where)
    return parsed


def _day(value, where: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(_str(value, where, 10))
    except ValueError:
        raise _Bad(where) from None


def _fields(value, where: str) -> dict[str, str]:
    if not isinstance(value, dict) or len(value) > 100:
        raise _Bad(where)
    for key, text in value.items():
        if not known_field(key) or not isinstance(text, str) or len(text) > MAX_FIELD_LENGTH:
            raise _Bad(where)
    return {key: text for key, text in value.items() if text != ""}


@dataclass
class _Revision:
    version: int
    template: str
    fields: dict
    word_count: int
    saved_at: datetime


@dataclass
class _Unsaved:
    field: str
    text: str
    base_version: int
    saved_at: datetime


@dataclass
class _Document:
    ref: str
    kind: DocumentKind
    template: str
    fields: dict
    version: int
    gathering: int | None
    happened_on: date | None
    status: ActionStatus | None
    parent: str | None
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    revisions: list[_Revision]
    unsaved: list[_Unsaved]
    actions: list[str]
    themes: list[str]
    citations: list[tuple[str, str]]


@dataclass
class _Reference:
    ref: str
    on_reading_list: bool
    kind: str
    data: dict
    created_at: datetime
    updated_at: datetime


@dataclass
class _Export:
    documents: list[_Document]
    references: list[_Reference]
    exam: dict | None
    name_replacements: list[tuple[str, str]]
    language: str | None
    candidate_number: str | None
    part: int | None
    shares: int
    comments: int


def _document(raw, where: str) -> _Document:
    keys = {"ref", "kind", "template", "fields", "version", "gathering", "happened_on", "status", "parent",
            "created_at", "updated_at", "in_bin", "deleted_at", "revisions", "unsaved", "actions", "themes",
            "citations"}
    raw = _obj(raw, where, keys)
    ref = _str(raw["ref"], f"{where}.ref", 12)
    if not _REF["document"].match(ref):
        raise _Bad(f"{where}.ref")
    try:
        kind = DocumentKind(raw["kind"])
    except (ValueError, TypeError):
        raise _Bad(f"{where}.kind") from None
    template = raw["template"]
    if not isinstance(template, str) or template not in allowed_templates(kind):
        raise _Bad(f"{where}.template")
    status = raw["status"]
    if status is not None:
        try:
            status = ActionStatus(status)
        except (ValueError, TypeError):
            raise _Bad(f"{where}.status") from None
    in_bin = _bool(raw["in_bin"], f"{where}.in_bin")
    deleted_at = _stamp(raw["deleted_at"], f"{where}.deleted_at", optional=True)
    if in_bin != (deleted_at is not None):
        raise _Bad(f"{where}.deleted_at")
    version = _int(raw["version"], f"{where}.version", 0, MAX_VERSION)
    revisions = []
    for n, rev in enumerate(_list(raw["revisions"], f"{where}.revisions", MAX_VERSION)):
        at = f"{where}.revisions[{n}]"
        rev = _obj(rev, at, {"version", "template", "fields", "word_count", "saved_at"})
        if not isinstance(rev["template"], str) or rev["template"] not in allowed_templates(kind):
            raise _Bad(f"{at}.template")
        revisions.append(_Revision(
            _int(rev["version"], f"{at}.version", 1, version), rev["template"], _fields(rev["fields"], f"{at}.fields"),
            _int(rev["word_count"], f"{at}.word_count", 0, MAX_FIELD_LENGTH * 100), _stamp(rev["saved_at"], at),
        ))
    if len({r.version for r in revisions}) != len(revisions):
        raise _Bad(f"{where}.revisions")
    unsaved = []
    for n, draft in enumerate(_list(raw["unsaved"], f"{where}.unsaved", 100)):
        at = f"{where}.unsaved[{n}]"
        draft = _obj(draft, at, {"field", "text", "base_version", "saved_at"})
        if not isinstance(draft["field"], str) or not known_field(draft["field"]):
            raise _Bad(f"{at}.field")
        unsaved.append(_Unsaved(draft["field"], _str(draft["text"], f"{at}.text", MAX_FIELD_LENGTH),
                                _int(draft["base_version"], f"{at}.base_version", 0, MAX_VERSION),
                                _stamp(draft["saved_at"], f"{at}.saved_at")))
    if len({u.field for u in unsaved}) != len(unsaved):
        raise _Bad(f"{where}.unsaved")
    citations = []
    for n, cited in enumerate(_list(raw["citations"], f"{where}.citations", 10_000)):
        at = f"{where}.citations[{n}]"
        cited = _obj(cited, at, {"reference", "pages"})
        reference = _str(cited["reference"], f"{at}.reference", 12)
        if not _REF["reference"].match(reference):
            raise _Bad(f"{at}.reference")
        citations.append((reference, _str(cited["pages"], f"{at}.pages", literature.MAX_PAGES_LENGTH)))
    actions = [_str(a, f"{where}.actions", 12) for a in _list(raw["actions"], f"{where}.actions", MAX_DOCUMENTS)]
    themes = [_str(name, f"{where}.themes", 200) for name in _list(raw["themes"], f"{where}.themes", 1000)]
    if kind != DocumentKind.NOTE and (actions or themes or citations):
        raise _Bad(f"{where}.kind")
    parent = _str(raw["parent"], f"{where}.parent", 12, optional=True)
    if (parent is not None) != (kind == DocumentKind.LOG):
        raise _Bad(f"{where}.parent")
    return _Document(
        ref=ref, kind=kind, template=template, fields=_fields(raw["fields"], f"{where}.fields"), version=version,
        gathering=_int(raw["gathering"], f"{where}.gathering", 0, 10_000, optional=True),
        happened_on=_day(raw["happened_on"], f"{where}.happened_on"), status=status, parent=parent,
        created_at=_stamp(raw["created_at"], f"{where}.created_at"),
        updated_at=_stamp(raw["updated_at"], f"{where}.updated_at"), deleted_at=deleted_at,
        revisions=revisions, unsaved=unsaved, actions=actions, themes=themes, citations=citations,
    )


def _reference(raw, where: str) -> _Reference:
    raw = _obj(raw, where, {"ref", "list", "kind", "data", "created_at", "updated_at"})
    ref = _str(raw["ref"], f"{where}.ref", 12)
    if not _REF["reference"].match(ref):
        raise _Bad(f"{where}.ref")
    if raw["list"] not in ("own", "reading_list"):
        raise _Bad(f"{where}.list")
    kind = raw["kind"]
    if kind not in bib.KINDS or not isinstance(raw["data"], dict):
        raise _Bad(f"{where}.kind")
    try:
        cleaned = bib.clean(kind, raw["data"])
        if bib.validate(kind, cleaned):
            raise _Bad(f"{where}.data")
        _column_text(literature.sort_key(kind, cleaned), f"{where}.data", 10**6)
    except _Bad:
        raise
    except Exception:  # noqa: BLE001 - bibliographic data of a shape the model does not know
        raise _Bad(f"{where}.data") from None
    return _Reference(ref, raw["list"] == "reading_list", kind, cleaned, _stamp(raw["created_at"], where),
                      _stamp(raw["updated_at"], where))


def check(data: dict) -> _Export:
    """The whole export checked, or Invalid (field "file", my_data.import.invalid, where: a path into the
    JSON such as documents[3].fields). Nothing is written before this has passed."""
    try:
        return _check(data)
    except _Bad as bad:
        raise _refuse("my_data.import.invalid", where=bad.where) from None


def _check(data: dict) -> _Export:
    _obj(data, "$", {"profile", "documents", "references", "shares", "comments_written", "exam", "name_replacements"})
    documents = [_document(raw, f"documents[{n}]")
                 for n, raw in enumerate(_list(data["documents"], "documents", MAX_DOCUMENTS))]
    by_ref = {d.ref: d for d in documents}
    if len(by_ref) != len(documents):
        raise _Bad("documents")
    if sum(len(d.revisions) for d in documents) > MAX_REVISIONS:
        raise _Bad("documents")
    if sum(1 for d in documents if d.kind == DocumentKind.CHALLENGE and d.deleted_at is None) > 1:
        raise _Bad("documents")
    references = [_reference(raw, f"references[{n}]")
                  for n, raw in enumerate(_list(data["references"], "references", MAX_REFERENCES))]
    reference_refs = {r.ref for r in references}
    if len(reference_refs) != len(references):
        raise _Bad("references")
    order = {d.ref: n for n, d in enumerate(documents)}
    for n, d in enumerate(documents):
        where = f"documents[{n}]"
        if d.parent is not None and (d.parent not in by_ref or by_ref[d.parent].kind != DocumentKind.ACTION
                                     or order[d.parent] > n):
            raise _Bad(f"{where}.parent")
        if any(a not in by_ref or by_ref[a].kind != DocumentKind.ACTION for a in d.actions):
            raise _Bad(f"{where}.actions")
        if any(r not in reference_refs for r, _ in d.citations):
            raise _Bad(f"{where}.citations")
        if d.revisions and max(r.version for r in d.revisions) > d.version:
            raise _Bad(f"{where}.revisions")
    _list(data["shares"], "shares", MAX_DOCUMENTS * 2)
    _list(data["comments_written"], "comments_written", MAX_REVISIONS)
    replacements = []
    for n, raw in enumerate(_list(data["name_replacements"], "name_replacements", 10_000)):
        raw = _obj(raw, f"name_replacements[{n}]", {"name", "replacement"})
        replacements.append((
            _column_text(raw["name"], f"name_replacements[{n}].name", name_replacements.MAX_NAME_LENGTH),
            _column_text(raw["replacement"], f"name_replacements[{n}].replacement",
                         name_replacements.MAX_REPLACEMENT_LENGTH),
        ))
    profile = _obj(data["profile"], "profile", set())
    language = profile.get("language")
    candidate = profile.get("candidate_number")
    part = profile.get("part")
    exam_part = _obj(data["exam"], "exam", {"individual"})
    individual = exam_part["individual"]
    if individual is not None:
        at = _path("exam", "individual")
        individual = _obj(individual, at, {"title", "problem_statement", "include_prompts", "word_limit",
                                           "use_name_replacements", "choices"})
        _str(individual["title"], f"{at}.title", exam.MAX_TITLE_LENGTH)
        _str(individual["problem_statement"], f"{at}.problem_statement", exam.MAX_PROBLEM_LENGTH)
        _bool(individual["include_prompts"], f"{at}.include_prompts")
        _bool(individual["use_name_replacements"], f"{at}.use_name_replacements")
        _int(individual["word_limit"], f"{at}.word_limit", 1, exam.MAX_WORD_LIMIT, optional=True)
        if individual.get("updated_at") is not None:
            _stamp(individual["updated_at"], f"{at}.updated_at")
        for n, choice in enumerate(_list(individual["choices"], f"{at}.choices", MAX_DOCUMENTS * 10)):
            choice = _obj(choice, f"{at}.choices[{n}]", {"item", "on"})
            item = _str(choice["item"], f"{at}.choices[{n}].item", 12)
            _bool(choice["on"], f"{at}.choices[{n}].on")
            if not (_REF["document"].match(item) and item in by_ref) and not _REF["comment"].match(item):
                raise _Bad(f"{at}.choices[{n}].item")
    shares = data["shares"]
    return _Export(
        documents=documents,
        references=references,
        exam=individual,
        name_replacements=replacements,
        language=language if language in LANGUAGES else None,
        candidate_number=candidate if isinstance(candidate, str)
        and accounts.CANDIDATE_NUMBER_PATTERN.match(candidate) else None,
        part=part if part in (1, 2) and type(part) is int else None,
        shares=len(shares),
        comments=len(data["comments_written"]) + sum(
            len(v.get("comments", [])) for s in shares if isinstance(s, dict)
            for v in (s.get("versions") or []) if isinstance(v, dict) and isinstance(v.get("comments"), list)
        ),
    )


# --- writing --------------------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    counts: dict[str, int]  # documents by kind, and "revisions", "references"
    unmatched_gatherings: dict[int, int] = field(default_factory=dict)  # gathering number -> items it was on
    unmatched_themes: dict[str, int] = field(default_factory=dict)  # theme name -> notes it was on
    reading_list_kept_as_own: list[str] = field(default_factory=list)  # titles
    shares_not_recreated: int = 0
    comments_not_recreated: int = 0

    @property
    def all_matched(self) -> bool:
        return not (self.unmatched_gatherings or self.unmatched_themes or self.reading_list_kept_as_own)


def is_empty(actor: User, *, session: Session) -> bool:
    """Nothing written yet (an empty challenge opened once does not count) and no references of one's own:
    the only kind of account an export is brought into, so that nothing there is mixed up or doubled."""
    permissions.ensure_participant(actor)
    written = session.exec(
        select(Document.id).where(Document.owner_id == actor.id).where(_written()).limit(1)
    ).first()
    own = session.exec(select(Reference.id).where(Reference.owner_id == actor.id).limit(1)).first()
    return written is None and own is None


def import_export(actor: User, *, session: Session, content: bytes) -> ImportResult:
    """Brings an export into the actor's empty account. Everything is checked before anything is written;
    the caller's transaction makes it all or nothing."""
    permissions.ensure_participant_can_write(actor, session)
    membership = permissions.participant_membership(actor, session)
    if not is_empty(actor, session=session):
        raise Conflict("my_data.import.not_empty")
    export = check(read_export(content))
    cohort_id = membership.cohort_id
    gatherings = {g.number: g.id for g in session.exec(select(Gathering).where(Gathering.cohort_id == cohort_id))}
    themes = {th.name: th.id for th in session.exec(select(Theme).where(Theme.cohort_id == cohort_id))}
    result = ImportResult(counts=Counter(), shares_not_recreated=export.shares,
                          comments_not_recreated=export.comments)

    # Empty documents opened and left (the challenge the start page made) make way for the imported ones.
    session.execute(sa.delete(Document).where(Document.owner_id == actor.id))

    reference_ids = _import_references(session, actor, cohort_id, export.references, result)
    documents: dict[str, Document] = {}
    for d in export.documents:
        # What has no match here is kept on the document as the export named it (and exported so again).
        unmatched: dict = {}
        gathering_id = None
        if d.gathering is not None:
            gathering_id = gatherings.get(d.gathering)
            if gathering_id is None:
                result.unmatched_gatherings[d.gathering] = result.unmatched_gatherings.get(d.gathering, 0) + 1
                unmatched["gathering"] = d.gathering
        missing_themes = [name for name in dict.fromkeys(d.themes) if name not in themes]
        if missing_themes:
            unmatched["themes"] = missing_themes
        document = Document(
            owner_id=actor.id, cohort_id=cohort_id, kind=d.kind, template=d.template, fields=d.fields,
            version=d.version, gathering_id=gathering_id, happened_on=d.happened_on, status=d.status,
            parent_id=documents[d.parent].id if d.parent else None,
            created_at=d.created_at, updated_at=d.updated_at, deleted_at=d.deleted_at,
            unmatched_links=unmatched or None,
        )
        _derive(document)
        session.add(document)
        if d.kind == DocumentKind.ACTION:
            session.flush()  # its log entries, which follow it, need its id
        documents[d.ref] = document
        result.counts[str(d.kind)] += 1
    session.flush()
    for d in export.documents:
        document_id = documents[d.ref].id
        session.add_all(
            DocumentRevision(document_id=document_id, version=r.version, template=r.template, fields=r.fields,
                             word_count=r.word_count, saved_at=r.saved_at)
            for r in d.revisions
        )
        result.counts["revisions"] += len(d.revisions)
        session.add_all(Draft(document_id=document_id, field=u.field, text=u.text, base_version=u.base_version,
                              saved_at=u.saved_at) for u in d.unsaved)
        session.add_all(NoteAction(note_id=document_id, action_id=documents[a].id) for a in dict.fromkeys(d.actions))
        for name in dict.fromkeys(d.themes):
            if name in themes:
                session.add(NoteTheme(note_id=document_id, theme_id=themes[name]))
            else:
                result.unmatched_themes[name] = result.unmatched_themes.get(name, 0) + 1
        cited = dict(d.citations)
        session.add_all(NoteCitation(note_id=document_id, reference_id=reference_ids[r], pages=p)
                        for r, p in cited.items())
    _import_exam(session, actor, export.exam, documents)
    _import_profile(session, actor, membership, export)
    known = set(name_replacements.replacements_of(session, [actor.id]).get(actor.id, {}))
    session.add_all(NameReplacement(owner_id=actor.id, name=name, replacement=replacement)
                    for name, replacement in dict(export.name_replacements).items() if name not in known)
    audit.record(session, actor=actor, kind="import.done", subject=actor, count=len(export.documents))
    result.counts = dict(result.counts)
    return result


def _import_references(session: Session, actor: User, cohort_id: int, refs: list[_Reference],
                       result: ImportResult) -> dict[str, int]:
    """Own references are added to one's library; a reading-list entry is the cohort's entry here if the
    reading list has the same one (kind and sort key), else it is kept as one's own, and listed."""
    reading_list = {
        (r.kind, r.sort_key): r.id
        for r in session.exec(select(Reference).where(Reference.cohort_id == cohort_id)
                              .where(Reference.owner_id.is_(None)))
    }
    ids: dict[str, int] = {}
    for r in refs:
        key = literature.sort_key(r.kind, r.data)
        if r.on_reading_list and (r.kind, key) in reading_list:
            ids[r.ref] = reading_list[(r.kind, key)]
            continue
        if r.on_reading_list:
            result.reading_list_kept_as_own.append(r.data.get("title") or "?")
        reference = Reference(cohort_id=cohort_id, owner_id=actor.id, kind=r.kind, data=r.data, sort_key=key,
                              created_at=r.created_at, updated_at=r.updated_at)
        session.add(reference)
        session.flush()
        ids[r.ref] = reference.id
        result.counts["references"] += 1
    return ids


def _import_exam(session: Session, actor: User, settings: dict | None, documents: dict[str, Document]) -> None:
    """The individual draft's settings and choices. Choices of comments received are left out: the
    comments are not recreated."""
    if settings is None:
        return
    draft = exam.open_draft(actor, session=session, mode=exam.INDIVIDUAL)
    draft.title = settings["title"]
    draft.problem_statement = settings["problem_statement"]
    draft.include_prompts = settings["include_prompts"]
    draft.word_limit = settings["word_limit"]
    draft.use_name_replacements = settings["use_name_replacements"]
    if settings.get("updated_at"):
        draft.updated_at = datetime.fromisoformat(settings["updated_at"])
    session.add(draft)
    contribution = session.get(ExamContribution, (draft.id, actor.id))
    if contribution is None:
        contribution = ExamContribution(draft_id=draft.id, user_id=actor.id)
    contribution.choices = [
        {"key": f"d{documents[c['item']].id}", "on": c["on"]}
        for c in settings["choices"] if c["item"] in documents
    ]
    session.add(contribution)


def _import_profile(session: Session, actor: User, membership, export: _Export) -> None:
    """Language, candidate number (where the account has none) and programme part come along; the name,
    user name and e-mail address stay the account's own."""
    user = session.get(User, actor.id)
    if export.language:
        user.language = export.language
    if export.candidate_number and not user.candidate_number:
        user.candidate_number = export.candidate_number
    if export.part:
        membership.part = export.part
        session.add(membership)
    session.add(user)
