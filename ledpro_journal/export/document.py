"""The exam draft as plain data: what the exam service composes and the Word builder writes.

Nothing here knows about the database or the user interface. Every word in it is already in the
user's language (the service takes labels from the catalogue); the builder only lays it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """A piece of formatted text: reference list entries set titles in italics."""

    text: str
    italic: bool = False


@dataclass(frozen=True)
class Heading:
    """Word's built-in "Heading 1/2/3" so that navigation and the table of contents work."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Prompt:
    """A writing prompt: help for the writer, set visibly apart, to be deleted before hand-in."""

    text: str


@dataclass(frozen=True)
class Label:
    """A template question, shown as a small bold line above the answer."""

    text: str


@dataclass(frozen=True)
class UserText:
    """What a participant typed, exactly: a blank line separates paragraphs, a single line break stays
    a line break inside its paragraph, tabs stay tabs."""

    text: str


@dataclass(frozen=True)
class Remark:
    """A line the product adds in the body's normal style: "Skrevet av kandidat 1234", an in-text
    citation such as "Kilder: (Bion, 1961, s. 45)", a gathering's dates."""

    text: str


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Heading | Prompt | Label | UserText | Remark | Table | PageBreak


@dataclass(frozen=True)
class FrontPage:
    title: str
    lines: tuple[tuple[str, str], ...]
    """(label, value) rows under the title: problem statement, programme and part, institution,
    semester or date, candidate number(s), word count."""


@dataclass(frozen=True)
class ExamDocument:
    language: str  # BCP 47 tag for Word's proofing language: "nb-NO" or "en-GB"
    front: FrontPage
    header_text: str  # every page after the front page: candidate number(s) and course
    toc_title: str  # "Innholdsfortegnelse"
    toc_placeholder: str  # shown until Word refreshes the field ("Høyreklikk og velg Oppdater felt")
    body: tuple[Block, ...]  # chapters 1–6
    references_title: str  # "Litteraturliste": starts on a new page
    references: tuple[tuple[Span, ...], ...]  # formatted entries, already in alphabetical order
    appendix: tuple[Block, ...] = ()  # "Vedlegg": the action-log table and, if chosen, comments received
    title_for_metadata: str = ""  # the file's title property (never a person's name)
    template: bytes | None = field(default=None, repr=False)  # an institution's .docx, or None
