"""The calendar file and its feed tokens, read back with the icalendar parser and checked event by event."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import Session, select

from ledpro_journal.models import ActionStatus, DocumentKind, Gathering, Role, User
from ledpro_journal.services import accounts, calendar, journal, programme
from ledpro_journal.services.errors import NotAllowed
from ledpro_journal.services.programme import LEDPRO_2024
from tests.helpers import make_member

APP = "https://ledpro.example.no"


@pytest.fixture
def pia(session, admin, cohort):
    return make_member(session, admin, cohort.id, "pia", name="Pia Deltaker")


def action(session, owner, title, *, on=None, status=ActionStatus.PLANNED):
    document = journal.create_document(owner, session=session, kind=DocumentKind.ACTION)
    journal.save_document(owner, session=session, document_id=document.id, base_version=0,
                          fields={"title": title}, happened_on=on, status=status)
    session.commit()
    return document


def redate(session, owner, document, on):
    journal.save_document(owner, session=session, document_id=document.id, base_version=document.version,
                          fields={}, happened_on=on)
    session.commit()


def read(user, session, app_url=APP) -> Calendar:
    return Calendar.from_ical(calendar.build_calendar(user, session=session, app_url=app_url))


def events(parsed: Calendar) -> dict[str, object]:
    found = {}
    for event in parsed.walk("VEVENT"):
        uid = str(event["UID"])
        assert uid not in found, f"{uid} twice"
        found[uid] = event
    return found


def by_prefix(parsed: Calendar, prefix: str) -> list:
    return [event for uid, event in events(parsed).items() if uid.startswith(prefix)]


def day(event, name: str) -> date:
    value = event.decoded(name)
    # All-day: a DATE, not a DATE-TIME (a datetime is also a date in Python, so say it outright).
    assert type(value) is date, (name, value)
    assert event[name].params.get("VALUE") == "DATE"
    return value


def test_every_gathering_is_an_all_day_event_from_its_first_to_its_last_day(session, pia, cohort):
    gatherings = by_prefix(read(pia, session), "gathering-")
    assert len(gatherings) == len(LEDPRO_2024["gatherings"])
    for (number, first, last, theme_index), event in zip(LEDPRO_2024["gatherings"], gatherings, strict=True):
        assert str(event["SUMMARY"]) == f"Samling {number} – LEDPRO 2024"
        assert day(event, "DTSTART") == first
        # RFC 5545: an all-day event ends on the day after its last day.
        assert day(event, "DTEND") == last + timedelta(days=1)
        assert str(event["LOCATION"]) == "Wood Hotel, Brumunddal"
        assert str(event["DESCRIPTION"]).splitlines() == [
            f"Hovedtema: {LEDPRO_2024['themes'][theme_index]}",
            f"Åpne i LEDPRO Journal: {APP}/",
        ]
        assert str(event["TRANSP"]) == "OPAQUE"
        assert event.decoded("DTSTAMP").tzinfo is not None


def test_my_dated_actions_are_all_day_events_with_their_status(session, pia):
    planned = action(session, pia, "Medarbeidersamtaler på ny måte", on=date(2024, 3, 4))
    done = action(session, pia, "Felles morgenmøte", on=date(2024, 3, 11), status=ActionStatus.DONE)
    dropped = action(session, pia, "Skyggelegging", on=date(2024, 3, 18), status=ActionStatus.DROPPED)
    action(session, pia, "Uten dato ennå")
    found = {str(e["UID"]).split("@")[0]: e for e in by_prefix(read(pia, session), "action-")}

    assert set(found) == {f"action-{planned.id}", f"action-{done.id}", f"action-{dropped.id}"}
    expected = {
        planned.id: ("Aksjon: Medarbeidersamtaler på ny måte – Planlagt", date(2024, 3, 4), "TENTATIVE", "Planlagt"),
        done.id: ("Aksjon: Felles morgenmøte – Gjennomført", date(2024, 3, 11), "CONFIRMED", "Gjennomført"),
        dropped.id: ("Aksjon: Skyggelegging – Droppet", date(2024, 3, 18), "CANCELLED", "Droppet"),
    }
    for document_id, (summary, on, status, status_word) in expected.items():
        event = found[f"action-{document_id}"]
        saved = journal.get_document(pia, session=session, document_id=document_id)
        assert str(event["SUMMARY"]) == summary
        assert day(event, "DTSTART") == on
        assert day(event, "DTEND") == on + timedelta(days=1)
        assert str(event["STATUS"]) == status
        assert str(event["TRANSP"]) == "TRANSPARENT"
        assert event.decoded("SEQUENCE") == saved.version
        assert event.decoded("LAST-MODIFIED") == saved.updated_at.replace(microsecond=0)
        assert str(event["DESCRIPTION"]).splitlines() == [
            f"Status: {status_word}",
            f"Åpne i LEDPRO Journal: {APP}/write?id={document_id}",
        ]


def test_a_changed_date_moves_the_event_instead_of_adding_one(session, admin, pia, cohort):
    moved = action(session, pia, "Flyttes", on=date(2024, 3, 4))
    gathering = session.exec(
        Gathering.__table__.select().where(Gathering.cohort_id == cohort.id).where(Gathering.number == 6)
    ).one()
    before = events(read(pia, session))

    redate(session, pia, moved, date(2024, 3, 25))
    programme.update_gathering(admin, session=session, gathering_id=gathering.id, number=6,
                               start_date=date(2024, 10, 14), end_date=date(2024, 10, 15), place="Hamar",
                               theme_id=gathering.theme_id)
    session.commit()
    after = events(read(pia, session))

    assert set(after) == set(before)
    moved_event = next(e for uid, e in after.items() if uid.startswith(f"action-{moved.id}@"))
    assert day(moved_event, "DTSTART") == date(2024, 3, 25)
    assert moved_event.decoded("SEQUENCE") > next(
        e for uid, e in before.items() if uid.startswith(f"action-{moved.id}@")
    ).decoded("SEQUENCE")
    sixth = next(e for uid, e in after.items() if uid.startswith(f"gathering-{gathering.id}@"))
    assert (day(sixth, "DTSTART"), day(sixth, "DTEND")) == (date(2024, 10, 14), date(2024, 10, 16))
    assert str(sixth["LOCATION"]) == "Hamar"


def test_a_moved_gathering_is_the_same_event_with_a_higher_sequence_and_a_later_last_modified(
    session, admin, pia, cohort
):
    """Strict calendar programs take an event as changed only when its SEQUENCE or DTSTAMP is raised."""
    third = session.exec(select(Gathering).where(Gathering.cohort_id == cohort.id).where(Gathering.number == 3)).one()
    third.updated_at = datetime(2024, 1, 10, 9, 30, tzinfo=UTC)  # planned long ago
    session.add(third)
    session.commit()

    def gathering_events() -> dict[str, object]:
        return {uid: e for uid, e in events(read(pia, session)).items() if uid.startswith("gathering-")}

    def save(start: date, end: date):
        programme.update_gathering(admin, session=session, gathering_id=third.id, number=3, start_date=start,
                                   end_date=end, place=third.place, theme_id=third.theme_id)
        session.commit()

    before = gathering_events()
    uid = f"gathering-{third.id}@"
    [key] = [key for key in before if key.startswith(uid)]
    old = before[key]
    assert (old.decoded("SEQUENCE"), old.decoded("LAST-MODIFIED"), old.decoded("DTSTAMP")) == (
        0, datetime(2024, 1, 10, 9, 30, tzinfo=UTC), datetime(2024, 1, 10, 9, 30, tzinfo=UTC))

    moved_at = datetime.now(UTC).replace(microsecond=0)
    save(date(2024, 5, 17), date(2024, 5, 18))  # two days later
    after = gathering_events()
    assert set(after) == set(before)  # the same UIDs: moved, not added
    new = after[key]
    assert (day(new, "DTSTART"), day(new, "DTEND")) == (date(2024, 5, 17), date(2024, 5, 19))
    assert new.decoded("SEQUENCE") == 1
    assert new.decoded("LAST-MODIFIED") >= moved_at > old.decoded("LAST-MODIFIED")
    assert new.decoded("DTSTAMP") == new.decoded("LAST-MODIFIED")
    # The other gatherings' events are exactly as they were.
    assert {k: e.to_ical() for k, e in after.items() if k != key} == {k: e.to_ical() for k, e in before.items()
                                                                       if k != key}

    save(date(2024, 5, 17), date(2024, 5, 18))  # saved again, nothing changed
    assert gathering_events()[key].to_ical() == new.to_ical()


def test_uids_do_not_depend_on_the_address_the_app_is_reached_at(session, pia):
    action(session, pia, "Aksjonen", on=date(2024, 3, 4))
    here = set(events(read(pia, session, "https://ledpro.example.no")))
    there = set(events(read(pia, session, "http://127.0.0.1:8501")))
    nowhere = set(events(read(pia, session, None)))
    assert here == there == nowhere
    assert all(uid.split("@")[1].endswith(".ledpro-journal") for uid in here)


def test_without_a_known_address_there_is_no_link(session, pia):
    action(session, pia, "Aksjonen", on=date(2024, 3, 4))
    for event in read(pia, session, None).walk("VEVENT"):
        assert "URL" not in event
        assert "http" not in str(event.get("DESCRIPTION", ""))


def test_binned_actions_and_log_entries_are_not_in_the_calendar(session, pia):
    kept = action(session, pia, "Beholdt", on=date(2024, 3, 4))
    binned = action(session, pia, "Kastet", on=date(2024, 3, 5))
    log = journal.create_document(pia, session=session, kind=DocumentKind.LOG, parent_id=kept.id)
    journal.save_document(pia, session=session, document_id=log.id, base_version=0, fields={"title": "Loggen"},
                          happened_on=date(2024, 3, 6))
    journal.delete_document(pia, session=session, document_id=binned.id)
    session.commit()

    raw = calendar.build_calendar(pia, session=session, app_url=APP).decode()
    assert [str(e["UID"]).split("@")[0] for e in by_prefix(Calendar.from_ical(raw), "action-")] == [
        f"action-{kept.id}"
    ]
    assert "Kastet" not in raw and "Loggen" not in raw

    journal.restore_document(pia, session=session, document_id=binned.id)
    session.commit()
    assert "Aksjon: Kastet – Planlagt" in [str(e["SUMMARY"]) for e in read(pia, session).walk("VEVENT")]


def test_the_calendar_says_its_name_time_zone_and_how_often_to_fetch_it(session, pia):
    raw = calendar.build_calendar(pia, session=session, app_url=APP)
    parsed = Calendar.from_ical(raw)
    assert str(parsed["VERSION"]) == "2.0"
    assert str(parsed["PRODID"]).startswith("-//LEDPRO Journal//")
    assert str(parsed["X-WR-CALNAME"]) == "LEDPRO: samlinger og aksjoner"
    assert str(parsed["X-WR-TIMEZONE"]) == "Europe/Oslo"
    assert parsed.decoded("REFRESH-INTERVAL") == timedelta(hours=4)
    assert parsed["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert str(parsed["X-PUBLISHED-TTL"]) == "PT4H"
    assert b"\r\n" in raw  # the line endings RFC 5545 asks for


def test_an_english_user_gets_english_text(session, pia):
    accounts.update_profile(pia, session=session, display_name=pia.display_name, candidate_number="",
                            language="en", part=None)
    session.commit()
    action(session, pia, "Team meeting", on=date(2024, 3, 4), status=ActionStatus.IN_PROGRESS)
    summaries = [str(e["SUMMARY"]) for e in read(pia, session).walk("VEVENT")]
    assert "Gathering 1 – LEDPRO 2024" in summaries
    assert "Action: Team meeting – In progress" in summaries
    assert str(read(pia, session)["X-WR-CALNAME"]) == "LEDPRO: gatherings and actions"


def test_the_same_rows_give_the_same_bytes(session, pia):
    action(session, pia, "Aksjonen", on=date(2024, 3, 4))
    first = calendar.build_calendar(pia, session=session, app_url=APP)
    assert calendar.build_calendar(pia, session=session, app_url=APP) == first


def test_a_facilitator_gets_the_gatherings_of_their_cohorts_only(session, admin, cohort, pia):
    action(session, pia, "Pias aksjon", on=date(2024, 3, 4))
    other = programme.create_cohort(admin, session=session, name="LEDPRO 2025", from_ledpro_2024=False)
    programme.add_gathering(admin, session=session, cohort_id=other.id, number=1,
                            start_date=date(2025, 2, 10), end_date=date(2025, 2, 11))
    session.commit()
    frida = make_member(session, admin, cohort.id, "frida", role=Role.FACILITATOR, name="Frida Fag")

    parsed = read(frida, session)
    summaries = [str(e["SUMMARY"]) for e in parsed.walk("VEVENT")]
    assert summaries == [f"Samling {number} – LEDPRO 2024" for number, *_ in LEDPRO_2024["gatherings"]]
    assert str(parsed["X-WR-CALNAME"]) == "LEDPRO: samlinger"

    programme.assign_facilitator(admin, session=session, cohort_id=other.id, user_id=frida.id)
    session.commit()
    assert "Samling 1 – LEDPRO 2025" in [str(e["SUMMARY"]) for e in read(frida, session).walk("VEVENT")]


def test_an_administrator_has_no_calendar(session, admin):
    with pytest.raises(NotAllowed):
        calendar.build_calendar(admin, session=session)
    with pytest.raises(NotAllowed):
        calendar.feed_token_for(admin, session=session)


# --- feed tokens -----------------------------------------------------------------------------------------


def test_the_feed_token_is_made_once_and_opens_my_feed(session, pia):
    token = calendar.feed_token_for(pia, session=session)
    session.commit()
    assert len(token) == 43
    assert calendar.feed_token_for(pia, session=session) == token
    assert calendar.user_for_feed_token(session, token).id == pia.id
    assert calendar.feed_for_token(session, token, app_url=APP) == calendar.build_calendar(
        pia, session=session, app_url=APP
    )


def test_renewing_ends_the_old_address_at_once(session, pia):
    old = calendar.feed_token_for(pia, session=session)
    session.commit()
    new = calendar.renew_feed_token(pia, session=session)
    session.commit()
    assert new != old
    assert calendar.user_for_feed_token(session, old) is None
    assert calendar.feed_for_token(session, old, app_url=APP) is None
    assert calendar.user_for_feed_token(session, new).id == pia.id
    assert calendar.feed_token_for(pia, session=session) == new


@pytest.mark.parametrize("mangle", [str.upper, str.lower, lambda t: t[:-1], lambda t: t + "A", lambda t: "",
                                    lambda t: t[:-1] + "%", lambda t: t.replace(t[0], "/")])
def test_a_token_that_is_not_exactly_mine_opens_nothing(session, pia, mangle):
    token = calendar.feed_token_for(pia, session=session)
    session.commit()
    wrong = mangle(token)
    if wrong != token:
        assert calendar.user_for_feed_token(session, wrong) is None
    assert calendar.user_for_feed_token(session, None) is None


def test_a_deactivated_or_deleted_account_has_no_feed(session, admin, pia):
    token = calendar.feed_token_for(pia, session=session)
    session.commit()
    accounts.set_user_active(admin, session=session, user_id=pia.id, active=False)
    session.commit()
    assert calendar.feed_for_token(session, token, app_url=APP) is None
    accounts.set_user_active(admin, session=session, user_id=pia.id, active=True)
    session.commit()
    assert calendar.feed_for_token(session, token, app_url=APP) is not None

    user = session.get(User, pia.id)
    user.deleted_at = datetime.now().astimezone()
    session.add(user)
    session.commit()
    assert calendar.feed_for_token(session, token, app_url=APP) is None


def test_two_pages_making_the_first_token_at_once_agree_on_one(session, engine, pia, monkeypatch):
    # The other tab's row is committed after this one looked and found none.
    with Session(engine) as other:
        theirs = calendar.feed_token_for(other.get(User, pia.id), session=other)
        other.commit()
    monkeypatch.setattr(session, "get", lambda model, key: None)
    assert calendar.feed_token_for(pia, session=session) == theirs
    session.commit()
    monkeypatch.undo()
    assert calendar.feed_token_for(pia, session=session) == theirs
