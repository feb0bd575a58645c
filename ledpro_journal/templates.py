"""The writing templates of TEMPLATES.md as data: one definition each.

A template is an ordered list of field keys; its words (name, labels, guiding prompts) are in the
catalogue under `tpl.<code>.name`, `tpl.<code>.<field>` and `tpl.<code>.<field>.help`. A note keeps every
field it ever had: switching template shows the new template's fields, and any text in fields the new
template lacks stays with the note and is shown beside it. Fields that mean the same thing in several
templates share a key ("feelings", "hypothesis", "theory", ...), so their text carries over.
"""

from __future__ import annotations

from dataclasses import dataclass

from ledpro_journal.models import DocumentKind

TITLE = "title"
FREE_TEXT = "free_text"


@dataclass(frozen=True)
class Template:
    code: str
    kind: DocumentKind
    fields: tuple[str, ...]

    @property
    def all_fields(self) -> tuple[str, ...]:
        """The title first, the template's questions, then free text (every template allows it)."""
        return (TITLE, *self.fields, FREE_TEXT)


TEMPLATES: dict[str, Template] = {
    t.code: t
    for t in (
        Template(
            "A",
            DocumentKind.CHALLENGE,
            ("context", "observations", "primary_task", "why_now", "my_part", "anchoring", "problem_statement"),
        ),
        Template(
            "B",
            DocumentKind.ACTION,
            ("purpose", "theory", "questions", "involved", "when_where", "observe", "resistance", "authority",
             "cycle"),
        ),
        Template(
            "C",
            DocumentKind.LOG,
            ("date_place", "planned_vs_done", "observations", "feelings", "surprises", "hypothesis", "next_step",
             "for_group"),
        ),
        Template("D1", DocumentKind.NOTE, ("description", "feelings", "evaluation", "analysis", "conclusion",
                                           "action_plan")),
        Template("D2", DocumentKind.NOTE, ("what", "so_what", "now_what")),
        Template(
            "E",
            DocumentKind.NOTE,
            ("gathering_activity", "description", "stirred", "role", "hypothesis", "parallel", "theory"),
        ),
        Template("F", DocumentKind.NOTE, ("boundary", "authority", "role", "task", "hypothesis", "possible_action")),
        Template("G", DocumentKind.NOTE, ()),
    )
}

NOTE_TEMPLATES = tuple(code for code, t in TEMPLATES.items() if t.kind == DocumentKind.NOTE)
DEFAULT_TEMPLATE = {
    DocumentKind.CHALLENGE: "A",
    DocumentKind.ACTION: "B",
    DocumentKind.LOG: "C",
    DocumentKind.NOTE: "D1",
}


def allowed_templates(kind: DocumentKind) -> tuple[str, ...]:
    return tuple(code for code, t in TEMPLATES.items() if t.kind == kind)


def kept_fields(template: Template, fields: dict[str, str]) -> list[str]:
    """Fields with text that the template does not ask for: kept, and shown below the template's own."""
    own = set(template.all_fields)
    return [key for key, text in fields.items() if key not in own and text and text.strip()]


def label_key(template_code: str, field: str, *, written_with: str | None = None) -> str:
    """The catalogue key of a field's label: the template's own wording, else the wording of the
    template the text was written with, else of whichever template asks for that field."""
    if field in (TITLE, FREE_TEXT):
        return f"tpl.field.{field}"
    for code in (template_code, written_with):
        if code and field in TEMPLATES[code].fields:
            return f"tpl.{code}.{field}"
    owner = next(code for code, t in TEMPLATES.items() if field in t.fields)
    return f"tpl.{owner}.{field}"


def known_field(field: str) -> bool:
    return field in (TITLE, FREE_TEXT) or any(field in t.fields for t in TEMPLATES.values())
