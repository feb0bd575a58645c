"""A participant's year for the export and import tests, made through the real services: the challenge
(two versions), an action with two log entries, notes with versions, links, themes and citations (their
own reference and one from the reading list), a note in the bin, unsaved text, a share with two versions
and comments from a group member, a facilitator and the owner, a comment the owner wrote on a group
member's share, the exam draft's settings and choices, and name replacements."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from ledpro_journal.models import ActionStatus, Audience, DocumentKind, Role, Theme, User
from ledpro_journal.services import exam, journal, literature, name_replacements, programme, sharing
from ledpro_journal.services.data_export import JSON_NAME
from ledpro_journal.services.journal import Links
from tests.helpers import make_admin, make_cohort, make_member

BION = {"authors": [{"family": "Bion", "given": "Wilfred R."}], "year": "1961",
        "title": "Experiences in groups and other papers", "publisher": "Tavistock"}
SCHEIN = {"authors": [{"family": "Schein", "given": "Edgar H."}], "year": "2010",
          "title": "Organizational culture and leadership", "publisher": "Jossey-Bass"}
# What the others write: none of it may reach the owner's export except the comments written to the owner.
OTHERS_PRIVATE = "Sirisprivatehemmelighet"
OTHERS_SHARED_TITLE = "Siris delte tittelord"
OTHERS_SHARED_TEXT = "Siris delte tekstord"
OTHERS_NAME_REPLACEMENT = "Sirisnavneliste"
FROM_GROUP_MEMBER = "Gruppemedlemmets kommentarord"
FROM_FACILITATOR = "Faglærerens kommentarord"
KARIS_OWN_COMMENT = "Eierens svar i egen tråd"
KARIS_COMMENT_ON_SIRI = "Eierens kommentarord hos gruppemedlemmet"


@dataclass
class People:
    admin: User
    cohort_id: int
    kari: User
    siri: User
    frode: User


def people(session: Session, *, cohort_name: str = "LEDPRO 2024") -> People:
    admin = make_admin(session)
    cohort = make_cohort(session, admin, cohort_name)
    group = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe Nord")
    session.commit()
    kari = make_member(session, admin, cohort.id, "kari", name="Kari Nordmann", group_id=group.id)
    siri = make_member(session, admin, cohort.id, "siri", name="Siri Samme", group_id=group.id)
    frode = make_member(session, admin, cohort.id, "frode", name="Frode Faglærer", role=Role.FACILITATOR)
    return People(admin, cohort.id, kari, siri, frode)


def fresh_participant(session: Session) -> User:
    """Another installation with the same programme, reading list and group, and Kari's empty account there."""
    admin = make_admin(session)
    cohort = make_cohort(session, admin)
    group = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe Nord")
    literature.add_reference(_facilitator(session, admin, cohort.id), session=session, kind="book", data=SCHEIN,
                             reading_list_of=cohort.id)
    session.commit()
    return make_member(session, admin, cohort.id, "kari", name="Kari Nordmann", group_id=group.id)


def _facilitator(session: Session, admin: User, cohort_id: int) -> User:
    return make_member(session, admin, cohort_id, "frode", name="Frode Faglærer", role=Role.FACILITATOR)


def _save(session, user, kind, fields, **options):
    parent_id = options.pop("parent_id", None)
    document = journal.create_document(user, session=session, kind=kind, parent_id=parent_id,
                                       gathering_id=options.get("gathering_id"))
    journal.save_document(user, session=session, document_id=document.id, base_version=document.version,
                          fields=fields, **options)
    return document


def year(session: Session, world: People, *, texts: dict[str, str] | None = None) -> dict[str, int]:
    """Kari's year (and a little of Siri's). `texts` replaces the note's text fields, for hostile text."""
    kari, siri, frode = world.kari, world.siri, world.frode
    themes = session.exec(select(Theme).where(Theme.cohort_id == world.cohort_id).order_by(Theme.position)).all()
    gatherings = programme.list_gatherings(world.admin, session=session, cohort_id=world.cohort_id)
    g1, g2 = gatherings[0].id, gatherings[1].id
    reading = literature.add_reference(frode, session=session, kind="book", data=SCHEIN,
                                       reading_list_of=world.cohort_id)
    own = literature.add_reference(kari, session=session, kind="book", data=BION)

    challenge = journal.my_challenge(kari, session=session)
    journal.save_document(kari, session=session, document_id=challenge.id, base_version=0,
                          fields={"title": "Møtekultur", "context": "Første tanke"})
    journal.save_document(kari, session=session, document_id=challenge.id, base_version=1,
                          fields={"context": "Andre tanke\nmed linjeskift", "problem_statement": "Hvordan?"})
    action = _save(session, kari, DocumentKind.ACTION, {"title": "Stille start", "purpose": "Mer ro"},
                   gathering_id=g2, happened_on=date(2024, 10, 1), status=ActionStatus.PLANNED)
    log1 = _save(session, kari, DocumentKind.LOG, {"observations": "Det ble stille."}, parent_id=action.id,
                 happened_on=date(2024, 10, 2), status=ActionStatus.IN_PROGRESS)
    _save(session, kari, DocumentKind.LOG, {"feelings": "Uro"}, parent_id=action.id,
          happened_on=date(2024, 10, 9), status=ActionStatus.DONE)
    note_fields = {"title": "Stillheten", "description": "Gruppa var taus.", "analysis": "Bion sier noe."}
    if texts:
        note_fields = {"title": texts.get("title", "Stillheten"),
                       **{k: v for k, v in texts.items() if k != "title"}}
    note = _save(session, kari, DocumentKind.NOTE, {"title": "Første utkast"}, gathering_id=g1)
    journal.save_document(kari, session=session, document_id=note.id, base_version=1, fields=note_fields,
                          gathering_id=g1, links=Links(action_ids=(action.id,), theme_ids=(themes[0].id, themes[2].id)))
    literature.set_citations(kari, session=session, note_id=note.id, cited=[(own.id, "45"), (reading.id, "")])
    binned = _save(session, kari, DocumentKind.NOTE, {"title": "Kastet", "free_text": "Skal bort"}, template="G")
    journal.delete_document(kari, session=session, document_id=binned.id)
    unsaved = _save(session, kari, DocumentKind.NOTE, {"title": "Halvferdig"})
    journal.save_draft(kari, session=session, document_id=unsaved.id, field="description", text="Ikke lagret ennå",
                       base_version=1)
    name_replacements.add_replacement(kari, session=session, name="Per", replacement="leder A")
    session.commit()

    first = sharing.share_document(kari, session=session, document_id=note.id, audience=Audience.GROUP)
    journal.save_document(kari, session=session, document_id=note.id, base_version=2,
                          fields={"conclusion": "Jeg venter."}, gathering_id=g1,
                          links=Links(action_ids=(action.id,), theme_ids=(themes[0].id, themes[2].id)))
    second = sharing.share_document(kari, session=session, document_id=note.id, audience=Audience.GROUP)
    session.commit()
    sharing.add_comment(siri, session=session, shared_version_id=first.id, text=FROM_GROUP_MEMBER)
    sharing.add_comment(frode, session=session, shared_version_id=second.id, text=FROM_FACILITATOR)
    sharing.add_comment(kari, session=session, shared_version_id=second.id, text=KARIS_OWN_COMMENT)

    # Siri's own: a private note, a shared note Kari comments on, her own name list.
    _save(session, siri, DocumentKind.NOTE, {"title": OTHERS_PRIVATE, "description": OTHERS_PRIVATE})
    siris = _save(session, siri, DocumentKind.NOTE, {"title": OTHERS_SHARED_TITLE, "description": OTHERS_SHARED_TEXT})
    name_replacements.add_replacement(siri, session=session, name=OTHERS_NAME_REPLACEMENT, replacement="x")
    session.commit()
    shared = sharing.share_document(siri, session=session, document_id=siris.id, audience=Audience.GROUP)
    session.commit()
    sharing.add_comment(kari, session=session, shared_version_id=shared.id, text=KARIS_COMMENT_ON_SIRI)

    draft = exam.open_draft(kari, session=session)
    exam.update_settings(kari, session=session, draft_id=draft.id, title="Min eksamen", problem_statement="Hva nå?",
                         include_prompts=False, word_limit=5000)
    items = exam.my_material(kari, session=session, draft_id=draft.id)
    exam.save_choices(kari, session=session, draft_id=draft.id,
                      choices=[(item.ref, index % 2 == 0) for index, item in enumerate(reversed(items))])
    session.commit()
    return {"note": note.id, "action": action.id, "log": log1.id, "challenge": challenge.id, "binned": binned.id}


def unpack(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def export_json(content: bytes) -> dict:
    return json.loads(unpack(content)[JSON_NAME])


def zip_of(members: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()
