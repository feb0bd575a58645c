"""References imported from a reference manager: RIS (EndNote, Zotero) with rispy and BibTeX with
bibtexparser v2, into the stored form of model.py. A file that cannot be read as a whole is rejected with a
reason (ImportRejected); a record that cannot be read is skipped by its title, the others still come in.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ledpro_journal.references.model import (
    CONTROL,
    MAX_IMPORT_BYTES,
    URL,
    clean,
    parse_names,
    person,
    validate,
)

log = logging.getLogger(__name__)


class ImportRejected(ValueError):
    """The file as a whole cannot be imported; `key` is the catalogue key that says why."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


@dataclass
class ImportResult:
    entries: list[tuple[str, dict]] = field(default_factory=list)  # (kind, stored data), in file order
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
    if len(CONTROL.findall(text)) > max(8, len(text) // 100):
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
        return person(family, given)
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
            names.append(person(family, given))
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
    url = get("url") or (howpublished if URL.match(howpublished) else "")
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
