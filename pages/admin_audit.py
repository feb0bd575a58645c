"""Hendelseslogg: the administrative events (who changed what in the programme and the accounts, when),
filtered by kind and date. Participants' own acts are not here: they are on their Min konto."""

from datetime import datetime, time, timedelta

import pandas as pd
import streamlit as st

from ledpro_journal.i18n import OSLO, today_in_oslo
from ledpro_journal.models import Role
from ledpro_journal.services import audit
from ledpro_journal.ui.audit import admin_row, kind_label, retention_years
from ledpro_journal.ui.session import require_user, tr, unit_of_work

SHOWN = 500

viewer = require_user(Role.ADMIN)

st.title(tr("audit.admin.title"))
st.caption(tr("audit.admin.lead", years=retention_years()))

kinds = st.multiselect(tr("audit.admin.kinds"), list(audit.ADMIN_KINDS), format_func=kind_label,
                       placeholder=tr("widget.choose_options"), select_all=False,
                       help=tr("audit.admin.kinds_help"))
first_col, last_col = st.columns(2)
today = today_in_oslo()
first = first_col.date_input(tr("audit.admin.from"), value=today - timedelta(days=30), max_value=today,
                             format="DD.MM.YYYY")
last = last_col.date_input(tr("audit.admin.to"), value=today, format="DD.MM.YYYY")
if first and last and first > last:
    st.error(tr("audit.admin.bad_dates"))
    st.stop()

# Days are Oslo days: from the start of the first to the end of the last.
since = datetime.combine(first, time.min, OSLO) if first else None
until = datetime.combine(last + timedelta(days=1), time.min, OSLO) if last else None
with unit_of_work() as session:
    events = audit.administrative_events(viewer.user, session, kinds=kinds or None, since=since, until=until,
                                         limit=SHOWN)
if not events:
    st.info(tr("audit.admin.none"))
    st.stop()
if len(events) == SHOWN:
    st.caption(tr("audit.admin.shown", count=SHOWN))
st.dataframe(pd.DataFrame([admin_row(e) for e in events]), hide_index=True, width="stretch")
