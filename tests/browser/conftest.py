"""Browser journeys: Debian's Chromium (Playwright, sync API) against real `streamlit run app.py` servers.

Every server is a separate process on its own free port and its own database; its log goes to a file
that is printed when a test fails. Data is seeded straight into the same database through the services
(SQLite WAL and PostgreSQL both allow a second writer), so only the journey itself goes through the UI.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session

from ledpro_journal import db
from ledpro_journal.config import SESSION_COOKIE
from tests.conftest import drop_postgres_database, make_postgres_database
from tests.helpers import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() == "true"
START_TIMEOUT = 60.0
UI_TIMEOUT = 20_000  # ms: Streamlit renders over a websocket, after the page itself has loaded



def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class AppServer:
    """One `streamlit run app.py` process; stop() and start() again keep the port and the database."""

    live: list[AppServer] = []  # started and not yet closed: their logs are printed when a test fails

    def __init__(
        self, database_url: str, log_dir: Path, name: str = "server", env: dict[str, str] | None = None
    ) -> None:
        self.database_url = database_url
        self.name = name
        self.env = dict(env or {})  # extra settings (LEDPRO_*), on top of the test process's environment
        self.port = free_port()
        self.log_path = log_dir / f"{name}.log"
        self.process: subprocess.Popen | None = None
        self._log_file = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> AppServer:
        env = dict(os.environ)
        env.update(
            LEDPRO_DATABASE_URL=self.database_url,
            LEDPRO_LOG_LEVEL="INFO",
            STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
        )
        env.update(self.env)
        self._log_file = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self._log_file.write(f"\n===== start on port {self.port} =====\n")
        self._log_file.flush()
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.port", str(self.port),
                "--server.address", "127.0.0.1",
                "--server.headless", "true",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() ends Streamlit and anything it started
        )
        if self not in AppServer.live:
            AppServer.live.append(self)
        self._wait_until_healthy()
        return self

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{self.name} not healthy after {START_TIMEOUT:.0f} s:\n{self.log_text()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
            except ProcessLookupError:
                pass
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        self.stop()
        if self in AppServer.live:
            AppServer.live.remove(self)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return "(no log)"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if IN_CI:
            pytest.fail(message + " (CI=true: the browser tests must run)")
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=UI_TIMEOUT)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser) -> Iterator[Callable]:
    """Opens fresh browser contexts (separate cookie jars) and closes them after the test.

    The app's Content-Security-Policy forbids evaluating strings as script, which is how Playwright's
    wait_for_function runs its predicate: contexts skip the policy unless asked (bypass_csp=False), and
    tests/browser/test_content_security_policy.py goes through the pages under it."""
    contexts = []

    def open_context(**options):
        options = {"viewport": {"width": 1280, "height": 900}, "locale": "nb-NO", "bypass_csp": True, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(UI_TIMEOUT)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot(tmp_path) -> Callable:
    """One picture of a journey's final state, kept with the test's temporary files."""

    def take(page, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def start_server(database_url: str, log_dir: Path, name: str) -> AppServer:
    return AppServer(database_url, log_dir, name).start()


@contextmanager
def database_of_kind(request, directory: Path) -> Iterator[str]:
    """The URL of a new, empty database of the kind a fixture is parametrised with ("sqlite": a file in
    `directory`; "postgresql": a database of its own on the test server, dropped afterwards)."""
    if request.param == "sqlite":
        yield sqlite_url(directory)
        return
    admin_engine = request.getfixturevalue("postgres_admin_engine")
    url = make_postgres_database(admin_engine)
    try:
        yield url
    finally:
        drop_postgres_database(admin_engine, url)


def seed(database_url: str, build: Callable[[Session], object]) -> object:
    """Runs `build` against the server's database in one session (migrating first if need be)."""
    engine = db.create_engine_for(database_url)
    try:
        db.migrate(engine)
        with Session(engine, expire_on_commit=False) as session:
            result = build(session)
            session.commit()
            return result
    finally:
        engine.dispose()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'ledpro.db'}"


# --- what a page looks like --------------------------------------------------------------------------


def sign_in(page, base_url: str, username: str, password: str = PASSWORD, *, expect_home: str | None = None):
    from playwright.sync_api import expect

    page.goto(f"{base_url}/auth/signin")
    page.locator("#username").fill(username)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Logg inn").click()
    if expect_home:
        expect(home_heading(page, expect_home)).to_be_visible()


def signed_in_client(base_url: str, username: str, *, timeout: float = 120) -> httpx.Client:
    """A browser's worth of HTTP: its own cookies, signed in through the sign-in form with its CSRF token.

    The client returned holds the session cookie but no open connection: a connection kept alive from
    the sign-in and left idle while other clients sign in can be closed by the server (uvicorn drops idle
    connections after 5 s) just as the next request goes out, which the client sees as a reset. Browsers
    retry such a request; httpx does not, so every client starts its work on a new connection."""
    with httpx.Client(base_url=base_url, timeout=timeout) as signing_in:
        form = signing_in.get("/auth/signin")
        csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        response = signing_in.post("/auth/signin", data={"csrf": csrf, "username": username, "password": PASSWORD})
        assert response.status_code == 303, response.text
        cookie = signing_in.cookies[SESSION_COOKIE]
    return httpx.Client(base_url=base_url, timeout=timeout, cookies={SESSION_COOKIE: cookie})


def home_heading(page, name: str):
    return page.get_by_role("heading", name=f"Hei, {name}")


def expect_sign_in_form(page) -> None:
    from playwright.sync_api import expect

    expect(page.locator("#username")).to_be_visible()
    expect(page.get_by_role("heading", name="Logg inn", exact=True)).to_be_visible()
    assert "/auth/signin" in page.url, page.url


# --- server logs on failure --------------------------------------------------------------------------


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and report.when in ("setup", "call"):
        for server in AppServer.live:
            report.sections.append((f"{server.name} log ({server.log_path})", server.log_text()[-20000:]))
    return report


def nav_link(page, name: str):
    """A link in the sidebar (pages also link to each other in their content, e.g. Min konto on Hjem)."""
    return page.get_by_test_id("stSidebar").get_by_role("link", name=name, exact=True)


def cohort_on_a_server(tmp_path_factory, name: str) -> dict:
    """A fresh database with an administrator and the LEDPRO 2024 cohort, and a server on it."""
    from tests.helpers import make_admin, make_cohort

    directory = tmp_path_factory.mktemp(name)
    url = sqlite_url(directory)

    def build(session):
        admin = make_admin(session)
        return admin, make_cohort(session, admin).id

    admin, cohort_id = seed(url, build)
    return {"server": start_server(url, directory, name), "url": url, "admin": admin, "cohort_id": cohort_id}
