"""Text on screen that must not turn into anything else: what users wrote, and links to our own pages."""

from __future__ import annotations

import re
from html import escape

import streamlit as st

_MARKDOWN_SPECIALS = "\\`*_{}[]()<>#+-.!|~$:@"
# Invisible, and not a word character: placed where a GFM autolink would start, it makes the link pattern fail.
WORD_JOINER = "\u2060"
# Where Streamlit's Markdown (remark-gfm) turns bare text into a link. It does so on the text *after*
# backslash escapes are resolved, so escaping alone leaves https://host, www.host and name@host clickable.
_AUTOLINK_STARTS = re.compile(r"(?i)(?<=://)|(?<=www)(?=\.)|(?=@)")


def plain(text: str) -> str:
    """User-written text made inert for Streamlit's Markdown: no links, images, HTML or formatting.

    What the user sees is what they wrote; a word joiner (invisible) sits after "://", after "www" and
    before "@", so that a URL or an e-mail address stays text instead of becoming a link to another site."""
    unlinked = _AUTOLINK_STARTS.sub(WORD_JOINER, text or "")
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in unlinked)


def show_text(text: str) -> None:
    """User text shown exactly as written: line breaks, tabs and spaces kept; never HTML, never Markdown
    (so nothing in it can load a remote image)."""
    st.html(f'<div class="ledpro-text" style="white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.55">'
            f'{escape(text or "")}</div>')


def same_tab_link(label: str, href: str, *, icon: str) -> None:
    """A link to one of our own HTTP pages that opens in this tab (st.link_button always opens a new one)."""
    st.markdown(f'{icon} <a href="{escape(href)}" target="_self">{escape(label)}</a>', unsafe_allow_html=True)
