"""The programme as data: cohorts from the LEDPRO 2024 template or empty, themes, gatherings and their
rules, reflection groups, facilitators, invite codes, and what a participant sees of it all."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, timedelta

import docx
import pytest
from sqlmodel import select

from ledpro_journal.models import Cohort, CohortMembership, Gathering, InviteCode, Role, Theme
from ledpro_journal.services import accounts, programme
from ledpro_journal.services.errors import Conflict, Invalid, NotAllowed, NotFound
from tests.helpers import make_cohort, make_member

TEMPLATE_THEMES = [
    "Grunnleggende organisasjonsforståelse",
    "Ledelse av arbeidsprosesser",
    "Underliggende prosesser – spenning – motstand",
    "Egen rolle og autoritet",
]
TEMPLATE_DATES = [
    (date(2024, 2, 15), date(2024, 2, 16)),
    (date(2024, 4, 4), date(2024, 4, 5)),
    (date(2024, 5, 15), date(2024, 5, 16)),
    (date(2024, 6, 20), date(2024, 6, 21)),
    (date(2024, 8, 28), date(2024, 8, 29)),
    (date(2024, 10, 7), date(2024, 10, 8)),
]


@pytest.fixture
def empty_cohort(session, admin):
    return make_cohort(session, admin, "LEDPRO 2025", from_template=False)


def fields_of(excinfo) -> dict[str, str]:
    return {field: key for field, (key, _params) in excinfo.value.errors.items()}


def add(session, admin, cohort_id, number, start, end, **extra):
    gathering = programme.add_gathering(
        admin, session=session, cohort_id=cohort_id, number=number, start_date=start, end_date=end, **extra
    )
    session.commit()
    return gathering


# --- cohorts -----------------------------------------------------------------------------------------


def test_template_cohort_has_the_four_themes_and_six_gatherings_of_2024(session, admin, cohort):
    assert (cohort.name, cohort.institution, cohort.place) == (
        "LEDPRO 2024", "Høgskolen i Innlandet", "Wood Hotel, Brumunddal",
    )
    themes = programme.list_themes(admin, session=session, cohort_id=cohort.id)
    assert [t.name for t in themes] == TEMPLATE_THEMES
    assert [t.position for t in themes] == [1, 2, 3, 4]
    gatherings = programme.list_gatherings(admin, session=session, cohort_id=cohort.id)
    assert [g.number for g in gatherings] == [1, 2, 3, 4, 5, 6]
    assert [(g.start_date, g.end_date) for g in gatherings] == TEMPLATE_DATES
    assert {g.place for g in gatherings} == {"Wood Hotel, Brumunddal"}
    theme_ids = {t.id for t in themes}
    assert all(g.theme_id in theme_ids for g in gatherings)
    # Each main theme is used at least once.
    assert {g.theme_id for g in gatherings} == theme_ids


def test_cohort_names_are_unique_ignoring_case(session, admin, cohort):
    with pytest.raises(Invalid) as excinfo:
        programme.create_cohort(admin, session=session, name="  ledpro   2024 ")
    assert fields_of(excinfo) == {"name": "cohort.name_taken"}
    with pytest.raises(Invalid) as excinfo:
        programme.create_cohort(admin, session=session, name="   ")
    assert fields_of(excinfo) == {"name": "field.required"}
    session.rollback()
    assert len(session.exec(select(Cohort)).all()) == 1


def test_a_new_year_with_other_dates_needs_no_code(session, admin, cohort):
    cohort_2025 = programme.create_cohort(
        admin, session=session, name="LEDPRO 2025", institution="Høgskolen i Innlandet", place="Scandic Hamar"
    )
    session.commit()
    assert programme.list_themes(admin, session=session, cohort_id=cohort_2025.id) == []
    assert programme.list_gatherings(admin, session=session, cohort_id=cohort_2025.id) == []
    themes = [programme.add_theme(admin, session=session, cohort_id=cohort_2025.id, name=n) for n in TEMPLATE_THEMES]
    dates_2025 = [
        (date(2025, m, d), date(2025, m, d + 1)) for m, d in [(2, 13), (4, 3), (5, 22), (6, 12), (9, 4), (10, 23)]
    ]
    for number, (start, end) in enumerate(dates_2025, start=1):
        add(session, admin, cohort_2025.id, number, start, end, place="Scandic Hamar",
            theme_id=themes[(number - 1) % 4].id)
    gatherings = programme.list_gatherings(admin, session=session, cohort_id=cohort_2025.id)
    assert [(g.start_date, g.end_date) for g in gatherings] == dates_2025
    # The 2024 cohort is untouched, and a 2025 gathering may fall on a 2024 gathering's dates.
    gatherings_2024 = programme.list_gatherings(admin, session=session, cohort_id=cohort.id)
    assert [(g.start_date, g.end_date) for g in gatherings_2024] == TEMPLATE_DATES
    add(session, admin, cohort_2025.id, 7, date(2025, 11, 20), date(2025, 11, 21))
    assert [c.name for c in programme.list_cohorts(admin, session=session)] == ["LEDPRO 2025", "LEDPRO 2024"]


def test_update_cohort(session, admin, cohort, empty_cohort):
    programme.update_cohort(
        admin, session=session, cohort_id=cohort.id, name="LEDPRO 2024 Innlandet", institution="HINN", place="Hamar"
    )
    session.commit()
    session.refresh(cohort)
    assert (cohort.name, cohort.institution, cohort.place) == ("LEDPRO 2024 Innlandet", "HINN", "Hamar")
    # Keeping one's own name is fine; taking another cohort's is not.
    programme.update_cohort(admin, session=session, cohort_id=cohort.id, name="ledpro 2024 innlandet",
                            institution="", place="")
    with pytest.raises(Invalid) as excinfo:
        programme.update_cohort(admin, session=session, cohort_id=cohort.id, name="LEDPRO 2025",
                                institution="", place="")
    assert fields_of(excinfo) == {"name": "cohort.name_taken"}


def test_delete_cohort_is_refused_while_people_are_in_it(session, admin, cohort):
    make_member(session, admin, cohort.id, "kari")
    with pytest.raises(Conflict) as excinfo:
        programme.delete_cohort(admin, session=session, cohort_id=cohort.id)
    assert excinfo.value.key == "cohort.not_empty"
    assert excinfo.value.params == {"count": 1}
    session.rollback()
    assert session.get(Cohort, cohort.id) is not None


def test_delete_empty_cohort_removes_its_programme(session, admin, cohort, empty_cohort):
    programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 1")
    programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
    session.commit()
    programme.delete_cohort(admin, session=session, cohort_id=cohort.id)
    session.commit()
    session.expunge_all()
    assert [c.name for c in session.exec(select(Cohort)).all()] == ["LEDPRO 2025"]
    assert session.exec(select(Theme).where(Theme.cohort_id == cohort.id)).all() == []
    assert session.exec(select(Gathering).where(Gathering.cohort_id == cohort.id)).all() == []
    assert session.exec(select(InviteCode).where(InviteCode.cohort_id == cohort.id)).all() == []
    with pytest.raises(NotFound):
        programme.delete_cohort(admin, session=session, cohort_id=cohort.id)


# --- gatherings --------------------------------------------------------------------------------------


def test_add_gathering_with_theme_and_place(session, admin, empty_cohort):
    theme = programme.add_theme(admin, session=session, cohort_id=empty_cohort.id, name="Egen rolle")
    g = add(session, admin, empty_cohort.id, 1, date(2025, 2, 13), date(2025, 2, 15), place="  Wood   Hotel ",
            theme_id=theme.id)
    assert (g.number, g.start_date, g.end_date, g.place, g.theme_id) == (
        1, date(2025, 2, 13), date(2025, 2, 15), "Wood Hotel", theme.id,
    )


def test_end_before_start_is_refused(session, admin, empty_cohort):
    with pytest.raises(Invalid) as excinfo:
        add(session, admin, empty_cohort.id, 1, date(2025, 2, 14), date(2025, 2, 13))
    assert fields_of(excinfo) == {"end_date": "gathering.end_before_start"}


@pytest.mark.parametrize("days", [1, 4, 10])
def test_a_gathering_lasts_two_or_three_days(session, admin, empty_cohort, days):
    start = date(2025, 2, 13)
    with pytest.raises(Invalid) as excinfo:
        add(session, admin, empty_cohort.id, 1, start, start + timedelta(days=days - 1))
    assert fields_of(excinfo) == {"end_date": "gathering.two_or_three_days"}


def test_missing_and_out_of_range_fields(session, admin, empty_cohort, cohort):
    with pytest.raises(Invalid) as excinfo:
        add(session, admin, empty_cohort.id, None, None, None)
    assert fields_of(excinfo) == {
        "number": "field.required", "start_date": "field.required", "end_date": "field.required",
    }
    for number in (0, programme.MAX_GATHERINGS + 1):
        with pytest.raises(Invalid) as excinfo:
            add(session, admin, empty_cohort.id, number, date(2025, 2, 13), date(2025, 2, 14))
        assert fields_of(excinfo) == {"number": "gathering.number_range"}
    other_cohorts_theme = programme.list_themes(admin, session=session, cohort_id=cohort.id)[0]
    with pytest.raises(Invalid) as excinfo:
        add(session, admin, empty_cohort.id, 1, date(2025, 2, 13), date(2025, 2, 14), theme_id=other_cohorts_theme.id)
    assert fields_of(excinfo) == {"theme_id": "field.invalid_choice"}


def test_overlapping_gatherings_are_refused(session, admin, empty_cohort):
    add(session, admin, empty_cohort.id, 1, date(2025, 2, 13), date(2025, 2, 14))
    with pytest.raises(Invalid) as excinfo:
        add(session, admin, empty_cohort.id, 2, date(2025, 2, 14), date(2025, 2, 15))
    key, params = excinfo.value.errors["start_date"]
    assert (key, params) == ("gathering.overlaps", {"number": 1})
    # The day after is fine.
    add(session, admin, empty_cohort.id, 2, date(2025, 2, 15), date(2025, 2, 16))


def test_gathering_numbers_are_unique_within_a_cohort(session, admin, empty_cohort, cohort):
    add(session, admin, empty_cohort.id, 1, date(2025, 2, 13), date(2025, 2, 14))
    with pytest.raises(Invalid) as excinfo:
        add(session, admin, empty_cohort.id, 1, date(2025, 4, 3), date(2025, 4, 4))
    assert excinfo.value.errors["number"] == ("gathering.number_taken", {"number": 1})
    session.rollback()
    assert len(programme.list_gatherings(admin, session=session, cohort_id=empty_cohort.id)) == 1


def test_gathering_numbers_follow_the_calendar(session, admin, empty_cohort):
    add(session, admin, empty_cohort.id, 2, date(2025, 4, 3), date(2025, 4, 4))
    with pytest.raises(Invalid) as excinfo:
        add(session, admin, empty_cohort.id, 3, date(2025, 2, 13), date(2025, 2, 14))
    assert excinfo.value.errors["number"] == ("gathering.out_of_order", {"number": 2})
    with pytest.raises(Invalid) as excinfo:
        add(session, admin, empty_cohort.id, 1, date(2025, 5, 13), date(2025, 5, 14))
    assert excinfo.value.errors["number"] == ("gathering.out_of_order", {"number": 2})
    add(session, admin, empty_cohort.id, 1, date(2025, 2, 13), date(2025, 2, 14))
    add(session, admin, empty_cohort.id, 3, date(2025, 5, 13), date(2025, 5, 14))
    assert [g.number for g in programme.list_gatherings(admin, session=session, cohort_id=empty_cohort.id)] == [1, 2, 3]


def test_update_gathering(session, admin, cohort):
    sixth = programme.list_gatherings(admin, session=session, cohort_id=cohort.id)[5]
    theme = programme.list_themes(admin, session=session, cohort_id=cohort.id)[0]
    programme.update_gathering(
        admin, session=session, gathering_id=sixth.id, number=6, start_date=date(2024, 10, 14),
        end_date=date(2024, 10, 16), place="Hamar", theme_id=theme.id,
    )
    session.commit()
    session.expunge_all()
    stored = session.get(Gathering, sixth.id)
    assert (stored.start_date, stored.end_date, stored.place, stored.theme_id) == (
        date(2024, 10, 14), date(2024, 10, 16), "Hamar", theme.id,
    )
    # Keeping its own dates and number does not clash with itself; another's dates do.
    programme.update_gathering(
        admin, session=session, gathering_id=sixth.id, number=6, start_date=date(2024, 10, 14),
        end_date=date(2024, 10, 15), place="Hamar", theme_id=None,
    )
    with pytest.raises(Invalid) as excinfo:
        programme.update_gathering(
            admin, session=session, gathering_id=sixth.id, number=6, start_date=date(2024, 8, 29),
            end_date=date(2024, 8, 30), place="Hamar", theme_id=None,
        )
    assert fields_of(excinfo) == {"start_date": "gathering.overlaps"}
    with pytest.raises(Invalid) as excinfo:
        programme.update_gathering(
            admin, session=session, gathering_id=sixth.id, number=5, start_date=date(2024, 10, 14),
            end_date=date(2024, 10, 15), place="Hamar", theme_id=None,
        )
    assert fields_of(excinfo) == {"number": "gathering.number_taken"}


def test_every_change_a_calendar_shows_raises_the_gatherings_version_and_nothing_else_does(session, admin, cohort):
    """The version and its time are the calendar event's SEQUENCE and LAST-MODIFIED (services/calendar.py)."""
    third, sixth = (programme.list_gatherings(admin, session=session, cohort_id=cohort.id)[i] for i in (2, 5))
    themes = programme.list_themes(admin, session=session, cohort_id=cohort.id)
    long_ago = datetime(2024, 1, 10, tzinfo=UTC)
    for gathering in (third, sixth):
        gathering.updated_at = long_ago
        session.add(gathering)
    session.commit()

    def state(gathering) -> tuple[int, datetime]:
        session.expire_all()
        stored = session.get(Gathering, gathering.id)
        return stored.version, stored.updated_at

    def save(**changes):
        values = {"number": third.number, "start_date": third.start_date, "end_date": third.end_date,
                  "place": third.place, "theme_id": third.theme_id}
        programme.update_gathering(admin, session=session, gathering_id=third.id, **{**values, **changes})
        session.commit()

    assert state(third) == (0, long_ago)
    save()  # saved as it was, its place written with spaces around it
    save(place=f"  {third.place} ")
    assert state(third) == (0, long_ago)
    before = datetime.now(UTC)
    save(start_date=third.start_date + timedelta(days=2), end_date=third.end_date + timedelta(days=2))
    version, changed = state(third)
    assert version == 1 and changed >= before.replace(microsecond=0)
    for number, change in enumerate([{"place": "Hamar"}, {"theme_id": themes[0].id}, {"theme_id": None}], start=2):
        save(**change)
        assert state(third)[0] == number
    assert state(sixth) == (0, long_ago)  # the others are as they were

    # What its event shows of its theme and its cohort: a renamed or deleted theme, a renamed or moved cohort.
    programme.rename_theme(admin, session=session, theme_id=themes[3].id, name=themes[3].name)  # the same name
    session.commit()
    assert state(sixth) == (0, long_ago)
    programme.rename_theme(admin, session=session, theme_id=themes[3].id, name="Egen rolle")
    session.commit()
    assert state(sixth)[0] == 1
    programme.delete_theme(admin, session=session, theme_id=themes[3].id)
    session.commit()
    assert state(sixth)[0] == 2 and session.get(Gathering, sixth.id).theme_id is None
    cohort = session.get(Cohort, cohort.id)
    programme.update_cohort(admin, session=session, cohort_id=cohort.id, name=cohort.name,
                            institution="Et annet navn", place=cohort.place)  # not in the calendar
    session.commit()
    assert state(sixth)[0] == 2
    programme.update_cohort(admin, session=session, cohort_id=cohort.id, name="LEDPRO 2024 Hamar",
                            institution="Et annet navn", place=cohort.place)
    session.commit()
    assert (state(sixth)[0], state(third)[0]) == (3, 5)
    # A new place for the cohort reaches only the events of gatherings without a place of their own.
    sixth = session.get(Gathering, sixth.id)
    programme.update_gathering(admin, session=session, gathering_id=sixth.id, number=sixth.number,
                               start_date=sixth.start_date, end_date=sixth.end_date, place="", theme_id=None)
    session.commit()
    assert (state(sixth)[0], state(third)[0]) == (4, 5)
    programme.update_cohort(admin, session=session, cohort_id=cohort.id, name="LEDPRO 2024 Hamar",
                            institution="Et annet navn", place="Scandic Hamar")
    session.commit()
    assert (state(sixth)[0], state(third)[0]) == (5, 5)
    programme.update_cohort(admin, session=session, cohort_id=cohort.id, name="LEDPRO 2024",
                            institution="Et annet navn", place="Scandic Hamar")
    session.commit()
    assert (state(sixth)[0], state(third)[0]) == (6, 6)


def test_delete_gathering(session, admin, cohort):
    gatherings = programme.list_gatherings(admin, session=session, cohort_id=cohort.id)
    programme.delete_gathering(admin, session=session, gathering_id=gatherings[2].id)
    session.commit()
    assert [g.number for g in programme.list_gatherings(admin, session=session, cohort_id=cohort.id)] == [1, 2, 4, 5, 6]
    with pytest.raises(NotFound):
        programme.delete_gathering(admin, session=session, gathering_id=gatherings[2].id)


# --- the institution's template for exam drafts ---------------------------------------------------------


def a_word_document(text: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    content = io.BytesIO()
    document.save(content)
    return content.getvalue()


def test_the_institutions_template_is_set_replaced_and_removed_by_an_administrator(session, admin, cohort):
    participant = make_member(session, admin, cohort.id, "kari")
    assert programme.exam_template(admin, session=session, cohort_id=cohort.id) is None
    with pytest.raises(NotAllowed):
        programme.set_exam_template(participant, session=session, cohort_id=cohort.id, filename="mal.docx",
                                    content=a_word_document("Kari sin"))
    with pytest.raises(NotFound):
        programme.set_exam_template(admin, session=session, cohort_id=cohort.id + 1000, filename="mal.docx",
                                    content=a_word_document("Ingen"))
    with pytest.raises(Invalid) as excinfo:
        programme.set_exam_template(admin, session=session, cohort_id=cohort.id, filename="mal.docx",
                                    content=b"not a Word document")
    assert fields_of(excinfo) == {"file": "exam.template.not_docx"}

    first = programme.set_exam_template(admin, session=session, cohort_id=cohort.id, filename="",
                                        content=a_word_document("1"))
    assert first.filename == "mal.docx"
    replaced = programme.set_exam_template(admin, session=session, cohort_id=cohort.id, filename="HINN.docx",
                                           content=a_word_document("2"))
    session.commit()
    template = programme.exam_template(admin, session=session, cohort_id=cohort.id)
    assert (template.filename, template.content) == ("HINN.docx", replaced.content)
    with pytest.raises(NotAllowed):
        programme.exam_template(participant, session=session, cohort_id=cohort.id)
    with pytest.raises(NotAllowed):
        programme.remove_exam_template(participant, session=session, cohort_id=cohort.id)

    programme.remove_exam_template(admin, session=session, cohort_id=cohort.id)
    programme.remove_exam_template(admin, session=session, cohort_id=cohort.id)  # already gone: nothing to do
    session.commit()
    assert programme.exam_template(admin, session=session, cohort_id=cohort.id) is None


# --- themes ---------------------------------------------------------------------------------------------


def test_add_rename_and_delete_themes(session, admin, cohort):
    added = programme.add_theme(admin, session=session, cohort_id=cohort.id, name="  Lærende   ledelse ")
    session.commit()
    assert (added.name, added.position) == ("Lærende ledelse", 5)
    with pytest.raises(Invalid) as excinfo:
        programme.add_theme(admin, session=session, cohort_id=cohort.id, name="LÆRENDE LEDELSE")
    assert fields_of(excinfo) == {"name": "theme.name_taken"}
    renamed = programme.rename_theme(admin, session=session, theme_id=added.id, name="Aksjonslæring")
    session.commit()
    assert renamed.name == "Aksjonslæring"
    with pytest.raises(Invalid) as excinfo:
        programme.rename_theme(admin, session=session, theme_id=added.id, name=TEMPLATE_THEMES[0].upper())
    assert fields_of(excinfo) == {"name": "theme.name_taken"}
    with pytest.raises(Invalid) as excinfo:
        programme.rename_theme(admin, session=session, theme_id=added.id, name=" ")
    assert fields_of(excinfo) == {"name": "field.required"}
    session.rollback()
    # The same name in another cohort is fine.
    other = make_cohort(session, admin, "LEDPRO 2025", from_template=False)
    programme.add_theme(admin, session=session, cohort_id=other.id, name="Aksjonslæring")


def test_deleting_a_theme_keeps_its_gatherings_without_a_theme(session, admin, cohort):
    themes = programme.list_themes(admin, session=session, cohort_id=cohort.id)
    second = themes[1]
    with_second = [g.number for g in programme.list_gatherings(admin, session=session, cohort_id=cohort.id)
                   if g.theme_id == second.id]
    assert with_second  # the template uses every theme
    programme.delete_theme(admin, session=session, theme_id=second.id)
    session.commit()
    session.expunge_all()
    assert [t.name for t in programme.list_themes(admin, session=session, cohort_id=cohort.id)] == [
        TEMPLATE_THEMES[0], TEMPLATE_THEMES[2], TEMPLATE_THEMES[3],
    ]
    gatherings = programme.list_gatherings(admin, session=session, cohort_id=cohort.id)
    assert len(gatherings) == 6
    assert [g.number for g in gatherings if g.theme_id is None] == with_second
    # A theme added afterwards does not take a used position.
    assert programme.add_theme(admin, session=session, cohort_id=cohort.id, name="Ny").position == 5


# --- groups and memberships --------------------------------------------------------------------------------


def test_create_rename_and_delete_groups(session, admin, cohort):
    group = programme.create_group(admin, session=session, cohort_id=cohort.id, name=" Gruppe  1 ")
    programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 2")
    session.commit()
    assert group.name == "Gruppe 1"
    with pytest.raises(Invalid) as excinfo:
        programme.create_group(admin, session=session, cohort_id=cohort.id, name="gruppe 1")
    assert fields_of(excinfo) == {"name": "group.name_taken"}
    with pytest.raises(Invalid) as excinfo:
        programme.rename_group(admin, session=session, group_id=group.id, name="GRUPPE 2")
    assert fields_of(excinfo) == {"name": "group.name_taken"}
    programme.rename_group(admin, session=session, group_id=group.id, name="Bjørkene")
    session.commit()
    groups = programme.list_groups(admin, session=session, cohort_id=cohort.id)
    assert [g.name for g in groups] == ["Bjørkene", "Gruppe 2"]


def test_deleting_a_group_keeps_its_members_in_the_cohort(session, admin, cohort):
    group = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 1")
    session.commit()
    kari = make_member(session, admin, cohort.id, "kari", group_id=group.id)
    invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT,
                                     group_id=group.id)
    session.commit()
    programme.delete_group(admin, session=session, group_id=group.id)
    session.commit()
    session.expunge_all()
    members = programme.list_members(admin, session=session, cohort_id=cohort.id)
    assert [(m.user_id, m.group_id) for m in members] == [(kari.id, None)]
    assert session.get(InviteCode, invite.id).group_id is None
    assert programme.list_groups(admin, session=session, cohort_id=cohort.id) == []


def test_move_to_group(session, admin, cohort, empty_cohort):
    first = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 1")
    second = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 2")
    elsewhere = programme.create_group(admin, session=session, cohort_id=empty_cohort.id, name="Gruppe 1")
    session.commit()
    make_member(session, admin, cohort.id, "kari", group_id=first.id)
    membership = programme.list_members(admin, session=session, cohort_id=cohort.id)[0]
    programme.move_to_group(admin, session=session, membership_id=membership.membership_id, group_id=second.id)
    session.commit()
    assert programme.list_members(admin, session=session, cohort_id=cohort.id)[0].group_id == second.id
    with pytest.raises(Invalid) as excinfo:
        programme.move_to_group(admin, session=session, membership_id=membership.membership_id, group_id=elsewhere.id)
    assert fields_of(excinfo) == {"group_id": "field.invalid_choice"}
    session.rollback()
    assert programme.list_members(admin, session=session, cohort_id=cohort.id)[0].group_id == second.id
    programme.move_to_group(admin, session=session, membership_id=membership.membership_id, group_id=None)
    session.commit()
    assert programme.list_members(admin, session=session, cohort_id=cohort.id)[0].group_id is None


def test_facilitators_are_not_placed_in_groups(session, admin, cohort):
    group = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 1")
    make_member(session, admin, cohort.id, "fasilitator", role=Role.FACILITATOR)
    membership = programme.list_members(admin, session=session, cohort_id=cohort.id)[0]
    with pytest.raises(Invalid) as excinfo:
        programme.move_to_group(admin, session=session, membership_id=membership.membership_id, group_id=group.id)
    assert fields_of(excinfo) == {"group_id": "group.only_participants"}


def test_facilitator_assignment_only_for_facilitator_accounts(session, admin, cohort, empty_cohort):
    facilitator = make_member(session, admin, cohort.id, "fasilitator", role=Role.FACILITATOR)
    participant = make_member(session, admin, cohort.id, "kari")
    membership = programme.assign_facilitator(admin, session=session, cohort_id=empty_cohort.id, user_id=facilitator.id)
    session.commit()
    assert (membership.cohort_id, membership.role) == (empty_cohort.id, Role.FACILITATOR)
    # Assigning twice is harmless.
    again = programme.assign_facilitator(admin, session=session, cohort_id=empty_cohort.id, user_id=facilitator.id)
    assert again.id == membership.id
    for user in (participant, admin):
        with pytest.raises(Invalid) as excinfo:
            programme.assign_facilitator(admin, session=session, cohort_id=empty_cohort.id, user_id=user.id)
        assert fields_of(excinfo) == {"user_id": "cohort.not_a_facilitator"}
    assert [u.username for u in programme.list_facilitator_accounts(admin, session=session)] == ["fasilitator"]
    # A facilitator can be removed from a cohort; a participant cannot.
    programme.remove_from_cohort(admin, session=session, membership_id=membership.id)
    session.commit()
    assert programme.list_members(admin, session=session, cohort_id=empty_cohort.id) == []
    kari_membership = session.exec(select(CohortMembership).where(CohortMembership.user_id == participant.id)).one()
    with pytest.raises(Conflict):
        programme.remove_from_cohort(admin, session=session, membership_id=kari_membership.id)


# --- invite codes --------------------------------------------------------------------------------------


CODE = re.compile(
    r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-"
    r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}-"
    r"[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}$"
)


def test_invite_codes_are_easy_to_read_aloud(session, admin, cohort):
    codes = [programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT).code
             for _ in range(20)]
    assert all(CODE.match(code) for code in codes), codes
    assert len(set(codes)) == 20


def test_invite_status_through_its_life(session, admin, cohort):
    invite = programme.create_invite(
        admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT, max_uses=1, valid_days=7
    )
    session.commit()
    assert programme.invite_status(invite) == "active"
    assert timedelta(days=6, hours=23) < invite.expires_at - invite.created_at <= timedelta(days=7, minutes=1)
    accounts.register_with_invite(
        session, invite_code=invite.code, username="kari", display_name="Kari", password="et langt nok passord"
    )
    session.commit()
    session.refresh(invite)
    assert programme.invite_status(invite) == "used_up"

    expiring = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
    expiring.expires_at = expiring.created_at - timedelta(seconds=1)
    session.add(expiring)
    session.commit()
    session.refresh(expiring)
    assert programme.invite_status(expiring) == "expired"

    revoked = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT,
                                      valid_days=None)
    assert revoked.expires_at is None
    programme.revoke_invite(admin, session=session, invite_id=revoked.id)
    session.commit()
    assert programme.invite_status(revoked) == "revoked"
    listed = {
        i.id: programme.invite_status(i) for i in programme.list_invites(admin, session=session, cohort_id=cohort.id)
    }
    assert listed == {invite.id: "used_up", expiring.id: "expired", revoked.id: "revoked"}
    assert programme.admin_overview(admin, session=session).active_invites == 0


def test_invite_fields_are_checked(session, admin, cohort, empty_cohort):
    group = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 1")
    other_group = programme.create_group(admin, session=session, cohort_id=empty_cohort.id, name="Gruppe 1")
    with pytest.raises(Invalid) as excinfo:
        programme.create_invite(
            admin, session=session, cohort_id=cohort.id, role=Role.ADMIN, max_uses=0, valid_days=400,
        )
    assert fields_of(excinfo) == {
        "role": "field.invalid_choice", "max_uses": "invite.max_uses_range", "valid_days": "invite.valid_days_range",
    }
    with pytest.raises(Invalid) as excinfo:
        programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT,
                                group_id=other_group.id)
    assert fields_of(excinfo) == {"group_id": "field.invalid_choice"}
    with pytest.raises(Invalid) as excinfo:
        programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.FACILITATOR, group_id=group.id)
    assert fields_of(excinfo) == {"group_id": "field.invalid_choice"}
    with pytest.raises(NotFound):
        programme.create_invite(admin, session=session, cohort_id=cohort.id + 1000, role=Role.PARTICIPANT)


# --- what participants see --------------------------------------------------------------------------------


def test_my_programmes_for_a_participant(session, admin, cohort):
    group = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 1")
    other_group = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 2")
    session.commit()
    kari = make_member(session, admin, cohort.id, "kari", name="Kari Nordmann", group_id=group.id)
    make_member(session, admin, cohort.id, "ola", name="Ola Hansen", group_id=group.id)
    gone = make_member(session, admin, cohort.id, "per", name="Per Borte", group_id=group.id)
    make_member(session, admin, cohort.id, "siri", name="Siri Annen", group_id=other_group.id)
    make_member(session, admin, cohort.id, "fasilitator", role=Role.FACILITATOR)
    accounts.set_user_active(admin, session=session, user_id=gone.id, active=False)
    session.commit()

    views = programme.my_programmes(kari, session=session)
    assert len(views) == 1
    view = views[0]
    assert view.cohort.name == "LEDPRO 2024"
    assert [(g.start_date, g.end_date) for g in view.gatherings] == TEMPLATE_DATES
    assert sorted(t.name for t in view.themes.values()) == sorted(TEMPLATE_THEMES)
    assert view.group.name == "Gruppe 1"
    assert view.group_members == ["Kari Nordmann", "Ola Hansen"]
    assert view.part == 1

    assert view.next_gathering(date(2024, 1, 10)).number == 1
    assert view.next_gathering(date(2024, 4, 5)).number == 2  # the last day of a gathering is still "next"
    assert view.next_gathering(date(2024, 4, 6)).number == 3
    assert view.next_gathering(date(2024, 9, 1)).number == 6
    assert view.next_gathering(date(2024, 10, 9)) is None


def test_my_programmes_without_group_and_for_other_roles(session, admin, cohort, empty_cohort):
    kari = make_member(session, admin, cohort.id, "kari")
    view = programme.my_programmes(kari, session=session)[0]
    assert view.group is None and view.group_members == []
    facilitator = make_member(session, admin, cohort.id, "fasilitator", role=Role.FACILITATOR)
    programme.assign_facilitator(admin, session=session, cohort_id=empty_cohort.id, user_id=facilitator.id)
    session.commit()
    views = programme.my_programmes(facilitator, session=session)
    assert {v.cohort.name for v in views} == {"LEDPRO 2024", "LEDPRO 2025"}
    assert all(v.part is None for v in views)
    assert programme.my_programmes(admin, session=session) == []


def test_admin_overview_counts(session, admin, cohort):
    make_member(session, admin, cohort.id, "kari")
    make_member(session, admin, cohort.id, "ola")
    make_member(session, admin, cohort.id, "fasilitator", role=Role.FACILITATOR)
    programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
    session.commit()
    overview = programme.admin_overview(admin, session=session)
    # make_member's own invites have no use limit, so they stay active as well.
    assert (overview.cohorts, overview.participants, overview.facilitators, overview.active_invites) == (1, 2, 1, 4)
