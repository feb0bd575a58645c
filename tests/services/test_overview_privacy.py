"""The privacy matrix extended to Min oversikt and Kulloversikt (services/overview.py): every kind of actor asks
for both, about a private note, a note shared with the group, one shared with the facilitators and a withdrawn
share (the world of test_privacy_matrix.py). The participant's overview is the owner's alone; the cohort overview
is its facilitators', and holds no note's words at all, not even of what is shared (only counts and names).

And the promise behind the facilitator's figures: changing a private note's text, title, themes, template or
gathering changes no figure a facilitator can see."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sqlmodel import select

from ledpro_journal.models import Gathering, Theme
from ledpro_journal.services import journal, overview
from ledpro_journal.services.errors import NotAllowed, ServiceError
from tests.services.test_privacy_matrix import (  # noqa: F401 - `world` is a fixture used by name
    ACTORS,
    FACILITATOR_A,
    OWNER,
    PRIVATE,
    SECRETS,
    STATES,
    World,
    world,
)

TODAY = date(2024, 5, 1)


def _observed(outcome) -> str:
    """Everything a caller could see: every table of the result, whole, or the refusal."""
    if isinstance(outcome, ServiceError):
        return f"{outcome!r} {outcome.key!r} {outcome.params!r}"
    parts = [repr(outcome)]
    for value in vars(outcome).values():
        if isinstance(value, pd.DataFrame):
            parts.append(value.to_string())
    for method in ("timeline", "per_period", "cycle", "by_theme", "by_template", "words_over_time", "per_group",
                   "without_log"):
        if hasattr(outcome, method):
            parts.append(getattr(outcome, method)().to_string())
    return "\n".join(parts)


def _or_refusal(call):
    try:
        return call()
    except ServiceError as error:
        return error


SERVICES = {
    "my_overview": lambda actor, session, made: [overview.my_overview(actor, session=session, today=TODAY)],
    "cohort_overview": lambda actor, session, made: [
        _or_refusal(lambda c=cohort: overview.cohort_overview(actor, session=session, cohort_id=c, today=TODAY))
        for cohort in (made.cohort_a, made.cohort_b)
    ],
}
EXPECTED_REVEAL = {
    "my_overview": lambda actor, state: actor == OWNER,
    "cohort_overview": lambda actor, state: False,
}
# Who gets an answer at all (anyone else is refused with NotAllowed).
ANSWERED = {
    "my_overview": {OWNER, "same_group", "other_group", "participant_b"},
    "cohort_overview": {FACILITATOR_A, "facilitator_b"},
}


@pytest.mark.parametrize("service", sorted(SERVICES))
@pytest.mark.parametrize("actor_name", ACTORS)
def test_only_those_allowed_obtain_the_text(session, world: World, actor_name, service):  # noqa: F811
    actor = world.users[actor_name]
    seen, answered = [], 0
    try:
        outcomes = SERVICES[service](actor, session, world)
    except ServiceError as error:
        outcomes = [error]
    for outcome in outcomes:
        seen.append(_observed(outcome).lower())
        answered += not isinstance(outcome, ServiceError)
    text = "\n".join(seen)
    for state in STATES:
        assert (SECRETS[state].lower() in text) == EXPECTED_REVEAL[service](actor_name, state), (state, text[:2000])
    if actor_name in ANSWERED[service]:
        assert answered == 1  # a facilitator: their own cohort, and not the other
    else:
        assert answered == 0 and all(isinstance(o, NotAllowed) for o in outcomes)


def _facilitator_figures(session, made: World) -> dict:
    co = overview.cohort_overview(made.users[FACILITATOR_A], session=session, cohort_id=made.cohort_a, today=TODAY)
    figures = {name: getattr(co, name)().to_dict("records") for name in ("per_group", "per_period", "without_log")}
    figures["people"] = co.people.to_dict("records")
    figures["sharing"] = co.sharing.to_dict("records")
    figures["writers"] = {(p.gathering_id, kind): co.writers_in(p.gathering_id, kind).to_dict("records")
                          for p in co.periods for kind in ("action", "log", "note")}
    figures["last"] = (co.last_gathering.id if co.last_gathering else None, co.current_period)
    return figures


def test_changing_a_private_notes_text_title_or_themes_changes_no_figure_a_facilitator_sees(session, world):  # noqa: F811
    owner = world.users[OWNER]
    note = journal.get_document(owner, session=session, document_id=world.note_ids[PRIVATE])
    themes = session.exec(select(Theme.id).where(Theme.cohort_id == world.cohort_a).order_by(Theme.position)).all()
    gatherings = session.exec(select(Gathering.id).where(Gathering.cohort_id == world.cohort_a)
                              .order_by(Gathering.number)).all()
    # The note starts out written for gathering 2, with one theme, as a Gibbs note.
    note = journal.save_document(owner, session=session, document_id=note.id, base_version=note.version,
                                 fields=dict(note.fields), template="D1", gathering_id=gatherings[1],
                                 links=journal.Links(theme_ids=(themes[0],)))
    session.commit()
    before = _facilitator_figures(session, world)
    own_before = overview.my_overview(owner, session=session, today=TODAY).by_theme().to_dict("records")

    journal.save_document(owner, session=session, document_id=note.id, base_version=note.version,
                          fields={"title": "Et helt annet navn", "description": "Mye lengre tekst " * 50},
                          template="F", gathering_id=None, links=journal.Links(theme_ids=tuple(themes[1:3])))
    session.commit()

    assert _facilitator_figures(session, world) == before
    # The owner's own figures did change: the comparison above would notice a figure that follows the text.
    assert overview.my_overview(owner, session=session, today=TODAY).by_theme().to_dict("records") != own_before
