"""Min oversikt and Kulloversikt in Chromium, at a phone's width (375 px) and a desktop's: every chart is drawn
(plotly's SVG with its bars or marks), its sentence and its table are there, nothing is wider than the screen,
and no request leaves the app's own server (plotly fetches no fonts, maps or MathJax). A click on a bar lists
what it counts; printed, the pages leave out the app's controls and fit A4 (the PDF is kept in test-artifacts/)."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from ledpro_journal.i18n import t
from ledpro_journal.models import Audience, DocumentKind, DocumentRevision, Gathering, Role, Theme
from ledpro_journal.services import exam, journal, programme, sharing
from tests.browser.conftest import cohort_on_a_server, seed, sign_in
from tests.helpers import make_member

pytestmark = pytest.mark.browser

PHONE, DESKTOP = {"width": 375, "height": 800}, {"width": 1280, "height": 900}
SCREENSHOTS = Path("/tmp/ledpro_overview_screenshots")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
A4_PRINTABLE = 19 / 2.54 * 96  # 718.1 px at 96 dpi: 21 cm less 1 cm margins each side


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "overview_charts")

    def build(session):
        admin = world["admin"]
        cohort_id = world["cohort_id"]
        group = programme.create_group(admin, session=session, cohort_id=cohort_id, name="Gruppe Nord")
        session.commit()
        pernille = make_member(session, admin, cohort_id, "pernille", name="Pernille Plan", group_id=group.id)
        make_member(session, admin, cohort_id, "petter", name="Petter Peer", group_id=group.id)
        make_member(session, admin, cohort_id, "frank", role=Role.FACILITATOR, name="Frank Fag")
        gatherings = session.exec(select(Gathering).where(Gathering.cohort_id == cohort_id)
                                  .order_by(Gathering.number)).all()
        # A year under way: four gatherings behind, two ahead (as in tests/bench/journal_pages.py).
        for gathering, offset in zip(gatherings, (-200, -150, -100, -50, 20, 70), strict=True):
            gathering.start_date = date.today() + timedelta(days=offset)
            gathering.end_date = gathering.start_date + timedelta(days=1)
            session.add(gathering)
        session.flush()
        themes = session.exec(select(Theme).where(Theme.cohort_id == cohort_id).order_by(Theme.position)).all()

        def write(kind, fields, begun=None, **options):
            create = {k: options.pop(k) for k in ("template", "parent_id", "gathering_id") if k in options}
            document = journal.create_document(pernille, session=session, kind=kind, **create)
            journal.save_document(pernille, session=session, document_id=document.id, base_version=0, fields=fields,
                                  template=create.get("template"), gathering_id=create.get("gathering_id"),
                                  **options)
            if begun is not None:  # written (begun and saved) over the year, not all today
                document.created_at = datetime.combine(begun, time(20), tzinfo=UTC)
                session.add(document)
                for revision in session.exec(select(DocumentRevision)
                                             .where(DocumentRevision.document_id == document.id)):
                    revision.saved_at = document.created_at
                    session.add(revision)
            return document

        write(DocumentKind.CHALLENGE, {"title": "Samarbeid på tvers", "description": "Ord " * 120},
              begun=gatherings[0].start_date - timedelta(days=20))
        for number, gathering in enumerate(gatherings[:4], start=1):
            action = write(DocumentKind.ACTION, {"title": f"Aksjon {number}", "purpose": "Prøve noe nytt " * 10},
                           gathering_id=gathering.id, happened_on=gathering.end_date + timedelta(days=10),
                           begun=gathering.end_date + timedelta(days=2))
            if number % 2:
                write(DocumentKind.LOG, {"title": f"Logg {number}", "planned_vs_done": "Det gikk " * 30},
                      parent_id=action.id, happened_on=gathering.end_date + timedelta(days=12),
                      begun=gathering.end_date + timedelta(days=12))
                note = write(DocumentKind.NOTE, {"title": f"Refleksjon {number}", "description": "Tanke " * 80},
                             template="D1", gathering_id=gathering.id, begun=gathering.end_date + timedelta(days=20),
                             links=journal.Links(action_ids=(action.id,), theme_ids=(themes[number % 4].id,)))
                if number == 1:
                    sharing.share_document(pernille, session=session, document_id=note.id,
                                           audience=Audience.GROUP)
        write(DocumentKind.NOTE, {"title": "Her og nå", "free_text": "Stemning " * 40}, template="E")
        draft = exam.open_draft(pernille, session=session)
        exam.update_settings(pernille, session=session, draft_id=draft.id, title="", problem_statement="",
                             include_prompts=True, word_limit=5000)

    seed(world["url"], build)
    yield world
    world["server"].close()


def settled(page) -> None:
    page.wait_for_function("document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'")


@pytest.mark.parametrize("size_name, size", [("phone", PHONE), ("desktop", DESKTOP)])
@pytest.mark.parametrize("username, name, address, title", [
    ("pernille", "Pernille Plan", "overview", t("nav.overview", "nb")),
    ("frank", "Frank Fag", "cohort_overview", t("nav.cohort_overview", "nb")),
])
def test_every_chart_is_drawn_with_its_table_at_phone_and_desktop_width(
        world, new_context, screenshot, size_name, size, username, name, address, title):
    own = urlsplit(world["server"].url).netloc
    requested: list[str] = []
    context = new_context()
    context.on("request", lambda request: requested.append(request.url))
    page = context.new_page()
    page.set_viewport_size(size)
    sign_in(page, world["server"].url, username, expect_home=name)
    page.goto(f"{world['server'].url}/{address}")
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    settled(page)
    charts = page.locator("[data-testid=stPlotlyChart]")
    expect(charts).to_have_count(4)
    for index in range(4):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        # Drawn: plotly's SVG holds the chart's bars or marks.
        expect(chart.locator(".main-svg").first).to_be_visible()
        drawn = chart.locator(".barlayer .point, .scatterlayer .point, .scatterlayer .js-line")
        assert drawn.count() > 0, f"chart {index} has nothing drawn"
        box = chart.bounding_box()
        assert box["width"] <= size["width"], (index, box)
    tables = page.locator("[data-testid=stMarkdownContainer] table")
    assert tables.count() >= 4
    # A table wider than the screen scrolls in its own box: none is cut off at the screen's edge.
    cut_off = page.evaluate("""() => [...document.querySelectorAll('[data-testid=stMarkdownContainer] table')]
        .filter(t => t.scrollWidth > t.parentElement.clientWidth
                     && !['auto', 'scroll'].includes(getComputedStyle(t.parentElement).overflowX)).length""")
    assert cut_off == 0
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
    # The whole page in one picture: Streamlit scrolls inside its own frame, so the window is made tall.
    page.set_viewport_size({"width": size["width"], "height": 5200})
    page.get_by_role("heading", name=title, exact=True).scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    shot = screenshot(page, f"{address}_{size_name}")
    SCREENSHOTS.mkdir(exist_ok=True)
    shutil.copy(shot, SCREENSHOTS / shot.name)
    elsewhere = [url for url in requested
                 if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).netloc != own]
    assert not elsewhere, elsewhere


def test_a_click_on_a_bar_lists_the_documents_it_counts(world, new_context):
    """Is my cycle closed: one click on the bar of logged actions after gathering 1 lists that action, as a link
    to it, and picks the bar in the chooser beside the chart (the same list by keyboard)."""
    page = new_context().new_page()
    sign_in(page, world["server"].url, "pernille", expect_home="Pernille Plan")
    page.goto(f"{world['server'].url}/overview")
    settled(page)
    cycle = page.locator("[data-testid=stPlotlyChart]").nth(1)
    cycle.scroll_into_view_if_needed()
    expect(page.get_by_role("link", name=re.compile(r"^Aksjon \d"))).to_have_count(0)
    # Trace 0 (actions with a log entry) of the upper plot; point 1: the period after gathering 1.
    bar = cycle.locator(".barlayer .trace.bars").nth(0).locator(".point path").nth(1)
    box = bar.bounding_box()
    assert box and box["height"] > 0, box
    # A real click where the bar is drawn (plotly's drag layer lies over the bars and finds the bar under it).
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    link = page.get_by_role("link", name=re.compile(r"^Aksjon 1\b"))
    expect(link).to_be_visible()
    settled(page)
    expect(page.get_by_role("link", name=re.compile(r"^Aksjon \d"))).to_have_count(1)
    assert "id=" in (link.get_attribute("href") or ""), link.get_attribute("href")
    chosen = t("overview.pick_option", "nb", period=t("journal.period.between", "nb", after=1, before=2),
               part=t("overview.cycle.part.actions_logged", "nb"), count="1")
    choosers = page.get_by_test_id("stSelectbox").evaluate_all(
        "els => els.map(e => [e.textContent, ...[...e.querySelectorAll('input')].map(i => i.value)].join(' '))")
    assert any(chosen in text for text in choosers), choosers
    # The link leads to the action.
    link.click()
    expect(page.get_by_role("textbox", name="Tittel")).to_have_value("Aksjon 1")


@pytest.mark.parametrize("username, name, address", [
    ("pernille", "Pernille Plan", "overview"),
    ("frank", "Frank Fag", "cohort_overview"),
])
def test_printed_the_page_leaves_out_the_controls_and_fits_a4(world, new_context, username, name, address):
    """As print media: no sidebar, header, toolbar, chooser (nor its "click a bar" hint) or button, while the
    page's lead stays; every chart and table within an A4 page's printable width; and Chromium makes a PDF of
    it (kept in test-artifacts/ to look at)."""
    page = new_context().new_page()
    sign_in(page, world["server"].url, username, expect_home=name)
    page.goto(f"{world['server'].url}/{address}")
    settled(page)
    charts = page.locator("[data-testid=stPlotlyChart]")
    expect(charts).to_have_count(4)
    assert charts.first.bounding_box()["width"] > A4_PRINTABLE  # on the desktop's screen, wider than paper
    page.emulate_media(media="print")
    for hidden in ("stSidebar", "stHeader", "stToolbar", "stSelectbox", "stButton"):
        for element in page.get_by_test_id(hidden).all():
            expect(element).to_be_hidden()
    hints = page.get_by_text(t("overview.nothing_picked", "nb"), exact=True)
    assert hints.count() >= 2
    for hint in hints.all():
        expect(hint).to_be_hidden()
    expect(page.get_by_text(t(f"{address}.lead", "nb"), exact=True)).to_be_visible()
    # The charts draw themselves again at the printed width.
    page.wait_for_function(f"""() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')].every(c =>
        c.getBoundingClientRect().width <= {A4_PRINTABLE}
        && [...c.querySelectorAll('svg.main-svg')].every(s => s.getBoundingClientRect().width <= {A4_PRINTABLE}))""")
    widest = page.evaluate("""() => Math.max(...[...document.querySelectorAll(
        '[data-testid=stPlotlyChart] svg.main-svg, [data-testid=stMarkdownContainer] table')]
        .map(e => e.getBoundingClientRect().width))""")
    assert 0 < widest <= A4_PRINTABLE, widest
    for index in range(4):
        drawn = charts.nth(index).locator(".barlayer .point, .scatterlayer .point, .scatterlayer .js-line")
        assert drawn.count() > 0, f"chart {index} has nothing drawn when printed"
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / f"{address}_print.pdf"
    data = page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 2
