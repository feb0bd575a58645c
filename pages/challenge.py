"""Min utfordring: the workplace challenge (template A), revised over the year with every version kept."""

import streamlit as st

from ledpro_journal.models import Role
from ledpro_journal.services import journal
from ledpro_journal.services.errors import NotAllowed
from ledpro_journal.ui import editor
from ledpro_journal.ui.session import require_user, tr, unit_of_work
from ledpro_journal.ui.sharing import share_panel

viewer = require_user(Role.PARTICIPANT)

st.title(tr("nav.challenge"))
st.caption(tr("journal.challenge_lead"))
try:
    with unit_of_work() as session:
        challenge = journal.my_challenge(viewer.user, session=session)
except NotAllowed as refused:  # a closed cohort, and no challenge was ever started: nothing to show
    st.info(tr(refused.key), icon=":material/lock:")
    st.stop()
loaded = editor.load(viewer, challenge.id)
if loaded is not None:
    editor.document_editor(viewer, loaded)
    share_panel(viewer, loaded.document)
