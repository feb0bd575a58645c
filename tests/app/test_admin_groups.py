"""Grupper og deltakere: reflection groups, placing participants, and the cohort's facilitators."""

from __future__ import annotations

import pytest
from sqlmodel import select

from ledpro_journal.models import CohortMembership, ReflectionGroup, Role
from ledpro_journal.services import programme
from ledpro_journal.ui.text import plain
from tests.app.builders import form, labelled, nb, open_page, run, titles, toasts, visible_text
from tests.helpers import make_admin, make_cohort, make_member

PAGE = "pages/admin_groups.py"


@pytest.fixture
def admin(dbs, browser):
    user = make_admin(dbs)
    browser.sign_in(user)
    return user


@pytest.fixture
def cohort(admin, dbs):
    return make_cohort(dbs, admin)


def groups_in_db(fresh, cohort_id: int) -> list[str]:
    with fresh() as session:
        return [
            g.name
            for g in session.exec(
                select(ReflectionGroup).where(ReflectionGroup.cohort_id == cohort_id).order_by(ReflectionGroup.name)
            )
        ]


def add_group(at, cohort_id: int, name: str) -> None:
    new = form(at, f"new_group_{cohort_id}")
    labelled(new.text_input, nb("group.new")).input(name)
    labelled(new.form_submit_button, nb("group.add")).click()
    run(at)


def test_without_cohorts_the_page_points_to_the_cohort_page(admin):
    at = open_page(PAGE)
    assert titles(at) == [nb("nav.admin_groups")]
    assert [i.value for i in at.info] == [nb("cohort.none_yet")]
    assert [p.label for p in at.page_link] == [nb("nav.admin_cohorts")]
    assert not at.form


def test_empty_cohort_says_no_participants(cohort):
    at = open_page(PAGE)
    assert nb("group.participants", count=0) in [s.value for s in at.subheader]
    assert nb("group.no_participants") in [c.value for c in at.caption]


def test_create_a_group(cohort, fresh):
    at = open_page(PAGE)
    add_group(at, cohort.id, "Gruppe Nord")
    assert groups_in_db(fresh, cohort.id) == ["Gruppe Nord"]
    assert not at.error
    assert toasts(at) == [nb("group.added", name="Gruppe Nord")]
    group_name = labelled(at.text_input, nb("group.name_with_count", count=0))
    assert group_name.value == "Gruppe Nord"


def test_duplicate_group_name_is_refused(cohort, admin, dbs, fresh):
    programme.create_group(admin, session=dbs, cohort_id=cohort.id, name="Gruppe Nord")
    dbs.commit()
    at = open_page(PAGE)
    add_group(at, cohort.id, "gruppe nord")
    assert [e.value for e in at.error] == [nb("group.name_taken")]
    assert groups_in_db(fresh, cohort.id) == ["Gruppe Nord"]


def test_empty_group_name_is_required(cohort, fresh):
    at = open_page(PAGE)
    add_group(at, cohort.id, "  ")
    assert [e.value for e in at.error] == [nb("field.required")]
    assert groups_in_db(fresh, cohort.id) == []


def test_rename_and_delete_a_group(cohort, admin, dbs, fresh):
    group = programme.create_group(admin, session=dbs, cohort_id=cohort.id, name="Gruppe 1")
    dbs.commit()
    at = open_page(PAGE)
    row = form(at, f"group_{group.id}")
    labelled(row.text_input, nb("group.name_with_count", count=0)).input("Gruppe Sør")
    labelled(row.form_submit_button, nb("action.save")).click()
    run(at)
    assert groups_in_db(fresh, cohort.id) == ["Gruppe Sør"]

    labelled(form(at, f"group_{group.id}").form_submit_button, nb("action.delete")).click()
    run(at)
    assert groups_in_db(fresh, cohort.id) == []
    assert not [f for f in at.form if f.proto.form.form_id == f"group_{group.id}"]


def test_move_a_participant_to_a_group(cohort, admin, dbs, fresh):
    group = programme.create_group(admin, session=dbs, cohort_id=cohort.id, name="Gruppe Nord")
    dbs.commit()
    pia = make_member(dbs, admin, cohort.id, "pia", name="Pia Deltaker")
    with fresh() as session:
        membership = session.exec(select(CohortMembership).where(CohortMembership.user_id == pia.id)).one()
    at = open_page(PAGE)
    assert nb("group.participants", count=1) in [s.value for s in at.subheader]
    choice = labelled(at.selectbox, nb("group.for", name="Pia Deltaker"))
    assert choice.value is None
    assert choice.options == [nb("group.none"), "Gruppe Nord"]

    choice.set_value(group.id)
    run(at)

    with fresh() as session:
        assert session.get(CohortMembership, membership.id).group_id == group.id
    assert not at.error
    assert toasts(at) == [nb("group.moved", name="Pia Deltaker", group="Gruppe Nord")]
    assert labelled(at.selectbox, nb("group.for", name="Pia Deltaker")).value == group.id
    assert labelled(at.text_input, nb("group.name_with_count", count=1)).value == "Gruppe Nord"

    # ... and out of it again ("no group" is the option None; AppTest's set_value(None) would mean
    # "nothing selected", so pick it by position).
    labelled(at.selectbox, nb("group.for", name="Pia Deltaker")).select_index(0)
    run(at)
    with fresh() as session:
        assert session.get(CohortMembership, membership.id).group_id is None
    assert toasts(at) == [nb("group.moved", name="Pia Deltaker", group=plain(nb("group.none")))]


def test_add_an_existing_facilitator(cohort, admin, dbs, fresh):
    other = make_cohort(dbs, admin, name="LEDPRO 2023", from_template=False)
    frode = make_member(dbs, admin, other.id, "frode", role=Role.FACILITATOR, name="Frode Faglærer")
    at = open_page(PAGE)
    labelled(at.selectbox, nb("cohort.pick")).set_value(cohort.id)
    run(at)
    add = form(at, f"add_facilitator_{cohort.id}")
    chooser = labelled(add.selectbox, nb("facilitator.add_existing"))
    assert chooser.options == ["Frode Faglærer"]
    chooser.set_value(frode.id)
    labelled(add.form_submit_button, nb("facilitator.add")).click()
    run(at)

    with fresh() as session:
        membership = session.exec(
            select(CohortMembership)
            .where(CohortMembership.cohort_id == cohort.id)
            .where(CohortMembership.user_id == frode.id)
        ).one()
        assert membership.role == Role.FACILITATOR
    assert not at.error
    assert toasts(at) == [nb("facilitator.added", name="Frode Faglærer")]
    # Listed under the facilitators, with a remove button; no longer offered to add.
    assert "Frode Faglærer" in [m.value for m in at.markdown]
    assert nb("facilitator.remove") in [b.label for b in at.button]
    assert not [f for f in at.form if f.proto.form.form_id == f"add_facilitator_{cohort.id}"]


def test_remove_a_facilitator(cohort, admin, dbs, fresh):
    frode = make_member(dbs, admin, cohort.id, "frode", role=Role.FACILITATOR, name="Frode Faglærer")
    with fresh() as session:
        membership = session.exec(select(CohortMembership).where(CohortMembership.user_id == frode.id)).one()
    at = open_page(PAGE)
    at.button(key=f"remove_facilitator_{membership.id}").click()
    run(at)
    with fresh() as session:
        assert session.get(CohortMembership, membership.id) is None
    add = form(at, f"add_facilitator_{cohort.id}")
    assert labelled(add.selectbox, nb("facilitator.add_existing")).options == ["Frode Faglærer"]
    assert "Frode Faglærer" not in [m.value for m in at.markdown]


def test_participants_of_another_cohort_are_not_listed(cohort, admin, dbs):
    other = make_cohort(dbs, admin, name="LEDPRO 2025", from_template=False)
    make_member(dbs, admin, other.id, "ola", name="Ola Annetkull")
    make_member(dbs, admin, cohort.id, "pia", name="Pia Deltaker")
    at = open_page(PAGE)
    labelled(at.selectbox, nb("cohort.pick")).set_value(cohort.id)
    run(at)
    text = visible_text(at)
    assert "Pia Deltaker" in text and "Ola Annetkull" not in text
