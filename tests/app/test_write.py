"""Skriv (?id=N): one's own documents open in the editor; anything else says "not found" and shows
nothing of the document. Under the editor, the share panel (names replaced by roles in the shared version
only, remembered replacements filled in) and the "Kilder" panel, which stores a note's citations."""

from __future__ import annotations

import pytest
from sqlmodel import select

from ledpro_journal.i18n import format_datetime
from ledpro_journal.models import Audience, Document, DocumentKind, NoteCitation, SharedVersion
from ledpro_journal.services import journal, literature
from ledpro_journal.ui.text import plain
from tests.app.builders import (
    BION,
    SCHEIN,
    add_reference,
    click,
    errors,
    field,
    has_share_panel,
    htmls,
    labelled,
    nb,
    open_page,
    open_write,
    page_links,
    remember,
    run,
    share_panel,
    shares,
    stored,
    titles,
    toasts,
    versions,
    visible_text,
    write,
)

NOTE, ACTION = DocumentKind.NOTE, DocumentKind.ACTION
GROUP, FACILITATORS = Audience.GROUP, Audience.FACILITATORS
SAVE = nb("action.save")
TITLE = nb("tpl.field.title")
DESCRIPTION = nb("tpl.D1.description")


def assert_not_found(at, *secrets: str) -> None:
    assert [w.value for w in at.warning] == [nb("error.not_found")]
    assert titles(at) == []
    assert not at.text_area and not at.text_input and not at.selectbox and not at.button and not at.expander
    assert page_links(at) == [(nb("nav.notes"), "")]
    text = visible_text(at) + "\n".join(htmls(at))
    for secret in secrets:
        assert secret not in text


def test_own_note_opens_in_the_editor(writers, browser, dbs):
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Mitt notat", "description": "Det som skjedde"})
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    assert titles(at) == [nb("journal.kind.note")]
    assert page_links(at) == [(nb("journal.back_to_notes"), "")]
    assert field(at, nb("tpl.field.title")).value == "Mitt notat"
    assert field(at, nb("tpl.D1.description")).value == "Det som skjedde"


def test_another_participants_document_is_not_found(writers, browser, dbs, fresh):
    secret = write(dbs, writers.ola, DocumentKind.NOTE, {"title": "Olas tittel", "description": "Olas private tekst"})
    journal.save_draft(writers.ola, session=dbs, document_id=secret.id, field="feelings", text="Olas utkast",
                       base_version=1)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), secret.id)
    assert_not_found(at, "Olas tittel", "Olas private tekst", "Olas utkast")
    # Nothing changed or created.
    assert fresh().get(Document, secret.id).version == 1
    assert fresh().exec(select(Document).where(Document.owner_id == writers.pia.id)).all() == []


@pytest.mark.parametrize("value", ["abc", "", "1.5", "-", "9999"])
def test_an_id_that_is_not_a_number_or_not_there_is_not_found(writers, browser, dbs, value):
    write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Mitt notat"})
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), value)
    assert_not_found(at, "Mitt notat")


def test_a_deleted_document_is_not_found(writers, browser, dbs):
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Slettet notat"})
    journal.delete_document(writers.pia, session=dbs, document_id=note.id)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    assert_not_found(at, "Slettet notat")


def test_write_page_without_id_is_not_found(writers, browser):
    browser.sign_in(writers.pia)
    at = open_page("pages/home.py")
    at.switch_page("pages/write.py")
    run(at)
    assert_not_found(at)


def test_user_text_is_shown_as_written_and_never_as_markup(writers, browser, dbs):
    hostile = "<img src=x onerror=alert(1)> [lenke](https://evil.example) **fet**"
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": hostile, "description": hostile})
    journal.save_document(writers.pia, session=dbs, document_id=note.id, base_version=1,
                          fields={"description": "Ny tekst"})
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    assert field(at, nb("tpl.D1.description")).value == "Ny tekst"
    # The history shows version 1 escaped: no tag, no link.
    shown = "\n".join(htmls(at))
    assert "<img" not in shown
    assert "&lt;img src=x onerror=alert(1)&gt; [lenke](https://evil.example) **fet**" in shown
    assert not any("<img" in m.value or "evil.example" in m.value for m in at.markdown)
    labelled(at.expander[0].selectbox, nb("journal.history_pick"))  # the history is there


# --- the share panel under the editor ----------------------------------------------------------------------------


def test_share_panel_points_out_names_and_shares_with_roles_in_place_of_them(groups, browser, dbs, fresh):
    note = write(dbs, groups.pia, NOTE, {"title": "Møtet i dag", "description": "Kari sa nei til forslaget."})
    browser.sign_in(groups.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    panel = share_panel(at)
    assert panel.label == nb("share.panel")
    assert not panel.proto.expanded
    # The name check: "Kari" is pointed out, with a field for the role to show instead.
    assert [w.value for w in panel.warning] == [nb("share.names_found", count=1)]
    assert "**Kari** :gray[(1×)]" in [m.value for m in panel.markdown]
    [replace] = panel.text_input
    assert replace.label == nb("share.replace_with", name="Kari")
    assert replace.value == ""
    assert replace.proto.placeholder == "person A"
    [audience] = panel.radio
    assert audience.label == nb("share.audience")
    assert audience.options == [nb("share.audience.group"), nb("share.audience.facilitators")]
    assert audience.value == GROUP
    assert [b.label for b in panel.button] == [nb("share.button.group")]
    assert shares(fresh) == []

    replace.input("kollega A")
    click(at, nb("share.button.group"))
    [made] = shares(fresh)
    assert (made.owner_id, made.audience, made.group_id, made.withdrawn_at) == (
        groups.pia.id, GROUP, groups.nord.id, None)
    [shared] = versions(fresh, made.id)
    assert shared.number == 1 and shared.document_version == 1
    assert shared.fields == {"title": "Møtet i dag", "description": "Kollega A sa nei til forslaget."}
    assert shared.title == "Møtet i dag"
    # The journal keeps what was written.
    assert fresh().get(Document, note.id).fields["description"] == "Kari sa nei til forslaget."
    assert field(at, DESCRIPTION).value == "Kari sa nei til forslaget."
    assert toasts(at) == [nb("share.shared", version=1)]

    # The panel now says where and how current, open, with a link to the shared note.
    panel = share_panel(at)
    assert panel.label == nb("share.panel_shared", count=1)
    assert panel.proto.expanded
    status = nb("share.status.group", version=1, date=format_datetime(shared.shared_at, "nb"))
    assert status in [m.value for m in panel.markdown]
    assert (nb("share.open"), f"share={made.id}") in page_links(at)
    assert nb("share.changed_since") not in visible_text(at)

    # The owner goes on writing: the panel says the shared text is older than the journal's.
    field(at, DESCRIPTION).input("Kari sa nei, men ombestemte seg.")
    click(at, SAVE)
    assert fresh().get(Document, note.id).version == 2
    statuses = [m.value for m in share_panel(at).markdown]
    assert status + "  \n" + nb("share.changed_since") in statuses
    # ... while what the group sees stays as shared.
    assert [v.fields["description"] for v in versions(fresh, made.id)] == ["Kollega A sa nei til forslaget."]

    # Withdrawn: private again, and the panel offers sharing anew.
    click(at, nb("share.withdraw"))
    [made] = shares(fresh)
    assert made.withdrawn_at is not None
    assert toasts(at) == [nb("share.withdrawn")]
    panel = share_panel(at)
    assert panel.label == nb("share.panel")
    assert nb("share.withdraw") not in [b.label for b in at.button]
    assert not any(query.startswith("share=") for _, query in page_links(at))


def test_sharing_again_adds_a_version_and_the_same_version_twice_is_refused(groups, browser, dbs, fresh):
    note = write(dbs, groups.pia, NOTE, {"title": "Uten navn", "description": "ingen navn her."})
    browser.sign_in(groups.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    panel = share_panel(at)
    assert not panel.text_input and not panel.warning
    assert nb("share.no_names") in [c.value for c in panel.caption]
    click(at, nb("share.button.group"))
    [made] = shares(fresh)
    assert len(versions(fresh, made.id)) == 1

    click(at, nb("share.button.group"))
    assert errors(at) == [nb("sharing.already_shared")]
    assert len(versions(fresh, made.id)) == 1
    assert not toasts(at)

    field(at, DESCRIPTION).input("ny tekst.")
    click(at, SAVE)
    click(at, nb("share.button.group"))
    assert toasts(at) == [nb("share.shared", version=2)]
    assert [v.fields["description"] for v in versions(fresh, made.id)] == ["ingen navn her.", "ny tekst."]
    assert not errors(at)


def test_the_suggestion_toggle_fills_in_roles_for_names_left_empty(groups, browser, dbs, fresh):
    note = write(dbs, groups.pia, NOTE, {"title": "Samtalen", "description": "Kari og Per var uenige. Per ga seg."})
    browser.sign_in(groups.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    panel = share_panel(at)
    assert [t.label for t in panel.text_input] == [nb("share.replace_with", name="Per"),
                                                   nb("share.replace_with", name="Kari")]
    labelled(panel.text_input, nb("share.replace_with", name="Kari")).input("leder A")
    labelled(at.toggle, nb("share.use_suggestions")).set_value(True)
    run(at)
    click(at, nb("share.button.group"))
    [made] = shares(fresh)
    [shared] = versions(fresh, made.id)
    # Per (most frequent) gets the first suggestion; Kari what was typed.
    assert shared.fields["description"] == "Leder A og person A var uenige. Person A ga seg."


def test_sharing_with_the_facilitators_only(groups, browser, dbs, fresh):
    note = write(dbs, groups.pia, NOTE, {"title": "Til faglærerne", "description": "bare for dere."})
    browser.sign_in(groups.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    share_panel(at).radio[0].set_value(FACILITATORS)
    run(at)
    assert [b.label for b in share_panel(at).button] == [nb("share.button.facilitators")]
    click(at, nb("share.button.facilitators"))
    [made] = shares(fresh)
    assert made.audience == FACILITATORS
    shared = versions(fresh, made.id)[0]
    status = nb("share.status.facilitators", version=1, date=format_datetime(shared.shared_at, "nb"))
    assert status in [m.value for m in share_panel(at).markdown]


def test_a_participant_without_a_group_cannot_share_with_the_group(writers, browser, dbs, fresh):
    note = write(dbs, writers.pia, NOTE, {"title": "Alene", "description": "ingen gruppe."})
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    click(at, nb("share.button.group"))
    assert errors(at) == [nb("sharing.no_group")]
    assert [e for e in share_panel(at).error] and share_panel(at).proto.expanded
    assert shares(fresh) == []
    assert not toasts(at)
    # The facilitators can still be asked.
    share_panel(at).radio[0].set_value(FACILITATORS)
    run(at)
    click(at, nb("share.button.facilitators"))
    assert [s.audience for s in shares(fresh)] == [FACILITATORS]
    assert not errors(at)


def test_an_unsaved_note_and_a_log_entry_have_no_share_panel(groups, browser, dbs):
    unsaved = journal.create_document(groups.pia, session=dbs, kind=NOTE)
    action = write(dbs, groups.pia, ACTION, {"title": "Min aksjon"})
    log = write(dbs, groups.pia, DocumentKind.LOG, {"title": "Logg"}, parent_id=action.id)
    dbs.commit()
    browser.sign_in(groups.pia)
    at = open_write(open_page("pages/home.py"), unsaved.id)
    assert field(at, TITLE).value == ""
    assert not has_share_panel(at)
    assert nb("share.button.group") not in [b.label for b in at.button]
    open_write(at, log.id)
    assert titles(at) == [nb("journal.kind.log")]
    assert not has_share_panel(at)
    open_write(at, action.id)
    assert has_share_panel(at)


def test_the_share_panel_fills_in_remembered_names_and_remembers_what_is_chosen(writers, nord, browser, dbs, fresh):
    remember(dbs, writers.pia, "Kari", "kollega A")
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Møtet", "description": "Kari og Ole Martin kom."})
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    panel = share_panel(at)
    kari = labelled(panel.text_input, nb("share.replace_with", name="Kari"))
    ole_martin = labelled(panel.text_input, nb("share.replace_with", name="Ole Martin"))  # one name, not two
    assert (kari.value, ole_martin.value) == ("kollega A", "")
    assert ole_martin.proto.placeholder == "person A"
    assert nb("names.share.remembered") in [c.value for c in panel.caption]

    ole_martin.input("leder B")
    click(at, nb("share.button.group"))
    [shared] = fresh().exec(select(SharedVersion)).all()
    assert shared.fields["description"] == "Kollega A og leder B kom."
    assert stored(fresh, writers.pia) == [("Kari", "kollega A"), ("Ole Martin", "leder B")]


# --- citing from a note: the Kilder panel under the editor -------------------------------------------------------


def kilder(at):
    [expander] = [e for e in at.expander if e.label.startswith(nb("literature.cite"))]
    return expander


def test_the_kilder_panel_lists_the_library_and_saves_the_notes_citations(writers, browser, dbs, fresh, frode):
    listed = add_reference(dbs, frode, SCHEIN, reading_list_of=writers.cohort.id)
    mine = add_reference(dbs, writers.pia, BION)
    add_reference(dbs, writers.ola, {**BION, "title": "Olas egen bok"})
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Grunnantakelser", "description": "Gruppa flyktet."})
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), note.id)

    panel = kilder(at)
    assert panel.label == nb("literature.cite")
    picker = labelled(panel.multiselect, nb("literature.cite_pick"))
    # Her own and the reading list, alphabetically; never Ola's.
    assert picker.options == ["Bion (1961) – Experiences in groups and other papers",
                              "Schein (2010) – Organizational culture and leadership"]
    assert picker.value == []

    picker.set_value([mine.id, listed.id])
    run(at)
    panel = kilder(at)
    # The reference's label is made inert for the label's Markdown: "(1961)" comes escaped.
    labelled(panel.text_input, nb("literature.cite_page", reference=plain(picker.options[0]))).input("s. 12")
    labelled(panel.button, nb("literature.cite_save")).click()
    run(at)

    assert toasts(at) == [nb("literature.cite_saved")]
    cited = literature.citations(writers.pia, session=fresh(), note_id=note.id)
    assert sorted((c.reference.id, c.pages) for c in cited) == sorted([(mine.id, "s. 12"), (listed.id, "")])
    assert kilder(at).label == nb("literature.cite") + " (2)"
    assert labelled(kilder(at).multiselect, nb("literature.cite_pick")).value == [mine.id, listed.id]

    # Taking one off again.
    labelled(kilder(at).multiselect, nb("literature.cite_pick")).set_value([listed.id])
    run(at)
    labelled(kilder(at).button, nb("literature.cite_save")).click()
    run(at)
    assert [(c.reference.id, c.pages) for c in literature.citations(writers.pia, session=fresh(), note_id=note.id)] \
        == [(listed.id, "")]
    assert fresh().exec(select(NoteCitation).where(NoteCitation.reference_id == mine.id)).all() == []


def test_with_an_empty_library_the_panel_points_to_literatur(writers, browser, dbs):
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Notat"})
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    panel = kilder(at)
    assert [c.value for c in panel.caption] == [nb("literature.cite_none")]
    assert not panel.multiselect and not panel.button


def test_an_action_has_no_kilder_panel(writers, browser, dbs):
    add_reference(dbs, writers.pia, BION)
    action = write(dbs, writers.pia, DocumentKind.ACTION, {"title": "Aksjon"})
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), action.id)
    assert not [e for e in at.expander if e.label.startswith(nb("literature.cite"))]
