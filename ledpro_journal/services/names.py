"""Helping a writer notice names before sharing (taushetsplikt, GDPR).

Participants write about colleagues and citizens. Before a share, words that look like personal names
are pointed out: capitalised words that do not start a sentence, and common Norwegian first names
wherever they stand. The writer may replace each with a role ("leder A", "kollega B") in the shared
version. It warns; it never blocks, and the journal itself keeps what was written.
"""

from __future__ import annotations

import re
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


def _starts_sentence(text: str, position: int) -> bool:
    before = text[:position].rstrip(" \t").rstrip(_BULLETS).rstrip(" \t")
    return not before or before[-1] in ".!?:…\n\"«("


@dataclass(frozen=True)
class Candidate:
    word: str
    count: int


def find_names(texts: list[str]) -> list[Candidate]:
    """Words that look like personal names, most frequent first."""
    counts: dict[str, int] = {}
    for text in texts:
        for match in _WORD.finditer(text or ""):
            word = match.group(0).rstrip("'’-")
            if word in NOT_NAMES or len(word) < 2:
                continue
            if word in COMMON_FIRST_NAMES or not _starts_sentence(text, match.start()):
                counts[word] = counts.get(word, 0) + 1
    return [Candidate(word, count) for word, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def replace_names(text: str, replacements: dict[str, str]) -> str:
    """Every whole-word occurrence of each name replaced by its role; empty roles leave the name as is."""
    chosen = {name: role for name, role in replacements.items() if role and role.strip()}
    if not chosen or not text:
        return text
    pattern = re.compile(r"(?<![\wæøåÆØÅ])(" + "|".join(re.escape(n) for n in sorted(chosen, key=len, reverse=True)) + r")(?![\wæøåÆØÅ])")

    def role_for(match: re.Match) -> str:
        role = chosen[match.group(1)].strip()
        return role[:1].upper() + role[1:] if _starts_sentence(text, match.start()) else role

    return pattern.sub(role_for, text)


def suggested_roles(candidates: list[Candidate]) -> dict[str, str]:
    """A neutral placeholder per name: person A, person B ... (the writer may write "leder A" instead)."""
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    return {c.word: f"person {letters[i % 26]}{'' if i < 26 else i // 26}" for i, c in enumerate(candidates)}
