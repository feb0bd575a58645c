"""The exam draft as a Word file: it opens (LibreOffice, pandoc, docx2python, python-docx), holds every
word the participant wrote with their paragraphs, looks like a Norwegian university paper, names
nobody in its metadata, and takes an institution's template without inheriting its author."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledpro_journal.export.document import (
    ExamDocument,
    FrontPage,
    Heading,
    Label,
    PageBreak,
    Prompt,
    Remark,
    Span,
    Table,
    UserText,
)
from ledpro_journal.export.exam_docx import (
    MAX_TEMPLATE_BYTES,
    BuiltDocument,
    TemplateRejected,
    build_docx,
    check_template,
    word_safe,
)
from tests.export.readback import (
    docx2python_text,
    normalise,
    pandoc_text,
    pdf_page_count,
    pdf_page_size_mm,
    to_pdf,
)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
TEMPLATE_AUTHOR = "Kari Nordmann"
TEMPLATE_MANAGER = "Ola Nordmann"

NOTES = (
    "Første møte med teamet. Vi snakket om ærlighet, øvelse og årsplan.\n"
    "Én linje til i samme avsnitt.\n\n"
    "Andre avsnitt: **dette er ikke fet**, # ikke en overskrift, <b>ikke HTML</b> & heller ikke &amp;.\n"
    "   \n"
    "Tredje avsnitt\tmed tabulator og emoji 😀👩🏽‍💼.",
    "مرحبا بالعالم — høyre-til-venstre midt i en norsk setning, og שלום עולם.",
    "- en liste?\n- nei, bare tekst\n\n1. heller ikke nummerert\n\n> ikke et sitat\n\n```\nikke kode\n```",
    "]]> <![CDATA[ x ]]> <!-- ikke en kommentar --> \"anførsel\" 'enkel' «norsk»",
)


def exam(body=(), *, references=None, appendix=(), template: bytes | None = None,
         header_text: str = "Kandidat 4711 – LEDPRO del 1") -> ExamDocument:
    return ExamDocument(
        language="nb-NO",
        front=FrontPage(
            title="Å lede gjennom endring",
            lines=(
                ("Problemstilling", "Hvordan kan jeg som leder skape rom for refleksjon?"),
                ("Program", "LEDPRO del 1"),
                ("Institusjon", "Høgskolen i Innlandet"),
                ("Semester", "Høst 2024"),
                ("Kandidatnummer", "4711"),
                ("Antall ord", "1 234"),
            ),
        ),
        header_text=header_text,
        toc_title="Innholdsfortegnelse",
        toc_placeholder="Høyreklikk og velg Oppdater felt for å vise innholdsfortegnelsen.",
        body=tuple(body),
        references_title="Litteraturliste",
        references=(
            (
                (Span("Argyris, C. & Schön, D. A. (1978). "), Span("Organizational learning", italic=True),
                 Span(". Addison-Wesley.")),
                (Span("Bion, W. R. (1961). "), Span("Experiences in groups", italic=True), Span(". Tavistock.")),
            )
            if references is None
            else references
        ),
        appendix=tuple(appendix),
        title_for_metadata="Eksamensutkast LEDPRO",
        template=template,
    )


def journal_body() -> list:
    body: list = [Heading("1 Innledning"), Prompt("Hva er problemstillingen din?"), Remark("Skrevet av kandidat 4711")]
    for number, note in enumerate(NOTES, start=1):
        body += [Heading(f"Aksjon {number}", level=2), Heading("Logg", level=3), Label("Hva skjedde?"), UserText(note)]
    body += [PageBreak(), Heading("6 Avslutning"), UserText("Det jeg lærte.")]
    return body


ACTION_LOG = Table(("Dato", "Aksjon", "Med hvem", "Utfall"), (("2024-09-02", "Møte & plan", "Team <A>", "Avtalt"),))


def build(document: ExamDocument, tmp_path: Path, name: str = "exam.docx") -> tuple[BuiltDocument, Path]:
    built = build_docx(document)
    path = tmp_path / name
    path.write_bytes(built.content)
    return built, path


def package_parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def institution_template() -> bytes:
    """A template as an institution might send it: A4, 3 cm margins, Arial 11 pt, its name in the
    header, a localised id for Heading 1, no Heading 2, and its author's name in every place Word
    keeps one (core and app properties, custom properties, a comment, a tracked change in the
    header, the attached template's path), plus body text that must not be carried over."""
    template = docx.Document()
    template.sections[0].page_width, template.sections[0].page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(template.sections[0], side, Cm(3))
    template.styles["Normal"].font.name = "Arial"
    template.styles["Normal"].font.size = Pt(11)
    template.styles["Heading 1"].style_id = "Overskrift1"
    heading_2 = template.styles["Heading 2"].element
    heading_2.getparent().remove(heading_2)
    template.sections[0].header.paragraphs[0].text = "Høgskolen i Innlandet"
    template.sections[0].header.paragraphs[0]._p.append(docx.oxml.parse_xml(
        f'<w:ins xmlns:w="{W_NS}" w:id="90" w:author="{TEMPLATE_AUTHOR}" w:date="2023-05-01T10:00:00Z">'
        "<w:r><w:t> (revidert)</w:t></w:r></w:ins>"))
    paragraph = template.add_paragraph("Skriv oppgaven din her. Kontakt: kari.nordmann@example.no")
    template.add_comment(paragraph.runs, text="Husk kildene", author=TEMPLATE_AUTHOR, initials="KN")
    core = template.core_properties
    core.author = core.last_modified_by = TEMPLATE_AUTHOR
    core.comments = f"Laget av {TEMPLATE_AUTHOR}"
    buffer = io.BytesIO()
    template.save(buffer)
    parts = package_parts(buffer.getvalue())
    parts["docProps/app.xml"] = parts["docProps/app.xml"].replace(
        b"<Manager/>", f"<Manager>{TEMPLATE_MANAGER}</Manager>".encode()
    ).replace(b"<Company/>", b"<Company>Nordmann Konsult</Company>")
    parts["docProps/custom.xml"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="Owner">'
        f"<vt:lpwstr>{TEMPLATE_AUTHOR}</vt:lpwstr></property></Properties>"
    ).encode()
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/docProps/custom.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/></Types>',
    )
    parts["_rels/.rels"] = parts["_rels/.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdCustom" Target="docProps/custom.xml" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/custom-properties"/></Relationships>',
    )
    parts["word/settings.xml"] = re.sub(
        rb"(<w:zoom [^>]*/>)",
        rb'\1<w:attachedTemplate r:id="rIdTemplate"/>',
        parts["word/settings.xml"],
    )
    parts["word/_rels/settings.xml.rels"] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rIdTemplate" TargetMode="External" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/attachedTemplate" '
        f'Target="file:///C:/Users/{TEMPLATE_AUTHOR.replace(" ", ".")}/Maler/HINN.dotx"/></Relationships>'
    ).encode()
    return zip_of(parts)


def zip_of(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def xml_parts(content: bytes) -> dict[str, str]:
    return {
        name: data.decode("utf-8")
        for name, data in package_parts(content).items()
        if name.endswith((".xml", ".rels"))
    }


def w_text(element) -> str:
    """The characters of an element's w:t nodes (python-docx's element classes confuse lxml's itertext)."""
    return "".join(node.text or "" for node in element.iter(qn("w:t")))


def story_text(story) -> str:
    return normalise(" ".join(paragraph.text for paragraph in story.paragraphs))


# --- It opens, and it is A4 ---------------------------------------------------------------------------


@pytest.mark.parametrize("with_template", [False, True], ids=["default look", "institution template"])
def test_libreoffice_converts_the_draft_to_an_a4_pdf(tmp_path: Path, with_template: bool) -> None:
    template = institution_template() if with_template else None
    _, path = build(exam(journal_body(), appendix=[Heading("Vedlegg"), ACTION_LOG], template=template), tmp_path)

    pdf = to_pdf(path)

    width, height = pdf_page_size_mm(pdf)
    assert abs(width - 210) <= 1 and abs(height - 297) <= 1
    # front page, table of contents, body, a page break, references
    assert pdf_page_count(pdf) >= 5


def test_libreoffice_converts_a_draft_of_nasty_text_including_a_200000_character_note(tmp_path: Path) -> None:
    long_note = ("Lang refleksjon uten avsnitt, æøå & <tag> 😀 " * 5000)[:200_000]
    nasty = "\x00nul\x01\x0bkontroll\ufffe\uffff" + "".join(NOTES) + "\ud800 ensom surrogat"
    body = [Heading(nasty), Prompt(nasty), Label(nasty), UserText(nasty), Remark(nasty), UserText(long_note),
            Table((nasty, "b"), ((nasty,), ("1", "2", "3")))]
    document = exam(body, references=((Span(nasty, italic=True),),), header_text=nasty)
    built, path = build(document, tmp_path)

    assert built.removed_characters > 0
    assert normalise(long_note) in normalise(docx2python_text(path))
    pdf = to_pdf(path)
    assert pdf_page_size_mm(pdf)[0] == pytest.approx(210, abs=1)
    assert pdf_page_count(pdf) > 30  # the long note is there, over many pages


# --- Every word, with its paragraphs --------------------------------------------------------------------


def test_pandoc_and_docx2python_read_back_every_note(tmp_path: Path) -> None:
    _, path = build(exam(journal_body()), tmp_path)

    by_pandoc, by_docx2python = normalise(pandoc_text(path)), normalise(docx2python_text(path))

    for note in NOTES:
        assert normalise(note) in by_pandoc
        assert normalise(note) in by_docx2python


def test_a_note_keeps_its_paragraphs_line_breaks_and_tabs(tmp_path: Path) -> None:
    note = "\n\r\n  \nFørste avsnitt\r\nsamme avsnitt\n\n  \t \nAndre\tavsnitt\r\rTredje avsnitt\n\n\n"
    built, path = build(exam([UserText(note)]), tmp_path)

    body = docx.Document(str(path)).element.body
    paragraphs = [p for p in body.iter(qn("w:p")) if "avsnitt" in w_text(p)]
    assert [w_text(p) for p in paragraphs] == ["Første avsnittsamme avsnitt", "Andreavsnitt", "Tredje avsnitt"]
    assert len(paragraphs[0].findall(f".//{qn('w:br')}")) == 1  # the single line break stays one
    assert len(paragraphs[1].findall(f".//{qn('w:tab')}")) == 1
    assert built.removed_characters == 0


# --- Nobody's name --------------------------------------------------------------------------------------


def test_the_metadata_names_nobody_and_says_nothing_of_python_docx(tmp_path: Path) -> None:
    built, _ = build(exam(journal_body()), tmp_path)

    parts = package_parts(built.content)
    assert not any("thumbnail" in name or name.startswith("customXml/") for name in parts)
    assert "docProps/custom.xml" not in parts
    for name, data in parts.items():
        assert b"python-docx" not in data.lower(), name
    core = docx.Document(io.BytesIO(built.content)).core_properties
    assert (core.author, core.last_modified_by, core.subject, core.keywords, core.comments, core.category) == ("",) * 6
    assert core.title == "Eksamensutkast LEDPRO"
    assert core.language == "nb-NO"
    assert core.revision == 1
    assert core.created == core.modified and core.created.year >= 2024
    app = parts["docProps/app.xml"].decode()
    assert "<Application>LEDPRO Journal</Application>" in app
    assert "Template" not in app and "Company" not in app and "Manager" not in app


# --- Header, footer, contents, front page ---------------------------------------------------------------


def test_header_footer_and_table_of_contents_are_fields_and_text_word_keeps_up_to_date(tmp_path: Path) -> None:
    built, _ = build(exam(journal_body()), tmp_path)
    document = docx.Document(io.BytesIO(built.content))
    section = document.sections[0]
    parts = xml_parts(built.content)

    assert story_text(section.header) == "Kandidat 4711 – LEDPRO del 1"
    footer_xml = section.footer.part.element
    instructions = [node.text for node in footer_xml.iter(qn("w:instrText"))]
    assert [text.strip() for text in instructions] == ["PAGE"]
    assert [node.get(qn("w:fldCharType")) for node in footer_xml.iter(qn("w:fldChar"))] == ["begin", "separate", "end"]
    # the front page: a first page of its own, with an empty header and footer
    assert section.different_first_page_header_footer
    assert story_text(section.first_page_header) == "" and story_text(section.first_page_footer) == ""
    assert 'TOC \\o "1-3" \\h \\z \\u' in parts["word/document.xml"]
    assert "Høyreklikk og velg Oppdater felt" in parts["word/document.xml"]
    assert re.search(r'<w:updateFields w:val="true"/>', parts["word/settings.xml"])
    assert 'w:val="nb-NO"' in parts["word/settings.xml"]


def test_headings_prompts_labels_and_references_use_their_styles(tmp_path: Path) -> None:
    body = [Heading("Kapittel", level=1), Heading("Del", level=2), Heading("Ledd", level=3), Heading("Dypt", level=7),
            Heading("Grunt", level=0), Prompt("Knytt dette til teori."), Label("Hva skjedde?"),
            Remark("Skrevet av kandidat 4711")]
    built, _ = build(exam(body, appendix=[ACTION_LOG]), tmp_path)
    document = docx.Document(io.BytesIO(built.content))

    style_of = {p.text: p.style.name for p in document.paragraphs}
    assert [style_of[t] for t in ("Kapittel", "Del", "Ledd", "Dypt", "Grunt")] == [
        "Heading 1", "Heading 2", "Heading 3", "Heading 3", "Heading 1"]
    assert style_of["Knytt dette til teori."] == "LEDPRO Prompt"
    assert style_of["Hva skjedde?"] == "LEDPRO Label"
    assert style_of["Skrevet av kandidat 4711"] == "Normal"
    assert style_of["Å lede gjennom endring"] == "Title"
    assert style_of["Innholdsfortegnelse"] == "TOC Heading"  # not a heading: not in its own contents
    assert style_of["Litteraturliste"] == "Heading 1"
    prompt = document.styles["LEDPRO Prompt"]
    assert prompt.font.italic and prompt.font.color.rgb is not None
    label = document.styles["LEDPRO Label"]
    assert label.font.bold and label.font.size == Pt(11) and label.paragraph_format.keep_with_next
    references = [p for p in document.paragraphs if p.style.name == "LEDPRO Reference"]
    assert [p.text for p in references] == [
        "Argyris, C. & Schön, D. A. (1978). Organizational learning. Addison-Wesley.",
        "Bion, W. R. (1961). Experiences in groups. Tavistock.",
    ]
    assert [run.italic for run in references[0].runs] == [None, True, None]
    reference_format = document.styles["LEDPRO Reference"].paragraph_format
    assert reference_format.first_line_indent == -Cm(1.27) and reference_format.left_indent == Cm(1.27)
    # the references start on a new page
    (references_heading,) = [p for p in document.paragraphs if p.text == "Litteraturliste"]
    assert references_heading.paragraph_format.page_break_before
    (table,) = document.tables
    assert [cell.text for cell in table.rows[0].cells] == ["Dato", "Aksjon", "Med hvem", "Utfall"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every page
    assert table.style.name == "Table Grid"
    assert [cell.text for cell in table.rows[1].cells] == ["2024-09-02", "Møte & plan", "Team <A>", "Avtalt"]


def test_without_references_the_list_is_a_heading_alone(tmp_path: Path) -> None:
    built, _ = build(exam([UserText("Tekst")], references=(), appendix=[Heading("Vedlegg")]), tmp_path)
    texts = [p.text for p in docx.Document(io.BytesIO(built.content)).paragraphs]

    assert texts[texts.index("Litteraturliste") + 1] == "Vedlegg"


def test_the_default_look_is_a4_with_norwegian_university_defaults(tmp_path: Path) -> None:
    built, _ = build(exam(journal_body()), tmp_path)
    document = docx.Document(io.BytesIO(built.content))
    section = document.sections[0]

    assert (section.page_width.twips, section.page_height.twips) == (11906, 16838)
    for margin in (section.left_margin, section.right_margin, section.top_margin, section.bottom_margin):
        assert margin.cm == pytest.approx(2.5, abs=0.01)
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(f".//{qn('w:sz')}").get(qn("w:val")) == "24"  # 12 pt
    assert defaults.find(f".//{qn('w:spacing')}").get(qn("w:line")) == "360"  # 1.5 lines
    assert defaults.find(f".//{qn('w:lang')}").get(qn("w:val")) == "nb-NO"
    fonts = defaults.find(f".//{qn('w:rFonts')}")
    assert {fonts.get(qn(f"w:{kind}")) for kind in ("ascii", "hAnsi", "eastAsia", "cs")} == {"Times New Roman"}


# --- Characters Word cannot hold -----------------------------------------------------------------------


def test_characters_word_cannot_hold_are_left_out_counted_and_the_rest_kept(tmp_path: Path) -> None:
    built, path = build(exam([UserText("før\x00midt\x01etter\x0bslutt")]), tmp_path)

    assert built.removed_characters == 3
    assert "førmidtetterslutt" in docx2python_text(path)


def test_word_safe_removes_only_what_xml_cannot_hold() -> None:
    kept = "tab\tlinje\nretur\r æøå 😀 \u200f مرحبا \x7f \x85 \ufffd \U0010fffd"
    assert word_safe(kept) == (kept, 0)
    assert word_safe("a\x00b\x08c\x0c\x1fd\ufffe\uffff\ud800\udfffe") == ("abcde", 8)


ANY_CHARACTER = st.characters(exclude_categories=())  # surrogates included
TEXT = st.text(st.one_of(ANY_CHARACTER, st.sampled_from("\x00\x01\x0b\r\n\t \ud83d\ufffe<&]>")), max_size=3000)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(note=TEXT, heading=TEXT, remark=TEXT, cell=TEXT, span=TEXT, header=TEXT)
def test_any_text_builds_and_everything_word_can_hold_reads_back(note, heading, remark, cell, span, header) -> None:
    document = exam(
        [Heading(heading, level=2), UserText(note), Remark(remark), Table((cell,), ((cell, remark),))],
        references=((Span(span, italic=True), Span(span)),),
        header_text=header,
    )

    built = build_docx(document)

    opened = docx.Document(io.BytesIO(built.content))
    body_text = normalise("\n".join(
        [p.text for p in opened.paragraphs]
        + [cell.text for table in opened.tables for row in table.rows for cell in row.cells]
    ))
    header_text = story_text(opened.sections[0].header)
    for text, read_back in ((note, body_text), (heading, body_text), (remark, body_text), (cell, body_text),
                            (span + span, body_text), (header, header_text)):
        assert normalise(word_safe(text)[0]) in read_back
    # the remark, the cell and the span are written twice each
    written_once, written_twice = (note, heading, header), (remark, cell, span)
    assert built.removed_characters == (
        sum(word_safe(text)[1] for text in written_once) + 2 * sum(word_safe(text)[1] for text in written_twice))


# --- The institution's template --------------------------------------------------------------------------


def test_an_institution_template_keeps_its_look_gains_header_and_page_number_and_loses_its_author(
    tmp_path: Path,
) -> None:
    template = institution_template()
    template_parts = package_parts(template)
    for name in ("docProps/core.xml", "docProps/app.xml", "docProps/custom.xml", "word/comments.xml",
                 "word/header1.xml", "word/_rels/settings.xml.rels"):
        assert b"Nordmann" in template_parts[name], name  # so that its absence below means something

    built, _ = build(exam(journal_body(), template=template), tmp_path)
    document = docx.Document(io.BytesIO(built.content))
    section = document.sections[0]

    # its look
    assert section.left_margin.cm == pytest.approx(3, abs=0.01) and section.top_margin.cm == pytest.approx(3, abs=0.01)
    assert document.styles["Normal"].font.name == "Arial" and document.styles["Normal"].font.size == Pt(11)
    header = story_text(section.header)
    assert "Høgskolen i Innlandet" in header and "Kandidat 4711 – LEDPRO del 1" in header
    assert "PAGE" in "".join(node.text for node in section.footer.part.element.iter(qn("w:instrText")))
    assert section.different_first_page_header_footer and story_text(section.first_page_header) == ""
    # our styles, found by name whatever the template calls them
    styles = {p.text: p.style for p in document.paragraphs}
    assert styles["1 Innledning"].name == "Heading 1" and styles["1 Innledning"].style_id == "Overskrift1"
    assert styles["Aksjon 1"].name == "Heading 2"  # the template had none: added
    assert styles["Hva er problemstillingen din?"].name == "LEDPRO Prompt"
    # none of its body
    assert "Skriv oppgaven din her" not in " ".join(p.text for p in document.paragraphs)
    # nobody's name anywhere in the package
    parts = package_parts(built.content)
    for name, data in parts.items():
        for trace in (TEMPLATE_AUTHOR, TEMPLATE_MANAGER, "Nordmann", "nordmann", "python-docx"):
            assert trace.encode() not in data, f"{trace!r} in {name}"
    assert not any("comments" in name or "custom" in name.lower() or "thumbnail" in name for name in parts)
    assert docx.Document(io.BytesIO(built.content)).core_properties.author == ""


def test_a_template_page_number_in_the_header_is_not_repeated_in_the_footer(tmp_path: Path) -> None:
    template = docx.Document()
    header = template.sections[0].header.paragraphs[0]
    header.text = "Side "
    field = docx.oxml.parse_xml(
        f'<w:fldSimple xmlns:w="{W_NS}" w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple>')
    header._p.append(field)
    buffer = io.BytesIO()
    template.save(buffer)

    built, _ = build(exam([UserText("Tekst")], template=buffer.getvalue()), tmp_path)
    footer = docx.Document(io.BytesIO(built.content)).sections[0].footer.part.element

    assert not list(footer.iter(qn("w:instrText")))


# --- Which templates we take -----------------------------------------------------------------------------


def a_docx() -> bytes:
    buffer = io.BytesIO()
    docx.Document().save(buffer)
    return buffer.getvalue()


def test_check_template_accepts_a_word_document() -> None:
    check_template(a_docx())


@pytest.mark.parametrize(
    ("content", "key"),
    [
        (b"not a zip at all", "exam.template.not_docx"),
        (b"", "exam.template.not_docx"),
        (
            zip_of({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}),
            "exam.template.not_docx",
        ),
        (zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}), "exam.template.not_docx"),
        (
            zip_of({**package_parts(a_docx()), "word/vbaProject.bin": b"\xd0\xcf\x11\xe0macro"}),
            "exam.template.macros",
        ),
        (b"PK" + b"\0" * (MAX_TEMPLATE_BYTES + 1), "exam.template.too_large"),
    ],
    ids=["not a zip", "empty", "an OpenDocument file", "a spreadsheet", "a .docm with macros", "over 10 MB"],
)
def test_check_template_rejects(content: bytes, key: str) -> None:
    with pytest.raises(TemplateRejected) as rejected:
        check_template(content)
    assert rejected.value.key == key


def test_check_template_rejects_a_docm_by_its_content_type() -> None:
    parts = package_parts(a_docx())
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"macroEnabled.main+xml").replace(
        b"application/vnd.openxmlformats-officedocument.macroEnabled", b"application/vnd.ms-word.document.macroEnabled")
    with pytest.raises(TemplateRejected) as rejected:
        check_template(zip_of(parts))
    assert rejected.value.key == "exam.template.macros"


def test_a_rejected_template_makes_build_raise_the_same_reason() -> None:
    with pytest.raises(TemplateRejected) as rejected:
        build_docx(exam(template=b"not a zip"))
    assert rejected.value.key == "exam.template.not_docx"


def test_a_word_template_file_dotx_is_used_like_a_docx(tmp_path: Path) -> None:
    """Institutions hand out .dotx files: the same package, its main part typed as a template."""
    parts = package_parts(institution_template())
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml")
    dotx = zip_of(parts)
    check_template(dotx)
    built, path = build(exam(journal_body(), template=dotx), tmp_path)
    document = docx.Document(io.BytesIO(built.content))
    assert document.sections[0].left_margin.cm == pytest.approx(3, abs=0.01)
    assert b"wordprocessingml.document.main+xml" in package_parts(built.content)["[Content_Types].xml"]
