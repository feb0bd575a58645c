"""Hendelseslogg: the administrators' table of administrative events, filtered by kind and date; the
participants' own acts are not in it, and no one else can open it."""

from __future__ import annotations

from datetime import timedelta

from ledpro_journal.i18n import today_in_oslo
from ledpro_journal.models import Audience, DocumentKind, Role
from ledpro_journal.services import accounts, audit, leaving, programme, sharing
from tests.app.builders import labelled, nb, open_page, pages_for, run, titles, visible_text, write

PAGE = "pages/admin_audit.py"
SECRET = "Multebærsyltetøy"


def rows(at) -> list[dict]:
    return at.dataframe[0].value.to_dict("records") if at.dataframe else []


def test_the_log_lists_administrative_events_and_nothing_a_participant_did(dbs, writers, groups, browser):
    note = write(dbs, groups.pia, DocumentKind.NOTE, {"title": SECRET, "free_text": SECRET})
    sharing.share_document(groups.pia, session=dbs, document_id=note.id, audience=Audience.GROUP)
    accounts.admin_reset_password(writers.admin, session=dbs, user_id=groups.ola.id)
    dbs.commit()

    browser.sign_in(writers.admin)
    at = open_page(PAGE)
    assert titles(at) == [nb("audit.admin.title")]
    listed = rows(at)
    kinds = [r[nb("audit.column.kind")] for r in listed]
    assert kinds[0] == nb("audit.kind.admin.user.password_reset")
    assert listed[0][nb("audit.column.by")] == "Ada Admin"
    assert listed[0][nb("audit.column.concerns")] == "Ola Nordmann"
    assert nb("audit.kind.admin.group.created") in kinds and nb("audit.kind.admin.cohort.created") in kinds
    moved = next(r for r in listed if r[nb("audit.column.kind")] == nb("audit.kind.admin.member.moved"))
    assert moved[nb("audit.column.details")] == nb("audit.detail.group", value="Gruppe Nord")
    text = visible_text(at)
    assert SECRET not in text
    # Pia's share is hers: every row is one of the administrative kinds.
    assert set(kinds) <= {nb(f"audit.kind.{kind}") for kind in audit.ADMIN_KINDS}


def test_filtering_by_kind_and_date(dbs, writers, groups, browser):
    programme.create_group(writers.admin, session=dbs, cohort_id=writers.cohort.id, name="Gruppe Vest")
    dbs.commit()
    browser.sign_in(writers.admin)
    at = open_page(PAGE)
    labelled(at.multiselect, nb("audit.admin.kinds")).select("admin.group.created")
    run(at)
    listed = rows(at)
    assert {r[nb("audit.column.kind")] for r in listed} == {nb("audit.kind.admin.group.created")}
    assert nb("audit.detail.group", value="Gruppe Vest") in listed[0][nb("audit.column.details")]

    yesterday = today_in_oslo() - timedelta(days=1)
    labelled(at.date_input, nb("audit.admin.to")).set_value(yesterday)
    run(at)
    assert rows(at) == []
    assert nb("audit.admin.none") in [i.value for i in at.info]

    labelled(at.date_input, nb("audit.admin.from")).set_value(today_in_oslo())
    run(at)
    assert nb("audit.admin.bad_dates") in [e.value for e in at.error]


def test_a_deleted_account_shows_with_no_name(dbs, writers, browser):
    accounts.admin_reset_password(writers.admin, session=dbs, user_id=writers.ola.id)
    leaving.delete_account(writers.ola, dbs, "ola")
    dbs.commit()
    browser.sign_in(writers.admin)
    at = open_page(PAGE)
    listed = rows(at)
    assert listed[0][nb("audit.column.kind")] == nb("audit.kind.account.deleted")
    assert listed[0][nb("audit.column.concerns")] == nb("audit.deleted_account")
    reset = next(r for r in listed if r[nb("audit.column.kind")] == nb("audit.kind.admin.user.password_reset"))
    assert reset[nb("audit.column.concerns")] == nb("audit.deleted_account")
    assert "Ola Nordmann" not in visible_text(at)


def test_only_administrators_have_the_log_in_their_navigation():
    assert PAGE in pages_for(Role.ADMIN)
    assert PAGE not in pages_for(Role.PARTICIPANT) | pages_for(Role.FACILITATOR)
