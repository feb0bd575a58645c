"""The figures behind Min oversikt and Kulloversikt (services/overview.py), on SQLite and PostgreSQL: periods,
the cycle, themes and models, words against the exam's limit; and the cohort's counts per group and period,
who has not logged since the last gathering, shares and comments per group."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from ledpro_journal.models import Audience, DocumentKind, DocumentRevision, Gathering, Role, Theme
from ledpro_journal.services import exam, journal, overview, programme, sharing
from ledpro_journal.services.errors import NotAllowed
from ledpro_journal.services.overview import ACTIONS_LOGGED, ACTIONS_UNLOGGED, LOGS_REFLECTED, LOGS_UNREFLECTED
from tests.helpers import make_member

TODAY = date(2024, 5, 1)  # LEDPRO 2024: gatherings 1 (15 Feb) and 2 (4 Apr) are over, 3 is on 15 May
ACTION, LOG, NOTE = DocumentKind.ACTION, DocumentKind.LOG, DocumentKind.NOTE


def write(session, user, kind, fields, *, created: date | None = None, **options):
    create = {k: options.pop(k) for k in ("template", "parent_id", "gathering_id") if k in options}
    document = journal.create_document(user, session=session, kind=kind, **create)
    journal.save_document(user, session=session, document_id=document.id, base_version=0, fields=fields,
                          template=create.get("template"), gathering_id=create.get("gathering_id"), **options)
    if created is not None:  # begun and saved that day
        document.created_at = datetime(created.year, created.month, created.day, 12, tzinfo=UTC)
        session.add(document)
        saved_on(session, document.id, 1, created)
    session.commit()
    return document


def saved_on(session, document_id: int, version: int, day: date) -> None:
    """Dates a saved version back to a day of the year (saving stamps it now)."""
    revision = session.exec(select(DocumentRevision).where(DocumentRevision.document_id == document_id)
                            .where(DocumentRevision.version == version)).one()
    revision.saved_at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    session.add(revision)


@pytest.fixture
def year(session, admin, cohort):
    gatherings = {g.number: g for g in session.exec(select(Gathering).where(Gathering.cohort_id == cohort.id))}
    themes = list(session.exec(select(Theme).where(Theme.cohort_id == cohort.id).order_by(Theme.position)))
    group = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Nord")
    session.commit()
    pia = make_member(session, admin, cohort.id, "pia", name="Pia Deltaker", group_id=group.id)
    ola = make_member(session, admin, cohort.id, "ola", name="Ola Nordmann", group_id=group.id)
    siri = make_member(session, admin, cohort.id, "siri", name="Siri Uten")
    frode = make_member(session, admin, cohort.id, "frode", role=Role.FACILITATOR, name="Frode Faglærer")
    g1, g2 = gatherings[1], gatherings[2]
    made = {
        "challenge": write(session, pia, DocumentKind.CHALLENGE, {"title": "Min utfordring", "description": "a b c"},
                           created=date(2024, 2, 1)),
        "logged": write(session, pia, ACTION, {"title": "Logget aksjon", "purpose": "en to"}, gathering_id=g1.id,
                        happened_on=date(2024, 3, 1), created=date(2024, 2, 20)),
        "waiting": write(session, pia, ACTION, {"title": "Ventende aksjon"}, gathering_id=g2.id,
                         created=date(2024, 4, 10)),
    }
    made["log"] = write(session, pia, LOG, {"title": "Loggen", "planned_vs_done": "en to tre"},
                        parent_id=made["logged"].id, happened_on=date(2024, 4, 4), created=date(2024, 4, 4))
    made["gibbs"] = write(session, pia, NOTE, {"title": "Gibbs", "description": "en to tre fire"}, template="D1",
                          gathering_id=g2.id, created=date(2024, 4, 5),
                          links=journal.Links(action_ids=(made["logged"].id,),
                                              theme_ids=(themes[0].id, themes[1].id)))
    made["free"] = write(session, pia, NOTE, {"title": "Fri", "free_text": "en"}, template="G",
                         created=date(2024, 4, 20))
    # Not counted: a note in the bin, and a note never saved.
    binned = write(session, pia, NOTE, {"title": "Kastet", "description": "mange ord her nå"})
    journal.delete_document(pia, session=session, document_id=binned.id)
    journal.create_document(pia, session=session, kind=NOTE)
    # Ola logs after gathering 2 ended; Siri (no group) writes a note only.
    ola_action = write(session, ola, ACTION, {"title": "Olas aksjon"}, gathering_id=g2.id, created=date(2024, 4, 8))
    write(session, ola, LOG, {"title": "Olas logg"}, parent_id=ola_action.id, created=date(2024, 4, 9))
    write(session, siri, NOTE, {"title": "Siris notat", "description": "x"}, created=date(2024, 4, 12))
    draft = exam.open_draft(pia, session=session)
    exam.update_settings(pia, session=session, draft_id=draft.id, title="", problem_statement="",
                         include_prompts=True, word_limit=40)
    session.commit()
    return dict(made=made, gatherings=gatherings, themes=themes, group=group, pia=pia, ola=ola, siri=siri,
                frode=frode, cohort=cohort, admin=admin)


def test_periods_by_gathering_by_action_and_by_date(session, year):
    mine = overview.my_overview(year["pia"], session=session, today=TODAY)
    g = year["gatherings"]
    period = dict(zip(mine.documents["id"], mine.documents["period"], strict=True))
    made = year["made"]
    assert period[made["logged"].id] == g[1].id and period[made["waiting"].id] == g[2].id
    assert period[made["log"].id] == g[1].id  # its action's period, not its own date's (gathering 2)
    assert period[made["gibbs"].id] == g[2].id  # the note's gathering
    assert period[made["free"].id] == g[2].id  # no gathering: 20 April falls after gathering 2
    assert period[made["challenge"].id] is None  # begun 1 February, before the first gathering
    assert mine.current_period == g[2].id
    assert [p.name for p in mine.periods] == ["before", *["between"] * 5, "after_last"]
    assert set(mine.documents["id"]) == {d.id for d in made.values()}  # nothing from the bin, nothing unsaved


def test_the_cycle_per_period_and_what_a_bar_counts(session, year):
    mine = overview.my_overview(year["pia"], session=session, today=TODAY)
    g, made = year["gatherings"], year["made"]
    cycle = mine.cycle().set_index("period")
    assert cycle.loc[g[1].id].to_dict() == {ACTIONS_LOGGED: 1, ACTIONS_UNLOGGED: 0, LOGS_REFLECTED: 1,
                                            LOGS_UNREFLECTED: 0}
    assert cycle.loc[g[2].id].to_dict() == {ACTIONS_LOGGED: 0, ACTIONS_UNLOGGED: 1, LOGS_REFLECTED: 0,
                                            LOGS_UNREFLECTED: 0}
    assert list(mine.cycle_items(g[2].id, ACTIONS_UNLOGGED)["id"]) == [made["waiting"].id]
    assert list(mine.cycle_items(g[1].id, LOGS_REFLECTED)["id"]) == [made["log"].id]
    assert mine.cycle_items(None, ACTIONS_LOGGED).empty
    per = mine.per_period().set_index("period")
    assert per.loc[g[2].id].to_dict() == {"planned": 1, "in_progress": 0, "done": 0, "dropped": 0, "logs": 0,
                                          "notes": 2}


def test_notes_and_words_per_theme_and_per_model(session, year):
    mine = overview.my_overview(year["pia"], session=session, today=TODAY)
    themes = mine.by_theme()
    first, second = year["themes"][0], year["themes"][1]
    rows = {t: (n, w) for t, n, w in zip(themes["theme_id"], themes["notes"], themes["words"], strict=True)}
    assert rows[first.id] == (1, 5) and rows[second.id] == (1, 5)  # one note under two themes counts under both
    assert rows[None] == (1, 2)  # "Fri" + "en"
    assert list(mine.theme_items(first.id)["title"]) == ["Gibbs"]
    assert list(mine.theme_items(None)["title"]) == ["Fri"]
    models = mine.by_template().set_index("template")
    assert models.loc["D1"].to_dict() == {"notes": 1, "words": 5}
    assert models.loc["G"].to_dict() == {"notes": 1, "words": 2}
    assert models.loc["F"].to_dict() == {"notes": 0, "words": 0}
    assert list(mine.template_items("G")["title"]) == ["Fri"]


def test_words_over_time_against_the_exam_limit(session, year):
    mine = overview.my_overview(year["pia"], session=session, today=TODAY)
    words = mine.words_over_time()
    assert list(words["day"]) == sorted(words["day"])
    expected = sum(d.word_count for d in year["made"].values())
    assert words["total"].iloc[-1] == mine.total_words == expected
    # Counted as the exam page counts: journal.count_words over every field.
    assert expected == sum(journal.count_words(t) for d in year["made"].values() for t in d.fields.values())
    assert words.iloc[0].to_dict() == {"day": date(2024, 2, 1), "words": 5, "total": 5}  # the challenge
    assert mine.word_limit == 40


def test_words_over_time_follow_the_saved_versions_not_the_day_begun(session, year):
    """Each day counts, for every document, the words of its latest version saved by then: a note begun in
    May with 100 words and grown to 400 in September is 100 words from May to August and 400 from September.
    The bin counts for nothing, whenever its versions were saved."""
    quiet = make_member(session, year["admin"], year["cohort"].id, "vekst", name="Vera Vekst")
    note = write(session, quiet, NOTE, {"title": "", "description": "ord " * 100}, template="G",
                 created=date(2024, 5, 10))
    before = overview.my_overview(quiet, session=session, today=date(2024, 8, 1)).words_over_time()
    assert before.to_dict("records") == [{"day": date(2024, 5, 10), "words": 100, "total": 100}]
    # Saved again: the remembered versions of the note are read anew (its version and time of saving changed).
    journal.save_document(quiet, session=session, document_id=note.id, base_version=1,
                          fields={"title": "", "description": "ord " * 400}, template="G")
    saved_on(session, note.id, 2, date(2024, 9, 3))
    binned = write(session, quiet, NOTE, {"title": "", "description": "bort " * 50}, template="G",
                   created=date(2024, 6, 1))
    journal.delete_document(quiet, session=session, document_id=binned.id)
    session.commit()
    words = overview.my_overview(quiet, session=session, today=date(2024, 10, 1)).words_over_time()
    assert words.to_dict("records") == [{"day": date(2024, 5, 10), "words": 100, "total": 100},
                                        {"day": date(2024, 9, 3), "words": 300, "total": 400}]

    def on(day: date) -> int:  # the total on a day: the last saving day's, as the chart's steps draw it
        earlier = words[words["day"] <= day]
        return int(earlier["total"].iloc[-1]) if not earlier.empty else 0

    assert on(date(2024, 5, 9)) == 0
    assert [on(date(2024, month, 15)) for month in (5, 6, 7, 8)] == [100] * 4
    assert on(date(2024, 8, 31)) == 100 and on(date(2024, 9, 3)) == 400 and on(date(2024, 9, 30)) == 400


def test_an_empty_journal_and_who_may_ask(session, year, admin):
    quiet = make_member(session, admin, year["cohort"].id, "stille", name="Stille")
    assert overview.my_overview(quiet, session=session, today=TODAY).is_empty
    assert overview.my_overview(quiet, session=session, today=TODAY).words_over_time().empty
    for actor in (year["frode"], admin, None):
        with pytest.raises(NotAllowed):
            overview.my_overview(actor, session=session, today=TODAY)


def test_the_cohort_per_group_period_and_since_the_last_gathering(session, year):
    co = overview.cohort_overview(year["frode"], session=session, cohort_id=year["cohort"].id, today=TODAY)
    g = year["gatherings"]
    assert co.last_gathering.number == 2 and co.current_period == g[2].id
    groups = co.per_group().set_index("group")
    assert groups.loc["Nord"].to_dict() == {"participants": 2, "actions_planned": 3, "actions_logged": 2, "notes": 2,
                                            "without_log": 1}
    assert groups.loc[""].to_dict() == {"participants": 1, "actions_planned": 0, "actions_logged": 0, "notes": 1,
                                        "without_log": 1}
    # Pia's only log entry was written on 4 April, before gathering 2 ended (5 April); Ola's on 9 April.
    assert sorted(co.without_log()["name"]) == ["Pia Deltaker", "Siri Uten"]
    assert list(co.without_log("Nord")["name"]) == ["Pia Deltaker"]
    per = co.per_period().set_index("period")
    # By the day begun, never the gathering or the action: Pia's log entry of 4 April is in gathering 2's period.
    assert per.loc[g[2].id].to_dict() == {"action": 2, "log": 2, "note": 3}
    assert per.loc[g[1].id].to_dict() == {"action": 1, "log": 0, "note": 0}
    assert co.writers_in(g[2].id, "note").to_dict("records") == [
        {"name": "Siri Uten", "group": "", "count": 1}, {"name": "Pia Deltaker", "group": "Nord", "count": 2}]


def test_shares_and_comments_per_group_as_the_facilitator_reads_them(session, year):
    pia, ola, frode, made = year["pia"], year["ola"], year["frode"], year["made"]
    shown = sharing.share_document(pia, session=session, document_id=made["gibbs"].id, audience=Audience.GROUP)
    sharing.share_document(pia, session=session, document_id=made["free"].id, audience=Audience.FACILITATORS)
    gone = sharing.share_document(pia, session=session, document_id=made["waiting"].id, audience=Audience.GROUP)
    session.commit()
    sharing.add_comment(ola, session=session, shared_version_id=shown.id, text="Godt skrevet")
    sharing.add_comment(frode, session=session, shared_version_id=shown.id, text="Enig")
    sharing.add_comment(ola, session=session, shared_version_id=gone.id, text="Før tilbaketrekkingen")
    sharing.withdraw_share(pia, session=session, share_id=gone.share_id)
    session.commit()
    co = overview.cohort_overview(frode, session=session, cohort_id=year["cohort"].id, today=TODAY)
    assert co.sharing[["group", "shares", "comments"]].to_dict("records") == [
        {"group": "Nord", "shares": 2, "comments": 2}]


def test_the_cohort_overview_is_for_its_facilitators_only(session, year, admin):
    other = programme.create_cohort(admin, session=session, name="LEDPRO 2025", from_ledpro_2024=True)
    session.commit()
    stranger = make_member(session, admin, other.id, "gunn", role=Role.FACILITATOR, name="Gunn")
    for actor in (stranger, year["pia"], admin, None):
        with pytest.raises(NotAllowed):
            overview.cohort_overview(actor, session=session, cohort_id=year["cohort"].id, today=TODAY)
    empty = overview.cohort_overview(stranger, session=session, cohort_id=other.id, today=TODAY)
    assert empty.is_empty and empty.sharing.empty and empty.per_group().empty
    assert empty.last_gathering.number == 2
