"""Hostile text through every file the app makes from it: the archive pages, CSV and workbook of Last ned
alt mitt, the calendar file and the reminder e-mails. No markup, link or image from user text becomes one,
no formula, no calendar property and no mail header is injected, and every text is there as written."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date
from email import message_from_bytes, policy
from html.parser import HTMLParser

import pytest
from docx2python import docx2python
from icalendar import Calendar
from openpyxl import load_workbook

from ledpro_journal.export.exam_docx import word_safe
from ledpro_journal.i18n import t
from ledpro_journal.models import DocumentKind
from ledpro_journal.services import calendar, data_export, exam, journal, reminders
from tests.export.readback import normalise
from tests.helpers import make_admin, make_cohort, make_member
from tests.hostile_text import HOSTILE

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LONG = {name for name, text in HOSTILE.items() if len(text) > 10_000}


def _no_surrogates(text: str) -> str:
    return "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)


@pytest.fixture
def writer(session):
    admin = make_admin(session)
    cohort = make_cohort(session, admin)
    kari = make_member(session, admin, cohort.id, "kari")
    for number, text in enumerate(HOSTILE.values()):
        for kind in (DocumentKind.ACTION, DocumentKind.NOTE):
            document = journal.create_document(kari, session=session, kind=kind)
            options = {"happened_on": date(2026, 3, 1 + number % 28)} if kind == DocumentKind.ACTION else {}
            journal.save_document(kari, session=session, document_id=document.id, base_version=0,
                                  fields={"title": text, "description": text}, **options)
    session.commit()
    return kari


class _Page(HTMLParser):
    """What a browser would build from a page: its elements, their attributes, and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _export(session, writer) -> dict[str, bytes]:
    content = data_export.build_export(writer, session=session, lang="nb").content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_archive_pages_show_hostile_text_as_text(session, writer):
    files = _export(session, writer)
    pages = {name: body for name, body in files.items() if name.endswith(".html")}
    assert pages
    all_text = []
    for name, body in pages.items():
        page = _Page()
        page.feed(body.decode("utf-8"))
        tags = {tag for tag, _ in page.tags}
        assert not tags & {"script", "img", "iframe", "svg", "object", "embed", "video", "audio", "link"}, name
        assert [tag for tag, _ in page.tags].count("style") == 1, name  # the page's own, in its head
        for tag, attrs in page.tags:
            assert not any(key.startswith("on") for key in attrs), (name, tag, attrs)
            for key in ("href", "src", "action"):
                value = (attrs.get(key) or "").strip().lower()
                assert not value.startswith(("javascript:", "http:", "https:", "//", "data:")), (name, attrs)
        all_text.append("".join(page.text))
    shown = "\n".join(all_text)
    for name, text in HOSTILE.items():
        for line in _no_surrogates(text).splitlines():
            assert line.strip() in shown, name


def test_the_tables_keep_text_as_text_never_a_formula(session, writer):
    files = _export(session, writer)
    csv.field_size_limit(1_000_000)  # a 200,000-character note is one cell
    csv_cells = []
    for name, body in files.items():
        if name.endswith(".csv"):
            csv_cells += [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]
    book = load_workbook(io.BytesIO(next(b for n, b in files.items() if n.endswith(".xlsx"))))
    xlsx_cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    # No spreadsheet reads a cell of ours as a formula.
    assert not [cell.value for cell in xlsx_cells if cell.data_type == "f"]
    assert not [cell for cell in csv_cells if cell.startswith(FORMULA_STARTS)]
    workbook_texts = {cell.value for cell in xlsx_cells if isinstance(cell.value, str)}
    for name, text in HOSTILE.items():
        if name in LONG:
            continue
        if text.startswith(FORMULA_STARTS):
            # A leading apostrophe is what spreadsheets show as "this is text"; the rest is as written.
            assert "'" + text in csv_cells, name
        elif text.strip():
            assert _no_surrogates(text) in csv_cells, name
        if not any(ch < " " and ch not in "\t\n\r" for ch in text) and "\ufffe" not in text and text.strip():
            assert _no_surrogates(text) in workbook_texts, name


def test_the_calendar_file_has_each_title_once_and_no_injected_property(session, writer):
    parsed = Calendar.from_ical(calendar.build_calendar(writer, session=session, app_url="https://ledpro.example"))
    events = [e for e in parsed.walk("VEVENT") if str(e["UID"]).startswith("action-")]
    actions = journal.list_actions(writer, session=session)
    assert len(events) == len(actions) == len(HOSTILE)
    by_uid = {str(e["UID"]).split("@")[0]: e for e in events}
    for action in actions:
        event = by_uid[f"action-{action.id}"]
        status = t("journal.status.planned", "nb")
        assert str(event["SUMMARY"]) == t("calendar.action_summary", "nb", title=action.title or
                                          t("journal.untitled", "nb"), status=status)
        assert "ATTENDEE" not in event and str(event.get("URL", "")).startswith("https://ledpro.example/")
    assert not any("ATTENDEE" in component for component in parsed.walk())


def test_reminder_mails_carry_titles_in_the_body_never_in_a_header(session, writer):
    titles = [row.title for row in journal.list_actions(writer, session=session)]
    titles += [_no_surrogates(text) for text in HOSTILE.values() if len(text) < 10_000]  # the worst case
    reminder = reminders.Reminder(
        claim_id=1, key=reminders.weekly_key(date(2026, 3, 2)), username="kari",
        name="Kari <b>Nordmann</b>\r\nBcc: offer@evil.example", email="kari@example.no", lang="nb",
        user_id=writer.id, show_titles=True, without_log=titles)
    message = reminders.compose(reminder, today=date(2026, 3, 2), sender="ledpro@example.no",
                                public_url="https://ledpro.example", token="t")
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert {key.lower() for key in parsed} == {
        "subject", "from", "to", "date", "message-id", "auto-submitted", "list-unsubscribe",
        "list-unsubscribe-post", "content-type", "content-transfer-encoding", "mime-version", "content-language"}
    assert parsed["To"] == "kari@example.no" and "Bcc" not in parsed
    body = parsed.get_content()
    for title in titles:
        for line in title.splitlines():
            assert line.strip() in body


def test_the_exam_document_holds_every_text_and_links_to_nothing(session, writer):
    draft = exam.open_draft(writer, session=session)
    exam.update_settings(writer, session=session, draft_id=draft.id, title=HOSTILE["markdown_javascript_link"],
                         problem_statement=HOSTILE["img_onerror"] + HOSTILE["rtl_override_name"],
                         include_prompts=False, word_limit=None)
    session.commit()
    content = exam.build_exam(writer, session=session, draft_id=draft.id, today=date(2026, 3, 2)).content
    with docx2python(io.BytesIO(content)) as read:
        flat = normalise(read.text)
    for name, text in HOSTILE.items():
        assert normalise(word_safe(text)[0]) in flat, name
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        parts = {name: package.read(name).decode("utf-8") for name in package.namelist()}
    # Nothing in it reaches another host or runs: no external relationship, no hyperlink, no field code
    # made from user text.
    assert not any('TargetMode="External"' in body for name, body in parts.items() if name.endswith(".rels"))
    assert "<w:hyperlink" not in parts["word/document.xml"]
    field_codes = [code for body in parts.values() for code in re.findall(r"<w:instrText[^>]*>([^<]*)<", body)]
    assert not [code for code in field_codes if "HYPERLINK" in code or "INCLUDE" in code]
