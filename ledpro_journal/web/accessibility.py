"""The accessibility statement (tilgjengelighetserklæring): what is tested, what is known not to meet WCAG 2.1
AA yet, and how to report a problem. An HTTP page of its own, so that it opens for everyone, signed in or
not; every page links to it (the sign-in pages' footer, the app's sidebar)."""

from __future__ import annotations

from html import escape

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ledpro_journal.config import get_settings
from ledpro_journal.i18n import t
from ledpro_journal.web.auth import _lang
from ledpro_journal.web.pages import ACCESSIBILITY_PATH, html_page

# The statement's sections in order: (heading key, paragraph keys, list-item keys).
SECTIONS = [
    ("a11y.standard.title", ["a11y.standard.text"], []),
    ("a11y.tested.title", ["a11y.tested.text"], ["a11y.tested.axe", "a11y.tested.keyboard", "a11y.tested.contrast",
                                                  "a11y.tested.language", "a11y.tested.text_only"]),
    ("a11y.gaps.title", ["a11y.gaps.text"], ["a11y.gaps.headings", "a11y.gaps.uploader", "a11y.gaps.charts",
                                              "a11y.gaps.streamlit_english", "a11y.gaps.docx"]),
    ("a11y.report.title", ["a11y.report.text"], []),
    ("a11y.complain.title", ["a11y.complain.text"], []),
]


async def statement(request: Request) -> Response:
    lang = _lang(request)
    contact = get_settings().accessibility_contact.strip()
    parts = [f'<h1>{escape(t("a11y.title", lang))}</h1>', f'<p class="lead">{escape(t("a11y.lead", lang))}</p>']
    for heading, paragraphs, items in SECTIONS:
        parts.append(f"<h2>{escape(t(heading, lang))}</h2>")
        parts += [f"<p>{escape(t(key, lang))}</p>" for key in paragraphs]
        if items:
            parts.append("<ul>" + "".join(f"<li>{escape(t(key, lang))}</li>" for key in items) + "</ul>")
        if heading == "a11y.report.title":
            where = contact or t("a11y.report.no_contact", lang)
            parts.append(f"<p><strong>{escape(t('a11y.report.contact', lang))}</strong> {escape(where)}</p>")
    parts.append(f'<p class="hint">{escape(t("a11y.updated", lang))}</p>')
    return html_page(request, lang=lang, title=t("a11y.title", lang), body="".join(parts), wide=True)


def routes() -> list[Route]:
    return [Route(ACCESSIBILITY_PATH, statement, methods=["GET"])]
