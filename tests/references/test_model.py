"""References as stored: kinds and fields, cleaning, validation, and names as people type them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledpro_journal import references as ref
from tests.references.examples import BION, NORDBY, UIO, any_data, person

# --- fields, cleaning, validation -----------------------------------------------------------------------------

def test_fields_and_required_agree():
    assert set(ref.FIELDS) == set(ref.KINDS) == set(ref.REQUIRED)
    for kind in ref.KINDS:
        assert set(ref.REQUIRED[kind]) <= set(ref.FIELDS[kind])
        assert "title" in ref.REQUIRED[kind]
    assert "editors" in ref.FIELDS["edited_book"] and "authors" not in ref.FIELDS["edited_book"]
    assert "container_title" in ref.REQUIRED["chapter"] and "container_title" in ref.REQUIRED["article"]


def test_clean():
    cleaned = ref.clean("chapter", {
        "authors": [{"family": "  Heifetz ", "given": " Ronald  A. "}, {"family": "", "given": ""}],
        "title": "  Adaptivt   lederskap ", "edition": "2nd", "pages": "12 - 34", "doi": "https://doi.org/10.1/x",
        "publisher": "", "volume": "3", "year": " 2010 ",
    })
    assert cleaned == {"authors": [{"family": "Heifetz", "given": "Ronald A."}], "year": "2010",
                       "title": "Adaptivt lederskap", "edition": "2", "pages": "12–34", "doi": "10.1/x"}


@pytest.mark.parametrize(("name", "typed", "stored"), [
    ("edition", "2. utg.", "2"), ("edition", "3rd", "3"), ("edition", "Revidert utgave", "Revidert utgave"),
    ("year", "u.å.", ""), ("year", "n.d.", ""), ("year", "(2019)", "2019"),
    ("pages", "s. 12-34", "12–34"), ("pages", "64--75", "64–75"), ("pages", "e123", "e123"),
    ("doi", "DOI: 10.1/x", "10.1/x"), ("url", "www.uio.no", "https://www.uio.no"),
    ("accessed", "05.03.2024", "2024-03-05"), ("accessed", "5. mars 2024", "2024-03-05"),
    ("accessed", "March 5, 2024", "2024-03-05"),
])
def test_clean_normalises(name, typed, stored):
    kind = {"pages": "article", "accessed": "webpage"}.get(name, "book")
    assert ref.clean(kind, {name: typed}).get(name, "") == stored


def test_validate():
    assert ref.validate("book", BION) == {}
    assert ref.validate("webpage", {"title": "X", "url": "https://x.no"}) == {}
    assert ref.validate("chapter", {"title": "X"}) == {
        "authors": "field.required", "year": "field.required", "container_title": "field.required"}
    assert ref.validate("edited_book", {**NORDBY, "editors": []}) == {"editors": "field.required"}
    assert ref.validate("book", {**BION, "year": "1961-62"}) == {"year": "literature.year_invalid"}
    assert ref.validate("book", {**BION, "year": "  "}) == {"year": "field.required"}
    assert ref.validate("book", {**BION, "url": "ikke en lenke"}) == {"url": "literature.url_invalid"}
    assert ref.validate("webpage", {**UIO, "accessed": "2024-02-30"}) == {"accessed": "literature.date_invalid"}
    assert ref.validate("poem", {}) == {"kind": "literature.kind_invalid"}


# --- names -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("typed", "parsed"), [
    ("Bion, W. R.", [person("Bion", "W. R.")]),
    ("Argyris, Chris\nSchön, Donald A.", [person("Argyris", "Chris"), person("Schön", "Donald A.")]),
    ("Chris Argyris and Donald A. Schön", [person("Argyris", "Chris"), person("Schön", "Donald A.")]),
    ("Argyris, C.; Schön, D. A.", [person("Argyris", "C."), person("Schön", "D. A.")]),
    ("Argyris, C., & Schön, D. A.", [person("Argyris", "C."), person("Schön", "D. A.")]),
    ("Kari Nordby og Per Hansen", [person("Nordby", "Kari"), person("Hansen", "Per")]),
    ("Ernst & Young", [{"literal": "Ernst & Young"}]),
    ("Senter for forskning og utdanning", [{"literal": "Senter for forskning og utdanning"}]),
    ("Jan van der Berg", [person("van der Berg", "Jan")]),
    ("  Åsen ,  Åse  \n\n", [person("Åsen", "Åse")]),
    ("Helsedirektoratet", [{"literal": "Helsedirektoratet"}]),
    ("{Universitetet i Oslo}", [{"literal": "Universitetet i Oslo"}]),
    ("Universitetet i Oslo", [{"literal": "Universitetet i Oslo"}]),
    ("{Department of Health and Social Care}", [{"literal": "Department of Health and Social Care"}]),
    ("Department of Health and Social Care", [{"literal": "Department of Health and Social Care"}]),
    ("", []),
])
def test_parse_names(typed, parsed):
    assert ref.parse_names(typed) == parsed


@settings(max_examples=100, deadline=None)
@given(kind=st.sampled_from(ref.KINDS), data=any_data)
def test_clean_is_idempotent(kind, data):
    once = ref.clean(kind, data)
    assert ref.clean(kind, once) == once


def test_format_names_for_editing():
    names = [person("Bion", "W. R."), {"literal": "Helsedirektoratet"}, {"literal": "Norsk Folkehjelp"},
             person("Platon", "")]
    assert ref.format_names_for_editing(names) == "Bion, W. R.\nHelsedirektoratet\n{Norsk Folkehjelp}\nPlaton,"
    assert ref.parse_names(ref.format_names_for_editing(names)) == names


_part = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=8)
_word_lists = st.lists(_part, min_size=1, max_size=3).map(" ".join)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(
    st.builds(person, _word_lists, st.one_of(st.just(""), _word_lists)),
    st.builds(lambda t: {"literal": t}, _word_lists),
), max_size=5))
def test_names_survive_editing(names):
    assert ref.parse_names(ref.format_names_for_editing(names)) == names
