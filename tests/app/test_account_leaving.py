"""Leaving (Min konto → Slett kontoen), and what a participant of a closed cohort sees: a banner on every
page with the deletion date, the editor's text to read instead of fields, no button that starts something
that cannot be saved; a note deleted for good shown as a deleted note with its comments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from ledpro_journal.i18n import format_date, today_in_oslo
from ledpro_journal.models import Document, DocumentKind, User
from ledpro_journal.services import accounts, data_export, journal, leaving, programme
from tests.app.builders import (
    click,
    comment,
    en,
    error_after,
    form,
    htmls,
    labelled,
    nb,
    open_page,
    open_shared,
    open_write,
    run,
    share,
    visible_text,
    write,
)
from tests.helpers import make_admin

DELETION = date(2099, 6, 1)


def delete_via_form(at, typed: str, *, lang: str = "nb") -> None:
    tr = nb if lang == "nb" else en
    box = form(at, "delete_account")
    box.text_input[0].input(typed)
    labelled(box.form_submit_button, tr("leaving.button")).click()
    run(at)


def test_the_page_says_what_goes_and_what_stays_and_offers_the_export_first(writers, browser):
    browser.sign_in(writers.pia)
    at = open_page("pages/account.py")
    text = visible_text(at)
    assert nb("leaving.title") in text and nb("leaving.lead") in text
    assert nb("leaving.export_first") in [info.value for info in at.info]
    box = form(at, "delete_account")
    assert [w.label for w in box.text_input] == [nb("leaving.confirm", username="pia")]


def _in_order(at) -> list[str]:
    """The labels and texts of the main area, in the order they are drawn."""
    return [line for line in visible_text(at).splitlines() if line]


def test_a_participant_downloads_the_export_right_above_the_confirmation(writers, browser, dbs):
    write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Mitt notat", "free_text": "Privat"})
    browser.sign_in(writers.pia)
    at = open_page("pages/account.py")
    order = _in_order(at)
    button = order.index(nb("leaving.export_button"))
    assert order.index(nb("leaving.export_first")) < button < order.index(nb("leaving.confirm", username="pia"))
    # The same build with its steps as under Mine data, and a dated zip to download right here.
    click(at, nb("leaving.export_button"))
    [status] = at.status
    assert status.label == nb("my_data.export.ready")
    assert [m.value for m in status.markdown] == [nb(f"my_data.step.{step}") for step in data_export.STEPS]
    name = f"ledpro-pia-{today_in_oslo().isoformat()}.zip"
    [download] = [b for b in at.download_button if b.key == "leaving_download"]
    assert download.label.replace("\\", "") == nb("my_data.export.download", filename=name).replace("\\", "")
    order = _in_order(at)
    assert order.index(download.label) < order.index(nb("leaving.confirm", username="pia"))


def test_facilitators_and_administrators_are_not_offered_an_export_they_do_not_have(writers, frode, browser):
    for user in (frode, writers.admin):
        browser.sign_in(user)
        at = open_page("pages/account.py")
        infos = [info.value for info in at.info]
        assert nb("leaving.no_export") in infos and nb("leaving.export_first") not in infos
        assert nb("leaving.export_button") not in [b.label for b in at.button]
        assert form(at, "delete_account")


def test_deleting_the_account_ends_the_session_and_sends_the_browser_to_sign_in(writers, browser, fresh):
    note = write(browser.session, writers.pia, DocumentKind.NOTE, {"title": "Mitt notat", "free_text": "Privat"})
    browser.sign_in(writers.pia)
    at = open_page("pages/account.py")
    delete_via_form(at, "pia")

    assert [s.value for s in at.success] == [nb("leaving.signed_out")]
    assert any("/auth/signout?account_deleted=1&amp;lang=nb" in body or "/auth/signout?account_deleted=1&lang=nb"
               in body for body in htmls(at))
    with fresh() as session:
        gone = session.get(User, writers.pia.id)
        assert gone.deleted_at is not None and gone.display_name == ""
        assert session.get(Document, note.id) is None
        assert accounts.resolve_session(session, browser.token) is None


def test_the_farewell_is_in_the_persons_language(frode, browser, dbs, fresh):
    """A facilitator may leave too (their comments stay, from a former participant)."""
    accounts.update_profile(frode, session=dbs, display_name="Frode Faglærer", candidate_number="", language="en")
    dbs.commit()
    browser.sign_in(frode)
    at = open_page("pages/account.py")
    delete_via_form(at, "frode", lang="en")
    assert [s.value for s in at.success] == [en("leaving.signed_out")]
    assert any("lang=en" in body for body in htmls(at))
    with fresh() as session:
        assert session.get(User, frode.id).deleted_at is not None


def test_a_wrong_username_is_refused_under_the_field_and_nothing_goes(writers, browser, fresh):
    write(browser.session, writers.pia, DocumentKind.NOTE, {"title": "Mitt notat"})
    browser.sign_in(writers.pia)
    at = open_page("pages/account.py")
    delete_via_form(at, "ola")
    label = nb("leaving.confirm", username="pia")
    assert error_after(form(at, "delete_account"), label) == nb("leaving.username_mismatch")
    with fresh() as session:
        assert session.get(User, writers.pia.id).deleted_at is None
        assert session.exec(select(Document).where(Document.owner_id == writers.pia.id)).all()


def test_the_last_administrator_is_told_why_not(dbs, browser, fresh):
    admin = make_admin(dbs)
    browser.sign_in(admin)
    at = open_page("pages/account.py")
    delete_via_form(at, "admin")
    assert nb("leaving.last_admin") in [e.value for e in at.error]
    with fresh() as session:
        assert session.get(User, admin.id).deleted_at is None


# --- a closed cohort, as its participants see it ----------------------------------------------------------------


def close(dbs, writers, deletion_on=DELETION):
    programme.close_cohort(writers.admin, session=dbs, cohort_id=writers.cohort.id, deletion_on=deletion_on)
    dbs.commit()


@pytest.mark.parametrize("page", ["pages/home.py", "pages/notes.py", "pages/account.py", "pages/exam.py"])
def test_every_page_shows_the_banner_with_the_deletion_date(writers, browser, dbs, page):
    close(dbs, writers)
    browser.sign_in(writers.pia)
    at = open_page(page)
    banner = nb("cohort.closed_banner", name="LEDPRO 2024", date=format_date(DELETION, "nb"))
    assert banner in [w.value for w in at.warning]


def test_without_a_closed_cohort_there_is_no_banner(writers, browser):
    browser.sign_in(writers.pia)
    at = open_page("pages/home.py")
    assert not any("LEDPRO 2024" in w.value for w in at.warning)


def test_the_editor_shows_the_text_to_read_and_offers_no_save(writers, browser, dbs):
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Mitt notat", "free_text": "Teksten min"})
    close(dbs, writers)
    browser.sign_in(writers.pia)
    at = open_page("pages/home.py")
    open_write(at, note.id)
    assert at.text_input[0].value == "Mitt notat"
    assert all(w.disabled for w in [*at.text_input, *at.text_area])
    labels = [b.label for b in at.button]
    assert nb("action.save") not in labels and nb("journal.delete") not in labels
    assert nb("cohort.read_only") in [i.value for i in at.info]
    assert not any("/api/drafts/" in body for body in htmls(at))


def test_no_button_starts_something_new_in_a_closed_cohort(writers, browser, dbs):
    write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Mitt notat"})
    close(dbs, writers)
    browser.sign_in(writers.pia)
    at = open_page("pages/notes.py")
    assert labelled(at.button, nb("journal.new_note")).disabled
    at = open_page("pages/actions.py")
    assert labelled(at.button, nb("journal.new_action")).disabled


def test_the_challenge_page_of_a_closed_cohort_without_a_challenge_says_so(writers, browser, dbs):
    close(dbs, writers)
    browser.sign_in(writers.pia)
    at = open_page("pages/challenge.py")
    assert nb("cohort.closed") in [i.value for i in at.info]


def test_reopening_gives_the_fields_back(writers, browser, dbs):
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Mitt notat"})
    close(dbs, writers)
    programme.reopen_cohort(writers.admin, session=dbs, cohort_id=writers.cohort.id)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_page("pages/home.py")
    open_write(at, note.id)
    assert not any(w.disabled for w in at.text_input)
    assert nb("action.save") in [b.label for b in at.button]


# --- comments that stay ------------------------------------------------------------------------------------------


def test_a_leavers_comment_shows_as_from_a_former_participant(writers, groups, browser, dbs):
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Pias notat", "free_text": "Tekst"})
    version = share(dbs, writers.pia, note.id)
    comment(dbs, writers.ola, version, "Olas tanke")
    leaving.delete_account(writers.ola, dbs, "ola")
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_shared(open_page("pages/group.py"), version.share_id)
    assert f"{nb('leaving.former_participant')} ·" in "\n".join(c.value for c in at.caption)
    assert "Ola Nordmann" not in visible_text(at)


def test_a_note_deleted_for_good_shows_as_a_deleted_note_with_its_comments(writers, groups, browser, dbs):
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Pias notat", "free_text": "Tekst"})
    version = share(dbs, writers.pia, note.id)
    comment(dbs, writers.ola, version, "Olas tanke")
    journal.delete_document(writers.pia, session=dbs, document_id=note.id)
    journal.purge_bin(dbs, now=datetime.now(UTC) + timedelta(days=31))
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_shared(open_page("pages/group.py"), version.share_id)
    assert [h.value for h in at.header] == [nb("leaving.deleted_note")]
    assert "Pias notat" not in visible_text(at)
    assert "Olas tanke" in "\n".join(htmls(at))
