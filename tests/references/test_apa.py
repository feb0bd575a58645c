"""References in APA 7 (Norwegian manual, and English): the reference list, its order and year letters,
parenthetical and narrative citations, and CSL-JSON.

Expected strings follow the examples of the Norwegian APA manual (Sikt/Unit, APA 7th); in the
reference-list tests `*…*` marks italics, compared span by span.
"""

from __future__ import annotations

import logging
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledpro_journal import references as ref
from ledpro_journal.export.document import Span
from ledpro_journal.references import CitedWork, Work, apa
from tests.references.examples import (
    ARGYRIS,
    BION,
    BION_1962,
    GREEN,
    HDIR,
    HEIFETZ,
    NORDBY,
    REVANS,
    UIO,
    any_data,
    any_text,
    person,
    spans,
)


def entry(kind: str, data: dict, language: str = "nb") -> tuple[Span, ...]:
    (only,) = ref.bibliography([Work("k", kind, data)], language)
    return only


def cited(key: str, kind: str, data: dict, page: str | None = None) -> CitedWork:
    return CitedWork(Work(key, kind, data), page)


# --- Norwegian reference list, one kind at a time ---------------------------------------------------------

def test_book():
    assert entry("book", BION) == spans("Bion, W. R. (1961). *Experiences in groups and other papers*. Tavistock.")


def test_book_by_two_authors_has_no_comma_before_ampersand():
    assert entry("book", ARGYRIS) == spans(
        "Argyris, C. & Schön, D. A. (1974). *Theory in practice: Increasing professional effectiveness*. Jossey-Bass.")


def test_book_by_three_authors_lists_them_all():
    assert entry("book", GREEN) == spans("Green, A., Brown, B. & White, C. (2009). *Leading groups*. Sage.")


def test_book_with_21_or_more_authors_lists_19_then_the_last():
    data = {**GREEN, "authors": [person(f"Forfatter{i}", "A.") for i in range(1, 26)]}
    text = ref.plain(entry("book", data))
    names = ", ".join(f"Forfatter{i}, A." for i in range(1, 20))
    assert text.startswith(f"{names}, . . . Forfatter25, A. (2009).")


def test_edited_book():
    assert entry("edited_book", NORDBY) == spans("Nordby, K. (Red.). (2010). *Ledelse i praksis* (2. utg.). Gyldendal.")


def test_edited_book_by_two_editors():
    data = {**NORDBY, "editors": [person("Nordby", "Kari"), person("Sæther", "Øyvind")], "edition": ""}
    assert entry("edited_book", data) == spans(
        "Nordby, K. & Sæther, Ø. (Red.). (2010). *Ledelse i praksis*. Gyldendal.")


def test_chapter():
    assert entry("chapter", HEIFETZ) == spans(
        "Heifetz, R. (2010). Adaptivt lederskap. I K. Nordby (Red.), *Ledelse i praksis* (2. utg., s. 12–34). "
        "Gyldendal.")


def test_chapter_in_a_book_without_editors():
    data = {**HEIFETZ, "editors": [], "edition": ""}
    assert entry("chapter", data) == spans(
        "Heifetz, R. (2010). Adaptivt lederskap. I *Ledelse i praksis* (s. 12–34). Gyldendal.")


def test_article_with_doi():
    assert entry("article", REVANS) == spans(
        "Revans, R. (1982). What is action learning? *Journal of Management Development*, *1*(3), 64–75. "
        "https://doi.org/10.1108/eb051529")


def test_report_by_an_organisation_that_is_also_the_publisher():
    assert entry("report", HDIR) == spans(
        "Helsedirektoratet. (2017). *Ledelse og kvalitetsforbedring i helse- og omsorgstjenesten* (IS-2620). "
        "https://www.helsedirektoratet.no/veiledere/ledelse-og-kvalitetsforbedring")


def test_report_in_a_series():
    data = {"authors": [person("Lie", "Mari")], "year": "2013", "title": "Ledere i skolen",
            "container_title": "NOVA-rapport", "report_number": "3/2013", "publisher": "NOVA"}
    assert entry("report", data) == spans("Lie, M. (2013). *Ledere i skolen* (NOVA-rapport 3/2013). NOVA.")


def test_web_page_without_date_gives_site_and_retrieval_date():
    assert entry("webpage", UIO) == spans(
        "Universitetet i Oslo. (u.å.). *Hva er aksjonslæring?* UiO. Hentet 5. mars 2024 fra "
        "https://www.uio.no/studier/aksjonslaering")


def test_web_page_without_retrieval_date_has_no_hentet():
    data = {**UIO, "accessed": ""}
    assert entry("webpage", data) == spans(
        "Universitetet i Oslo. (u.å.). *Hva er aksjonslæring?* UiO. https://www.uio.no/studier/aksjonslaering")


def test_web_page_with_date_leaves_out_site_name_equal_to_author():
    data = {"authors": [{"literal": "NAV"}], "year": "2021", "title": "Lederstøtte", "container_title": "NAV",
            "url": "https://www.nav.no/lederstotte"}
    assert entry("webpage", data) == spans("NAV. (2021). *Lederstøtte*. https://www.nav.no/lederstotte")


def test_work_without_author_files_its_title_once():
    data = {"title": "Aksjonslæring", "container_title": "Store norske leksikon", "url": "https://snl.no/aksjonslæring"}
    assert entry("webpage", data) == spans(
        "*Aksjonslæring*. (u.å.). Store norske leksikon. https://snl.no/aksjonslæring")


def test_book_without_year_is_u_aa():
    data = {**BION, "year": ""}
    assert entry("book", data) == spans("Bion, W. R. (u.å.). *Experiences in groups and other papers*. Tavistock.")


def test_titles_keep_their_capitals_as_typed():
    data = {"authors": [person("Ås", "Berit")], "year": "2001", "title": "Ledelse i Norge: Et Overblikk",
            "container_title": "tidsskrift for den norske legeforening", "volume": "121", "pages": "1-5"}
    assert entry("article", data) == spans(
        "Ås, B. (2001). Ledelse i Norge: Et Overblikk. *tidsskrift for den norske legeforening*, *121*, 1–5.")


@pytest.mark.parametrize("typed", ["2", "2nd", "2. utg.", "2 utg", "2. edition"])
def test_edition_as_typed_becomes_norwegian_ordinal(typed):
    assert ref.plain(entry("book", {**BION, "edition": typed})).endswith("papers (2. utg.). Tavistock.")


def test_first_edition_is_not_named():
    assert "utg." not in ref.plain(entry("book", {**BION, "edition": "1"}))


def test_plain_text_has_no_html_entities():
    data = {**BION, "title": "Ledelse & <strategi>", "publisher": "Cappelen & Damm"}
    assert ref.plain(entry("book", data)) == "Bion, W. R. (1961). Ledelse & <strategi>. Cappelen & Damm."


def test_doi_is_printed_once_whatever_form_it_was_typed_in():
    for doi in ("10.1108/eb051529", "https://doi.org/10.1108/eb051529", "doi:10.1108/eb051529",
                "http://dx.doi.org/10.1108/eb051529"):
        text = ref.plain(entry("article", {**REVANS, "doi": doi}))
        assert text.endswith(" 64–75. https://doi.org/10.1108/eb051529")


# --- order of the list and same-author-same-year -----------------------------------------------------------

def test_list_is_in_norwegian_alphabetical_order():
    names = ["Åsen", "Zahl", "Ødegård", "Aasland", "Ærø", "Berg"]
    entries = [Work(n, "book", {**BION, "authors": [person(n, "A.")]}) for n in names]
    firsts = [ref.plain(e).split(",")[0] for e in ref.bibliography(entries)]
    assert firsts == ["Aasland", "Berg", "Zahl", "Ærø", "Ødegård", "Åsen"]


def test_one_author_before_the_same_author_with_others_and_undated_before_dated():
    entries = [
        Work("b", "book", {**BION, "authors": [person("Bion", "W. R."), person("Rickman", "J.")]}),
        Work("c", "book", {**BION, "year": "1950"}),
        Work("a", "book", {**BION, "year": ""}),
        Work("d", "book", BION),
    ]
    years = [re.search(r"\((.*?)\)", ref.plain(e)).group(1) for e in ref.bibliography(entries)]
    assert years == ["u.å.", "1950", "1961", "1961"]
    assert "Rickman" in ref.plain(ref.bibliography(entries)[-1])


def test_same_author_same_year_gets_letters_by_title_in_list_and_citations():
    later = {**BION, "title": "A memoir of the future"}
    entries = [Work("x", "book", BION), Work("y", "book", later)]
    assert [ref.plain(e)[:20] for e in ref.bibliography(entries)] == ["Bion, W. R. (1961a).", "Bion, W. R. (1961b)."]
    assert ref.cite([cited("x", "book", BION, "45")], library=entries) == "(Bion, 1961b, s. 45)"
    assert ref.narrative(Work("y", "book", later), library=entries) == "Bion (1961a)"
    by_key = ref.bibliography_by_key(entries)
    assert ref.plain(by_key["x"]).startswith("Bion, W. R. (1961b).")


def test_bibliography_ignores_a_repeated_key():
    assert len(ref.bibliography([Work("a", "book", BION), Work("a", "book", BION)])) == 1


# --- citations -----------------------------------------------------------------------------------------------

def test_parenthetical_citation_with_page():
    assert ref.cite([cited("b", "book", BION, "45")]) == "(Bion, 1961, s. 45)"


def test_page_range_gets_en_dash():
    assert ref.cite([cited("b", "book", BION, "45-47")]) == "(Bion, 1961, s. 45–47)"
    assert ref.cite([cited("b", "book", BION, "s. 45 - 47")]) == "(Bion, 1961, s. 45–47)"


def test_two_authors_with_ampersand_and_works_in_list_order():
    assert ref.cite([cited("b", "book", BION), cited("a", "book", ARGYRIS)]) == "(Argyris & Schön, 1974; Bion, 1961)"


def test_three_authors_are_et_al():
    assert ref.cite([cited("g", "book", GREEN)]) == "(Green et al., 2009)"


def test_works_by_the_same_author_share_the_name():
    assert ref.cite([cited("b2", "book", BION_1962), cited("b1", "book", BION, "12")]) == "(Bion, 1961, s. 12, 1962)"


def test_citation_of_undated_work_and_of_edited_book():
    assert ref.cite([cited("u", "webpage", UIO)]) == "(Universitetet i Oslo, u.å.)"
    assert ref.cite([cited("n", "edited_book", NORDBY)]) == "(Nordby, 2010)"


def test_empty_citation():
    assert ref.cite([]) == ""


def test_narrative_citations_use_og():
    assert ref.narrative(Work("b", "book", BION)) == "Bion (1961)"
    assert ref.narrative(Work("a", "book", ARGYRIS)) == "Argyris og Schön (1974)"
    assert ref.narrative(Work("g", "book", GREEN)) == "Green et al. (2009)"
    assert ref.narrative(Work("b", "book", BION), page="45") == "Bion (1961, s. 45)"


# --- English --------------------------------------------------------------------------------------------------

def test_english_reference_list():
    assert entry("book", ARGYRIS, "en") == spans(
        "Argyris, C., & Schön, D. A. (1974). *Theory in practice: Increasing professional effectiveness*. Jossey-Bass.")
    assert entry("edited_book", NORDBY, "en") == spans(
        "Nordby, K. (Ed.). (2010). *Ledelse i praksis* (2nd ed.). Gyldendal.")
    assert entry("chapter", HEIFETZ, "en") == spans(
        "Heifetz, R. (2010). Adaptivt lederskap. In K. Nordby (Ed.), *Ledelse i praksis* (2nd ed., pp. 12–34). "
        "Gyldendal.")
    assert entry("webpage", UIO, "en") == spans(
        "Universitetet i Oslo. (n.d.). *Hva er aksjonslæring?* UiO. Retrieved March 5, 2024, from "
        "https://www.uio.no/studier/aksjonslaering")


def test_english_citations():
    assert ref.cite([cited("b", "book", BION, "45")], "en") == "(Bion, 1961, p. 45)"
    assert ref.cite([cited("a", "book", ARGYRIS)], "en") == "(Argyris & Schön, 1974)"
    assert ref.narrative(Work("a", "book", ARGYRIS), "en") == "Argyris and Schön (1974)"


# --- odd data never stops a document ---------------------------------------------------------------------

def test_a_reference_citeproc_fails_on_falls_back_to_plain_text(monkeypatch, caplog):
    real = apa._csl_for

    def failing(item_id, kind, data, language, year_suffix=""):
        if data.get("title") == BION["title"]:
            raise RuntimeError("boom")
        return real(item_id, kind, data, language, year_suffix)

    monkeypatch.setattr(apa, "_csl_for", failing)
    with caplog.at_level(logging.ERROR, logger=apa.__name__):
        out = ref.bibliography([Work("b", "book", BION), Work("a", "book", ARGYRIS)])
    assert out[0] == spans("Argyris, C. & Schön, D. A. (1974). *Theory in practice: Increasing professional "
                           "effectiveness*. Jossey-Bass.")
    assert out[1] == spans("Bion, W. R. (1961). *Experiences in groups and other papers*.")
    assert "boom" in caplog.text
    assert ref.cite([cited("b", "book", BION, "4"), cited("a", "book", ARGYRIS)]) == \
        "(Argyris & Schön, 1974; Bion, 1961, s. 4)"
    assert ref.narrative(Work("b", "book", BION)) == "Bion (1961)"


def test_odd_stored_data_still_formats():
    odd = [
        Work("1", "book", {"authors": "Hansen, Per", "year": "ca. 1990", "title": 12345, "pages": None}),
        Work("2", "no-such-kind", {"title": "Ukjent type"}),
        Work("3", "article", None),
        Work("4", "chapter", {"authors": [{"family": None, "given": 7}, "tekst"], "title": "Kapittel"}),
    ]
    out = ref.bibliography(odd)
    assert len(out) == 4
    assert all(ref.plain(e) for e in out)
    assert ref.cite([CitedWork(work) for work in odd]).startswith("(")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(ref.KINDS), data=any_data, page=st.one_of(st.none(), any_text))
def test_formatting_never_raises(kind, data, page):
    assert len(ref.bibliography([Work("k", kind, data)])) == 1
    assert ref.cite([cited("k", kind, data, page)], "en").startswith("(")
    assert isinstance(ref.narrative(Work("k", kind, data)), str)


def test_style_is_parsed_once():
    ref.bibliography([Work("b", "book", BION)])
    assert apa._style("nb") is apa._style("nb")
    before = apa._style.cache_info().misses
    ref.bibliography([Work("b", "book", BION)])
    ref.cite([cited("b", "book", BION)])
    assert apa._style.cache_info().misses == before


# --- CSL-JSON --------------------------------------------------------------------------------------------------

def test_to_csl_types_and_roles():
    assert ref.to_csl(Work("n", "edited_book", NORDBY)) == {
        "id": "n", "type": "book", "editor": [{"family": "Nordby", "given": "Kari"}],
        "issued": {"date-parts": [[2010]]}, "title": "Ledelse i praksis", "publisher": "Gyldendal", "edition": "2",
    }
    chapter = ref.to_csl(Work("h", "chapter", HEIFETZ))
    assert chapter["type"] == "chapter" and chapter["editor"] and chapter["author"]
    assert chapter["container-title"] == "Ledelse i praksis" and chapter["page"] == "12-34"
    assert ref.to_csl(Work("r", "article", REVANS))["type"] == "article-journal"
    assert ref.to_csl(Work("r", "article", REVANS))["DOI"] == "10.1108/eb051529"
    assert ref.to_csl(Work("h", "report", HDIR))["type"] == "report"
    web = ref.to_csl(Work("u", "webpage", UIO))
    assert web["type"] == "webpage" and web["accessed"] == {"date-parts": [[2024, 3, 5]]}
    assert "accessed" not in ref.to_csl(Work("h", "report", {**HDIR, "accessed": "2024-03-05"}))
