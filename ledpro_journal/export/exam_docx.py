"""The exam draft as a Word document: renders an `ExamDocument` into .docx bytes.

The look follows Norwegian university practice (A4, 2.5 cm margins, 12 pt Times New Roman, 1.5 line
spacing) unless the participant gives an institution template, whose styles, page set-up, header and
footer are kept; we only add the styles and the header/footer content the draft needs.

python-docx opens the package (our default or the template) and saves it; the body is written with
lxml directly, because python-docx's per-paragraph style lookups by name dominate the time of a
100,000-word draft. No person's name may end up in the file: the package's metadata parts are
replaced, and everything a template carried that could name someone (comments, people, custom
properties, thumbnail, attached-template path, document variables) is left out.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import docx
from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.opc.rel import Relationships
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.section import Section
from docx.shared import Twips
from lxml import etree

from ledpro_journal.export.document import (
    ExamDocument,
    Heading,
    Label,
    PageBreak,
    Prompt,
    Remark,
    Table,
    UserText,
)
from ledpro_journal.export.template_package import UnusableTemplate, reduce_template

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
# A template's parts unpacked: a small zip that inflates to gigabytes must not reach the XML parser.
MAX_TEMPLATE_UNPACKED_BYTES = 100 * 1024 * 1024
APPLICATION_NAME = "LEDPRO Journal"

A4_TWIPS = (11906, 16838)
MARGIN_TWIPS = 1417  # 2.5 cm
HEADER_DISTANCE_TWIPS = 709  # 1.25 cm
FONT = "Times New Roman"
TOC_INSTRUCTION = ' TOC \\o "1-3" \\h \\z \\u '  # levels 1-3, links, no page numbers on the web, outline levels
PAGE_INSTRUCTION = " PAGE "

# XML 1.0 allows tab, newline and carriage return among the C0 controls, nothing else; U+FFFE and
# U+FFFF are not characters, and a surrogate in a Python str is always a lone one.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TAB_OR_NEWLINE = re.compile("([\t\n])")
_PAGE_FIELD = re.compile(r"\bPAGE\b")


@dataclass(frozen=True)
class BuiltDocument:
    content: bytes  # the .docx
    removed_characters: int  # characters Word cannot hold that were left out of the document


class TemplateRejected(ValueError):
    """An uploaded institution template we will not use; `key` is the catalogue key of the reason."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def word_safe(text: str) -> tuple[str, int]:
    """`text` without the characters an OOXML document cannot hold, and how many were removed."""
    return _NOT_XML.subn("", text)


def check_template(content: bytes) -> None:
    """Raise TemplateRejected unless `content` is a macro-free Word document we can build on."""
    _load_template(content)


def build_docx(document: ExamDocument) -> BuiltDocument:
    """The draft as a .docx. Text never makes this fail: what Word cannot hold is left out and
    counted. Raises TemplateRejected if the document's template cannot be used."""
    own_look = document.template is None
    doc = docx.Document() if own_look else _load_template(document.template)
    writer = _Writer(doc)
    body = doc.element.body
    section_properties = _clear_body(doc)
    language = writer.text(document.language).strip()
    writer.styles = _prepare_styles(doc, own_look, language)
    _prepare_settings(doc, language)
    _set_up_page(doc.sections[-1], own_look, doc.settings.odd_and_even_pages_header_footer, writer, document)
    _strip_comment_marks_and_revision_authors(doc)
    _drop_identifying_parts(doc)
    writer.text_width = _text_width(doc.sections[-1])
    writer.write(document)
    body.append(section_properties)  # the last section's properties close the body
    title = writer.text(document.title_for_metadata)
    _replace_metadata(doc, title, language)
    output = io.BytesIO()
    doc.save(output)
    return BuiltDocument(content=output.getvalue(), removed_characters=writer.removed)


# --- The institution template ----------------------------------------------------------------


def _load_template(content: bytes) -> DocxDocument:
    if len(content) > MAX_TEMPLATE_BYTES:
        raise TemplateRejected("exam.template.too_large")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > MAX_TEMPLATE_UNPACKED_BYTES:
                raise TemplateRejected("exam.template.too_large")
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
    except TemplateRejected:
        raise
    except Exception:  # noqa: BLE001 - whatever keeps us from reading the zip: not a Word document
        raise TemplateRejected("exam.template.not_docx") from None
    if "macroenabled" in content_types or any("vbaproject" in member.filename.lower() for member in members):
        raise TemplateRejected("exam.template.macros")
    try:
        reduced = reduce_template(content)
    except UnusableTemplate as unusable:
        raise TemplateRejected(unusable.key) from None
    try:
        return docx.Document(io.BytesIO(reduced))
    except Exception:  # noqa: BLE001 - python-docx and lxml raise many kinds for a broken package
        raise TemplateRejected("exam.template.not_docx") from None


def _clear_body(doc: DocxDocument) -> etree._Element:
    """Empty the body but for its final section properties (page set-up, header and footer
    references), which are returned so that they can be moved back to the end once the content is
    written. Relationships only the removed content used (images, hyperlinks, earlier sections'
    headers) are dropped with it."""
    body = doc.element.body
    section_properties = body.get_or_add_sectPr()
    referenced_before = _relationship_ids(body)
    for child in list(body):
        body.remove(child)
    unused = referenced_before - _relationship_ids(section_properties)
    for rid in unused:
        doc.part.rels.pop(rid, None)
    body.append(section_properties)  # python-docx reads the section from the body while we set up
    return section_properties


def _relationship_ids(element: etree._Element) -> set[str]:
    r_namespace = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    return {
        value for node in element.iter() for name, value in node.attrib.items() if name.startswith(r_namespace)
    }


# --- Styles ------------------------------------------------------------------------------------

# Our look, as style definitions. {Normal} and {heading 1} are replaced by the style ids the
# document actually uses (a Norwegian Word template calls Heading 1 "Overskrift1").
_STYLE_XML = {
    "Title": """<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="Title"/>
        <w:basedOn w:val="{Normal}"/><w:next w:val="{Normal}"/><w:uiPriority w:val="10"/><w:qFormat/>
        <w:pPr><w:spacing w:before="2400" w:after="720" w:line="240" w:lineRule="auto"/></w:pPr>
        <w:rPr><w:b/><w:bCs/><w:kern w:val="28"/><w:sz w:val="48"/><w:szCs w:val="48"/></w:rPr></w:style>""",
    "heading 1": """<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="heading 1"/>
        <w:basedOn w:val="{Normal}"/><w:next w:val="{Normal}"/><w:uiPriority w:val="9"/><w:qFormat/>
        <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="480" w:after="240" w:line="240"
        w:lineRule="auto"/><w:outlineLvl w:val="0"/></w:pPr>
        <w:rPr><w:b/><w:bCs/><w:sz w:val="32"/><w:szCs w:val="32"/></w:rPr></w:style>""",
    "heading 2": """<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="heading 2"/>
        <w:basedOn w:val="{Normal}"/><w:next w:val="{Normal}"/><w:uiPriority w:val="9"/>
        <w:unhideWhenUsed/><w:qFormat/>
        <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="360" w:after="120" w:line="240"
        w:lineRule="auto"/><w:outlineLvl w:val="1"/></w:pPr>
        <w:rPr><w:b/><w:bCs/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr></w:style>""",
    "heading 3": """<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="heading 3"/>
        <w:basedOn w:val="{Normal}"/><w:next w:val="{Normal}"/><w:uiPriority w:val="9"/>
        <w:unhideWhenUsed/><w:qFormat/>
        <w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="120" w:line="240"
        w:lineRule="auto"/><w:outlineLvl w:val="2"/></w:pPr>
        <w:rPr><w:b/><w:bCs/><w:i/><w:iCs/></w:rPr></w:style>""",
    # Outline level 9 ("body text") keeps the table of contents' own title out of the contents.
    "TOC Heading": """<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="TOC Heading"/>
        <w:basedOn w:val="{heading 1}"/><w:next w:val="{Normal}"/><w:uiPriority w:val="39"/>
        <w:unhideWhenUsed/><w:qFormat/><w:pPr><w:outlineLvl w:val="9"/></w:pPr></w:style>""",
    "header": """<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="header"/>
        <w:basedOn w:val="{Normal}"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
        <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
        <w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>""",
    "footer": """<w:style w:type="paragraph" w:styleId="{id}"><w:name w:val="footer"/>
        <w:basedOn w:val="{Normal}"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>
        <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
        <w:rPr><w:sz w:val="20"/><w:szCs w:val="20"/></w:rPr></w:style>""",
    # Prompts are help for the writer, to be deleted before hand-in: set clearly apart.
    "LEDPRO Prompt": """<w:style w:type="paragraph" w:customStyle="1" w:styleId="{id}">
        <w:name w:val="LEDPRO Prompt"/><w:basedOn w:val="{Normal}"/><w:next w:val="{Normal}"/><w:qFormat/>
        <w:pPr><w:pBdr><w:left w:val="single" w:sz="24" w:space="8" w:color="1F4E79"/></w:pBdr>
        <w:shd w:val="clear" w:color="auto" w:fill="EAF1F8"/>
        <w:spacing w:before="120" w:after="120" w:line="276" w:lineRule="auto"/><w:ind w:left="227"/></w:pPr>
        <w:rPr><w:i/><w:iCs/><w:color w:val="1F4E79"/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr></w:style>""",
    "LEDPRO Label": """<w:style w:type="paragraph" w:customStyle="1" w:styleId="{id}">
        <w:name w:val="LEDPRO Label"/><w:basedOn w:val="{Normal}"/><w:next w:val="{Normal}"/><w:qFormat/>
        <w:pPr><w:keepNext/><w:spacing w:before="240" w:after="60"/></w:pPr>
        <w:rPr><w:b/><w:bCs/><w:sz w:val="22"/><w:szCs w:val="22"/></w:rPr></w:style>""",
    # APA 7: hanging indent of 1.27 cm (720 twips).
    "LEDPRO Reference": """<w:style w:type="paragraph" w:customStyle="1" w:styleId="{id}">
        <w:name w:val="LEDPRO Reference"/><w:basedOn w:val="{Normal}"/><w:qFormat/>
        <w:pPr><w:ind w:left="720" w:hanging="720"/></w:pPr></w:style>""",
    "Table Grid": """<w:style w:type="table" w:styleId="{id}"><w:name w:val="Table Grid"/>
        <w:uiPriority w:val="59"/>
        <w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>
        <w:tblPr><w:tblBorders><w:top w:val="single" w:sz="4" w:space="0" w:color="auto"/>
        <w:left w:val="single" w:sz="4" w:space="0" w:color="auto"/>
        <w:bottom w:val="single" w:sz="4" w:space="0" w:color="auto"/>
        <w:right w:val="single" w:sz="4" w:space="0" w:color="auto"/>
        <w:insideH w:val="single" w:sz="4" w:space="0" w:color="auto"/>
        <w:insideV w:val="single" w:sz="4" w:space="0" w:color="auto"/></w:tblBorders>
        <w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>
        <w:bottom w:w="40" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>
        </w:tblPr></w:style>""",
}
# Without a template these replace python-docx's defaults (theme fonts, blue headings); with one,
# the institution's own definitions win and ours only fill gaps.
_OWN_LOOK_REPLACES = ("Title", "heading 1", "heading 2", "heading 3", "TOC Heading", "header", "footer", "Table Grid")

_DOC_DEFAULTS_XML = f"""<w:docDefaults {nsdecls("w")}><w:rPrDefault><w:rPr>
    <w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>
    <w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="nb-NO" w:eastAsia="en-US" w:bidi="ar-SA"/>
    </w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>
    <w:spacing w:after="120" w:line="360" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>"""


def _prepare_styles(doc: DocxDocument, own_look: bool, language: str) -> dict[str, str]:
    """Make sure every style the writer uses exists; return the style id for each style name."""
    styles = doc.styles.element
    if own_look:
        old_defaults = styles.find(qn("w:docDefaults"))
        if old_defaults is not None:
            styles.remove(old_defaults)
        styles.insert(0, parse_xml(_DOC_DEFAULTS_XML))
    by_name: dict[str, etree._Element] = {}
    for style in styles.iterfind(qn("w:style")):
        name = style.find(qn("w:name"))
        if name is not None:
            by_name.setdefault(name.get(qn("w:val"), "").lower(), style)
    taken_ids = {style.get(qn("w:styleId")) for style in styles.iterfind(qn("w:style"))}
    ids = {"Normal": by_name["normal"].get(qn("w:styleId")) if "normal" in by_name else "Normal"}
    for name, xml in _STYLE_XML.items():  # dict order: headings come before TOC Heading
        existing = by_name.get(name.lower())
        if existing is not None and not (own_look and name in _OWN_LOOK_REPLACES):
            ids[name] = existing.get(qn("w:styleId"))
            continue
        if existing is not None:
            style_id = existing.get(qn("w:styleId"))
            styles.remove(existing)
        else:
            # Word's own ids: "heading 1" is "Heading1", "TOC Heading" is "TOCHeading"
            style_id = _unused_id("".join(word[:1].upper() + word[1:] for word in name.split()), taken_ids)
            taken_ids.add(style_id)
        # .replace rather than .format: the placeholders are style names, with spaces
        xml = xml.replace("{id}", style_id).replace("{Normal}", ids["Normal"])
        xml = xml.replace("{heading 1}", ids.get("heading 1", ""))
        styles.append(parse_xml(xml.replace("<w:style ", f"<w:style {nsdecls('w')} ", 1)))  # + namespace
        ids[name] = style_id
    if language:
        _set_language(styles, language)
    return ids


def _unused_id(preferred: str, taken: set[str | None]) -> str:
    candidate, n = preferred, 1
    while candidate in taken:
        n += 1
        candidate = f"{preferred}{n}"
    return candidate


def _set_language(styles: etree._Element, language: str) -> None:
    """Proofing language: the document default, and every style that names a language of its own."""
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = etree.Element(qn("w:docDefaults"))
        styles.insert(0, defaults)
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = etree.Element(qn("w:rPrDefault"))
        defaults.insert(0, run_defaults)
    run_properties = run_defaults.find(qn("w:rPr"))
    if run_properties is None:
        run_properties = etree.SubElement(run_defaults, qn("w:rPr"))
    if run_properties.find(qn("w:lang")) is None:
        _insert_in_order(run_properties, etree.Element(qn("w:lang")), ("w:eastAsianLayout", "w:specVanish", "w:oMath"))
    for lang in styles.iter(qn("w:lang")):
        lang.set(qn("w:val"), language)


def _insert_in_order(parent: etree._Element, child: etree._Element, successors: tuple[str, ...]) -> None:
    """Word rejects children out of schema order: put `child` before the first of its successors."""
    for tag in successors:
        found = parent.find(qn(tag))
        if found is not None:
            found.addprevious(child)
            return
    parent.append(child)


# --- Settings, page, header and footer -----------------------------------------------------------

# Settings a template may carry that do not belong in a participant's draft: a path to the
# template on someone's disk (often with their user name), mail-merge sources, document variables,
# editing restrictions, change tracking, a request to save a thumbnail, and a spelling state of
# "already checked" that would stop Word from checking the participant's text.
_SETTINGS_TO_DROP = (
    "w:attachedTemplate",
    "w:mailMerge",
    "w:docVars",
    "w:documentProtection",
    "w:writeProtection",
    "w:trackRevisions",
    "w:savePreviewPicture",
    "w:proofState",
)
_AFTER_UPDATE_FIELDS = ("w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat", "w:docVars", "w:rsids",
                        "m:mathPr", "w:attachedSchema", "w:themeFontLang", "w:clrSchemeMapping",
                        "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures", "w:forceUpgrade",
                        "w:captions", "w:readModeInkLockDown", "w:smartTagType", "sl:schemaLibrary",
                        "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol", "w:listSeparator")
_AFTER_THEME_FONT_LANG = _AFTER_UPDATE_FIELDS[_AFTER_UPDATE_FIELDS.index("w:themeFontLang") + 1 :]


def _prepare_settings(doc: DocxDocument, language: str) -> None:
    settings = doc.settings.element
    for tag in _SETTINGS_TO_DROP:
        for element in settings.findall(qn(tag)):
            settings.remove(element)
    settings_part = doc.part.part_related_by(RT.SETTINGS)
    for rid, rel in list(settings_part.rels.items()):
        if rel.is_external:  # the attached template's and mail merge's file paths
            del settings_part.rels[rid]
    # Word refreshes the table of contents and page numbers when the document is opened.
    if settings.find(qn("w:updateFields")) is None:
        update = etree.Element(qn("w:updateFields"))
        update.set(qn("w:val"), "true")
        _insert_in_order(settings, update, _AFTER_UPDATE_FIELDS)
    if language:
        theme_language = settings.find(qn("w:themeFontLang"))
        if theme_language is None:
            theme_language = etree.Element(qn("w:themeFontLang"))
            _insert_in_order(settings, theme_language, _AFTER_THEME_FONT_LANG)
        theme_language.set(qn("w:val"), language)


def _set_up_page(section: Section, own_look: bool, even_pages: bool, writer: _Writer, document: ExamDocument) -> None:
    if own_look or section.page_width is None:
        section.page_width, section.page_height = Twips(A4_TWIPS[0]), Twips(A4_TWIPS[1])
        section.top_margin = section.bottom_margin = Twips(MARGIN_TWIPS)
        section.left_margin = section.right_margin = Twips(MARGIN_TWIPS)
        section.header_distance = section.footer_distance = Twips(HEADER_DISTANCE_TWIPS)
        section.gutter = Twips(0)
    # The front page carries no header or footer, unless the template designed a first page of its own.
    if not (section.different_first_page_header_footer and not section.first_page_header.is_linked_to_previous):
        section.different_first_page_header_footer = True
        for first in (section.first_page_header, section.first_page_footer):
            first.is_linked_to_previous = True  # drops a first-page definition the template did not show
            first.is_linked_to_previous = False  # a fresh, empty one
    pairs = [(section.header, section.footer)]
    if even_pages:
        pairs.append((section.even_page_header, section.even_page_footer))
    header_text = writer.text(document.header_text)
    for header, footer in pairs:
        header_element, footer_element = header.part.element, footer.part.element
        if header_text.strip() and _normalise(header_text) not in _story_text(header_element):
            paragraph = _new_paragraph(None, writer.styles["header"])
            _add_runs(paragraph, header_text)
            _append_replacing_empty_end(header_element, paragraph)
        # A template that numbers its pages in the header needs no second number in the footer.
        if not (_has_page_field(header_element) or _has_page_field(footer_element)):
            paragraph = _new_paragraph(None, writer.styles["footer"], alignment="center")
            _add_field(paragraph, PAGE_INSTRUCTION, "1")
            _append_replacing_empty_end(footer_element, paragraph)


def _story_text(story: etree._Element) -> str:
    # Not itertext(): python-docx's element classes make it repeat text through their .text properties.
    return _normalise("".join(node.text or "" for node in story.iter(qn("w:t"))))


def _strip_comment_marks_and_revision_authors(doc: DocxDocument) -> None:
    """A template's headers and footers are kept, but not the marks of its comments (the comments
    part is left out) nor the names on its tracked changes."""
    for rel in doc.part.rels.values():
        if rel.reltype in (RT.HEADER, RT.FOOTER):
            story = rel.target_part.element
            for mark in story.xpath(".//w:commentRangeStart | .//w:commentRangeEnd | .//w:commentReference"):
                mark.getparent().remove(mark)
            for change in story.xpath(".//*[@w:author]"):
                change.set(qn("w:author"), "")


def _has_page_field(story: etree._Element) -> bool:
    instructions = [node.text or "" for node in story.iter(qn("w:instrText"))]
    instructions += [node.get(qn("w:instr"), "") for node in story.iter(qn("w:fldSimple"))]
    return bool(_PAGE_FIELD.search(" ".join(instructions)))


def _append_replacing_empty_end(story: etree._Element, paragraph: etree._Element) -> None:
    """A new header or footer holds one empty paragraph: fill its place rather than add a blank line."""
    last = story[-1] if len(story) else None
    if last is not None and last.tag == qn("w:p") and all(child.tag == qn("w:pPr") for child in last):
        story.replace(last, paragraph)
    else:
        story.append(paragraph)


def _text_width(section: Section) -> int:
    width = section.page_width.twips if section.page_width is not None else A4_TWIPS[0]
    left = section.left_margin.twips if section.left_margin is not None else MARGIN_TWIPS
    right = section.right_margin.twips if section.right_margin is not None else MARGIN_TWIPS
    return max(width - left - right, 1440)


def _normalise(text: str) -> str:
    return " ".join(text.split())


# --- Metadata ------------------------------------------------------------------------------------

# Package parts that name people or describe the template's origin: thumbnail (python-docx's
# default has one), custom properties, signatures.
_PACKAGE_RELS_TO_DROP = {
    RT.THUMBNAIL,
    RT.CUSTOM_PROPERTIES,
    "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/origin",
}
# Document parts with the same problem: comments and their authors, custom XML data (SharePoint
# properties, python-docx's bibliography stub), building blocks. stylesWithEffects is Word 2010's
# copy of styles.xml; it would not know our styles, and later Words do not need it.
_DOCUMENT_RELS_TO_DROP = {
    RT.COMMENTS,
    "http://schemas.microsoft.com/office/2011/relationships/commentsExtended",
    "http://schemas.microsoft.com/office/2016/09/relationships/commentsIds",
    "http://schemas.microsoft.com/office/2018/08/relationships/commentsExtensible",
    "http://schemas.microsoft.com/office/2011/relationships/people",
    RT.CUSTOM_XML,
    RT.GLOSSARY_DOCUMENT,
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
}

_CORE_XML = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
 xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"
 xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>{title}</dc:title><dc:subject></dc:subject><dc:creator></dc:creator><cp:keywords></cp:keywords>
<dc:description></dc:description><cp:lastModifiedBy></cp:lastModifiedBy><cp:revision>1</cp:revision>
<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>
<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified>
<cp:category></cp:category><dc:language>{language}</dc:language></cp:coreProperties>"""

_APP_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
 xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">
<Application>{APPLICATION_NAME}</Application><DocSecurity>0</DocSecurity></Properties>"""


def _drop_identifying_parts(doc: DocxDocument) -> None:
    """A part no relationship leads to is not saved."""
    package = doc.part.package
    for rels, unwanted in ((package.rels, _PACKAGE_RELS_TO_DROP), (doc.part.rels, _DOCUMENT_RELS_TO_DROP)):
        _drop_relationships(rels, unwanted)


def _drop_relationships(rels: Relationships, reltypes: set[str]) -> None:
    for rid, rel in list(rels.items()):
        if rel.reltype in reltypes:
            del rels[rid]


def _replace_metadata(doc: DocxDocument, title: str, language: str) -> None:
    """Fresh core and app properties instead of cleaning the old ones field by field, so that
    nothing we did not think of survives (python-docx's "generated by python-docx", a template's
    author, company, manager and template name)."""
    package = doc.part.package
    _drop_relationships(package.rels, {RT.CORE_PROPERTIES, RT.EXTENDED_PROPERTIES})
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    core = _CORE_XML.format(title=escape(title), now=now, language=escape(language))
    for partname, content_type, reltype, xml in (
        ("/docProps/core.xml", CT.OPC_CORE_PROPERTIES, RT.CORE_PROPERTIES, core),
        ("/docProps/app.xml", CT.OFC_EXTENDED_PROPERTIES, RT.EXTENDED_PROPERTIES, _APP_XML),
    ):
        part = Part(PackURI(partname), content_type, xml.encode("utf-8"), package)
        package.relate_to(part, reltype)


# --- The body --------------------------------------------------------------------------------------

_W = {name: qn(f"w:{name}") for name in (
    "p", "pPr", "pStyle", "pageBreakBefore", "jc", "r", "rPr", "b", "bCs", "i", "iCs", "t", "tab", "br",
    "fldChar", "fldCharType", "instrText", "val", "type", "w", "dirty",
    "tbl", "tblPr", "tblStyle", "tblW", "tblLook", "tblGrid", "gridCol", "tr", "trPr", "tblHeader", "tc",
    "tcPr", "tcW", "firstRow", "noHBand", "noVBand", "lastRow", "firstColumn", "lastColumn",
)}
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_SubElement = etree.SubElement


class _Writer:
    """Appends the document's content to the body, keeping count of the characters left out."""

    def __init__(self, doc: DocxDocument) -> None:
        self.body = doc.element.body
        self.styles: dict[str, str] = {}
        self.text_width = A4_TWIPS[0] - 2 * MARGIN_TWIPS
        self.removed = 0
        # "The next content starts on a new page": set as pageBreakBefore on the next paragraph,
        # which does not leave an empty line at the top of the new page as a break run would.
        self.break_pending = False

    def text(self, text: str) -> str:
        """Every string passes here before it is written."""
        safe, removed = word_safe(text)
        self.removed += removed
        return safe.replace("\r\n", "\n").replace("\r", "\n")

    def write(self, document: ExamDocument) -> None:
        styles = self.styles
        self.paragraph(styles["Title"], document.front.title)
        for label, value in document.front.lines:
            self.paragraph(styles["LEDPRO Label"], label)
            self.paragraph(None, value)
        self.break_pending = True
        self.paragraph(styles["TOC Heading"], document.toc_title)
        _add_field(self.new_paragraph(None), TOC_INSTRUCTION, self.text(document.toc_placeholder))
        self.break_pending = True
        for block in document.body:
            self.block(block)
        self.break_pending = True
        self.paragraph(styles["heading 1"], document.references_title)
        for entry in document.references:
            paragraph = self.new_paragraph(styles["LEDPRO Reference"])
            for span in entry:
                _add_runs(paragraph, self.text(span.text), italic=span.italic)
        for block in document.appendix:
            self.block(block)
        # A break still pending here has nothing after it: it would only add an empty last page.

    def block(self, block: object) -> None:
        styles = self.styles
        match block:
            case Heading(text=text, level=level):
                self.paragraph(styles[f"heading {min(max(level, 1), 3)}"], text)
            case Prompt(text=text):
                self.paragraph(styles["LEDPRO Prompt"], text)
            case Label(text=text):
                self.paragraph(styles["LEDPRO Label"], text)
            case UserText(text=text):
                for paragraph_text in _paragraphs(self.text(text)):
                    _add_runs(self.new_paragraph(None), paragraph_text)
            case Remark(text=text):
                self.paragraph(None, text)
            case Table():
                self.table(block)
            case PageBreak():
                self.break_pending = True
            case _:
                raise TypeError(f"not a block of the exam document: {type(block).__name__}")

    def paragraph(self, style_id: str | None, text: str) -> None:
        _add_runs(self.new_paragraph(style_id), self.text(text))

    def new_paragraph(self, style_id: str | None) -> etree._Element:
        paragraph = _new_paragraph(self.body, style_id, page_break_before=self.break_pending)
        self.break_pending = False
        return paragraph

    def table(self, table: Table) -> None:
        columns = max([len(table.header), *(len(row) for row in table.rows)])
        if columns == 0:
            return
        if self.break_pending:  # Word ignores pageBreakBefore inside a table: an empty paragraph carries it
            self.new_paragraph(None)
        element = _SubElement(self.body, _W["tbl"])
        properties = _SubElement(element, _W["tblPr"])
        _SubElement(properties, _W["tblStyle"]).set(_W["val"], self.styles["Table Grid"])
        width = _SubElement(properties, _W["tblW"])  # the full text width; columns fit their content
        width.set(_W["w"], "5000")
        width.set(_W["type"], "pct")
        look = _SubElement(properties, _W["tblLook"])
        for name, value in (("firstRow", "1"), ("lastRow", "0"), ("firstColumn", "0"), ("lastColumn", "0"),
                            ("noHBand", "1"), ("noVBand", "1")):
            look.set(_W[name], value)
        grid = _SubElement(element, _W["tblGrid"])
        column_width = str(self.text_width // columns)
        for _ in range(columns):
            _SubElement(grid, _W["gridCol"]).set(_W["w"], column_width)
        rows = [(tuple(table.header), True)] if table.header else []
        rows += [(tuple(row), False) for row in table.rows]
        for cells, is_header in rows:
            row = _SubElement(element, _W["tr"])
            if is_header:  # repeated at the top of every page the table runs over
                _SubElement(_SubElement(row, _W["trPr"]), _W["tblHeader"])
            for cell_text in cells + ("",) * (columns - len(cells)):
                cell = _SubElement(row, _W["tc"])
                cell_width = _SubElement(_SubElement(cell, _W["tcPr"]), _W["tcW"])
                cell_width.set(_W["w"], column_width)
                cell_width.set(_W["type"], "dxa")
                for paragraph_text in list(_paragraphs(self.text(cell_text))) or [""]:  # a cell needs a paragraph
                    _add_runs(_new_paragraph(cell, None), paragraph_text, bold=is_header)


def _new_paragraph(
    parent: etree._Element | None, style_id: str | None, *, page_break_before: bool = False, alignment: str = ""
) -> etree._Element:
    """An empty paragraph, appended to `parent` if given."""
    paragraph = etree.Element(_W["p"]) if parent is None else _SubElement(parent, _W["p"])
    if style_id or page_break_before or alignment:
        properties = _SubElement(paragraph, _W["pPr"])
        if style_id:
            _SubElement(properties, _W["pStyle"]).set(_W["val"], style_id)
        if page_break_before:
            _SubElement(properties, _W["pageBreakBefore"])
        if alignment:
            _SubElement(properties, _W["jc"]).set(_W["val"], alignment)
    return paragraph


def _add_runs(paragraph: etree._Element, text: str, *, bold: bool = False, italic: bool = False) -> None:
    """One run for already safe text: tabs become w:tab and line breaks w:br, as Word has them."""
    if not text:
        return
    run = _SubElement(paragraph, _W["r"])
    if bold or italic:
        properties = _SubElement(run, _W["rPr"])
        if bold:
            _SubElement(properties, _W["b"])
            _SubElement(properties, _W["bCs"])
        if italic:
            _SubElement(properties, _W["i"])
            _SubElement(properties, _W["iCs"])
    for piece in _TAB_OR_NEWLINE.split(text) if ("\t" in text or "\n" in text) else (text,):
        if piece == "\t":
            _SubElement(run, _W["tab"])
        elif piece == "\n":
            _SubElement(run, _W["br"])
        elif piece:
            element = _SubElement(run, _W["t"])
            element.text = piece
            element.set(_XML_SPACE, "preserve")


def _add_field(paragraph: etree._Element, instruction: str, result: str) -> None:
    """A complex field showing `result` until Word updates it; marked dirty so that Word does."""
    begin = _SubElement(_SubElement(paragraph, _W["r"]), _W["fldChar"])
    begin.set(_W["fldCharType"], "begin")
    begin.set(_W["dirty"], "true")
    code = _SubElement(_SubElement(paragraph, _W["r"]), _W["instrText"])
    code.text = instruction
    code.set(_XML_SPACE, "preserve")
    _SubElement(_SubElement(paragraph, _W["r"]), _W["fldChar"]).set(_W["fldCharType"], "separate")
    _add_runs(paragraph, result)
    _SubElement(_SubElement(paragraph, _W["r"]), _W["fldChar"]).set(_W["fldCharType"], "end")


def _paragraphs(text: str) -> Iterator[str]:
    """A participant's text as Word paragraphs: blank (or whitespace-only) lines separate them,
    single line breaks stay inside; blank lines at the start and end are dropped, text never."""
    lines: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            lines.append(line)
        elif lines:
            yield "\n".join(lines)
            lines = []
    if lines:
        yield "\n".join(lines)
