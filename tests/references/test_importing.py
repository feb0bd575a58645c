"""References imported from RIS (EndNote, Zotero) and BibTeX (Zotero, Better BibTeX): what comes in, what
is skipped, and that a bad file is only ever rejected with a reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledpro_journal import references as ref
from ledpro_journal.references import Work
from tests.references.examples import person

FIXTURES = Path(__file__).parent / "fixtures"


def load(name: str) -> ref.ImportResult:
    return ref.parse_import(name, (FIXTURES / name).read_bytes())


def by_title(result: ref.ImportResult) -> dict[str, tuple[str, dict]]:
    return {data["title"]: (kind, data) for kind, data in result.entries}


def test_import_zotero_ris():
    result = load("zotero.ris")
    found = by_title(result)
    assert found["Ledelse og kvalitetsforbedring"] == ("edited_book", {
        "editors": [person("Nordby", "Kari"), person("Sæther", "Øyvind")], "year": "2010",
        "title": "Ledelse og kvalitetsforbedring", "edition": "2", "publisher": "Gyldendal akademisk"})
    assert found["Adaptivt lederskap"] == ("chapter", {
        "authors": [person("Heifetz", "Ronald")], "year": "2010", "title": "Adaptivt lederskap",
        "editors": [person("Nordby", "Kari")], "container_title": "Ledelse i praksis", "edition": "2",
        "pages": "12–34", "publisher": "Gyldendal akademisk"})
    assert found["What is action learning?"] == ("article", {
        "authors": [person("Revans", "Reg")], "year": "1982", "title": "What is action learning?",
        "container_title": "Journal of Management Development", "volume": "1", "issue": "3", "pages": "64–75",
        "doi": "10.1108/eb051529", "url": "https://doi.org/10.1108/eb051529"})
    kind, report = found["Ledelse og kvalitetsforbedring i helse- og omsorgstjenesten"]
    assert kind == "report" and report["authors"] == [{"literal": "Helsedirektoratet"}]
    assert report["report_number"] == "IS-2620" and report["container_title"] == "Nasjonale veiledere"
    assert found["Hva er aksjonslæring?"] == ("webpage", {
        "authors": [{"literal": "Universitetet i Oslo"}], "title": "Hva er aksjonslæring?", "container_title": "UiO",
        "url": "https://www.uio.no/studier/aksjonslaering", "accessed": "2024-03-05"})
    assert found["Experiences in groups and other papers"][0] == "book"
    # A master's thesis (THES) without publisher is not guessed at
    assert result.skipped == ["Ledelse i barnehagen: en kvalitativ studie"]


@pytest.mark.parametrize("name", ["endnote_cp1252.txt", "endnote_utf8_bom.ris"])
def test_import_endnote_ris(name):
    result = load(name)
    found = by_title(result)
    assert found["Ledelse i praksis"] == ("edited_book", {
        "editors": [person("Nordby", "Kari"), person("Sæther", "Øyvind")], "year": "2010",
        "title": "Ledelse i praksis", "edition": "2", "publisher": "Gyldendal akademisk"})
    assert found["Adaptivt lederskap"][1]["pages"] == "12–34"
    article = found["Kollegaveiledning og lærende fellesskap"][1]
    assert article["authors"] == [person("Åsen", "Åse"), person("Grønnestad", "Bjørn")]
    assert article["container_title"] == "Tidsskrift for Den norske legeforening"
    assert article["doi"] == "10.4045/tidsskr.18.0765"
    report = found["Ledelse og kvalitetsforbedring i helse- og omsorgstjenesten"][1]
    assert report["authors"] == [{"literal": "Helsedirektoratet"}] and report["report_number"] == "IS-2620"
    assert found["Hva er aksjonslæring?"][1]["accessed"] == "2024-03-05"
    assert found["Leading change"] == ("book", {  # GEN with a publisher: a book
        "authors": [person("Kotter", "John P.")], "year": "1996", "title": "Leading change",
        "publisher": "Harvard Business School Press"})
    assert result.skipped == ["E-post om samlingen"]  # personal communication: not in a reference list
    assert len(result.entries) == 7


def test_import_zotero_bibtex_with_latex_accents():
    result = load("zotero.bib")
    found = by_title(result)
    assert found["Theory in practice: Increasing professional effectiveness"][1]["authors"] == [
        person("Argyris", "Chris"), person("Schön", "Donald A.")]
    assert found["Ledelse i praksis"] == ("edited_book", {
        "editors": [person("Nordby", "Kari"), person("Sæther", "Øyvind")], "year": "2010",
        "title": "Ledelse i praksis", "edition": "2", "publisher": "Gyldendal akademisk"})
    assert found["Adaptivt lederskap"][0] == "chapter"
    assert found["Adaptivt lederskap"][1]["container_title"] == "Ledelse i praksis"
    assert found["Adaptivt lederskap"][1]["pages"] == "12–34"
    assert found["What is action learning?"][1]["issue"] == "3"
    report = found["Ledelse og kvalitetsforbedring i helse- og omsorgstjenesten"]
    assert report == ("report", {"authors": [{"literal": "Helsedirektoratet"}], "year": "2017",
                                 "title": "Ledelse og kvalitetsforbedring i helse- og omsorgstjenesten",
                                 "report_number": "IS-2620", "publisher": "Helsedirektoratet"})
    assert found["Hva er aksjonslæring?"] == ("webpage", {
        "authors": [{"literal": "Universitetet i Oslo"}], "title": "Hva er aksjonslæring?", "container_title": "UiO",
        "url": "https://www.uio.no/studier/aksjonslaering", "accessed": "2024-03-05"})
    assert found["Lederutvikling i Trøndelag"][1]["authors"] == [  # "and others" is et al., not a person
        person("Hansen", "Bjørn"), person("Åsen", "Åse"), person("van der Berg", "Jan")]
    assert result.skipped == []


def test_import_better_bibtex_biblatex_with_half_an_entry():
    result = load("betterbibtex.bib")
    found = by_title(result)
    assert found["Ledelse i praksis"][0] == "edited_book"
    assert found["Kollegaveiledning og lærende fellesskap"][1]["year"] == "2019"
    assert found["Kollegaveiledning og lærende fellesskap"][1]["container_title"] == \
        "Tidsskrift for Den norske legeforening"
    assert found["Hva er aksjonslæring?"][1]["container_title"] == "UiO"
    assert found["Kvalitet i ledelse: en kartlegging"][1]["publisher"] == "NOKUT"
    assert result.skipped == ["Et innlegg som aldri ble ferdig"]


def test_imported_entries_are_valid_and_format():
    for name in ("zotero.ris", "endnote_cp1252.txt", "zotero.bib", "betterbibtex.bib"):
        result = load(name)
        for kind, data in result.entries:
            assert ref.validate(kind, data) == {}, (name, data)
        assert len(ref.bibliography([Work(str(i), k, d) for i, (k, d) in enumerate(result.entries)])) == \
            len(result.entries)


def test_format_is_read_from_the_content_not_the_extension():
    bib = (FIXTURES / "zotero.bib").read_bytes()
    ris = (FIXTURES / "zotero.ris").read_bytes()
    assert len(ref.parse_import("export.ris", bib).entries) == 8
    assert len(ref.parse_import("export", ris).entries) == 6
    assert len(ref.parse_import("export.txt", ris).entries) == 6


def test_ris_with_lf_line_endings_and_missing_space_after_er():
    text = "TY  - BOOK\nAU  - Bion, W. R.\nPY  - 1961\nTI  - Experiences\nPB  - Tavistock\nER  -\n"
    assert ref.parse_import("a.ris", text.encode()).entries == [
        ("book", {"authors": [person("Bion", "W. R.")], "year": "1961", "title": "Experiences",
                  "publisher": "Tavistock"})]


def test_blank_lines_inside_a_ris_record():
    text = "TY  - BOOK\n\nAU  - Bion, W. R.\n\nTI  - Experiences\nPY  - 1961\nPB  - Tavistock\nER  - \n"
    assert by_title(ref.parse_import("a.ris", text.encode()))["Experiences"][0] == "book"


def test_half_a_ris_entry_is_skipped_by_title():
    text = (FIXTURES / "zotero.ris").read_text(encoding="utf-8") + "TY  - BOOK\r\nTI  - Halvferdig bok\r\nAU  - Lie, M."
    result = ref.parse_import("a.ris", text.encode())
    assert len(result.entries) == 6
    assert result.skipped[-1] == "Halvferdig bok"


@pytest.mark.parametrize(("content", "key"), [
    (b"", "literature.import.empty"),
    (b"  \r\n\n\t", "literature.import.empty"),
    (b"\xef\xbb\xbf", "literature.import.empty"),
    (b"@comment{Zotero export with nothing in it}", "literature.import.empty"),
    (bytes(range(256)) * 40, "literature.import.unreadable"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00\xa8[Content_Types].xml", "literature.import.unreadable"),
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n", "literature.import.unreadable"),
    (b"Dette er bare vanlig tekst, ingen referanser.", "literature.import.unreadable"),
    (b"TY  - BOOK\n" + b"x" * (5 * 1024 * 1024), "literature.import.too_large"),
])
def test_bad_files_are_rejected_with_a_reason(content, key):
    with pytest.raises(ref.ImportRejected) as rejected:
        ref.parse_import("referanser.ris", content)
    assert rejected.value.key == key
    assert isinstance(rejected.value, ValueError)


def test_docx_renamed_to_ris_is_unreadable():
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as docx:
        docx.writestr("word/document.xml", "<w:document>TY  - BOOK</w:document>")
    with pytest.raises(ref.ImportRejected) as rejected:
        ref.parse_import("referanser.ris", buffer.getvalue())
    assert rejected.value.key == "literature.import.unreadable"


def test_utf16_endnote_export_is_read():
    text = "TY  - BOOK\r\nAU  - Sæther, Øyvind\r\nPY  - 2020\r\nTI  - Lederskap\r\nPB  - Fagbokforlaget\r\nER  - \r\n"
    result = ref.parse_import("a.txt", text.encode("utf-16"))
    assert result.entries[0][1]["authors"] == [person("Sæther", "Øyvind")]


def _never_raises_but_rejected(filename: str, content: bytes) -> None:
    try:
        result = ref.parse_import(filename, content)
    except ref.ImportRejected as rejected:
        assert rejected.key in {"literature.import.unreadable", "literature.import.empty",
                                "literature.import.too_large"}
        return
    assert isinstance(result, ref.ImportResult)
    for kind, data in result.entries:
        assert kind in ref.KINDS and data.get("title")
    assert all(isinstance(s, str) and s for s in result.skipped)


@settings(max_examples=200, deadline=None)
@given(filename=st.sampled_from(["a.ris", "a.bib", "a.txt", "a", ""]), content=st.binary(max_size=2000))
def test_import_of_arbitrary_bytes_raises_only_import_rejected(filename, content):
    _never_raises_but_rejected(filename, content)


_fragments = st.sampled_from([
    "TY  - BOOK\n", "TY  - CHAP\n", "TY  - JOUR\n", "TY  - EDBOOK\n", "TY  - XYZ\n", "TY  -\n", "ER  - \n", "ER  -",
    "AU  - Bion, W. R.\n", "AU  - ,\n", "AU  - Helsedirektoratet,\n", "A2  - \n", "TI  - Tittel\n", "T1  - \n",
    "PY  - 19\n", "PY  - 2020\n", "SP  - 12\n", "EP  - 3\n", "PB  - P\n", "UR  - x\n", "Y2  - 2024/13/45\n",
    "@book{", "@article{k,", "@misc{k, url={https://x.no}", "title = {T", "author = {A and B and {C}}",
    "editor = {Sch{\\\"o}n, D.}", "}", "{", "\\", "\"", ",", "@", "=", "year = 2020", "and others", "\n",
])


@settings(max_examples=200, deadline=None)
@given(filename=st.sampled_from(["a.ris", "a.bib", "a.txt"]),
       pieces=st.lists(st.one_of(_fragments, st.text(max_size=12)), max_size=40))
def test_import_of_reference_like_text_raises_only_import_rejected(filename, pieces):
    _never_raises_but_rejected(filename, "".join(pieces).encode("utf-8", "surrogatepass"))
