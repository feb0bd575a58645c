"""Shared fixtures for the AppTest suite: a SQLite file per test, the app pointed at it, people made
through the real services, and a stand-in for the browser's session cookie.

AppTest cannot send cookies (its st.context.cookies is backed by a mock and answers every lookup with
a mock object), so `ledpro_journal.ui.context.session_token` is replaced for every test in this folder
by a function returning `browser.token`: None is an anonymous visitor; `browser.sign_in(user)` starts a
real server-side session and holds its token, exactly as the HttpOnly cookie would.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlmodel import Session
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block

from ledpro_journal import db
from ledpro_journal.i18n import t
from ledpro_journal.models import User
from ledpro_journal.services import accounts
from ledpro_journal.ui import context

ROOT = Path(__file__).resolve().parents[2]
ENTRY = ROOT / "streamlit_app.py"
PAGES = ROOT / "pages"
TIMEOUT = 30
ADMIN_PAGES = ["pages/admin_cohorts.py", "pages/admin_groups.py", "pages/admin_invites.py", "pages/admin_users.py"]
JOURNAL_PAGES = ["pages/challenge.py", "pages/actions.py", "pages/notes.py", "pages/bin.py", "pages/write.py"]
# Sharing: the group page for participants, the facilitators' page, and the shared reader for both.
GROUP_PAGES = ["pages/group.py"]
FACILITATOR_PAGES = ["pages/facilitator.py"]
SHARED_PAGES = ["pages/shared.py"]
# The literature library (participants and facilitators) and the exam draft (participants).
LITERATURE_PAGES = ["pages/literature.py"]
EXAM_PAGES = ["pages/exam.py"]
PARTICIPANT_PAGES = [*JOURNAL_PAGES, *GROUP_PAGES, *SHARED_PAGES, *LITERATURE_PAGES, *EXAM_PAGES]
ALL_PAGES = ["pages/home.py", "pages/account.py", *ADMIN_PAGES, *JOURNAL_PAGES, *GROUP_PAGES, *FACILITATOR_PAGES,
             *SHARED_PAGES, *LITERATURE_PAGES, *EXAM_PAGES]


def nb(key: str, **params: object) -> str:
    return t(key, "nb", **params)


# The title each page shows (the group page shows the group's name when there is one; the shared page
# shows the shared note's title, so its entry is the page's name in the navigation).
PAGE_TITLES = {
    "pages/home.py": "Hei,",
    "pages/account.py": nb("account.title"),
    "pages/admin_cohorts.py": nb("nav.admin_cohorts"),
    "pages/admin_groups.py": nb("nav.admin_groups"),
    "pages/admin_invites.py": nb("nav.admin_invites"),
    "pages/admin_users.py": nb("nav.admin_users"),
    "pages/literature.py": nb("nav.literature"),
    "pages/exam.py": nb("nav.exam"),
    "pages/challenge.py": nb("nav.challenge"),
    "pages/actions.py": nb("nav.actions"),
    "pages/notes.py": nb("nav.notes"),
    "pages/bin.py": nb("nav.bin"),
    "pages/write.py": nb("nav.write"),
    "pages/group.py": nb("nav.group"),
    "pages/facilitator.py": nb("nav.facilitator"),
    "pages/shared.py": nb("nav.shared"),
}


def en(key: str, **params: object) -> str:
    return t(key, "en", **params)


@dataclass
class Browser:
    """What the browser would hold: the session cookie's token (None when signed out)."""

    session: Session
    token: str | None = None
    tokens: list[str] = field(default_factory=list)

    def sign_in(self, user: User) -> str:
        self.token = self.new_session(user)
        return self.token

    def new_session(self, user: User) -> str:
        """Another browser of the same user, signed in through the real service."""
        token = accounts.start_session(self.session, user)
        self.session.commit()
        self.tokens.append(token)
        return token

    def sign_out(self) -> None:
        self.token = None


@pytest.fixture
def app_engine(sqlite_url, use_database) -> Iterator[sa.Engine]:
    """The app's database: a migrated SQLite file of this test's own, and the settings pointing at it."""
    use_database(sqlite_url)
    engine = db.get_engine(sqlite_url)
    db.migrate(engine)
    yield engine
    db.dispose_engines()


@pytest.fixture
def dbs(app_engine) -> Iterator[Session]:
    """A session for building data through the services (commit before running the app)."""
    with Session(app_engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def fresh(app_engine):
    """A new session, to read what the app has written (nothing cached from before the run)."""
    sessions: list[Session] = []

    def open_session() -> Session:
        session = Session(app_engine, expire_on_commit=False)
        sessions.append(session)
        return session

    yield open_session
    for session in sessions:
        session.close()


@pytest.fixture(autouse=True)
def navigation_as_on_a_running_server(monkeypatch):
    """Makes every AppTest run go through the entry script, as every rerun does on the real server.

    A `pages/` folder beside the entry script makes Streamlit start in its old pages-folder mode, in
    which a rerun runs the requested page file on its own. The first st.navigation call switches that
    off for the whole process (PagesManager.uses_pages_directory = False), so on a running server only
    the very first run is ever served that way. AppTest resets the flag to None before each run, so
    without this every run after the first would skip streamlit_app.py (no role-based navigation, no
    sidebar, no flash messages): something a user never sees. (Checked against a real `streamlit run`
    server in Chromium.) Page files run on their own are still tested, with AppTest.from_file(page).
    """
    original_init = PagesManager.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)


@pytest.fixture(autouse=True)
def browser(monkeypatch, dbs) -> Browser:
    state = Browser(dbs)
    monkeypatch.setattr(context, "session_token", lambda: state.token)
    return state


def entry_app() -> AppTest:
    return AppTest.from_file(ENTRY, default_timeout=TIMEOUT)


def page_app(page: str) -> AppTest:
    """A page file run on its own, as Streamlit serves pages/ files by URL before st.navigation ran."""
    return AppTest.from_file(ROOT / page, default_timeout=TIMEOUT)


def run(at: AppTest) -> AppTest:
    """One run, and never an exception element on screen."""
    at.run()
    assert_no_exception(at)
    return at


def assert_no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def open_page(page: str) -> AppTest:
    """The app from its entry, navigated to `page` (as clicking it in the sidebar would)."""
    at = run(entry_app())
    if page != "pages/home.py":
        at.switch_page(page)
        run(at)
    return at


def visible_text(at: AppTest) -> str:
    """Every piece of text on the screen (main and sidebar), one per line, for `in` assertions."""
    parts: list[str] = []
    for root in (at.main, at.sidebar):
        for node in root:
            try:
                label = node.label
            except Exception:  # noqa: BLE001 - not every node has a label
                label = None
            if isinstance(label, str) and label:
                parts.append(label)
            if isinstance(node, Block):
                continue
            try:
                value = node.value
            except Exception:  # noqa: BLE001
                continue
            if isinstance(value, str):
                parts.append(value)
            elif isinstance(value, pd.DataFrame):
                parts.extend(str(c) for c in value.columns)
                parts.extend(str(v) for v in value.astype(str).to_numpy().ravel())
    for toast in at.toast:
        parts.append(toast.value)
    return "\n".join(parts)


def titles(at: AppTest) -> list[str]:
    return [title.value for title in at.title]


def toasts(at: AppTest) -> list[str]:
    return [toast.value for toast in at.toast]


def errors(at: AppTest) -> list[str]:
    return [error.value for error in at.error]


def assert_signed_out(at: AppTest, *page_contents: str) -> None:
    """The signed-out message and nothing of the page: no forms, no inputs, none of its texts."""
    assert_no_exception(at)
    assert [info.value for info in at.info] == [nb("auth.not_signed_in")]
    assert titles(at) == ["LEDPRO Journal"]
    assert not at.form and not at.text_input and not at.selectbox and not at.dataframe and not at.tabs
    assert not at.button and not at.metric
    text = visible_text(at)
    for content in page_contents:
        assert content not in text


def form(at: AppTest, form_id: str) -> Block:
    """The st.form with this key."""
    matches = [f for f in at.form if f.proto.form.form_id == form_id]
    assert matches, f"no form {form_id!r} among {[f.proto.form.form_id for f in at.form]}"
    return matches[0]


def labelled(widgets, label: str):
    """The one widget in `widgets` with this label."""
    matches = [w for w in widgets if w.label == label]
    assert len(matches) == 1, f"{len(matches)} widgets labelled {label!r}: {[w.label for w in widgets]}"
    return matches[0]


def error_after(container, widget_label: str) -> str | None:
    """The error message shown right under the widget with this label (inside `container`), if any."""
    nodes = [n for n in container if not isinstance(n, Block)]
    for index, node in enumerate(nodes):
        if getattr(node, "label", None) == widget_label and node.type != "error":
            following = nodes[index + 1] if index + 1 < len(nodes) else None
            if following is not None and following.type == "error":
                return following.value
            return None
    raise AssertionError(f"no widget labelled {widget_label!r}")


def registered_pages(at: AppTest) -> set[str]:
    """The page files the last run's st.navigation registered, relative to the project.

    AppTest has no public view of st.navigation's pages; `_registered_pages` is what its own
    switch_page() resolves against, so it is exactly the set a user can navigate to.
    """
    return {
        str(Path(info["script_path"]).resolve().relative_to(ROOT))
        for info in at._registered_pages.values()
        if info.get("script_path") and Path(info["script_path"]).resolve() != ENTRY
    }


def has_sign_out_link(at: AppTest) -> bool:
    """The sidebar offers signing out (a link to /auth/signout labelled from the catalogue)."""
    for node in at.sidebar:
        if node.type == "markdown" and "/auth/signout" in node.value and nb("nav.sign_out") in node.value:
            return True
    return False


# --- the participant's journal ---------------------------------------------------------------------------


@dataclass
class Writers:
    """An admin, the LEDPRO 2024 cohort (all its gatherings in the past) and two participants in it."""

    admin: User
    cohort: object
    pia: User
    ola: User


@pytest.fixture
def writers(dbs) -> Writers:
    from tests.helpers import make_admin, make_cohort, make_member

    admin = make_admin(dbs)
    cohort = make_cohort(dbs, admin)
    pia = make_member(dbs, admin, cohort.id, "pia", name="Pia Deltaker")
    ola = make_member(dbs, admin, cohort.id, "ola", name="Ola Nordmann")
    return Writers(admin, cohort, pia, ola)


def future_cohort(dbs: Session, admin: User, today, name: str = "LEDPRO 2027"):
    """A cohort whose gatherings 1 and 2 are over and 3 and 4 are ahead: the present period is
    "after gathering 2, before gathering 3", which is 20 days away."""
    from datetime import timedelta

    from ledpro_journal.services import programme

    cohort = programme.create_cohort(admin, session=dbs, name=name, from_ledpro_2024=False)
    gatherings = [
        programme.add_gathering(admin, session=dbs, cohort_id=cohort.id, number=number,
                                start_date=today + timedelta(days=offset), end_date=today + timedelta(days=offset + 1))
        for number, offset in ((1, -40), (2, -10), (3, 20), (4, 60))
    ]
    dbs.commit()
    return cohort, gatherings


def write(dbs: Session, user: User, kind, fields: dict[str, str] | None = None, **options):
    """A document made and saved once through the service (as if written earlier), committed."""
    from ledpro_journal.services import journal

    create = {k: options.pop(k) for k in ("template", "parent_id", "gathering_id") if k in options}
    document = journal.create_document(user, session=dbs, kind=kind, **create)
    if fields is not None:
        journal.save_document(user, session=dbs, document_id=document.id, base_version=document.version,
                              fields=fields, template=create.get("template"),
                              gathering_id=create.get("gathering_id"), **options)
    dbs.commit()
    return document


def follow(at: AppTest, page: str) -> AppTest:
    """After the script itself switched page (st.switch_page), stay there on the next runs, as the browser
    does (AppTest runs its own current page again otherwise)."""
    at.switch_page(page)
    return at


def open_write(at: AppTest, document_id) -> AppTest:
    """The editor page with ?id=..., as a link to it opens it."""
    at.query_params["id"] = str(document_id)
    at.switch_page("pages/write.py")
    return run(at)


def field(at: AppTest, label: str):
    """The editor field with this label (the title is a text input, every other field a text area)."""
    return labelled([*at.text_input, *at.text_area], label)


def click(at: AppTest, label: str) -> AppTest:
    labelled(at.button, label).click()
    return run(at)


def htmls(at: AppTest) -> list[str]:
    return [node.value for node in at.main if getattr(node, "type", None) == "html"]


_SHOWN_TEXT = re.compile(r'^<div class="ledpro-text" style="white-space: pre-wrap;[^"]*">(.*)</div>$', re.DOTALL)


def shown_texts(at: AppTest) -> list[str]:
    """The user texts shown as plain text (editor.show_text: an st.html body, escaped), unescaped again."""
    texts = []
    for body in htmls(at):
        match = _SHOWN_TEXT.match(body)
        if match:
            texts.append(html.unescape(match.group(1)))
    return texts


def page_links(at: AppTest) -> list[tuple[str, str]]:
    """(label, query string) of every st.page_link on the page."""
    return [(link.value, link.proto.query_string) for link in at.page_link]


def programme_rows(at: AppTest) -> list[dict[str, str]]:
    """The programme table (a Markdown table) as rows of column -> text, Markdown escapes undone."""
    import re

    table = next(m.value for m in at.markdown if m.value.startswith("| "))
    lines = [line.strip("|").split(" | ") for line in table.splitlines()]
    header, rows = [c.strip() for c in lines[0]], lines[2:]
    return [{h: re.sub(r"\\(.)", r"\1", cell.strip()) for h, cell in zip(header, row)} for row in rows]
