"""Hjem: where the signed-in person stands in the programme."""

import streamlit as st

from ledpro_journal.i18n import today_in_oslo
from ledpro_journal.models import Role
from ledpro_journal.services import programme
from ledpro_journal.ui.navigation import target
from ledpro_journal.ui.session import require_user, tr, unit_of_work
from ledpro_journal.ui.start import journal_start
from ledpro_journal.ui.text import plain
from ledpro_journal.ui.widgets import next_gathering_notice, programme_table

viewer = require_user()
user = viewer.user

st.title(tr("home.title", name=plain(user.display_name)))

if user.role == Role.ADMIN:
    with unit_of_work() as session:
        overview = programme.admin_overview(user, session=session)
    st.write(tr("home.admin_lead"))
    columns = st.columns(4)
    columns[0].metric(tr("home.metric.cohorts"), overview.cohorts)
    columns[1].metric(tr("home.metric.participants"), overview.participants)
    columns[2].metric(tr("home.metric.facilitators"), overview.facilitators)
    columns[3].metric(tr("home.metric.invites"), overview.active_invites)
    if overview.cohorts == 0:
        st.info(tr("home.admin_start"), icon=":material/lightbulb:")
    st.page_link(target("pages/admin_cohorts.py"), label=tr("nav.admin_cohorts"), icon=":material/event:")
    st.page_link(target("pages/admin_groups.py"), label=tr("nav.admin_groups"), icon=":material/groups:")
    st.page_link(target("pages/admin_invites.py"), label=tr("nav.admin_invites"), icon=":material/key:")
    st.stop()

with unit_of_work() as session:
    views = programme.my_programmes(user, session=session)

if not views:
    st.info(tr("home.no_cohort"), icon=":material/info:")
    st.stop()

today = today_in_oslo()
if user.role == Role.PARTICIPANT:
    journal_start(viewer, today)
    if not user.candidate_number:
        st.warning(tr("home.set_candidate_number"), icon=":material/badge:")
        st.page_link(target("pages/account.py"), label=tr("nav.account"), icon=":material/person:")

for view in views:
    st.header(plain(view.cohort.name), divider="gray")
    details = [plain(view.cohort.institution)] if view.cohort.institution else []
    if view.part:
        details.append(tr("home.part", part=view.part))
    if details:
        st.caption(" · ".join(details))
    next_gathering_notice(view.next_gathering(today), view.themes)
    st.subheader(tr("home.programme"))
    programme_table(view.gatherings, view.themes)
    group_column, themes_column = st.columns(2, gap="large")
    if user.role == Role.PARTICIPANT:
        with group_column:
            st.subheader(tr("home.my_group"))
            if view.group is None:
                st.caption(tr("home.no_group"))
            else:
                st.markdown(f"**{plain(view.group.name)}**")
                st.markdown("\n".join(f"- {plain(name)}" for name in view.group_members))
    with themes_column:
        st.subheader(tr("home.themes"))
        ordered = sorted(view.themes.values(), key=lambda theme: theme.position)
        st.markdown("\n".join(f"{theme.position}. {plain(theme.name)}" for theme in ordered) or "—")
