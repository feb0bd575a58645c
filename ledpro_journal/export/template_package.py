"""An institution's Word template reduced to what an exam draft uses from it: styles, numbering, theme
and fonts, the page set-up, and the text of its headers and footers. Nothing else in the file reaches a
participant's draft.

An uploaded template is someone else's file, copied into every participant's document: whatever it
carries, each participant's Word opens. So the package is rebuilt from an allow-list rather than
cleaned of what we know to be bad: no external relationship (Word would fetch that address when the
exam opens), no DTD or entity (refused: the draft would not be well-formed), no images, embedded
objects, fonts, macros, comments, custom XML or the template's own body. Every XML part is read with a
size limit before it is parsed, so a small file that inflates to a huge tree (a "node bomb") is refused
before it costs memory.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

# Generous for a real template: a large Word styles.xml is about 300 KB.
MAX_XML_PART_BYTES = 4 * 1024 * 1024
MAX_XML_TOTAL_BYTES = 12 * 1024 * 1024

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_DOCUMENT_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
_MAIN_TYPES = (_DOCUMENT_MAIN, "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml")

# The parts of the document a draft takes over, by relationship type. Headers and footers only when the
# page set-up refers to them.
_KEPT = {RT.STYLES, RT.NUMBERING, RT.SETTINGS, RT.THEME, RT.FONT_TABLE}
_STORIES = {RT.HEADER, RT.FOOTER}
# In a header or footer: pictures, shapes and embedded objects go (they need parts of their own); a
# hyperlink keeps its text and loses its address.
_STORY_DROPS = ("drawing", "pict", "object")
# Fields a header or footer may keep. Word updates fields when the draft opens (we ask it to, for the table
# of contents): INCLUDEPICTURE, INCLUDETEXT, HYPERLINK and the like would fetch from wherever they point.
_SAFE_FIELDS = {"PAGE", "NUMPAGES", "SECTIONPAGES", "SECTION", "DATE", "TIME", "CREATEDATE", "SAVEDATE",
                "PRINTDATE", "STYLEREF", "TITLE", "SUBJECT", "FILENAME", "MERGEFORMAT"}
_XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


class UnusableTemplate(ValueError):
    """`key`: the catalogue key of why the template cannot be used."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def reduce_template(content: bytes) -> bytes:
    """The template as a new package holding only what a draft uses, with its main part typed as a
    document (a .dotx's main part says "template"). Raises UnusableTemplate."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UnusableTemplate("exam.template.not_docx") from None
    with archive:
        return _Reducer(archive).package()


class _Reducer:
    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.members = {info.filename: info for info in archive.infolist()}
        self.read_so_far = 0
        self.parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                      remove_comments=True, remove_pis=True)
        self.content_types = self._content_types()

    # --- reading, with limits ---

    def _bytes(self, name: str) -> bytes:
        info = self.members.get(name)
        if info is None or info.is_dir():
            raise UnusableTemplate("exam.template.not_docx")
        if info.file_size > MAX_XML_PART_BYTES or self.read_so_far + info.file_size > MAX_XML_TOTAL_BYTES:
            raise UnusableTemplate("exam.template.too_complex")
        try:
            with self.archive.open(info) as member:  # the sizes in the zip's directory may lie: count what comes
                data = member.read(MAX_XML_PART_BYTES + 1)
        except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, RuntimeError):
            raise UnusableTemplate("exam.template.not_docx") from None
        self.read_so_far += len(data)
        if len(data) > MAX_XML_PART_BYTES or self.read_so_far > MAX_XML_TOTAL_BYTES:
            raise UnusableTemplate("exam.template.too_complex")
        if _DTD.search(data):
            raise UnusableTemplate("exam.template.unsafe_xml")
        return data

    def _xml(self, name: str) -> etree._Element:
        try:
            return etree.fromstring(self._bytes(name), self.parser)
        except etree.XMLSyntaxError:
            raise UnusableTemplate("exam.template.not_docx") from None

    def _content_types(self) -> dict[str, str]:
        """Part name (without the leading slash) -> content type, from overrides and extension defaults."""
        root = self._xml("[Content_Types].xml")
        defaults = {node.get("Extension", "").lower(): node.get("ContentType", "")
                    for node in root.iter(f"{{{_CT}}}Default")}
        overrides = {node.get("PartName", "").lstrip("/"): node.get("ContentType", "")
                     for node in root.iter(f"{{{_CT}}}Override")}
        types = {}
        for name in self.members:
            extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
            types[name] = overrides.get(name) or defaults.get(extension, "")
        return types

    def _relationships(self, part: str) -> list[tuple[str, str, str]]:
        """(id, type, target part name) of a part's internal relationships; external ones are never kept."""
        folder, file = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", file + ".rels")
        if rels_name not in self.members:
            return []
        found = []
        for node in self._xml(rels_name).iter(f"{{{_PKG_RELS}}}Relationship"):
            if (node.get("TargetMode") or "").lower() == "external":
                continue
            target = node.get("Target", "")
            joined = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            resolved = posixpath.normpath(joined)
            if resolved.startswith("..") or resolved not in self.members:
                continue
            found.append((node.get("Id", ""), node.get("Type", ""), resolved))
        return found

    # --- rebuilding ---

    def package(self) -> bytes:
        main = next((target for _id, kind, target in self._relationships("") if kind == RT.OFFICE_DOCUMENT), None)
        if main is None or self.content_types.get(main) not in _MAIN_TYPES:
            raise UnusableTemplate("exam.template.not_docx")
        document = self._xml(main)
        body = document.find(f"{{{_W}}}body")
        if document.tag != f"{{{_W}}}document" or body is None:
            raise UnusableTemplate("exam.template.not_docx")
        section = body.find(f"{{{_W}}}sectPr")  # the last section's: the page set-up a draft gets
        referenced = {node.get(f"{{{_R}}}id") for node in section.iter()} if section is not None else set()

        parts: dict[str, bytes] = {}
        types: dict[str, str] = {}
        relationships = []
        for rid, kind, target in self._relationships(main):
            if kind in _KEPT or (kind in _STORIES and rid in referenced):
                name = f"word/{posixpath.basename(target)}"
                root = self._xml(target)
                _strip_references(root, story=kind in _STORIES)
                parts[name] = _serialise(root)
                types[name] = self.content_types.get(target) or "application/xml"
                relationships.append((rid, kind, posixpath.basename(target)))
        kept_ids = {rid for rid, _kind, _target in relationships}
        if section is not None:
            for reference in list(section):
                if reference.get(f"{{{_R}}}id") not in (None, *kept_ids):
                    section.remove(reference)
        parts["word/document.xml"] = _serialise(_document_with(document, section))
        types["word/document.xml"] = _DOCUMENT_MAIN
        parts["word/_rels/document.xml.rels"] = _relationships_xml(relationships)
        parts["_rels/.rels"] = _relationships_xml([("rId1", RT.OFFICE_DOCUMENT, "word/document.xml")])
        parts["[Content_Types].xml"] = _content_types_xml(types)

        output = io.BytesIO()
        with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as package:
            first = ("[Content_Types].xml", "_rels/.rels")
            for name in (*first, *sorted(set(parts) - set(first))):
                package.writestr(name, parts[name])
        return output.getvalue()


def _strip_references(root: etree._Element, *, story: bool) -> None:
    """A kept part keeps no relationships, so nothing may point at one: in a header or footer pictures,
    objects and controls go and hyperlinks become their text; elsewhere (a picture bullet, an embedded
    font) the referring element goes."""
    if story:
        _keep_safe_fields(root)
        for local in _STORY_DROPS:
            for node in list(root.iter(f"{{{_W}}}{local}")):
                _remove(node)
        for link in list(root.iter(f"{{{_W}}}hyperlink")):
            parent = link.getparent()
            index = parent.index(link)
            for child in reversed(list(link)):
                parent.insert(index, child)
            _remove(link)
    for node in list(root.iter()):
        if any(name.startswith(f"{{{_R}}}") for name in node.attrib) and node.getparent() is not None:
            _remove(node)


def _field_name(instruction: str) -> str:
    words = instruction.split()
    return words[0].upper() if words else ""


def _keep_safe_fields(root: etree._Element) -> None:
    """Any other field is reduced to the text it showed: a simple field is unwrapped, and in a paragraph
    with such a complex field the field characters and instructions go (the result runs stay)."""
    for field in list(root.iter(f"{{{_W}}}fldSimple")):
        if _field_name(field.get(f"{{{_W}}}instr", "")) not in _SAFE_FIELDS:
            parent = field.getparent()
            index = parent.index(field)
            for child in reversed(list(field)):
                parent.insert(index, child)
            _remove(field)
    for paragraph in list(root.iter(f"{{{_W}}}p")):
        instructions = " ".join(node.text or "" for node in paragraph.iter(f"{{{_W}}}instrText"))
        if any(_field_name(part) not in _SAFE_FIELDS for part in _field_instructions(paragraph)) or (
                instructions.strip() and not _field_instructions(paragraph)):
            for node in list(paragraph.iter(f"{{{_W}}}fldChar", f"{{{_W}}}instrText")):
                _remove(node)


def _field_instructions(paragraph: etree._Element) -> list[str]:
    """The instruction of each complex field that begins in the paragraph."""
    found, current = [], None
    for node in paragraph.iter(f"{{{_W}}}fldChar", f"{{{_W}}}instrText"):
        if node.tag == f"{{{_W}}}fldChar":
            kind = node.get(f"{{{_W}}}fldCharType")
            if kind == "begin":
                current = []
            elif kind in ("separate", "end") and current is not None:
                found.append("".join(current))
                current = None
        elif current is not None:
            current.append(node.text or "")
    if current is not None:
        found.append("".join(current))
    return found


def _remove(node: etree._Element) -> None:
    parent = node.getparent()
    if parent is not None:
        # Keep the text that followed the element (lxml stores it on the element as its tail).
        if node.tail:
            previous = node.getprevious()
            if previous is not None:
                previous.tail = (previous.tail or "") + node.tail
            else:
                parent.text = (parent.text or "") + node.tail
        parent.remove(node)


def _document_with(document: etree._Element, section: etree._Element | None) -> etree._Element:
    fresh = etree.Element(document.tag, nsmap=document.nsmap)
    body = etree.SubElement(fresh, f"{{{_W}}}body")
    if section is not None:
        body.append(section)
    return fresh


def _serialise(root: etree._Element) -> bytes:
    return _XML_DECLARATION + etree.tostring(root, encoding="UTF-8")


def _relationships_xml(relationships: list[tuple[str, str, str]]) -> bytes:
    root = etree.Element(f"{{{_PKG_RELS}}}Relationships", nsmap={None: _PKG_RELS})
    for rid, kind, target in relationships:
        etree.SubElement(root, f"{{{_PKG_RELS}}}Relationship", Id=rid, Type=kind, Target=target)
    return _serialise(root)


def _content_types_xml(types: dict[str, str]) -> bytes:
    root = etree.Element(f"{{{_CT}}}Types", nsmap={None: _CT})
    etree.SubElement(root, f"{{{_CT}}}Default", Extension="rels", ContentType=_RELS_TYPE)
    etree.SubElement(root, f"{{{_CT}}}Default", Extension="xml", ContentType="application/xml")
    for name, content_type in sorted(types.items()):
        etree.SubElement(root, f"{{{_CT}}}Override", PartName=f"/{name}", ContentType=content_type)
    return _serialise(root)
