"""The catalogues as translators see them: every entry of every language's .po file, read by Babel."""

from __future__ import annotations

from functools import cache

from babel.messages.pofile import read_po

from ledpro_journal.i18n import LANGUAGES, LOCALES_DIR


@cache
def entries(lang: str) -> dict[str, str | tuple[str, ...]]:
    """key -> text, or key -> (singular, plural, ...) for a plural entry."""
    with open(LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po)
    return {(m.id[0] if isinstance(m.id, tuple) else m.id): m.string for m in catalog if m.id}


def every_language() -> dict[str, dict[str, str | tuple[str, ...]]]:
    return {code: entries(code) for code in LANGUAGES}
