"""The one rule for text kept in plain (not JSON) database columns: names and labels (cohorts, groups,
themes, places, display names, name replacements) and the bibliographic fields of references.

Free text (notes, comments, exam drafts) lives in JSON columns and is kept exactly as typed, whatever it holds.
A plain column cannot hold everything: PostgreSQL refuses NUL in text, and UTF-8 has no form for a lone
surrogate (which only a broken client can send). Such text is refused with a clear message, never cut or
cleaned behind the user's back, and never left to fail in the database as an error page.
"""

from __future__ import annotations

import unicodedata

from ledpro_journal.services.errors import Invalid

INVALID_CHARACTERS = "field.invalid_characters"


def has_lone_surrogate(value) -> bool:
    """Anywhere in a text, or in the texts of a list or mapping (a reference's authors)."""
    if isinstance(value, str):
        return any("\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(has_lone_surrogate(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(has_lone_surrogate(item) for item in value)
    return False


def has_control_or_surrogate(text: str) -> bool:
    """Control characters mean nothing in one line of text and would reach every list and export."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def line_problem(line: str, *, limit: int) -> tuple[str, dict] | None:
    """What is wrong with a name or label already collapsed to one line (None: nothing), as (key, params)."""
    if not line:
        return "field.required", {}
    if len(line) > limit:
        return "field.too_long", {"max": limit}
    if has_control_or_surrogate(line):
        return INVALID_CHARACTERS, {}
    return None


def one_line(text: str | None, *, field: str, limit: int, required: bool = True) -> str:
    """A name or label as stored: one line, whitespace collapsed; raises Invalid for `field` when it is
    empty (and required), longer than `limit`, or holds characters a plain column cannot keep."""
    line = " ".join((text or "").split())
    if not line and not required:
        return line
    problem = line_problem(line, limit=limit)
    if problem is not None:
        raise Invalid({field: problem})
    return line
