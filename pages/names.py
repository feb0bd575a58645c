"""Navn og anonymisering: the names a participant replaces with roles wherever their text leaves the
journal (shares, the group exam draft, their own draft if they choose), to see, add, change and remove."""

from ledpro_journal.models import Role
from ledpro_journal.ui.names import replacements_page
from ledpro_journal.ui.session import require_user

viewer = require_user(Role.PARTICIPANT)
replacements_page(viewer)
