"""The privacy matrix, extended to Last ned alt mitt: an export holds what its participant wrote and what
was written to them, and nothing else. Nothing another person wrote privately (notes, name lists,
references), nothing of a group member's shared note (the owner's comment on it names it only as a group
member's), no one's name; comments received are there by role. Searched in every file of the zip: the
JSON, the archive's pages, the CSV files and the workbook."""

from __future__ import annotations

import html
import io
import json

import jsonschema
import openpyxl
import pytest
from sqlmodel import select

from ledpro_journal.i18n import t
from ledpro_journal.models import Audience, CohortMembership, DocumentKind, Role
from ledpro_journal.services import data_export, journal, leaving, literature, programme, sharing
from ledpro_journal.services.errors import NotAllowed
from tests.helpers import make_member
from tests.services import my_data_world as w
from tests.services import test_privacy_matrix as m
from tests.services.test_data_export import SCHEMA

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


def comment_authors(data: dict) -> dict[str, str]:
    """Each received comment's text, with the author the export names."""
    return {c["text"]: c["author"] for s in data["shares"] for v in s["versions"] for c in v["comments"]}


def test_a_comment_by_a_facilitator_who_left_is_from_a_former_participant(session, world):
    """Leaving deletes the membership the role was read from: the comment stays, named as the screens name
    it ("tidligere deltaker"), never as a group member's and never by name."""
    leaving.delete_account(world.frode, session, "frode")
    session.commit()
    content = data_export.build_export(world.kari, session=session, lang="nb").content
    data = w.export_json(content)
    authors = comment_authors(data)
    assert authors[w.FROM_FACILITATOR] == "former_participant"
    assert authors[w.FROM_GROUP_MEMBER] == "group_member"
    assert w.FROM_FACILITATOR in every_text(content)
    assert _shown_as(content, w.FROM_FACILITATOR) == t("my_data.author.former_participant", "nb")
    assert _shown_as(content, w.FROM_GROUP_MEMBER) == t("my_data.author.group_member", "nb")
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())


def test_a_comment_by_a_facilitator_removed_from_the_cohort_is_still_a_facilitators(session, world):
    """Removing a facilitator from the cohort deletes the membership but not the account: the role is then
    the account's, never a group member's."""
    [membership] = session.exec(select(CohortMembership).where(CohortMembership.user_id == world.frode.id)
                                .where(CohortMembership.role == Role.FACILITATOR)).all()
    programme.remove_from_cohort(world.admin, session=session, membership_id=membership.id)
    session.commit()
    content = data_export.build_export(world.kari, session=session, lang="nb").content
    data = w.export_json(content)
    authors = comment_authors(data)
    assert authors[w.FROM_FACILITATOR] == "facilitator"
    assert authors[w.FROM_GROUP_MEMBER] == "group_member"
    assert _shown_as(content, w.FROM_FACILITATOR) == t("my_data.author.facilitator", "nb")
    jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())


# --- the privacy matrix's world (tests/services/test_privacy_matrix.py), asked for everyone's export --------


@pytest.fixture
def matrix(session) -> m.World:
    return m.build_world(session)


OTHERS_NAMES = ("Eva Eier", "Siri Samme", "Arne Annen", "Frida Fag", "Finn Fag", "Dina Delt", "Ivar Inaktiv",
                "Ada Admin", "fagla", "faglb", "deltb", "inaktiv")


@pytest.mark.parametrize("who", [m.SAME_GROUP, m.OTHER_GROUP, m.PARTICIPANT_B])
def test_no_one_elses_export_holds_the_owners_private_or_shared_text(session, matrix, who):
    """The owner's note kept private, shared with the group, shared with the facilitators only and withdrawn:
    none of it in the export of a group member, someone in another group or someone in another cohort."""
    actor = matrix.users[who]
    content = data_export.build_export(actor, session=session, lang="nb").content
    text = every_text(content)
    for state in m.STATES:
        assert m.SECRETS[state] not in text, (who, state)
    assert m.COMMENTS[m.FACILITATORS] not in text
    names = [n for n in OTHERS_NAMES if n != actor.display_name and n != actor.username]
    for name in names:
        assert name not in text, (who, name)
    data = w.export_json(content)
    if who == m.SAME_GROUP:
        # What the group member wrote on the owner's notes is theirs: their text, on "a group member's" note.
        assert sorted(c["text"] for c in data["comments_written"]) == sorted([m.COMMENTS[m.GROUP],
                                                                             m.COMMENTS[m.WITHDRAWN]])
        assert {c["on"] for c in data["comments_written"]} == {"group_member"}
        assert "På et notat fra et gruppemedlem" in text
    else:
        assert data["comments_written"] == []
        assert m.COMMENTS[m.GROUP] not in text and m.COMMENTS[m.WITHDRAWN] not in text
    if who == m.OTHER_GROUP:
        assert "Nabotekst" in text  # their own note is there: the matrix would notice an empty export


def test_the_owners_export_names_the_commenters_only_by_role(session, matrix):
    owner = matrix.users[m.OWNER]
    content = data_export.build_export(owner, session=session, lang="nb").content
    text = every_text(content)
    for state in m.STATES:
        assert m.SECRETS[state] in text, state
    for name in OTHERS_NAMES[1:]:
        assert name not in text, name
    data = w.export_json(content)
    authors = comment_authors(data)
    assert authors == {m.COMMENTS[m.GROUP]: "group_member", m.COMMENTS[m.FACILITATORS]: "facilitator",
                       m.COMMENTS[m.WITHDRAWN]: "group_member"}
    assert "Arnes notat" not in text and "Nabotekst" not in text
    # In the archive, each under "Et gruppemedlem" (the facilitator's under "Faglærer").
    for comment, role in ((m.COMMENTS[m.GROUP], "group_member"), (m.COMMENTS[m.WITHDRAWN], "group_member"),
                          (m.COMMENTS[m.FACILITATORS], "facilitator")):
        assert _shown_as(content, comment) == t(f"my_data.author.{role}", "nb"), comment


def _shown_as(content: bytes, comment: str) -> str:
    """Who the archive says wrote a comment: the line above its text in its blockquote."""
    for name, raw in w.unpack(content).items():
        page = html.unescape(raw.decode("utf-8")) if name.startswith("arkiv/") else ""
        if comment in page:
            quote = page.split(comment)[0].rsplit("<blockquote>", 1)[-1]
            return quote.split('<p class="meta">', 1)[1].split(" · ", 1)[0]
    raise AssertionError(comment)
