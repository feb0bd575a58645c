"""Pieces that several pages draw the same way."""

from __future__ import annotations

import streamlit as st

from ledpro_journal.i18n import format_date_range, today_in_oslo
from ledpro_journal.models import Cohort, Gathering, Theme
from ledpro_journal.services import programme
from ledpro_journal.ui.context import lang, plain, tr, unit_of_work
from ledpro_journal.ui.navigation import target


_COHORT_PICKER = "cohort_picker"


def _remember_picked_cohort() -> None:
    st.session_state["cohort_id"] = st.session_state[_COHORT_PICKER]


def cohort_picker(cohorts: list[Cohort]) -> Cohort | None:
    """The cohort the administrator is working on; the choice follows them from page to page.

    A keyed widget given its value through session state: an unkeyed selectbox whose index follows the
    remembered cohort changes identity whenever the index does, and so dropped every second pick.
    "cohort_id" carries the choice to the next page, and lets a page pick a cohort it has just made."""
    if not cohorts:
        return None
    by_id = {c.id: c for c in cohorts}
    remembered = st.session_state.get("cohort_id")
    st.session_state[_COHORT_PICKER] = remembered if remembered in by_id else next(iter(by_id))
    chosen = st.selectbox(tr("cohort.pick"), list(by_id), format_func=lambda i: by_id[i].name, key=_COHORT_PICKER,
                          on_change=_remember_picked_cohort)
    st.session_state["cohort_id"] = chosen
    return by_id[chosen]


def pick_cohort_or_stop(cohorts: list[Cohort]) -> Cohort:
    """For pages that work on one cohort: the picker, or a pointer to where cohorts are made."""
    cohort = cohort_picker(cohorts)
    if cohort is None:
        st.info(tr("cohort.none_yet"))
        st.page_link(target("pages/admin_cohorts.py"), label=tr("nav.admin_cohorts"), icon=":material/event:")
        st.stop()
    return cohort


def facilitated_cohort_or_stop(viewer) -> Cohort:
    """For a facilitator's pages: the picker over the cohorts they teach, or a word that there are none."""
    with unit_of_work() as session:
        cohorts = programme.list_cohorts(viewer.user, session=session)
    cohort = cohort_picker(cohorts)
    if cohort is None:
        st.info(tr("home.no_cohort"), icon=":material/info:")
        st.stop()
    return cohort


def programme_table(gatherings: list[Gathering], themes: dict[int, Theme]) -> None:
    """The gatherings as one Markdown table: one element, not a data grid (it is read, not sorted)."""
    if not gatherings:
        st.caption(tr("gathering.none"))
        return
    today = today_in_oslo()
    columns = ["number", "dates", "place", "theme", "status"]
    lines = [
        "| " + " | ".join(tr(f"gathering.column.{c}") for c in columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for g in gatherings:
        cells = [
            tr("gathering.label", number=g.number),
            format_date_range(g.start_date, g.end_date, lang()),
            plain(g.place),
            plain(themes[g.theme_id].name) if g.theme_id in themes else "",
            tr("gathering.past") if g.end_date < today else "",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    st.markdown("\n".join(lines))


def next_gathering_notice(gathering: Gathering | None, themes: dict[int, Theme]) -> None:
    if gathering is None:
        st.info(tr("home.no_more_gatherings"), icon=":material/event_available:")
        return
    days = (gathering.start_date - today_in_oslo()).days
    when = format_date_range(gathering.start_date, gathering.end_date, lang())
    theme = themes[gathering.theme_id].name if gathering.theme_id in themes else ""
    if days > 0:
        text = tr("home.next_gathering_in", number=gathering.number, when=when, days=days)
    else:
        text = tr("home.gathering_now", number=gathering.number, when=when)
    if theme:
        text += "  \n" + tr("home.gathering_theme", theme=plain(theme))
    st.info(text, icon=":material/event:")
