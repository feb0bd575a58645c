"""The privacy matrix, extended to Last ned alt mitt: an export holds what its participant wrote and what
was written to them, and nothing else. Nothing another person wrote privately (notes, name lists,
references), nothing of a group member's shared note (the owner's comment on it names it only as a group
member's), no one's name; comments received are there by role. Searched in every file of the zip: the
JSON, the archive's pages, the CSV files and the workbook."""

from __future__ import annotations

import html
import io
import json

import openpyxl
import pytest

from ledpro_journal.models import Audience, DocumentKind
from ledpro_journal.services import data_export, journal, literature, sharing
from ledpro_journal.services.errors import NotAllowed
from tests.helpers import make_member
from tests.services import my_data_world as w

OTHERS_REFERENCE_TITLE = "Sirisegnebokstittel"
WITHDRAWN_TEXT = "Siristilbaketruktetekstord"
FACILITATOR_ON_SIRI = "Faglærerens ord til gruppemedlemmet"
OUTSIDER_TEXT = "Utenforståendesnotatord"


def every_text(content: bytes) -> str:
    """Everything a reader of the zip could find, as text: HTML unescaped, the workbook's cells."""
    parts = []
    for name, raw in w.unpack(content).items():
        if name.endswith(".json"):
            parts.append(json.dumps(json.loads(raw), ensure_ascii=False))
        elif name.endswith(".xlsx"):
            book = openpyxl.load_workbook(io.BytesIO(raw))
            parts += [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
        else:
            parts.append(html.unescape(raw.decode("utf-8-sig")))
    return "\n".join(parts)


@pytest.fixture
def world(session):
    world = w.people(session)
    w.year(session, world)
    siri, frode = world.siri, world.frode
    literature.add_reference(siri, session=session, kind="book", data={
        "authors": [{"family": "Hemmelig"}], "year": "2020", "title": OTHERS_REFERENCE_TITLE, "publisher": "X"})
    withdrawn = journal.create_document(siri, session=session, kind=DocumentKind.NOTE)
    journal.save_document(siri, session=session, document_id=withdrawn.id, base_version=0,
                          fields={"title": WITHDRAWN_TEXT, "description": WITHDRAWN_TEXT})
    session.commit()
    version = sharing.share_document(siri, session=session, document_id=withdrawn.id, audience=Audience.GROUP)
    session.commit()
    sharing.add_comment(world.kari, session=session, shared_version_id=version.id,
                        text="Eierens ord før tilbaketrekking")
    sharing.add_comment(frode, session=session, shared_version_id=version.id, text=FACILITATOR_ON_SIRI)
    sharing.withdraw_share(siri, session=session, share_id=version.share_id)
    outsider = make_member(session, world.admin, world.cohort_id, "utenfor", name="Ulla Utenfor")
    note = journal.create_document(outsider, session=session, kind=DocumentKind.NOTE)
    journal.save_document(outsider, session=session, document_id=note.id, base_version=0,
                          fields={"title": OUTSIDER_TEXT})
    session.commit()
    world.outsider = outsider
    return world


def test_the_owners_export_holds_nothing_another_person_wrote_privately(session, world):
    text = every_text(data_export.build_export(world.kari, session=session, lang="nb").content)
    for secret in (w.OTHERS_PRIVATE, w.OTHERS_SHARED_TITLE, w.OTHERS_SHARED_TEXT, w.OTHERS_NAME_REPLACEMENT,
                   OTHERS_REFERENCE_TITLE, WITHDRAWN_TEXT, FACILITATOR_ON_SIRI, OUTSIDER_TEXT):
        assert secret not in text, secret
    for name in ("Siri", "siri", "Frode", "frode", "Ulla", "utenfor", "Ada Admin"):
        assert name not in text, name
    # What was written to Kari, by role; what Kari wrote on others' notes, theirs named only so.
    assert w.FROM_GROUP_MEMBER in text and w.FROM_FACILITATOR in text and w.KARIS_OWN_COMMENT in text
    assert w.KARIS_COMMENT_ON_SIRI in text and "Eierens ord før tilbaketrekking" in text
    assert "På et notat fra et gruppemedlem" in text
    data = w.export_json(data_export.build_export(world.kari, session=session).content)
    assert {c["on"] for c in data["comments_written"]} == {"group_member"}
    assert set(data["comments_written"][0]) == {"on", "text", "created_at", "edited_at"}
    authors = [c["author"] for s in data["shares"] for v in s["versions"] for c in v["comments"]]
    assert sorted(authors) == ["facilitator", "group_member", "me"]
    # Kari's own: her private writing is in it (the matrix would notice an export of nothing).
    assert "Møtekultur" in text and "Kastet" in text and "Ikke lagret ennå" in text


def test_a_group_members_export_holds_nothing_of_the_owners_but_what_was_written_to_them(session, world):
    text = every_text(data_export.build_export(world.siri, session=session, lang="nb").content)
    for secret in ("Møtekultur", "Stillheten", "Gruppa var taus", "Kastet", "Ikke lagret ennå", "leder A",
                   w.FROM_FACILITATOR, w.KARIS_OWN_COMMENT, "Experiences in groups", OUTSIDER_TEXT):
        assert secret not in text, secret
    for name in ("Kari", "kari", "Frode", "Ulla"):
        assert name not in text, name
    # Kari's comments on Siri's notes were written to Siri: there, by role.
    assert w.KARIS_COMMENT_ON_SIRI in text and FACILITATOR_ON_SIRI in text
    assert w.OTHERS_PRIVATE in text and OTHERS_REFERENCE_TITLE in text


def test_a_cited_reading_list_entry_is_in_it_but_not_the_rest_of_the_list(session, world):
    frode = world.frode
    literature.add_reference(frode, session=session, kind="book", reading_list_of=world.cohort_id, data={
        "authors": [{"family": "Ukjent"}], "year": "2001", "title": "Uncited reading", "publisher": "Y"})
    session.commit()
    data = w.export_json(data_export.build_export(world.kari, session=session).content)
    titles = {r["data"]["title"]: r["list"] for r in data["references"]}
    assert titles == {"Organizational culture and leadership": "reading_list",
                      "Experiences in groups and other papers": "own"}


@pytest.mark.parametrize("who", ["admin", "facilitator", "nobody", "inactive"])
def test_no_one_but_a_participant_exports_a_journal(session, world, who):
    actor = {"admin": world.admin, "facilitator": world.frode, "nobody": None, "inactive": world.outsider}[who]
    if who == "inactive":
        actor.is_active = False
    with pytest.raises(NotAllowed):
        data_export.build_export(actor, session=session)
