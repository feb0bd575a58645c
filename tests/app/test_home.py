"""Hjem: where each role stands in the programme."""

from __future__ import annotations

from ledpro_journal.models import Role
from ledpro_journal.services import accounts, programme
from tests.app.conftest import en, nb, open_page, programme_rows, run, titles, visible_text
from tests.helpers import make_admin, make_cohort, make_member

TEMPLATE = programme.LEDPRO_2024


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_admin_without_cohorts_sees_metrics_and_the_start_hint(dbs, browser):
    browser.sign_in(make_admin(dbs))
    at = open_page("pages/home.py")
    assert titles(at) == [nb("home.title", name="Ada Admin")]
    assert metrics(at) == {
        nb("home.metric.cohorts"): "0",
        nb("home.metric.participants"): "0",
        nb("home.metric.facilitators"): "0",
        nb("home.metric.invites"): "0",
    }
    assert [i.value for i in at.info] == [nb("home.admin_start")]
    assert [p.label for p in at.page_link] == [nb("nav.admin_cohorts"), nb("nav.admin_groups"), nb("nav.admin_invites")]


def test_admin_with_a_cohort_sees_counts_and_no_start_hint(dbs, browser):
    admin = make_admin(dbs)
    cohort = make_cohort(dbs, admin)
    make_member(dbs, admin, cohort.id, "pia")
    make_member(dbs, admin, cohort.id, "per")
    make_member(dbs, admin, cohort.id, "frode", role=Role.FACILITATOR)
    programme.create_invite(admin, session=dbs, cohort_id=cohort.id, role=Role.PARTICIPANT)
    dbs.commit()
    browser.sign_in(admin)
    at = open_page("pages/home.py")
    # make_member leaves one open invite per member behind; plus the one made above.
    assert metrics(at) == {
        nb("home.metric.cohorts"): "1",
        nb("home.metric.participants"): "2",
        nb("home.metric.facilitators"): "1",
        nb("home.metric.invites"): "4",
    }
    assert nb("home.admin_start") not in visible_text(at)


def participant_in_group(dbs):
    admin = make_admin(dbs)
    cohort = make_cohort(dbs, admin)
    group = programme.create_group(admin, session=dbs, cohort_id=cohort.id, name="Gruppe Nord")
    dbs.commit()
    pia = make_member(dbs, admin, cohort.id, "pia", name="Pia Deltaker", group_id=group.id)
    make_member(dbs, admin, cohort.id, "ole", name="Ole Olsen", group_id=group.id)
    make_member(dbs, admin, cohort.id, "kari", name="Kari Utenfor")  # not in the group
    return admin, cohort, group, pia


def test_participant_sees_cohort_programme_group_and_candidate_number_warning(dbs, browser):
    _, cohort, group, pia = participant_in_group(dbs)
    browser.sign_in(pia)
    at = open_page("pages/home.py")

    assert titles(at) == [nb("home.title", name="Pia Deltaker")]
    assert [h.value for h in at.header] == [cohort.name]
    assert [w.value for w in at.warning] == [nb("home.set_candidate_number")]
    assert [p.label for p in at.page_link] == [nb("nav.account")]
    table = programme_rows(at)
    assert len(table) == 6
    assert [r[nb("gathering.column.number")] for r in table] == [nb("gathering.label", number=n) for n in range(1, 7)]
    assert [r[nb("gathering.column.place")] for r in table] == [TEMPLATE["place"]] * 6
    assert table[0][nb("gathering.column.theme")] == TEMPLATE["themes"][0]
    assert table[0][nb("gathering.column.dates")] == "15.–16. februar 2024"
    subheaders = [s.value for s in at.subheader]
    assert nb("home.programme") in subheaders and nb("home.my_group") in subheaders
    markdown = [m.value for m in at.markdown]
    assert f"**{group.name}**" in markdown
    members = next(m for m in markdown if m.startswith("- "))
    assert members.splitlines() == ["- Ole Olsen", "- Pia Deltaker"]
    assert "Kari Utenfor" not in visible_text(at)
    captions = [c.value for c in at.caption]
    assert any(nb("home.part", part=1) in c for c in captions)


def test_candidate_number_warning_goes_when_the_number_is_set(dbs, browser):
    _, _, _, pia = participant_in_group(dbs)
    browser.sign_in(pia)
    at = open_page("pages/home.py")
    assert [w.value for w in at.warning] == [nb("home.set_candidate_number")]

    accounts.update_profile(pia, session=dbs, display_name=pia.display_name, candidate_number="4711", language="nb")
    dbs.commit()
    run(at)
    assert not at.warning
    assert nb("home.set_candidate_number") not in visible_text(at)
    assert len(programme_rows(at)) == 6


def test_participant_in_english_sees_english(dbs, browser):
    _, cohort, _, pia = participant_in_group(dbs)
    accounts.update_profile(pia, session=dbs, display_name=pia.display_name, candidate_number="", language="en")
    dbs.commit()
    browser.sign_in(pia)
    at = open_page("pages/home.py")
    assert titles(at) == [en("home.title", name="Pia Deltaker")]
    assert [w.value for w in at.warning] == [en("home.set_candidate_number")]
    assert en("home.my_group") in [s.value for s in at.subheader]
    assert list(programme_rows(at)[0])[0] == en("gathering.column.number")


def test_participant_without_a_group_is_told_so(dbs, browser):
    admin = make_admin(dbs)
    cohort = make_cohort(dbs, admin)
    pia = make_member(dbs, admin, cohort.id, "pia")
    browser.sign_in(pia)
    at = open_page("pages/home.py")
    assert nb("home.no_group") in [c.value for c in at.caption]


def test_facilitator_sees_their_cohort(dbs, browser):
    admin = make_admin(dbs)
    cohort = make_cohort(dbs, admin)
    make_cohort(dbs, admin, name="Et annet kull")
    frode = make_member(dbs, admin, cohort.id, "frode", role=Role.FACILITATOR, name="Frode Faglærer")
    browser.sign_in(frode)
    at = open_page("pages/home.py")
    assert titles(at) == [nb("home.title", name="Frode Faglærer")]
    assert [h.value for h in at.header] == [cohort.name]
    assert "Et annet kull" not in visible_text(at)
    assert len(programme_rows(at)) == 6
    assert not at.warning  # no candidate number for facilitators
    subheaders = [s.value for s in at.subheader]
    assert nb("home.my_group") not in subheaders
    assert nb("home.themes") in subheaders
    assert not at.metric
