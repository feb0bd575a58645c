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
