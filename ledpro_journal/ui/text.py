"""Text on screen that must not turn into anything else: what users wrote, and links to our own pages."""

from __future__ import annotations

from html import escape

import streamlit as st

_MARKDOWN_SPECIALS = "\\`*_{}[]()<>#+-.!|~$:"


def plain(text: str) -> str:
    """User-written text made inert for Streamlit's Markdown: no links, images, HTML or formatting."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIALS else ch for ch in text or "")


def show_text(text: str) -> None:
    """User text shown exactly as written: line breaks, tabs and spaces kept; never HTML, never Markdown
    (so nothing in it can load a remote image)."""
    st.html(f'<div class="ledpro-text" style="white-space: pre-wrap; overflow-wrap: anywhere; line-height: 1.55">'
            f'{escape(text or "")}</div>')


def same_tab_link(label: str, href: str, *, icon: str) -> None:
    """A link to one of our own HTTP pages that opens in this tab (st.link_button always opens a new one)."""
    st.markdown(f'{icon} <a href="{escape(href)}" target="_self">{escape(label)}</a>', unsafe_allow_html=True)
