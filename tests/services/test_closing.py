"""The end of a cohort: closing makes it read-only for every write use case (reading and downloading go
on), reopening undoes that, and on the deletion date the participants' content is deleted once.
Runs against SQLite and PostgreSQL (the `session` fixture)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from ledpro_journal.models import (
    Audience,
    CalendarFeed,
    Cohort,
    CohortMembership,
    Comment,
    Document,
    DocumentKind,
    ExamDraft,
    NameReplacement,
    Reference,
    Role,
    Share,
    User,
)
from ledpro_journal.services import data_export, exam, journal, literature, name_replacements, programme, sharing
from ledpro_journal.services.errors import Conflict, Invalid, NotAllowed
from ledpro_journal.services.exam_material import ItemKind, ItemRef
from tests.helpers import make_cohort, make_member
from tests.services.my_data_world import export_json

TODAY = date(2026, 11, 27)
BOOK = {"title": "Refleksjon", "year": "1983", "publisher": "Basic Books",
        "authors": [{"family": "Schön", "given": "Donald"}]}


@pytest.fixture
def kari(session, admin, cohort, groups):
    return make_member(session, admin, cohort.id, "kari", name="Kari Deltaker", group_id=groups[0].id)


@pytest.fixture
def ola(session, admin, cohort, groups):
    return make_member(session, admin, cohort.id, "ola", name="Ola Peer", group_id=groups[0].id)


@pytest.fixture
def fac(session, admin, cohort):
    return make_member(session, admin, cohort.id, "fagrid", name="Fagrid Facilitator", role=Role.FACILITATOR)


@pytest.fixture
def year(session, kari, ola, fac, cohort):
    """Kari's year: a challenge, an action with a log entry, a note shared with a comment from Ola, a
    reference cited, a name replacement, both exam drafts; Ola shared a note too."""
    def write(who, kind, fields, **kwargs):
        document = journal.create_document(who, session=session, kind=kind, **kwargs)
        return journal.save_document(who, session=session, document_id=document.id, base_version=0, fields=fields)

    challenge = journal.my_challenge(kari, session=session)
    journal.save_document(kari, session=session, document_id=challenge.id, base_version=0, fields={"title": "Utf"})
    action = write(kari, DocumentKind.ACTION, {"title": "Aksjon"})
    log = write(kari, DocumentKind.LOG, {"observations": "Logg"}, parent_id=action.id)
    note = write(kari, DocumentKind.NOTE, {"title": "Notat", "free_text": "Tekst"})
    binned = write(kari, DocumentKind.NOTE, {"title": "Kastet"})
    journal.delete_document(kari, session=session, document_id=binned.id)
    shared = sharing.share_document(kari, session=session, document_id=note.id, audience=Audience.GROUP)
    olas_note = write(ola, DocumentKind.NOTE, {"title": "Olas"})
    olas_share = sharing.share_document(ola, session=session, document_id=olas_note.id, audience=Audience.GROUP)
    mine = sharing.add_comment(kari, session=session, shared_version_id=olas_share.id, text="Karis kommentar")
    reference = literature.add_reference(kari, session=session, kind="book", data=BOOK)
    reading = literature.add_reference(fac, session=session, kind="book", data={**BOOK, "title": "Pensum"},
                                       reading_list_of=cohort.id)
    replacement = name_replacements.add_replacement(kari, session=session, name="Per", replacement="kollega A")
    individual = exam.open_draft(kari, session=session)
    group = exam.open_draft(kari, session=session, mode=exam.GROUP)
    exam.join_group_draft(kari, session=session, draft_id=group.id)
    session.add(CalendarFeed(user_id=kari.id, token="k" * 40))
    session.commit()
    return dict(challenge=challenge, action=action, log=log, note=note, binned=binned, shared=shared,
                olas_share=olas_share, mine=mine, reference=reference, reading=reading, replacement=replacement,
                individual=individual, group=group)


def write_calls(session, kari, fac, cohort, y):
    """Every use case that writes, as the cohort's participant (and its facilitator for the reading list)."""
    note, action = y["note"], y["action"]
    return {
        "create a note": lambda: journal.create_document(kari, session=session, kind=DocumentKind.NOTE),
        "create a log entry": lambda: journal.create_document(kari, session=session, kind=DocumentKind.LOG,
                                                              parent_id=action.id),
        "save": lambda: journal.save_document(kari, session=session, document_id=note.id,
                                              base_version=journal.get_document(kari, session=session,
                                                                                document_id=note.id).version,
                                              fields={"free_text": "Ny tekst"}),
        "save a draft": lambda: journal.save_draft(kari, session=session, document_id=note.id, field="free_text",
                                                   text="Kladd", base_version=1),
        "discard drafts": lambda: journal.discard_drafts(kari, session=session, document_id=note.id),
        "restore a version": lambda: journal.restore_revision(
            kari, session=session, document_id=note.id, version=1,
            base_version=journal.get_document(kari, session=session, document_id=note.id).version),
        "delete": lambda: journal.delete_document(kari, session=session, document_id=y["log"].id),
        "restore from the bin": lambda: journal.restore_document(kari, session=session, document_id=y["binned"].id),
        "share": lambda: sharing.share_document(kari, session=session, document_id=action.id,
                                                audience=Audience.FACILITATORS),
        "comment": lambda: sharing.add_comment(kari, session=session, shared_version_id=y["olas_share"].id,
                                               text="Enda en"),
        "edit a comment": lambda: sharing.edit_comment(kari, session=session, comment_id=y["mine"].id, text="Endret"),
        "delete a comment": lambda: sharing.delete_comment(kari, session=session, comment_id=y["mine"].id),
        "withdraw": lambda: sharing.withdraw_share(kari, session=session, share_id=y["shared"].share_id),
        "add a reference": lambda: literature.add_reference(kari, session=session, kind="book",
                                                            data={**BOOK, "title": "Ny bok"}),
        "import references": lambda: literature.import_references(
            kari, session=session, filename="a.ris",
            content=b"TY  - BOOK\nAU  - Bion, Wilfred\nTI  - Experiences\nPY  - 1961\nPB  - Tavistock\nER  - \n"),
        "change a reference": lambda: literature.update_reference(kari, session=session,
                                                                  reference_id=y["reference"].id, kind="book",
                                                                  data={**BOOK, "title": "Endret"}),
        "cite": lambda: literature.set_citations(kari, session=session, note_id=note.id,
                                                 cited=[(y["reference"].id, "12")]),
        "delete a reference": lambda: literature.delete_reference(kari, session=session,
                                                                  reference_id=y["reference"].id),
        "change the reading list": lambda: literature.add_reference(fac, session=session, kind="book",
                                                                    data={**BOOK, "title": "Mer pensum"},
                                                                    reading_list_of=cohort.id),
        "add a name replacement": lambda: name_replacements.add_replacement(kari, session=session, name="Lise",
                                                                            replacement="kollega B"),
        "change a name replacement": lambda: name_replacements.change_replacement(
            kari, session=session, replacement_id=y["replacement"].id, replacement="kollega C"),
        "remove a name replacement": lambda: name_replacements.remove_replacement(
            kari, session=session, replacement_id=y["replacement"].id),
        "exam settings": lambda: exam.update_settings(kari, session=session, draft_id=y["individual"].id,
                                                      title="Tittel", problem_statement="", include_prompts=True,
                                                      word_limit=None),
        "exam names": lambda: exam.use_name_replacements(kari, session=session, draft_id=y["individual"].id,
                                                         use=True),
        "exam choices": lambda: exam.save_choices(kari, session=session, draft_id=y["individual"].id,
                                                  choices=[(ItemRef(ItemKind.NOTE, note.id), True)]),
        "leave the group draft": lambda: exam.leave_group_draft(kari, session=session, draft_id=y["group"].id),
        "join the group draft": lambda: exam.join_group_draft(kari, session=session, draft_id=y["group"].id),
    }


def test_a_closed_cohort_refuses_every_write_and_reopening_allows_them_again(session, admin, kari, fac, cohort, year):
    programme.close_cohort(admin, session=session, cohort_id=cohort.id, today=TODAY)
    session.commit()
    calls = write_calls(session, kari, fac, cohort, year)
    for name, call in calls.items():
        with pytest.raises(NotAllowed) as refused:
            call()
        assert refused.value.key == "cohort.closed", name
        session.rollback()

    programme.reopen_cohort(admin, session=session, cohort_id=cohort.id)
    session.commit()
    for name, call in calls.items():
        try:
            call()
        except Exception as error:  # noqa: BLE001 - say which call failed
            pytest.fail(f"{name}: {error!r}")
        session.commit()


def test_reading_and_downloading_go_on_in_a_closed_cohort(session, admin, kari, ola, fac, cohort, year):
    programme.close_cohort(admin, session=session, cohort_id=cohort.id, today=TODAY)
    session.commit()
    assert journal.my_challenge(kari, session=session).id == year["challenge"].id
    assert journal.get_document(kari, session=session, document_id=year["note"].id).fields["free_text"] == "Tekst"
    rows, total = journal.find(kari, session=session, filters=journal.Filters())
    assert total == 3
    assert sharing.read_share(ola, session=session, share_id=year["shared"].share_id).version.title == "Notat"
    assert [item.share_id for item in sharing.feed(fac, session=session, group_id=kari_group(session, kari))]
    assert literature.library(kari, session=session).own
    assert exam.build_exam(kari, session=session, draft_id=year["individual"].id, today=TODAY).content
    assert exam.workspace(kari, session=session, mode=exam.GROUP, today=TODAY).joined
    # The banner tells the participant to download everything: Last ned alt mitt goes on.
    exported = export_json(data_export.build_export(kari, session=session).content)
    assert "Tekst" in [d["fields"].get("free_text") for d in exported["documents"]]
    assert [c.name for c in programme.my_closed_cohorts(kari, session=session)] == [cohort.name]
    assert programme.my_closed_cohorts(admin, session=session) == []


def kari_group(session, kari) -> int:
    return session.exec(select(CohortMembership.group_id).where(CohortMembership.user_id == kari.id)).one()


def test_a_closed_cohort_without_a_challenge_does_not_make_one(session, admin, cohort, kari):
    programme.close_cohort(admin, session=session, cohort_id=cohort.id, today=TODAY)
    session.commit()
    with pytest.raises(NotAllowed):
        journal.my_challenge(kari, session=session)


def test_the_deletion_date_defaults_to_six_months_after_the_last_gathering(session, admin, cohort):
    last = max(g.end_date for g in programme.list_gatherings(admin, session=session, cohort_id=cohort.id))
    assert last == date(2024, 10, 8)
    closed = programme.close_cohort(admin, session=session, cohort_id=cohort.id, today=date(2024, 10, 9))
    assert closed.deletion_on == date(2025, 4, 8)
    assert closed.closed_at is not None
    # Closing long after the programme: never sooner than a month from today.
    again = programme.close_cohort(admin, session=session, cohort_id=cohort.id, today=TODAY)
    assert again.deletion_on == TODAY + timedelta(days=programme.MIN_NOTICE_DAYS)


def test_a_deletion_date_in_the_past_is_refused(session, admin, cohort):
    with pytest.raises(Invalid) as refused:
        programme.close_cohort(admin, session=session, cohort_id=cohort.id, deletion_on=TODAY - timedelta(days=1),
                               today=TODAY)
    assert refused.value.errors == {"deletion_on": ("cohort.close.date_past", {})}


def test_only_administrators_close_and_reopen(session, cohort, kari, fac):
    for who in (kari, fac):
        with pytest.raises(NotAllowed):
            programme.close_cohort(who, session=session, cohort_id=cohort.id, today=TODAY)
        with pytest.raises(NotAllowed):
            programme.reopen_cohort(who, session=session, cohort_id=cohort.id)


def text_rows(session, cohort_id: int) -> dict[str, int]:
    counts = {}
    for model in (Document, Share, Comment, Reference, ExamDraft, NameReplacement, CalendarFeed):
        counts[model.__tablename__] = session.exec(select(sa.func.count()).select_from(model)).one()
    return counts


def test_purging_on_the_deletion_date_deletes_the_content_once(session, admin, kari, ola, cohort, year):
    other = make_cohort(session, admin, name="LEDPRO 2025")
    elsewhere = make_member(session, admin, other.id, "siri", name="Siri Annet")
    kept = journal.create_document(elsewhere, session=session, kind=DocumentKind.NOTE)
    journal.save_document(elsewhere, session=session, document_id=kept.id, base_version=0, fields={"title": "Mitt"})
    programme.close_cohort(admin, session=session, cohort_id=cohort.id, deletion_on=TODAY, today=TODAY)
    session.commit()
    summary = programme.closing_summary(admin, session=session, cohort_id=cohort.id, today=TODAY)
    assert (summary.participants, summary.documents, summary.deletion_on) == (2, 6, TODAY)

    assert programme.purge_due_cohorts(session, today=TODAY - timedelta(days=1)) == []
    [done] = programme.purge_due_cohorts(session, today=TODAY)
    session.commit()
    assert (done.cohort, done.participants, done.documents) == (cohort.name, 2, 6)
    assert text_rows(session, cohort.id) == {"documents": 1, "shares": 0, "comments": 0, "literature_references": 1,
                                             "exam_drafts": 0, "name_replacements": 0, "calendar_feeds": 0}
    assert session.exec(select(Reference.data)).one()["title"] == "Pensum"  # the reading list stays
    assert session.exec(select(Document.owner_id)).one() == elsewhere.id
    # The accounts stay, in their cohort, which stays closed: nothing can be written in it again.
    assert session.get(User, kari.id).is_active
    assert session.get(Cohort, cohort.id).purged_at is not None
    with pytest.raises(NotAllowed):
        journal.create_document(kari, session=session, kind=DocumentKind.NOTE)
    assert programme.my_closed_cohorts(kari, session=session)[0].purged
    with pytest.raises(Conflict) as refused:
        programme.reopen_cohort(admin, session=session, cohort_id=cohort.id)
    assert refused.value.key == "cohort.reopen.purged"
    assert programme.purge_due_cohorts(session, today=TODAY + timedelta(days=1)) == []


def test_a_reopened_cohort_is_not_purged(session, admin, cohort, year):
    programme.close_cohort(admin, session=session, cohort_id=cohort.id, deletion_on=TODAY, today=TODAY)
    programme.reopen_cohort(admin, session=session, cohort_id=cohort.id)
    session.commit()
    assert programme.purge_due_cohorts(session, today=TODAY + timedelta(days=400)) == []
    assert session.exec(select(sa.func.count()).select_from(Document)).one() == 6


def test_every_table_is_accounted_for():
    """A new table holding people's text must be considered by leaving.py (deleting an account, purging
    a cohort): this list is the reminder."""
    assert {t.name for t in SQLModel.metadata.sorted_tables} == {
        "installation", "users", "auth_sessions", "login_attempts", "cohorts", "themes", "gatherings",
        "reflection_groups", "cohort_memberships", "invite_codes", "documents", "document_revisions", "drafts",
        "note_actions", "note_themes", "shares", "shared_versions", "comments", "share_seen",
        "literature_references", "note_citations", "exam_drafts", "exam_contributions", "exam_templates",
        "name_replacements", "calendar_feeds", "reminder_preferences", "sent_reminders",
        # No text in it (services/audit.py); deleting an account deletes the person's own events.
        "audit_events",
        # A sign-in with Feide under way: an unknown person's name and e-mail for at most 15 minutes, emptied
        # when they link and deleted by purge-old-records. The link itself goes with the account (leaving.py).
        "oidc_logins", "user_identities",
    }
