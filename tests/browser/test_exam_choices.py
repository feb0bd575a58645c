"""The exam page's choices in Chromium: a chosen draft (individual or group) stays chosen when clicked
again, and the group draft's material list stays open while the participant ticks one item after another."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ledpro_journal.i18n import t
from ledpro_journal.models import DocumentKind
from ledpro_journal.services import exam, journal, programme
from tests.browser.conftest import cohort_on_a_server, nav_link, seed, sign_in
from tests.helpers import make_member

pytestmark = pytest.mark.browser

GROUP_LEAD = "Gruppeutkastet for Gruppe 1"
ROW_HEIGHT = 35  # Streamlit's grid: a header row, then rows of 35 px


@pytest.fixture(scope="module")
def world(tmp_path_factory, chromium_path):
    world = cohort_on_a_server(tmp_path_factory, "exam_choices")

    def build(session):
        group = programme.create_group(world["admin"], session=session, cohort_id=world["cohort_id"], name="Gruppe 1")
        kari = make_member(session, world["admin"], world["cohort_id"], "kari", group_id=group.id)
        make_member(session, world["admin"], world["cohort_id"], "per", group_id=group.id)
        for title in ("Første notat", "Andre notat"):
            note = journal.create_document(kari, session=session, kind=DocumentKind.NOTE)
            journal.save_document(kari, session=session, document_id=note.id, base_version=0,
                                  fields={"title": title, "description": f"Tekst i {title.lower()}."})
        return kari

    world["kari"] = seed(world["url"], build)
    yield world
    world["server"].close()


def settled(page) -> None:
    page.wait_for_function("document.querySelector('[data-testid=stApp]')?.dataset.testScriptState === 'notRunning'")


def mode_button(page, name: str):
    return page.get_by_test_id("stButtonGroup").get_by_role("radio", name=name, exact=True)


def test_the_chosen_draft_stays_chosen_and_the_material_list_stays_open_while_ticking(world, new_context):
    kari = world["kari"]
    page = new_context().new_page()
    sign_in(page, world["server"].url, "kari", expect_home="Kari")
    nav_link(page, "Eksamensutkast").click()
    settled(page)
    expect(page.get_by_text(GROUP_LEAD)).to_have_count(0)

    # Individual is chosen; clicking it again keeps it chosen.
    mode_button(page, "Individuelt").click()
    settled(page)
    expect(mode_button(page, "Individuelt")).to_have_attribute("aria-checked", "true")

    mode_button(page, "Gruppe").click()
    expect(page.get_by_text(GROUP_LEAD)).to_be_visible()
    settled(page)
    mode_button(page, "Gruppe").click()
    settled(page)
    expect(page.get_by_text(GROUP_LEAD)).to_be_visible()
    expect(mode_button(page, "Gruppe")).to_have_attribute("aria-checked", "true")
    expect(mode_button(page, "Individuelt")).to_have_attribute("aria-checked", "false")

    page.get_by_role("button", name=t("exam.join", "nb")).click()
    material = page.get_by_test_id("stExpander").filter(has_text=t("exam.material", "nb"))
    grid = material.get_by_test_id("stDataFrame")
    expect(grid).to_be_visible()  # nothing chosen yet: the list opens by itself
    settled(page)
    page.wait_for_timeout(1000)  # the expander opens with an animation; the grid takes clicks after it

    def tick(row: int) -> None:
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 25, box["y"] + ROW_HEIGHT * row + ROW_HEIGHT / 2)
        page.wait_for_timeout(300)
        page.keyboard.press(" ")
        page.wait_for_timeout(300)
        settled(page)

    tick(1)
    expect(page.get_by_text(t("exam.choices_saved", "nb"))).to_be_visible()
    expect(grid).to_be_visible()  # still open for the next tick
    page.wait_for_timeout(1000)  # the grid is drawn afresh from what was saved
    tick(2)
    expect(grid).to_be_visible()
    expect(page.get_by_text(GROUP_LEAD)).to_be_visible()

    def chosen(session):
        draft = exam.open_draft(kari, session=session, mode=exam.GROUP)
        return [item.title for item in exam.my_material(kari, session=session, draft_id=draft.id) if item.on]

    assert sorted(seed(world["url"], chosen)) == ["Andre notat", "Første notat"]
