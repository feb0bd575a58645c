"""A participant's name replacements: the names they chose to replace ("Kari" -> "kollega A"), kept so
that they apply wherever the participant's text leaves the journal: new shares, the group exam draft,
and their own exam draft when they choose to. The journal always keeps the text as written.

The list holds real names, so only its owner reads or changes it (permissions.py). Other services apply
a contributor's list to that contributor's text without ever showing the list to anyone else.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlmodel import Session, select

from ledpro_journal.models import NameReplacement, User, utcnow
from ledpro_journal.services import literature, permissions, plain_text
from ledpro_journal.services.errors import Problems
from ledpro_journal.services.names import count_occurrences, find_names

MAX_NAME_LENGTH = 120
MAX_REPLACEMENT_LENGTH = 120


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


# --- for other services (they have checked who is asking) -----------------------------------------------


def replacements_of(session: Session, user_ids: list[int]) -> dict[int, dict[str, str]]:
    """Each user's list as name -> replacement, in one query."""
    lists: dict[int, dict[str, str]] = defaultdict(dict)
    if user_ids:
        rows = session.exec(
            select(NameReplacement.owner_id, NameReplacement.name, NameReplacement.replacement)
            .where(NameReplacement.owner_id.in_(user_ids))
        ).all()
        for owner_id, name, replacement in rows:
            lists[owner_id][name] = replacement
    return dict(lists)


def _check(problems: Problems, field: str, value: str, maximum: int) -> None:
    if not value:
        problems.add(field, "field.required")
    elif len(value) > maximum:
        problems.add(field, "field.too_long", max=maximum)
    elif plain_text.has_control_or_surrogate(value):
        problems.add(field, plain_text.INVALID_CHARACTERS)


def _upsert(session: Session, owner: User, name: str, replacement: str) -> NameReplacement:
    row = session.exec(
        select(NameReplacement).where(NameReplacement.owner_id == owner.id).where(NameReplacement.name == name)
    ).first()
    if row is None:
        row = NameReplacement(owner_id=owner.id, name=name, replacement=replacement)
    elif row.replacement == replacement:
        return row
    row.replacement = replacement
    row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def remember(actor: User, *, session: Session, chosen: dict[str, str]) -> None:
    """Keeps what the participant chose in the share panel: every name given a replacement is added to
    their list, or its replacement updated. A name left empty changes nothing in the list."""
    permissions.ensure_participant_can_write(actor, session)
    problems = Problems()
    cleaned = {}
    for name, replacement in chosen.items():
        name, replacement = _clean(name), _clean(replacement)
        if not name or not replacement:
            continue
        _check(problems, "replacements", name, MAX_NAME_LENGTH)
        _check(problems, "replacements", replacement, MAX_REPLACEMENT_LENGTH)
        cleaned[name] = replacement
    problems.raise_if_any()
    for name, replacement in cleaned.items():
        _upsert(session, actor, name, replacement)


# --- the participant's own list ----------------------------------------------------------------------------


def my_replacements(actor: User, *, session: Session) -> list[NameReplacement]:
    """The participant's list, alphabetical by name."""
    permissions.ensure_participant(actor)
    rows = session.exec(select(NameReplacement).where(NameReplacement.owner_id == actor.id)).all()
    return sorted(rows, key=lambda row: (row.name.casefold(), row.name))


def add_replacement(actor: User, *, session: Session, name: str, replacement: str) -> NameReplacement:
    """Adds a name to the list; a name already there gets the new replacement."""
    permissions.ensure_participant_can_write(actor, session)
    name, replacement = _clean(name), _clean(replacement)
    problems = Problems()
    _check(problems, "name", name, MAX_NAME_LENGTH)
    _check(problems, "replacement", replacement, MAX_REPLACEMENT_LENGTH)
    problems.raise_if_any()
    return _upsert(session, actor, name, replacement)


def _own(session: Session, actor: User, replacement_id: int) -> NameReplacement:
    row = session.get(NameReplacement, replacement_id) if permissions.valid_id(replacement_id) else None
    permissions.ensure_own_name_replacement(actor, row)
    permissions.ensure_participant_can_write(actor, session)
    return row


def change_replacement(actor: User, *, session: Session, replacement_id: int, replacement: str) -> NameReplacement:
    row = _own(session, actor, replacement_id)
    replacement = _clean(replacement)
    problems = Problems()
    _check(problems, "replacement", replacement, MAX_REPLACEMENT_LENGTH)
    problems.raise_if_any()
    if row.replacement != replacement:
        row.replacement = replacement
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
    return row


def remove_replacement(actor: User, *, session: Session, replacement_id: int) -> None:
    """Takes a name off the list: it is no longer replaced in what leaves the journal from now on
    (what was shared before stays as it was shared)."""
    row = _own(session, actor, replacement_id)
    session.delete(row)
    session.flush()


# --- the name check ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FoundName:
    name: str
    count: int
    remembered: str  # the replacement on the participant's list, "" when the name is not on it


def check_names(actor: User, *, session: Session, texts: list[str]) -> list[FoundName]:
    """What looks like a personal name in the texts (leaving out the family names of the authors the
    participant cites), each with its remembered replacement; then the names on the list that the texts
    hold but the check did not point out (they are replaced all the same)."""
    permissions.ensure_participant(actor)
    mine = replacements_of(session, [actor.id]).get(actor.id, {})
    candidates = find_names(texts, not_names=literature.author_family_names(session, actor))
    found = [FoundName(c.word, c.count, mine.get(c.word, "")) for c in candidates]
    pointed_out = {c.word for c in candidates}
    others = count_occurrences(texts, [name for name in mine if name not in pointed_out])
    found += [FoundName(name, count, mine[name]) for name, count in sorted(others.items()) if count]
    return found


def names_left(actor: User, *, session: Session, texts: list[str]) -> list[str]:
    """Words that still look like personal names in texts about to leave the journal."""
    return [c.word for c in find_names(texts, not_names=literature.author_family_names(session, actor))]
