"""The app's pages per role, and links to them.

Links are made with the run's st.Page objects rather than file paths: Streamlit resolves a path on
the file system for every link, which on a page of sixty links costs more than the page's queries.
"""

from __future__ import annotations

import threading

import streamlit as st

from ledpro_journal.models import Role
from ledpro_journal.ui.context import Viewer, tr

_run = threading.local()

# (file, catalogue key of its title, icon, roles that see it; None: everyone signed in)
_JOURNAL = [
    ("pages/home.py", "nav.home", ":material/home:", None),
    ("pages/challenge.py", "nav.challenge", ":material/target:", {Role.PARTICIPANT}),
    ("pages/actions.py", "nav.actions", ":material/flag:", {Role.PARTICIPANT}),
    ("pages/notes.py", "nav.notes", ":material/edit_note:", {Role.PARTICIPANT}),
    ("pages/group.py", "nav.group", ":material/groups:", {Role.PARTICIPANT}),
    ("pages/literature.py", "nav.literature", ":material/menu_book:", {Role.PARTICIPANT, Role.FACILITATOR}),
    ("pages/exam.py", "nav.exam", ":material/description:", {Role.PARTICIPANT}),
    ("pages/bin.py", "nav.bin", ":material/delete:", {Role.PARTICIPANT}),
    ("pages/facilitator.py", "nav.facilitator", ":material/groups:", {Role.FACILITATOR}),
]
_ADMIN = [
    ("pages/admin_cohorts.py", "nav.admin_cohorts", ":material/event:", {Role.ADMIN}),
    ("pages/admin_groups.py", "nav.admin_groups", ":material/groups:", {Role.ADMIN}),
    ("pages/admin_invites.py", "nav.admin_invites", ":material/key:", {Role.ADMIN}),
    ("pages/admin_users.py", "nav.admin_users", ":material/manage_accounts:", {Role.ADMIN}),
]
_ME = [("pages/account.py", "nav.account", ":material/person:", None)]
_HIDDEN = [
    ("pages/write.py", "nav.write", ":material/edit:", {Role.PARTICIPANT}),
    ("pages/shared.py", "nav.shared", ":material/forum:", {Role.PARTICIPANT, Role.FACILITATOR}),
]


def build(viewer: Viewer):
    """The navigation for this viewer's role; remembers this run's pages for `target`."""
    role = viewer.user.role
    pages: dict[str, st.Page] = {}
    sections: dict[str, list] = {}
    for section, entries in (("nav.section.journal", _JOURNAL), ("nav.section.admin", _ADMIN), ("nav.section.me", _ME)):
        for path, title, icon, roles in entries:
            if roles is None or role in roles:
                pages[path] = st.Page(path, title=tr(title), icon=icon, default=path == "pages/home.py")
                sections.setdefault(tr(section), []).append(pages[path])
    for path, title, icon, roles in _HIDDEN:
        if role in roles:
            pages[path] = st.Page(path, title=tr(title), icon=icon, visibility="hidden")
            sections[tr("nav.section.journal")].append(pages[path])
    _run.pages = pages
    return st.navigation(sections)


def target(path: str):
    """What to link to: this run's st.Page for `path`, or the path itself when the page file runs alone."""
    return getattr(_run, "pages", {}).get(path, path)


def link(path: str, *, label: str, icon: str, query_params: dict | None = None) -> None:
    st.page_link(target(path), label=label, icon=icon, query_params=query_params)


def keep_in_address(**params: str) -> None:
    """Writes this page's parameters into the browser's address again, on every run.

    Streamlit's frontend updates the address only when the page itself changes: a link or switch to the
    same page with other parameters (an action's log entry from the action, back to the action) runs the
    new document but leaves the old ?id= in the address, and the browser sends that old one with the next
    click, which then opens the wrong document. Saying the parameters on each run keeps the two in step.
    """
    for name, value in params.items():
        st.query_params[name] = value
