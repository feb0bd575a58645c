"""Leaving: deleting one's account leaves no text of the person's anywhere but in their comments on others'
notes (shown as from a former participant); a document deleted for good takes its shared text with it.
Runs against SQLite and PostgreSQL (the `session` fixture)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel, select

from ledpro_journal.models import (
    Audience,
    AuthSession,
    CalendarFeed,
    CohortMembership,
    Comment,
    Document,
    DocumentKind,
    ExamContribution,
    ExamDraft,
    ReminderPreference,
    Role,
    Share,
    SharedVersion,
    User,
    UserIdentity,
)
from ledpro_journal.services import (
    accounts,
    exam,
    journal,
    leaving,
    literature,
    name_replacements,
    sharing,
)
from ledpro_journal.services.errors import Conflict, Invalid, NotAllowed
from ledpro_journal.services.exam_material import ItemKind, ItemRef
from tests.helpers import PASSWORD, make_admin, make_member

SECRET = "zebrafink"
TODAY = date(2026, 11, 27)


@pytest.fixture
def kari(session, admin, cohort, groups):
    return make_member(session, admin, cohort.id, f"{SECRET}.kari", name=f"Kari {SECRET.title()}",
                       group_id=groups[0].id)


@pytest.fixture
def ola(session, admin, cohort, groups):
    return make_member(session, admin, cohort.id, "ola", name="Ola Peer", group_id=groups[0].id)


@pytest.fixture
def fac(session, admin, cohort):
    return make_member(session, admin, cohort.id, "fagrid", name="Fagrid Facilitator", role=Role.FACILITATOR)


def write(session, who, kind, fields, **kwargs) -> Document:
    document = journal.create_document(who, session=session, kind=kind, **kwargs)
    saved = journal.save_document(who, session=session, document_id=document.id, base_version=0, fields=fields)
    session.commit()
    return saved


def texts_holding(session, word: str) -> set[tuple[str, str]]:
    """(table, column) of every text column in every table that holds `word` in some row."""
    found = set()
    for table in SQLModel.metadata.sorted_tables:
        for column in table.columns:
            if not isinstance(column.type, sa.String | sa.JSON | sa.Text):
                continue
            hits = session.execute(
                sa.select(sa.func.count()).select_from(table)
                .where(sa.func.lower(sa.cast(column, sa.Text)).contains(word.lower()))
            ).scalar_one()
            if hits:
                found.add((table.name, column.name))
    return found


def write_everything(session, kari, ola, fac):
    """Kari writes the secret word into every kind of thing a participant keeps; Ola and the facilitator
    comment on what she shares. Returns Kari's comment on Ola's note (the one thing that stays)."""
    s = SECRET
    user = session.get(User, kari.id)
    user.email = f"{s}@example.no"
    session.add(user)
    accounts.update_profile(kari, session=session, display_name=f"Kari {s}", candidate_number="4711",
                            language="nb", part=1)
    challenge = journal.my_challenge(kari, session=session)
    journal.save_document(kari, session=session, document_id=challenge.id, base_version=0,
                          fields={"title": f"Utfordring {s}", "context": f"Situasjonen {s}"})
    action = write(session, kari, DocumentKind.ACTION, {"title": f"Aksjon {s}", "involved": f"{s} og sjefen"})
    write(session, kari, DocumentKind.LOG, {"observations": f"Loggføring {s}"}, parent_id=action.id)
    note = write(session, kari, DocumentKind.NOTE, {"title": f"Notat {s}", "free_text": f"Første {s}"})
    journal.save_document(kari, session=session, document_id=note.id, base_version=1,
                          fields={"free_text": f"Andre versjon {s}"})
    journal.save_draft(kari, session=session, document_id=note.id, field="free_text", text=f"Kladd {s}", base_version=2)
    binned = write(session, kari, DocumentKind.NOTE, {"title": f"I papirkurven {s}"})
    journal.delete_document(kari, session=session, document_id=binned.id)
    reference = literature.add_reference(kari, session=session, kind="book",
                                         data={"title": f"Bok om {s}", "year": "2020", "publisher": "Forlag",
                                               "authors": [{"family": "Schön", "given": "Donald"}]})
    literature.set_citations(kari, session=session, note_id=note.id, cited=[(reference.id, "45")])
    name_replacements.add_replacement(kari, session=session, name=f"{s.title()}", replacement=f"kollega {s}")
    draft = exam.open_draft(kari, session=session)
    exam.update_settings(kari, session=session, draft_id=draft.id, title=f"Eksamen {s}",
                         problem_statement=f"Problemstilling {s}", include_prompts=True, word_limit=None)
    group_draft = exam.open_draft(kari, session=session, mode=exam.GROUP)
    exam.join_group_draft(kari, session=session, draft_id=group_draft.id)
    exam.save_choices(kari, session=session, draft_id=group_draft.id,
                      choices=[(ItemRef(ItemKind.NOTE, note.id), True)])
    exam.update_settings(kari, session=session, draft_id=group_draft.id, title=f"Gruppas eksamen {s}",
                         problem_statement=f"Vår problemstilling {s}", include_prompts=True, word_limit=None)
    shared_note = sharing.share_document(kari, session=session, document_id=note.id, audience=Audience.GROUP,
                                         replacements={})
    sharing.share_document(kari, session=session, document_id=action.id, audience=Audience.FACILITATORS,
                           replacements={})
    sharing.add_comment(ola, session=session, shared_version_id=shared_note.id, text="Olas kommentar")
    sharing.add_comment(fac, session=session, shared_version_id=shared_note.id, text="Faglærerens kommentar")
    sharing.add_comment(kari, session=session, shared_version_id=shared_note.id, text=f"Svar fra Kari {s}")
    olas_note = write(session, ola, DocumentKind.NOTE, {"title": "Olas notat", "free_text": "Olas tekst"})
    olas_share = sharing.share_document(ola, session=session, document_id=olas_note.id, audience=Audience.GROUP,
                                        replacements={})
    on_olas = sharing.add_comment(kari, session=session, shared_version_id=olas_share.id,
                                  text=f"Karis kommentar {s}")
    sharing.read_share(kari, session=session, share_id=olas_share.share_id)
    session.add(CalendarFeed(user_id=kari.id, token="t" * 40))
    session.add(ReminderPreference(user_id=kari.id, weekly=True))
    session.commit()
    accounts.authenticate(session, username=kari.username, password="feil passord", address="10.0.0.1")
    accounts.start_session(session, kari)
    session.commit()
    return on_olas, shared_note, olas_share


def test_deleting_an_account_leaves_no_text_of_theirs_but_their_comments_on_others_notes(session, kari, ola, fac):
    on_olas, shared_note, olas_share = write_everything(session, kari, ola, fac)
    # Her link to Feide: the person at the provider, which must not outlive the account.
    session.add(UserIdentity(user_id=kari.id, issuer="https://auth.dataporten.no", subject=f"{SECRET}-at-feide"))
    session.commit()
    before = texts_holding(session, SECRET)
    assert {("documents", "search_text"), ("document_revisions", "fields"), ("drafts", "text"),
            ("shared_versions", "fields"), ("literature_references", "data"), ("name_replacements", "replacement"),
            ("exam_drafts", "title"), ("exam_drafts", "problem_statement"), ("users", "username"),
            ("users", "email"), ("comments", "text"), ("login_attempts", "username"),
            ("user_identities", "subject")} <= before
    # Her group's draft holds it too (the search above would find her own draft's alone).
    group_draft = session.exec(select(ExamDraft).where(ExamDraft.group_id.is_not(None))).one()
    assert SECRET in group_draft.title and SECRET in group_draft.problem_statement
    assert (group_draft.title_by, group_draft.problem_statement_by) == (kari.id, kari.id)

    leaving.delete_account(kari, session, f"  {SECRET}.KARI ")
    session.commit()
    session.expire_all()

    assert texts_holding(session, SECRET) == {("comments", "text")}
    assert session.exec(select(Comment.id).where(sa.cast(Comment.text, sa.Text).contains(SECRET))).all() == [on_olas.id]
    tombstone = session.get(User, kari.id)
    assert (tombstone.display_name, tombstone.email, tombstone.candidate_number, tombstone.is_active) == (
        "", None, None, False)
    assert tombstone.deleted_at is not None
    for model in (Document, CohortMembership, AuthSession, ExamContribution, CalendarFeed):
        column = model.owner_id if model is Document else model.user_id
        assert session.exec(select(column).where(column == kari.id)).all() == []
    assert session.exec(select(ExamDraft).where(ExamDraft.owner_id == kari.id)).all() == []
    # The group's draft stays the group's, with nothing of hers: its title the first chosen challenge's again.
    group_draft = session.get(ExamDraft, group_draft.id)
    assert (group_draft.title, group_draft.problem_statement, group_draft.title_by,
            group_draft.problem_statement_by) == ("", "", None, None)
    # Her shares are withdrawn and blank; what Ola and the facilitator wrote on them stays theirs.
    shares = session.exec(select(Share).where(Share.owner_id == kari.id)).all()
    assert shares and all(s.withdrawn_at is not None and s.document_id is None for s in shares)
    assert {(v.title, str(v.fields), str(v.logs)) for v in session.exec(select(SharedVersion).where(
        SharedVersion.share_id.in_([s.id for s in shares])))} == {("", "{}", "[]")}
    assert sorted(c.text for c in session.exec(select(Comment).where(
        Comment.shared_version_id == shared_note.id))) == ["Faglærerens kommentar", "Olas kommentar"]
    # Her comment on Ola's note is shown as from a former participant.
    view = sharing.read_share(ola, session=session, share_id=olas_share.share_id)
    assert [(c.author_name, c.author_left, c.text) for c in view.comments] == [("", True, f"Karis kommentar {SECRET}")]
    # Nobody signs in as what is left.
    assert accounts.authenticate(session, username=tombstone.username, password=PASSWORD, address="10.0.0.2") is None
    assert accounts.authenticate(session, username=f"{SECRET}.kari", password=PASSWORD, address="10.0.0.3") is None


def test_the_group_draft_keeps_nothing_of_the_leaver(session, kari, ola, fac):
    write_everything(session, kari, ola, fac)
    draft = exam.open_draft(ola, session=session, mode=exam.GROUP)
    exam.join_group_draft(ola, session=session, draft_id=draft.id)
    session.commit()
    assert SECRET in str(exam.compose(ola, session=session, draft_id=draft.id, today=TODAY).document)
    leaving.delete_account(kari, session, kari.username)
    session.commit()
    composed = exam.compose(ola, session=session, draft_id=draft.id, today=TODAY)
    assert SECRET not in str(composed.document)


def test_what_another_member_wrote_last_in_the_group_draft_stays(session, kari, ola):
    draft = exam.open_draft(kari, session=session, mode=exam.GROUP)
    exam.update_settings(kari, session=session, draft_id=draft.id, title=f"Karis tittel {SECRET}",
                         problem_statement=f"Karis problemstilling {SECRET}", include_prompts=True, word_limit=None)
    # Ola writes a new title and saves the problem statement as Kari left it: that stays hers.
    exam.update_settings(ola, session=session, draft_id=draft.id, title="Olas tittel",
                         problem_statement=f"Karis problemstilling {SECRET}", include_prompts=False, word_limit=4000)
    session.commit()
    assert (draft.title_by, draft.problem_statement_by) == (ola.id, kari.id)

    leaving.delete_account(kari, session, kari.username)
    session.commit()
    session.expire_all()

    kept = session.get(ExamDraft, draft.id)
    assert (kept.title, kept.title_by, kept.problem_statement, kept.problem_statement_by) == (
        "Olas tittel", ola.id, "", None)
    assert (kept.include_prompts, kept.word_limit) == (False, 4000)
    assert texts_holding(session, SECRET) == set()
    exam.join_group_draft(ola, session=session, draft_id=draft.id)
    composed = exam.compose(ola, session=session, draft_id=draft.id, today=TODAY)
    assert composed.document.front.title == "Olas tittel" and SECRET not in str(composed.document)


def test_a_stale_form_of_another_member_keeps_no_text_of_the_leaver(session, admin, cohort, groups, kari, ola):
    """Kari writes the title, Ola changes it; Siri's tab still shows Kari's title and she saves only a tick
    (the page passes what the form showed): Kari's title does not come back as Siri's, so it is gone with
    Kari and stays gone."""
    siri = make_member(session, admin, cohort.id, "siri", name="Siri Sist", group_id=groups[0].id)
    draft = exam.open_draft(kari, session=session, mode=exam.GROUP)
    exam.update_settings(kari, session=session, draft_id=draft.id, title=f"Karis tittel {SECRET}",
                         problem_statement="", include_prompts=True, word_limit=None, shown_title="",
                         shown_problem_statement="")
    siris_form = (draft.title, draft.problem_statement)
    exam.update_settings(ola, session=session, draft_id=draft.id, title="Olas tittel", problem_statement="",
                         include_prompts=True, word_limit=None, shown_title=siris_form[0],
                         shown_problem_statement=siris_form[1])
    exam.update_settings(siri, session=session, draft_id=draft.id, title=siris_form[0],
                         problem_statement=siris_form[1], include_prompts=False, word_limit=None,
                         shown_title=siris_form[0], shown_problem_statement=siris_form[1])
    session.commit()
    assert (draft.title, draft.title_by, draft.include_prompts) == ("Olas tittel", ola.id, False)

    leaving.delete_account(kari, session, kari.username)
    session.commit()
    session.expire_all()
    kept = session.get(ExamDraft, draft.id)
    assert (kept.title, kept.title_by) == ("Olas tittel", ola.id)
    assert texts_holding(session, SECRET) == set()
    # Nor can Siri's tab, still showing Kari's title, bring it back once Kari has left.
    with pytest.raises(Conflict):
        exam.update_settings(siri, session=session, draft_id=draft.id, title=f"Karis tittel {SECRET} igjen",
                             problem_statement="", include_prompts=False, word_limit=None,
                             shown_title=siris_form[0], shown_problem_statement=siris_form[1])
    session.rollback()
    exam.update_settings(siri, session=session, draft_id=draft.id, title=siris_form[0], problem_statement="",
                         include_prompts=True, word_limit=None, shown_title=siris_form[0],
                         shown_problem_statement=siris_form[1])
    session.commit()
    assert texts_holding(session, SECRET) == set()


def test_a_wrong_username_deletes_nothing(session, kari):
    write(session, kari, DocumentKind.NOTE, {"title": "Mitt notat"})
    with pytest.raises(Invalid) as refused:
        leaving.delete_account(kari, session, "kari")
    assert refused.value.errors == {"confirm_username": ("leaving.username_mismatch", {})}
    session.rollback()
    assert session.get(User, kari.id).deleted_at is None
    assert len(session.exec(select(Document).where(Document.owner_id == kari.id)).all()) == 1


def test_the_last_administrator_cannot_leave_but_one_of_two_can(session, admin):
    with pytest.raises(Conflict) as refused:
        leaving.delete_account(admin, session, admin.username)
    assert refused.value.key == "leaving.last_admin"
    session.rollback()
    other = make_admin(session, username="admin2", name="Other Admin")
    leaving.delete_account(other, session, "admin2")
    session.commit()
    assert session.get(User, other.id).deleted_at is not None
    assert [row.username for row in accounts.list_users(admin, session=session)] == ["admin"]
    with pytest.raises(Exception) as gone:
        accounts.admin_reset_password(admin, session=session, user_id=other.id)
    assert gone.value.key == "error.not_found"


def test_a_facilitator_can_leave_and_their_comments_stay_from_a_former_participant(session, kari, fac):
    note = write(session, kari, DocumentKind.NOTE, {"title": "Notat", "free_text": "Tekst"})
    shared = sharing.share_document(kari, session=session, document_id=note.id, audience=Audience.GROUP)
    sharing.add_comment(fac, session=session, shared_version_id=shared.id, text="Godt skrevet")
    session.commit()
    leaving.delete_account(fac, session, "fagrid")
    session.commit()
    view = sharing.read_share(kari, session=session, share_id=shared.share_id)
    assert [(c.author_left, c.text) for c in view.comments] == [(True, "Godt skrevet")]


def test_a_deleted_account_cannot_do_anything(session, kari):
    leaving.delete_account(kari, session, kari.username)
    session.commit()
    gone = session.get(User, kari.id)
    with pytest.raises(NotAllowed):
        journal.create_document(gone, session=session, kind=DocumentKind.NOTE)


# --- a document deleted for good takes its shared text with it ------------------------------------------------


def test_a_document_purged_from_the_bin_takes_its_shared_text_but_comments_stay(session, kari, ola):
    note = write(session, kari, DocumentKind.NOTE, {"title": "Tittel kolibri", "free_text": "Tekst kolibri"})
    shared = sharing.share_document(kari, session=session, document_id=note.id, audience=Audience.GROUP)
    olas = sharing.add_comment(ola, session=session, shared_version_id=shared.id, text="Olas tanke")
    journal.delete_document(kari, session=session, document_id=note.id)
    session.commit()
    assert "kolibri" in str(session.get(SharedVersion, shared.id).fields)

    journal.purge_bin(session, now=datetime.now(UTC) + timedelta(days=31))
    session.commit()
    session.expire_all()

    assert texts_holding(session, "kolibri") == set()
    version = session.get(SharedVersion, shared.id)
    assert (version.title, version.fields, version.logs) == ("", {}, [])
    assert session.get(Comment, olas.id).author_id == ola.id
    [mine] = sharing.my_comments(ola, session=session)
    assert (mine.on_title, mine.on_deleted_note) == (None, True)
    owners_view = sharing.read_share(kari, session=session, share_id=shared.share_id)
    assert owners_view.note_deleted and [c.text for c in owners_view.comments] == ["Olas tanke"]
    assert sharing.new_comments_on_my_shares(kari, session=session) == []


def test_the_exam_document_shows_a_leavers_comment_as_from_a_former_participant(session, kari, ola):
    note = write(session, kari, DocumentKind.NOTE, {"title": "Notat", "free_text": "Tekst"})
    shared = sharing.share_document(kari, session=session, document_id=note.id, audience=Audience.GROUP)
    received = sharing.add_comment(ola, session=session, shared_version_id=shared.id, text="Olas innspill")
    draft = exam.open_draft(kari, session=session)
    exam.save_choices(kari, session=session, draft_id=draft.id,
                      choices=[(ItemRef(ItemKind.NOTE, note.id), True), (ItemRef(ItemKind.COMMENT, received.id), True)])
    session.commit()
    before = str(exam.compose(kari, session=session, draft_id=draft.id, lang="nb", today=TODAY).document)
    assert "Kommentar fra et gruppemedlem" in before
    leaving.delete_account(ola, session, "ola")
    session.commit()
    after = str(exam.compose(kari, session=session, draft_id=draft.id, lang="nb", today=TODAY).document)
    assert "Kommentar fra en tidligere deltaker" in after and "Olas innspill" in after
