"""One lookup for every word a user sees: t(key, lang, **params). Bokmål is the default.

Dates and times are formatted with Babel for the user's locale, in Europe/Oslo time.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.numbers import format_decimal

from ledpro_journal.i18n import en, nb

DEFAULT_LANGUAGE = "nb"
LANGUAGES = {"nb": "Norsk (bokmål)", "en": "English"}
CATALOGUES: dict[str, dict[str, str]] = {"nb": nb.MESSAGES, "en": en.MESSAGES}
OSLO = ZoneInfo("Europe/Oslo")
_LOCALES = {"nb": "nb_NO", "en": "en_GB"}
# BCP 47, for <html lang> and the exam document: what browsers, screen readers and Word go by.
_LANGUAGE_TAGS = {"nb": "nb-NO", "en": "en-GB"}

log = logging.getLogger(__name__)


def language_or_default(lang: str | None) -> str:
    return lang if lang in CATALOGUES else DEFAULT_LANGUAGE


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    catalogue = CATALOGUES[language_or_default(lang)]
    text = catalogue.get(key)
    if text is None:
        log.error("missing catalogue key %r for %r", key, lang)
        text = CATALOGUES[DEFAULT_LANGUAGE].get(key, key)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            log.exception("bad parameters for catalogue key %r", key)
    return text


def language_tag(lang: str | None) -> str:
    """nb-NO / en-GB."""
    return _LANGUAGE_TAGS[language_or_default(lang)]


def format_number(value: int, lang: str | None = None) -> str:
    """108 463 (nb) / 108,463 (en)."""
    return format_decimal(value, locale=_LOCALES[language_or_default(lang)])


def format_date(value: date | None, lang: str | None = None, *, style: str = "medium") -> str:
    """15. feb. 2024 (nb) / 15 Feb 2024 (en). style='short' gives 15.02.2024."""
    if value is None:
        return ""
    return _format_date(value, language_or_default(lang), style)


@lru_cache(maxsize=4096)
def _format_date(value: date, lang: str, style: str) -> str:
    # A year of actions repeats the same few dates on every rerun; Babel is not free.
    return _babel_date(value, format=style, locale=_LOCALES[lang])


def format_date_range(start: date, end: date, lang: str | None = None) -> str:
    """15.–16. februar 2024: one month and year written once, as Norwegian programmes write them."""
    locale = _LOCALES[language_or_default(lang)]
    if start.year == end.year and start.month == end.month:
        tail = _babel_date(end, format="d. MMMM y" if locale == "nb_NO" else "d MMMM y", locale=locale)
        head = f"{start.day}." if locale == "nb_NO" else f"{start.day}"
        return f"{head}–{tail}"
    return f"{format_date(start, lang, style='long')} – {format_date(end, lang, style='long')}"


def format_datetime(value: datetime | None, lang: str | None = None) -> str:
    """A moment in Europe/Oslo time: 15.02.2024, 14:05."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return _format_datetime(value, language_or_default(lang))


@lru_cache(maxsize=8192)
def _format_datetime(value: datetime, lang: str) -> str:
    # Lists show the same moments on every rerun.
    return _babel_datetime(value.astimezone(OSLO), format="short", locale=_LOCALES[lang])


def today_in_oslo() -> date:
    return datetime.now(OSLO).date()
