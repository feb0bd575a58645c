"""Min oversikt: a participant's year in four charts, each with a sentence and a table, what to do first when
there is nothing yet, and from a bar (or its chooser) the documents it counts."""

from __future__ import annotations

import json
import re
from datetime import date

from babel.dates import format_date as babel_date
from babel.messages.pofile import read_po
from sqlmodel import select

from ledpro_journal.i18n import LOCALES_DIR, t
from ledpro_journal.models import DocumentKind, Gathering, Theme
from ledpro_journal.services import accounts, exam, journal
from ledpro_journal.ui.text import plain
from tests.app.builders import (
    nb,
    open_page,
    page_app,
    page_links,
    registered_pages,
    run,
    titles,
    write,
)

ACTION, LOG, NOTE = DocumentKind.ACTION, DocumentKind.LOG, DocumentKind.NOTE


def charts(at) -> list[dict]:
    """The plotly figures on the page, as the browser receives them."""
    return [json.loads(element.proto.spec) for element in at.get("plotly_chart")]


def tables(at) -> list[list[dict[str, str]]]:
    """The data tables under the charts (Markdown tables), as rows of column -> text, escapes undone."""
    found = []
    for element in at.markdown:
        if not element.value.startswith("| "):
            continue
        lines = [line.strip("|").split(" | ") for line in element.value.splitlines()]
        header, rows = [c.strip() for c in lines[0]], lines[2:]
        found.append([{re.sub(r"\\(.)", r"\1", h): re.sub(r"\\(.)", r"\1", cell.strip())
                       for h, cell in zip(header, row, strict=True)} for row in rows])
    return found


def one_sentence(text: str) -> bool:
    """Ends a sentence once, at its end (a full stop after a digit is a Norwegian date's, "6. juni")."""
    return len(re.findall(r"(?<!\d)[.!?](?=\s|$)", text)) == 1 and text.rstrip()[-1] in ".!?"


def test_every_summary_under_a_chart_is_one_sentence_in_every_language():
    """The plain-text summary under each chart of both overview pages is one sentence, in every catalogue."""
    keys = set()
    for code in ("nb", "nn", "en"):
        with open(LOCALES_DIR / code / "LC_MESSAGES" / "messages.po", "rb") as po:
            keys |= {m.id for m in read_po(po) if isinstance(m.id, str)
                     and re.match(r"(overview|cohort_overview)\.[a-z_.]*summary", m.id)}
    assert len(keys) >= 10
    long = [(code, key, t(key, code)) for code in ("nb", "nn", "en") for key in sorted(keys)
            if not one_sentence(t(key, code))]
    assert not long, long


def test_nothing_written_yet_says_what_to_do_first(writers, browser):
    browser.sign_in(writers.pia)
    at = open_page("pages/overview.py")
    assert titles(at) == [nb("nav.overview")]
    assert [i.value for i in at.info] == [nb("overview.empty")]
    assert [label for label, _ in page_links(at)] == [nb("nav.challenge"), nb("nav.actions")]
    assert not charts(at) and not tables(at) and not at.subheader


def test_only_participants_have_the_page(writers, browser, dbs, frode):
    _year(dbs, writers)
    for user in (frode, writers.admin):
        browser.sign_in(user)
        assert "pages/overview.py" not in registered_pages(open_page("pages/home.py"))
        at = run(page_app("pages/overview.py"))
        assert titles(at) == [nb("error.no_access_title")]
        assert not charts(at) and not tables(at)


def _year(dbs, writers):
    """Pia's challenge, two actions after gathering 2 (one logged), a note on the logged one tagged with the
    first theme, and a free note without theme or gathering."""
    pia = writers.pia
    gatherings = {g.number: g for g in dbs.exec(select(Gathering).where(Gathering.cohort_id == writers.cohort.id))}
    theme = dbs.exec(select(Theme).where(Theme.cohort_id == writers.cohort.id).order_by(Theme.position)).first()
    write(dbs, pia, DocumentKind.CHALLENGE, {"title": "Utfordringen", "description": "Ett to tre fire"})
    logged = write(dbs, pia, ACTION, {"title": "Møte med teamet", "purpose": "Fem ord i dette feltet"},
                   gathering_id=gatherings[2].id, happened_on=gatherings[2].end_date)
    waiting = write(dbs, pia, ACTION, {"title": "Ny møteform"}, gathering_id=gatherings[2].id)
    log = write(dbs, pia, LOG, {"title": "Det gikk", "planned_vs_done": "Sånn"}, parent_id=logged.id)
    write(dbs, pia, NOTE, {"title": "Refleksjon", "description": "En to tre fire fem seks"}, template="D1",
          links=journal.Links(action_ids=(logged.id,), theme_ids=(theme.id,)))
    write(dbs, pia, NOTE, {"title": "Fri tanke", "free_text": "Bare litt"}, template="G")
    draft = exam.open_draft(pia, session=dbs)
    exam.update_settings(pia, session=dbs, draft_id=draft.id, title="", problem_statement="", include_prompts=True,
                         word_limit=5000)
    dbs.commit()
    return gatherings, theme, logged, waiting, log


def test_four_charts_each_with_its_sentence_and_table(writers, browser, dbs):
    gatherings, theme, logged, waiting, log = _year(dbs, writers)
    browser.sign_in(writers.pia)
    at = open_page("pages/overview.py")
    assert [s.value for s in at.subheader] == [nb("overview.timeline.title"), nb("overview.cycle.title"),
                                               nb("overview.themes.title"), nb("overview.words.title")]
    figures = charts(at)
    assert len(figures) == 4
    timeline, cycle, themes, words = figures

    # Where am I: six gathering bands, today marked, the marks in their lanes, month names in Norwegian.
    assert [s["type"] for s in timeline["layout"]["shapes"]].count("rect") == 6
    assert {a["text"] for a in timeline["layout"]["annotations"]} >= {nb("overview.today"), "S1", "S6"}
    lanes = {trace["name"]: trace["y"][0] for trace in timeline["data"]}
    assert lanes == {nb("journal.status.planned"): nb("overview.timeline.lane.action"),
                     nb("overview.timeline.lane.log"): nb("overview.timeline.lane.log"),
                     nb("overview.timeline.lane.note"): nb("overview.timeline.lane.note")}
    norwegian_months = {babel_date(date(2024, m, 1), format="MMM", locale="nb_NO") for m in range(1, 13)}
    assert {"mai", "okt.", "des."} <= norwegian_months
    ticks = timeline["layout"]["xaxis"]["ticktext"]
    assert ticks and all(text.split(" ")[0] in norwegian_months for text in ticks), ticks

    # Is my cycle closed: the period after gathering 2 has one action logged and one waiting.
    by_name = {trace["name"]: trace for trace in cycle["data"]}
    after_2 = cycle["data"][0]["x"].index("S2–S3")
    assert by_name[nb("overview.cycle.part.actions_logged")]["y"][after_2] == 1
    assert by_name[nb("overview.cycle.part.actions_unlogged")]["y"][after_2] == 1
    # The log entry belongs to its action's period, and its action has a reflection note.
    assert by_name[nb("overview.cycle.part.logs_reflected")]["y"][after_2] == 1

    # What have I written about: words per theme, and per model.
    theme_bars, template_bars = themes["data"]
    assert theme_bars["x"][0] == 7  # "Refleksjon" and "En to tre fire fem seks": the one note on theme 1
    assert template_bars["x"][template_bars["y"].index("Fritt notat")] == 4

    # Will I reach the exam: the running total against the word limit.
    total, limit = words["data"]
    assert total["y"][-1] == sum(journal.count_words(t) for t in (
        "Utfordringen", "Ett to tre fire", "Møte med teamet", "Fem ord i dette feltet", "Ny møteform", "Det gikk",
        "Sånn", "Refleksjon", "En to tre fire fem seks", "Fri tanke", "Bare litt"))
    assert limit["y"] == [5000, 5000]

    sentences = [m.value for m in at.markdown]
    period_now = nb("journal.period.after_last", number=6)
    assert plain(nb("overview.timeline.summary", period=period_now, actions="2", open="2", logs="1", notes="2")) \
        in sentences
    assert plain(nb("overview.cycle.summary", actions_logged="1", actions="2", logs_reflected="1", logs="1")) \
        in sentences
    # One sentence each, the chart's text alternative too.
    assert [chart.proto.alt for chart in at.get("plotly_chart")] == [
        "I dag er du i perioden Etter samling 6, og hittil i år har du dette i journalen – aksjoner: 2 (planlagt "
        "eller pågår: 2), loggføringer: 1, notater: 2.",
        "Aksjoner med loggføring: 1 av 2, og loggføringer der du har skrevet refleksjonsnotat om aksjonen: 1 av 1.",
        "Refleksjonsnotater: 2, med 11 ord, flest om «Grunnleggende organisasjonsforståelse» (7); oftest brukte "
        "modell: Refleksjonsnotat – Gibbs.",
        nb("overview.words.summary_below", words="29", missing="4\u00a0971", limit="5\u00a0000"),
    ]
    assert plain(nb("overview.words.summary_below", words="29", missing="4\u00a0971", limit="5\u00a0000")) \
        in sentences
    assert len(tables(at)) == 5  # timeline, cycle, themes, models, words
    cycle_table = tables(at)[1]
    row = next(r for r in cycle_table if r[nb("overview.column.period")] == nb("journal.period.between", after=2,
                                                                                before=3))
    assert row[nb("overview.cycle.part.actions_unlogged")] == "1"


def test_a_bar_leads_to_the_documents_it_counts(writers, browser, dbs):
    gatherings, theme, logged, waiting, log = _year(dbs, writers)
    browser.sign_in(writers.pia)
    at = open_page("pages/overview.py")
    chooser = at.selectbox(key="overview_cycle_pick")
    assert chooser.label == nb("overview.pick") and chooser.value is None
    option = nb("overview.pick_option", period=nb("journal.period.between", after=2, before=3),
                part=nb("overview.cycle.part.actions_unlogged"), count="1")
    assert option in chooser.options
    chooser.select(f"{gatherings[2].id}|actions_unlogged")  # the option behind that label
    run(at)
    links = dict((label.split(" :gray")[0], query) for label, query in page_links(at))
    assert links["Ny møteform"] == f"id={waiting.id}"
    assert "Møte med teamet" not in links

    # The notes of a reflection model, from the themes chart's chooser.
    models = at.selectbox(key="overview_themes_pick")
    assert nb("overview.pick_option", period=nb("overview.themes.by_template"), part="Fritt notat", count="1") \
        in models.options
    models.select("template|G")
    run(at)
    links = dict((label.split(" :gray")[0], query) for label, query in page_links(at))
    assert "Fri tanke" in links and "Refleksjon" not in links


def test_no_actions_yet_says_so_instead_of_empty_axes(writers, browser, dbs):
    write(dbs, writers.pia, NOTE, {"title": "Første notat", "description": "Noe"})
    browser.sign_in(writers.pia)
    at = open_page("pages/overview.py")
    infos = [i.value for i in at.info]
    assert nb("overview.cycle.empty") in infos
    assert len(charts(at)) == 3  # timeline, themes, words: the cycle has nothing to draw


def test_in_english_months_and_numbers_are_english(writers, browser, dbs):
    _year(dbs, writers)
    accounts.update_profile(writers.pia, session=dbs, display_name=writers.pia.display_name, candidate_number=None,
                            language="en", part=1)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_page("pages/overview.py")
    assert titles(at) == ["My overview"]
    timeline = charts(at)[0]
    assert timeline["layout"]["separators"] == ".,"
    english_months = {babel_date(date(2024, m, 1), format="MMM", locale="en_GB") for m in range(1, 13)}
    ticks = timeline["layout"]["xaxis"]["ticktext"]
    assert ticks and all(text.split(" ")[0] in english_months for text in ticks), ticks


def test_what_is_written_next_shows_at_the_next_rerun_and_titles_stay_text(writers, browser, dbs):
    """The figures are remembered per journal state: writing something makes new ones. A title is never
    markup inside a chart (plotly reads a few HTML tags)."""
    marked = "<b>Fet</b> <a href='https://example.org'>lenke</a>"
    write(dbs, writers.pia, NOTE, {"title": marked, "description": "Tre ord her"})
    browser.sign_in(writers.pia)
    at = open_page("pages/overview.py")
    [notes] = [trace for trace in charts(at)[0]["data"] if trace["name"] == nb("overview.timeline.lane.note")]
    assert len(notes["x"]) == 1
    assert notes["hovertext"][0].startswith("&lt;b&gt;Fet&lt;/b&gt; &lt;a href='https://example.org'&gt;")
    write(dbs, writers.pia, NOTE, {"title": "Neste", "description": "Enda flere ord her nå"})
    run(at)
    [notes] = [trace for trace in charts(at)[0]["data"] if trace["name"] == nb("overview.timeline.lane.note")]
    assert len(notes["x"]) == 2
    words = charts(at)[-1]["data"][0]["y"][-1]  # no actions: timeline, themes, words
    assert words == sum(journal.count_words(text) for text in (marked, "Tre ord her", "Neste", "Enda flere ord her nå"))
