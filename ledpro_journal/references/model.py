"""What a reference is: its kinds and fields, names as people type them, the stored (cleaned) form and
its validation, and the small values the formatter takes (Work, CitedWork).

A reference is a `kind` (one of KINDS) and a JSON-friendly `data` dict whose keys FIELDS lists per kind.
Nothing here knows about the database or the user interface.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

KINDS = ("book", "edited_book", "chapter", "article", "report", "webpage")

# Form order: the UI builds its form from this.
FIELDS: dict[str, tuple[str, ...]] = {
    "book": ("authors", "year", "title", "edition", "publisher", "doi", "url"),
    "edited_book": ("editors", "year", "title", "edition", "publisher", "doi", "url"),
    "chapter": ("authors", "year", "title", "editors", "container_title", "edition", "pages", "publisher",
                "doi", "url"),
    "article": ("authors", "year", "title", "container_title", "volume", "issue", "pages", "doi", "url"),
    "report": ("authors", "year", "title", "container_title", "report_number", "publisher", "doi", "url"),
    "webpage": ("authors", "year", "title", "container_title", "url", "accessed"),
}

# A web page without a date is normal (APA writes "u.å."/"n.d."), and so is one without a named author
# (the title moves to the author position); everything else needs author, year and title to be found.
REQUIRED: dict[str, tuple[str, ...]] = {
    "book": ("authors", "year", "title"),
    "edited_book": ("editors", "year", "title"),
    "chapter": ("authors", "year", "title", "container_title"),
    "article": ("authors", "year", "title", "container_title"),
    "report": ("authors", "year", "title"),
    "webpage": ("title", "url"),
}

NAME_FIELDS = ("authors", "editors")

MAX_IMPORT_BYTES = 2 * 1024 * 1024


# --- the values the formatter takes -------------------------------------------------------------------

@dataclass(frozen=True)
class Work:
    """One reference to format or cite. `key` tells works apart (a row id as text); `kind` is one of
    KINDS, though stored data from an older version may hold another (the formatter formats what it can);
    `data` holds the fields, as stored."""

    key: str
    kind: str
    data: dict
    # `data` is a dict, so a Work cannot be hashed: the formatter's caches key on JSON text instead.
    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True)
class CitedWork:
    """A work as a note cites it, with the page (or range) the note points to, or None."""

    work: Work
    page: str | None = None


# --- one line of text ---------------------------------------------------------------------------------

# Markers the formatter (apa.py) puts around italic text; removed from user text so they cannot be forged.
ITALIC_ON, ITALIC_OFF = "\ue000", "\ue001"
# Markers between the parts of a citation (author, date, page) and between cited works.
PART_SEP, ITEM_SEP = "\ue002", "\ue003"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\ue003]")


def one_line(value) -> str:
    return " ".join(CONTROL.sub("", str(value)).split())


# --- names --------------------------------------------------------------------------------------------

# Lower-case words that belong to a family name ("van der Berg", "de la Cruz"), not to an organisation.
_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "du", "des", "la", "le", "ter",
              "ten", "af", "av", "zu", "dos", "das", "y", "st."}
_ORGANISATION_WORDS = re.compile(
    r"(direktorat|departement|universitet|høgskole|hogskole|kommune|fylke|institutt|senter|forbund|"
    r"forening|råd|tilsyn|etat|verk|ombud|stiftelse|organi[sz]ation|institute|university|college|council|"
    r"association|ministry|department|agency|office|centre|center|society|foundation|committee|"
    r"bank|group|company|\bas\b|\basa\b|\binc\b|\bltd\b)",
    re.IGNORECASE,
)


def person(family: str, given: str) -> dict:
    return {"family": " ".join(family.split()), "given": " ".join(given.split())}


def _looks_like_person(text: str) -> bool:
    """For deciding whether " and " joins two people or is part of a name ("Health and Care Board")."""
    if "," in text:
        return True
    words = text.split()
    if not 2 <= len(words) <= 4 or _ORGANISATION_WORDS.search(text):
        return False
    return all(w[:1].isupper() or w.lower() in _PARTICLES for w in words)


def _parse_one_name(text: str) -> dict | None:
    text = " ".join(text.split()).strip(" ;")
    if not text:
        return None
    if text.startswith("{") and text.endswith("}"):
        inner = text[1:-1].strip()
        return {"literal": inner} if inner else None
    if "," in text:
        family, given = text.split(",", 1)
        family, given = family.strip(), given.strip().strip(",").strip()
        if not family:
            return {"literal": given} if given else None
        return person(family, given)
    words = text.split()
    if len(words) == 1:
        return {"literal": text}
    # "Given Family" unless it reads as an organisation: a lower-case word that is no name particle
    # ("Universitetet i Oslo"), a digit or "&" ("Ernst & Young"), or a word organisations use.
    lower_non_particles = [w for w in words[1:] if w[:1].islower() and w.lower() not in _PARTICLES]
    if lower_non_particles or any(ch.isdigit() or ch in "&@()" for ch in text) or _ORGANISATION_WORDS.search(text) \
            or len(words) > 4:
        return {"literal": text}
    # The family name starts at the first particle after the first word ("Jan van der Berg").
    start = len(words) - 1
    for i in range(1, len(words) - 1):
        if words[i].lower() in _PARTICLES:
            start = i
            break
    return person(" ".join(words[start:]), " ".join(words[:start]))


def _split_people(line: str) -> list[str]:
    """A line may hold several people: joined by ";", or by " and ", " og " or " & " (as BibTeX and
    pasted reference lists write them) when every part reads as a person's name."""
    parts: list[str] = []
    for chunk in line.split(";"):
        pieces = [p.strip().strip(",") for p in re.split(r"\s+(?:and|og|&)\s+", chunk)]
        if len(pieces) > 1 and all(_looks_like_person(p) for p in pieces if p):
            parts += pieces
        else:
            parts.append(chunk)
    return parts


def parse_names(text: str) -> list[dict]:
    """Names as a user types them, one per line: "Etternavn, Fornavn", "Fornavn Etternavn", several on a
    line joined by ";" or " and ", an organisation in braces ("{Universitetet i Oslo}") or as one word."""
    names: list[dict] = []
    for line in (text or "").splitlines():
        stripped = line.strip()
        if stripped.startswith("{") and stripped.endswith("}") and stripped.count("{") == 1:
            pieces = [stripped]  # braces protect ";" and " and " inside an organisation's name
        else:
            pieces = _split_people(stripped)
        for piece in pieces:
            name = _parse_one_name(piece)
            if name:
                names.append(name)
    return names


def format_names_for_editing(names: list | None) -> str:
    """The inverse of parse_names: one name a line, "Etternavn, Fornavn"; organisations in braces
    unless they would read back the same without."""
    lines = []
    for name in names or []:
        if not isinstance(name, dict):
            continue
        if name.get("literal"):
            literal = str(name["literal"]).strip()
            lines.append(literal if parse_names(literal) == [{"literal": literal}] else "{" + literal + "}")
        elif name.get("family") or name.get("given"):
            family, given = str(name.get("family", "")).strip(), str(name.get("given", "")).strip()
            lines.append(f"{family}, {given}" if given else f"{family},")
    return "\n".join(lines)


def _clean_names(value) -> list[dict]:
    if isinstance(value, str):
        return parse_names(value)
    names = []
    for name in value if isinstance(value, (list, tuple)) else []:
        if not isinstance(name, dict):
            continue
        literal = one_line(name.get("literal") or "")
        family = one_line(name.get("family") or "")
        given = one_line(name.get("given") or "")
        if literal:
            names.append({"literal": literal})
        elif family:
            names.append({"family": family, "given": given})
        elif given:  # only one part typed in the "given" box: a one-word name all the same
            names.append({"literal": given})
    return names


# --- cleaning and validation --------------------------------------------------------------------------

_NO_DATE = {"u.å.", "u.å", "uå", "ua", "u. å.", "n.d.", "n.d", "nd", "udatert"}
_DOI_PREFIX = re.compile(r"^(?:(?:https?://(?:dx\.)?doi\.org/|doi:)\s*)+", re.IGNORECASE)
_PAGE_LABEL = re.compile(r"^(?:(?:s\.|ss\.|pp?\.|sidene?|side|pages?)\s*)+", re.IGNORECASE)
URL = re.compile(r"^https?://[^\s/?#.]+\.[^\s]+$|^https?://localhost[^\s]*$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def normalise_pages(text: str) -> str:
    text = _PAGE_LABEL.sub("", text.strip())
    return re.sub(r"\s*(?:-{1,3}|–|—)\s*", "–", text)


_MONTHS = {name: i for i, names in enumerate(
    [("jan", "januar", "january"), ("feb", "februar", "february"), ("mar", "mars", "march"),
     ("apr", "april"), ("mai", "may"), ("jun", "juni", "june"), ("jul", "juli", "july"),
     ("aug", "august"), ("sep", "sept", "september"), ("okt", "oktober", "oct", "october"),
     ("nov", "november"), ("des", "desember", "dec", "december")], start=1) for name in names}


def _normalise_date(text: str) -> str:
    """ISO date from what import files and people write: 2024-03-05, 2024/03/05, 05.03.2024,
    "5. mars 2024" (EndNote keeps the access date as typed), "March 5, 2024"."""
    text = text.strip()
    if match := re.search(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text):
        y, m, d = match.groups()
    elif match := re.search(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4})", text):
        d, m, y = match.groups()
    elif (match := re.search(r"(\d{1,2})\.?\s+([a-zæøå]+)\.?,?\s+(\d{4})", text, re.IGNORECASE)) \
            and match.group(2).lower() in _MONTHS:
        d, m, y = match.group(1), _MONTHS[match.group(2).lower()], match.group(3)
    elif (match := re.search(r"([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})", text, re.IGNORECASE)) \
            and match.group(1).lower() in _MONTHS:
        m, d, y = _MONTHS[match.group(1).lower()], match.group(2), match.group(3)
    else:
        return text
    try:
        return dt.date(int(y), int(m), int(d)).isoformat()
    except ValueError:
        return text


def _clean_value(name: str, value) -> str:
    # One line, no control characters: a NUL typed or imported would be refused by PostgreSQL's text
    # columns (the sort key), and none belongs in a reference.
    text = one_line(value) if value is not None else ""
    if not text:
        return ""
    if name == "year":
        if text.lower() in _NO_DATE:
            return ""
        match = re.fullmatch(r"\(?(\d{4})[a-z]?\)?\.?", text)
        return match.group(1) if match else text
    if name == "edition":
        match = re.match(r"^(\d+)", text)
        return match.group(1) if match else text
    if name == "doi":
        return _DOI_PREFIX.sub("", text).strip()
    if name == "pages":
        return normalise_pages(text)
    if name == "url":
        return "https://" + text if text.lower().startswith("www.") else text
    if name == "accessed":
        return _normalise_date(text)
    return text


def clean(kind: str, data: dict) -> dict:
    """The stored form: only the kind's fields, whitespace trimmed, empty values dropped, edition as its
    number, DOI without https://doi.org/, page ranges with an en dash."""
    fields = FIELDS.get(kind, ())
    cleaned: dict = {}
    for name in fields:
        if name not in (data or {}):
            continue
        value = data[name]
        if name in NAME_FIELDS:
            names = _clean_names(value)
            if names:
                cleaned[name] = names
        else:
            text = _clean_value(name, value)
            if text:
                cleaned[name] = text
    return cleaned


def validate(kind: str, data: dict) -> dict[str, str]:
    """Problems as field -> catalogue key; empty when the reference can be saved."""
    if kind not in KINDS:
        return {"kind": "literature.kind_invalid"}
    data = clean(kind, data)
    problems: dict[str, str] = {}
    for name in REQUIRED[kind]:
        if not data.get(name):
            problems[name] = "field.required"
    year = data.get("year", "")
    if year and not re.fullmatch(r"\d{4}", year):
        problems["year"] = "literature.year_invalid"
    url = data.get("url", "")
    if url and not URL.match(url):
        problems["url"] = "literature.url_invalid"
    accessed = data.get("accessed", "")
    if accessed and not (_ISO_DATE.match(accessed) and _valid_iso(accessed)):
        problems["accessed"] = "literature.date_invalid"
    return problems


def _valid_iso(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
        return True
    except ValueError:
        return False
