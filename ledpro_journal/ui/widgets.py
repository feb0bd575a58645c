"""Pieces that several pages draw the same way."""

from __future__ import annotations

import re

import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from ledpro_journal.i18n import format_date_range, today_in_oslo
from ledpro_journal.models import Cohort, Gathering, Theme
from ledpro_journal.services import programme
from ledpro_journal.ui.navigation import target
from ledpro_journal.ui.session import lang, tr, unit_of_work
from ledpro_journal.ui.text import plain

# Streamlit's megabyte, in server.maxUploadSize and a file field's max_upload_size.
UPLOAD_MEGABYTE = 1024 * 1024


def upload_megabytes(max_bytes: int) -> int:
    """A service's limit in whole megabytes for Streamlit, rounded down: the field never lets through more."""
    return max(1, max_bytes // UPLOAD_MEGABYTE)


def file_field(label: str, *, types: list[str], max_bytes: int, key: str) -> UploadedFile | None:
    """A file field in the user's language that refuses, in the browser already, a file over `max_bytes`:
    the limit of the service the file goes to, so the field and the service agree.

    Streamlit writes its own English inside the field ("Upload" on the button; "200MB per file • RIS, BIB";
    "Drag and drop a file here" while a file is dragged over it), with no setting for any of it. CSS scoped
    to this field (`.st-key-<key>`) puts our words in their place: the button's label (its accessible name
    too), and the text shown while dragging; the instructions give way to a caption stating the real limit
    and the file types. Still English, out of reach of CSS: the tooltip over a file the browser refuses (too
    large, wrong type) and the accessible names Streamlit sets ("file upload", "Remove <file>", "Add files")."""
    megabytes = upload_megabytes(max_bytes)
    field = f".st-key-{_css_class_key(key)} [data-testid='stFileUploaderDropzone']"
    button_label = f"{field} [data-testid='stBaseButton-secondary'] [data-testid='stMarkdownContainer']"
    dragging = f"{field} > div:not([data-testid]):has(> span)"  # the overlay while a file is dragged over it
    st.html(
        "<style>"
        f"{button_label} p {{ display: none; }}"
        f"{button_label}::after {{ content: {_css_string(tr('upload.choose_file'))}; }}"
        f"{field} [data-testid='stFileUploaderDropzoneInstructions'] {{ display: none; }}"
        f"{dragging} > span {{ display: none; }}"
        f"{dragging}::after {{ content: {_css_string(tr('upload.drop_here'))}; font-size: 0.875rem; font-weight: 800;"
        f" color: {st.get_option('theme.primaryColor') or 'inherit'}; }}"
        "</style>"
    )
    upload = st.file_uploader(label, type=types, key=key, max_upload_size=megabytes)
    st.caption(tr("upload.limits", size=megabytes, types=", ".join(f".{kind}" for kind in types)))
    return upload


def _css_class_key(key: str) -> str:
    """The class Streamlit's frontend gives a keyed element: st-key- and the key, odd characters as "-"."""
    return re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def _css_string(text: str) -> str:
    """Text as a quoted CSS string that cannot end the string or the <style> element."""
    return '"' + "".join(f"\\{ord(ch):x} " if ch in '"\\<>' or ord(ch) < 32 else ch for ch in text) + '"'


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
                          on_change=_remember_picked_cohort, placeholder=tr("widget.choose_option"))
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
        text = tr("home.next_gathering_in", number=gathering.number, when=when, count=days)
    else:
        text = tr("home.gathering_now", number=gathering.number, when=when)
    if theme:
        text += "  \n" + tr("home.gathering_theme", theme=plain(theme))
    st.info(text, icon=":material/event:")
