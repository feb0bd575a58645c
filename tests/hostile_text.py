"""Nasty strings for every place users type text: markup, remote links and images, control characters,
lone surrogates, right-to-left overrides, formula and header injection, and a very long text. Shared by the
journal's exact-text tests and the hostile-input tests of every other service, export and page."""

from __future__ import annotations

from hypothesis import strategies as st

# Every Unicode character Python can encode to UTF-8: surrogates (category Cs) are the only ones left out.
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
# Everything a str can hold, lone surrogates and control characters included (what a broken client can send).
EVERY_CHARACTER = st.text(alphabet=st.characters(), max_size=300)

EXAMPLES = {
    "long_note": ("Dette er en lang refleksjon om møtet. " * 5300)[:200_000],
    "ampersand": "&",
    "script_tag": "<script>alert('x')</script>",
    "html_entities": "&amp; &lt;b&gt; &#x27; <b>fet</b>",
    "markdown_image": "![x](http://example.com/x.png)",
    "markdown": "# Overskrift\n\n* punkt\n* **fet** _kursiv_ `kode`\n\n> sitat",
    "crlf_and_tabs": "Linje 1\r\nLinje 2\r\n\tInnrykk\t\tto tab\r\rbare CR\n",
    "norwegian": "Æ Ø Å æ ø å – «sitat» … §",
    "arabic_hebrew": "مرحبا بالعالم שלום עולם \u200f\u202eRTL override\u202c",
    "emoji": "👩🏽‍💼 leder 🇳🇴 ❤️ 👍🏿 𝄞",
    "control_chars": "\x00nul\x01\x07\x1b[31m\x7f\u0085\u2028\u2029slutt\x00",
    "only_whitespace": "   \n\t  ",
    "json_like": '{"title": "x", "fields": [1, 2]}\\"\\u0000',
    "sql_like": "'; DROP TABLE documents; -- %_\\",
    "zero_width_and_combining": "e\u0301 a\u030a \u200b\u200c\u200d\ufeff",
    "noncharacters": "\ufffe\uffff\U0010ffff\U000e0001",
}

# The same, and what only a page, an export or another service could turn into something else.
HOSTILE = {
    **EXAMPLES,
    "img_onerror": '<img src="https://evil.example/p.png" onerror="alert(1)">',
    "svg_onload": "<svg/onload=alert(1)>",
    "iframe": '<iframe src="https://evil.example/"></iframe>',
    "markdown_link": "[klikk her](https://evil.example/phish)",
    "markdown_remote_image": "![sporing](https://evil.example/pixel.gif)",
    "javascript_url": "javascript:alert(document.cookie)",
    "markdown_javascript_link": "[trygg](javascript:alert(1))",
    "bare_url_and_mail": "https://evil.example www.evil.example ola@evil.example",
    "html_comment_and_style": "<!-- x --><style>body{background:url(https://evil.example/s)}</style>",
    "rtl_override_name": "Kari \u202egnp.exe\u202c Nordmann",
    "combining_pile": "Z\u0351\u0308\u0334\u0335\u0336a\u0352\u0310l\u0357\u033fg\u0343o" * 3,
    "formula_equals": "=HYPERLINK(\"https://evil.example\",\"klikk\")",
    "formula_plus": "+1+cmd|' /C calc'!A0",
    "formula_minus": "-2+3",
    "formula_at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula_tab": "\t=1+1",
    "header_injection": "Tittel\r\nBcc: offer@evil.example\r\n\r\nkropp",
    "ics_injection": "Samling\r\nATTENDEE:mailto:evil@evil.example\nURL:https://evil.example",
    "ics_specials": "a;b,c\\d:e",
    "lone_surrogate_high": "før \ud800 etter",
    "lone_surrogate_low": "\udfff",
    "nul_only": "\x00",
    "sql_union": "' OR 1=1 UNION SELECT password_hash FROM users --",
    "template_braces": "{0} {display_name} {{ x }} ${x} %s %(x)s",
    "long_line": "x" * 200_000,
}
