"""Kulloversikt: a facilitator's cohort in four charts made of activity counts and what was shared with them,
each with a sentence and a table; participants without a log entry named; never a private title or text."""

from __future__ import annotations

import json
import re

from ledpro_journal.models import DocumentKind, Role
from ledpro_journal.ui.text import plain
from tests.app.builders import (
    nb,
    on_screen,
    open_page,
    page_app,
    registered_pages,
    run,
    shared_earlier,
    shared_links,
    titles,
    write,
)
from tests.helpers import make_cohort, make_member

PAGE = "pages/cohort_overview.py"


def charts(at) -> list[dict]:
    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


def tables(at) -> list[list[dict[str, str]]]:
    found = []
    for element in at.markdown:
        if element.value.startswith("| "):
            lines = [line.strip("|").split(" | ") for line in element.value.splitlines()]
            header = [re.sub(r"\\(.)", r"\1", c.strip()) for c in lines[0]]
            found.append([{h: re.sub(r"\\(.)", r"\1", cell.strip()) for h, cell in zip(header, row, strict=True)}
                          for row in lines[2:]])
    return found


def test_the_cohort_in_four_charts_with_names_of_those_without_a_log(groups, browser, dbs):
    shared_earlier(dbs, groups)
    action = write(dbs, groups.ola, DocumentKind.ACTION, {"title": "Olas hemmelige aksjon", "purpose": "Skjult"})
    write(dbs, groups.ola, DocumentKind.LOG, {"title": "Olas logg", "planned_vs_done": "Logghemmelighet"},
          parent_id=action.id)
    browser.sign_in(groups.frode)
    at = open_page(PAGE)
    assert titles(at) == [nb("nav.cohort_overview")]
    assert [s.value for s in at.subheader] == [nb("cohort_overview.actions.title"), nb("cohort_overview.writing.title"),
                                               nb("cohort_overview.sharing.title"), nb("cohort_overview.quiet.title")]
    actions, writing, sharing_chart, quiet = charts(at)
    assert [trace["name"] for trace in actions["data"]] == [nb("cohort_overview.actions.planned"),
                                                            nb("cohort_overview.actions.logged")]
    assert actions["data"][0]["x"] == ["Gruppe Nord", "Gruppe Sør"] and actions["data"][0]["y"] == [1, 0]
    assert sharing_chart["data"][0]["y"] == [2, 1]  # Nord: Pia's two shares; Sør: Siri's one

    # Every LEDPRO 2024 gathering is over: without a log entry since the sixth, everyone but Ola.
    sentences = [m.value for m in at.markdown]
    assert any(s.startswith(plain(nb("cohort_overview.quiet.summary", number=6, date="X", count="2",
                                     participants="3")).split("X")[0]) for s in sentences)
    quiet_table = tables(at)[-1]
    assert sorted(row[nb("facilitator_page.column.name")] for row in quiet_table) == ["Pia Deltaker", "Siri Sørgruppe"]

    text = on_screen(at) + json.dumps(charts(at), ensure_ascii=False)
    for secret in ("Privat dagbok", "Privathemmelighet", "Olas hemmelige aksjon", "Skjult", "Olas logg",
                   "Logghemmelighet", "Turnusmøtet", "Delt tekst om turnus", "Faglærertekst"):
        assert secret not in text

    # A bar's list: the participants of Gruppe Nord; what Gruppe Nord shared, as the facilitator page lists it.
    at.selectbox(key="cohort_actions_pick").select("Gruppe Nord")
    at.selectbox(key="cohort_sharing_pick").select(str(groups.nord.id))
    run(at)
    names = [row[nb("facilitator_page.column.name")] for row in tables(at)[1]]
    assert names == ["Ola Nordmann", "Pia Deltaker"]
    assert any("Turnusmøtet" in label for label in shared_links(at))


def test_a_facilitator_of_another_cohort_and_participants_see_nothing_of_it(groups, browser, dbs):
    shared_earlier(dbs, groups)
    other = make_cohort(dbs, groups.admin, "LEDPRO 2025")
    gunn = make_member(dbs, groups.admin, other.id, "gunn", role=Role.FACILITATOR, name="Gunn Annen")
    browser.sign_in(gunn)
    at = open_page(PAGE)
    assert [i.value for i in at.info] == [nb("cohort_overview.empty")]
    assert not charts(at)
    text = on_screen(at)
    for secret in ("Gruppe Nord", "Pia Deltaker", "Turnusmøtet", "LEDPRO 2024"):
        assert secret not in text
    for user in (groups.pia, groups.admin):
        browser.sign_in(user)
        assert PAGE not in registered_pages(open_page("pages/home.py"))
        at = run(page_app(PAGE))
        assert titles(at) == [nb("error.no_access_title")] and not charts(at)
