"""Streamlit's own words in the user's language: every chooser and file field says what it says in bokmål
(no "Choose options", no "Select all"), a file field takes no more than its service does and says so, and
an address that names none of the viewer's pages gets a page of ours instead of Streamlit's English
"Page not found" dialog.

What Streamlit draws in the browser from these settings is checked in Chromium:
tests/browser/test_norwegian_throughout.py."""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterator

import pytest

from ledpro_journal.export.exam_docx import MAX_TEMPLATE_BYTES
from ledpro_journal.references import MAX_IMPORT_BYTES
from ledpro_journal.ui import navigation
from ledpro_journal.ui.widgets import upload_megabytes
from tests.app.builders import (
    ROOT,
    assert_signed_out,
    entry_app,
    every_screen,
    nb,
    page_links,
    run,
    titles,
)

SOURCES = [*ROOT.glob("pages/*.py"), *ROOT.glob("ledpro_journal/ui/*.py")]
CHOOSE_OPTIONS = {nb("widget.choose_options"), nb("widget.no_options")}
# Selectboxes whose placeholder is still Streamlit's "Choose an option" (seen when the field is emptied to
# search), in code that other changes are rewriting: add placeholder=tr("widget.choose_option") there and
# take the line out of this list.


# --- in the code: every call, whether or not a test's data draws it -------------------------------------------


def widget_calls(name: str) -> Iterator[tuple[str, str, ast.Call]]:
    """(file, enclosing function, call) of every `<something>.<name>(...)` in the pages and ui/."""
    for source in SOURCES:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        functions = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef)]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == name:
                around = [f.name for f in functions if f.lineno <= node.lineno <= f.end_lineno]
                yield str(source.relative_to(ROOT)), (around[-1] if around else "<module>"), node


def keywords(call: ast.Call) -> dict[str, ast.expr]:
    return {k.arg: k.value for k in call.keywords}


def test_every_multiselect_has_our_placeholder_and_no_select_all():
    calls = list(widget_calls("multiselect"))
    assert len(calls) >= 3
    for source, function, call in calls:
        given = keywords(call)
        assert "placeholder" in given, f"{source}:{call.lineno} ({function}) shows Streamlit's 'Choose options'"
        select_all = given.get("select_all")
        assert isinstance(select_all, ast.Constant) and select_all.value is False, (
            f"{source}:{call.lineno} ({function}) shows Streamlit's 'Select all'"
        )


def test_every_selectbox_has_our_placeholder():
    calls = list(widget_calls("selectbox"))
    assert len(calls) >= 15
    missing = {(source, function) for source, function, call in calls if "placeholder" not in keywords(call)}
    assert not missing, sorted(missing)


def test_file_fields_are_made_only_through_file_field():
    """ui.widgets.file_field: the service's limit, our words on the button, and the limit said under it."""
    assert [(source, function) for source, function, _ in widget_calls("file_uploader")] == [
        ("ledpro_journal/ui/widgets.py", "file_field")
    ]


def test_the_server_takes_no_file_larger_than_the_largest_a_field_takes():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["maxUploadSize"] == upload_megabytes(max(MAX_IMPORT_BYTES, MAX_TEMPLATE_BYTES))


def test_the_refusals_state_the_same_limits_as_the_fields():
    assert f"{upload_megabytes(MAX_IMPORT_BYTES)} MB" in nb("literature.import.too_large")
    assert f"{upload_megabytes(MAX_TEMPLATE_BYTES)} MB" in nb("exam.template.too_large")


# --- on the screens: every page of every role --------------------------------------------------------------


def test_every_chooser_and_file_field_on_every_screen_speaks_bokmaal(browser, every_role_world):
    multiselects, uploaders = [], []
    for role, page, at in every_screen(browser, every_role_world):
        for chooser in at.multiselect:
            multiselects.append((role, page, chooser.label))
            assert chooser.proto.placeholder in CHOOSE_OPTIONS, (role, page, chooser.label)
            assert chooser.proto.select_all == 0, (role, page, chooser.label)  # never "Select all"
        for field in at.get("file_uploader"):
            uploaders.append((role, page, field.label))
            limit, types = (
                (MAX_TEMPLATE_BYTES, ".docx, .dotx") if page == "pages/admin_cohorts.py"
                else (MAX_IMPORT_BYTES, ".ris, .bib, .txt")
            )
            # Refused in the browser above the service's limit, and the limit said under the field.
            assert field.proto.max_upload_size_mb == upload_megabytes(limit), (role, page, field.label)
            said = nb("upload.limits", size=upload_megabytes(limit), types=types)
            assert said in [c.value for c in at.caption], (role, page, field.label)
    # The note's themes and actions, the citation panel; the import for participant and facilitator, the
    # institution's template for the administrator.
    assert [(role, page) for role, page, _ in multiselects] == [("participant", "pages/write.py")] * 3 + [
        ("admin", "pages/admin_audit.py")]  # the event log's kinds
    assert [(role, page) for role, page, _ in uploaders] == [
        ("participant", "pages/literature.py"), ("facilitator", "pages/literature.py"),
        ("admin", "pages/admin_cohorts.py"),
    ]


# --- addresses that name none of the viewer's pages --------------------------------------------------------


@pytest.fixture
def address(monkeypatch):
    """The page name in the browser's address, as a real browser would send it (AppTest sends none)."""
    asked = {"name": None}
    monkeypatch.setattr(navigation, "requested_address", lambda: asked["name"])
    return asked


def stand_ins(at, name: str) -> dict[str, dict]:
    # AppTest has no public view of st.navigation's pages (see builders.registered_pages).
    return {h: info for h, info in at._registered_pages.items() if info.get("url_pathname") == name}


def open_stand_in(at, name: str):
    [page_hash] = stand_ins(at, name)
    # AppTest's switch_page() finds pages by file, and a stand-in is no file; this is the id it would set.
    at._page_hash = page_hash
    return run(at)


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_a_participants_address_says_no_access_in_bokmaal(browser, every_role_world, address, role):
    address["name"] = "notes"
    browser.sign_in(every_role_world[role])
    at = run(entry_app())
    [info] = stand_ins(at, "notes").values()
    assert info["script_path"] == ""  # our page, not pages/notes.py: the participant's page never runs for them
    at = open_stand_in(at, "notes")
    assert titles(at) == [nb("error.no_access_title")]
    assert [w.value for w in at.warning] == [nb("error.not_allowed")]
    assert [label for label, _ in page_links(at)] == [nb("nav.home")]
    assert not at.text_input and not at.selectbox and not at.button


def test_an_address_of_no_page_at_all_says_so_in_bokmaal(browser, every_role_world, address):
    address["name"] = "nonsense"
    browser.sign_in(every_role_world["participant"])
    at = open_stand_in(run(entry_app()), "nonsense")
    assert titles(at) == [nb("error.page_not_found_title")]
    assert [i.value for i in at.info] == [nb("error.page_not_found")]
    assert [label for label, _ in page_links(at)] == [nb("nav.home")]


@pytest.mark.parametrize("name", ["", "notes", "home", "a/b"])
def test_the_viewers_own_pages_the_root_and_impossible_names_get_no_stand_in(browser, every_role_world, address, name):
    """The root and Pia's own pages are hers (home is the default page's own name, served at the root);
    a name with "/" can be no page's."""
    address["name"] = name
    browser.sign_in(every_role_world["participant"])
    at = run(entry_app())
    assert not [info for info in at._registered_pages.values() if not info.get("script_path")]


def test_signed_out_at_any_address_sees_the_signed_out_message(address):
    address["name"] = "notes"
    at = run(entry_app())
    assert_signed_out(at)
    assert_signed_out(open_stand_in(at, "notes"))
