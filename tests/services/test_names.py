"""Noticing names before sharing (taushetsplikt, GDPR): what looks like a personal name is pointed out,
and the chosen ones are replaced by roles in what is shared. Pure text functions: no database."""

from __future__ import annotations

import pytest

from ledpro_journal.services.names import (
    COMMON_FIRST_NAMES,
    NOT_NAMES,
    Candidate,
    find_names,
    replace_names,
    suggested_roles,
)


def words(texts: list[str]) -> set[str]:
    return {c.word for c in find_names(texts)}


# --- find_names -------------------------------------------------------------------------------------------------


def test_capitalised_words_in_mid_sentence_are_candidates():
    assert words(["I dag snakket jeg med Hagerup om turnusen."]) == {"Hagerup"}


def test_common_first_names_are_found_even_at_the_start_of_a_sentence():
    assert "Per" in COMMON_FIRST_NAMES and "Ingrid" in COMMON_FIRST_NAMES
    assert words(["Per kom for sent. Ingrid sa ingenting."]) == {"Per", "Ingrid"}
    # ... also after a bullet, a colon or at the start of a new line
    assert words(["- Per var der\nIngrid også: Kari ble sint"]) == {"Per", "Ingrid", "Kari"}


def test_ordinary_words_at_the_start_of_a_sentence_are_not_names():
    assert words(["Jeg tok opp saken. Møtet ble utsatt! Etterpå var det stille."]) == set()
    assert words(["- Møtet var kort\n• Samtalen var lang"]) == set()


@pytest.mark.parametrize("word", ["NAV", "Nav", "Jeg", "Mandag", "Oktober", "Brumunddal", "Hamar", "LEDPRO"])
def test_words_in_not_names_are_ignored_in_mid_sentence(word):
    assert word in NOT_NAMES
    assert words([f"Det gjaldt {word} denne gangen."]) == set()


def test_a_capitalised_word_that_is_not_in_not_names_would_be_found():
    # The counterpart of the test above: the same sentence with a surname is a hit.
    assert words(["Det gjaldt Solbakken denne gangen."]) == {"Solbakken"}


def test_repeated_names_are_counted_and_the_most_frequent_come_first():
    result = find_names(["Kari sa at Solbakken var borte.", "Etterpå ringte Kari til Solbakken og Kari igjen.", ""])
    assert result == [Candidate("Kari", 3), Candidate("Solbakken", 2)]


def test_names_with_norwegian_letters_are_found():
    assert words(["Åse snakket med Ørjan og Sølvberg."]) == {"Åse", "Ørjan", "Sølvberg"}


def test_empty_and_missing_texts_give_nothing():
    assert find_names([]) == []
    assert find_names(["", None]) == []


# --- replace_names ------------------------------------------------------------------------------------------------


def test_whole_words_only():
    text = "Jeg spurte Per om perspektivet. Persen og Perspektiv-gruppen svarte Per."
    assert replace_names(text, {"Per": "kollega A"}) == (
        "Jeg spurte kollega A om perspektivet. Persen og Perspektiv-gruppen svarte kollega A."
    )


def test_the_role_is_capitalised_at_the_start_of_a_sentence():
    text = "Kari sa nei. Jeg spurte Kari igjen! Kari smilte.\nKari gikk."
    assert replace_names(text, {"Kari": "leder A"}) == (
        "Leder A sa nei. Jeg spurte leder A igjen! Leder A smilte.\nLeder A gikk."
    )


def test_empty_roles_leave_the_name_alone():
    text = "Jeg snakket med Kari og Solbakken."
    assert replace_names(text, {"Kari": "", "Solbakken": "   "}) == text
    assert replace_names(text, {}) == text
    assert replace_names(text, {"Kari": "", "Solbakken": "tillitsvalgt B"}) == "Jeg snakket med Kari og tillitsvalgt B."


def test_names_with_norwegian_letters_are_replaced_as_whole_words():
    text = "Åse snakket med Ørjan og Åsen. Ørjansen var ikke der."
    assert replace_names(text, {"Åse": "leder A", "Ørjan": "kollega B"}) == (
        "Leder A snakket med kollega B og Åsen. Ørjansen var ikke der."
    )


def test_a_longer_name_wins_over_a_shorter_one_it_contains():
    text = "Jeg møtte Anne Marie og Anne."
    assert replace_names(text, {"Anne": "kollega A", "Anne Marie": "leder B"}) == (
        "Jeg møtte leder B og kollega A."
    )


def test_nothing_to_replace_in_empty_text():
    assert replace_names("", {"Kari": "leder A"}) == ""


# --- suggested_roles -----------------------------------------------------------------------------------------------


def test_suggested_roles_are_distinct_placeholders_for_each_name():
    candidates = [Candidate(f"Navn{i}", 1) for i in range(60)]
    roles = suggested_roles(candidates)
    assert list(roles) == [c.word for c in candidates]
    assert len(set(roles.values())) == 60
    assert roles["Navn0"] == "person A"
    assert roles["Navn1"] == "person B"
    assert all(role.startswith("person ") for role in roles.values())


def test_suggested_roles_fit_replace_names():
    text = "Kari ringte Solbakken."
    roles = suggested_roles(find_names([text]))
    assert replace_names(text, roles) == "Person A ringte person B."


# --- the rules of the name check (issue: names in the group draft) ------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("I dag snakket jeg med Ole Martin om saken.", {"Ole Martin"}),
    ("Ole Martin kom for sent.", {"Ole Martin"}),  # a first name opens it, at the start of a sentence too
    ("Jeg ringte Kari Nordmann og Hagerup.", {"Kari Nordmann", "Hagerup"}),
    ("Møtet med Anne-Lise Berg Olsen tok tid.", {"Anne-Lise Berg Olsen"}),
    ("Jeg spurte Kari, Per og Ole.", {"Kari", "Per", "Ole"}),  # a comma parts them
    ("Det sa Kari. Per svarte.", {"Kari", "Per"}),  # so does the end of a sentence
])
def test_consecutive_capitalised_names_are_one_name(text, expected):
    assert words([text]) == expected


def test_a_whole_name_is_counted_as_one_and_a_part_alone_on_its_own():
    assert find_names(["Ole Martin ringte. Jeg svarte Ole Martin, og Ole lo."]) == [
        Candidate("Ole Martin", 2), Candidate("Ole", 1)]


def test_replacing_a_whole_name_replaces_all_of_it():
    text = "Ole Martin sa nei. Jeg spurte Ole  Martin igjen, og Ole lo."
    assert replace_names(text, {"Ole Martin": "leder A"}) == "Leder A sa nei. Jeg spurte leder A igjen, og Ole lo."
    roles = suggested_roles(find_names([text]))
    assert "Ole Martin" in replace_names(text, {}) and "Ole Martin" not in replace_names(text, roles)


def test_the_family_names_of_cited_authors_are_not_names():
    text = "Som Argyris og Schön viser, og som Bion skrev, sa Hagerup det samme."
    assert words([text]) == {"Argyris", "Schön", "Bion", "Hagerup"}
    assert {c.word for c in find_names([text], not_names={"Argyris", "Schön", "Bion"})} == {"Hagerup"}
    # An author's name that is also a first name is left alone too; inside a person's name it stays part of it.
    assert {c.word for c in find_names(["Som Martin skriver.", "Jeg møtte Ole Martin."], not_names={"Martin"})} == {
        "Ole Martin"}


def test_the_exclusion_keeps_the_check_fast_on_a_year_of_writing():
    import time

    year = ("Jeg snakket med Kari Nordmann og Solbakken om NAV. «Hei.» Neste dag kom Per, som Bion beskriver. "
            * 10_000)  # about a megabyte: far more than a participant writes in a year
    authors = frozenset(f"Forfatter{i}" for i in range(5000)) | {"Bion"}
    started = time.perf_counter()
    found = find_names([year], not_names=authors)
    assert time.perf_counter() - started < 2.0
    assert found == [Candidate("Kari Nordmann", 10_000), Candidate("Per", 10_000), Candidate("Solbakken", 10_000)]


@pytest.mark.parametrize("text", [
    "«Hei.» Neste dag var alt som før.",
    "«Hva nå?» Deretter ble det stille.",
    "Hun sa: «Nei!» Etterpå gikk hun.",
    '"Nei." Deretter gikk vi.',
    "“Ja.” Saken var avgjort.",
    "(Se vedlegget.) Resten står der.",
])
def test_a_word_after_a_closing_quotation_mark_at_the_start_of_a_sentence_is_not_a_name(text):
    assert words([text]) == set()


def test_after_a_quotation_that_does_not_end_a_sentence_a_capitalised_word_is_still_a_name():
    assert words(["Hun kalte det «møtet» Hagerup snakket om."]) == {"Hagerup"}
    assert words(['Han sa "ja" Solbakken også.']) == {"Solbakken"}


def test_a_role_after_a_closing_quotation_mark_at_the_start_of_a_sentence_gets_a_capital():
    assert replace_names("«Hei.» Kari svarte ikke.", {"Kari": "kollega A"}) == "«Hei.» Kollega A svarte ikke."


@pytest.mark.parametrize("word", ["NAV", "HR", "LEDPRO", "KOSTRA", "IKT", "NTNU", "HMS", "KS", "OU"])
def test_words_in_capitals_are_not_names(word):
    assert words([f"Vi brukte {word} i møtet, og {word} var nyttig."]) == set()
    assert words([f"Jeg spurte Kari {word} om det."]) == {"Kari"}  # nor part of one


def test_remembered_names_are_counted_where_they_stand():
    from ledpro_journal.services.names import count_occurrences

    texts = ["Hagerup sa nei. Jeg spurte Ole  Martin.", "Hagerupsen og Hagerup."]
    assert count_occurrences(texts, ["Hagerup", "Ole Martin", "Per"]) == {"Hagerup": 2, "Ole Martin": 1, "Per": 0}


def test_suggestions_skip_placeholders_already_in_use():
    roles = suggested_roles([Candidate("Kari", 1), Candidate("Ole", 1)], taken=["person A", "Person C"])
    assert roles == {"Kari": "person B", "Ole": "person D"}
