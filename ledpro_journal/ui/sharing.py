"""Sharing on the page: the owner's share panel (with the name check), and the reader of a shared
version with its comments, used by the group page and the facilitators' page."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ledpro_journal.i18n import format_date, format_datetime
from ledpro_journal.models import Audience, Document, DocumentKind
from ledpro_journal.services import name_replacements, names, sharing
from ledpro_journal.services.errors import ServiceError
from ledpro_journal.templates import TEMPLATES, label_key
from ledpro_journal.ui.editor import template_name
from ledpro_journal.ui.feedback import field_error, flash, form_error, run_action
from ledpro_journal.ui.leaving import comment_author, writing_closed
from ledpro_journal.ui.navigation import target
from ledpro_journal.ui.session import Viewer, lang, tr, unit_of_work
from ledpro_journal.ui.text import plain, show_text


def share_panel(viewer: Viewer, document: Document) -> None:
    """Where the document is shared, how current that is, and sharing (again) after a name check."""
    if document.kind == DocumentKind.LOG or document.version == 0:
        return
    with unit_of_work() as session:
        shares = sharing.shares_of_document(viewer.user, session=session, document_id=document.id)
    active = [s for s in shares if not s.withdrawn]
    label = tr("share.panel_shared", count=len(active)) if active else tr("share.panel")
    closed = writing_closed(viewer, document.cohort_id)
    with st.expander(label, icon=":material/group:", expanded=bool(st.session_state.get(f"share_open_{document.id}"))):
        errors_key = f"share_errors_{document.id}"
        form_error(errors_key)
        for item in active:
            _shared_status(viewer, document, item, errors_key, closed)
        if closed:
            st.caption(tr("cohort.read_only"))
        else:
            _share_form(viewer, document, errors_key)


def _shared_status(viewer: Viewer, document: Document, item: sharing.MyShare, errors_key: str, closed: bool) -> None:
    with st.container(border=True):
        text = tr(f"share.status.{item.audience}", version=item.versions,
                  date=format_datetime(item.latest_shared_at, lang()))
        if item.latest_document_version < document.version:
            text += "  \n" + tr("share.changed_since")
        if item.comments:
            text += "  \n" + tr("share.comments", count=item.comments, new=item.new_comments)
        st.markdown(text)
        read_col, withdraw_col = st.columns(2)
        read_col.page_link(target("pages/shared.py"), label=tr("share.open"), icon=":material/forum:",
                           query_params={"share": str(item.share_id)})
        if withdraw_col.button(tr("share.withdraw"), key=f"withdraw-{item.share_id}", icon=":material/visibility_off:",
                               disabled=closed):
            outcome = run_action(
                lambda session: sharing.withdraw_share(viewer.user, session=session, share_id=item.share_id),
                errors_key=errors_key,
            )
            if outcome.ok:
                flash("share.withdrawn")
            st.rerun()


def _share_form(viewer: Viewer, document: Document, errors_key: str) -> None:
    with unit_of_work() as session:
        texts = sharing.texts_to_share(viewer.user, session=session, document_id=document.id)
        found = name_replacements.check_names(viewer.user, session=session, texts=texts)
    audience = st.radio(
        tr("share.audience"), [Audience.GROUP, Audience.FACILITATORS], format_func=lambda a: tr(f"share.audience.{a}"),
        key=f"share-audience-{document.id}", horizontal=True,
    )
    replacements: dict[str, str] = {}
    if found:
        st.warning(tr("share.names_found", count=len(found)), icon=":material/person_search:")
        # Names on the participant's list come filled in; the others get a free placeholder as suggestion.
        suggestions = names.suggested_roles([names.Candidate(f.name, f.count) for f in found if not f.remembered],
                                            taken=[f.remembered for f in found if f.remembered])
        use_suggestions = st.toggle(tr("share.use_suggestions"), key=f"share-suggest-{document.id}")
        for candidate in found:
            suggestion = suggestions.get(candidate.name, "")
            name_col, role_col = st.columns([1, 2], vertical_alignment="center")
            name_col.markdown(f"**{plain(candidate.name)}** :gray[({candidate.count}×)]")
            replace = role_col.text_input(
                tr("share.replace_with", name=candidate.name), value=candidate.remembered,
                placeholder=suggestion or candidate.remembered, key=f"share-name-{document.id}-{candidate.name}",
                max_chars=name_replacements.MAX_REPLACEMENT_LENGTH, label_visibility="collapsed",
            )
            replacements[candidate.name] = replace or (suggestion if use_suggestions else "")
        st.caption(tr("share.names_help"))
        if any(f.remembered for f in found):
            st.caption(tr("names.share.remembered"))
    else:
        st.caption(tr("share.no_names"))
    field_error(errors_key, "document_id")
    field_error(errors_key, "replacements")
    if st.button(tr(f"share.button.{audience}"), type="primary", key=f"share-{document.id}", icon=":material/send:"):
        outcome = run_action(
            lambda session: sharing.share_document(
                viewer.user, session=session, document_id=document.id, audience=audience, replacements=replacements
            ),
            errors_key=errors_key,
        )
        if outcome.ok:
            flash("share.shared", version=outcome.value.number)
        st.session_state[f"share_open_{document.id}"] = True
        st.rerun()


# --- reading ------------------------------------------------------------------------------------------------------


def shared_reader(viewer: Viewer, share_id: int, number: int | None) -> bool:
    """One shared document as shared, its earlier shared versions, and the conversation on it.
    Returns False (after saying so) when it is not there for this viewer."""
    try:
        with unit_of_work() as session:
            view = sharing.read_share(viewer.user, session=session, share_id=share_id, number=number)
    except ServiceError:
        st.warning(tr("error.not_found"))
        return False
    version = view.version
    if view.note_deleted:
        # Deleted for good (or its owner left): the text is gone, the conversation on it stays.
        st.header(tr("leaving.deleted_note"))
        st.info(tr("leaving.deleted_note_text"), icon=":material/delete_forever:")
        _comments(viewer, view)
        return True
    st.header(plain(version.title) or template_name(version.template))
    meta = [tr("share.by", name=plain(view.owner_name)), template_name(version.template),
            tr("share.shared_at", date=format_datetime(version.shared_at, lang()))]
    st.caption(" · ".join(meta))
    if view.share.withdrawn_at is not None:
        st.warning(tr("share.withdrawn_owner"), icon=":material/visibility_off:")
    if len(view.versions) > 1:
        numbers = [n for n, _, _ in view.versions]
        when = {n: shared_at for n, shared_at, _ in view.versions}
        chosen = st.selectbox(
            tr("share.versions"), numbers, index=numbers.index(version.number),
            format_func=lambda n: tr("share.version_item", number=n, date=format_datetime(when[n], lang())),
            key=f"share-version-{share_id}", placeholder=tr("widget.choose_option"),
        )
        if chosen != version.number:
            st.query_params["v"] = str(chosen)
            st.rerun()
        if not view.is_latest:
            st.info(tr("share.older_version"), icon=":material/history:")
    _show_fields(version.template, version.fields)
    for log in version.logs:
        day = format_date(date.fromisoformat(log["date"]), lang()) if log.get("date") else ""
        with st.container(border=True):
            st.markdown(f"**{tr('journal.kind.log')}** {day}")
            _show_fields(log["template"], log["fields"])
    _comments(viewer, view)
    return True


def _show_fields(template: str, fields: dict[str, str]) -> None:
    order = [f for f in TEMPLATES[template].all_fields if f in fields] + [
        f for f in fields if f not in TEMPLATES[template].all_fields
    ]
    for field in order:
        if field == "title" or not fields.get(field):
            continue
        st.caption(tr(label_key(template, field)))
        show_text(fields[field])


def _comments(viewer: Viewer, view: sharing.SharedView) -> None:
    st.subheader(tr("share.comments_title", count=len(view.comments)))
    closed = writing_closed(viewer, view.share.cohort_id)
    errors_key = f"comment_errors_{view.version.id}"
    form_error(errors_key)
    for comment in view.comments:
        with st.container(border=True):
            stamp = format_datetime(comment.created_at, lang())
            if comment.edited_at:
                stamp += " · " + tr("share.edited")
            st.caption(f"{comment_author(comment.author_name, comment.author_left)} · {stamp}")
            show_text(comment.text)
            if comment.is_mine and not closed:
                edit_col, delete_col = st.columns([3, 1])
                with edit_col.popover(tr("share.edit_comment"), icon=":material/edit:"):
                    new_text = st.text_area(tr("share.comment"), value=comment.text, key=f"edit-comment-{comment.id}")
                    if st.button(tr("action.save"), key=f"save-comment-{comment.id}"):
                        outcome = run_action(
                            lambda session: sharing.edit_comment(viewer.user, session=session, comment_id=comment.id,
                                                                 text=new_text),
                            errors_key=errors_key,
                        )
                        if outcome.ok:
                            flash("share.comment_saved")
                        st.rerun()
                if delete_col.button(tr("action.delete"), key=f"delete-comment-{comment.id}"):
                    outcome = run_action(
                        lambda session: sharing.delete_comment(viewer.user, session=session, comment_id=comment.id),
                        errors_key=errors_key,
                    )
                    if outcome.ok:
                        flash("share.comment_deleted")
                    st.rerun()
    if view.share.withdrawn_at is not None:
        return
    if closed:
        st.caption(tr("cohort.read_only"))
        return
    with st.form(f"comment-{view.version.id}", clear_on_submit=True):
        text = st.text_area(tr("share.comment"), placeholder=tr("share.comment_placeholder"))
        field_error(errors_key, "text")
        if st.form_submit_button(tr("share.send_comment"), icon=":material/send:"):
            outcome = run_action(
                lambda session: sharing.add_comment(viewer.user, session=session, shared_version_id=view.version.id,
                                                    text=text),
                errors_key=errors_key,
            )
            if outcome.ok:
                flash("share.comment_added")
            st.rerun()


def feed_list(items: list[sharing.FeedItem], *, empty_key: str) -> None:
    """Shared items, newest first, with unread markers; each opens in the reader."""
    if not items:
        st.caption(tr(empty_key))
        return
    for item in items:
        marker = ":blue[●] " if item.unread else ""
        title = plain(item.title) or template_name(item.template)
        who = tr("share.you") if item.is_mine else plain(item.owner_name)
        details = [who, tr(f"journal.kind.{item.kind}"), format_datetime(item.shared_at, lang()),
                   tr("share.comment_count", count=item.comments)]
        if item.versions > 1:
            details.append(tr("share.version_count", count=item.versions))
        if item.audience == Audience.FACILITATORS:
            details.append(tr("share.audience.facilitators"))
        st.page_link(target("pages/shared.py"),
                     label=f"{marker}{title} :gray[· {' · '.join(details)}]", icon=":material/article:",
                     query_params={"share": str(item.share_id)})
