"""The app's pages per role, and links to them.

Links are made with the run's st.Page objects rather than file paths: Streamlit resolves a path on
the file system for every link, which on a page of sixty links costs more than the page's queries.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

import streamlit as st

from ledpro_journal.models import Role
from ledpro_journal.ui.session import Viewer, show_no_access, tr

_run = threading.local()

# (file, catalogue key of its title, icon, roles that see it; None: everyone signed in)
_JOURNAL = [
    ("pages/home.py", "nav.home", ":material/home:", None),
    ("pages/overview.py", "nav.overview", ":material/insights:", {Role.PARTICIPANT}),
    ("pages/challenge.py", "nav.challenge", ":material/target:", {Role.PARTICIPANT}),
    ("pages/actions.py", "nav.actions", ":material/flag:", {Role.PARTICIPANT}),
    ("pages/notes.py", "nav.notes", ":material/edit_note:", {Role.PARTICIPANT}),
    ("pages/group.py", "nav.group", ":material/groups:", {Role.PARTICIPANT}),
    ("pages/literature.py", "nav.literature", ":material/menu_book:", {Role.PARTICIPANT, Role.FACILITATOR}),
    ("pages/exam.py", "nav.exam", ":material/description:", {Role.PARTICIPANT}),
    ("pages/names.py", "nav.names", ":material/person_off:", {Role.PARTICIPANT}),
    ("pages/bin.py", "nav.bin", ":material/delete:", {Role.PARTICIPANT}),
    ("pages/facilitator.py", "nav.facilitator", ":material/groups:", {Role.FACILITATOR}),
    ("pages/cohort_overview.py", "nav.cohort_overview", ":material/insights:", {Role.FACILITATOR}),
]
_ADMIN = [
    ("pages/admin_cohorts.py", "nav.admin_cohorts", ":material/event:", {Role.ADMIN}),
    ("pages/admin_groups.py", "nav.admin_groups", ":material/groups:", {Role.ADMIN}),
    ("pages/admin_invites.py", "nav.admin_invites", ":material/key:", {Role.ADMIN}),
    ("pages/admin_users.py", "nav.admin_users", ":material/manage_accounts:", {Role.ADMIN}),
    ("pages/admin_audit.py", "nav.admin_audit", ":material/history:", {Role.ADMIN}),
]
_ME = [("pages/account.py", "nav.account", ":material/person:", None)]
_HIDDEN = [
    ("pages/write.py", "nav.write", ":material/edit:", {Role.PARTICIPANT}),
    ("pages/shared.py", "nav.shared", ":material/forum:", {Role.PARTICIPANT, Role.FACILITATOR}),
]
# Every page, whoever it is for: the one list of the app's pages (the tests read it from here too).
PAGES = [*_JOURNAL, *_ADMIN, *_ME, *_HIDDEN]


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
    sections[tr("nav.section.journal")] += stand_in({Path(path).stem for path in pages}, _answer_for_address)
    return st.navigation(sections)


# --- addresses that name none of the viewer's pages --------------------------------------------------------

# Every page's name in the address (/notes), whichever role the page is for: what anyone may type or bookmark.
_ADDRESSES = {Path(path).stem for path, *_ in PAGES}


def requested_address() -> str | None:
    """The page the browser's address names on this run: "notes" for https://host/notes, "" for the root;
    None when no browser says (AppTest).

    st.context.url is the address the frontend sent with the run. On a browser session's first run, the one
    run on which Streamlit looks a page up by the name in the address (later runs name the page by its id),
    it is the address as opened. Streamlit compares the name percent-decoded (/n%C3%B8 asks for "nø")."""
    url = st.context.url
    if not url:
        return None
    path = unquote(urlsplit(url).path).strip("/")
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    if base and (path == base or path.startswith(base + "/")):
        path = path[len(base):].strip("/")
    return path


def stand_in(taken: set[str], page_for: Callable[[str], st.Page]) -> list[st.Page]:
    """[a hidden page at the address the browser asks for], when none of this run's pages is there; else [].

    st.navigation answers an address it does not know with Streamlit's own English "Page not found" dialog
    over the default page; a page registered at that very address is found instead, and says in the user's
    language what there is to say. `taken`: the names of this run's pages, the default page's own name
    ("home") included, since two pages may not share a name. A name with "/" can be no page's (Streamlit
    refuses it), and then Streamlit's dialog stays: the frontend only asks for one after %2F in an address."""
    address = requested_address()
    if not address or address in taken or "/" in address:
        return []
    return [page_for(address)]


def _answer_for_address(address: str) -> st.Page:
    """The address of a page for another role: no access, as the page's own guard would say (and the page
    itself never runs). Any other address: no such page."""
    if address in _ADDRESSES:
        return st.Page(_no_access_here, title=tr("error.no_access_title"), url_path=address, visibility="hidden")
    return st.Page(_not_found_here, title=tr("error.page_not_found_title"), url_path=address, visibility="hidden")


def _no_access_here() -> None:
    show_no_access()
    link("pages/home.py", label=tr("nav.home"), icon=":material/home:")


def _not_found_here() -> None:
    st.title(tr("error.page_not_found_title"))
    st.info(tr("error.page_not_found"), icon=":material/explore_off:")
    link("pages/home.py", label=tr("nav.home"), icon=":material/home:")


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
