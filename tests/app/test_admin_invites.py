"""Invitasjonskoder: making a code for a cohort (and group), listing and revoking codes."""

from __future__ import annotations

import pytest
from sqlmodel import select

from ledpro_journal.models import InviteCode, Role
from ledpro_journal.services import programme
from ledpro_journal.ui.text import plain
from tests.app.builders import form, labelled, nb, open_page, run, titles, toasts
from tests.helpers import make_admin, make_cohort

PAGE = "pages/admin_invites.py"


@pytest.fixture
def admin(dbs, browser):
    user = make_admin(dbs)
    browser.sign_in(user)
    return user


@pytest.fixture
def cohort(admin, dbs):
    return make_cohort(dbs, admin)


@pytest.fixture
def group(cohort, admin, dbs):
    group = programme.create_group(admin, session=dbs, cohort_id=cohort.id, name="Gruppe Nord")
    dbs.commit()
    return group


def invites_in_db(fresh, cohort_id: int) -> list[InviteCode]:
    with fresh() as session:
        return list(session.exec(select(InviteCode).where(InviteCode.cohort_id == cohort_id)).all())


def listed(at) -> list[dict]:
    return at.dataframe[0].value.to_dict("records")


def test_without_cohorts_the_page_points_to_the_cohort_page(admin):
    at = open_page(PAGE)
    assert titles(at) == [nb("nav.admin_invites")]
    assert [i.value for i in at.info] == [nb("cohort.none_yet")]
    assert not at.form


def test_a_cohort_without_codes(cohort):
    at = open_page(PAGE)
    assert nb("invite.none") in [c.value for c in at.caption]
    assert not at.dataframe and not at.code


def test_create_a_participant_code_with_a_group(group, cohort, fresh):
    at = open_page(PAGE)
    new = form(at, f"new_invite_{cohort.id}")
    assert labelled(at.radio, nb("invite.role")).value == Role.PARTICIPANT
    chooser = labelled(new.selectbox, nb("invite.group"))
    assert chooser.options == [nb("invite.no_group"), "Gruppe Nord"]
    chooser.set_value(group.id)
    labelled(new.number_input, nb("invite.max_uses")).set_value(25)
    labelled(new.form_submit_button, nb("invite.create")).click()
    run(at)

    [invite] = invites_in_db(fresh, cohort.id)
    assert (invite.role, invite.group_id, invite.max_uses, invite.revoked_at) == (Role.PARTICIPANT, group.id, 25, None)
    assert toasts(at) == [nb("invite.created", code=plain(invite.code))]
    assert [s.value for s in at.success] == [nb("invite.share_this")]
    assert [c.value for c in at.code] == [invite.code]
    assert nb("invite.register_at", path=f"/auth/register?code={invite.code}") in [c.value for c in at.caption]
    [row] = listed(at)
    assert row[nb("invite.column.code")] == invite.code
    assert row[nb("invite.column.role")] == nb("role.participant")
    assert row[nb("invite.column.group")] == "Gruppe Nord"
    assert row[nb("invite.column.uses")] == "0 / 25"
    assert row[nb("invite.column.status")] == nb("invite.status.active")


def group_fields(at) -> list[str]:
    return [s.label for s in at.selectbox if s.label == nb("invite.group")]


def test_the_group_is_offered_only_for_a_participant_code(group, cohort):
    at = open_page(PAGE)
    assert group_fields(at) == [nb("invite.group")]
    labelled(at.radio, nb("invite.role")).set_value(Role.FACILITATOR)
    run(at)
    # Choosing the role redraws the form at once (the radio is not inside it): no group to choose.
    assert group_fields(at) == []
    new = form(at, f"new_invite_{cohort.id}")
    assert [n.label for n in new.number_input] == [nb("invite.max_uses"), nb("invite.valid_days")]
    labelled(at.radio, nb("invite.role")).set_value(Role.PARTICIPANT)
    run(at)
    assert group_fields(at) == [nb("invite.group")]


def test_create_a_facilitator_code_has_no_group(group, cohort, fresh):
    at = open_page(PAGE)
    new = form(at, f"new_invite_{cohort.id}")
    labelled(new.selectbox, nb("invite.group")).set_value(group.id)  # chosen, then the role changed
    labelled(at.radio, nb("invite.role")).set_value(Role.FACILITATOR)
    run(at)
    new = form(at, f"new_invite_{cohort.id}")
    assert group_fields(at) == []
    labelled(new.number_input, nb("invite.max_uses")).set_value(0)
    labelled(new.form_submit_button, nb("invite.create")).click()
    run(at)
    [invite] = invites_in_db(fresh, cohort.id)
    assert (invite.role, invite.group_id, invite.max_uses) == (Role.FACILITATOR, None, None)
    [row] = listed(at)
    assert row[nb("invite.column.role")] == nb("role.facilitator")
    assert row[nb("invite.column.uses")] == "0 / ∞"


def test_revoke_a_code(group, cohort, fresh):
    at = open_page(PAGE)
    new = form(at, f"new_invite_{cohort.id}")
    labelled(new.selectbox, nb("invite.group")).set_value(group.id)
    labelled(new.form_submit_button, nb("invite.create")).click()
    run(at)
    [invite] = invites_in_db(fresh, cohort.id)

    revoke = form(at, f"revoke_invite_{cohort.id}")
    chooser = labelled(revoke.selectbox, nb("invite.revoke_which"))
    assert chooser.options == [invite.code]
    chooser.set_value(invite.id)
    labelled(revoke.form_submit_button, nb("invite.revoke")).click()
    run(at)

    [invite] = invites_in_db(fresh, cohort.id)
    assert invite.revoked_at is not None
    assert toasts(at) == [nb("invite.revoked", code=plain(invite.code))]
    [row] = listed(at)
    assert row[nb("invite.column.status")] == nb("invite.status.revoked")
    # The revoked code is no longer offered for sharing, nor for revoking.
    assert not at.code and not at.success
    assert not [f for f in at.form if f.proto.form.form_id == f"revoke_invite_{cohort.id}"]


def test_only_active_codes_can_be_revoked(cohort, admin, dbs):
    keep = programme.create_invite(admin, session=dbs, cohort_id=cohort.id, role=Role.PARTICIPANT)
    gone = programme.create_invite(admin, session=dbs, cohort_id=cohort.id, role=Role.PARTICIPANT)
    programme.revoke_invite(admin, session=dbs, invite_id=gone.id)
    dbs.commit()
    at = open_page(PAGE)
    statuses = {r[nb("invite.column.code")]: r[nb("invite.column.status")] for r in listed(at)}
    assert statuses == {keep.code: nb("invite.status.active"), gone.code: nb("invite.status.revoked")}
    revoke = form(at, f"revoke_invite_{cohort.id}")
    assert labelled(revoke.selectbox, nb("invite.revoke_which")).options == [keep.code]
