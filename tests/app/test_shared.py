"""Delt notat (?share=N&v=M): a shared note as shared (names replaced by roles), its earlier shared
versions, and its comments (written, edited and deleted by their author only); a share the reader may not
see is not found; the owner still reads a withdrawn share, which takes no comments."""

from __future__ import annotations

import pytest
from sqlmodel import select

from ledpro_journal.i18n import format_datetime
from ledpro_journal.models import Comment, DocumentKind
from ledpro_journal.services import sharing
from tests.app.builders import (
    click,
    comment,
    comment_box,
    errors,
    labelled,
    nb,
    on_screen,
    open_page,
    open_shared,
    page_links,
    resave,
    run,
    share,
    shared_earlier,
    shown_texts,
    toasts,
    write,
)

NOTE = DocumentKind.NOTE


def test_shared_note_shows_the_snapshot_and_takes_comments(groups, browser, dbs, fresh):
    note = write(dbs, groups.pia, NOTE,
                 {"title": "Møtet", "description": "Kari sa nei.", "feelings": "Jeg ble\n  usikker."})
    shared = share(dbs, groups.pia, note.id, replacements={"Kari": "leder A"})
    browser.sign_in(groups.ola)
    at = open_shared(open_page("pages/home.py"), shared.share_id)
    assert page_links(at)[0] == (nb("group_page.back"), "")
    assert [h.value for h in at.header] == ["Møtet"]
    assert next(c.value for c in at.caption) == " · ".join([
        nb("share.by", name="Pia Deltaker"), nb("tpl.D1.name"),
        nb("share.shared_at", date=format_datetime(shared.shared_at, "nb")),
    ])
    assert shown_texts(at) == ["Leder A sa nei.", "Jeg ble\n  usikker."]
    assert "Kari" not in on_screen(at)
    assert not at.selectbox  # one shared version only
    assert [h.value for h in at.subheader] == [nb("share.comments_title", count=0)]

    # A comment through the form.
    comment_box(at).input("Hva sa leder A *etterpå*?")
    click(at, nb("share.send_comment"))
    [made] = fresh().exec(select(Comment)).all()
    assert (made.author_id, made.shared_version_id, made.text) == (
        groups.ola.id, shared.id, "Hva sa leder A *etterpå*?")
    assert toasts(at) == [nb("share.comment_added")]
    assert [h.value for h in at.subheader] == [nb("share.comments_title", count=1)]
    assert f"Ola Nordmann · {format_datetime(made.created_at, 'nb')}" in [c.value for c in at.caption]
    assert "Hva sa leder A *etterpå*?" in shown_texts(at)

    # An empty comment is refused, under the field.
    comment_box(at).input("   ")
    click(at, nb("share.send_comment"))
    assert errors(at) == [nb("field.required")]
    assert len(fresh().exec(select(Comment)).all()) == 1


def test_own_comment_can_be_edited_and_deleted_but_not_someone_elses(groups, browser, dbs, fresh):
    note = write(dbs, groups.pia, NOTE, {"title": "Møtet", "description": "Tekst."})
    shared = share(dbs, groups.pia, note.id)
    theirs = comment(dbs, groups.pia, shared, "Pias egen kommentar.")
    mine = comment(dbs, groups.ola, shared, "Olas første tanke.")
    browser.sign_in(groups.ola)
    at = open_shared(open_page("pages/home.py"), shared.share_id)
    assert shown_texts(at)[-2:] == ["Pias egen kommentar.", "Olas første tanke."]
    # Buttons for Ola's comment only.
    keys = {b.key for b in at.button}
    assert {f"save-comment-{mine.id}", f"delete-comment-{mine.id}"} <= keys
    assert not {f"save-comment-{theirs.id}", f"delete-comment-{theirs.id}"} & keys
    assert [p.proto.popover.label for p in at.get("popover")] == [nb("share.edit_comment")]
    assert not [t for t in at.text_area if t.key == f"edit-comment-{theirs.id}"]

    at.text_area(key=f"edit-comment-{mine.id}").input("Olas andre tanke.")
    at.button(key=f"save-comment-{mine.id}").click()
    run(at)
    edited = fresh().get(Comment, mine.id)
    assert edited.text == "Olas andre tanke." and edited.edited_at is not None
    assert toasts(at) == [nb("share.comment_saved")]
    assert "Olas andre tanke." in shown_texts(at)
    assert any(c.value.startswith("Ola Nordmann · ") and c.value.endswith(" · " + nb("share.edited"))
               for c in at.caption)

    at.button(key=f"delete-comment-{mine.id}").click()
    run(at)
    assert fresh().get(Comment, mine.id) is None
    assert fresh().get(Comment, theirs.id).text == "Pias egen kommentar."
    assert toasts(at) == [nb("share.comment_deleted")]
    assert "Olas andre tanke." not in shown_texts(at)
    assert [h.value for h in at.subheader] == [nb("share.comments_title", count=1)]


def test_earlier_shared_versions_are_chosen_in_the_selectbox(groups, browser, dbs):
    note = write(dbs, groups.pia, NOTE, {"title": "Møtet", "description": "Første delte tekst."})
    first = share(dbs, groups.pia, note.id)
    comment(dbs, groups.ola, first, "Kommentar til den første.")
    resave(dbs, groups.pia, note.id, {"title": "Møtet", "description": "Andre delte tekst."})
    second = share(dbs, groups.pia, note.id)
    browser.sign_in(groups.ola)
    at = open_shared(open_page("pages/home.py"), second.share_id)
    picker = labelled(at.selectbox, nb("share.versions"))
    assert picker.options == [
        nb("share.version_item", number=2, date=format_datetime(second.shared_at, "nb")),
        nb("share.version_item", number=1, date=format_datetime(first.shared_at, "nb")),
    ]
    assert picker.value == 2
    assert "Andre delte tekst." in shown_texts(at)
    assert "Første delte tekst." not in shown_texts(at)
    assert not at.info
    assert [h.value for h in at.subheader] == [nb("share.comments_title", count=0)]

    picker.set_value(1)
    run(at)
    assert at.query_params.get("v") in ("1", ["1"])
    assert [i.value for i in at.info] == [nb("share.older_version")]
    assert "Første delte tekst." in shown_texts(at)
    assert "Andre delte tekst." not in shown_texts(at)
    assert "Kommentar til den første." in shown_texts(at)
    assert labelled(at.selectbox, nb("share.versions")).value == 1

    # ?v= straight from a link.
    at = open_shared(open_page("pages/home.py"), second.share_id, number=1)
    assert "Første delte tekst." in shown_texts(at)


@pytest.mark.parametrize("which", ["other_group", "withdrawn", "facilitators_only", "not_a_number", "missing",
                                   "unknown_version"])
def test_a_share_the_reader_may_not_see_is_not_found(groups, browser, dbs, which):
    made = shared_earlier(dbs, groups)
    if which == "withdrawn":
        sharing.withdraw_share(groups.pia, session=dbs, share_id=made["turnus"].share_id)
        dbs.commit()
    share_id, number = {
        "other_group": (made["sor"].share_id, None),
        "withdrawn": (made["turnus"].share_id, None),
        "facilitators_only": (made["facilitators"].share_id, None),
        "not_a_number": ("abc", None),
        "missing": (9999, None),
        "unknown_version": (made["turnus"].share_id, 7),
    }[which]
    browser.sign_in(groups.ola)
    at = open_shared(open_page("pages/home.py"), share_id, number)
    assert [w.value for w in at.warning] == [nb("error.not_found")]
    assert not at.header and not at.form and not at.text_area and not at.selectbox
    assert not shown_texts(at)
    text = on_screen(at)
    for hidden in ("Turnusmøtet", "Delt tekst om turnus", "Sørgruppas notat", "Sørtekst", "Bare til faglærerne",
                   "Faglærertekst", "Pia Deltaker", "Siri Sørgruppe"):
        assert hidden not in text


def test_the_owner_still_reads_a_withdrawn_share_but_it_takes_no_comments(groups, browser, dbs):
    made = shared_earlier(dbs, groups)
    comment(dbs, groups.ola, made["turnus"], "Før tilbaketrekkingen.")
    sharing.withdraw_share(groups.pia, session=dbs, share_id=made["turnus"].share_id)
    dbs.commit()
    browser.sign_in(groups.pia)
    at = open_shared(open_page("pages/home.py"), made["turnus"].share_id)
    assert [w.value for w in at.warning] == [nb("share.withdrawn_owner")]
    assert "Delt tekst om turnus." in shown_texts(at)
    assert "Før tilbaketrekkingen." in shown_texts(at)
    assert not at.form


def test_shared_page_run_with_a_non_numeric_version_is_not_found(groups, browser, dbs):
    made = shared_earlier(dbs, groups)
    browser.sign_in(groups.ola)
    at = open_page("pages/home.py")
    at.query_params["v"] = "x"
    at.query_params["share"] = str(made["turnus"].share_id)
    at.switch_page("pages/shared.py")
    run(at)
    assert [w.value for w in at.warning] == [nb("error.not_found")]
    assert not shown_texts(at) and not at.header
