"""The frame of the app's own HTML pages (sign-in, registration, unsubscribe, the accessibility statement,
the database-unavailable answer): one look, the language switch, and the footer link to the accessibility
statement that every page carries."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from ledpro_journal.i18n import LANGUAGES, language_tag, t

ACCESSIBILITY_PATH = "/tilgjengelighet"


def security_headers(response: Response) -> Response:
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    return response


def _language_switch(code: str, here: str) -> str:
    return f"/auth/language?{urlencode({'lang': code, 'next': here})}"


def html_page(request: Request, *, lang: str, title: str, body: str, status: int = 200, noindex: bool = False,
              wide: bool = False) -> HTMLResponse:
    """`body` is HTML the caller escaped. The language switch comes back to this very address."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    switches = " ".join(
        f'<a href="{escape(_language_switch(other.code, here))}" lang="{other.tag}">{escape(other.name)}</a>'
        for other in LANGUAGES.values()
        if other.code != lang
    )
    robots = '<meta name="robots" content="noindex">' if noindex else ""
    main = '<main class="wide">' if wide else "<main>"
    html = (
        f'<!doctype html><html lang="{language_tag(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">{robots}'
        f"<title>{escape(title)} · LEDPRO Journal</title><style>{STYLE}</style></head><body>"
        f'{main}<span class="brand">LEDPRO Journal</span>{body}'
        f'<nav class="alt" aria-label="{escape(t("auth.language_nav", lang))}">'
        f"{switches}</nav>"
        f'</main><footer><a href="{ACCESSIBILITY_PATH}">{escape(t("a11y.footer_link", lang))}</a></footer>'
        "</body></html>"
    )
    return security_headers(HTMLResponse(html, status_code=status))


STYLE = """
:root { color-scheme: light; --ink:#1f2933; --muted:#52606d; --line:#cbd2d9; --accent:#1d4e89; --bad:#b42318; }
* { box-sizing: border-box; }
body { margin:0; font-family: "Source Sans 3", "Source Sans Pro", system-ui, -apple-system, "Segoe UI", sans-serif;
       color:var(--ink); background:#f5f7fa; font-size:17px; line-height:1.5; }
main { max-width: 26rem; margin: 6vh auto 3rem; padding: 2rem 1.75rem; background:#fff; border-radius: 12px;
       box-shadow: 0 1px 3px rgba(0,0,0,.08); }
@media (max-width: 30rem) { main { margin: 0; border-radius: 0; box-shadow:none; min-height:100vh; } }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
.brand { color: var(--accent); font-weight: 700; letter-spacing: .02em; margin-bottom: 1.25rem; display:block; }
p.lead { color: var(--muted); margin: 0 0 1.25rem; }
label { display:block; font-weight:600; margin: 1rem 0 .3rem; }
.hint { display:block; color: var(--muted); font-size:.9rem; font-weight:400; }
input[type=text], input[type=password], select { width:100%; font: inherit; padding:.6rem .7rem; border:1px solid var(--line);
       border-radius:8px; background:#fff; }
input:focus, select:focus { outline: 3px solid rgba(29,78,137,.25); border-color: var(--accent); }
input[aria-invalid=true] { border-color: var(--bad); }
.field-error { color: var(--bad); font-size:.95rem; margin:.3rem 0 0; }
.notice { padding:.75rem 1rem; border-radius:8px; margin: 0 0 1rem; background:#e8f1fb; }
.notice.bad { background:#fdecea; color: var(--bad); }
button { margin-top:1.5rem; width:100%; font: inherit; font-weight:600; padding:.7rem; border:0; border-radius:8px;
         background: var(--accent); color:#fff; cursor:pointer; }
nav.alt { margin-top:1.25rem; display:flex; justify-content:space-between; flex-wrap:wrap; gap:.5rem; font-size:.95rem; }
a { color: var(--accent); }
a.button { display:block; text-align:center; margin-top:1rem; font-weight:600; padding:.7rem; border-radius:8px;
           text-decoration:none; border:1px solid var(--accent); }
a.button.primary { background: var(--accent); color:#fff; }
h2 { font-size: 1.15rem; margin: 1.75rem 0 .3rem; }
a.button.primary ~ form button { background:#fff; color: var(--accent); border:1px solid var(--accent); }
p.divider { text-align:center; color: var(--muted); margin: 1.25rem 0 0; font-size:.95rem; }
main.wide { max-width: 46rem; }
main.wide h2 { font-size: 1.2rem; margin: 1.5rem 0 .4rem; }
footer { margin: 0 auto 2rem; padding: 0 1.75rem; font-size: .95rem; text-align: center; }
a:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
"""  # noqa: E501 - the style sheet is sent as written; wrapping it would change the string
