"""Sharing a note with the reflection group or the facilitators: a share is of a version, withdrawal
hides it again, comments belong to their authors, the group's feed and unread markers, and the
facilitators' counts (never text). Runs against SQLite and PostgreSQL (the `session` fixture)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from ledpro_journal.models import (
    Audience,
    CohortMembership,
    Document,
    DocumentKind,
    Role,
    SharedVersion,
)
from ledpro_journal.services import journal, programme, sharing
from ledpro_journal.services.errors import Conflict, Invalid, NotAllowed, NotFound
from tests.helpers import make_cohort, make_member

ACTION, LOG, NOTE = DocumentKind.ACTION, DocumentKind.LOG, DocumentKind.NOTE
GROUP, FACILITATORS = Audience.GROUP, Audience.FACILITATORS


# --- people -------------------------------------------------------------------------------------------------


@pytest.fixture
def kari(session, admin, cohort, groups):
    return make_member(session, admin, cohort.id, "kari", name="Kari Owner", group_id=groups[0].id)


@pytest.fixture
def ola(session, admin, cohort, groups):
    return make_member(session, admin, cohort.id, "ola", name="Ola Peer", group_id=groups[0].id)


@pytest.fixture
def per(session, admin, cohort, groups):
    return make_member(session, admin, cohort.id, "per", name="Per Elsewhere", group_id=groups[1].id)


@pytest.fixture
def nils(session, admin, cohort):
    """A participant not (yet) placed in a group."""
    return make_member(session, admin, cohort.id, "nils", name="Nils Nogroup")


@pytest.fixture
def fac(session, admin, cohort):
    return make_member(session, admin, cohort.id, "fagrid", name="Fagrid Facilitator", role=Role.FACILITATOR)


# --- small builders --------------------------------------------------------------------------------------------


def write(session, who, kind, fields, **kwargs) -> Document:
    create_args = {k: kwargs.pop(k) for k in ("parent_id",) if k in kwargs}
    document = journal.create_document(who, session=session, kind=kind, **create_args)
    saved = journal.save_document(who, session=session, document_id=document.id, base_version=0, fields=fields,
                                  **kwargs)
    session.commit()
    return saved


def resave(session, who, document_id, fields) -> Document:
    current = journal.get_document(who, session=session, document_id=document_id)
    saved = journal.save_document(who, session=session, document_id=document_id, base_version=current.version,
                                  fields=fields)
    session.commit()
    return saved


def share(session, who, document_id, audience=GROUP, replacements=None) -> SharedVersion:
    version = sharing.share_document(who, session=session, document_id=document_id, audience=audience,
                                     replacements=replacements)
    session.commit()
    return version


def read(session, who, share_id, number=None) -> sharing.SharedView:
    view = sharing.read_share(who, session=session, share_id=share_id, number=number)
    session.commit()
    return view


def comment(session, who, shared_version_id, text="Takk for delingen"):
    made = sharing.add_comment(who, session=session, shared_version_id=shared_version_id, text=text)
    session.commit()
    return made


def feed_ids(session, who, **kwargs) -> list[int]:
    return [item.share_id for item in sharing.feed(who, session=session, **kwargs)]


# --- what can be shared ------------------------------------------------------------------------------------------


def test_only_a_saved_version_can_be_shared(session, kari):
    unsaved = journal.create_document(kari, session=session, kind=NOTE)
    session.commit()
    with pytest.raises(Conflict) as excinfo:
        sharing.share_document(kari, session=session, document_id=unsaved.id, audience=GROUP)
    assert excinfo.value.key == "sharing.save_first"


def test_a_log_entry_is_not_shared_on_its_own_but_with_its_action(session, kari):
    action = write(session, kari, ACTION, {"title": "Aksjonen"})
    log = write(session, kari, LOG, {"planned_vs_done": "Det gikk"}, parent_id=action.id)
    with pytest.raises(Invalid) as excinfo:
        sharing.share_document(kari, session=session, document_id=log.id, audience=GROUP)
    assert excinfo.value.errors == {"document_id": ("sharing.share_the_action", {})}
    session.rollback()
    assert share(session, kari, action.id).number == 1


def test_sharing_with_the_group_needs_a_group_but_sharing_with_facilitators_does_not(session, nils, fac):
    note = write(session, nils, NOTE, {"title": "Uten gruppe", "description": "Tekst"})
    with pytest.raises(Conflict) as excinfo:
        sharing.share_document(nils, session=session, document_id=note.id, audience=GROUP)
    assert excinfo.value.key == "sharing.no_group"
    session.rollback()
    version = share(session, nils, note.id, FACILITATORS)
    assert read(session, fac, version.share_id).version.fields["description"] == "Tekst"


def test_only_the_owner_shares_a_document(session, kari, ola, fac, admin):
    note = write(session, kari, NOTE, {"title": "Mitt", "description": "Tekst"})
    for other in (ola, fac, admin, None):
        with pytest.raises((NotFound, NotAllowed)):
            sharing.share_document(other, session=session, document_id=note.id, audience=GROUP)
        session.rollback()
    assert sharing.shares_of_document(kari, session=session, document_id=note.id) == []


# --- a share is of a version ------------------------------------------------------------------------------------------


def test_the_group_sees_the_text_as_it_was_when_shared(session, kari, ola):
    note = write(session, kari, NOTE, {"title": "Første tittel", "description": "Første tekst"})
    first = share(session, kari, note.id)
    assert (first.number, first.document_version, first.title) == (1, 1, "Første tittel")

    view = read(session, ola, first.share_id)
    assert view.version.fields == {"title": "Første tittel", "description": "Første tekst"}
    assert view.changed_since is False and view.is_latest

    resave(session, kari, note.id, {"title": "Andre tittel", "description": "Andre tekst"})
    for reader in (ola, kari):
        view = read(session, reader, first.share_id)
        assert view.version.fields == {"title": "Første tittel", "description": "Første tekst"}
        assert view.version.number == 1
        assert view.changed_since is True
    assert [item.title for item in sharing.feed(ola, session=session)] == ["Første tittel"]


def test_sharing_again_adds_a_version_and_the_earlier_one_stays_readable(session, kari, ola):
    note = write(session, kari, NOTE, {"title": "Tittel", "description": "Første tekst"})
    first = share(session, kari, note.id)
    resave(session, kari, note.id, {"description": "Andre tekst"})
    second = share(session, kari, note.id)
    assert (second.share_id, second.number, second.document_version) == (first.share_id, 2, 2)

    latest = read(session, ola, first.share_id)
    assert latest.version.fields["description"] == "Andre tekst"
    assert latest.changed_since is False and latest.is_latest
    assert [number for number, _, _ in latest.versions] == [2, 1]
    assert [document_version for _, _, document_version in latest.versions] == [2, 1]

    earlier = read(session, ola, first.share_id, number=1)
    assert earlier.version.fields["description"] == "Første tekst"
    assert not earlier.is_latest
    with pytest.raises(NotFound):
        sharing.read_share(ola, session=session, share_id=first.share_id, number=3)

    resave(session, kari, note.id, {"description": "Tredje tekst"})
    assert read(session, ola, first.share_id).changed_since is True
    assert read(session, ola, first.share_id).version.fields["description"] == "Andre tekst"


def test_sharing_the_same_unchanged_version_twice_is_a_conflict(session, kari, fac):
    note = write(session, kari, NOTE, {"title": "Tittel", "description": "Tekst"})
    share(session, kari, note.id)
    with pytest.raises(Conflict) as excinfo:
        sharing.share_document(kari, session=session, document_id=note.id, audience=GROUP)
    assert excinfo.value.key == "sharing.already_shared"
    session.rollback()
    # The other audience is a share of its own.
    other = share(session, kari, note.id, FACILITATORS)
    assert other.number == 1
    # The same version with other names replaced is a different text: a new shared version.
    assert share(session, kari, note.id, replacements={"Tekst": "noe"}).number == 2
    assert len(sharing.shares_of_document(kari, session=session, document_id=note.id)) == 2


def test_an_action_is_shared_with_its_saved_log_entries_only(session, kari, ola):
    action = write(session, kari, ACTION, {"title": "Prøve ut ny møteform", "purpose": "Mindre prat"},
                   happened_on=date(2024, 4, 10))
    kept = write(session, kari, LOG, {"planned_vs_done": "Gjennomført"}, parent_id=action.id,
                 happened_on=date(2024, 4, 12))
    deleted = write(session, kari, LOG, {"planned_vs_done": "Angret logg"}, parent_id=action.id,
                    happened_on=date(2024, 4, 13))
    journal.delete_document(kari, session=session, document_id=deleted.id)
    journal.create_document(kari, session=session, kind=LOG, parent_id=action.id)  # opened, never saved
    session.commit()

    version = share(session, kari, action.id)
    view = read(session, ola, version.share_id)
    assert view.version.kind == ACTION
    assert view.version.fields == {"title": "Prøve ut ny møteform", "purpose": "Mindre prat"}
    assert [log["fields"] for log in view.version.logs] == [{"planned_vs_done": "Gjennomført"}]
    assert view.version.logs[0]["date"] == "2024-04-12"
    assert "Angret logg" not in repr(view)

    # Later log entries are not seen until the action is shared again.
    write(session, kari, LOG, {"planned_vs_done": "Andre forsøk"}, parent_id=action.id,
          happened_on=date(2024, 4, 20))
    resave(session, kari, kept.id, {"planned_vs_done": "Gjennomført, endret"})
    assert [log["fields"]["planned_vs_done"] for log in read(session, ola, version.share_id).version.logs] == [
        "Gjennomført"
    ]


def test_a_new_log_entry_can_be_shared_with_its_action(session, kari, ola):
    action = write(session, kari, ACTION, {"title": "Aksjonen"})
    write(session, kari, LOG, {"planned_vs_done": "Første forsøk"}, parent_id=action.id, happened_on=date(2024, 4, 12))
    first = share(session, kari, action.id)
    write(session, kari, LOG, {"planned_vs_done": "Andre forsøk"}, parent_id=action.id, happened_on=date(2024, 4, 20))
    second = share(session, kari, action.id)  # the action itself is unchanged, its log is not
    assert second.number == 2
    view = read(session, ola, first.share_id)
    assert [log["fields"]["planned_vs_done"] for log in view.version.logs] == ["Første forsøk", "Andre forsøk"]
    assert [log["fields"]["planned_vs_done"] for log in read(session, ola, first.share_id, 1).version.logs] == [
        "Første forsøk"
    ]


def test_chosen_names_are_replaced_in_title_fields_and_logs_but_not_in_the_journal(session, kari, ola):
    action = write(session, kari, ACTION,
                   {"title": "Samtale med Kari Hansen", "purpose": "Hansen var sint. Jeg ba Hansen om tid."})
    write(session, kari, LOG, {"planned_vs_done": "Hansen kom ikke. Persen kom."}, parent_id=action.id)
    version = share(session, kari, action.id, replacements={"Hansen": "leder A", "Kari": "", "Persen": "kollega B"})
    view = read(session, ola, version.share_id)
    assert view.version.title == "Samtale med Kari leder A"
    assert view.version.fields == {
        "title": "Samtale med Kari leder A",
        "purpose": "Leder A var sint. Jeg ba leder A om tid.",
    }
    assert view.version.logs[0]["fields"] == {"planned_vs_done": "Leder A kom ikke. Kollega B kom."}
    assert "Hansen" not in repr(view) and "Persen" not in repr(view)
    assert sharing.feed(ola, session=session)[0].title == "Samtale med Kari leder A"
    # The journal keeps what was written.
    assert journal.get_document(kari, session=session, document_id=action.id).fields["purpose"] == (
        "Hansen var sint. Jeg ba Hansen om tid."
    )


def test_facilitator_shares_are_not_shown_to_the_group(session, kari, ola, fac, groups):
    note = write(session, kari, NOTE, {"title": "Til faglærer", "description": "Bare for faglærer"})
    version = share(session, kari, note.id, FACILITATORS)
    with pytest.raises(NotFound):
        sharing.read_share(ola, session=session, share_id=version.share_id)
    assert feed_ids(session, ola) == []
    assert feed_ids(session, kari) == []  # the participant's feed is the group's
    assert feed_ids(session, fac, group_id=groups[0].id) == [version.share_id]
    assert read(session, fac, version.share_id).version.fields["description"] == "Bare for faglærer"


# --- withdrawing ------------------------------------------------------------------------------------------------------


def test_withdrawing_hides_the_share_from_everyone_but_the_owner(session, kari, ola, per, fac, groups):
    note = write(session, kari, NOTE, {"title": "Snart borte", "description": "Tekst"})
    version = share(session, kari, note.id)
    assert feed_ids(session, ola) == [version.share_id]
    assert sharing.shared_document_ids(kari, session=session) == {note.id}

    for other in (ola, per, fac):
        with pytest.raises(NotFound):
            sharing.withdraw_share(other, session=session, share_id=version.share_id)
        session.rollback()
    withdrawn = sharing.withdraw_share(kari, session=session, share_id=version.share_id)
    session.commit()
    assert withdrawn.withdrawn_at is not None

    for other in (ola, fac):
        with pytest.raises(NotFound):
            sharing.read_share(other, session=session, share_id=version.share_id)
        with pytest.raises(NotFound):
            sharing.read_share(other, session=session, share_id=version.share_id, number=1)
    assert feed_ids(session, ola) == []
    assert feed_ids(session, kari) == []
    assert feed_ids(session, fac, group_id=groups[0].id) == []
    assert sharing.shared_document_ids(kari, session=session) == set()
    assert read(session, kari, version.share_id).version.fields["description"] == "Tekst"
    [mine] = sharing.shares_of_document(kari, session=session, document_id=note.id)
    assert mine.withdrawn is True and mine.versions == 1

    again = share(session, kari, note.id)
    assert (again.share_id, again.number) == (version.share_id, 2)
    assert read(session, ola, version.share_id).version.fields["description"] == "Tekst"
    assert feed_ids(session, ola) == [version.share_id]
    assert sharing.shared_document_ids(kari, session=session) == {note.id}


# --- comments ---------------------------------------------------------------------------------------------------------


def test_comments_are_added_edited_and_deleted_by_their_author_only(session, kari, ola, per, fac):
    note = write(session, kari, NOTE, {"title": "Tittel", "description": "Tekst"})
    version = share(session, kari, note.id)
    mine = comment(session, ola, version.id, "Godt skrevet")
    theirs = comment(session, fac, version.id, "Se Heifetz")

    view = read(session, kari, version.share_id)
    assert [(c.text, c.is_mine, c.author_name) for c in view.comments] == [
        ("Godt skrevet", False, "Ola Peer"), ("Se Heifetz", False, "Fagrid Facilitator"),
    ]
    for other in (kari, per, fac, None):
        with pytest.raises(NotFound):
            sharing.edit_comment(other, session=session, comment_id=mine.id, text="Endret av andre")
        with pytest.raises(NotFound):
            sharing.delete_comment(other, session=session, comment_id=mine.id)
        session.rollback()

    edited = sharing.edit_comment(ola, session=session, comment_id=mine.id, text="Godt skrevet, synes jeg")
    session.commit()
    assert edited.edited_at is not None
    for blank in ("", "   \n"):
        with pytest.raises(Invalid):
            sharing.edit_comment(ola, session=session, comment_id=mine.id, text=blank)
        with pytest.raises(Invalid):
            sharing.add_comment(ola, session=session, shared_version_id=version.id, text=blank)
        session.rollback()
    assert [c.text for c in read(session, ola, version.share_id).comments] == ["Godt skrevet, synes jeg", "Se Heifetz"]
    assert [c.is_mine for c in read(session, ola, version.share_id).comments] == [True, False]

    sharing.delete_comment(ola, session=session, comment_id=mine.id)
    session.commit()
    assert [c.id for c in read(session, kari, version.share_id).comments] == [theirs.id]


def test_comments_stay_with_the_version_they_were_written_on(session, kari, ola):
    note = write(session, kari, NOTE, {"title": "Tittel", "description": "Første"})
    first = share(session, kari, note.id)
    comment(session, ola, first.id, "Om den første")
    resave(session, kari, note.id, {"description": "Andre"})
    share(session, kari, note.id)
    assert read(session, ola, first.share_id).comments == []
    assert [c.text for c in read(session, ola, first.share_id, 1).comments] == ["Om den første"]
    assert sharing.feed(ola, session=session)[0].comments == 1


def test_no_comments_on_withdrawn_shares_and_authors_keep_theirs(session, kari, ola):
    note = write(session, kari, NOTE, {"title": "Hemmelig tittel", "description": "Tekst"})
    version = share(session, kari, note.id)
    written = comment(session, ola, version.id, "Min kommentar")
    assert [(c.id, c.text, c.on_title) for c in sharing.my_comments(ola, session=session)] == [
        (written.id, "Min kommentar", "Hemmelig tittel")
    ]
    sharing.withdraw_share(kari, session=session, share_id=version.share_id)
    session.commit()

    with pytest.raises(Conflict) as excinfo:
        sharing.add_comment(kari, session=session, shared_version_id=version.id, text="Eier")
    assert excinfo.value.key == "sharing.withdrawn"
    session.rollback()
    with pytest.raises(NotFound):
        sharing.add_comment(ola, session=session, shared_version_id=version.id, text="Igjen")
    session.rollback()

    [kept] = sharing.my_comments(ola, session=session)
    assert (kept.id, kept.text, kept.on_title, kept.share_id) == (written.id, "Min kommentar", None, version.share_id)
    assert "Hemmelig tittel" not in repr(sharing.my_comments(ola, session=session))
    # The author may still tidy up their own comment.
    sharing.edit_comment(ola, session=session, comment_id=written.id, text="Rettet")
    session.commit()
    assert sharing.my_comments(ola, session=session)[0].text == "Rettet"


def test_new_comments_on_my_shares_count_others_since_the_owner_last_looked(session, kari, ola, fac):
    note = write(session, kari, NOTE, {"title": "Tittel", "description": "Tekst"})
    version = share(session, kari, note.id)
    assert sharing.new_comments_on_my_shares(kari, session=session) == []
    comment(session, ola, version.id)
    comment(session, fac, version.id)
    comment(session, kari, version.id, "Mitt svar")  # one's own comments are not news
    assert sharing.new_comments_on_my_shares(kari, session=session) == [
        sharing.NewComments(version.share_id, note.id, "Tittel", 2)
    ]
    [mine] = sharing.shares_of_document(kari, session=session, document_id=note.id)
    assert (mine.comments, mine.new_comments) == (2, 2)

    read(session, kari, version.share_id)
    assert sharing.new_comments_on_my_shares(kari, session=session) == []
    [mine] = sharing.shares_of_document(kari, session=session, document_id=note.id)
    assert (mine.comments, mine.new_comments) == (2, 0)

    comment(session, ola, version.id, "En til")
    assert [n.count for n in sharing.new_comments_on_my_shares(kari, session=session)] == [1]
    assert sharing.new_comments_on_my_shares(ola, session=session) == []  # not ola's share
    with pytest.raises(NotAllowed):
        sharing.new_comments_on_my_shares(fac, session=session)


# --- the feed ---------------------------------------------------------------------------------------------------------


def test_unread_markers_per_reader(session, kari, ola, fac, groups):
    note = write(session, kari, NOTE, {"title": "Tittel", "description": "Første"})
    version = share(session, kari, note.id)

    [item] = sharing.feed(ola, session=session)
    assert (item.unread, item.is_mine, item.owner_name, item.versions) == (True, False, "Kari Owner", 1)
    [mine] = sharing.feed(kari, session=session)
    assert (mine.unread, mine.is_mine) == (False, True)

    read(session, ola, version.share_id)
    assert sharing.feed(ola, session=session)[0].unread is False
    assert sharing.feed(fac, session=session, group_id=groups[0].id)[0].unread is True  # each reader their own

    resave(session, kari, note.id, {"description": "Andre"})
    assert sharing.feed(ola, session=session)[0].unread is False  # saving alone shows nothing new
    share(session, kari, note.id)
    [item] = sharing.feed(ola, session=session)
    assert (item.unread, item.versions) == (True, 2)
    read(session, ola, version.share_id, number=1)  # opening it (any version) marks it read
    assert sharing.feed(ola, session=session)[0].unread is False


def test_the_feed_shows_the_group_newest_first_and_ignores_a_typed_group_id(session, kari, ola, per, fac, groups):
    first = share(session, kari, write(session, kari, NOTE, {"title": "Karis"}).id)
    olas = share(session, ola, write(session, ola, NOTE, {"title": "Olas"}).id)
    pers = share(session, per, write(session, per, NOTE, {"title": "Pers"}).id)
    assert feed_ids(session, ola) == [olas.share_id, first.share_id]
    assert feed_ids(session, ola, group_id=groups[1].id) == [olas.share_id, first.share_id]
    assert feed_ids(session, per) == [pers.share_id]
    assert feed_ids(session, fac, group_id=groups[1].id) == [pers.share_id]
    with pytest.raises(NotFound):
        sharing.feed(fac, session=session, group_id=None)
    with pytest.raises(NotFound):
        sharing.feed(fac, session=session, group_id=10**9)


def test_preparing_for_a_gathering_shows_what_was_shared_since_the_last_one(session, admin, cohort, kari, ola):
    march = share(session, kari, write(session, kari, NOTE, {"title": "Mars"}).id)
    april = share(session, kari, write(session, kari, NOTE, {"title": "April"}).id)
    january = share(session, kari, write(session, kari, NOTE, {"title": "Januar"}).id)
    for version, when in ((march, datetime(2024, 3, 1, 12, tzinfo=UTC)),
                          (april, datetime(2024, 4, 20, 12, tzinfo=UTC)),
                          (january, datetime(2024, 1, 10, 12, tzinfo=UTC))):
        stored = session.get(SharedVersion, version.id)
        stored.shared_at = when
        session.add(stored)
    session.commit()

    since, until = sharing.period_bounds(session, cohort.id, 2)  # gatherings: 15–16 Feb, 4–5 Apr 2024
    assert since is not None and since.date() == date(2024, 2, 16)
    assert until.date() == date(2024, 4, 4)
    assert [i.title for i in sharing.feed(ola, session=session, since=since, until=until)] == ["Mars"]

    since, until = sharing.period_bounds(session, cohort.id, 1)
    assert since is None
    assert [i.title for i in sharing.feed(ola, session=session, since=since, until=until)] == ["Januar"]

    since, until = sharing.period_bounds(session, cohort.id, 3)
    assert [i.title for i in sharing.feed(ola, session=session, since=since, until=until)] == ["April"]
    assert [i.title for i in sharing.feed(ola, session=session)] == ["April", "Mars", "Januar"]
    with pytest.raises(NotFound):
        sharing.period_bounds(session, cohort.id, 99)


def test_shared_document_ids_are_the_owners_currently_shared_documents(session, kari, ola):
    one = write(session, kari, NOTE, {"title": "En"})
    two = write(session, kari, NOTE, {"title": "To"})
    write(session, kari, NOTE, {"title": "Tre"})
    share(session, kari, one.id)
    share(session, kari, one.id, FACILITATORS)
    withdrawn = share(session, kari, two.id)
    sharing.withdraw_share(kari, session=session, share_id=withdrawn.share_id)
    share(session, ola, write(session, ola, NOTE, {"title": "Olas"}).id)
    assert sharing.shared_document_ids(kari, session=session) == {one.id}
    with pytest.raises(NotAllowed):
        sharing.shared_document_ids(None, session=session)


# --- facilitators: counts, never text ---------------------------------------------------------------------------------

SECRET = "Fortroligordet"


def test_participant_activity_gives_counts_and_nothing_of_the_text(
    session, admin, cohort, groups, kari, ola, nils, fac
):
    planned = write(session, kari, ACTION, {"title": f"Aksjon {SECRET}", "purpose": SECRET})
    write(session, kari, ACTION, {"title": f"Aksjon to {SECRET}"})
    write(session, kari, LOG, {"planned_vs_done": SECRET}, parent_id=planned.id)
    write(session, kari, LOG, {"planned_vs_done": SECRET}, parent_id=planned.id)
    write(session, kari, NOTE, {"title": f"Notat {SECRET}", "description": SECRET})
    gone = write(session, kari, NOTE, {"title": f"Slettet {SECRET}"})
    journal.delete_document(kari, session=session, document_id=gone.id)
    journal.create_document(kari, session=session, kind=NOTE)  # opened, never saved
    session.commit()
    write(session, ola, NOTE, {"title": SECRET})

    activity = sharing.participant_activity(fac, session=session, cohort_id=cohort.id)
    assert [f.name for f in dataclasses.fields(sharing.ParticipantActivity)] == [
        "user_id", "name", "group", "actions_planned", "actions_logged", "notes_written", "last_activity",
    ]
    by_user = {a.user_id: a for a in activity}
    assert set(by_user) == {kari.id, ola.id, nils.id}
    karis = by_user[kari.id]
    assert (karis.name, karis.group, karis.actions_planned, karis.actions_logged, karis.notes_written) == (
        "Kari Owner", "Gruppe 1", 2, 1, 1,
    )
    assert karis.last_activity is not None
    assert (by_user[ola.id].notes_written, by_user[ola.id].actions_planned) == (1, 0)
    assert by_user[nils.id] == sharing.ParticipantActivity(nils.id, "Nils Nogroup", "", 0, 0, 0, None)
    for row in activity:
        for value in dataclasses.astuple(row):
            assert SECRET.lower() not in str(value).lower()
    assert SECRET.lower() not in repr(activity).lower()

    for other in (admin, kari, None):
        with pytest.raises(NotAllowed):
            sharing.participant_activity(other, session=session, cohort_id=cohort.id)


def test_participant_activity_is_only_for_the_cohorts_own_facilitators(session, admin, cohort, kari):
    other_cohort = make_cohort(session, admin, "LEDPRO 2025")
    other_fac = make_member(session, admin, other_cohort.id, "fremmed", role=Role.FACILITATOR)
    with pytest.raises(NotAllowed):
        sharing.participant_activity(other_fac, session=session, cohort_id=cohort.id)
    with pytest.raises(NotAllowed):
        sharing.facilitator_groups(other_fac, session=session, cohort_id=cohort.id)
    assert sharing.participant_activity(other_fac, session=session, cohort_id=other_cohort.id) == []


def test_facilitator_groups_lists_the_cohorts_groups(session, cohort, groups, fac, kari):
    assert [g.name for g in sharing.facilitator_groups(fac, session=session, cohort_id=cohort.id)] == [
        "Gruppe 1", "Gruppe 2",
    ]
    with pytest.raises(NotAllowed):
        sharing.facilitator_groups(kari, session=session, cohort_id=cohort.id)


def test_moving_to_another_group_changes_what_one_sees_at_once(session, admin, kari, ola, per, groups):
    karis = share(session, kari, write(session, kari, NOTE, {"title": "Karis"}).id)
    pers = share(session, per, write(session, per, NOTE, {"title": "Pers"}).id)
    assert feed_ids(session, ola) == [karis.share_id]
    membership = session.exec(select(CohortMembership).where(CohortMembership.user_id == ola.id)).one()
    programme.move_to_group(admin, session=session, membership_id=membership.id, group_id=groups[1].id)
    session.commit()
    assert feed_ids(session, ola) == [pers.share_id]
    with pytest.raises(NotFound):
        sharing.read_share(ola, session=session, share_id=karis.share_id)
    assert read(session, ola, pers.share_id).version.title == "Pers"


# --- found in review: what a withdrawal or a move to another group must keep hidden ---------------------------


def test_sharing_again_after_a_withdrawal_does_not_bring_back_the_withdrawn_versions(session, kari, ola):
    note = write(session, kari, DocumentKind.NOTE, {"description": "Geir Hansen sa nei."})
    first = share(session, kari, note.id)
    sharing.add_comment(ola, session=session, shared_version_id=first.id, text="Om Geir")
    session.commit()
    sharing.withdraw_share(kari, session=session, share_id=first.share_id)
    resave(session, kari, note.id, {"description": "En leder sa nei."})
    second = share(session, kari, note.id)

    view = read(session, ola, second.share_id)
    assert [number for number, _, _ in view.versions] == [second.number]
    assert view.comments == []
    with pytest.raises(NotFound):
        read(session, ola, first.share_id, number=first.number)
    with pytest.raises(NotFound):
        sharing.add_comment(ola, session=session, shared_version_id=first.id, text="Fortsatt her?")
    [item] = sharing.feed(ola, session=session)
    assert (item.versions, item.comments) == (1, 0)
    assert sharing.my_comments(ola, session=session)[0].on_title is None
    # The owner still has the whole history.
    assert len(read(session, kari, first.share_id).versions) == 2


def test_sharing_again_with_a_new_group_does_not_show_the_old_groups_versions(session, admin, kari, ola, per, groups):
    note = write(session, kari, DocumentKind.NOTE, {"description": "For gruppe 1"})
    first = share(session, kari, note.id)
    sharing.add_comment(ola, session=session, shared_version_id=first.id, text="Fra gruppe 1")
    session.commit()
    membership = session.exec(select(CohortMembership).where(CohortMembership.user_id == kari.id)).one()
    programme.move_to_group(admin, session=session, membership_id=membership.id, group_id=groups[1].id)
    session.commit()
    resave(session, kari, note.id, {"description": "For gruppe 2"})
    second = share(session, kari, note.id)

    view = read(session, per, second.share_id)
    assert [number for number, _, _ in view.versions] == [second.number]
    assert view.comments == []
    with pytest.raises(NotFound):
        read(session, per, first.share_id, number=first.number)


def test_the_name_check_reads_an_actions_log_entries_too(session, kari):
    action = write(session, kari, DocumentKind.ACTION, {"title": "Samtaler"})
    write(session, kari, DocumentKind.LOG, {"observations": "Samtalen med Geir Hansen gikk fint."}, parent_id=action.id)
    texts = sharing.texts_to_share(kari, session=session, document_id=action.id)
    assert any("Geir Hansen" in text for text in texts)


def test_deleting_a_shared_note_withdraws_it_and_emptying_the_bin_keeps_the_comments(session, kari, ola):
    note = write(session, kari, DocumentKind.NOTE, {"description": "Delt og så slettet"})
    version = share(session, kari, note.id)
    sharing.add_comment(ola, session=session, shared_version_id=version.id, text="Min kommentar")
    session.commit()
    journal.delete_document(kari, session=session, document_id=note.id)
    session.commit()
    assert sharing.feed(ola, session=session) == []
    with pytest.raises(NotFound):
        read(session, ola, version.share_id)
    journal.purge_bin(session, now=datetime.now(UTC).replace(year=datetime.now(UTC).year + 1))
    session.commit()
    [comment] = sharing.my_comments(ola, session=session)
    assert (comment.text, comment.on_title) == ("Min kommentar", None)


@pytest.mark.parametrize("huge", [10**20, -1, 0, True])
def test_an_impossible_id_typed_into_an_address_is_simply_not_there(session, kari, huge):
    with pytest.raises(NotFound):
        journal.get_document(kari, session=session, document_id=huge)
    with pytest.raises(NotFound):
        sharing.read_share(kari, session=session, share_id=huge)
