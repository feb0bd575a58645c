"""Min utfordring: made on the first visit, saved as versions, history with restore, drafts kept and
discarded, and saves from another tab shown as a conflict instead of overwriting."""

from __future__ import annotations

from sqlmodel import select

from ledpro_journal.i18n import format_datetime
from ledpro_journal.models import Document, DocumentKind, DocumentRevision, Draft
from ledpro_journal.services import journal
from tests.app.builders import (
    assert_no_exception,
    click,
    field,
    htmls,
    labelled,
    nb,
    open_page,
    run,
    shown_texts,
    titles,
    toasts,
    visible_text,
    write,
)

SAVE = nb("action.save")
TITLE = nb("tpl.field.title")
CONTEXT = nb("tpl.A.context")
PROBLEM = nb("tpl.A.problem_statement")


def challenges(fresh) -> list[Document]:
    return fresh().exec(select(Document).where(Document.kind == DocumentKind.CHALLENGE)).all()


def revisions(fresh, document_id: int) -> dict[int, dict[str, str]]:
    rows = fresh().exec(select(DocumentRevision).where(DocumentRevision.document_id == document_id)).all()
    return {r.version: r.fields for r in rows}


def test_first_visit_creates_the_one_challenge_and_a_second_visit_reuses_it(writers, browser, fresh):
    browser.sign_in(writers.pia)
    at = open_page("pages/challenge.py")
    assert titles(at) == [nb("nav.challenge")]
    assert [c.value for c in at.caption][0] == nb("journal.challenge_lead")
    [challenge] = challenges(fresh)
    assert (challenge.owner_id, challenge.version, challenge.template) == (writers.pia.id, 0, "A")
    # The template's questions, the title first and free text last, all empty.
    assert [w.label for w in at.text_input] == [TITLE]
    assert [w.label for w in at.text_area][0] == CONTEXT
    assert [w.label for w in at.text_area][-1] == nb("tpl.field.free_text")
    assert all(w.value == "" for w in [*at.text_input, *at.text_area])
    assert any(nb("journal.never_saved") in h for h in htmls(at))
    assert not at.expander  # no history before the first save
    # Challenges cannot be deleted.
    assert nb("journal.delete") not in [b.label for b in at.button]

    run(at)
    at.switch_page("pages/notes.py")
    run(at)
    at.switch_page("pages/challenge.py")
    run(at)
    assert [c.id for c in challenges(fresh)] == [challenge.id]


def test_save_makes_versions_and_restore_brings_an_old_text_back_as_a_new_version(writers, browser, fresh):
    browser.sign_in(writers.pia)
    at = open_page("pages/challenge.py")
    first_context = "Vi har en avdeling i endring.\n  Linje to, med innrykk."
    field(at, TITLE).input("Turnus og tillit")
    field(at, CONTEXT).input(first_context)
    field(at, PROBLEM).input("Hvordan kan vi …?")
    click(at, SAVE)

    [challenge] = challenges(fresh)
    assert challenge.version == 1
    assert challenge.fields == {"title": "Turnus og tillit", "context": first_context,
                                "problem_statement": "Hvordan kan vi …?"}
    assert revisions(fresh, challenge.id) == {1: challenge.fields}
    assert toasts(at) == [nb("journal.saved", version=1)]
    # The saved text stays in the fields, which now build on version 1.
    assert field(at, TITLE).value == "Turnus og tillit"
    assert field(at, CONTEXT).value == first_context
    assert any(nb("journal.version_line", version=1, time=format_datetime(challenge.updated_at, "nb")) in h
               for h in htmls(at))
    # The history, and (now that there is a saved version) the share panel.
    assert [e.label for e in at.expander] == [nb("journal.history", count=1), nb("share.panel")]
    assert nb("journal.history_none") in [c.value for c in at.expander[0].caption]

    field(at, CONTEXT).input("Avdelingen er slått sammen med en annen.")
    field(at, PROBLEM).input("")
    click(at, SAVE)
    [challenge] = challenges(fresh)
    assert challenge.version == 2
    assert challenge.fields == {"title": "Turnus og tillit", "context": "Avdelingen er slått sammen med en annen."}
    assert toasts(at) == [nb("journal.saved", version=2)]

    # The history lists version 1 and shows its text beside the current one, as plain text.
    history, _share_panel = at.expander
    assert history.label == nb("journal.history", count=2)
    version_1 = fresh().exec(
        select(DocumentRevision).where(DocumentRevision.document_id == challenge.id, DocumentRevision.version == 1)
    ).one()
    picker = labelled(history.selectbox, nb("journal.history_pick"))
    assert picker.options == [
        nb("journal.history_item", version=1, time=format_datetime(version_1.saved_at, "nb"),
           count=version_1.word_count)
    ]
    shown = shown_texts(at)
    assert first_context in shown
    assert "Avdelingen er slått sammen med en annen." in shown

    click(at, nb("journal.restore_version", version=1))
    [challenge] = challenges(fresh)
    assert challenge.version == 3
    assert challenge.fields == version_1.fields
    assert revisions(fresh, challenge.id)[2] == {"title": "Turnus og tillit",
                                                 "context": "Avdelingen er slått sammen med en annen."}
    assert toasts(at) == [nb("journal.restored", version=1, new=3)]
    assert field(at, CONTEXT).value == first_context
    assert field(at, PROBLEM).value == "Hvordan kan vi …?"
    assert at.expander[0].label == nb("journal.history", count=3)


def test_a_draft_is_shown_with_a_notice_and_forkast_removes_it(writers, browser, dbs, fresh):
    challenge = write(dbs, writers.pia, DocumentKind.CHALLENGE, {"title": "Lagret tittel", "context": "Lagret tekst"})
    # What the editor's script sends while typing (PUT /api/drafts/<id>), before any save.
    journal.save_draft(writers.pia, session=dbs, document_id=challenge.id, field="context",
                       text="Utkast som ikke er lagret", base_version=1)
    dbs.commit()
    draft = fresh().exec(select(Draft)).one()

    browser.sign_in(writers.pia)
    at = open_page("pages/challenge.py")
    assert [i.value for i in at.info] == [nb("journal.draft_restored", time=format_datetime(draft.saved_at, "nb"))]
    assert field(at, CONTEXT).value == "Utkast som ikke er lagret"
    assert field(at, TITLE).value == "Lagret tittel"

    click(at, nb("journal.discard_draft"))
    assert fresh().exec(select(Draft)).all() == []
    assert not at.info
    assert field(at, CONTEXT).value == "Lagret tekst"
    assert challenges(fresh)[0].version == 1


def test_saving_with_a_draft_saves_the_draft_text_and_clears_the_draft(writers, browser, dbs, fresh):
    challenge = write(dbs, writers.pia, DocumentKind.CHALLENGE, {"context": "Lagret tekst"})
    journal.save_draft(writers.pia, session=dbs, document_id=challenge.id, field="context",
                       text="Fra utkastet", base_version=1)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_page("pages/challenge.py")
    click(at, SAVE)
    [saved] = challenges(fresh)
    assert (saved.version, saved.fields) == (2, {"context": "Fra utkastet"})
    assert fresh().exec(select(Draft)).all() == []
    assert not at.info


# --- the same challenge saved in another tab meanwhile ------------------------------------------------------


def saved_elsewhere(fresh, writers, document_id: int, base_version: int, text: str) -> None:
    """Another tab (or device) saves the document through the service."""
    session = fresh()
    journal.save_document(writers.pia, session=session, document_id=document_id, base_version=base_version,
                          fields={"context": text})
    session.commit()


def open_with_text_typed(writers, browser, dbs) -> tuple:
    challenge = write(dbs, writers.pia, DocumentKind.CHALLENGE, {"title": "Tittel", "context": "Første tekst"})
    browser.sign_in(writers.pia)
    at = open_page("pages/challenge.py")
    field(at, CONTEXT).input("Fra fane A")
    return challenge, at


def assert_conflict_shown(at, fresh, challenge_id: int) -> None:
    assert_no_exception(at)
    current = fresh().get(Document, challenge_id)
    assert [w.value for w in at.warning] == [
        nb("journal.conflict", version=2, time=format_datetime(current.updated_at, "nb"))
    ]
    # Both texts side by side, and nothing overwritten.
    shown = shown_texts(at)
    assert "Fra fane B" in shown
    assert "Fra fane A" in shown
    assert (current.version, current.fields["context"]) == (2, "Fra fane B")
    assert not toasts(at)
    assert field(at, CONTEXT).value == "Fra fane A"


def test_save_after_a_save_in_another_tab_shows_the_conflict_and_keeps_both(writers, browser, dbs, fresh):
    challenge, at = open_with_text_typed(writers, browser, dbs)
    saved_elsewhere(fresh, writers, challenge.id, 1, "Fra fane B")

    click(at, SAVE)
    assert_conflict_shown(at, fresh, challenge.id)

    click(at, nb("journal.conflict_keep_mine"))
    current = fresh().get(Document, challenge.id)
    assert (current.version, current.fields) == (3, {"title": "Tittel", "context": "Fra fane A"})
    assert revisions(fresh, challenge.id)[2] == {"title": "Tittel", "context": "Fra fane B"}
    assert toasts(at) == [nb("journal.saved", version=3)]
    assert not at.warning
    assert at.expander[0].label == nb("journal.history", count=3)
    # The other tab's version stays in the history.
    picker = labelled(at.expander[0].selectbox, nb("journal.history_pick"))
    assert [option.split(" – ")[0] for option in picker.options] == ["Versjon 2", "Versjon 1"]
    picker.set_value(2)
    run(at)
    assert "Fra fane B" in shown_texts(at)


def test_conflict_with_the_draft_the_browser_sent_and_taking_the_saved_version(writers, browser, dbs, fresh):
    challenge, at = open_with_text_typed(writers, browser, dbs)
    # The editor's script sent the typed text as a draft based on version 1.
    journal.save_draft(writers.pia, session=dbs, document_id=challenge.id, field="context", text="Fra fane A",
                       base_version=1)
    dbs.commit()
    saved_elsewhere(fresh, writers, challenge.id, 1, "Fra fane B")

    click(at, SAVE)
    assert_conflict_shown(at, fresh, challenge.id)

    click(at, nb("journal.conflict_take_saved"))
    current = fresh().get(Document, challenge.id)
    assert (current.version, current.fields["context"]) == (2, "Fra fane B")
    assert fresh().exec(select(Draft)).all() == []
    assert not at.warning
    assert field(at, CONTEXT).value == "Fra fane B"
    click(at, SAVE)
    assert fresh().get(Document, challenge.id).version == 3


def test_coming_back_after_a_save_elsewhere_starts_from_the_newest_version(writers, browser, dbs, fresh):
    challenge = write(dbs, writers.pia, DocumentKind.CHALLENGE, {"context": "Første tekst"})
    browser.sign_in(writers.pia)
    at = open_page("pages/challenge.py")
    at.switch_page("pages/notes.py")
    run(at)
    saved_elsewhere(fresh, writers, challenge.id, 1, "Fra fane B")
    at.switch_page("pages/challenge.py")
    run(at)
    assert field(at, CONTEXT).value == "Fra fane B"
    field(at, CONTEXT).input("Videre herfra")
    click(at, SAVE)
    assert not at.warning
    assert toasts(at) == [nb("journal.saved", version=3)]
    assert fresh().get(Document, challenge.id).fields == {"context": "Videre herfra"}


def test_another_participants_challenge_is_never_shown(writers, browser, dbs, fresh):
    write(dbs, writers.ola, DocumentKind.CHALLENGE, {"title": "Olas hemmelighet", "context": "Bare for Ola"})
    browser.sign_in(writers.pia)
    at = open_page("pages/challenge.py")
    text = visible_text(at) + "\n".join(htmls(at))
    assert "Olas hemmelighet" not in text and "Bare for Ola" not in text
    assert field(at, CONTEXT).value == ""
    assert len(challenges(fresh)) == 2
