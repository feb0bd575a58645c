"""The AppTest suite's fixtures: a SQLite file per test, the app pointed at it, people made through the
real services, and a stand-in for the browser's session cookie. Builders and helpers (running the app,
reading the screen, making data) are in builders.py.

AppTest cannot send cookies (its st.context.cookies is backed by a mock and answers every lookup with
a mock object), so `ledpro_journal.ui.session.session_token` is replaced for every test in this folder
by a function returning `browser.token`: None is an anonymous visitor; `browser.sign_in(user)` starts a
real server-side session and holds its token, exactly as the HttpOnly cookie would.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select
from streamlit.runtime.pages_manager import PagesManager

from ledpro_journal import db
from ledpro_journal.models import CohortMembership, DocumentKind, Role, User
from ledpro_journal.services import accounts, literature, programme
from ledpro_journal.ui import app_server
from ledpro_journal.ui import session as ui_session
from tests.app.builders import Browser, Groups, Writers, make_groups, write
from tests.helpers import make_admin, make_cohort, make_member


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
    And, as app.py's server does when it starts, it marks the scripts as served with the sign-in pages.
    """
    original_init = PagesManager.__init__

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        app_server.navigate_only_with_st_navigation()

    monkeypatch.setattr(PagesManager, "__init__", init)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)
    monkeypatch.setattr(app_server, "_served_by_app", True)


@pytest.fixture(autouse=True)
def browser(monkeypatch, dbs) -> Browser:
    state = Browser(dbs)
    monkeypatch.setattr(ui_session, "session_token", lambda: state.token)
    return state


@pytest.fixture
def writers(dbs) -> Writers:
    """An admin, the LEDPRO 2024 cohort (all its gatherings in the past) and two participants in it: Pia
    Deltaker and Ola Nordmann."""
    admin = make_admin(dbs)
    cohort = make_cohort(dbs, admin)
    pia = make_member(dbs, admin, cohort.id, "pia", name="Pia Deltaker")
    ola = make_member(dbs, admin, cohort.id, "ola", name="Ola Nordmann")
    return Writers(admin, cohort, pia, ola)


@pytest.fixture
def groups(dbs, writers) -> Groups:
    """Pia and Ola in Gruppe Nord, Siri in Gruppe Sør, Frode facilitating the cohort."""
    return make_groups(dbs, writers.admin, writers.cohort, writers.pia, writers.ola)


@pytest.fixture
def nord(dbs, writers):
    """Pia and Ola in Gruppe Nord, with candidate numbers."""
    group = programme.create_group(writers.admin, session=dbs, cohort_id=writers.cohort.id, name="Gruppe Nord")
    dbs.commit()
    for user, number in ((writers.pia, "4711"), (writers.ola, "5822")):
        membership = dbs.exec(select(CohortMembership).where(CohortMembership.user_id == user.id)).one()
        programme.move_to_group(writers.admin, session=dbs, membership_id=membership.id, group_id=group.id)
        accounts.update_profile(user, session=dbs, display_name=user.display_name, candidate_number=number,
                                language="nb", part=2)
        dbs.commit()
    return group


@pytest.fixture
def frode(dbs, writers) -> User:
    """Frode Faglærer, facilitating the writers' cohort."""
    return make_member(dbs, writers.admin, writers.cohort.id, "frode", role=Role.FACILITATOR, name="Frode Faglærer")


@pytest.fixture
def every_role_world(writers, dbs):
    """Pia with a note, an action and a reference of her own (so the note's choosers and the citation panel
    show), a facilitator of her cohort, and the administrator: every page of every role has something on it."""
    frode = make_member(dbs, writers.admin, writers.cohort.id, "frode", role=Role.FACILITATOR, name="Frode Faglærer")
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Et notat"})
    write(dbs, writers.pia, DocumentKind.ACTION, {"title": "Samtale med teamet"})
    literature.add_reference(writers.pia, session=dbs, kind="book", reading_list_of=None,
                             data={"authors": [{"family": "Bion", "given": "Wilfred R."}], "year": "1961",
                                   "title": "Experiences in groups", "publisher": "Tavistock"})
    dbs.commit()
    return {"participant": writers.pia, "facilitator": frode, "admin": writers.admin, "note": note}
