"""Example references for the tests of ledpro_journal.references: works from the Norwegian APA manual
(Sikt/Unit, APA 7th) and the reading lists, and Hypothesis strategies for any data a reference may hold."""

from __future__ import annotations

from hypothesis import strategies as st

from ledpro_journal.export.document import Span


def spans(marked: str) -> tuple[Span, ...]:
    """`*…*` marks italics: "Bion, W. R. (1961). *Tittel*. Tavistock." -> Spans."""
    out = []
    for i, piece in enumerate(marked.split("*")):
        if piece:
            out.append(Span(piece, italic=i % 2 == 1))
    return tuple(out)


def person(family: str, given: str) -> dict:
    return {"family": family, "given": given}


BION = {"authors": [person("Bion", "W. R.")], "year": "1961", "title": "Experiences in groups and other papers",
        "publisher": "Tavistock"}
BION_1962 = {"authors": [person("Bion", "Wilfred R.")], "year": "1962", "title": "Learning from experience",
             "publisher": "Heinemann"}
ARGYRIS = {"authors": [person("Argyris", "Chris"), person("Schön", "Donald A.")], "year": "1974",
           "title": "Theory in practice: Increasing professional effectiveness", "publisher": "Jossey-Bass"}
NORDBY = {"editors": [person("Nordby", "Kari")], "year": "2010", "title": "Ledelse i praksis", "edition": "2. utg.",
          "publisher": "Gyldendal"}
HEIFETZ = {"authors": [person("Heifetz", "Ronald")], "year": "2010", "title": "Adaptivt lederskap",
           "editors": [person("Nordby", "Kari")], "container_title": "Ledelse i praksis", "edition": "2",
           "pages": "12-34", "publisher": "Gyldendal"}
REVANS = {"authors": [person("Revans", "Reg")], "year": "1982", "title": "What is action learning?",
          "container_title": "Journal of Management Development", "volume": "1", "issue": "3", "pages": "64-75",
          "doi": "https://doi.org/10.1108/eb051529"}
HDIR = {"authors": [{"literal": "Helsedirektoratet"}], "year": "2017",
        "title": "Ledelse og kvalitetsforbedring i helse- og omsorgstjenesten", "report_number": "IS-2620",
        "publisher": "Helsedirektoratet",
        "url": "https://www.helsedirektoratet.no/veiledere/ledelse-og-kvalitetsforbedring"}
UIO = {"authors": [{"literal": "Universitetet i Oslo"}], "title": "Hva er aksjonslæring?", "container_title": "UiO",
       "url": "https://www.uio.no/studier/aksjonslaering", "accessed": "2024-03-05"}
GREEN = {"authors": [person("Green", "Anna"), person("Brown", "Ben"), person("White", "Carl")], "year": "2009",
         "title": "Leading groups", "publisher": "Sage"}


# Any text, names and fields, as odd as stored or typed data may be.
any_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
any_names = st.lists(st.one_of(
    st.fixed_dictionaries({"family": any_text, "given": any_text}),
    st.fixed_dictionaries({"literal": any_text}),
), max_size=4)
any_data = st.fixed_dictionaries({}, optional={
    "authors": any_names, "editors": any_names,
    "year": st.one_of(any_text, st.sampled_from(["1999", "", "u.å."])),
    "title": any_text, "container_title": any_text, "edition": any_text, "publisher": any_text,
    "volume": any_text, "issue": any_text, "pages": any_text, "report_number": any_text, "doi": any_text,
    "url": any_text, "accessed": any_text,
})
