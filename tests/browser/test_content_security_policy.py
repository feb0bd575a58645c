"""Security headers on Streamlit's own pages too (issue 10, OWASP ASVS 14.4): every response of a real
server carries a Content-Security-Policy, frame-ancestors, Referrer-Policy and X-Content-Type-Options, and
the policy breaks nothing: going through the pages where a participant writes, shares, draws charts and
downloads, Chromium reports no violation of it."""

from __future__ import annotations

import urllib.request

import pytest

from ledpro_journal.models import DocumentKind
from ledpro_journal.services import journal
from tests.browser.conftest import cohort_on_a_server, nav_link, seed, sign_in
from tests.helpers import make_member

pytestmark = pytest.mark.browser

COLLECT_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sourceFile || '')));
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "csp")

    def build(session):
        vera = make_member(session, world["admin"], world["cohort_id"], "vera", name="Vera")
        note = journal.create_document(vera, session=session, kind=DocumentKind.NOTE)
        journal.save_document(vera, session=session, document_id=note.id, base_version=0,
                              fields={"title": "Første notat", "description": "Det skjedde noe."})
        session.commit()
        return note.id

    world["note_id"] = seed(world["url"], build)
    yield world
    world["server"].close()


def settled(page) -> None:
    """Without wait_for_function: the policy under test forbids the string evaluation it uses."""
    from playwright.sync_api import expect

    expect(page.locator("[data-testid=stApp][data-test-script-state=notRunning]")).to_be_attached()


@pytest.mark.parametrize("path", ["/", "/_stcore/health", "/static/favicon.svg", "/auth/signin", "/notes"])
def test_every_response_carries_the_security_headers(world, path):
    base = world["server"].url.rstrip("/")
    request = urllib.request.Request(base + path, headers={"accept": "text/html"})
    opener = urllib.request.build_opener(type("NoRedirect", (urllib.request.HTTPRedirectHandler,), {
        "redirect_request": lambda *args, **kwargs: None}))
    try:
        response = opener.open(request)
    except urllib.error.HTTPError as answered:  # a redirect to sign in is an answer too
        response = answered
    headers = {name.lower(): value for name, value in response.headers.items()}
    policy = headers["content-security-policy"]
    assert "frame-ancestors" in policy
    assert "object-src 'none'" in policy or "default-src 'none'" in policy
    assert "connect-src 'self'" in policy or "default-src 'none'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


def test_a_participants_pages_run_under_the_policy_without_a_violation(world, new_context):
    context = new_context(bypass_csp=False)
    context.add_init_script(COLLECT_VIOLATIONS)
    console: list[str] = []
    page = context.new_page()
    page.on("console", lambda message: console.append(message.text))
    sign_in(page, world["server"].url, "vera", expect_home="Vera")
    settled(page)
    violations: list[str] = []
    for title in ("Min utfordring", "Aksjoner", "Notater", "Litteratur", "Eksamensutkast", "Min konto"):
        nav_link(page, title).click()
        settled(page)
        page.wait_for_timeout(300)
        violations += page.evaluate("window.__violations")
    # The editor runs its inline draft sender (st.html with JavaScript) and sends a draft to the API.
    page.goto(f"{world['server'].url.rstrip('/')}/write?id={world['note_id']}")
    settled(page)
    field = page.get_by_label("Beskrivelse: hva skjedde?")
    field.click()
    field.press("End")
    field.type(" Mer tekst.")
    with page.expect_response(lambda response: "/api/drafts/" in response.url) as sent:
        page.wait_for_timeout(1500)
    assert sent.value.status == 204
    violations += page.evaluate("window.__violations")

    assert violations == []
    assert not [line for line in console if "Content Security Policy" in line]
