"""The product's promise: what a participant writes is theirs alone. Every reading and writing function of
the journal is asked by every kind of other account; only the owner gets anything, nobody else ever
sees a word of the text, and nobody else can change it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import select

from ledpro_journal.models import Document, DocumentKind, DocumentRevision, Draft, NoteAction, NoteTheme, Role, User
from ledpro_journal.services import accounts, journal, programme
from ledpro_journal.services.errors import Invalid, NotAllowed, NotFound
from ledpro_journal.services.journal import Filters, Links
from tests.helpers import make_admin, make_cohort, make_member

SECRET = "Hemmelighetskaffekoppen"  # a word that appears only in the owner's writing
OTHERS_WORD = "Naboteksten"


@dataclass
class World:
    admin: User
    owner: User
    peer: User  # same cohort, same reflection group
    outsider: User  # a participant of another cohort
    facilitator: User
    challenge_id: int
    action_id: int
    log_id: int
    note_id: int
    binned_id: int
    theme_id: int

    @property
    def owner_ids(self) -> set[int]:
        return {self.challenge_id, self.action_id, self.log_id, self.note_id, self.binned_id}

    def version(self, session, document_id: int) -> int:
        return session.get(Document, document_id).version


def _write(session, who, kind, fields, **kwargs) -> Document:
    create_args = {k: kwargs.pop(k) for k in ("parent_id", "gathering_id", "template") if k in kwargs}
    if kind == DocumentKind.LOG:
        create_args.pop("gathering_id", None)
    if kind == DocumentKind.CHALLENGE:
        document = journal.my_challenge(who, session=session)
    else:
        document = journal.create_document(who, session=session, kind=kind, **create_args)
    if "gathering_id" in create_args:
        kwargs["gathering_id"] = create_args["gathering_id"]
    journal.save_document(who, session=session, document_id=document.id, base_version=document.version,
                          fields=fields, **kwargs)
    session.commit()
    return document


@pytest.fixture
def world(session) -> World:
    admin = make_admin(session)
    cohort = make_cohort(session, admin)
    other_cohort = make_cohort(session, admin, "LEDPRO 2025")
    group = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 1")
    session.commit()
    owner = make_member(session, admin, cohort.id, "kari", group_id=group.id)
    peer = make_member(session, admin, cohort.id, "ola", group_id=group.id)
    outsider = make_member(session, admin, other_cohort.id, "per")
    facilitator = make_member(session, admin, cohort.id, "fagrid", role=Role.FACILITATOR)
    gathering = programme.list_gatherings(admin, session=session, cohort_id=cohort.id)[1]
    theme = programme.list_themes(admin, session=session, cohort_id=cohort.id)[0]

    challenge = _write(session, owner, DocumentKind.CHALLENGE, {"title": f"Utfordring {SECRET}", "context": SECRET})
    action = _write(session, owner, DocumentKind.ACTION, {"title": f"Aksjon {SECRET}", "purpose": SECRET},
                    gathering_id=gathering.id, happened_on=date(2024, 4, 20))
    log = _write(session, owner, DocumentKind.LOG, {"planned_vs_done": f"Logg {SECRET}"}, parent_id=action.id)
    note = _write(session, owner, DocumentKind.NOTE, {"title": f"Notat {SECRET}", "description": SECRET},
                  gathering_id=gathering.id, links=Links(action_ids=(action.id,), theme_ids=(theme.id,)))
    journal.save_draft(owner, session=session, document_id=note.id, field="feelings", text=f"Utkast {SECRET}",
                       base_version=1)
    binned = _write(session, owner, DocumentKind.NOTE, {"title": f"Slettet {SECRET}", "description": SECRET})
    journal.delete_document(owner, session=session, document_id=binned.id)
    session.commit()

    # The others have writing of their own, so that their lists are not trivially empty.
    for who in (peer, outsider):
        _write(session, who, DocumentKind.CHALLENGE, {"context": OTHERS_WORD})
        theirs = _write(session, who, DocumentKind.ACTION, {"title": OTHERS_WORD})
        _write(session, who, DocumentKind.NOTE, {"description": OTHERS_WORD}, links=Links(action_ids=(theirs.id,)))
        gone = _write(session, who, DocumentKind.NOTE, {"description": OTHERS_WORD})
        journal.delete_document(who, session=session, document_id=gone.id)
        session.commit()

    return World(admin=admin, owner=owner, peer=peer, outsider=outsider, facilitator=facilitator,
                 challenge_id=challenge.id, action_id=action.id, log_id=log.id, note_id=note.id,
                 binned_id=binned.id, theme_id=theme.id)


ACTORS = ["owner", "peer_same_group", "other_cohort", "facilitator", "admin", "inactive_owner", "nobody"]
OTHER_PARTICIPANTS = {"peer_same_group", "other_cohort"}


def actor_for(name: str, world: World, session) -> User | None:
    if name == "inactive_owner":
        accounts.set_user_active(world.admin, session=session, user_id=world.owner.id, active=False)
        session.commit()
        assert world.owner.is_active is False
        return world.owner
    return {
        "owner": world.owner,
        "peer_same_group": world.peer,
        "other_cohort": world.outsider,
        "facilitator": world.facilitator,
        "admin": world.admin,
        "nobody": None,
    }[name]


# Functions that act on one of the owner's documents: only the owner may.
TARGETED = {
    "get_document": lambda a, s, w: journal.get_document(a, session=s, document_id=w.note_id),
    "get_challenge": lambda a, s, w: journal.get_document(a, session=s, document_id=w.challenge_id),
    "save_document": lambda a, s, w: journal.save_document(
        a, session=s, document_id=w.note_id, base_version=w.version(s, w.note_id), fields={"description": "Overskrevet"}
    ),
    "save_document_links": lambda a, s, w: journal.save_document(
        a, session=s, document_id=w.note_id, base_version=w.version(s, w.note_id), fields={}, links=Links()
    ),
    "save_log_status": lambda a, s, w: journal.save_document(
        a, session=s, document_id=w.log_id, base_version=w.version(s, w.log_id), fields={}, status="dropped"
    ),
    "save_draft": lambda a, s, w: journal.save_draft(
        a, session=s, document_id=w.note_id, field="feelings", text="Inntrenger", base_version=1
    ),
    "drafts_for": lambda a, s, w: journal.drafts_for(a, session=s, document_id=w.note_id),
    "discard_drafts": lambda a, s, w: journal.discard_drafts(a, session=s, document_id=w.note_id),
    "list_revisions": lambda a, s, w: journal.list_revisions(a, session=s, document_id=w.note_id),
    "get_revision": lambda a, s, w: journal.get_revision(a, session=s, document_id=w.note_id, version=1),
    "restore_revision": lambda a, s, w: journal.restore_revision(
        a, session=s, document_id=w.challenge_id, version=1, base_version=w.version(s, w.challenge_id)
    ),
    "delete_document": lambda a, s, w: journal.delete_document(a, session=s, document_id=w.action_id),
    "restore_document": lambda a, s, w: journal.restore_document(a, session=s, document_id=w.binned_id),
    "note_links": lambda a, s, w: journal.note_links(a, session=s, note_id=w.note_id),
    "list_logs": lambda a, s, w: journal.list_logs(a, session=s, action_id=w.action_id),
    "create_log_under_their_action": lambda a, s, w: journal.create_document(
        a, session=s, kind=DocumentKind.LOG, parent_id=w.action_id
    ),
}

# Functions that list the actor's own writing: other participants get their own, never the owner's.
LISTING = {
    "find": lambda a, s, w: journal.find(a, session=s, filters=Filters(query=SECRET))[0],
    "find_everything": lambda a, s, w: journal.find(
        a, session=s, filters=Filters(kinds=tuple(DocumentKind)), per_page=1000
    )[0],
    "find_by_action": lambda a, s, w: journal.find(a, session=s, filters=Filters(action_id=w.action_id))[0],
    "find_by_theme": lambda a, s, w: journal.find(a, session=s, filters=Filters(theme_id=w.theme_id))[0],
    "list_bin": lambda a, s, w: journal.list_bin(a, session=s),
    "list_actions": lambda a, s, w: journal.list_actions(a, session=s),
    "overview": lambda a, s, w: journal.overview(a, session=s, today=date(2024, 5, 1)),
    "my_challenge": lambda a, s, w: journal.my_challenge(a, session=s),
}


def snapshot(session, world: World):
    """Everything stored of the owner's journal, read from the database."""
    session.expire_all()
    documents = session.exec(
        select(Document.id, Document.version, Document.fields, Document.deleted_at, Document.status,
               Document.template, Document.title, Document.search_text)
        .where(Document.owner_id == world.owner.id)
        .order_by(Document.id)
    ).all()
    ids = [row[0] for row in documents]
    drafts = session.exec(
        select(Draft.document_id, Draft.field, Draft.text, Draft.base_version).where(Draft.document_id.in_(ids))
        .order_by(Draft.document_id, Draft.field)
    ).all()
    revisions = session.exec(
        select(DocumentRevision.document_id, DocumentRevision.version).where(DocumentRevision.document_id.in_(ids))
        .order_by(DocumentRevision.document_id, DocumentRevision.version)
    ).all()
    links = (
        session.exec(select(NoteAction.note_id, NoteAction.action_id).order_by(NoteAction.note_id)).all(),
        session.exec(select(NoteTheme.note_id, NoteTheme.theme_id).order_by(NoteTheme.note_id)).all(),
    )
    return [tuple(r) for r in documents], [tuple(r) for r in drafts], [tuple(r) for r in revisions], links


def _row_ids(result) -> set[int]:
    if isinstance(result, journal.Overview):
        rows = result.actions_without_log + result.actions_without_reflection + result.recently_edited
        return {r.id for r in rows} | {result.challenge_id}
    if isinstance(result, Document):
        return {result.id}
    return {row.id for row in result}


@pytest.mark.parametrize("operation", sorted(TARGETED))
@pytest.mark.parametrize("actor_name", ACTORS)
def test_only_the_owner_reaches_their_documents(session, world, actor_name, operation):
    actor = actor_for(actor_name, world, session)
    before = snapshot(session, world)
    call = TARGETED[operation]
    if actor_name == "owner":
        result = call(actor, session, world)
        session.commit()
        if operation in ("get_document", "get_challenge", "get_revision"):
            assert SECRET in repr(result.fields)
        if operation == "drafts_for":
            assert result.texts == {"feelings": f"Utkast {SECRET}"}
        if operation == "note_links":
            assert result == Links((world.action_id,), (world.theme_id,))
        if operation in ("list_logs",):
            assert [row.id for row in result] == [world.log_id]
        if operation in ("save_document", "save_draft", "discard_drafts", "delete_document", "restore_document",
                         "restore_revision", "save_log_status", "save_document_links", "create_log_under_their_action"):
            assert snapshot(session, world) != before, "the owner's change was not stored"
        return

    with pytest.raises((NotFound, NotAllowed)) as excinfo:
        call(actor, session, world)
    session.rollback()
    error = excinfo.value
    assert SECRET not in f"{error!s} {error!r} {error.params!r}"
    # The outsiders cannot tell an existing document from a missing one by the error they get.
    if actor_name in OTHER_PARTICIPANTS:
        assert isinstance(error, NotFound)
    assert snapshot(session, world) == before, "someone else changed the owner's journal"


@pytest.mark.parametrize("operation", sorted(LISTING))
@pytest.mark.parametrize("actor_name", ACTORS)
def test_lists_search_and_counts_never_show_the_owners_writing_to_others(session, world, actor_name, operation):
    actor = actor_for(actor_name, world, session)
    before = snapshot(session, world)
    call = LISTING[operation]
    if actor_name == "owner":
        result = call(actor, session, world)
        assert _row_ids(result) & world.owner_ids, "the owner does not find their own writing"
        return
    if actor_name in OTHER_PARTICIPANTS:
        result = call(actor, session, world)
        session.commit()
        assert not (_row_ids(result) & world.owner_ids)
        assert SECRET not in repr(result)
        if operation == "overview":
            # Their counts are theirs: one action and one note each, no log.
            assert (result.action_count, result.log_count, result.note_count) == (1, 0, 1)
        if operation == "find":
            assert journal.find(actor, session=session, filters=Filters(query=SECRET))[1] == 0
    else:
        with pytest.raises((NotFound, NotAllowed)) as excinfo:
            call(actor, session, world)
        session.rollback()
        assert SECRET not in f"{excinfo.value!s} {excinfo.value!r} {excinfo.value.params!r}"
    assert snapshot(session, world) == before


def test_a_search_for_the_owners_words_finds_nothing_for_anyone_else(session, world):
    assert journal.find(world.owner, session=session, filters=Filters(query=SECRET))[1] == 3  # action, log, note
    assert journal.find(world.owner, session=session, filters=Filters(query=SECRET.upper()))[1] == 3
    for other in (world.peer, world.outsider):
        for query in (SECRET, SECRET.lower(), "Aksjon", "Notat", "%", "_", ""):
            rows, total = journal.find(other, session=session, filters=Filters(query=query, kinds=tuple(DocumentKind)))
            assert not ({row.id for row in rows} & world.owner_ids), query
            assert all(SECRET.lower() not in (row.title + row.excerpt).lower() for row in rows)
        assert journal.find(other, session=session, filters=Filters(query=OTHERS_WORD))[1] == 2


def test_the_peer_cannot_link_or_log_under_the_owners_action(session, world):
    mine = journal.create_document(world.peer, session=session, kind=DocumentKind.NOTE)
    with pytest.raises((Invalid, NotFound)):
        journal.save_document(world.peer, session=session, document_id=mine.id, base_version=0,
                              fields={"description": "x"}, links=Links(action_ids=(world.action_id,)))
    session.rollback()
    linked = session.exec(select(NoteAction.note_id).where(NoteAction.action_id == world.action_id)).all()
    assert list(linked) == [world.note_id]
    # The owner's action appears nowhere in the peer's filters either.
    rows, total = journal.find(world.peer, session=session, filters=Filters(action_id=world.action_id))
    assert (rows, total) == ([], 0)


def test_an_inactive_owner_is_locked_out_until_reactivated(session, world):
    accounts.set_user_active(world.admin, session=session, user_id=world.owner.id, active=False)
    session.commit()
    with pytest.raises(NotAllowed):
        journal.get_document(world.owner, session=session, document_id=world.note_id)
    with pytest.raises(NotAllowed):
        journal.overview(world.owner, session=session, today=date(2024, 5, 1))
    accounts.set_user_active(world.admin, session=session, user_id=world.owner.id, active=True)
    session.commit()
    assert journal.get_document(world.owner, session=session, document_id=world.note_id).fields["description"] == SECRET
