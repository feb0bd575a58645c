"""Aksjoner: new actions in the present period, grouped by period, log counts, what is due before the
next gathering, and log entries written under an action (whose status they update)."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from ledpro_journal.i18n import format_date, today_in_oslo
from ledpro_journal.models import ActionStatus, Document, DocumentKind, Gathering
from tests.app.builders import (
    click,
    field,
    follow,
    future_cohort,
    labelled,
    nb,
    open_page,
    open_write,
    page_links,
    run,
    titles,
    toasts,
    write,
)
from tests.helpers import make_member

SAVE = nb("action.save")


def listed(title: str, *details: str) -> str:
    """An action's link in its period: the title, then its state in grey."""
    return f"{title} :gray[· {' · '.join(details)}]"


def gatherings_of(fresh, cohort_id: int) -> dict[int, Gathering]:
    return {g.number: g for g in fresh().exec(select(Gathering).where(Gathering.cohort_id == cohort_id))}


def documents(fresh, kind) -> list[Document]:
    return fresh().exec(select(Document).where(Document.kind == kind).order_by(Document.id)).all()


def test_no_actions_yet(writers, browser):
    browser.sign_in(writers.pia)
    at = open_page("pages/actions.py")
    assert titles(at) == [nb("nav.actions")]
    assert [i.value for i in at.info] == [nb("journal.no_actions")]
    assert not at.subheader


def test_new_action_is_made_in_the_present_period_and_listed_once_saved(writers, browser, fresh):
    browser.sign_in(writers.pia)
    at = open_page("pages/actions.py")
    click(at, nb("journal.new_action"))

    [action] = documents(fresh, DocumentKind.ACTION)
    last = gatherings_of(fresh, writers.cohort.id)[6]  # every LEDPRO 2024 gathering is over: after the sixth
    assert (action.owner_id, action.template, action.version) == (writers.pia.id, "B", 0)
    assert (action.gathering_id, action.status) == (last.id, ActionStatus.PLANNED)
    assert titles(at) == [nb("journal.kind.action")]
    assert page_links(at) == [(nb("journal.back_to_actions"), "")]
    assert labelled(at.selectbox, nb("journal.period")).value == last.id
    assert labelled(at.selectbox, nb("journal.status")).value == ActionStatus.PLANNED
    # No log entries before the action is saved.
    assert nb("journal.new_log") not in [b.label for b in at.button]

    follow(at, "pages/write.py")
    field(at, nb("tpl.field.title")).input("Prøve stående møter")
    field(at, nb("tpl.B.purpose")).input("Kortere møter")
    labelled(at.date_input, nb("journal.planned_date")).set_value(date(2026, 12, 3))
    click(at, SAVE)
    action = fresh().get(Document, action.id)
    assert (action.version, action.fields, action.happened_on) == (
        1, {"title": "Prøve stående møter", "purpose": "Kortere møter"}, date(2026, 12, 3)
    )
    assert toasts(at) == [nb("journal.saved", version=1)]
    assert nb("journal.new_log") in [b.label for b in at.button]
    assert nb("journal.no_logs") in [c.value for c in at.caption]

    at.switch_page("pages/actions.py")
    run(at)
    assert [s.value for s in at.subheader] == [f"{nb('journal.period.after_last', number=6)} · {nb('journal.now')}"]
    assert page_links(at) == [(listed("Prøve stående møter", nb("journal.status.planned"),
                                      format_date(date(2026, 12, 3), "nb"), nb("journal.log_count", count=0)),
                               f"id={action.id}")]


def test_actions_are_grouped_by_period_with_their_log_counts(writers, browser, dbs, fresh):
    g = gatherings_of(fresh, writers.cohort.id)
    pia = writers.pia
    before = write(dbs, pia, DocumentKind.ACTION, {"title": "Før start"})
    second = write(dbs, pia, DocumentKind.ACTION, {"title": "Mellom to og tre", "purpose": "Hensikten"},
                   gathering_id=g[2].id, status=ActionStatus.IN_PROGRESS)
    fourth = write(dbs, pia, DocumentKind.ACTION, {"title": "Etter fire"}, gathering_id=g[4].id)
    for number in (1, 2):
        write(dbs, pia, DocumentKind.LOG, {"title": f"Logg {number}"}, parent_id=second.id)
    # An unsaved log entry (opened and left) is not counted.
    write(dbs, pia, DocumentKind.LOG, None, parent_id=second.id)
    write(dbs, writers.ola, DocumentKind.ACTION, {"title": "Olas aksjon"}, gathering_id=g[2].id)

    browser.sign_in(pia)
    at = open_page("pages/actions.py")
    assert [s.value for s in at.subheader] == [
        nb("journal.period.before", number=1),
        nb("journal.period.between", after=2, before=3),
        nb("journal.period.between", after=4, before=5),
    ]
    planned, none = nb("journal.status.planned"), nb("journal.log_count", count=0)
    assert page_links(at) == [
        (listed("Før start", planned, none), f"id={before.id}"),
        (listed("Mellom to og tre", nb("journal.status.in_progress"), nb("journal.log_count", count=2)),
         f"id={second.id}"),
        (listed("Etter fire", planned, none), f"id={fourth.id}"),
    ]
    assert not at.info


def test_what_is_due_before_the_next_gathering(writers, browser, dbs):
    today = today_in_oslo()
    cohort, gatherings = future_cohort(dbs, writers.admin, today)
    kari = make_member(dbs, writers.admin, cohort.id, "kari", name="Kari Kull")
    due = write(dbs, kari, DocumentKind.ACTION, {"title": "Denne perioden"}, gathering_id=gatherings[1].id)
    done = write(dbs, kari, DocumentKind.ACTION, {"title": "Ferdig allerede"}, gathering_id=gatherings[1].id,
                 status=ActionStatus.DONE)
    earlier = write(dbs, kari, DocumentKind.ACTION, {"title": "Forrige periode"}, gathering_id=gatherings[0].id)

    browser.sign_in(kari)
    at = open_page("pages/actions.py")
    assert nb("journal.due_before", number=3, count=20) in [m.value.strip("*") for m in at.markdown]
    # In the box: only the open action of the present period (it is also listed under its period).
    planned, none = nb("journal.status.planned"), nb("journal.log_count", count=0)
    assert page_links(at) == [
        ("Denne perioden", f"id={due.id}"),
        (listed("Forrige periode", planned, none), f"id={earlier.id}"),
        (listed("Denne perioden", planned, none), f"id={due.id}"),
        (listed("Ferdig allerede", nb("journal.status.done"), none), f"id={done.id}"),
    ]
    assert [s.value for s in at.subheader] == [
        nb("journal.period.between", after=1, before=2),
        f"{nb('journal.period.between', after=2, before=3)} · {nb('journal.now')}",
    ]


def test_log_entry_under_an_action_updates_its_status(writers, browser, dbs, fresh):
    action = write(dbs, writers.pia, DocumentKind.ACTION, {"title": "Stående møter"})
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), action.id)
    assert [c.value for c in at.caption][0] == nb("tpl.B.name")
    click(at, nb("journal.new_log"))

    [log] = documents(fresh, DocumentKind.LOG)
    assert (log.parent_id, log.template, log.version, log.status) == (action.id, "C", 0, ActionStatus.PLANNED)
    assert titles(at) == [nb("journal.kind.log")]
    assert page_links(at) == [(nb("journal.back_to_action"), f"id={action.id}")]
    assert labelled(at.selectbox, nb("journal.status_after")).value == ActionStatus.PLANNED

    follow(at, "pages/write.py")
    field(at, nb("tpl.field.title")).input("Første møte")
    field(at, nb("tpl.C.planned_vs_done")).input("Vi sto i ti minutter.")
    labelled(at.date_input, nb("journal.log_date")).set_value(date(2026, 11, 20))
    labelled(at.selectbox, nb("journal.status_after")).set_value(ActionStatus.DONE)
    click(at, SAVE)

    log = fresh().get(Document, log.id)
    assert (log.version, log.status, log.happened_on) == (1, ActionStatus.DONE, date(2026, 11, 20))
    assert log.fields == {"title": "Første møte", "planned_vs_done": "Vi sto i ti minutter."}
    assert fresh().get(Document, action.id).status == ActionStatus.DONE
    assert toasts(at) == [nb("journal.saved", version=1)]

    # Back on the action: the entry is listed under it, and the action's status shows the change.
    open_write(at, action.id)
    assert labelled(at.selectbox, nb("journal.status")).value == ActionStatus.DONE
    assert (f"{format_date(date(2026, 11, 20), 'nb')} · Første møte", f"id={log.id}") in page_links(at)
    at.switch_page("pages/actions.py")
    run(at)
    assert page_links(at)[-1] == (listed("Stående møter", nb("journal.status.done"), nb("journal.log_count", count=1)),
                                  f"id={action.id}")
