"""Helping a writer notice names before sharing (taushetsplikt, GDPR).

Participants write about colleagues and citizens. Before a share, words that look like personal names
are pointed out: capitalised words that do not start a sentence, and common Norwegian first names
wherever they stand; consecutive ones ("Ole Martin", "Kari Nordmann") are one name. Not names: words
in capitals (NAV, KOSTRA), a sentence's first word after a closing quotation mark («Hei.» Neste), and
the family names of the authors the writer cites (passed in as `not_names`). The writer may replace
each with a role ("leder A", "kollega B") wherever the text leaves the journal. It warns; it never
blocks, and the journal itself keeps what was written.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass

# The most common Norwegian given names (SSB), and a few frequent in the public sector's workforce.
COMMON_FIRST_NAMES = frozenset(
    """
    Anne Inger Kari Marit Ingrid Liv Eva Berit Astrid Bjørg Hilde Anna Solveig Marianne Randi Ida Nina
    Maria Elisabeth Kristin Bente Heidi Silje Hanne Gro Tone Linda Camilla Ellen Wenche Grete Tove Mona
    Jan Per Bjørn Ole Lars Kjell Knut Arne Svein Thomas Hans Geir Tor Morten Terje Odd Erik Martin Andreas
    John Anders Rune Trond Tore Harald Jon Olav Gunnar Einar Leif Stian Espen Kristian Magnus Jonas Emil
    Fatima Mohammed Ahmed Ali Hassan Aisha Maryam Omar Piotr Anna Agnieszka Tomasz Katarzyna
    Lise Pia Ola Kari Nils Sigrid Ragnhild Jorunn Åse Øystein Håkon Ørjan Ståle Sølvi
    """.split()
)

# Capitalised words that are not names even in mid-sentence (institutions, days, months, roles).
NOT_NAMES = frozenset(
    """
    NAV Nav LEDPRO BART NHO KS HR IKT IT OK Ja Nei Jeg Vi De Du Han Hun Det Den Dette Der
    Mandag Tirsdag Onsdag Torsdag Fredag Lørdag Søndag
    Januar Februar Mars April Mai Juni Juli August September Oktober November Desember
    Norge Oslo Innlandet Brumunddal Hamar Lillehammer Gjøvik Mjøsa
    """.split()
)

_WORD = re.compile(r"[A-ZÆØÅÄÖÜ][a-zæøåäöüéèA-ZÆØÅ'’-]+")
_BULLETS = "-–•*"
_SPACES = " \t\u00a0"
_SENTENCE_END = ".!?…"
_OPENERS = "«“‘(\"'"  # an opening quotation mark or bracket starts something new
_CLOSERS = "»”’)\"'"  # a closing one: what it closes decides
_STRAIGHT_QUOTES = "\"'"
MAX_NAME_WORDS = 4  # "Ole Martin Hansen" is one name; a longer run of capitals is more likely a title


def _skip_back(text: str, index: int, characters: str) -> int:
    while index >= 0 and text[index] in characters:
        index -= 1
    return index


def _starts_sentence(text: str, position: int) -> bool:
    """Whether the word at `position` opens a sentence, a line, a list item or a quotation. Looks back
    from the word without copying the text: a year of notes is read in one pass."""
    i = _skip_back(text, position - 1, _SPACES)
    i = _skip_back(text, i, _BULLETS)
    i = _skip_back(text, i, _SPACES)
    if i < 0:
        return True
    character = text[i]
    opening = character in _OPENERS and (
        character not in _STRAIGHT_QUOTES or i == 0 or text[i - 1].isspace() or text[i - 1] in _OPENERS
    )
    if opening:
        return True
    if character in _CLOSERS:
        # «Hei.» Neste ... / "Nei." Deretter ...: the sentence ended inside the quotation.
        i = _skip_back(text, i, _CLOSERS)
        return i < 0 or text[i] in _SENTENCE_END
    return character in _SENTENCE_END or character in ":\n"


@dataclass(frozen=True)
class Candidate:
    word: str
    count: int


def _part_of_a_name(word: str) -> bool:
    """Could stand in a name at all: not an institution, weekday or pronoun (NOT_NAMES), not an
    abbreviation in capitals (NAV, HR, KOSTRA), not a single letter."""
    return len(word) >= 2 and word not in NOT_NAMES and not word.isupper()


def _names_in(text: str, not_names: Collection[str]) -> Iterator[str]:
    """Each personal name in the text, consecutive capitalised words ("Ole Martin", "Kari Nordmann") as
    one. A word in `not_names` (the family names of authors one cites) does not begin a name."""
    run: list[str] = []
    run_end = -1

    def finish() -> Iterator[str]:
        if run:
            yield " ".join(run)
            run.clear()

    for match in _WORD.finditer(text):
        word = match.group(0).rstrip("'’-")
        if not _part_of_a_name(word):
            yield from finish()
            continue
        follows = (
            run
            and len(run) < MAX_NAME_WORDS
            and match.start() > run_end
            and all(c in _SPACES for c in text[run_end:match.start()])
        )
        if follows:
            run.append(word)
        else:
            yield from finish()
            if word not in not_names and (word in COMMON_FIRST_NAMES or not _starts_sentence(text, match.start())):
                run.append(word)
        run_end = match.start() + len(word) if run else -1
    yield from finish()


def find_names(texts: list[str], *, not_names: Collection[str] = frozenset()) -> list[Candidate]:
    """Words that look like personal names, most frequent first. `not_names`: words that are not
    personal names for this writer (the family names of the authors they cite)."""
    counts: dict[str, int] = {}
    for text in texts:
        for name in _names_in(text or "", not_names):
            counts[name] = counts.get(name, 0) + 1
    return [Candidate(word, count) for word, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _normalised(name: str) -> str:
    return " ".join((name or "").split())


def _pattern(names: Collection[str]) -> re.Pattern | None:
    """Whole-word occurrences of any of the names (longest first; spaces inside a name may be several)."""
    alternatives = "|".join(
        r"[ \t\u00a0]+".join(re.escape(part) for part in name.split(" "))
        for name in sorted(names, key=len, reverse=True)
    )
    return re.compile(r"(?<![\wæøåÆØÅ])(" + alternatives + r")(?![\wæøåÆØÅ])") if alternatives else None


def compile_replacements(replacements: dict[str, str]) -> Callable[[str], str]:
    """A function that replaces every whole-word occurrence of each name by its role (empty roles leave
    the name as is): compiled once, for replacing in many texts."""
    chosen = {_normalised(name): role.strip() for name, role in replacements.items() if role and role.strip()}
    chosen.pop("", None)
    pattern = _pattern(chosen)
    if pattern is None:
        return lambda text: text

    def replace(text: str) -> str:
        if not text:
            return text

        def role_for(match: re.Match) -> str:
            role = chosen[_normalised(match.group(1))]
            return role[:1].upper() + role[1:] if _starts_sentence(text, match.start()) else role

        return pattern.sub(role_for, text)

    return replace


def replace_names(text: str, replacements: dict[str, str]) -> str:
    """Every whole-word occurrence of each name replaced by its role; empty roles leave the name as is."""
    return compile_replacements(replacements)(text)


def count_occurrences(texts: list[str], names: Collection[str]) -> dict[str, int]:
    """How often each of the names stands in the texts as a whole word (or words)."""
    wanted = {_normalised(name) for name in names} - {""}
    pattern = _pattern(wanted)
    counts = dict.fromkeys(wanted, 0)
    if pattern is not None:
        for text in texts:
            for match in pattern.finditer(text or ""):
                counts[_normalised(match.group(1))] += 1
    return counts


def suggested_roles(candidates: list[Candidate], *, taken: Collection[str] = ()) -> dict[str, str]:
    """A neutral placeholder per name: person A, person B ... (the writer may write "leder A" instead),
    skipping those already `taken` by other names."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    used = {role.strip().casefold() for role in taken}
    placeholders = (f"person {letters[i % 26]}{'' if i < 26 else i // 26}" for i in itertools.count())
    free = (role for role in placeholders if role.casefold() not in used)
    return {c.word: next(free) for c in candidates}
