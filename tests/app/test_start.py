"""Hjem for a participant: a step-by-step guide until the first challenge, action, log entry and note
are saved; afterwards "where I am" in the cycle, with a link to each thing that is due."""

from __future__ import annotations

from sqlmodel import select
from streamlit.testing.v1.element_tree import Block

from ledpro_journal.i18n import today_in_oslo
from ledpro_journal.models import Document, DocumentKind
from ledpro_journal.services import journal
from tests.app.conftest import (
    click,
    field,
    follow,
    future_cohort,
    nb,
    open_page,
    page_links,
    run,
    titles,
    toasts,
    write,
)
from tests.helpers import make_member

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
        (nb("start.next_gathering", number=3), nb("start.days_left", days=20))
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
