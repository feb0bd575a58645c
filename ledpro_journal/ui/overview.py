"""The sections of Min oversikt (a participant's year) and Kulloversikt (a facilitator's cohort): each asks one
question, answers it with a chart, a sentence and a table, and leads from a bar to what it counts."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import pandas as pd
import streamlit as st

from ledpro_journal.i18n import format_date
from ledpro_journal.models import DocumentKind
from ledpro_journal.services import sharing
from ledpro_journal.services.overview import (
    ACTIONS_LOGGED,
    ACTIONS_UNLOGGED,
    CYCLE_PARTS,
    LOGS_REFLECTED,
    LOGS_UNREFLECTED,
    CohortOverview,
    MyOverview,
    Period,
    Source,
    assemble,
    in_period,
)
from ledpro_journal.ui import charts
from ledpro_journal.ui.charts import COLOURS, Chart, label, new_chart, number, wrapped
from ledpro_journal.ui.navigation import link
from ledpro_journal.ui.session import Viewer, lang, tr, unit_of_work
from ledpro_journal.ui.sharing import feed_list
from ledpro_journal.ui.text import plain

STATUSES = ("planned", "in_progress", "done", "dropped")
KIND_ICONS = {"action": ":material/flag:", "log": ":material/event_note:", "note": ":material/edit_note:",
              "challenge": ":material/target:"}


def period_name(periods: list[Period], gathering_id: int | None, *, short: bool = False) -> str:
    period = next(p for p in periods if p.gathering_id == gathering_id)
    return tr(f"{'overview' if short else 'journal'}.period.{period.name}", **period.params)


def _key(*parts: object) -> str:
    """A bar's identity in a chooser: plain text, so that session state keeps it as it is."""
    return "|".join("" if part is None else str(part) for part in parts)


def _id_of(text: str) -> int | None:
    """A period's gathering, a theme or a group back from a chooser's key ("" for none)."""
    return int(text) if text else None


def _document_links(rows: pd.DataFrame) -> None:
    for row in rows.itertuples():
        link("pages/write.py", label=f"{plain(row.title) or tr('journal.untitled')} :gray[· {charts.day(row.on)}]",
             icon=KIND_ICONS.get(row.kind, ":material/description:"), query_params={"id": str(row.id)})


# --- Min oversikt ----------------------------------------------------------------------------------------------


@dataclass
class Section:
    """One question of the page, worked out: what to draw and say, before any Streamlit call."""

    key: str
    title: str
    empty: str = ""  # instead of a chart: what to do first
    lead: str = ""
    chart: Chart | None = None
    summary: str = ""
    tables: list[pd.DataFrame | str] = field(default_factory=list)
    options: dict[str, str] = field(default_factory=dict)  # the chooser over the chart's bars
    after: str = ""
    links: list[tuple[str, str, str]] = field(default_factory=list)  # (page, catalogue key, icon)


def show_section(section: Section) -> Hashable | None:
    """The section's heading, and its chart, sentence and tables (or what to do first); what a click picked."""
    st.subheader(section.title)
    clicked = None
    if section.empty:
        st.info(section.empty, icon=":material/lightbulb:")
    else:
        if section.lead:
            st.caption(section.lead)
        clicked = charts.show(section.chart, key=section.key, summary=section.summary, tables=section.tables)
    if section.after:
        st.caption(section.after)
    for page, key, icon in section.links:
        link(page, label=tr(key), icon=icon)
    return clicked


def _chooser(section: Section, clicked: Hashable | None) -> str | None:
    chosen = charts.drilldown(f"{section.key}_pick", section.options, clicked, label_key="overview.pick")
    if chosen is None:
        charts.nothing_picked(f"{section.key}_pick")
    return chosen


def show_my_overview(mine: MyOverview) -> None:
    """Min oversikt's four sections. Their figures are worked out once per journal state and language: a
    rerun (a click on a bar) with nothing new written only draws them again."""
    timeline, cycle, themes, words = _my_sections(mine.source, lang())
    charts.page_styles()
    picked = show_section(timeline)
    if picked is not None:
        st.caption(tr("overview.timeline.picked"))
        _document_links(mine.documents[mine.documents["id"] == picked])
    clicked = show_section(cycle)
    if not cycle.empty and (chosen := _chooser(cycle, clicked)) is not None:
        period, part = chosen.split("|")
        _document_links(mine.cycle_items(_id_of(period), part))
    clicked = show_section(themes)
    if not themes.empty and (chosen := _chooser(themes, clicked)) is not None:
        what, value = chosen.split("|")
        _document_links(mine.theme_items(_id_of(value)) if what == "theme" else mine.template_items(value))
    show_section(words)


@lru_cache(maxsize=64)
def _my_sections(source: Source, language: str) -> tuple[Section, Section, Section, Section]:
    """`language` is the viewer's (every word below is looked up in it): part of what is remembered."""
    mine = assemble(source)
    sections = _timeline(mine), _cycle(mine), _themes(mine), _words(mine)
    for section in sections:
        section.tables = [charts.markdown_table(table) for table in section.tables]
    return sections


def _timeline(mine: MyOverview) -> Section:
    section = Section("overview_timeline", tr("overview.timeline.title"))
    marks = mine.timeline()
    if marks.empty:
        section.empty = tr("overview.timeline.empty")
        section.links = [("pages/actions.py", "nav.actions", ":material/flag:")]
        return section
    lanes = {kind: tr(f"overview.timeline.lane.{kind}") for kind in ("note", "log", "action")}
    chart = new_chart(height=300)
    first = min([marks["on"].min(), *(g.start_date for g in mine.gatherings)]) - timedelta(days=7)
    last = max([marks["on"].max(), mine.today, *(g.end_date for g in mine.gatherings)]) + timedelta(days=7)
    shapes, notes = charts.today_marker(mine.today)
    for gathering in mine.gatherings:
        shapes.append({"type": "rect", "xref": "x", "yref": "paper", "y0": 0, "y1": 1, "layer": "below",
                       "x0": gathering.start_date.isoformat(), "line": {"width": 0}, "fillcolor": COLOURS["band"],
                       "x1": (gathering.end_date + timedelta(days=1)).isoformat()})
        notes.append({"x": gathering.start_date.isoformat(), "y": 1, "yref": "paper", "yanchor": "bottom",
                      "xanchor": "left", "showarrow": False, "font": {"size": 11},
                      "text": label(tr("overview.gathering_short", number=gathering.number))})
    language, untitled = lang(), tr("journal.untitled")
    groups = [("action", status, tr(f"journal.status.{status}"), COLOURS[status]) for status in STATUSES]
    groups += [("log", None, lanes["log"], COLOURS["log"]), ("note", None, lanes["note"], COLOURS["note"])]
    for kind, status, name, colour in groups:
        these = marks[marks["kind"] == kind]
        if status is not None:
            these = these[these["status"] == status]
        if these.empty:
            continue
        hover = [f"{label(t or untitled)}<br>{label(format_date(d, language))}"
                 for t, d in zip(these["title"], these["on"], strict=True)]
        chart.add(charts.scatter(x=[d.isoformat() for d in these["on"]], y=[lanes[kind]] * len(these), mode="markers",
                             name=label(name), marker={"color": colour, "size": 11, "opacity": 0.8,
                                                       "line": {"width": 1, "color": "white"}},
                             hovertext=hover, hovertemplate="%{hovertext}<extra></extra>"),
                  list(these["id"]))
    charts.date_axis(chart, first, last)
    chart.update_layout(shapes=shapes, annotations=notes)
    chart.update_yaxes(categoryorder="array", categoryarray=list(lanes.values()))
    section.chart = chart

    actions = marks[marks["kind"] == "action"]
    section.summary = tr("overview.timeline.summary", period=period_name(mine.periods, mine.current_period),
                         actions=number(len(actions)),
                         open=number(actions["status"].isin(["planned", "in_progress"]).sum()),
                         logs=number((marks["kind"] == "log").sum()), notes=number((marks["kind"] == "note").sum()))
    per = mine.per_period()
    per = per[[p == mine.current_period or any(row) for p, *row in per.itertuples(index=False)]]
    section.tables = [pd.DataFrame({
        tr("overview.column.period"): [period_name(mine.periods, p) for p in per["period"]],
        **{tr(f"journal.status.{s}"): [number(v) for v in per[s]] for s in STATUSES},
        tr("overview.column.logs"): [number(v) for v in per["logs"]],
        tr("overview.column.notes"): [number(v) for v in per["notes"]],
    })]
    return section


def _cycle(mine: MyOverview) -> Section:
    section = Section("overview_cycle", tr("overview.cycle.title"))
    if mine.of_kind(DocumentKind.ACTION).empty:
        section.empty = tr("overview.cycle.empty")
        section.links = [("pages/actions.py", "nav.actions", ":material/flag:")]
        return section
    section.lead = tr("overview.cycle.lead")
    cycle = mine.cycle()
    periods = list(cycle["period"])
    x = [period_name(mine.periods, p, short=True) for p in periods]
    chart = new_chart(height=440, rows=2, shared_x=True,
                      titles=(tr("overview.cycle.actions_panel"), tr("overview.cycle.logs_panel")))
    for part, row, colour in ((ACTIONS_LOGGED, 1, "closed"), (ACTIONS_UNLOGGED, 1, "open"),
                              (LOGS_REFLECTED, 2, "closed"), (LOGS_UNREFLECTED, 2, "open")):
        name = label(tr(f"overview.cycle.part.{part}"))
        chart.add(charts.bar(x=x, y=list(cycle[part]), name=name, marker_color=COLOURS[colour],
                         hovertemplate=f"%{{x}}: %{{y}}<extra>{name}</extra>"),
                  [_key(p, part) if n else None for p, n in zip(periods, cycle[part], strict=True)], row=row, col=1)
    chart.update_layout(barmode="stack", legend={"y": -0.16, "traceorder": "normal"})
    chart.update_yaxes(title_text=label(tr("overview.count_axis")))
    charts.count_axis(chart, (cycle[ACTIONS_LOGGED] + cycle[ACTIONS_UNLOGGED]).max(), row=1, col=1)
    charts.count_axis(chart, (cycle[LOGS_REFLECTED] + cycle[LOGS_UNREFLECTED]).max(), row=2, col=1)
    chart.update_xaxes(title_text=label(tr("overview.period_axis")), row=2, col=1)
    section.chart = chart

    totals = {part: int(cycle[part].sum()) for part in CYCLE_PARTS}
    section.summary = tr("overview.cycle.summary", actions_logged=number(totals[ACTIONS_LOGGED]),
                         actions=number(totals[ACTIONS_LOGGED] + totals[ACTIONS_UNLOGGED]),
                         logs_reflected=number(totals[LOGS_REFLECTED]),
                         logs=number(totals[LOGS_REFLECTED] + totals[LOGS_UNREFLECTED]))
    shown = cycle[[p == mine.current_period or any(row) for p, *row in
                   cycle[["period", *CYCLE_PARTS]].itertuples(index=False)]]
    section.tables = [pd.DataFrame({
        tr("overview.column.period"): [period_name(mine.periods, p) for p in shown["period"]],
        **{tr(f"overview.cycle.part.{part}"): [number(v) for v in shown[part]] for part in CYCLE_PARTS},
    })]
    section.options = {
        _key(p, part): tr("overview.pick_option", period=period_name(mine.periods, p),
                          part=tr(f"overview.cycle.part.{part}"), count=number(n))
        for p, *counts in cycle[["period", *CYCLE_PARTS]].itertuples(index=False)
        for part, n in zip(CYCLE_PARTS, counts, strict=True) if n
    }
    return section


def _themes(mine: MyOverview) -> Section:
    section = Section("overview_themes", tr("overview.themes.title"))
    notes = mine.of_kind(DocumentKind.NOTE)
    if notes.empty:
        section.empty = tr("overview.themes.empty")
        section.links = [("pages/notes.py", "nav.notes", ":material/edit_note:")]
        return section
    themes = mine.by_theme()
    themes = themes[[t is not None or n > 0 for t, n in zip(themes["theme_id"], themes["notes"], strict=True)]]
    theme_names = [name if theme_id is not None else tr("overview.themes.no_theme")
                   for theme_id, name in zip(themes["theme_id"], themes["name"], strict=True)]
    theme_keys = [_key("theme", t) for t in themes["theme_id"]]
    templates = mine.by_template()
    template_names = [tr(f"tpl.{code}.name") for code in templates["template"]]
    template_keys = [_key("template", c) for c in templates["template"]]
    # Room for theme names over three lines on a phone: the height follows the number of bars.
    chart = new_chart(height=150 + 58 * (len(themes) + len(templates)), rows=2,
                      titles=(tr("overview.themes.by_theme"), tr("overview.themes.by_template")))
    words_name = label(tr("overview.themes.words"))
    for row, names, frame, keys in ((1, theme_names, themes, theme_keys),
                                    (2, template_names, templates, template_keys)):
        counts = [tr("overview.themes.notes") + f": {number(n)}" for n in frame["notes"]]
        chart.add(charts.bar(y=[wrapped(n, 22) for n in names], x=list(frame["words"]), orientation="h",
                             name=words_name,
                         marker_color=COLOURS["words"], text=[label(c) for c in counts], textposition="auto",
                         hovertemplate=f"%{{y}}<br>%{{x:,d}} {words_name}<extra></extra>", showlegend=False),
                  [k if n else None for k, n in zip(keys, frame["notes"], strict=True)], row=row, col=1)
        chart.update_yaxes(autorange="reversed", row=row, col=1)
    chart.update_xaxes(rangemode="tozero", tickformat=",d")
    chart.update_xaxes(title_text=words_name, row=2, col=1)
    section.chart = chart

    tagged = themes[[t is not None for t in themes["theme_id"]]]
    common = tr(f"tpl.{templates.sort_values('notes', ascending=False, kind='stable').iloc[0]['template']}.name")
    if tagged.empty or tagged["words"].max() == 0:
        section.summary = tr("overview.themes.summary_no_theme", notes=number(len(notes)),
                             words=number(notes["words"].sum()), template=common)
    else:
        top = tagged.sort_values("words", ascending=False, kind="stable").iloc[0]
        section.summary = tr("overview.themes.summary", notes=number(len(notes)), words=number(notes["words"].sum()),
                             theme=top["name"], theme_words=number(top["words"]), template=common)
    section.tables = [
        pd.DataFrame({
            tr("overview.column.theme"): theme_names,
            tr("overview.column.notes"): [number(n) for n in themes["notes"]],
            tr("overview.column.words"): [number(n) for n in themes["words"]],
        }),
        pd.DataFrame({
            tr("overview.column.template"): template_names,
            tr("overview.column.notes"): [number(n) for n in templates["notes"]],
            tr("overview.column.words"): [number(n) for n in templates["words"]],
        }),
    ]
    section.options = {
        key: tr("overview.pick_option", period=tr(heading), part=name, count=number(n))
        for heading, names, keys, frame in (("overview.themes.by_theme", theme_names, theme_keys, themes),
                                            ("overview.themes.by_template", template_names, template_keys, templates))
        for name, key, n in zip(names, keys, frame["notes"], strict=True) if n
    }
    return section


def _words(mine: MyOverview) -> Section:
    section = Section("overview_words", tr("overview.words.title"), lead=tr("overview.words.lead"))
    words = mine.words_over_time()
    chart = new_chart(height=320)
    total_name = label(tr("overview.words.total"))
    days = [d.isoformat() for d in words["day"]]
    chart.add(charts.scatter(x=days, y=list(words["total"]), mode="lines+markers", line_shape="hv", name=total_name,
                         marker={"size": 5, "color": COLOURS["words"]}, line={"color": COLOURS["words"]},
                         hovertext=[label(format_date(d, lang())) for d in words["day"]],
                         hovertemplate=f"%{{hovertext}}<br>%{{y:,d}} {label(tr('overview.words.axis'))}"
                                       "<extra></extra>"),
              [None] * len(days))
    first = min([words["day"].min(), *(g.start_date for g in mine.gatherings)]) - timedelta(days=7)
    last = max([words["day"].max(), mine.today, *(g.end_date for g in mine.gatherings)]) + timedelta(days=7)
    limit = mine.word_limit
    if limit:
        chart.add(charts.scatter(x=[first.isoformat(), last.isoformat()], y=[limit, limit], mode="lines",
                             name=label(tr("overview.words.limit")), line={"color": COLOURS["limit"], "dash": "dot"},
                             hovertemplate=f"{label(tr('overview.words.limit'))}: %{{y:,d}}<extra></extra>"),
                  [None, None])
    charts.date_axis(chart, first, last)
    shapes, notes = charts.today_marker(mine.today)
    chart.update_layout(shapes=shapes, annotations=notes)
    chart.update_yaxes(title_text=label(tr("overview.words.axis")), rangemode="tozero", tickformat=",d")
    section.chart = chart

    total = mine.total_words
    if not limit:
        section.summary = tr("overview.words.summary_no_limit", words=number(total))
        section.after = tr("overview.words.set_limit")
        section.links = [("pages/exam.py", "nav.exam", ":material/description:")]
    elif total < limit:
        section.summary = tr("overview.words.summary_below", words=number(total), missing=number(limit - total),
                             limit=number(limit))
    else:
        section.summary = tr("overview.words.summary_above", words=number(total), limit=number(limit))
    monthly = words.assign(month=[date(d.year, d.month, 1) for d in words["day"]]).groupby("month", sort=True)
    months = monthly["words"].sum()
    section.tables = [pd.DataFrame({
        tr("overview.column.month"): [charts.month_name(m) for m in months.index],
        tr("overview.column.words_month"): [number(v) for v in months],
        tr("overview.column.total"): [number(v) for v in months.cumsum()],
    })]
    return section


# --- Kulloversikt --------------------------------------------------------------------------------------------------


def _group_name(name: str) -> str:
    return name or tr("cohort_overview.no_group")


def cohort_actions(co: CohortOverview) -> None:
    st.subheader(tr("cohort_overview.actions.title"))
    groups = co.per_group()
    names = [_group_name(g) for g in groups["group"]]
    chart = new_chart(height=340)
    for column, name_key, colour in (("actions_planned", "cohort_overview.actions.planned", "planned"),
                                     ("actions_logged", "cohort_overview.actions.logged", "closed")):
        name = label(tr(name_key))
        chart.add(charts.bar(x=[wrapped(n, 12) for n in names], y=list(groups[column]), name=name,
                         marker_color=COLOURS[colour], hovertemplate=f"%{{x}}: %{{y}}<extra>{name}</extra>"),
                  [_key(g) for g in groups["group"]])
    chart.update_layout(barmode="group")
    chart.update_yaxes(title_text=label(tr("overview.count_axis")))
    charts.count_axis(chart, groups["actions_planned"].max() if len(groups) else 0)
    summary = tr("cohort_overview.actions.summary", planned=number(groups["actions_planned"].sum()),
                 logged=number(groups["actions_logged"].sum()))
    table = pd.DataFrame({
        tr("facilitator_page.column.group"): names,
        tr("cohort_overview.column.participants"): [number(v) for v in groups["participants"]],
        tr("facilitator_page.column.planned"): [number(v) for v in groups["actions_planned"]],
        tr("facilitator_page.column.logged"): [number(v) for v in groups["actions_logged"]],
        tr("facilitator_page.column.notes"): [number(v) for v in groups["notes"]],
    })
    clicked = charts.show(chart, key="cohort_actions", summary=summary, tables=[table])
    options = {_key(g): f"{_group_name(g)} ({number(n)})" for g, n in zip(groups["group"], groups["participants"],
                                                                          strict=True)}
    chosen = charts.drilldown("cohort_actions_pick", options, clicked, label_key="cohort_overview.pick_group")
    if chosen is None:
        charts.nothing_picked("cohort_actions_pick")
        return
    people = co.people[co.people["group"] == chosen]
    charts.data_table(pd.DataFrame({
        tr("facilitator_page.column.name"): list(people["name"]),
        tr("facilitator_page.column.planned"): [number(v) for v in people["actions_planned"]],
        tr("facilitator_page.column.logged"): [number(v) for v in people["actions_logged"]],
        tr("facilitator_page.column.notes"): [number(v) for v in people["notes"]],
    }))


def cohort_writing(co: CohortOverview) -> None:
    st.subheader(tr("cohort_overview.writing.title"))
    per = co.per_period()
    kinds = ("action", "log", "note")
    if not per[list(kinds)].to_numpy().any():
        st.info(tr("cohort_overview.writing.empty"), icon=":material/info:")
        return
    st.caption(tr("cohort_overview.writing.lead"))
    periods = list(per["period"])
    x = [period_name(co.periods, p, short=True) for p in periods]
    chart = new_chart(height=340)
    for kind in kinds:
        name = label(tr(f"overview.timeline.lane.{kind}"))
        colour = COLOURS["planned" if kind == "action" else kind]
        chart.add(charts.bar(x=x, y=list(per[kind]), name=name, marker_color=colour,
                         hovertemplate=f"%{{x}}: %{{y}}<extra>{name}</extra>"),
                  [_key(p, kind) if n else None for p, n in zip(periods, per[kind], strict=True)])
    chart.update_layout(barmode="stack", legend={"traceorder": "normal", "y": -0.25})
    chart.update_yaxes(title_text=label(tr("overview.count_axis")))
    charts.count_axis(chart, per[list(kinds)].sum(axis=1).max())
    chart.update_xaxes(title_text=label(tr("overview.period_axis")))
    now = in_period(per, co.current_period).iloc[0]
    summary = tr("cohort_overview.writing.summary", period=period_name(co.periods, co.current_period),
                 actions=number(now["action"]), logs=number(now["log"]), notes=number(now["note"]))
    table = pd.DataFrame({
        tr("overview.column.period"): [period_name(co.periods, p) for p in periods],
        **{tr(f"overview.timeline.lane.{kind}"): [number(v) for v in per[kind]] for kind in kinds},
    })
    clicked = charts.show(chart, key="cohort_writing", summary=summary, tables=[table])
    options = {
        _key(p, kind): tr("overview.pick_option", period=period_name(co.periods, p),
                          part=tr(f"overview.timeline.lane.{kind}"), count=number(n))
        for p, *counts in per[["period", *kinds]].itertuples(index=False)
        for kind, n in zip(kinds, counts, strict=True) if n
    }
    chosen = charts.drilldown("cohort_writing_pick", options, clicked, label_key="overview.pick")
    if chosen is None:
        charts.nothing_picked("cohort_writing_pick")
        return
    period, kind = chosen.split("|")
    writers = co.writers_in(_id_of(period), kind)
    charts.data_table(pd.DataFrame({
        tr("facilitator_page.column.name"): list(writers["name"]),
        tr("facilitator_page.column.group"): [_group_name(g) for g in writers["group"]],
        tr("cohort_overview.column.count"): [number(v) for v in writers["count"]],
    }))


def cohort_sharing(viewer: Viewer, co: CohortOverview, cohort_id: int) -> None:
    st.subheader(tr("cohort_overview.sharing.title"))
    frame = co.sharing
    if frame.empty:
        st.info(tr("cohort_overview.sharing.empty"), icon=":material/info:")
        return
    names = [_group_name(g) for g in frame["group"]]
    keys = [_key(g) for g in frame["group_id"]]
    chart = new_chart(height=340)
    for column, colour in (("shares", "note"), ("comments", "log")):
        name = label(tr(f"cohort_overview.column.{column}"))
        chart.add(charts.bar(x=[wrapped(n, 12) for n in names], y=list(frame[column]), name=name,
                         marker_color=COLOURS[colour], hovertemplate=f"%{{x}}: %{{y}}<extra>{name}</extra>"),
                  [k if s else None for k, s in zip(keys, frame["shares"], strict=True)])
    chart.update_layout(barmode="group")
    chart.update_yaxes(title_text=label(tr("overview.count_axis")))
    charts.count_axis(chart, max(frame["shares"].max(), frame["comments"].max()))
    summary = tr("cohort_overview.sharing.summary", shares=number(frame["shares"].sum()),
                 comments=number(frame["comments"].sum()))
    table = pd.DataFrame({
        tr("facilitator_page.column.group"): names,
        tr("cohort_overview.column.shares"): [number(v) for v in frame["shares"]],
        tr("cohort_overview.column.comments"): [number(v) for v in frame["comments"]],
    })
    clicked = charts.show(chart, key="cohort_sharing", summary=summary, tables=[table])
    options = {k: f"{n} ({number(s)})" for k, n, s in zip(keys, names, frame["shares"], strict=True) if s}
    chosen = charts.drilldown("cohort_sharing_pick", options, clicked, label_key="cohort_overview.sharing.pick")
    if chosen is None:
        charts.nothing_picked("cohort_sharing_pick")
        return
    with unit_of_work() as session:
        items = sharing.feed(viewer.user, session=session, group_id=_id_of(chosen),
                             cohort_id=None if chosen else cohort_id)
    feed_list(items, empty_key="group_page.nothing_new")


def cohort_quiet(co: CohortOverview) -> None:
    st.subheader(tr("cohort_overview.quiet.title"))
    groups = co.per_group()
    names = [_group_name(g) for g in groups["group"]]
    chart = new_chart(height=340)
    for column, name_key, colour in (("with_log", "cohort_overview.quiet.with", "closed"),
                                     ("without_log", "cohort_overview.quiet.without", "open")):
        values = groups["participants"] - groups["without_log"] if column == "with_log" else groups["without_log"]
        name = label(tr(name_key))
        chart.add(charts.bar(x=[wrapped(n, 12) for n in names], y=list(values), name=name, marker_color=COLOURS[colour],
                         hovertemplate=f"%{{x}}: %{{y}}<extra>{name}</extra>"),
                  [_key(g) for g in groups["group"]])
    chart.update_layout(barmode="stack", legend={"traceorder": "normal"})
    chart.update_yaxes(title_text=label(tr("cohort_overview.column.participants")))
    charts.count_axis(chart, groups["participants"].max() if len(groups) else 0)
    quiet = co.without_log()
    if co.last_gathering is not None:
        summary = tr("cohort_overview.quiet.summary", number=co.last_gathering.number,
                     date=charts.day(co.last_gathering.end_date), count=number(len(quiet)),
                     participants=number(len(co.people)))
    else:
        summary = tr("cohort_overview.quiet.summary_before", count=number(len(quiet)),
                     participants=number(len(co.people)))
    table = pd.DataFrame({
        tr("facilitator_page.column.name"): list(quiet["name"]),
        tr("facilitator_page.column.group"): [_group_name(g) for g in quiet["group"]],
        tr("facilitator_page.column.planned"): [number(v) for v in quiet["actions_planned"]],
        tr("facilitator_page.column.logged"): [number(v) for v in quiet["actions_logged"]],
    })
    clicked = charts.show(chart, key="cohort_quiet", summary=summary, tables=[table])
    if quiet.empty:
        st.caption(tr("cohort_overview.quiet.none"))
    options = {_key(g): f"{_group_name(g)} ({number(n)})" for g, n in zip(groups["group"], groups["without_log"],
                                                                          strict=True) if n}
    chosen = charts.drilldown("cohort_quiet_pick", options, clicked, label_key="cohort_overview.pick_group")
    if chosen is not None:
        st.markdown("\n".join(f"- {plain(name)}" for name in co.without_log(chosen)["name"]))
