"""An institution's template is someone else's file copied into every participant's exam draft (issue 10):
only its styles, page set-up and header/footer text may reach the draft. A node bomb, a DTD with entities,
external relationships and fields that fetch from the web are refused or dropped, and the app's memory stays
bounded while it decides."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import textwrap

import docx
import pytest

from ledpro_journal.export.exam_docx import TemplateRejected, build_docx, check_template
from tests.export.test_exam_docx import exam, institution_template, journal_body, package_parts, zip_of

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
IMAGE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
TRACKER = "https://tracker.example/pixel.png"


def rejected_with(content: bytes) -> str:
    with pytest.raises(TemplateRejected) as rejected:
        check_template(content)
    return rejected.value.key


def with_part(name: str, data: bytes, parts: dict[str, bytes] | None = None) -> bytes:
    parts = dict(parts or package_parts(institution_template()))
    parts[name] = data
    return zip_of(parts)


def node_bomb() -> bytes:
    """A 95 MiB styles.xml of empty elements: about 100 KB zipped."""
    parts = package_parts(institution_template())
    styles = parts["word/styles.xml"].decode()
    filler = "<w:style/>" * (95 * 1024 * 1024 // len("<w:style/>"))
    parts["word/styles.xml"] = styles.replace("</w:styles>", filler + "</w:styles>").encode()
    return zip_of(parts)


def test_a_node_bomb_is_refused_before_it_is_parsed():
    bomb = node_bomb()
    assert len(bomb) < 500_000
    assert rejected_with(bomb) == "exam.template.too_complex"


def test_the_node_bomb_costs_bounded_memory_and_time():
    """In a fresh interpreter, deciding on the bomb grows the process by less than 60 MiB."""
    script = textwrap.dedent("""
        import resource, sys, time
        sys.path.insert(0, ".")
        from tests.export.test_hostile_templates import node_bomb
        from ledpro_journal.export.exam_docx import TemplateRejected, check_template
        bomb = node_bomb()
        import gc; gc.collect()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        started = time.perf_counter()
        try:
            check_template(bomb)
        except TemplateRejected as rejected:
            print(rejected.key)
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before, time.perf_counter() - started)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    key, numbers = result.stdout.strip().splitlines()
    grown_kib, seconds = numbers.split()
    assert key == "exam.template.too_complex"
    assert int(grown_kib) < 60 * 1024, f"grew by {int(grown_kib) // 1024} MiB in {float(seconds):.2f} s"


@pytest.mark.parametrize("declaration", [
    b'<!DOCTYPE w:styles [<!ENTITY who "Kari Nordmann">]>',
    b'<!DOCTYPE w:styles SYSTEM "https://evil.example/styles.dtd">',
    b'<!doctype w:styles [<!entity a "aaaaaaaaaa"><!entity b "&a;&a;&a;&a;&a;&a;">]>',
])
def test_a_dtd_or_an_entity_is_refused(declaration):
    parts = package_parts(institution_template())
    styles = parts["word/styles.xml"]
    declared = re.sub(rb"(<\?xml[^>]*\?>)", rb"\1" + declaration.replace(b"\\", b"\\\\"), styles, count=1)
    assert declared != styles
    assert rejected_with(with_part("word/styles.xml", declared, parts)) == "exam.template.unsafe_xml"


def template_reaching_out() -> bytes:
    """A template whose header has a logo, a tracking picture linked from the web, a hyperlink, and an
    INCLUDEPICTURE field; whose document has an external relationship of its own; and whose body holds
    an image."""
    source = docx.Document()
    source.sections[0].header.paragraphs[0].text = "Høgskolen i Innlandet"
    buffer = io.BytesIO()
    source.save(buffer)
    parts = package_parts(buffer.getvalue())
    header_name = next(name for name in parts if re.fullmatch(r"word/header\d*\.xml", name))
    header = parts[header_name].decode()
    extra = (
        f'<w:p {W} {R}><w:hyperlink r:id="rIdLink"><w:r><w:t>Les mer</w:t></w:r></w:hyperlink></w:p>'
        f'<w:p {W}><w:fldSimple w:instr=\' INCLUDEPICTURE "{TRACKER}" \\d \'><w:r><w:t>bilde</w:t></w:r>'
        "</w:fldSimple></w:p>"
        f'<w:p {W}><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> INCLUDETEXT '
        f'"{TRACKER}" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        '<w:r><w:t>tekst</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>'
        f'<w:p {W} {R}><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:imagedata r:id="rIdPixel"/>'
        "</v:shape></w:pict></w:r><w:r><w:t>Side </w:t></w:r><w:fldSimple w:instr=\" PAGE \"><w:r><w:t>1</w:t>"
        "</w:r></w:fldSimple></w:p>"
    )
    parts[header_name] = header.replace("</w:hdr>", extra + "</w:hdr>").encode()
    header_rels = header_name.replace("word/", "word/_rels/") + ".rels"
    parts[header_rels] = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rIdLink" Type="{HYPERLINK}" Target="https://phish.example/" TargetMode="External"/>'
        f'<Relationship Id="rIdPixel" Type="{IMAGE}" Target="{TRACKER}" TargetMode="External"/>'
        "</Relationships>"
    ).encode()
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        f'<Relationship Id="rIdOut" Type="{HYPERLINK}" Target="https://evil.example/doc" TargetMode="External"/>'
        "</Relationships>".encode())
    return zip_of(parts)


def test_nothing_in_a_draft_reaches_another_host_and_the_header_text_stays(tmp_path):
    template = template_reaching_out()
    check_template(template)

    built = build_docx(exam(journal_body(), template=template))

    parts = package_parts(built.content)
    everything = b"".join(parts.values())
    for address in (TRACKER.encode(), b"phish.example", b"evil.example", b'TargetMode="External"'):
        assert address not in everything, address
    for field in (b"INCLUDEPICTURE", b"INCLUDETEXT"):
        assert field not in everything
    opened = docx.Document(io.BytesIO(built.content))
    header = " ".join(p.text for p in opened.sections[0].header.paragraphs)
    for text in ("Høgskolen i Innlandet", "Les mer", "bilde", "tekst", "Side"):
        assert text in header
    assert b"PAGE" in b"".join(data for name, data in parts.items() if "header" in name)
    assert not any(name.startswith("word/media/") for name in parts)


def test_a_draft_on_a_reduced_template_opens_in_libreoffice(tmp_path):
    soffice = "/usr/bin/soffice"
    import shutil

    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is missing (./test.sh installs it)")
    built = build_docx(exam(journal_body(), template=template_reaching_out()))
    path = tmp_path / "utkast.docx"
    path.write_bytes(built.content)
    subprocess.run([soffice, "--headless", "--convert-to", "txt:Text", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=120)
    text = (tmp_path / "utkast.txt").read_text(encoding="utf-8-sig")
    assert "Å lede gjennom endring" in text and "1 Innledning" in text
