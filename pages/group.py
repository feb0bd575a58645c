"""Refleksjonsgruppa: what the group shared since the last gathering, reading and commenting, and
everything shared for the next gathering in one place."""

import streamlit as st

from ledpro_journal.i18n import format_datetime, today_in_oslo
from ledpro_journal.models import Role
from ledpro_journal.services import journal, programme, sharing
from ledpro_journal.ui.editor import template_name
from ledpro_journal.ui.leaving import comment_author
from ledpro_journal.ui.navigation import target
from ledpro_journal.ui.session import lang, require_user, tr, unit_of_work
from ledpro_journal.ui.sharing import feed_list
from ledpro_journal.ui.text import plain, show_text

viewer = require_user(Role.PARTICIPANT)

with unit_of_work() as session:
    views = programme.my_programmes(viewer.user, session=session)
    when = journal.timeline(viewer.user, session=session, today=today_in_oslo())
view = views[0] if views else None
st.title(plain(view.group.name) if view and view.group else tr("nav.group"))
if view is None or view.group is None:
    st.info(tr("group_page.no_group"), icon=":material/groups:")
    st.stop()
st.caption(tr("group_page.members", names=", ".join(plain(n) for n in view.group_members)))

new_tab, prepare_tab, mine_tab = st.tabs(
    [tr("group_page.tab.new"), tr("group_page.tab.prepare"), tr("group_page.tab.my_comments")]
)
last = next((g for g in reversed(when.gatherings) if g.id == when.current_period), None)

with new_tab:
    since = None
    if last is not None:
        since = sharing.gathering_start(last)
        st.caption(tr("group_page.since", number=last.number))
    with unit_of_work() as session:
        items = sharing.feed(viewer.user, session=session, since=since)
    feed_list(items, empty_key="group_page.nothing_new")

with prepare_tab:
    upcoming = when.next_gathering
    if upcoming is None:
        st.caption(tr("home.no_more_gatherings"))
    else:
        with unit_of_work() as session:
            start, end = sharing.period_bounds(session, upcoming.cohort_id, upcoming.number)
            items = sharing.feed(viewer.user, session=session, since=start, until=end)
            prepared = [sharing.read_share(viewer.user, session=session, share_id=i.share_id, mark_seen=False)
                        for i in items]
        st.subheader(tr("group_page.prepare_title", number=upcoming.number))
        st.caption(tr("group_page.prepare_lead", count=len(prepared)))
        for item, shared in zip(items, prepared, strict=True):
            with st.container(border=True):
                st.markdown(f"**{plain(item.title) or template_name(item.template)}** — {plain(item.owner_name)}")
                st.page_link(target("pages/shared.py"), label=tr("share.open"), icon=":material/forum:",
                             query_params={"share": str(item.share_id)})
                for comment in shared.comments:
                    who = comment_author(comment.author_name, comment.author_left)
                    st.caption(f"{who} · {format_datetime(comment.created_at, lang())}")
                    show_text(comment.text)

with mine_tab:
    with unit_of_work() as session:
        comments = sharing.my_comments(viewer.user, session=session)
    if not comments:
        st.caption(tr("group_page.no_comments"))
    for comment in comments:
        with st.container(border=True):
            if comment.on_deleted_note:
                about = tr("leaving.deleted_note")
            elif comment.on_title is not None:
                about = plain(comment.on_title)
            else:
                about = tr("group_page.withdrawn_note")
            st.caption(f"{about} · {format_datetime(comment.created_at, lang())}")
            show_text(comment.text)
