"""Hjem: where each role stands in the programme; for a participant, a step-by-step guide until the first
challenge, action, log entry and note are saved, afterwards "where I am" in the cycle, with a link to each
thing that is due, and links to new comments on their shared notes."""

from __future__ import annotations

from sqlmodel import select
from streamlit.testing.v1.element_tree import Block

from ledpro_journal.i18n import today_in_oslo
from ledpro_journal.models import Document, DocumentKind, Role
from ledpro_journal.services import accounts, journal, programme
from tests.app.builders import (
    click,
    comment,
    en,
    field,
    follow,
    future_cohort,
    nb,
    open_page,
    open_shared,
    page_links,
    programme_rows,
    run,
    shared_earlier,
    shared_links,
    shown_texts,
    titles,
    toasts,
    visible_text,
    write,
)
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


# --- a participant's guide, and where they are in the cycle -----------------------------------------------------

STEPS = ("challenge", "action", "log", "note")


def step_boxes(at) -> list[Block]:
    """The guide's four steps, in order (each a container whose first element is its title)."""
    titles_ = {nb(f"start.{step}.title") for step in STEPS}
    boxes = []
    for node in at.main:
        if isinstance(node, Block) and node.type == "flex_container" and node.markdown:
            if any(title in node.markdown[0].value for title in titles_):
                boxes.append(node)
    return boxes


def guide(at) -> list[tuple[str, bool, list[str]]]:
    """(title markdown, highlighted with a border, button labels) of each step."""
    return [(box.markdown[0].value, box.proto.flex_container.border, [b.label for b in box.button])
            for box in step_boxes(at)]


def done(step: str) -> tuple[str, bool, list[str]]:
    return (f":green[:material/check_circle:] ~~{nb(f'start.{step}.title')}~~", False, [])


def current(number: int, step: str) -> tuple[str, bool, list[str]]:
    return (f"**{number}. {nb(f'start.{step}.title')}**", True, [nb(f"start.{step}.button")])


def later(number: int, step: str) -> tuple[str, bool, list[str]]:
    return (f":gray[{number}. {nb(f'start.{step}.title')}]", False, [])


def test_nothing_written_shows_the_guide_at_step_one(writers, browser, fresh):
    browser.sign_in(writers.pia)
    at = open_page("pages/home.py")
    assert titles(at) == [nb("home.title", name="Pia Deltaker")]
    assert nb("start.guide_title") in [s.value for s in at.subheader]
    assert guide(at) == [current(1, "challenge"), later(2, "action"), later(3, "log"), later(4, "note")]
    [highlighted] = [box for box in step_boxes(at) if box.proto.flex_container.border]
    assert nb("start.challenge.text") in [m.value for m in highlighted.markdown]
    # Looking creates nothing.
    assert fresh().exec(select(Document)).all() == []

    click(at, nb("start.challenge.button"))
    assert titles(at) == [nb("nav.challenge")]
    [challenge] = fresh().exec(select(Document)).all()
    assert (challenge.kind, challenge.version) == (DocumentKind.CHALLENGE, 0)


def test_an_opened_but_unsaved_challenge_is_not_done(writers, browser, dbs):
    journal.my_challenge(writers.pia, session=dbs)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_page("pages/home.py")
    assert guide(at)[0] == current(1, "challenge")


def test_after_the_challenge_is_saved_step_two_is_current(writers, browser, fresh):
    browser.sign_in(writers.pia)
    at = open_page("pages/challenge.py")
    field(at, nb("tpl.field.title")).input("Min utfordring")
    click(at, nb("action.save"))
    assert toasts(at) == [nb("journal.saved", version=1)]

    at.switch_page("pages/home.py")
    run(at)
    assert guide(at) == [done("challenge"), current(2, "action"), later(3, "log"), later(4, "note")]

    # Its button starts an action in the present period and opens it.
    click(at, nb("start.action.button"))
    [action] = fresh().exec(select(Document).where(Document.kind == DocumentKind.ACTION)).all()
    assert action.version == 0 and action.gathering_id is not None
    assert titles(at) == [nb("journal.kind.action")]
    follow(at, "pages/write.py")
    field(at, nb("tpl.field.title")).input("Første aksjon")
    click(at, nb("action.save"))

    at.switch_page("pages/home.py")
    run(at)
    assert guide(at) == [done("challenge"), done("action"), current(3, "log"), later(4, "note")]
    click(at, nb("start.log.button"))
    [log] = fresh().exec(select(Document).where(Document.kind == DocumentKind.LOG)).all()
    assert log.parent_id == action.id
    assert titles(at) == [nb("journal.kind.log")]
    follow(at, "pages/write.py")
    field(at, nb("tpl.field.title")).input("Første logg")
    click(at, nb("action.save"))

    at.switch_page("pages/home.py")
    run(at)
    assert guide(at) == [done("challenge"), done("action"), done("log"), current(4, "note")]
    click(at, nb("start.note.button"))
    [note] = fresh().exec(select(Document).where(Document.kind == DocumentKind.NOTE)).all()
    assert (note.template, titles(at)) == ("D1", [nb("journal.kind.note")])
    follow(at, "pages/write.py")
    field(at, nb("tpl.D1.description")).input("Refleksjon")
    click(at, nb("action.save"))

    at.switch_page("pages/home.py")
    run(at)
    assert guide(at) == []
    assert nb("start.guide_title") not in [s.value for s in at.subheader]
    assert nb("start.recent") in [s.value for s in at.subheader]


def test_where_i_am_once_everything_is_written(writers, browser, dbs):
    today = today_in_oslo()
    cohort, gatherings = future_cohort(dbs, writers.admin, today)
    kari = make_member(dbs, writers.admin, cohort.id, "kari", name="Kari Kull")
    now = gatherings[1].id  # after gathering 2, before gathering 3
    write(dbs, kari, DocumentKind.CHALLENGE, {"title": "Utfordringen"})
    logged = write(dbs, kari, DocumentKind.ACTION, {"title": "Logget aksjon"}, gathering_id=now)
    reflected = write(dbs, kari, DocumentKind.ACTION, {"title": "Reflektert aksjon"}, gathering_id=now)
    unlogged = write(dbs, kari, DocumentKind.ACTION, {"title": "Uten logg"}, gathering_id=now)
    write(dbs, kari, DocumentKind.ACTION, {"title": "Gammel uten logg"}, gathering_id=gatherings[0].id)
    write(dbs, kari, DocumentKind.LOG, {"title": "Logg A"}, parent_id=logged.id)
    write(dbs, kari, DocumentKind.LOG, {"title": "Logg B"}, parent_id=reflected.id)
    last = write(dbs, kari, DocumentKind.NOTE, {"title": "Notatet"},
                 links=journal.Links(action_ids=(reflected.id,)))

    browser.sign_in(kari)
    at = open_page("pages/home.py")
    assert guide(at) == []
    assert [(m.label, m.value) for m in at.metric] == [
        (nb("start.next_gathering", number=3), nb("start.days_left", count=20))
    ]
    links = page_links(at)
    without_log = [("Uten logg", f"id={unlogged.id}")]
    without_reflection = [("Logget aksjon", f"id={logged.id}")]
    assert links[:2] == without_log + without_reflection
    # The five last saved, newest first, each a link to the editor.
    assert [label for label, _ in links[2:7]] == ["Notatet", "Logg B", "Logg A", "Gammel uten logg", "Uten logg"]
    assert links[2] == ("Notatet", f"id={last.id}")
    assert all(query.startswith("id=") for _, query in links[2:7])
    assert [label for label, _ in links[7:10]] == [nb("nav.challenge"), nb("nav.actions"), nb("nav.notes")]
    subheaders = [s.value for s in at.subheader]
    assert [nb("start.without_log"), nb("start.without_reflection"), nb("start.recent")] == [
        s for s in subheaders if s in (nb("start.without_log"), nb("start.without_reflection"), nb("start.recent"))
    ]


def test_where_i_am_with_nothing_due(writers, browser, dbs):
    pia = writers.pia
    write(dbs, pia, DocumentKind.CHALLENGE, {"title": "Utfordringen"})
    action = write(dbs, pia, DocumentKind.ACTION, {"title": "Aksjonen"})
    write(dbs, pia, DocumentKind.LOG, {"title": "Loggen"}, parent_id=action.id)
    write(dbs, pia, DocumentKind.NOTE, {"title": "Notatet"}, links=journal.Links(action_ids=(action.id,)))
    browser.sign_in(pia)
    at = open_page("pages/home.py")
    assert guide(at) == []
    assert not at.metric  # every LEDPRO 2024 gathering is over
    assert [c.value for c in at.main.caption].count(nb("start.nothing")) == 2


# --- the new comments on one's shared notes ---------------------------------------------------------------------


def test_start_page_points_to_new_comments_until_the_owner_opens_the_note(groups, browser, dbs):
    made = shared_earlier(dbs, groups)
    browser.sign_in(groups.pia)
    at = open_page("pages/home.py")
    assert shared_links(at) == []

    comment(dbs, groups.ola, made["turnus"], "Første kommentar.")
    run(at)
    assert [(label, query) for label, query in page_links(at) if query.startswith("share=")] == [
        (nb("start.new_comments", count=1, title="Turnusmøtet"), f"share={made['turnus'].share_id}")
    ]
    assert shared_links(at) == ["1 ny kommentar på «Turnusmøtet»"]
    # Her own comments are not news to her.
    comment(dbs, groups.pia, made["turnus"], "Takk!")
    run(at)
    assert shared_links(at) == [nb("start.new_comments", count=1, title="Turnusmøtet")]
    # Looking at the group page is not opening the note.
    at.switch_page("pages/group.py")
    run(at)
    at.switch_page("pages/home.py")
    run(at)
    assert shared_links(at) == [nb("start.new_comments", count=1, title="Turnusmøtet")]

    at = open_shared(at, made["turnus"].share_id)
    assert "Første kommentar." in shown_texts(at)
    follow(at, "pages/home.py")
    run(at)
    assert shared_links(at) == []
