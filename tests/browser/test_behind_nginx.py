"""Journey: the README's deployment, for real. Debian's nginx with docs/deploy/ledpro-journal.nginx.conf
(TLS, a cookie naming each browser's app server) in front of two app servers started as
docs/deploy/ledpro-journal.service starts them, on one PostgreSQL database.

Two browsers that nginx sent to different servers each sign in, write and save a note, refresh, and
download the exam draft as a Word file; nginx's access log shows every request of a browser (page,
websocket, download) on its own server. A server stopped under a signed-in browser: the browser goes
on on the other one, and stays there when the first is back. The sign-in throttle counts each client's
own address, not nginx's, whatever a client claims in X-Forwarded-For."""

from __future__ import annotations

import io
import itertools
import re
import time

import docx
import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from ledpro_journal.i18n import t
from ledpro_journal.models import LoginAttempt
from ledpro_journal.services import accounts, journal
from tests.browser.conftest import CHROMIUM_ARGS, UI_TIMEOUT, expect_sign_in_form, home_heading, nav_link, seed
from tests.browser.conftest import sign_in as sign_in_form
from tests.browser.deployment import NAME, SERVER_COOKIE, SERVER_NAMES, Nginx, UnitServer
from tests.conftest import drop_postgres_database, make_postgres_database
from tests.helpers import PASSWORD, make_admin, make_cohort, make_member

pytestmark = pytest.mark.browser

LOCKOUT_AFTER = 3  # failed sign-ins from one address before that address is refused (a small number, for the test)
MAX_CONTEXTS = 12  # fresh browsers until nginx has sent one to each (round robin: mostly the second)
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, chromium_path, postgres_admin_engine):
    directory = tmp_path_factory.mktemp("behind_nginx")
    url = make_postgres_database(postgres_admin_engine)
    started: list = []
    try:
        admin, cohort_id = seed(url, lambda session: (admin := make_admin(session), make_cohort(session, admin).id))
        extra = {"LEDPRO_LOGIN_IP_LOCKOUT_AFTER": str(LOCKOUT_AFTER), "LEDPRO_LOGIN_SLOWDOWN_AFTER": "100"}
        servers = []
        for name in ("server-a", "server-b"):
            servers.append(UnitServer(url, directory, name, extra).start())
            started.append(servers[-1])
        nginx = Nginx(directory, servers).start()
        started.append(nginx)
        yield {"url": url, "admin": admin, "cohort_id": cohort_id, "servers": servers, "nginx": nginx}
    finally:
        for thing in reversed(started):
            thing.close()
        drop_postgres_database(postgres_admin_engine, url)


@pytest.fixture(scope="module")
def proxied_browser(browser, chromium_path):
    """Chromium that finds NAME at 127.0.0.1, as a real browser finds the real name in DNS (a second
    browser of the session's Playwright: one Playwright per process)."""
    own = browser.browser_type.launch(
        executable_path=chromium_path,
        args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {NAME} 127.0.0.1"],
    )
    yield own
    own.close()


@pytest.fixture
def open_browser(proxied_browser):
    """Fresh browser contexts; each has its own user agent, which tells its requests apart in nginx's log."""
    contexts = []

    def open_context():
        context = proxied_browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="nb-NO", ignore_https_errors=True,
            accept_downloads=True,  # under the app's Content-Security-Policy: the websocket is 'self' over wss
            user_agent=f"Mozilla/5.0 (X11; Linux x86_64) Chrome ledpro-test-{next(_numbers)}",
        )
        context.set_default_timeout(UI_TIMEOUT)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


def participant(deployment, *, candidate_number: str):
    n = next(_numbers)

    def build(session):
        user = make_member(session, deployment["admin"], deployment["cohort_id"], f"deltaker{n}",
                           name=f"Dina Deltaker {n}")
        accounts.update_profile(user, session=session, display_name=user.display_name,
                                candidate_number=candidate_number, language="nb", part=2)
        challenge = journal.my_challenge(user, session=session)
        journal.save_document(user, session=session, document_id=challenge.id, base_version=challenge.version,
                              fields={"title": "Møtekultur", "problem_statement": "Hvordan endre møtene?"})
        return user

    return seed(deployment["url"], build)


def upstream(server) -> str:
    return f"127.0.0.1:{server.port}"


def named_server(deployment, context):
    """The app server the browser's ledpro_server cookie names."""
    value = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == SERVER_COOKIE)
    return deployment["servers"][SERVER_NAMES.index(value)]


def agent_of(page) -> str:
    return page.evaluate("navigator.userAgent")


def browsers_on_each_server(deployment, open_browser) -> dict[str, tuple]:
    """Fresh browsers (no cookie at all) open the app until nginx has sent one to each server: a first
    page load without any cookie works, and leaves the cookie naming the server that answered it."""
    nginx, found = deployment["nginx"], {}
    for _ in range(MAX_CONTEXTS):
        context = open_browser()
        page = context.new_page()
        page.goto(f"{nginx.url}/")
        expect_sign_in_form(page)
        server = named_server(deployment, context)
        assert {e["upstream"] for e in nginx.requests_of(agent_of(page))} == {upstream(server)}
        if server.name in found:
            context.close()
            continue
        found[server.name] = (server, context, page)
        if len(found) == len(deployment["servers"]):
            return found
    raise AssertionError(f"{MAX_CONTEXTS} browsers all went to {set(found)}")


def write_a_note(page, title: str, text: str) -> None:
    nav_link(page, "Notater").click()
    page.get_by_role("button", name="Nytt notat").click()
    expect(page.get_by_role("heading", name="Refleksjonsnotat", exact=True)).to_be_visible()
    page.get_by_label("Tittel", exact=True).fill(title)
    page.get_by_label("Fritekst", exact=True).fill(text)
    page.get_by_role("button", name="Lagre", exact=True).click()
    expect(page.get_by_text("Lagret som versjon 1.")).to_be_visible()


def download_the_exam_draft(page, tmp_path, candidate_number: str) -> list[str]:
    """Eksamensutkast, Lag Word-fil, Last ned: the paragraphs of the Word file the browser saved."""
    if not page.get_by_role("heading", name="Eksamensutkast", exact=True).is_visible():
        nav_link(page, "Eksamensutkast").click()
    expect(page.get_by_role("heading", name="Eksamensutkast", exact=True)).to_be_visible()
    page.get_by_role("button", name=t("exam.make", "nb")).click()
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text(t("exam.ready", "nb"))).to_be_visible()
    button = main.get_by_role("button", name="Last ned LEDPRO-")
    expect(button).to_contain_text(candidate_number)
    with page.expect_download() as waiting:
        button.click()
    download = waiting.value
    assert download.failure() is None, download.failure()
    assert download.suggested_filename.endswith(".docx"), download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    return [paragraph.text for paragraph in docx.Document(io.BytesIO(saved.read_bytes())).paragraphs]


def wait_for_logged(nginx: Nginx, agent: str, prefix: str) -> None:
    """nginx writes a request's line when it ends; a websocket's when its tab is closed."""
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if any(entry["path"].startswith(prefix) for entry in nginx.requests_of(agent)):
            return
        time.sleep(0.1)
    raise AssertionError(f"no {prefix} request of {agent} in nginx's log")


def test_two_browsers_on_two_servers_sign_in_write_refresh_and_download(deployment, open_browser, tmp_path):
    nginx = deployment["nginx"]
    on_server = browsers_on_each_server(deployment, open_browser)
    agents = {}
    for n, (server, context, page) in enumerate(on_server.values(), start=1):
        number = f"70{n}"
        user = participant(deployment, candidate_number=number)
        text = f"Skrevet gjennom nginx, nettleser {n}: æøå."
        sign_in_form(page, nginx.url, user.username, expect_home=user.display_name)
        session_cookie = next(c for c in context.cookies() if c["name"] == "ledpro_session")
        assert session_cookie["secure"] and session_cookie["httpOnly"], session_cookie
        write_a_note(page, f"Notat {n}", text)

        page.reload()
        expect(page.get_by_label("Fritekst", exact=True)).to_have_value(text)  # still signed in, text there

        paragraphs = download_the_exam_draft(page, tmp_path, number)
        assert text in paragraphs and f"Notat {n}" in paragraphs
        assert number in "\n".join(paragraphs)
        agents[agent_of(page)] = server
        page.close()  # ends the websocket, so that nginx logs it
    for agent in agents:
        wait_for_logged(nginx, agent, "/_stcore/stream")

    assert len(set(agents.values())) == 2  # spread over both servers
    for agent, server in agents.items():
        requests = nginx.requests_of(agent)
        paths = [entry["path"] for entry in requests]
        assert {entry["upstream"] for entry in requests} == {upstream(server)}, paths  # a browser: one server
        for prefix in ("/auth/signin", "/_stcore/stream", "/media/", "/api/drafts/"):
            assert any(path.startswith(prefix) for path in paths), (prefix, paths)


def test_a_stopped_server_moves_its_browsers_to_the_other_for_good(deployment, open_browser, tmp_path):
    nginx = deployment["nginx"]
    pinned, context, page = next(iter(browsers_on_each_server(deployment, open_browser).values()))
    other = next(server for server in deployment["servers"] if server is not pinned)
    agent = agent_of(page)
    user = participant(deployment, candidate_number="799")
    sign_in_form(page, nginx.url, user.username, expect_home=user.display_name)
    text = "Lagret før serveren stoppet."
    write_a_note(page, "Før stopp", text)

    pinned.stop()
    try:
        # Without a refresh: Streamlit's page reconnects its websocket, nginx sends it to the other server,
        # which knows the sign-in (the session is in the database). No new sign-in; what was saved is there.
        nav_link(page, "Hjem").click()
        expect(home_heading(page, user.display_name)).to_be_visible()
        assert text in download_the_exam_draft(page, tmp_path, "799")
        assert named_server(deployment, context) is other
        page.reload()  # and a refresh: still signed in, on the same page
        expect(page.get_by_role("heading", name="Eksamensutkast", exact=True)).to_be_visible()

        # The stopped server comes back: the browser stays where its tab's websocket now is.
        pinned.start()
        assert text in download_the_exam_draft(page, tmp_path, "799")
        downloads = [entry for entry in nginx.requests_of(agent) if entry["path"].startswith("/media/")]
        assert downloads and all(entry["upstream"] == upstream(other) for entry in downloads), downloads
    finally:
        if pinned.process.poll() is not None:
            pinned.start()


# --- HTTP through nginx: addresses, names, limits ------------------------------------------------------------------


def client(nginx: Nginx, source: str) -> httpx.Client:
    """An HTTP client connecting from `source` (any 127.x address is this machine) to nginx, by its name."""
    return httpx.Client(
        base_url=f"https://127.0.0.1:{nginx.https_port}",
        headers={"Host": f"{NAME}:{nginx.https_port}"},
        transport=httpx.HTTPTransport(local_address=source, verify=False),
        verify=False,
        follow_redirects=False,
    )


def get(http: httpx.Client, path: str, **kwargs) -> httpx.Response:
    return http.get(path, extensions={"sni_hostname": NAME}, **kwargs)


def post_sign_in(http: httpx.Client, username: str, password: str, *, claimed_address: str | None = None):
    form = get(http, "/auth/signin")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    headers = {"Cookie": f"ledpro_csrf={csrf}"}
    if claimed_address:
        headers["X-Forwarded-For"] = claimed_address
    return http.post("/auth/signin", data={"csrf": csrf, "username": username, "password": password, "next": "/"},
                     headers=headers, extensions={"sni_hostname": NAME})


def test_the_sign_in_throttle_counts_each_clients_own_address(deployment):
    nginx = deployment["nginx"]
    user = participant(deployment, candidate_number="")
    with client(nginx, "127.0.0.2") as guesser, client(nginx, "127.0.0.3") as neighbour:
        # The guesser claims to be someone else, and another address each time: nginx says who it is.
        for n in range(LOCKOUT_AFTER):
            answer = post_sign_in(guesser, f"gjett{n}", "feil passord her", claimed_address=f"198.51.100.{n}")
            assert answer.status_code == 401, answer.text
        refused = post_sign_in(guesser, user.username, PASSWORD, claimed_address="198.51.100.99")
        assert refused.status_code == 429, refused.text
        # Another client of the same proxy is not refused for what the guesser did.
        signed_in = post_sign_in(neighbour, user.username, PASSWORD)
        assert signed_in.status_code == 303, signed_in.text
        assert "ledpro_session=" in signed_in.headers.get("set-cookie", "")

    def addresses(session):
        rows = session.exec(select(LoginAttempt.address, LoginAttempt.username)).all()
        return {username: address for address, username in rows}

    recorded = seed(deployment["url"], addresses)
    assert {recorded[f"gjett{n}"] for n in range(LOCKOUT_AFTER)} == {"127.0.0.2"}
    assert recorded[user.username] == "127.0.0.3"


def test_nginx_answers_only_for_its_own_name_and_keeps_its_version_to_itself(deployment):
    nginx = deployment["nginx"]
    with client(nginx, "127.0.0.1") as http:
        first = get(http, "/auth/signin")
        assert first.status_code == 200
        assert first.headers["server"] == "nginx"  # no version
        cookie = next(c for c in first.headers.get_list("set-cookie") if c.startswith(f"{SERVER_COOKIE}="))
        for attribute in ("Path=/", "Secure", "HttpOnly", "SameSite=Lax"):
            assert attribute in cookie, cookie
        named = cookie.split(";")[0].split("=", 1)[1]
        assert "max-age" in first.headers["strict-transport-security"]
        http.cookies.clear()
        http.headers["User-Agent"] = "ledpro-test-cookie"
        for _ in range(4):  # round robin would alternate; the cookie keeps every request on its server
            again = get(http, "/auth/signin", headers={"Cookie": f"{SERVER_COOKIE}={named}"})
            assert again.status_code == 200
            assert SERVER_COOKIE not in ", ".join(again.headers.get_list("set-cookie"))  # set once, then kept
        server = deployment["servers"][SERVER_NAMES.index(named)]
        assert {entry["upstream"] for entry in nginx.requests_of("ledpro-test-cookie")} == {upstream(server)}
        made_up = get(http, "/auth/signin", headers={"Cookie": f"{SERVER_COOKIE}=../evil"})
        assert re.search(rf"{SERVER_COOKIE}=[ab];", ", ".join(made_up.headers.get_list("set-cookie")))

        error = get(http, "/no-such-page/../../etc/passwd")
        assert "nginx/" not in error.text and "nginx/" not in error.headers.get("server", "")

        with pytest.raises(httpx.RemoteProtocolError):  # another name: nginx closes without a word
            get(http, "/auth/signin", headers={"Host": "evil.example"})
        with pytest.raises(httpx.ConnectError):  # another name in the TLS handshake: no handshake at all
            http.get("/auth/signin", extensions={"sni_hostname": "evil.example"})

        # Streamlit takes 10 MB uploads: a body that size reaches the app, a larger one stops at nginx.
        ten_megabytes = b"x" * (10 * 1024 * 1024 + 100_000)
        reached = http.put("/api/drafts/1", content=ten_megabytes, extensions={"sni_hostname": NAME})
        assert reached.status_code == 403  # the app's answer: no draft header
        too_large = http.put("/api/drafts/1", content=ten_megabytes * 2, extensions={"sni_hostname": NAME})
        assert too_large.status_code == 413 and "nginx" in too_large.text

    with httpx.Client(base_url=f"http://127.0.0.1:{nginx.http_port}", headers={"Host": "evil.example"}) as plain:
        answer = plain.get("/auth/signin?next=/notes")
        assert answer.status_code == 301
        assert answer.headers["location"] == f"https://{NAME}/auth/signin?next=/notes"  # our name, not theirs

