"""The audit trail on screen: a person's own events on Min konto, and the administrators' event log (the
sentences and the table's rows are made here, so both read the events the same way)."""

from __future__ import annotations

import math
from datetime import date

import streamlit as st

from ledpro_journal.config import get_settings
from ledpro_journal.i18n import format_date, format_datetime
from ledpro_journal.services import audit
from ledpro_journal.services.audit import EventView
from ledpro_journal.ui.session import Viewer, lang, tr, unit_of_work
from ledpro_journal.ui.text import plain

PAGE_KEY = "audit_mine_page"


def retention_years() -> str:
    years = get_settings().audit_days / 365
    return f"{years:g}" if years == int(years) else f"{years:.1f}"


def my_sentence(event: EventView) -> str:
    """What happened, in the viewer's language: "Du delte et refleksjonsnotat med refleksjonsgruppa"."""
    d = event.details
    params = {
        "what": tr(f"audit.what.{d['document_kind']}") if d.get("document_kind") else "",
        "audience": tr(f"audit.audience.{d['audience']}") if d.get("audience") else "",
        "count": d.get("count", ""),
        "group": d.get("group") or tr("audit.no_group"),
        "browser": d.get("browser") or tr("audit.unknown_browser"),
        "system": d.get("system") or tr("audit.unknown_system"),
        "network": d.get("network", ""),
        "provider": get_settings().oidc_provider_name,
    }
    return tr(f"audit.mine.{event.kind}", **params)


def my_events_section(viewer: Viewer) -> None:
    """Aktivitet på kontoen min: newest first, a page at a time."""
    st.subheader(tr("audit.mine.title"))
    st.caption(tr("audit.mine.lead", years=retention_years()))
    with unit_of_work() as session:
        total = audit.count_my_events(viewer.user, session)
        pages = max(1, math.ceil(total / audit.PAGE_SIZE))
        page = min(max(1, st.session_state.get(PAGE_KEY, 1)), pages)
        events = audit.my_events(viewer.user, session, limit=audit.PAGE_SIZE, offset=(page - 1) * audit.PAGE_SIZE)
    if not events:
        st.caption(tr("audit.mine.none"))
        return
    rows = [f"| {tr('audit.column.when')} | {tr('audit.column.what')} |", "|---|---|"]
    rows += [f"| {plain(format_datetime(e.at, lang()))} | {plain(my_sentence(e))} |" for e in events]
    st.markdown("\n".join(rows))
    if pages > 1:
        newer, where, older = st.columns([1, 2, 1])
        if newer.button(tr("audit.mine.newer"), disabled=page == 1, key="audit_newer", icon=":material/chevron_left:"):
            st.session_state[PAGE_KEY] = page - 1
            st.rerun()
        where.caption(tr("audit.mine.page", page=page, pages=pages))
        if older.button(tr("audit.mine.older"), disabled=page == pages, key="audit_older",
                        icon=":material/chevron_right:"):
            st.session_state[PAGE_KEY] = page + 1
            st.rerun()


def kind_label(kind: str) -> str:
    return tr(f"audit.kind.{kind}")


def details_text(event: EventView) -> str:
    """The administrative facts of an event, in the reader's language: "Kull: LEDPRO 2024 · Gruppe: Gruppe 1"."""
    d = event.details
    parts = []
    for name in ("cohort", "group", "number", "role", "filename", "deletion_on"):
        value = d.get(name)
        if value in (None, ""):
            continue
        if name == "role":
            value = tr(f"role.{value}")
        elif name == "deletion_on":
            value = format_date(date.fromisoformat(value), lang())
        parts.append(tr(f"audit.detail.{name}", value=value))
    return " · ".join(parts)


def admin_row(event: EventView) -> dict[str, str]:
    """One row of the event log: names as they are now; a deleted account has none."""
    deleted = tr("audit.deleted_account")
    concerns = event.subject_name or (deleted if event.subject_id or event.kind == "account.deleted" else "")
    # Leaving is done by the person themselves, whose name is gone with the account.
    by = event.actor_name or (deleted if event.actor_id or event.kind == "account.deleted" else tr("audit.by_system"))
    return {
        tr("audit.column.when"): format_datetime(event.at, lang()),
        tr("audit.column.kind"): kind_label(event.kind),
        tr("audit.column.by"): by,
        tr("audit.column.concerns"): concerns,
        tr("audit.column.details"): details_text(event),
    }
