"""The audit trail: each act records exactly its event, with who did it and whose trail it belongs to; the
owner reads their own trail, administrators the administrative events; no event ever holds private text.
Runs against SQLite and PostgreSQL (the `session` fixture)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from ledpro_journal.models import Audience, AuditEvent, DocumentKind, Role, Share, User, utcnow
from ledpro_journal.services import (
    accounts,
    audit,
    data_export,
    data_import,
    journal,
    leaving,
    programme,
    sharing,
)
from ledpro_journal.services.errors import NotAllowed, NotFound
from tests.helpers import PASSWORD, make_member

SECRET = "Blåbærsyltetøy"
FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
                 " Version/17.5 Mobile/15E148 Safari/604.1")


@pytest.fixture
def kari(session, admin, cohort, groups):
    return make_member(session, admin, cohort.id, "kari", name="Kari Owner", group_id=groups[0].id)


@pytest.fixture
def ola(session, admin, cohort, groups):
    return make_member(session, admin, cohort.id, "ola", name="Ola Peer", group_id=groups[0].id)


def events(session, **where) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    for column, value in where.items():
        query = query.where(getattr(AuditEvent, column) == value)
    return list(session.exec(query).all())


def new_events(session, before: int) -> list[tuple]:
    return [(e.kind, e.actor_id, e.subject_user_id, e.administrative)
            for e in session.exec(select(AuditEvent).where(AuditEvent.id > before).order_by(AuditEvent.id))]


def last_id(session) -> int:
    return session.exec(select(sa.func.max(AuditEvent.id))).one() or 0


def note(session, who, title=f"Tittel {SECRET}", text=f"Tekst {SECRET}"):
    document = journal.create_document(who, session=session, kind=DocumentKind.NOTE)
    saved = journal.save_document(who, session=session, document_id=document.id, base_version=0,
                                  fields={"title": title, "free_text": text})
    session.commit()
    return saved


# --- each act, its event -----------------------------------------------------------------------------------


def test_sharing_and_withdrawing_record_one_event_each_for_the_owner(session, kari):
    document = note(session, kari)
    before = last_id(session)
    version = sharing.share_document(kari, session=session, document_id=document.id, audience=Audience.GROUP)
    session.commit()
    assert new_events(session, before) == [("share.created", kari.id, kari.id, False)]
    shared = events(session, kind="share.created")[0]
    assert shared.details == {"document_id": document.id, "document_kind": "note", "share_id": version.share_id,
                              "audience": "group"}

    before = last_id(session)
    sharing.withdraw_share(kari, session=session, share_id=version.share_id)
    sharing.withdraw_share(kari, session=session, share_id=version.share_id)  # already withdrawn: nothing new
    session.commit()
    assert new_events(session, before) == [("share.withdrawn", kari.id, kari.id, False)]


def test_deleting_to_the_bin_and_the_bin_emptied_after_30_days(session, kari):
    document = note(session, kari)
    before = last_id(session)
    journal.delete_document(kari, session=session, document_id=document.id)
    session.commit()
    assert new_events(session, before) == [("document.deleted", kari.id, kari.id, False)]
    assert events(session, kind="document.deleted")[0].details == {"document_id": document.id,
                                                                   "document_kind": "note"}

    before = last_id(session)
    assert journal.purge_bin(session, now=utcnow() + timedelta(days=31)) == 1
    session.commit()
    # Nobody did it: the scheduled run. It still belongs to Kari's trail.
    assert new_events(session, before) == [("document.purged", None, kari.id, False)]
    assert events(session, kind="document.purged")[0].details == {"count": 1}
    assert journal.purge_bin(session, now=utcnow() + timedelta(days=31)) == 0
    assert new_events(session, before) == [("document.purged", None, kari.id, False)]


def test_export_and_import_are_recorded(session, admin, cohort, kari):
    note(session, kari)
    before = last_id(session)
    exported = data_export.build_export(kari, session=session)
    session.commit()
    assert new_events(session, before) == [("export.downloaded", kari.id, kari.id, False)]

    newcomer = make_member(session, admin, cohort.id, "nina")
    before = last_id(session)
    data_import.import_export(newcomer, session=session, content=exported.content)
    session.commit()
    assert new_events(session, before) == [("import.done", newcomer.id, newcomer.id, False)]


def test_administrative_acts_are_recorded_as_administrative(session, admin, cohort, groups, kari):
    before = last_id(session)
    group = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 3")
    membership = next(m for m in programme.list_members(admin, session=session, cohort_id=cohort.id)
                      if m.user_id == kari.id)
    programme.move_to_group(admin, session=session, membership_id=membership.membership_id, group_id=group.id)
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
    programme.revoke_invite(admin, session=session, invite_id=invite.id)
    programme.close_cohort(admin, session=session, cohort_id=cohort.id)
    programme.reopen_cohort(admin, session=session, cohort_id=cohort.id)
    accounts.set_user_active(admin, session=session, user_id=kari.id, active=False)
    accounts.set_user_active(admin, session=session, user_id=kari.id, active=True)
    accounts.admin_reset_password(admin, session=session, user_id=kari.id)
    session.commit()
    assert new_events(session, before) == [
        ("admin.group.created", admin.id, None, True),
        ("admin.member.moved", admin.id, kari.id, True),
        ("admin.invite.created", admin.id, None, True),
        ("admin.invite.revoked", admin.id, None, True),
        ("admin.cohort.closed", admin.id, None, True),
        ("admin.cohort.reopened", admin.id, None, True),
        ("admin.user.deactivated", admin.id, kari.id, True),
        ("admin.user.reactivated", admin.id, kari.id, True),
        ("admin.user.password_reset", admin.id, kari.id, True),
    ]
    moved = events(session, kind="admin.member.moved")[0]
    assert moved.details["group"] == "Gruppe 3"
    # Kari sees what was done to her account, among her own events.
    assert {e.kind for e in audit.my_events(kari, session)} >= {"admin.member.moved", "admin.user.password_reset"}


def test_a_refused_act_records_nothing(session, admin, kari, ola):
    document = note(session, kari)
    before = last_id(session)
    with pytest.raises(NotFound):
        sharing.share_document(ola, session=session, document_id=document.id, audience=Audience.GROUP)
    session.rollback()
    with pytest.raises(NotAllowed):
        programme.create_group(kari, session=session, cohort_id=1, name="Min egen")
    session.rollback()
    assert new_events(session, before) == []


# --- signing in from a new place -----------------------------------------------------------------------------


def sign_in(session, user, *, agent: str, address: str) -> None:
    signed_in = accounts.authenticate(session, username=user.username, password=PASSWORD, address=address)
    assert signed_in is not None
    accounts.start_session(session, signed_in, user_agent=agent, address=address)
    session.commit()


def test_signing_in_from_a_new_browser_or_network_is_recorded_coarsely(session, kari):
    sign_in(session, kari, agent=FIREFOX_WINDOWS, address="10.1.2.3")  # her first: no news
    before = last_id(session)
    sign_in(session, kari, agent=FIREFOX_WINDOWS, address="10.1.2.99")  # same browser, same /24
    assert new_events(session, before) == []
    sign_in(session, kari, agent=SAFARI_IPHONE, address="10.1.2.99")  # a new browser
    sign_in(session, kari, agent=FIREFOX_WINDOWS, address="2001:db8:1:2::5")  # a new network
    sign_in(session, kari, agent=FIREFOX_WINDOWS, address="2001:db8:1:ffff::9")  # the same /48
    assert [(e.kind, e.actor_id, e.subject_user_id, e.administrative, e.details)
            for e in events(session, kind="signin.new_place")] == [
        ("signin.new_place", kari.id, kari.id, False, {"browser": "Safari", "system": "iOS", "network": "10.1.2.x"}),
        ("signin.new_place", kari.id, kari.id, False,
         {"browser": "Firefox", "system": "Windows", "network": "2001:db8:1::/48"}),
    ]
    stored = json.dumps([e.details for e in events(session)])
    assert "10.1.2.3" not in stored and "10.1.2.99" not in stored and "2001:db8:1:2::5" not in stored


def test_the_very_first_sign_in_of_an_account_is_no_news(session, admin):
    fresh = accounts.create_admin(session, username="nyadmin", display_name="Ny", password=PASSWORD)
    session.commit()
    sign_in(session, fresh, agent=FIREFOX_WINDOWS, address="10.9.9.9")
    assert events(session, kind="signin.new_place") == []


# --- who reads what, and never private text ------------------------------------------------------------------


def test_no_private_text_ever_reaches_the_trail_and_nobody_else_reads_mine(session, admin, kari, ola):
    document = note(session, kari)
    version = sharing.share_document(kari, session=session, document_id=document.id, audience=Audience.GROUP)
    session.commit()
    sharing.add_comment(ola, session=session, shared_version_id=version.id, text=f"Kommentar {SECRET}")
    sharing.add_comment(kari, session=session, shared_version_id=version.id, text=f"Svar {SECRET}")
    sharing.withdraw_share(kari, session=session, share_id=version.share_id)
    sharing.share_document(kari, session=session, document_id=document.id, audience=Audience.FACILITATORS)
    data_export.build_export(kari, session=session)
    journal.delete_document(kari, session=session, document_id=document.id)
    journal.purge_bin(session, now=utcnow() + timedelta(days=31))
    session.commit()

    rows = session.execute(sa.text("SELECT kind, details FROM audit_events")).all()
    assert len(rows) >= 6
    for kind, details in rows:
        # The column as stored (JSON text on SQLite, jsonb on PostgreSQL), decoded: \u escapes hide nothing.
        stored = json.loads(details) if isinstance(details, str) else details
        assert SECRET not in json.dumps(stored, ensure_ascii=False) and SECRET not in kind

    mine = {e.kind for e in audit.my_events(kari, session, limit=200)}
    assert {"share.created", "share.withdrawn", "export.downloaded", "document.deleted", "document.purged"} <= mine
    assert audit.count_my_events(kari, session) == len(audit.my_events(kari, session, limit=200))
    assert audit.my_events(ola, session, limit=200) == []
    assert all(e.kind.startswith("admin.") or e.kind == "account.deleted"
               for e in audit.administrative_events(admin, session))
    own_kinds = set(audit.OWN_KINDS)
    assert not [e for e in audit.administrative_events(admin, session) if e.kind in own_kinds]


def test_a_participant_and_a_facilitator_cannot_read_the_administrative_events(session, admin, cohort, kari):
    facilitator = make_member(session, admin, cohort.id, "fagrid", role=Role.FACILITATOR)
    for outsider in (kari, facilitator, None):
        with pytest.raises(NotAllowed):
            audit.administrative_events(outsider, session)
    assert audit.administrative_events(admin, session)  # the cohort, groups and invites made for the fixtures


def test_the_admin_log_filters_by_kind_and_time(session, admin, cohort):
    programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 9")
    session.commit()
    groups_only = audit.administrative_events(admin, session, kinds=["admin.group.created"])
    assert [e.details["group"] for e in groups_only][:1] == ["Gruppe 9"]
    assert {e.kind for e in groups_only} == {"admin.group.created"}
    assert groups_only[0].actor_name == "Ada Admin"
    assert audit.administrative_events(admin, session, since=utcnow() + timedelta(minutes=1)) == []
    assert audit.administrative_events(admin, session, until=utcnow() - timedelta(days=1)) == []


def test_record_refuses_details_that_could_hold_text(session, kari):
    with pytest.raises(ValueError):
        audit.record(session, actor=kari, kind="share.created", subject=kari, title="Mitt notat")
    with pytest.raises(ValueError):
        audit.record(session, actor=kari, kind="note.written", subject=kari)


# --- leaving, and keeping --------------------------------------------------------------------------------------


def test_deleting_an_account_keeps_only_the_administrative_events_and_no_name(session, admin, cohort, kari):
    document = note(session, kari)
    sharing.share_document(kari, session=session, document_id=document.id, audience=Audience.GROUP)
    accounts.admin_reset_password(admin, session=session, user_id=kari.id)
    session.commit()
    leaving.delete_account(kari, session, "kari")
    session.commit()
    assert events(session, subject_user_id=kari.id, administrative=False) == []
    deleted = events(session, kind="account.deleted")
    assert [(e.actor_id, e.subject_user_id, e.administrative, e.details) for e in deleted] == [
        (None, None, True, {"role": "participant"})]
    reset = next(e for e in audit.administrative_events(admin, session) if e.kind == "admin.user.password_reset")
    assert reset.subject_name is None  # the tombstone has no name
    assert session.get(User, kari.id).display_name == ""
    assert session.exec(select(Share)).all()  # the shares' rows stay (comments hang on them), blanked


def test_events_older_than_audit_days_are_deleted_by_purge_old_records(session, admin, cohort):
    old = audit.record(session, actor=admin, kind="admin.group.created", administrative=True, group="Gammel")
    old.at = utcnow() - timedelta(days=731)
    session.add(old)
    session.commit()
    kept = events(session, kind="admin.cohort.created")[0].id
    purged = accounts.purge_old_records(session)
    session.commit()
    assert purged.audit_events == 1
    assert session.get(AuditEvent, old.id) is None
    assert session.get(AuditEvent, kept) is not None


def test_every_kind_has_its_words_in_every_language():
    from tests.catalogues import every_language

    for catalogue in every_language().values():
        assert [k for k in audit.OWN_KINDS if f"audit.mine.{k}" not in catalogue] == []
        assert [k for k in audit.ADMIN_KINDS if f"audit.kind.{k}" not in catalogue] == []
        # What an administrator does to one person's account is on that person's trail, in their words.
        assert [k for k in ("admin.member.moved", "admin.facilitator.assigned", "admin.facilitator.removed",
                            "admin.user.deactivated", "admin.user.reactivated", "admin.user.password_reset")
                if f"audit.mine.{k}" not in catalogue] == []
