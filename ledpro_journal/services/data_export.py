"""Last ned alt mitt: everything a participant wrote, as one zip they can keep, read and bring back.

The zip holds `ledpro-export.json` (the whole journal as data, documented in docs/export-format.md and
docs/ledpro-export.schema.json; data_import.py reads it back), a readable archive (`arkiv/`: one HTML
page per note and action and an index, readable in any browser with no network) and the same lists for a
spreadsheet (`aksjoner.csv`, `notater.csv`, `ledpro-tabeller.xlsx`).

What goes in is what permissions.py lets the participant read of their own: their writing (the bin
included, flagged), their shares, the comments they received (by role, never by name) and the comments
they wrote (the note they wrote on is "a group member's", no title, no text: it was that person's).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

import sqlalchemy as sa
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from sqlmodel import Session, select

from ledpro_journal import references as bib
from ledpro_journal.i18n import OSLO, format_date, format_datetime, language_or_default, t
from ledpro_journal.models import (
    Cohort,
    CohortMembership,
    Comment,
    Document,
    DocumentKind,
    DocumentRevision,
    Draft,
    ExamContribution,
    ExamDraft,
    Gathering,
    NameReplacement,
    NoteAction,
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
from ledpro_journal.services import audit, permissions
from ledpro_journal.services.journal import _written
from ledpro_journal.templates import TEMPLATES, TITLE

FORMAT = "ledpro-export"
FORMAT_VERSION = 1
JSON_NAME = "ledpro-export.json"
ARCHIVE_DIR = "arkiv"
# The spreadsheet files' names: stem and suffix apart, so that no file name reads like a catalogue key.
ACTIONS_TABLE, NOTES_TABLE, WORKBOOK = "aksjoner", "notater", "ledpro-tabeller"
CSV_SUFFIX, XLSX_SUFFIX, HTML_SUFFIX = ".csv", ".xlsx", ".html"

# Who wrote a comment, as the export names them: never a name. Whoever deleted their account since (a
# facilitator too) is a former participant, as the screens say ("tidligere deltaker").
ME, GROUP_MEMBER, FACILITATOR, FORMER_PARTICIPANT = "me", "group_member", "facilitator", "former_participant"
STEPS = ("collect", "archive", "tables", "pack")

_SURROGATE = re.compile("[\ud800-\udfff]")
# What an .xlsx (XML 1.0) cannot hold: control characters other than tab, line feed and carriage return,
# lone surrogates and the two non-characters.
_NOT_IN_XLSX = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- the data ------------------------------------------------------------------------------------------


def collect(actor: User, *, session: Session, now: datetime | None = None) -> dict:
    """The participant's journal as the export's JSON document (see docs/export-format.md)."""
    permissions.ensure_participant(actor)
    membership = session.exec(
        select(CohortMembership)
        .where(CohortMembership.user_id == actor.id)
        .where(CohortMembership.role == Role.PARTICIPANT)
    ).first()
    # What is written, and the action of any log entry written (even if the action itself never was saved).
    parents = (
        select(Document.parent_id)
        .where(Document.owner_id == actor.id)
        .where(Document.parent_id.is_not(None))
        .where(_written())
    )
    documents = list(
        session.exec(
            select(Document)
            .where(Document.owner_id == actor.id)
            .where(sa.or_(_written(), Document.id.in_(parents)))
            .order_by(Document.id)
        )
    )
    doc_refs = {d.id: f"d{n}" for n, d in enumerate(documents, 1)}
    ids = list(doc_refs) or [-1]
    cohort_ids = {d.cohort_id for d in documents} | ({membership.cohort_id} if membership else set())
    gatherings = {g.id: g for g in session.exec(select(Gathering).where(Gathering.cohort_id.in_(cohort_ids or {-1})))}
    themes = {th.id: th for th in session.exec(select(Theme).where(Theme.cohort_id.in_(cohort_ids or {-1})))}

    revisions: dict[int, list[DocumentRevision]] = defaultdict(list)
    for revision in session.exec(
        select(DocumentRevision)
        .join(Document, Document.id == DocumentRevision.document_id)
        .where(Document.owner_id == actor.id)
        .order_by(DocumentRevision.document_id, DocumentRevision.version)
    ):
        revisions[revision.document_id].append(revision)
    drafts: dict[int, list[Draft]] = defaultdict(list)
    for draft in session.exec(select(Draft).where(Draft.document_id.in_(ids)).order_by(Draft.field)):
        drafts[draft.document_id].append(draft)
    linked_actions: dict[int, list[int]] = defaultdict(list)
    for note_id, action_id in session.exec(select(NoteAction.note_id, NoteAction.action_id)
                                           .where(NoteAction.note_id.in_(ids))):
        linked_actions[note_id].append(action_id)
    linked_themes: dict[int, list[int]] = defaultdict(list)
    for note_id, theme_id in session.exec(select(NoteTheme.note_id, NoteTheme.theme_id)
                                          .where(NoteTheme.note_id.in_(ids))):
        linked_themes[note_id].append(theme_id)
    citations: dict[int, list[NoteCitation]] = defaultdict(list)
    for citation in session.exec(select(NoteCitation).where(NoteCitation.note_id.in_(ids))):
        citations[citation.note_id].append(citation)

    # One's own references, and the reading-list entries one's notes cite (if one may still read them).
    cited_ids = {c.reference_id for cited in citations.values() for c in cited}
    candidates = session.exec(
        select(Reference)
        .where((Reference.owner_id == actor.id) | Reference.id.in_(cited_ids or {-1}))
    ).all()
    # The reading list's entries first, then one's own, each alphabetical: an import elsewhere matches the
    # first to that cohort's list and adds the others in this order, so that exporting again names them alike.
    references = sorted(
        (r for r in candidates if permissions.can_read_reference(actor, session, r)),
        key=lambda r: (r.owner_id is not None, r.sort_key, r.kind, r.id),
    )
    ref_refs = {r.id: f"r{n}" for n, r in enumerate(references, 1)}

    shares_part, received_refs = _shares(session, actor, doc_refs)
    data = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "exported_at": _iso(now or utcnow()),
        "profile": _profile(session, actor, membership),
        "programme": _programme(session, membership, gatherings, themes),
        "documents": [
            _document(d, doc_refs, gatherings, themes, revisions[d.id], drafts[d.id], linked_actions[d.id],
                      linked_themes[d.id], citations[d.id], ref_refs)
            for d in documents
        ],
        "references": [
            {
                "ref": ref_refs[r.id],
                "list": "own" if r.owner_id is not None else "reading_list",
                "kind": r.kind,
                "data": r.data,
                "created_at": _iso(r.created_at),
                "updated_at": _iso(r.updated_at),
            }
            for r in references
        ],
        "shares": shares_part,
        "comments_written": _comments_written(session, actor),
        "exam": _exam(session, actor, doc_refs, received_refs),
        "name_replacements": [
            {"name": n.name, "replacement": n.replacement}
            for n in session.exec(
                select(NameReplacement).where(NameReplacement.owner_id == actor.id).order_by(NameReplacement.name)
            )
        ],
    }
    return data


def _profile(session: Session, actor: User, membership: CohortMembership | None) -> dict:
    cohort = session.get(Cohort, membership.cohort_id) if membership else None
    group = session.get(ReflectionGroup, membership.group_id) if membership and membership.group_id else None
    return {
        "username": actor.username,
        "display_name": actor.display_name,
        "email": actor.email,
        "role": str(actor.role),
        "language": str(actor.language),
        "candidate_number": actor.candidate_number,
        "created_at": _iso(actor.created_at),
        "cohort": {"name": cohort.name, "institution": cohort.institution, "place": cohort.place} if cohort else None,
        "group": group.name if group else None,
        "part": membership.part if membership else None,
    }


def _programme(session: Session, membership, gatherings: dict[int, Gathering], themes: dict[int, Theme]) -> dict:
    """The cohort's gatherings and themes, so that numbers and names in the documents can be read."""
    cohort_id = membership.cohort_id if membership else None
    return {
        "gatherings": [
            {
                "number": g.number,
                "start_date": _iso(g.start_date),
                "end_date": _iso(g.end_date),
                "place": g.place,
                "theme": themes[g.theme_id].name if g.theme_id in themes else None,
            }
            for g in sorted(gatherings.values(), key=lambda g: g.number)
            if g.cohort_id == cohort_id
        ],
        "themes": [
            th.name for th in sorted(themes.values(), key=lambda th: th.position) if th.cohort_id == cohort_id
        ],
    }


def _document(d, doc_refs, gatherings, themes, revisions, drafts, actions, theme_ids, citations, ref_refs) -> dict:
    gathering = gatherings.get(d.gathering_id)
    # What an import found no match for in this cohort goes back out where it came from: nothing is lost.
    unmatched = d.unmatched_links or {}
    names = [themes[th].name for th in theme_ids if th in themes]
    names += [name for name in unmatched.get("themes", []) if name not in names]
    return {
        "ref": doc_refs[d.id],
        "kind": str(d.kind),
        "template": d.template,
        "fields": d.fields,
        "version": d.version,
        "gathering": gathering.number if gathering else unmatched.get("gathering"),
        "happened_on": _iso(d.happened_on),
        "status": str(d.status) if d.status is not None else None,
        "parent": doc_refs.get(d.parent_id),
        "created_at": _iso(d.created_at),
        "updated_at": _iso(d.updated_at),
        "in_bin": d.deleted_at is not None,
        "deleted_at": _iso(d.deleted_at),
        "revisions": [
            {
                "version": r.version,
                "template": r.template,
                "fields": r.fields,
                "word_count": r.word_count,
                "saved_at": _iso(r.saved_at),
            }
            for r in revisions
        ],
        "unsaved": [
            {"field": dr.field, "text": dr.text, "base_version": dr.base_version, "saved_at": _iso(dr.saved_at)}
            for dr in drafts
        ],
        "actions": sorted((doc_refs[a] for a in actions if a in doc_refs), key=_ref_number),
        "themes": sorted(names),
        "citations": sorted(
            ({"reference": ref_refs[c.reference_id], "pages": c.pages}
             for c in citations if c.reference_id in ref_refs),
            key=lambda c: _ref_number(c["reference"]),
        ),
    }


def _ref_number(ref: str) -> int:
    return int(ref[1:])


def _shares(session: Session, actor: User, doc_refs: dict[int, str]) -> tuple[list[dict], dict[int, str]]:
    """The participant's shares with every version shown, and the comments on them (by role). Also the
    export's names ("c1", ...) of the comments received, which exam choices refer to."""
    shares = session.exec(select(Share).where(Share.owner_id == actor.id).order_by(Share.id)).all()
    share_ids = [s.id for s in shares] or [-1]
    versions: dict[int, list[SharedVersion]] = defaultdict(list)
    for version in session.exec(
        select(SharedVersion).where(SharedVersion.share_id.in_(share_ids)).order_by(SharedVersion.number)
    ):
        versions[version.share_id].append(version)
    version_ids = [v.id for vs in versions.values() for v in vs] or [-1]
    comments: dict[int, list[Comment]] = defaultdict(list)
    for comment in session.exec(
        select(Comment).where(Comment.shared_version_id.in_(version_ids)).order_by(Comment.id)
    ):
        comments[comment.shared_version_id].append(comment)
    authors = {c.author_id for cs in comments.values() for c in cs} or {-1}
    # The role in the share's cohort; without a membership there (a facilitator removed from the cohort keeps
    # the account), the account's own role, so that a former facilitator is not called a group member.
    roles_in_cohort = {
        (cohort_id, user_id): role
        for cohort_id, user_id, role in session.exec(
            select(CohortMembership.cohort_id, CohortMembership.user_id, CohortMembership.role)
            .where(CohortMembership.user_id.in_(authors))
        )
    }
    account_roles = dict(session.exec(select(User.id, User.role).where(User.id.in_(authors))).all())
    # Leaving deletes the membership, so a role read from it would call a former facilitator a group member.
    left = set(session.exec(select(User.id).where(User.id.in_(authors)).where(User.deleted_at.is_not(None))))
    received_refs: dict[int, str] = {}

    def comment(c: Comment, share: Share) -> dict:
        if c.author_id == actor.id:
            author = ME
        elif c.author_id in left:
            author = FORMER_PARTICIPANT
        else:
            role = roles_in_cohort.get((share.cohort_id, c.author_id), account_roles.get(c.author_id))
            author = FACILITATOR if role == Role.FACILITATOR else GROUP_MEMBER
        if author != ME:
            received_refs[c.id] = f"c{len(received_refs) + 1}"
        return {
            "ref": received_refs.get(c.id),
            "author": author,
            "text": c.text,
            "created_at": _iso(c.created_at),
            "edited_at": _iso(c.edited_at),
        }

    result = [
        {
            "document": doc_refs.get(share.document_id),
            "audience": str(share.audience),
            "created_at": _iso(share.created_at),
            "withdrawn_at": _iso(share.withdrawn_at),
            "versions": [
                {
                    "number": v.number,
                    "document_version": v.document_version,
                    "title": v.title,
                    "fields": v.fields,
                    "logs": v.logs,
                    "shared_at": _iso(v.shared_at),
                    "comments": [comment(c, share) for c in comments[v.id]],
                }
                for v in versions[share.id]
            ],
        }
        for share in shares
    ]
    return result, received_refs


def _comments_written(session: Session, actor: User) -> list[dict]:
    """What the participant wrote on others' shares: their own text; the note was another person's, so it
    is named only as a group member's (no title, no text, no name)."""
    rows = session.exec(
        select(Comment)
        .join(SharedVersion, SharedVersion.id == Comment.shared_version_id)
        .join(Share, Share.id == SharedVersion.share_id)
        .where(Comment.author_id == actor.id)
        .where(Share.owner_id != actor.id)
        .order_by(Comment.id)
    ).all()
    return [
        {"on": GROUP_MEMBER, "text": c.text, "created_at": _iso(c.created_at), "edited_at": _iso(c.edited_at)}
        for c in rows
    ]


def _choices(choices: list, doc_refs: dict[int, str], received_refs: dict[int, str]) -> list[dict]:
    """Stored choices ("d12", "c7") in the export's names; anything no longer there is left out."""
    result = []
    for choice in choices or []:
        key = choice.get("key") if isinstance(choice, dict) else None
        if not isinstance(key, str) or not key[1:].isdigit():
            continue
        number = int(key[1:])
        ref = doc_refs.get(number) if key[0] == "d" else received_refs.get(number) if key[0] == "c" else None
        if ref is not None:
            result.append({"item": ref, "on": bool(choice.get("on", True))})
    return result


def _exam(session: Session, actor: User, doc_refs: dict[int, str], received_refs: dict[int, str]) -> dict:
    individual = session.exec(select(ExamDraft).where(ExamDraft.owner_id == actor.id)).first()
    contributions = {
        c.draft_id: c for c in session.exec(select(ExamContribution).where(ExamContribution.user_id == actor.id))
    }
    group_choices = [
        _choices(c.choices, doc_refs, received_refs)
        for draft_id, c in sorted(contributions.items())
        if individual is None or draft_id != individual.id
    ]
    settings = None
    if individual is not None:
        own = contributions.get(individual.id)
        settings = {
            "title": individual.title,
            "problem_statement": individual.problem_statement,
            "include_prompts": individual.include_prompts,
            "word_limit": individual.word_limit,
            "use_name_replacements": individual.use_name_replacements,
            "updated_at": _iso(individual.updated_at),
            "choices": _choices(own.choices if own else [], doc_refs, received_refs),
        }
    return {"individual": settings, "group_choices": group_choices[0] if group_choices else None}


# --- the readable archive ------------------------------------------------------------------------------

_STYLE = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;line-height:1.55;margin:0;"
    "color:#1b1b1b;background:#fff}main{max-width:46rem;margin:0 auto;padding:1rem}"
    "h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin:1.6rem 0 .4rem}"
    "h3{font-size:1rem;margin:1rem 0 .3rem}.text{white-space:pre-wrap;overflow-wrap:anywhere}"
    ".meta{color:#555;font-size:.9rem}.bin{background:#fff3cd;padding:.4rem .6rem;border-radius:4px}"
    "table{border-collapse:collapse;width:100%}td,th{text-align:left;vertical-align:top;padding:.3rem;"
    "border-bottom:1px solid #ddd;overflow-wrap:anywhere}details{margin:.6rem 0}a{color:#1d4e89}"
    "blockquote{margin:.4rem 0;padding-left:.8rem;border-left:3px solid #ccc}"
)


def _shown(text: str) -> str:
    """User text for a page: escaped, a lone surrogate (which no file can encode) shown as U+FFFD."""
    return escape(_SURROGATE.sub("\ufffd", text or ""))


def _page(title: str, body: str, lang: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # Nothing on these pages may reach the network, whatever the text holds.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{_shown(title)}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    ).encode()


class _Archive:
    """The HTML pages, from the export's data (so that what is read is what the JSON holds)."""

    def __init__(self, data: dict, lang: str) -> None:
        self.data = data
        self.lang = lang
        self.documents = data["documents"]
        self.by_ref = {d["ref"]: d for d in self.documents}
        self.logs = defaultdict(list)
        for d in self.documents:
            if d["kind"] == DocumentKind.LOG and d["parent"]:
                self.logs[d["parent"]].append(d)
        self.shares = defaultdict(list)
        for share in data["shares"]:
            if share["document"]:
                self.shares[share["document"]].append(share)
        self.references = {r["ref"]: r for r in data["references"]}
        works = [bib.Work(r["ref"], r["kind"], r["data"]) for r in data["references"]]
        self.formatted = {key: bib.plain(spans) for key, spans in bib.bibliography_by_key(works, lang).items()} \
            if works else {}

    def tr(self, key: str, **params) -> str:
        return t(key, self.lang, **params)

    def file_of(self, d: dict) -> str:
        if d["kind"] == DocumentKind.CHALLENGE:
            return f"utfordring-{d['ref'][1:]}{HTML_SUFFIX}"
        prefix = "aksjon" if d["kind"] == DocumentKind.ACTION else "notat"
        return f"{prefix}-{d['ref'][1:]}{HTML_SUFFIX}"

    def title_of(self, d: dict) -> str:
        return _title_of(d, self.lang)

    def when(self, stamp: str | None) -> str:
        return format_datetime(datetime.fromisoformat(stamp), self.lang) if stamp else ""

    def fields_html(self, template: str, fields: dict) -> str:
        known = TEMPLATES[template].all_fields if template in TEMPLATES else ()
        order = [k for k in known if k in fields and k != TITLE] + sorted(k for k in fields if k not in known)
        parts = []
        for key in order:
            label = self.tr(f"tpl.{template}.{key}") if key not in (TITLE, "free_text") else self.tr(f"tpl.field.{key}")
            parts.append(f"<h3>{escape(label)}</h3><div class=\"text\">{_shown(fields[key])}</div>")
        return "".join(parts)

    def gathering_label(self, number: int | None) -> str:
        return self.tr("gathering.label", number=number) if number is not None else ""

    def meta(self, d: dict) -> str:
        bits = [self.tr(f"tpl.{d['template']}.name")]
        if d["gathering"] is not None:
            bits.append(self.gathering_label(d["gathering"]))
        if d["happened_on"]:
            bits.append(format_date(date.fromisoformat(d["happened_on"]), self.lang))
        if d["status"]:
            bits.append(self.tr(f"journal.status.{d['status']}"))
        bits.append(self.tr("my_data.archive.updated", when=self.when(d["updated_at"])))
        return " · ".join(escape(b) for b in bits)

    def bin_notice(self, d: dict) -> str:
        if not d["in_bin"]:
            return ""
        return f'<p class="bin">{escape(self.tr("my_data.archive.in_bin", when=self.when(d["deleted_at"])))}</p>'

    def history(self, d: dict) -> str:
        earlier = [r for r in d["revisions"] if r["version"] != d["version"]]
        if not earlier:
            return ""
        parts = [f"<h2>{escape(self.tr('my_data.archive.history'))}</h2>"]
        for r in reversed(earlier):
            summary = self.tr("my_data.archive.version", version=r["version"], when=self.when(r["saved_at"]))
            title = r["fields"].get(TITLE)
            heading = f"<h3>{_shown(title)}</h3>" if title else ""
            parts.append(f"<details><summary>{escape(summary)}</summary>{heading}"
                         f"{self.fields_html(r['template'], r['fields'])}</details>")
        return "".join(parts)

    def unsaved(self, d: dict) -> str:
        if not d["unsaved"]:
            return ""
        parts = [f"<h2>{escape(self.tr('my_data.archive.unsaved'))}</h2>"]
        fields = {u["field"]: u["text"] for u in d["unsaved"]}
        parts.append(self.fields_html(d["template"], {k: v for k, v in fields.items() if k != TITLE}))
        if TITLE in fields:
            parts.insert(1, f"<h3>{escape(self.tr('tpl.field.title'))}</h3><div class=\"text\">"
                            f"{_shown(fields[TITLE])}</div>")
        return "".join(parts)

    def comments(self, d: dict) -> str:
        parts = []
        for share in self.shares.get(d["ref"], []):
            audience = self.tr(f"share.audience.{share['audience']}")
            for v in share["versions"]:
                if not v["comments"]:
                    continue
                label = self.tr("my_data.archive.shared_version", audience=audience, number=v["number"],
                                when=self.when(v["shared_at"]))
                parts.append(f"<h3>{escape(label)}</h3>")
                for c in v["comments"]:
                    who = self.tr(f"my_data.author.{c['author']}")
                    parts.append(f'<blockquote><p class="meta">{escape(who)} · {escape(self.when(c["created_at"]))}'
                                 f'</p><div class="text">{_shown(c["text"])}</div></blockquote>')
        if not parts:
            return ""
        return f"<h2>{escape(self.tr('my_data.archive.comments'))}</h2>" + "".join(parts)

    def links(self, d: dict) -> str:
        parts = []
        if d["actions"]:
            items = "".join(
                f'<li><a href="{self.file_of(self.by_ref[a])}">{_shown(self.title_of(self.by_ref[a]))}</a></li>'
                for a in d["actions"] if a in self.by_ref
            )
            parts.append(f"<h2>{escape(self.tr('my_data.archive.actions'))}</h2><ul>{items}</ul>")
        if d["themes"]:
            items = "".join(f"<li>{_shown(name)}</li>" for name in d["themes"])
            parts.append(f"<h2>{escape(self.tr('my_data.archive.themes'))}</h2><ul>{items}</ul>")
        if d["citations"]:
            items = "".join(
                f"<li>{_shown(self.formatted.get(c['reference'], ''))}"
                + (f" ({_shown(self.tr('my_data.archive.pages', pages=c['pages']))})" if c["pages"] else "")
                + "</li>"
                for c in d["citations"]
            )
            parts.append(f"<h2>{escape(self.tr('my_data.archive.sources'))}</h2><ul>{items}</ul>")
        return "".join(parts)

    def document_page(self, d: dict) -> bytes:
        title = self.title_of(d)
        body = [
            f'<p><a href="index{HTML_SUFFIX}">{escape(self.tr("my_data.archive.back"))}</a></p>',
            f"<h1>{_shown(title)}</h1>",
            f'<p class="meta">{self.meta(d)}</p>',
            self.bin_notice(d),
            self.fields_html(d["template"], d["fields"]),
            self.unsaved(d),
        ]
        for log in sorted(self.logs.get(d["ref"], []), key=lambda x: (x["happened_on"] or "", _ref_number(x["ref"]))):
            body.append(f"<h2>{_shown(self.title_of(log))}</h2><p class=\"meta\">{self.meta(log)}</p>"
                        f"{self.bin_notice(log)}{self.fields_html(log['template'], log['fields'])}{self.unsaved(log)}"
                        f"{self.history(log)}")
        body += [self.links(d), self.comments(d), self.history(d)]
        return _page(title, "".join(body), self.lang)

    def index(self) -> bytes:
        profile = self.data["profile"]
        heading = self.tr("my_data.archive.title", name=profile["display_name"])
        exported = self.tr("my_data.archive.exported", when=self.when(self.data["exported_at"]))
        body = [f"<h1>{_shown(heading)}</h1>", f'<p class="meta">{escape(exported)}</p>']
        sections = [
            ("my_data.archive.challenge", [DocumentKind.CHALLENGE]),
            ("my_data.archive.actions", [DocumentKind.ACTION]),
            ("my_data.archive.notes", [DocumentKind.NOTE]),
        ]
        for key, kinds in sections:
            rows = [d for d in self.documents if d["kind"] in kinds]
            if not rows:
                continue
            body.append(f"<h2>{escape(self.tr(key))}</h2><table>")
            for d in rows:
                flag = f" · {escape(self.tr('my_data.archive.bin_flag'))}" if d["in_bin"] else ""
                logs = len(self.logs.get(d["ref"], []))
                count = f" · {escape(self.tr('my_data.archive.log_count', count=logs))}" if logs else ""
                body.append(f'<tr><td><a href="{self.file_of(d)}">{_shown(self.title_of(d))}</a></td>'
                            f'<td class="meta">{self.meta(d)}{count}{flag}</td></tr>')
            body.append("</table>")
        if self.data["comments_written"]:
            body.append(f"<h2>{escape(self.tr('my_data.archive.comments_written'))}</h2>")
            for c in self.data["comments_written"]:
                body.append(f'<blockquote><p class="meta">{escape(self.tr("my_data.archive.on_group_member"))} · '
                            f'{escape(self.when(c["created_at"]))}</p><div class="text">{_shown(c["text"])}</div>'
                            "</blockquote>")
        if self.formatted:
            body.append(f"<h2>{escape(self.tr('my_data.archive.references'))}</h2><ul>")
            body += [f"<li>{_shown(text)}</li>" for text in self.formatted.values()]
            body.append("</ul>")
        return _page(heading, "".join(body), self.lang)

    def pages(self) -> list[tuple[str, bytes]]:
        pages = [(f"{ARCHIVE_DIR}/index{HTML_SUFFIX}", self.index())]
        for d in self.documents:
            if d["kind"] != DocumentKind.LOG:
                pages.append((f"{ARCHIVE_DIR}/{self.file_of(d)}", self.document_page(d)))
        return pages


# --- the tables --------------------------------------------------------------------------------------------


def _title_of(d: dict, lang: str) -> str:
    """The document's title, or its template's name and date when it has none (as the exam draft does)."""
    title = " ".join((d["fields"].get(TITLE) or "").split())
    if title:
        return title
    when = date.fromisoformat((d["happened_on"] or d["created_at"])[:10])
    return f"{t('tpl.' + d['template'] + '.name', lang)}, {format_date(when, lang)}"


def _field_label(key: str, kind: DocumentKind, lang: str) -> str:
    """A column's heading: the field's words in the first template of this kind that asks for it."""
    if key == "free_text":
        return t("tpl.field.free_text", lang)
    for code, template in TEMPLATES.items():
        if template.kind == kind and key in template.fields:
            return t(f"tpl.{code}.{key}", lang)
    return key


def _table_rows(data: dict, lang: str, kind: DocumentKind) -> list[list]:
    documents = [d for d in data["documents"] if d["kind"] == kind]
    titles = {d["ref"]: _title_of(d, lang) for d in data["documents"]}
    field_keys = sorted({k for d in documents for k in d["fields"] if k != TITLE})

    def tr(key, **params):
        return t(key, lang, **params)

    head = [tr("my_data.column.id"), tr("my_data.column.title"), tr("my_data.column.template"),
            tr("my_data.column.gathering")]
    if kind == DocumentKind.ACTION:
        head += [tr("my_data.column.date"), tr("my_data.column.status"), tr("my_data.column.logs")]
    else:
        head += [tr("my_data.column.actions"), tr("my_data.column.themes")]
    head += [tr("my_data.column.created"), tr("my_data.column.updated"), tr("my_data.column.words"),
             tr("my_data.column.in_bin")]
    head += [_field_label(k, kind, lang) for k in field_keys]
    logs = defaultdict(int)
    for d in data["documents"]:
        if d["kind"] == DocumentKind.LOG and d["parent"]:
            logs[d["parent"]] += 1
    rows = [head]
    for d in documents:
        row = [d["ref"], titles[d["ref"]], d["template"], d["gathering"] if d["gathering"] is not None else ""]
        if kind == DocumentKind.ACTION:
            row += [d["happened_on"] or "", tr(f"journal.status.{d['status']}") if d["status"] else "", logs[d["ref"]]]
        else:
            row += ["; ".join(titles[a] for a in d["actions"] if a in titles), "; ".join(d["themes"])]
        words = d["revisions"][-1]["word_count"] if d["revisions"] else 0
        row += [_local(d["created_at"]), _local(d["updated_at"]), words, tr("my_data.yes") if d["in_bin"] else ""]
        row += [d["fields"].get(k, "") for k in field_keys]
        rows.append(row)
    return rows


def _local(stamp: str) -> str:
    return datetime.fromisoformat(stamp).astimezone(OSLO).strftime("%Y-%m-%d %H:%M")


def _csv_text(text: str) -> str:
    """A spreadsheet opening the CSV takes text starting with = + - @ (or a tab or CR before them) as a
    formula, which can fetch from other hosts or run programs; a leading apostrophe is its sign for "text"."""
    text = _SURROGATE.sub("\ufffd", text)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def _csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_csv_text(v) if isinstance(v, str) else v for v in row])
    # With a byte-order mark, Excel reads the file as UTF-8.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _xlsx(sheets: list[tuple[str, list[list]]]) -> bytes:
    book = Workbook(write_only=True)
    for name, rows in sheets:
        sheet = book.create_sheet(name[:31])
        for row in rows:
            cells = []
            for value in row:
                if isinstance(value, str):
                    cell = WriteOnlyCell(sheet, value=_NOT_IN_XLSX.sub("\ufffd", value)[:32_767])
                    # Text that starts with "=" stays text: a note is never a formula.
                    cell.data_type = "s"
                else:
                    cell = WriteOnlyCell(sheet, value=value)
                cells.append(cell)
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the zip -------------------------------------------------------------------------------------------------


def build_export(
    actor: User,
    *,
    session: Session,
    lang: str | None = None,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> ExportFile:
    """The zip for Last ned alt mitt. `progress` is told each step (STEPS) as it starts."""
    permissions.ensure_participant(actor)
    lang = language_or_default(lang or actor.language)
    now = now or utcnow()

    def step(name: str) -> None:
        if progress is not None:
            progress(name)

    step("collect")
    data = collect(actor, session=session, now=now)
    step("archive")
    pages = _Archive(data, lang).pages()
    step("tables")
    actions = _table_rows(data, lang, DocumentKind.ACTION)
    notes = _table_rows(data, lang, DocumentKind.NOTE)
    tables = [
        (ACTIONS_TABLE + CSV_SUFFIX, _csv(actions)),
        (NOTES_TABLE + CSV_SUFFIX, _csv(notes)),
        (WORKBOOK + XLSX_SUFFIX, _xlsx([(t("my_data.archive.actions", lang), actions),
                                        (t("my_data.archive.notes", lang), notes)])),
    ]
    step("pack")
    out = io.BytesIO()
    stamp = now.astimezone(OSLO)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        # ensure_ascii: every character, a lone surrogate too, written as plain ASCII JSON that any reader takes.
        payload = json.dumps(data, ensure_ascii=True, indent=1, sort_keys=False).encode("ascii")
        for name, content in [(JSON_NAME, payload), *tables, *pages]:
            info = zipfile.ZipInfo(name, date_time=stamp.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    filename = f"ledpro-{actor.username}-{stamp.date().isoformat()}.zip"
    audit.record(session, actor=actor, kind="export.downloaded", subject=actor, count=len(data["documents"]))
    return ExportFile(out.getvalue(), filename)
