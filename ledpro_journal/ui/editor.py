"""The one editor for everything a participant writes: fields from the template, drafts that reach the
database as they are typed, explicit saves that make versions, conflicts shown rather than overwritten,
and the history with side-by-side reading and restore."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from html import escape

import streamlit as st

from ledpro_journal.i18n import format_datetime, has_key
from ledpro_journal.models import ActionStatus, Document, DocumentKind, Gathering, Theme
from ledpro_journal.services import journal, permissions, programme
from ledpro_journal.services.errors import ServiceError
from ledpro_journal.templates import (
    NOTE_TEMPLATES,
    TEMPLATES,
    TITLE,
    kept_fields,
    label_key,
)
from ledpro_journal.ui.feedback import field_error, flash, form_error, run_action
from ledpro_journal.ui.navigation import target
from ledpro_journal.ui.session import Viewer, lang, tr, unit_of_work
from ledpro_journal.ui.text import plain, show_text

# Sends each field to /api/drafts/<id> shortly after typing stops, when it loses focus, and when the page
# is hidden or left; keeps the word count live. Installed once per browser tab. The fields themselves use
# on_change="ignore": a rerun on blur would compete with a click on another page and swallow it, and the
# text is safe in the database already. What the server could not take (database or network away, signed
# out) is kept in the tab's sessionStorage and sent again every few seconds, after a reload too, until it
# is taken; sessionStorage ends with the tab, so nothing stays behind on a shared computer.
_DRAFT_SCRIPT = """
<script>
(function () {
  if (window.__ledproDrafts) { window.__ledproDrafts.refresh(); return; }
  const KEY = /^st-key-draft-(\\d+)-v(\\d+)-([a-z_]+)-g\\d+$/;
  const WORD = /[\\p{L}\\p{N}]+(?:[-'’][\\p{L}\\p{N}]+)*/gu;
  const timers = new Map();
  function info(el) {
    const box = el.closest('[class*="st-key-draft-"]');
    if (!box) return null;
    for (const c of box.classList) { const m = c.match(KEY); if (m) return {doc: m[1], base: +m[2], field: m[3]}; }
    return null;
  }
  function status(doc, ok) {
    document.querySelectorAll('.ledpro-draft[data-doc="' + doc + '"]').forEach(function (s) {
      s.textContent = ok ? s.dataset.saved + ' ' + new Date().toLocaleTimeString([], {hour: '2-digit', minute: '2-digit'})
                         : s.dataset.failed;
      s.classList.toggle('ledpro-draft-failed', !ok);
    });
  }
  const PENDING = 'ledpro-unsent-draft:';
  let retry = null;
  function put(i, text) {
    const key = PENDING + i.doc + ':' + i.field;
    const body = JSON.stringify({field: i.field, text: text, base_version: i.base});
    try { sessionStorage.setItem(key, JSON.stringify({i: i, text: text})); } catch (e) { /* full: still sent */ }
    function kept(again) {
      status(i.doc, false);
      if (!again) { sessionStorage.removeItem(key); return; }
      if (!retry) retry = setTimeout(function () { retry = null; resend(); }, 5000);
    }
    fetch('/api/drafts/' + i.doc, {method: 'PUT', credentials: 'same-origin', keepalive: body.length < 60000,
      headers: {'Content-Type': 'application/json', 'X-LEDPRO-Draft': '1'}, body: body})
      .then(function (r) {
        // Taken, or refused for good (gone, not allowed, too large): nothing to keep. Else: try again.
        const again = r.status >= 500 || r.status === 401 || r.status === 429;
        if (r.ok) { const now = sessionStorage.getItem(key); if (now && JSON.parse(now).text === text) sessionStorage.removeItem(key); status(i.doc, true); }
        else kept(again);
      }, function () { kept(true); });
  }
  function resend() {
    for (let n = sessionStorage.length - 1; n >= 0; n--) {
      const key = sessionStorage.key(n);
      if (key && key.indexOf(PENDING) === 0) { const p = JSON.parse(sessionStorage.getItem(key)); put(p.i, p.text); }
    }
  }
  function send(el) {
    clearTimeout(timers.get(el)); timers.delete(el);
    const i = info(el); if (!i) return;
    put(i, el.value);
  }
  function count(doc) {
    let words = 0;
    document.querySelectorAll('[class*="st-key-draft-' + doc + '-"] textarea, [class*="st-key-draft-' + doc + '-"] input')
      .forEach(function (el) { words += (el.value.match(WORD) || []).length; });
    document.querySelectorAll('.ledpro-wc[data-doc="' + doc + '"]').forEach(function (s) {
      s.textContent = words + ' ' + s.dataset.unit;
    });
  }
  function flushAll() { Array.from(timers.keys()).forEach(send); }
  document.addEventListener('input', function (e) {
    const i = info(e.target); if (!i) return;
    clearTimeout(timers.get(e.target));
    timers.set(e.target, setTimeout(function () { send(e.target); }, 600));
    count(i.doc);
  }, true);
  document.addEventListener('focusout', function (e) { if (timers.has(e.target)) send(e.target); }, true);
  document.addEventListener('pointerdown', flushAll, true);
  document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'hidden') flushAll(); });
  window.addEventListener('pagehide', flushAll);
  // After a rerun the fields may render after this script: count again once they are there.
  function refresh() {
    [300, 1500].forEach(function (ms) {
      setTimeout(function () { document.querySelectorAll('.ledpro-wc').forEach(function (s) { count(s.dataset.doc); }); }, ms);
    });
  }
  window.__ledproDrafts = {refresh: refresh};
  refresh();
  resend();
})();
</script>
"""  # noqa: E501 - the script is sent as written; wrapping it would change the string

_STYLE = """
<style>
.ledpro-meta { color: rgba(49, 51, 63, 0.6); font-size: 0.9rem; display: flex; gap: 1.25rem; flex-wrap: wrap; }
.ledpro-draft-failed { color: #b42318; }
</style>
"""


def period_label(gathering: Gathering | None, gatherings: list[Gathering]) -> str:
    key, params = journal.period_key(gathering, gatherings)
    return tr(key, **params)


def template_name(code: str) -> str:
    return tr(f"tpl.{code}.name")


def _generation(document_id: int) -> int:
    return st.session_state.setdefault(f"editor_gen_{document_id}", 0)


def _bump(document_id: int) -> None:
    st.session_state[f"editor_gen_{document_id}"] = _generation(document_id) + 1
    st.session_state.pop(f"editor_conflict_{document_id}", None)


def _widget_key(document: Document, base: int, field: str) -> str:
    return f"draft-{document.id}-v{base}-{field}-g{_generation(document.id)}"


@dataclass
class _Loaded:
    document: Document
    texts: dict[str, str]
    base: int
    draft_saved_at: object
    gatherings: list[Gathering]
    themes: list[Theme]
    links: journal.Links | None
    actions: list[journal.Row]
    read_only: bool = False  # the cohort is closed: the text is shown, nothing can be typed or saved


def load(viewer: Viewer, document_id: int) -> _Loaded | None:
    """Everything the editor shows of one document, or None (with a message) when it is not the viewer's."""
    try:
        loaded = _load(viewer, document_id)
    except ServiceError:
        st.warning(tr("error.not_found"))
        return None
    # Fields still on screen from the previous run keep the version they were started from, even when no
    # draft of them reached the server: a save elsewhere then shows as a conflict instead of replacing them.
    live = _live_base(document_id)
    if live is not None:
        loaded.base = live
    return loaded


def _live_base(document_id: int) -> int | None:
    pattern = re.compile(rf"draft-{document_id}-v(\d+)-[a-z_]+-g{_generation(document_id)}")
    for key in st.session_state:
        match = pattern.fullmatch(str(key))
        if match:
            return int(match.group(1))
    return None


def _load(viewer: Viewer, document_id: int) -> _Loaded:
    with unit_of_work() as session:
        document = journal.get_document(viewer.user, session=session, document_id=document_id)
        drafts = journal.drafts_for(viewer.user, session=session, document_id=document_id)
        gatherings = programme.list_gatherings(viewer.user, session=session, cohort_id=document.cohort_id)
        themes, links, actions = [], None, []
        if document.kind == DocumentKind.NOTE:
            themes = programme.list_themes(viewer.user, session=session, cohort_id=document.cohort_id)
            links = journal.note_links(viewer.user, session=session, note_id=document.id)
            actions = journal.list_actions(viewer.user, session=session)
        read_only = permissions.cohort_is_closed(session, document.cohort_id)
    texts = dict(document.fields)
    base = document.version
    saved_at = None
    if drafts is not None:
        texts.update(drafts.texts)
        base = drafts.base_version
        saved_at = drafts.saved_at
    return _Loaded(document, texts, base, saved_at, gatherings, themes, links, actions, read_only)


def document_editor(viewer: Viewer, loaded: _Loaded) -> None:
    """Draws the editor for a document that `load` returned."""
    document = loaded.document
    st.html(_STYLE)
    if loaded.read_only:
        st.info(tr("cohort.read_only"), icon=":material/lock:")
    else:
        st.html(_DRAFT_SCRIPT, unsafe_allow_javascript=True)
    errors_key = f"editor_errors_{document.id}"

    if loaded.draft_saved_at is not None and not loaded.read_only:
        notice, discard = st.columns([5, 1], vertical_alignment="center")
        notice.info(tr("journal.draft_restored", time=format_datetime(loaded.draft_saved_at, lang())),
                    icon=":material/restore:")
        if discard.button(tr("journal.discard_draft"), key=f"discard-{document.id}-g{_generation(document.id)}"):
            with unit_of_work() as session:
                journal.discard_drafts(viewer.user, session=session, document_id=document.id)
            _bump(document.id)
            st.rerun()

    _conflict_panel(viewer, loaded)
    form_error(errors_key)

    template_code = document.template
    if document.kind == DocumentKind.NOTE:
        template_code = st.selectbox(
            tr("journal.template"),
            NOTE_TEMPLATES,
            index=NOTE_TEMPLATES.index(document.template),
            format_func=template_name,
            key=f"template-{document.id}-g{_generation(document.id)}", placeholder=tr("widget.choose_option"),
            help=tr("journal.template_help"), disabled=loaded.read_only,
        )
    template = TEMPLATES[template_code]
    metadata = _metadata_widgets(loaded)

    values: dict[str, str] = {}
    for field in template.all_fields:
        values[field] = _field_widget(document, loaded, template_code, field, errors_key)
    kept = [f for f in kept_fields(template, loaded.texts) if f not in values]
    if kept:
        st.caption(tr("journal.kept_fields"))
        for field in kept:
            values[field] = _field_widget(document, loaded, template_code, field, errors_key)

    words = sum(journal.count_words(text) for text in values.values())
    st.html(
        '<div class="ledpro-meta">'
        f'<span class="ledpro-wc" data-doc="{document.id}" data-unit="{escape(tr("journal.words_unit"))}">'
        f'{words} {escape(tr("journal.words_unit"))}</span>'
        f'<span class="ledpro-draft" data-doc="{document.id}" data-saved="{escape(tr("journal.draft_saved"))}" '
        f'data-failed="{escape(tr("journal.draft_failed"))}"></span>'
        f'<span>{escape(_version_line(document))}</span></div>'
    )

    if loaded.read_only:
        if document.version > 0:
            history(viewer, document, read_only=True)
        return
    save_column, delete_column = st.columns([1, 1])
    if save_column.button(tr("action.save"), type="primary", key=f"save-{document.id}", icon=":material/save:"):
        _save(viewer, loaded, values, template_code, metadata, errors_key)
    if document.kind != DocumentKind.CHALLENGE and document.version > 0:
        if delete_column.button(tr("journal.delete"), key=f"delete-{document.id}", icon=":material/delete:"):
            with unit_of_work() as session:
                journal.delete_document(viewer.user, session=session, document_id=document.id)
            flash("journal.moved_to_bin")
            if document.kind == DocumentKind.LOG:
                open_document(document.parent_id)
            st.switch_page(target("pages/notes.py" if document.kind == DocumentKind.NOTE else "pages/actions.py"))
    if document.version > 0:
        history(viewer, document)


def _version_line(document: Document) -> str:
    if document.version == 0:
        return tr("journal.never_saved")
    return tr("journal.version_line", version=document.version,
              time=format_datetime(document.updated_at, lang()))


def _field_widget(document: Document, loaded: _Loaded, template_code: str, field: str, errors_key: str) -> str:
    key = _widget_key(document, loaded.base, field)
    label = tr(label_key(template_code, field, written_with=document.template))
    help_text = _help(label_key(template_code, field) + ".help")
    initial = loaded.texts.get(field, "")
    if field == TITLE:
        value = st.text_input(label, value=initial, key=key, on_change="ignore", disabled=loaded.read_only)
    else:
        lines = initial.count("\n") + len(initial) // 90 + 2
        value = st.text_area(
            label, value=initial, key=key, help=help_text, height=max(110, min(480, 26 * lines)), on_change="ignore",
            disabled=loaded.read_only,
        )
    field_error(errors_key, field)
    return value


def _help(key: str) -> str | None:
    """Not every question has a guiding prompt."""
    return tr(key) if has_key(key) else None


@dataclass
class _Metadata:
    gathering_id: int | None = None
    happened_on: date | None = None
    status: ActionStatus | None = None
    links: journal.Links | None = None


def _metadata_widgets(loaded: _Loaded) -> _Metadata:
    document = loaded.document
    suffix = f"{document.id}-g{_generation(document.id)}"
    locked = loaded.read_only
    by_id = {g.id: g for g in loaded.gatherings}
    meta = _Metadata()
    if document.kind == DocumentKind.ACTION:
        period_col, date_col, status_col = st.columns(3)
        options = [None] + [g.id for g in loaded.gatherings]
        meta.gathering_id = period_col.selectbox(
            tr("journal.period"), options,
            index=options.index(document.gathering_id) if document.gathering_id in options else 0,
            format_func=lambda g: period_label(by_id.get(g), loaded.gatherings), key=f"period-{suffix}",
            placeholder=tr("widget.choose_option"), disabled=locked,
        )
        meta.happened_on = date_col.date_input(
            tr("journal.planned_date"), value=document.happened_on, format="DD.MM.YYYY", key=f"date-{suffix}",
            disabled=locked,
        )
        meta.status = _status_select(status_col, document, f"status-{suffix}", "journal.status", locked)
    elif document.kind == DocumentKind.LOG:
        date_col, status_col = st.columns(2)
        meta.happened_on = date_col.date_input(
            tr("journal.log_date"), value=document.happened_on, format="DD.MM.YYYY", key=f"date-{suffix}",
            disabled=locked,
        )
        meta.status = _status_select(status_col, document, f"status-{suffix}", "journal.status_after", locked)
    elif document.kind == DocumentKind.NOTE:
        gathering_col, theme_col = st.columns(2)
        options = [None] + [g.id for g in loaded.gatherings]
        meta.gathering_id = gathering_col.selectbox(
            tr("journal.gathering"), options,
            index=options.index(document.gathering_id) if document.gathering_id in options else 0,
            format_func=lambda g: tr("gathering.label", number=by_id[g].number) if g else tr("journal.no_gathering"),
            key=f"gathering-{suffix}", placeholder=tr("widget.choose_option"), disabled=locked,
        )
        theme_names = {t.id: t.name for t in loaded.themes}
        theme_ids = theme_col.multiselect(
            tr("journal.themes"), list(theme_names), default=[t for t in loaded.links.theme_ids if t in theme_names],
            format_func=theme_names.get, key=f"themes-{suffix}",
            placeholder=tr("widget.choose_options" if theme_names else "widget.no_options"), select_all=False,
            disabled=locked,
        )
        action_names = {a.id: a.title or tr("journal.untitled") for a in loaded.actions if a.version > 0}
        action_ids = st.multiselect(
            tr("journal.actions_reflected"), list(action_names),
            default=[a for a in loaded.links.action_ids if a in action_names],
            format_func=action_names.get, key=f"actions-{suffix}",
            placeholder=tr("widget.choose_options" if action_names else "widget.no_options"), select_all=False,
            disabled=locked,
        )
        meta.links = journal.Links(action_ids=tuple(action_ids), theme_ids=tuple(theme_ids))
    if document.unmatched_links:
        st.caption(unmatched_caption(document.unmatched_links))
    return meta


def unmatched_caption(unmatched: dict) -> str:
    """What an import found no match for in this cohort (kept on the document, exported again)."""
    parts = []
    if unmatched.get("gathering") is not None:
        parts.append(tr("journal.unmatched_gathering", number=unmatched["gathering"]))
    if unmatched.get("themes"):
        names = ", ".join(tr("journal.unmatched_theme", name=plain(name)) for name in unmatched["themes"])
        parts.append(tr("journal.unmatched_themes", names=names))
    return tr("journal.unmatched", what="; ".join(parts))


def _status_select(column, document: Document, key: str, label: str, disabled: bool) -> ActionStatus:
    statuses = list(ActionStatus)
    current = document.status or ActionStatus.PLANNED
    return column.selectbox(
        tr(label), statuses, index=statuses.index(current), format_func=lambda s: tr(f"journal.status.{s}"), key=key,
        placeholder=tr("widget.choose_option"), disabled=disabled,
    )


def _save(viewer: Viewer, loaded: _Loaded, values, template_code, meta: _Metadata, errors_key: str) -> None:
    document = loaded.document

    def keep_both(_conflict) -> None:
        # Saved elsewhere since this text was started: no message, the conflict panel shows both texts.
        st.session_state[f"editor_conflict_{document.id}"] = _Mine(values, template_code, meta)

    outcome = run_action(
        lambda session: journal.save_document(
            viewer.user, session=session, document_id=document.id, base_version=loaded.base, fields=values,
            template=template_code, gathering_id=meta.gathering_id, happened_on=meta.happened_on,
            status=meta.status, links=meta.links,
        ),
        errors_key=errors_key,
        on_error={"journal.conflict": keep_both},
    )
    if outcome.ok:
        _bump(document.id)
        flash("journal.saved", version=outcome.value.version)
    st.rerun()


@dataclass(frozen=True)
class _Mine:
    """What this tab tried to save when the conflict showed: all of it, so that keeping it loses nothing."""

    fields: dict[str, str]
    template: str
    meta: _Metadata


def _conflict_panel(viewer: Viewer, loaded: _Loaded) -> None:
    """Saved elsewhere (another tab) since this text was started: show both, let the writer choose."""
    pending = st.session_state.get(f"editor_conflict_{loaded.document.id}")
    if pending is None:
        return
    mine = pending.fields
    document = loaded.document
    with st.container(border=True):
        st.warning(tr("journal.conflict", version=document.version,
                      time=format_datetime(document.updated_at, lang())), icon=":material/warning:")
        theirs = document.fields
        for field in [f for f in mine if mine.get(f, "") != theirs.get(f, "")]:
            st.markdown(f"**{escape(tr(label_key(document.template, field)))}**")
            left, right = st.columns(2)
            with left:
                st.caption(tr("journal.conflict_saved"))
                show_text(theirs.get(field, ""))
            with right:
                st.caption(tr("journal.conflict_mine"))
                show_text(mine.get(field, ""))
        keep_mine, take_theirs = st.columns(2)
        if keep_mine.button(tr("journal.conflict_keep_mine"), type="primary", key=f"keep-mine-{document.id}"):
            outcome = run_action(
                lambda session: journal.save_document(
                    viewer.user, session=session, document_id=document.id, base_version=document.version,
                    fields={**{k: "" for k in theirs if k not in mine}, **mine}, template=pending.template,
                    gathering_id=pending.meta.gathering_id, happened_on=pending.meta.happened_on,
                    status=pending.meta.status, links=pending.meta.links,
                ),
                errors_key=f"editor_errors_{document.id}",
            )
            if outcome.ok:
                _bump(document.id)
                flash("journal.saved", version=outcome.value.version)
            st.rerun()
        if take_theirs.button(tr("journal.conflict_take_saved"), key=f"take-theirs-{document.id}"):
            with unit_of_work() as session:
                journal.discard_drafts(viewer.user, session=session, document_id=document.id)
            _bump(document.id)
            st.rerun()


def history(viewer: Viewer, document: Document, *, read_only: bool = False) -> None:
    """Every saved version: read one beside the current text, and restore it as a new version (not in a
    closed cohort: there the versions are only read)."""
    with st.expander(tr("journal.history", count=document.version), icon=":material/history:"):
        with unit_of_work() as session:
            revisions = journal.list_revisions(viewer.user, session=session, document_id=document.id)
        earlier = [r for r in revisions if r.version != document.version]
        if not earlier:
            st.caption(tr("journal.history_none"))
            return
        by_version = {r.version: r for r in earlier}
        version = st.selectbox(
            tr("journal.history_pick"), list(by_version),
            format_func=lambda v: tr("journal.history_item", version=v,
                                     time=format_datetime(by_version[v].saved_at, lang()),
                                     count=by_version[v].word_count),
            key=f"history-{document.id}", placeholder=tr("widget.choose_option"),
        )
        with unit_of_work() as session:
            revision = journal.get_revision(viewer.user, session=session, document_id=document.id, version=version)
        fields = [f for f in dict.fromkeys([*revision.fields, *document.fields])]
        left, right = st.columns(2)
        left.markdown(f"**{escape(tr('journal.history_that', version=version))}**")
        right.markdown(f"**{escape(tr('journal.history_now', version=document.version))}**")
        for field in fields:
            label = tr(label_key(revision.template if field in revision.fields else document.template, field))
            left, right = st.columns(2)
            with left:
                st.caption(label)
                show_text(revision.fields.get(field, ""))
            with right:
                st.caption(label)
                show_text(document.fields.get(field, ""))
        if not read_only and st.button(tr("journal.restore_version", version=version), key=f"restore-{document.id}",
                                       icon=":material/restore:"):
            outcome = run_action(
                lambda session: journal.restore_revision(viewer.user, session=session, document_id=document.id,
                                                         version=version, base_version=document.version),
                errors_key=f"editor_errors_{document.id}",
                on_error={"journal.conflict": lambda _conflict: "journal.conflict_reload"},
            )
            if outcome.ok:
                _bump(document.id)
                flash("journal.restored", version=version, new=outcome.value.version)
            st.rerun()


def open_document(document_id: int) -> None:
    st.switch_page(target("pages/write.py"), query_params={"id": str(document_id)})
