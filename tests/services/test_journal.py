"""The participant's journal as they use it: the challenge and its history, saves that never overwrite
each other, template switches that lose nothing, drafts, actions and their log entries, notes linked to
actions and themes, the bin, search and the start page."""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from ledpro_journal.models import ActionStatus, Document, DocumentKind, DocumentRevision, Draft
from ledpro_journal.services import journal, programme
from ledpro_journal.services.errors import Conflict, Invalid, NotFound
from ledpro_journal.services.journal import Filters, Links
from ledpro_journal.templates import TEMPLATES, kept_fields
from tests.helpers import make_cohort, make_member

ACTION, LOG, NOTE, CHALLENGE = DocumentKind.ACTION, DocumentKind.LOG, DocumentKind.NOTE, DocumentKind.CHALLENGE


@pytest.fixture
def kari(session, admin, cohort):
    return make_member(session, admin, cohort.id, "kari")


@pytest.fixture
def gatherings(session, admin, cohort):
    return programme.list_gatherings(admin, session=session, cohort_id=cohort.id)


@pytest.fixture
def themes(session, admin, cohort):
    return programme.list_themes(admin, session=session, cohort_id=cohort.id)


# --- small builders ------------------------------------------------------------------------------------


def new(session, who, kind, **kwargs) -> Document:
    document = journal.create_document(who, session=session, kind=kind, **kwargs)
    session.commit()
    return document


def save(session, who, document, fields, **kwargs) -> Document:
    saved = journal.save_document(
        who, session=session, document_id=document.id, base_version=document.version, fields=fields, **kwargs
    )
    session.commit()
    return saved


def write(session, who, kind, fields, **kwargs) -> Document:
    """Creates and saves once (what the participant does when they press Save on a new page)."""
    create_args = {k: kwargs.pop(k) for k in ("template", "parent_id") if k in kwargs}
    if "gathering_id" in kwargs and kind in (ACTION, NOTE):
        create_args["gathering_id"] = kwargs["gathering_id"]
    document = new(session, who, kind, **create_args)
    return save(session, who, document, fields, **kwargs)


def stored(session, document_id) -> Document:
    """The document as the database has it, not as the session remembers it."""
    session.expire_all()
    return session.get(Document, document_id)


def fields_of(excinfo) -> set[str]:
    return set(excinfo.value.errors)


def ids(rows) -> list[int]:
    return [row.id for row in rows]


# --- the challenge and its history -----------------------------------------------------------------------


def test_my_challenge_is_created_empty_once_and_then_returned(session, kari):
    first = journal.my_challenge(kari, session=session)
    session.commit()
    assert (first.kind, first.template, first.version, first.fields) == (CHALLENGE, "A", 0, {})
    again = journal.my_challenge(kari, session=session)
    assert again.id == first.id
    count = session.exec(select(Document).where(Document.owner_id == kari.id)).all()
    assert len(count) == 1
    # Asking for a new challenge explicitly also gives back the one that exists.
    assert journal.create_document(kari, session=session, kind=CHALLENGE).id == first.id


def test_every_save_is_a_new_version_kept_in_history_newest_first(session, kari):
    challenge = journal.my_challenge(kari, session=session)
    texts = ["Møtene våre drar ut", "Møtene våre drar ut i tid", "Ingen tar ansvar for møtene"]
    for number, text in enumerate(texts, start=1):
        challenge = save(session, kari, challenge, {"title": "Møtekultur", "context": text})
        assert challenge.version == number
    assert stored(session, challenge.id).fields == {"title": "Møtekultur", "context": texts[-1]}
    revisions = journal.list_revisions(kari, session=session, document_id=challenge.id)
    assert [r.version for r in revisions] == [3, 2, 1]
    assert [r.template for r in revisions] == ["A", "A", "A"]
    assert [r.word_count for r in revisions] == [1 + 5, 1 + 6, 1 + 4]
    assert revisions[0].saved_at >= revisions[1].saved_at >= revisions[2].saved_at
    for number, text in enumerate(texts, start=1):
        revision = journal.get_revision(kari, session=session, document_id=challenge.id, version=number)
        assert revision.fields == {"title": "Møtekultur", "context": text}
    with pytest.raises(NotFound):
        journal.get_revision(kari, session=session, document_id=challenge.id, version=4)


def test_restoring_a_revision_makes_a_new_version_and_loses_nothing(session, kari):
    challenge = journal.my_challenge(kari, session=session)
    save(session, kari, challenge, {"title": "Første", "context": "Slik det var"})
    save(session, kari, challenge, {"title": "Andre", "context": "Slik det ble"})
    restored = journal.restore_revision(kari, session=session, document_id=challenge.id, version=1, base_version=2)
    session.commit()
    assert restored.version == 3
    assert stored(session, challenge.id).fields == {"title": "Første", "context": "Slik det var"}
    assert stored(session, challenge.id).title == "Første"
    assert [r.version for r in journal.list_revisions(kari, session=session, document_id=challenge.id)] == [3, 2, 1]
    # The version that was current before the restore is still there, word for word.
    replaced = journal.get_revision(kari, session=session, document_id=challenge.id, version=2)
    assert replaced.fields == {"title": "Andre", "context": "Slik det ble"}


def test_restoring_clears_fields_the_old_version_did_not_have(session, kari):
    challenge = journal.my_challenge(kari, session=session)
    save(session, kari, challenge, {"context": "Bare kontekst"})
    save(session, kari, challenge, {"why_now": "Budsjettet kuttes", "my_part": "Jeg unngår konflikten"})
    assert set(stored(session, challenge.id).fields) == {"context", "why_now", "my_part"}
    journal.restore_revision(kari, session=session, document_id=challenge.id, version=1, base_version=2)
    session.commit()
    assert stored(session, challenge.id).fields == {"context": "Bare kontekst"}
    assert "Budsjettet" not in stored(session, challenge.id).search_text.lower() + stored(session, challenge.id).excerpt


def test_restore_from_a_stale_page_is_a_conflict(session, kari):
    challenge = journal.my_challenge(kari, session=session)
    save(session, kari, challenge, {"context": "én"})
    save(session, kari, challenge, {"context": "to"})
    with pytest.raises(Conflict) as excinfo:
        journal.restore_revision(kari, session=session, document_id=challenge.id, version=1, base_version=1)
    assert excinfo.value.key == "journal.conflict"
    assert stored(session, challenge.id).fields == {"context": "to"}


def test_the_challenge_cannot_be_deleted(session, kari):
    challenge = save(session, kari, journal.my_challenge(kari, session=session), {"context": "Viktig"})
    with pytest.raises(Conflict) as excinfo:
        journal.delete_document(kari, session=session, document_id=challenge.id)
    assert excinfo.value.key == "journal.challenge_not_deletable"
    assert stored(session, challenge.id).deleted_at is None


# --- two tabs: conflicts ---------------------------------------------------------------------------------


def test_second_save_from_the_same_version_is_a_conflict_and_the_first_text_survives(session, kari):
    note = new(session, kari, NOTE)
    journal.save_document(kari, session=session, document_id=note.id, base_version=0,
                          fields={"description": "Skrevet i fanen på laptopen"})
    session.commit()
    with pytest.raises(Conflict) as excinfo:
        journal.save_document(kari, session=session, document_id=note.id, base_version=0,
                              fields={"description": "Skrevet på mobilen på toget"})
    session.rollback()
    assert excinfo.value.key == "journal.conflict"
    assert excinfo.value.params == {"version": 1}
    current = stored(session, note.id)
    assert current.version == 1
    assert current.fields == {"description": "Skrevet i fanen på laptopen"}
    assert [r.version for r in journal.list_revisions(kari, session=session, document_id=note.id)] == [1]
    # Saving again from the version the conflict named works.
    journal.save_document(kari, session=session, document_id=note.id, base_version=1,
                          fields={"description": "Skrevet på mobilen på toget"})
    session.commit()
    assert stored(session, note.id).version == 2


def test_two_tabs_saving_at_the_same_moment_get_a_conflict_not_an_error(engine, session, kari):
    """Tab A has written its version but not committed yet when tab B, based on the same version, saves."""
    note = write(session, kari, NOTE, {"description": "Første versjon"})
    a_written, b_started = threading.Event(), threading.Event()
    failures = []

    def tab_a():
        try:
            with Session(engine, expire_on_commit=False) as other:
                journal.save_document(kari, session=other, document_id=note.id, base_version=1,
                                      fields={"description": "Fra fane A"})
                a_written.set()
                b_started.wait(5)
                time.sleep(0.5)  # B is now waiting for A's row
                other.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            a_written.set()
            failures.append(exc)

    thread = threading.Thread(target=tab_a)
    thread.start()
    assert a_written.wait(5)
    with Session(engine, expire_on_commit=False) as tab_b:
        b_started.set()
        with pytest.raises(Conflict) as excinfo:
            journal.save_document(kari, session=tab_b, document_id=note.id, base_version=1,
                                  fields={"description": "Fra fane B"})
        tab_b.rollback()
    thread.join(10)
    assert failures == []
    assert excinfo.value.key == "journal.conflict"
    assert stored(session, note.id).fields == {"description": "Fra fane A"}
    assert stored(session, note.id).version == 2
    assert [r.version for r in journal.list_revisions(kari, session=session, document_id=note.id)] == [2, 1]


# --- switching template ----------------------------------------------------------------------------------


def test_switching_a_gibbs_note_to_driscoll_keeps_the_gibbs_text(session, kari):
    note = write(session, kari, NOTE, {"title": "Personalmøtet", "description": "Det ble stille",
                                      "analysis": "Kamp/flukt i lys av Bion"}, template="D1")
    save(session, kari, note, {"title": "Personalmøtet", "what": "Jeg la fram planen"}, template="D2")
    current = stored(session, note.id)
    assert current.template == "D2"
    assert current.fields == {"title": "Personalmøtet", "description": "Det ble stille",
                              "analysis": "Kamp/flukt i lys av Bion", "what": "Jeg la fram planen"}
    assert kept_fields(TEMPLATES["D2"], current.fields) == ["description", "analysis"]
    assert "bion" in current.search_text
    # Back to Gibbs: the Gibbs questions have their text again, and the Driscoll answer is kept aside.
    save(session, kari, current, {}, template="D1")
    back = stored(session, note.id)
    assert back.template == "D1"
    assert back.fields["description"] == "Det ble stille"
    assert back.fields["analysis"] == "Kamp/flukt i lys av Bion"
    assert kept_fields(TEMPLATES["D1"], back.fields) == ["what"]
    revisions = journal.list_revisions(kari, session=session, document_id=note.id)
    assert [r.template for r in revisions] == ["D1", "D2", "D1"]


def test_fields_that_mean_the_same_carry_over_between_templates(session, kari):
    assert "feelings" in TEMPLATES["C"].fields and "feelings" in TEMPLATES["D1"].fields
    assert kept_fields(TEMPLATES["D1"], {"feelings": "Utrygg", "surprises": "Alle var enige"}) == ["surprises"]
    note = write(session, kari, NOTE, {"hypothesis": "Avhengighet av lederen", "stirred": "Irritasjon"},
                 template="E")
    save(session, kari, note, {}, template="F")
    current = stored(session, note.id)
    assert "hypothesis" in TEMPLATES["F"].fields
    assert current.fields["hypothesis"] == "Avhengighet av lederen"
    # The shared field is shown in F's own question, not among the kept ones.
    assert kept_fields(TEMPLATES["F"], current.fields) == ["stirred"]
    assert kept_fields(TEMPLATES["F"], {"title": "T", "free_text": "fri", "hypothesis": "h", "blank": "  "}) == []


def test_a_template_of_another_kind_or_an_unknown_field_is_refused(session, kari):
    note = write(session, kari, NOTE, {"description": "Før"})
    with pytest.raises(Invalid) as excinfo:
        journal.save_document(kari, session=session, document_id=note.id, base_version=1,
                              fields={"description": "Etter"}, template="A")
    assert fields_of(excinfo) == {"template"}
    with pytest.raises(Invalid) as excinfo:
        journal.save_document(kari, session=session, document_id=note.id, base_version=1,
                              fields={"description": "Etter", "password": "x"})
    assert fields_of(excinfo) == {"password"}
    with pytest.raises(Invalid):
        journal.create_document(kari, session=session, kind=NOTE, template="C")
    session.rollback()
    assert stored(session, note.id).fields == {"description": "Før"}
    assert stored(session, note.id).version == 1


def test_a_field_emptied_on_save_is_gone_from_the_note_but_not_from_history(session, kari):
    note = write(session, kari, NOTE, {"description": "Skal bort", "feelings": "Blir"})
    save(session, kari, note, {"description": ""})
    assert stored(session, note.id).fields == {"feelings": "Blir"}
    first = journal.get_revision(kari, session=session, document_id=note.id, version=1)
    assert first.fields["description"] == "Skal bort"


# --- drafts ----------------------------------------------------------------------------------------------


def test_a_draft_keeps_typed_text_and_the_version_it_was_based_on(session, kari):
    note = write(session, kari, NOTE, {"description": "Lagret"})
    assert journal.drafts_for(kari, session=session, document_id=note.id) is None
    journal.save_draft(kari, session=session, document_id=note.id, field="description", text="Lagret, og mer",
                       base_version=1)
    journal.save_draft(kari, session=session, document_id=note.id, field="feelings", text="Usikker", base_version=1)
    session.commit()
    state = journal.drafts_for(kari, session=session, document_id=note.id)
    assert state.texts == {"description": "Lagret, og mer", "feelings": "Usikker"}
    assert state.base_version == 1
    # The saved note itself is untouched until the participant saves.
    assert stored(session, note.id).fields == {"description": "Lagret"}
    # Typing on: the same field's draft is replaced, not duplicated.
    journal.save_draft(kari, session=session, document_id=note.id, field="description", text="Lagret, og enda mer",
                       base_version=1)
    session.commit()
    assert journal.drafts_for(kari, session=session, document_id=note.id).texts["description"] == "Lagret, og enda mer"
    assert len(session.exec(select(Draft).where(Draft.document_id == note.id)).all()) == 2


def test_saving_clears_the_drafts(session, kari):
    note = new(session, kari, NOTE)
    journal.save_draft(kari, session=session, document_id=note.id, field="description", text="Utkast", base_version=0)
    session.commit()
    assert journal.drafts_for(kari, session=session, document_id=note.id).texts == {"description": "Utkast"}
    save(session, kari, note, {"description": "Utkast"})
    assert journal.drafts_for(kari, session=session, document_id=note.id) is None


def test_discarding_drafts_keeps_the_saved_text(session, kari):
    note = write(session, kari, NOTE, {"description": "Lagret"})
    journal.save_draft(kari, session=session, document_id=note.id, field="description", text="Vil ikke ha",
                       base_version=1)
    journal.discard_drafts(kari, session=session, document_id=note.id)
    session.commit()
    assert journal.drafts_for(kari, session=session, document_id=note.id) is None
    assert stored(session, note.id).fields == {"description": "Lagret"}


def test_a_draft_equal_to_the_saved_text_is_removed_not_kept(session, kari):
    note = write(session, kari, NOTE, {"description": "Lagret"})
    journal.save_draft(kari, session=session, document_id=note.id, field="description", text="Lagret!", base_version=1)
    session.commit()
    # The writer deletes the "!" again: nothing unsaved remains.
    journal.save_draft(kari, session=session, document_id=note.id, field="description", text="Lagret", base_version=1)
    session.commit()
    assert journal.drafts_for(kari, session=session, document_id=note.id) is None
    # The same text as saved, even from a page based on an older version, holds nothing unsaved either.
    save(session, kari, note, {"description": "Nyere"})
    journal.save_draft(kari, session=session, document_id=note.id, field="description", text="Nyere", base_version=1)
    session.commit()
    assert journal.drafts_for(kari, session=session, document_id=note.id) is None


def test_a_draft_sent_while_its_text_is_being_saved_leaves_nothing_behind(engine, session, kari):
    """Lagre sends the field's text as a draft at the same moment as the save: the draft must see the save
    it raced with, or it stays behind naming the old version, and the tab's next save looks like a conflict."""
    note = write(session, kari, NOTE, {"description": "Første"})
    with Session(engine, expire_on_commit=False) as saving:
        journal.save_document(kari, session=saving, document_id=note.id, base_version=1,
                              fields={"description": "Andre"})
        # The save holds its write; the draft of the same text arrives now, from the same tab.
        outcome = {}

        def send_draft():
            with Session(engine, expire_on_commit=False) as drafting:
                journal.save_draft(kari, session=drafting, document_id=note.id, field="description", text="Andre",
                                   base_version=1)
                drafting.commit()
                outcome["done"] = True

        sender = threading.Thread(target=send_draft)
        sender.start()
        time.sleep(0.3)
        assert "done" not in outcome  # it waits for the save rather than reading around it
        saving.commit()
        sender.join(timeout=15)
    assert outcome == {"done": True}
    session.expire_all()
    assert session.exec(select(Draft).where(Draft.document_id == note.id)).all() == []
    assert journal.drafts_for(kari, session=session, document_id=note.id) is None
    # And the same tab's next save is a plain save, from the version it knows.
    assert save(session, kari, stored(session, note.id), {"description": "Tredje"}).version == 3


def test_a_leftover_draft_of_the_saved_text_does_not_hold_the_page_at_an_old_version(session, kari):
    note = write(session, kari, NOTE, {"description": "Lagret"})
    save(session, kari, note, {"description": "Lagret igjen"})
    # Left by an earlier release: the saved text, naming version 1.
    session.add(Draft(document_id=note.id, field="description", text="Lagret igjen", base_version=1))
    session.commit()
    assert journal.drafts_for(kari, session=session, document_id=note.id) is None


def test_a_save_in_one_tab_keeps_what_another_tab_typed_but_did_not_save(session, kari):
    note = write(session, kari, NOTE, {"description": "Start"})
    # Tab B types (its draft reaches the server), then tab A saves other text.
    journal.save_draft(kari, session=session, document_id=note.id, field="description", text="Fra fane B",
                       base_version=1)
    journal.save_draft(kari, session=session, document_id=note.id, field="analysis", text="Fane A", base_version=1)
    save(session, kari, note, {"description": "Fra fane A", "analysis": "Fane A"})
    drafts = journal.drafts_for(kari, session=session, document_id=note.id)
    assert drafts.texts == {"description": "Fra fane B"}  # A's own draft is saved and gone; B's waits
    assert drafts.base_version == 1  # so B's save is a conflict, shown, not an overwrite


def test_a_draft_for_an_unknown_field_is_refused(session, kari):
    note = new(session, kari, NOTE)
    with pytest.raises(Invalid) as excinfo:
        journal.save_draft(kari, session=session, document_id=note.id, field="no_such_field", text="x", base_version=0)
    assert fields_of(excinfo) == {"no_such_field"}
    assert journal.drafts_for(kari, session=session, document_id=note.id) is None


# --- actions and their log entries ----------------------------------------------------------------------


def test_a_new_action_is_planned_and_placed_after_a_gathering(session, kari, gatherings):
    action = write(session, kari, ACTION, {"title": "Stående møter", "purpose": "Kortere møter"},
                   gathering_id=gatherings[1].id, happened_on=date(2024, 4, 20))
    current = stored(session, action.id)
    assert (current.status, current.gathering_id, current.happened_on) == (
        ActionStatus.PLANNED, gatherings[1].id, date(2024, 4, 20),
    )
    assert current.title == "Stående møter"
    # Before the first gathering: no gathering.
    early = write(session, kari, ACTION, {"title": "Tidlig"})
    assert stored(session, early.id).gathering_id is None


def test_a_gathering_of_another_cohort_is_refused(session, admin, kari):
    other = make_cohort(session, admin, "LEDPRO 2025")
    foreign = programme.list_gatherings(admin, session=session, cohort_id=other.id)[0]
    with pytest.raises(Invalid) as excinfo:
        journal.create_document(kari, session=session, kind=ACTION, gathering_id=foreign.id)
    assert fields_of(excinfo) == {"gathering_id"}
    action = new(session, kari, ACTION)
    with pytest.raises(Invalid) as excinfo:
        journal.save_document(kari, session=session, document_id=action.id, base_version=0,
                              fields={"title": "x"}, gathering_id=foreign.id)
    assert fields_of(excinfo) == {"gathering_id"}
    with pytest.raises(Invalid):
        journal.create_document(kari, session=session, kind=NOTE, gathering_id=foreign.id)
    session.rollback()
    assert stored(session, action.id).gathering_id is None


def test_a_log_entry_belongs_to_its_action_and_sets_its_status(session, kari, gatherings):
    action = write(session, kari, ACTION, {"title": "Ny møtestruktur"}, gathering_id=gatherings[0].id)
    log = new(session, kari, LOG, parent_id=action.id)
    assert (log.parent_id, log.status, log.template) == (action.id, ActionStatus.PLANNED, "C")
    save(session, kari, log, {"planned_vs_done": "Prøvde det på mandag"}, status=ActionStatus.IN_PROGRESS,
         happened_on=date(2024, 3, 4))
    assert stored(session, action.id).status == ActionStatus.IN_PROGRESS
    second = write(session, kari, LOG, {"next_step": "Evaluere"}, parent_id=action.id,
                   status=ActionStatus.DONE, happened_on=date(2024, 3, 11))
    assert stored(session, action.id).status == ActionStatus.DONE
    assert stored(session, second.id).status == ActionStatus.DONE
    # A log saved without a status leaves the action as it is.
    save(session, kari, stored(session, log.id), {"surprises": "Ingen"}, happened_on=date(2024, 3, 4))
    assert stored(session, action.id).status == ActionStatus.DONE
    logs = journal.list_logs(kari, session=session, action_id=action.id)
    assert ids(logs) == [second.id, log.id]
    assert [row.happened_on for row in logs] == [date(2024, 3, 11), date(2024, 3, 4)]
    assert all(row.parent_id == action.id for row in logs)


def test_the_action_status_follows_its_newest_log_entry_not_a_corrected_older_one(session, kari, gatherings):
    action = write(session, kari, ACTION, {"title": "Ny møtestruktur"}, gathering_id=gatherings[0].id)
    first = write(session, kari, LOG, {"planned_vs_done": "Startet"}, parent_id=action.id,
                  status=ActionStatus.IN_PROGRESS, happened_on=date(2024, 3, 4))
    last = write(session, kari, LOG, {"planned_vs_done": "Ferdig"}, parent_id=action.id,
                 status=ActionStatus.DONE, happened_on=date(2024, 3, 11))
    assert stored(session, action.id).status == ActionStatus.DONE
    # Correcting the first entry keeps its own status and leaves the action where the newest entry put it.
    save(session, kari, stored(session, first.id), {"planned_vs_done": "Startet, med en rettelse"},
         status=ActionStatus.IN_PROGRESS, happened_on=date(2024, 3, 4))
    assert stored(session, action.id).status == ActionStatus.DONE
    assert stored(session, first.id).status == ActionStatus.IN_PROGRESS
    # Two entries on one day: the one written last is the newest.
    same_day = write(session, kari, LOG, {"planned_vs_done": "Tok det opp igjen"}, parent_id=action.id,
                     status=ActionStatus.IN_PROGRESS, happened_on=date(2024, 3, 11))
    assert stored(session, action.id).status == ActionStatus.IN_PROGRESS
    save(session, kari, stored(session, last.id), {"planned_vs_done": "Ferdig, rettet"}, status=ActionStatus.DONE,
         happened_on=date(2024, 3, 11))
    assert stored(session, action.id).status == ActionStatus.IN_PROGRESS
    # Moving an older entry's date past the others makes it the newest, and its status the action's.
    save(session, kari, stored(session, first.id), {}, status=ActionStatus.DROPPED, happened_on=date(2024, 4, 1))
    assert stored(session, action.id).status == ActionStatus.DROPPED
    # The participant's own choice on the action itself still decides.
    save(session, kari, stored(session, action.id), {}, status=ActionStatus.DONE, gathering_id=gatherings[0].id)
    assert stored(session, action.id).status == ActionStatus.DONE
    assert stored(session, same_day.id).status == ActionStatus.IN_PROGRESS


def test_a_log_needs_one_of_my_actions_as_parent(session, kari):
    note = write(session, kari, NOTE, {"description": "Ikke en aksjon"})
    for parent_id in (None, note.id):
        with pytest.raises(Invalid) as excinfo:
            journal.create_document(kari, session=session, kind=LOG, parent_id=parent_id)
        assert fields_of(excinfo) == {"parent_id"}
    with pytest.raises(NotFound):
        journal.create_document(kari, session=session, kind=LOG, parent_id=10**6)


def test_actions_are_listed_by_date_undated_last(session, kari):
    late = write(session, kari, ACTION, {"title": "Sent"}, happened_on=date(2024, 9, 1))
    undated = write(session, kari, ACTION, {"title": "Udatert"})
    early = write(session, kari, ACTION, {"title": "Tidlig"}, happened_on=date(2024, 3, 1))
    middle = write(session, kari, ACTION, {"title": "Midt"}, happened_on=date(2024, 5, 1))
    write(session, kari, NOTE, {"title": "Ikke en aksjon"})
    rows = journal.list_actions(kari, session=session)
    assert ids(rows) == [early.id, middle.id, late.id, undated.id]
    assert [row.title for row in rows] == ["Tidlig", "Midt", "Sent", "Udatert"]


# --- notes linked to actions and themes -------------------------------------------------------------------


def test_a_note_links_to_my_actions_and_my_cohorts_themes(session, kari, themes):
    first = write(session, kari, ACTION, {"title": "A1"})
    second = write(session, kari, ACTION, {"title": "A2"})
    note = write(session, kari, NOTE, {"description": "Om begge"},
                 links=Links(action_ids=(second.id, first.id), theme_ids=(themes[2].id,)))
    links = journal.note_links(kari, session=session, note_id=note.id)
    assert sorted(links.action_ids) == sorted([first.id, second.id])
    assert links.theme_ids == (themes[2].id,)
    # Saving without links leaves them; saving with links replaces them.
    save(session, kari, note, {"description": "Om begge, mer"})
    assert sorted(journal.note_links(kari, session=session, note_id=note.id).action_ids) == sorted(
        [first.id, second.id])
    save(session, kari, note, {}, links=Links(action_ids=(first.id,), theme_ids=()))
    assert journal.note_links(kari, session=session, note_id=note.id) == Links(action_ids=(first.id,), theme_ids=())


def test_linking_someone_elses_action_or_another_cohorts_theme_is_refused(session, admin, cohort, kari, themes):
    ola = make_member(session, admin, cohort.id, "ola")
    olas_action = write(session, ola, ACTION, {"title": "Olas aksjon"})
    other = make_cohort(session, admin, "LEDPRO 2025")
    foreign_theme = programme.list_themes(admin, session=session, cohort_id=other.id)[0]
    mine = write(session, kari, ACTION, {"title": "Min"})
    note = write(session, kari, NOTE, {"description": "Notat"},
                 links=Links(action_ids=(mine.id,), theme_ids=(themes[0].id,)))
    for links, field in (
        (Links(action_ids=(mine.id, olas_action.id)), "action_ids"),
        (Links(action_ids=(note.id,)), "action_ids"),  # a note is not an action
        (Links(theme_ids=(themes[0].id, foreign_theme.id)), "theme_ids"),
        (Links(theme_ids=(10**6,)), "theme_ids"),
    ):
        with pytest.raises(Invalid) as excinfo:
            journal.save_document(kari, session=session, document_id=note.id, base_version=1,
                                  fields={"description": "Endret"}, links=links)
        assert fields_of(excinfo) == {field}
        session.rollback()
    assert journal.note_links(kari, session=session, note_id=note.id) == Links((mine.id,), (themes[0].id,))
    assert stored(session, note.id).fields == {"description": "Notat"}


# --- the bin --------------------------------------------------------------------------------------------


def test_deleting_moves_to_the_bin_and_restoring_brings_it_back(session, kari):
    note = write(session, kari, NOTE, {"title": "Til søpla", "description": "Innhold"})
    journal.delete_document(kari, session=session, document_id=note.id)
    session.commit()
    assert ids(journal.find(kari, session=session, filters=Filters())[0]) == []
    assert ids(journal.list_bin(kari, session=session)) == [note.id]
    with pytest.raises(NotFound):
        journal.get_document(kari, session=session, document_id=note.id)
    journal.restore_document(kari, session=session, document_id=note.id)
    session.commit()
    assert ids(journal.find(kari, session=session, filters=Filters())[0]) == [note.id]
    assert journal.list_bin(kari, session=session) == []
    assert journal.get_document(kari, session=session, document_id=note.id).fields["description"] == "Innhold"


def test_an_action_takes_its_logs_to_the_bin_and_back(session, kari):
    action = write(session, kari, ACTION, {"title": "Aksjon"})
    kept_log = write(session, kari, LOG, {"planned_vs_done": "Logg 1"}, parent_id=action.id)
    earlier_binned = write(session, kari, LOG, {"planned_vs_done": "Logg 2"}, parent_id=action.id)
    journal.delete_document(kari, session=session, document_id=earlier_binned.id)
    session.commit()
    journal.delete_document(kari, session=session, document_id=action.id)
    session.commit()
    assert set(ids(journal.list_bin(kari, session=session))) == {action.id, kept_log.id, earlier_binned.id}
    assert journal.find(kari, session=session, filters=Filters())[1] == 0
    with pytest.raises(NotFound):
        journal.list_logs(kari, session=session, action_id=action.id)

    # A log cannot come back while its action is in the bin.
    with pytest.raises(Conflict) as excinfo:
        journal.restore_document(kari, session=session, document_id=kept_log.id)
    assert excinfo.value.key == "journal.restore_action_first"
    session.rollback()
    assert stored(session, kept_log.id).deleted_at is not None

    journal.restore_document(kari, session=session, document_id=action.id)
    session.commit()
    # The log deleted with the action is back; the one deleted before it stays in the bin.
    assert ids(journal.list_logs(kari, session=session, action_id=action.id)) == [kept_log.id]
    assert ids(journal.list_bin(kari, session=session)) == [earlier_binned.id]
    journal.restore_document(kari, session=session, document_id=earlier_binned.id)
    session.commit()
    assert set(ids(journal.list_logs(kari, session=session, action_id=action.id))) == {kept_log.id, earlier_binned.id}


def test_the_bin_is_emptied_after_30_days_only(session, kari):
    old = write(session, kari, ACTION, {"title": "Gammel"})
    old_log = write(session, kari, LOG, {"planned_vs_done": "Gammel logg"}, parent_id=old.id)
    recent = write(session, kari, NOTE, {"title": "Nylig"})
    alive = write(session, kari, NOTE, {"title": "Ikke slettet"})
    old_id, old_log_id = old.id, old_log.id
    journal.delete_document(kari, session=session, document_id=old.id)
    journal.delete_document(kari, session=session, document_id=recent.id)
    session.commit()
    deleted_at = stored(session, old.id).deleted_at
    # 29 days later nothing is purged.
    assert journal.purge_bin(session, now=deleted_at + timedelta(days=29)) == 0
    session.commit()
    assert len(journal.list_bin(kari, session=session)) == 3
    # The recent note was deleted "today"; the action and its log 31 days ago.
    stored(session, recent.id).deleted_at = deleted_at + timedelta(days=20)
    session.commit()
    # (The count may leave out log entries that went with their action.)
    assert journal.purge_bin(session, now=deleted_at + timedelta(days=31)) >= 1
    session.commit()
    session.expire_all()
    remaining = set(session.exec(select(Document.id).where(Document.owner_id == kari.id)))
    assert old_id not in remaining and old_log_id not in remaining
    assert {recent.id, alive.id} <= remaining
    assert ids(journal.list_bin(kari, session=session)) == [recent.id]
    assert session.exec(select(DocumentRevision).where(DocumentRevision.document_id == old_id)).all() == []


def test_opening_ones_bin_empties_ones_own_expired_items_and_nobody_elses(session, admin, cohort, kari):
    per = make_member(session, admin, cohort.id, "per")
    mine = write(session, kari, NOTE, {"title": "Mitt gamle"})
    theirs = write(session, per, NOTE, {"title": "Pers gamle"})
    for who, note in ((kari, mine), (per, theirs)):
        journal.delete_document(who, session=session, document_id=note.id)
    session.commit()
    later = stored(session, mine.id).deleted_at + timedelta(days=31)
    assert journal.list_bin(kari, session=session, now=later) == []
    session.commit()
    session.expire_all()
    assert session.get(Document, mine.id) is None
    assert session.get(Document, theirs.id) is not None
    assert [row.id for row in journal.list_bin(per, session=session)] == [theirs.id]


# --- finding things -----------------------------------------------------------------------------------------


def test_find_filters_by_kind_template_period_theme_and_action(session, kari, gatherings, themes):
    g1, g2 = gatherings[0].id, gatherings[1].id
    early_action = write(session, kari, ACTION, {"title": "Før første samling"})
    action = write(session, kari, ACTION, {"title": "Etter samling 2"}, gathering_id=g2)
    log = write(session, kari, LOG, {"planned_vs_done": "Gjort"}, parent_id=action.id)
    gibbs = write(session, kari, NOTE, {"description": "Gibbs"}, template="D1", gathering_id=g2,
                  links=Links(action_ids=(action.id,), theme_ids=(themes[1].id,)))
    driscoll = write(session, kari, NOTE, {"what": "Driscoll"}, template="D2", gathering_id=g1,
                     links=Links(theme_ids=(themes[0].id,)))
    free = write(session, kari, NOTE, {"free_text": "Fritt"}, template="G")
    write(session, kari, CHALLENGE, {"context": "Utfordringen"})

    def found(**kwargs):
        rows, total = journal.find(kari, session=session, filters=Filters(**kwargs))
        assert total == len(rows)
        return set(ids(rows))

    assert found() == {early_action.id, action.id, log.id, gibbs.id, driscoll.id, free.id}
    assert found(kinds=(NOTE,)) == {gibbs.id, driscoll.id, free.id}
    assert found(kinds=(ACTION,)) == {early_action.id, action.id}
    assert found(kinds=(LOG,)) == {log.id}
    assert found(template="D2") == {driscoll.id}
    assert found(period=g2) == {action.id, gibbs.id, log.id}
    assert found(period=g1) == {driscoll.id}
    assert found(period=0) == {early_action.id, free.id}
    # A log entry is in its action's period, wherever it is moved.
    early_log = write(session, kari, LOG, {"planned_vs_done": "Tidlig"}, parent_id=early_action.id)
    assert found(period=0) == {early_action.id, free.id, early_log.id}
    assert found(period=g2, kinds=(LOG,)) == {log.id}
    save(session, kari, action, {}, gathering_id=g1)
    assert found(period=g1, kinds=(ACTION, LOG)) == {action.id, log.id}
    assert found(period=g2) == {gibbs.id}
    assert found(theme_id=themes[1].id) == {gibbs.id}
    assert found(theme_id=themes[3].id) == set()
    # An action: itself, its log entries, and the notes that reflect on it.
    assert found(action_id=action.id) == {action.id, log.id, gibbs.id}
    assert found(action_id=action.id, kinds=(NOTE,)) == {gibbs.id}


def test_text_search_ignores_case_needs_every_word_and_takes_wildcards_literally(session, kari):
    a = write(session, kari, NOTE, {"title": "Møte med LEDERGRUPPA", "description": "Det handlet om Økonomi"})
    b = write(session, kari, NOTE, {"description": "Ledergruppa diskuterte kutt på 50% i budsjettet"})
    c = write(session, kari, NOTE, {"description": "Vi nådde 50 x målet; felt_navn og blå ærfugl"})
    d = write(session, kari, NOTE, {"description": "Søket skal finne \\ og ingenting annet"})

    def search(query):
        rows, total = journal.find(kari, session=session, filters=Filters(query=query))
        assert total == len(rows)
        return set(ids(rows))

    assert search("ledergruppa") == {a.id, b.id}
    assert search("LederGruppa økonomi") == {a.id}  # every word must match, in any field
    assert search("møte ØKONOMI") == {a.id}
    assert search("BLÅ ÆRFUGL") == {c.id}
    assert search("50%") == {b.id}
    assert search("%") == {b.id}
    assert search("_") == {c.id}
    assert search("felt_navn") == {c.id}
    assert search("felt%navn") == set()
    assert search("\\") == {d.id}
    assert search("   ") == {a.id, b.id, c.id, d.id}
    assert search("finnes-ikke") == set()


def test_find_pages_through_results_with_the_total(session, kari):
    notes = [write(session, kari, NOTE, {"description": f"Notat nummer {n}"}) for n in range(7)]
    newest_first = [n.id for n in reversed(notes)]
    seen = []
    for page in (1, 2, 3):
        rows, total = journal.find(kari, session=session, filters=Filters(), page=page, per_page=3)
        assert total == 7
        seen += ids(rows)
    assert seen == newest_first
    rows, total = journal.find(kari, session=session, filters=Filters(), page=4, per_page=3)
    assert (rows, total) == ([], 7)
    rows, total = journal.find(kari, session=session, filters=Filters(query="nummer"), page=1, per_page=2)
    assert (len(rows), total) == (2, 7)


def test_find_shows_only_my_own_documents_that_are_not_in_the_bin(session, admin, cohort, kari):
    ola = make_member(session, admin, cohort.id, "ola")
    mine = write(session, kari, NOTE, {"description": "felles ord"})
    binned = write(session, kari, NOTE, {"description": "felles ord i søpla"})
    journal.delete_document(kari, session=session, document_id=binned.id)
    olas = write(session, ola, NOTE, {"description": "felles ord fra Ola"})
    assert ids(journal.find(kari, session=session, filters=Filters(query="felles"))[0]) == [mine.id]
    assert ids(journal.find(ola, session=session, filters=Filters(query="felles"))[0]) == [olas.id]


# --- the start page ------------------------------------------------------------------------------------------


def test_a_new_participant_sees_an_empty_start(session, kari, gatherings):
    view = journal.overview(kari, session=session, today=date(2024, 1, 10))
    assert view.is_new
    assert (view.has_challenge, view.action_count, view.log_count, view.note_count) == (False, 0, 0, 0)
    assert view.next_gathering.id == gatherings[0].id
    assert view.current_period is None
    assert view.recently_edited == view.actions_without_log == view.actions_without_reflection == []
    # Opening the challenge page (an empty challenge) is not yet having a challenge.
    journal.my_challenge(kari, session=session)
    assert not journal.overview(kari, session=session, today=date(2024, 1, 10)).has_challenge


def test_counts_rise_as_the_participant_writes(session, kari):
    save(session, kari, journal.my_challenge(kari, session=session), {"context": "Kontekst"})
    action = write(session, kari, ACTION, {"title": "A"})
    write(session, kari, LOG, {"planned_vs_done": "L"}, parent_id=action.id)
    write(session, kari, NOTE, {"description": "N1"})
    write(session, kari, NOTE, {"description": "N2"})
    new(session, kari, NOTE)  # opened, never saved
    binned = write(session, kari, NOTE, {"description": "Slettet"})
    journal.delete_document(kari, session=session, document_id=binned.id)
    view = journal.overview(kari, session=session, today=date(2024, 3, 1))
    assert (view.has_challenge, view.action_count, view.log_count, view.note_count) == (True, 1, 1, 2)
    assert not view.is_new
    assert view.challenge_id == journal.my_challenge(kari, session=session).id


def test_next_gathering_and_current_period(session, kari, gatherings):
    between_2_and_3 = journal.overview(kari, session=session, today=date(2024, 5, 1))
    assert between_2_and_3.next_gathering.number == 3
    assert between_2_and_3.next_gathering.id == gatherings[2].id
    assert between_2_and_3.current_period == gatherings[1].id
    during_3 = journal.overview(kari, session=session, today=date(2024, 5, 16))
    assert during_3.next_gathering.number == 3
    assert during_3.current_period == gatherings[2].id
    after_all = journal.overview(kari, session=session, today=date(2024, 12, 1))
    assert after_all.next_gathering is None
    assert after_all.current_period == gatherings[5].id


def test_what_is_due_actions_without_log_and_without_reflection(session, kari, gatherings):
    g1, g2 = gatherings[0].id, gatherings[1].id
    today = date(2024, 5, 1)  # between gathering 2 and 3: the current period follows gathering 2
    no_log = write(session, kari, ACTION, {"title": "Uten logg"}, gathering_id=g2)
    unsaved_log = write(session, kari, ACTION, {"title": "Logg ikke lagret"}, gathering_id=g2)
    new(session, kari, LOG, parent_id=unsaved_log.id)
    logged = write(session, kari, ACTION, {"title": "Med logg"}, gathering_id=g2)
    write(session, kari, LOG, {"planned_vs_done": "Gjort"}, parent_id=logged.id)
    write(session, kari, ACTION, {"title": "Forrige periode"}, gathering_id=g1)
    write(session, kari, ACTION, {"title": "Droppet"}, gathering_id=g2, status=ActionStatus.DROPPED)
    new(session, kari, ACTION, gathering_id=g2)  # opened, never saved

    view = journal.overview(kari, session=session, today=today)
    assert set(ids(view.actions_without_log)) == {no_log.id, unsaved_log.id}
    assert ids(view.actions_without_reflection) == [logged.id]

    write(session, kari, NOTE, {"description": "Refleksjon"}, links=Links(action_ids=(logged.id,)))
    assert journal.overview(kari, session=session, today=today).actions_without_reflection == []
    write(session, kari, LOG, {"planned_vs_done": "Nå"}, parent_id=no_log.id)
    view = journal.overview(kari, session=session, today=today)
    assert ids(view.actions_without_log) == [unsaved_log.id]
    assert ids(view.actions_without_reflection) == [no_log.id]


def test_recently_edited_shows_the_five_newest_first(session, kari):
    notes = [write(session, kari, NOTE, {"description": f"Notat {n}"}) for n in range(7)]
    save(session, kari, notes[0], {"description": "Notat 0, endret sist"})
    new(session, kari, NOTE)  # never saved: not "edited"
    view = journal.overview(kari, session=session, today=date(2024, 3, 1))
    assert ids(view.recently_edited) == [notes[0].id, notes[6].id, notes[5].id, notes[4].id, notes[3].id]
    assert view.recently_edited[0].excerpt == "Notat 0, endret sist"
