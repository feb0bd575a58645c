"""Charts that read on a phone and on paper: plotly figures in the user's language, each shown with a one-
sentence summary and a table (a screen reader cannot read a plotly SVG), and a way from a bar to what it counts.

Plotly writes month names and numbers in English by itself; so dates get ticks we write with Babel, numbers
the user's separators, and every text we put into a figure is escaped (plotly reads a few HTML tags in text,
and nothing the user typed may become markup).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from babel.dates import format_date as babel_date

from ledpro_journal.i18n import format_date, format_number, language, number_symbols
from ledpro_journal.ui.session import lang, tr
from ledpro_journal.ui.text import plain

# No mode bar (its icons and English tooltips crowd a phone), no zooming by scroll or drag: the charts are read.
CONFIG = {"displayModeBar": False, "scrollZoom": False, "responsive": True}
# Colour-blind-safe (Okabe and Ito), and the same meaning throughout: green closed, orange open.
COLOURS = {
    "planned": "#0072B2", "in_progress": "#E69F00", "done": "#009E73", "dropped": "#999999",
    "log": "#CC79A7", "note": "#D55E00", "closed": "#009E73", "open": "#E69F00", "words": "#0072B2",
    "limit": "#D55E00", "today": "#333333", "band": "rgba(0, 114, 178, 0.10)",
}


@dataclass
class Chart:
    """A figure as plotly's plain data and layout, made into a plotly Figure once, when first drawn (plotly
    checks a whole figure in a few milliseconds, but each step of building one up by its methods costs as
    much), and, per trace and point, what a click on it picks (None: nothing)."""

    layout: dict
    rows: int = 1
    data: list[dict] = field(default_factory=list)
    targets: list[list[Hashable | None]] = field(default_factory=list)
    _figure: _CheckedFigure | None = None

    def add(self, trace: dict, targets: list[Hashable | None], *, row: int = 1, col: int = 1) -> None:
        if row > 1:
            trace = {**trace, "xaxis": f"x{row}", "yaxis": f"y{row}"}
        self.data.append(trace)
        self.targets.append(list(targets))

    def update_layout(self, **props) -> None:
        for key, value in props.items():
            if key in ("shapes", "annotations"):
                self.layout.setdefault(key, []).extend(value)
            elif isinstance(value, dict) and isinstance(self.layout.get(key), dict):
                self.layout[key].update(value)
            else:
                self.layout[key] = value

    def _update_axes(self, letter: str, row: int | None, props: dict) -> None:
        for number in range(1, self.rows + 1) if row is None else [row]:
            self.layout.setdefault(f"{letter}axis{number if number > 1 else ''}", {}).update(props)

    def update_xaxes(self, *, row: int | None = None, col: int = 1, **props) -> None:
        self._update_axes("x", row, props)

    def update_yaxes(self, *, row: int | None = None, col: int = 1, **props) -> None:
        self._update_axes("y", row, props)

    @property
    def figure(self) -> go.Figure:
        if self._figure is None:
            self._figure = _CheckedFigure(data=self.data, layout=self.layout)
        return self._figure


class _CheckedFigure(go.Figure):
    """A figure that is never changed after it is made, so its plain data is worked out once: st.plotly_chart
    asks a figure for it (a deep copy, arrays turned into base64) on every rerun, a third of redrawing the
    overview's four charts when nothing was written."""

    _plain: dict | None = None

    def to_dict(self) -> dict:
        if self._plain is None:
            self._plain = super().to_dict()
        return self._plain


def scatter(**props) -> dict:
    return {"type": "scatter", **props}


def bar(**props) -> dict:
    return {"type": "bar", **props}


def new_chart(*, height: int, rows: int = 1, titles: tuple[str, ...] = (), shared_x: bool = False) -> Chart:
    """A chart of one plot, or of plots stacked in rows (each with its title), in the house style."""
    axis = {"automargin": True, "fixedrange": True}
    layout = {
        "height": height,
        "margin": {"l": 8, "r": 8, "t": 36, "b": 8},
        "separators": "".join(number_symbols(lang())),  # plotly wants (decimal, thousands)
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.12, "x": 0, "xanchor": "left"},
        "hovermode": "closest",
        "dragmode": False,
        "clickmode": "event+select",
        "font": {"size": 13},
        "xaxis": dict(axis),
        "yaxis": dict(axis),
    }
    if rows > 1:
        gap = 0.16
        size = (1 - gap * (rows - 1)) / rows
        layout["annotations"] = []
        for row in range(1, rows + 1):
            top = 1 - (row - 1) * (size + gap)
            suffix = str(row) if row > 1 else ""
            layout[f"xaxis{suffix}"] = {**axis, "anchor": f"y{suffix}", "domain": [0, 1]}
            layout[f"yaxis{suffix}"] = {**axis, "anchor": f"x{suffix}", "domain": [top - size, top]}
            if shared_x and row < rows:
                layout[f"xaxis{suffix}"].update(matches=f"x{rows}", showticklabels=False)
            if row <= len(titles):
                layout["annotations"].append({"text": escape(titles[row - 1]), "x": 0.5, "xref": "paper",
                                              "xanchor": "center", "y": top, "yref": "paper", "yanchor": "bottom",
                                              "showarrow": False, "font": {"size": 14}})
    return Chart(layout, rows)


def count_axis(chart: Chart, largest: int, **where) -> None:
    """An axis of whole numbers from zero: plotly would write 0.5 steps (shown as "0, 1, 1") on small counts."""
    chart.update_yaxes(rangemode="tozero", tick0=0, dtick=max(1, -(-int(largest) // 5)), tickformat=",d", **where)


def label(text: str) -> str:
    """Text for inside a figure: plotly's few HTML tags made inert."""
    return escape(text or "", quote=False)


def wrapped(text: str, width: int = 18) -> str:
    """A long category name over several lines, so that a phone keeps room for the bars."""
    lines: list[str] = []
    for word in (text or "").split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(label(line) for line in lines)


def month_ticks(first: date, last: date) -> tuple[list[str], list[str]]:
    """Tick positions and labels for the months between two days, in the user's language: at most five, so
    that a phone has room for them level; the year on the first tick and on January, and on every tick when
    the span is over a year."""
    months = []
    day = date(first.year, first.month, 1)
    if day < first:  # the first tick inside the range, so that the year shown first is seen
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    while day <= last:
        months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    step = max(1, -(-len(months) // 5))
    shown = months[::step]
    locale = language(lang()).babel_locale
    long_span = len(months) > 12
    labels = [
        babel_date(m, format="MMM y" if long_span or i == 0 or m.month == 1 else "MMM", locale=locale)
        for i, m in enumerate(shown)
    ]
    return [m.isoformat() for m in shown], labels


def date_axis(chart: Chart, first: date, last: date, **where) -> None:
    values, texts = month_ticks(first, last)
    chart.update_xaxes(type="date", range=[first.isoformat(), (last + timedelta(days=1)).isoformat()],
                       tickvals=values, ticktext=texts, tickangle=0, **where)


def today_marker(today: date) -> tuple[list[dict], list[dict]]:
    """Today as a dashed line with its word: ([shape], [annotation]) to put in the layout with the others
    (plotly validates the whole layout on each add_shape; one update is much cheaper)."""
    line = {"type": "line", "xref": "x", "yref": "paper", "x0": today.isoformat(), "x1": today.isoformat(),
            "y0": 0, "y1": 1, "line": {"dash": "dash", "color": COLOURS["today"], "width": 1.5}}
    word = {"x": today.isoformat(), "y": 0, "yref": "paper", "yanchor": "bottom", "xanchor": "right",
            "showarrow": False, "text": label(tr("overview.today")), "font": {"size": 12}}
    return [line], [word]


def month_name(first_day: date) -> str:
    """"november 2024" (nb), "November 2024" (en): a table's month."""
    return babel_date(first_day, format="LLLL y", locale=language(lang()).babel_locale)


# --- showing a chart ---------------------------------------------------------------------------------------------


def show(chart: Chart, *, key: str, summary: str, tables: list[pd.DataFrame | str]) -> Hashable | None:
    """The chart, its summary sentence and its tables; returns what a click on the chart picked, if anything."""
    event = st.plotly_chart(chart.figure, key=key, on_select="rerun", selection_mode="points", config=CONFIG,
                            width="stretch", alt=summary)
    st.markdown(plain(summary))
    for table in tables:
        st.markdown(table if isinstance(table, str) else markdown_table(table))
    return _picked(event, chart.targets)


def _picked(event, targets: list[list[Hashable | None]]) -> Hashable | None:
    points = (event or {}).get("selection", {}).get("points", []) if isinstance(event, dict) else []
    for point in points:
        curve = point.get("curve_number")
        index = point.get("point_index", point.get("point_number"))
        if isinstance(curve, int) and isinstance(index, int) and curve < len(targets) and index < len(targets[curve]):
            if targets[curve][index] is not None:
                return targets[curve][index]
    return None


# Printed (A4 with 1 cm margins: 19 cm, 718 px at 96 dpi), the page is its questions, charts, sentences and
# tables: no sidebar, header, toolbar, chooser (nor its "click a bar" hint) or button; the whole page, not the
# screen's scrolled frame; the text column no wider than the paper, so that the charts, which follow their
# column's width, draw themselves again to fit it; a chart never split across two pages, nor parted from its
# heading and lead above or its sentence below. (Streamlit's columns of elements are flex boxes, in which
# Chromium keeps no element with the next: printed, they are plain blocks.)
_PAGE_STYLE = """<style>
[data-testid='stMarkdownContainer']:has(> table) { overflow-x: auto; }
@page { size: A4; margin: 1cm; }
@media print {
  [data-testid='stSidebar'], [data-testid='stExpandSidebarButton'], [data-testid='stHeader'],
  [data-testid='stToolbar'], [data-testid='stStatusWidget'], [data-testid='stSkipToContent'],
  [data-testid='stElementToolbar'], [data-testid='stSelectbox'], [data-testid='stButton'],
  [data-testid='stDownloadButton'], [data-testid='stFormSubmitButton'] { display: none !important; }
  html, body, .stApp, [data-testid='stAppViewContainer'], [data-testid='stMain'] {
    height: auto !important; min-height: 0 !important; overflow: visible !important; position: static !important;
  }
  [data-testid='stMain'], [data-testid='stMainBlockContainer'] {
    width: 100% !important; max-width: 19cm !important; margin: 0 !important; padding: 0 !important;
  }
  [data-testid='stPlotlyChart'] { max-width: 100% !important; overflow: hidden; break-inside: avoid; }
  [data-testid='stMarkdownContainer']:has(> table) { overflow: visible !important; }
  [data-testid='stMarkdownContainer'] table { width: 100%; font-size: 9pt; }
  [data-testid='stMarkdownContainer'] tr { break-inside: avoid; }
  [data-testid='stVerticalBlock'] { display: block !important; }
  [data-testid='stVerticalBlock'] > * + * { margin-top: 1rem; }
  [data-testid='stElementContainer']:has([data-testid='stHeading']),
  [data-testid='stElementContainer']:has([data-testid='stCaptionContainer']),
  [data-testid='stElementContainer']:has([data-testid='stPlotlyChart']) { break-after: avoid; }
  [class*='_pick_hint'] { display: none !important; }
}
</style>"""


def page_styles() -> None:
    """Once per page of charts: on a phone a table of five columns is wider than the screen, so it scrolls
    sideways in its own box instead of being cut off at the screen's edge; and the page prints (above)."""
    st.html(_PAGE_STYLE)


def data_table(frame: pd.DataFrame) -> None:
    st.markdown(markdown_table(frame))


def markdown_table(frame: pd.DataFrame) -> str:
    """A table as Markdown: drawn as a plain HTML table (read by screen readers, printed whole), one light
    element rather than a data grid; every cell made inert first."""
    cells = [[plain(str(c)) for c in frame.columns]]
    cells += [[plain(str(value)) for value in row] for row in frame.itertuples(index=False)]
    lines = ["| " + " | ".join(row) + " |" for row in cells]
    lines.insert(1, "|" + "---|" * len(frame.columns))
    return "\n".join(lines)


def number(value: int) -> str:
    return format_number(int(value), lang())


def day(value: date) -> str:
    return format_date(value, lang())


def drilldown(key: str, options: dict[str, str], clicked: Hashable | None, *, label_key: str) -> str | None:
    """A chooser over the chart's bars that a click on a bar sets: the same list is one click from the chart,
    and reachable by keyboard too. A click counts once: the chart keeps its selection across reruns, and the
    chooser must stay free to pick another bar afterwards."""
    seen = f"{key}__clicked"
    if clicked is not None and clicked != st.session_state.get(seen) and clicked in options:
        st.session_state[key] = clicked
    st.session_state[seen] = clicked
    if st.session_state.get(key) not in options:
        st.session_state.pop(key, None)
    return st.selectbox(tr(label_key), list(options), format_func=options.get, index=None, key=key,
                        placeholder=tr("overview.pick_placeholder"))


def nothing_picked(key: str) -> None:
    """Under the chooser `key` while no bar is picked: how to pick one (on screen only; not printed)."""
    with st.container(key=f"{key}_hint"):
        st.caption(tr("overview.nothing_picked"))
