"""Notater: a new note with a chosen template, switching template without losing text, filters (the
"Deling" filter among them), search, pages of 20, and user text in the list shown literally."""

from __future__ import annotations

from sqlmodel import select

from ledpro_journal.models import Document, DocumentKind, Gathering, Theme
from ledpro_journal.services import journal, sharing
from ledpro_journal.templates import label_key
from ledpro_journal.ui.text import plain
from tests.app.builders import (
    click,
    field,
    follow,
    labelled,
    nb,
    open_page,
    open_write,
    page_links,
    run,
    share,
    shared_earlier,
    titles,
    toasts,
    write,
)

SAVE = nb("action.save")
NOTE = DocumentKind.NOTE


def listed(at) -> list[str]:
    """The titles of the documents in the list (each is a link to the editor)."""
    return [label for label, query in page_links(at) if query.startswith("id=")]


def found(at) -> str:
    return next(c.value for c in at.caption if c.value.endswith(" treff"))


def test_new_note_with_a_template_opens_it_in_the_editor(writers, browser, fresh):
    browser.sign_in(writers.pia)
    at = open_page("pages/notes.py")
    assert titles(at) == [nb("nav.notes")]
    assert found(at) == nb("journal.found", count=0)
    picker = labelled(at.selectbox, nb("journal.new_note_template"))
    assert picker.options == [nb(f"tpl.{code}.name") for code in ("D1", "D2", "E", "F", "G")]
    picker.set_value("D2")
    click(at, nb("journal.new_note"))

    [note] = fresh().exec(select(Document)).all()
    assert (note.kind, note.template, note.version, note.owner_id) == (DocumentKind.NOTE, "D2", 0, writers.pia.id)
    # The script switched to the editor with ?id= of the new note.
    assert at.query_params["id"] == str(note.id)
    assert titles(at) == [nb("journal.kind.note")]
    assert [w.label for w in at.text_area] == [nb("tpl.D2.what"), nb("tpl.D2.so_what"), nb("tpl.D2.now_what"),
                                               nb("tpl.field.free_text")]
    assert labelled(at.selectbox, nb("journal.template")).value == "D2"

    follow(at, "pages/write.py")
    field(at, nb("tpl.D2.what")).input("Situasjonen")
    click(at, SAVE)
    note = fresh().get(Document, note.id)
    assert (note.version, note.fields) == (1, {"what": "Situasjonen"})
    assert toasts(at) == [nb("journal.saved", version=1)]


def test_an_empty_note_left_unsaved_is_not_listed(writers, browser, dbs):
    journal.create_document(writers.pia, session=dbs, kind=DocumentKind.NOTE)
    dbs.commit()
    browser.sign_in(writers.pia)
    at = open_page("pages/notes.py")
    assert found(at) == nb("journal.found", count=0)
    assert listed(at) == []


def test_switching_template_keeps_the_text_of_the_old_one(writers, browser, dbs, fresh):
    note = write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Gibbs", "description": "Det som skjedde",
                                                       "feelings": "Urolig"})
    browser.sign_in(writers.pia)
    at = open_write(open_page("pages/home.py"), note.id)
    assert nb("journal.kept_fields") not in [c.value for c in at.caption]

    labelled(at.selectbox, nb("journal.template")).set_value("D2")
    run(at)
    labels = [w.label for w in at.text_area]
    assert labels == [nb("tpl.D2.what"), nb("tpl.D2.so_what"), nb("tpl.D2.now_what"), nb("tpl.field.free_text"),
                      nb(label_key("D2", "description")), nb(label_key("D2", "feelings", written_with="D1"))]
    assert nb("journal.kept_fields") in [c.value for c in at.caption]
    assert field(at, nb("tpl.D1.description")).value == "Det som skjedde"
    assert field(at, nb(label_key("D2", "feelings", written_with="D1"))).value == "Urolig"
    assert field(at, nb("tpl.field.title")).value == "Gibbs"

    field(at, nb("tpl.D2.what")).input("Kort om situasjonen")
    click(at, SAVE)
    saved = fresh().get(Document, note.id)
    assert saved.template == "D2"
    assert saved.fields == {"title": "Gibbs", "description": "Det som skjedde", "feelings": "Urolig",
                            "what": "Kort om situasjonen"}
    # Still shown after the save, under the kept-text caption.
    assert field(at, nb("tpl.D1.description")).value == "Det som skjedde"
    assert nb("journal.kept_fields") in [c.value for c in at.caption]


def test_filters_and_search_narrow_the_list(writers, browser, dbs, fresh):
    session = fresh()
    gatherings = {g.number: g for g in session.exec(select(Gathering).where(Gathering.cohort_id == writers.cohort.id))}
    themes = {t.position: t for t in session.exec(select(Theme).where(Theme.cohort_id == writers.cohort.id))}
    pia = writers.pia
    action = write(dbs, pia, DocumentKind.ACTION, {"title": "Aksjon i samling to", "purpose": "Prøve ut"},
                   gathering_id=gatherings[2].id)
    write(dbs, pia, DocumentKind.LOG, {"title": "Logg etter møtet", "planned_vs_done": "Gjort"}, parent_id=action.id)
    write(dbs, pia, DocumentKind.NOTE, {"title": "Gibbs om ledermøtet", "description": "Sjefen kom sent"})
    write(dbs, pia, DocumentKind.NOTE, {"title": "Driscoll om teamet", "what": "Teamet var stille"},
          template="D2", gathering_id=gatherings[2].id,
          links=journal.Links(theme_ids=(themes[2].id,), action_ids=(action.id,)))
    write(dbs, pia, DocumentKind.NOTE, {"title": "BART i gruppa", "boundary": "Tidsgrenser"}, template="F",
          gathering_id=gatherings[3].id, links=journal.Links(theme_ids=(themes[3].id,)))
    write(dbs, pia, DocumentKind.CHALLENGE, {"title": "Min store utfordring"})
    write(dbs, writers.ola, DocumentKind.NOTE, {"title": "Olas notat om teamet"})

    browser.sign_in(pia)
    at = open_page("pages/notes.py")
    # Notes only, newest first, never anyone else's.
    assert listed(at) == ["BART i gruppa", "Driscoll om teamet", "Gibbs om ledermøtet"]
    assert found(at) == nb("journal.found", count=3)

    kind = labelled(at.selectbox, nb("journal.filter.kind"))
    kind.set_value("actions")
    run(at)
    assert listed(at) == ["Aksjon i samling to"]
    labelled(at.selectbox, nb("journal.filter.kind")).set_value("logs")
    run(at)
    assert listed(at) == ["Logg etter møtet"]
    labelled(at.selectbox, nb("journal.filter.kind")).set_value("all")
    run(at)
    assert sorted(listed(at)) == sorted(["Min store utfordring", "BART i gruppa", "Driscoll om teamet",
                                         "Gibbs om ledermøtet", "Logg etter møtet", "Aksjon i samling to"])

    # Period: the action, its log (which belongs to its action's period) and the note of gathering 2.
    period = labelled(at.selectbox, nb("journal.period"))
    assert nb("journal.period.between", after=2, before=3) in period.options
    period.set_value(gatherings[2].id)
    run(at)
    assert sorted(listed(at)) == ["Aksjon i samling to", "Driscoll om teamet", "Logg etter møtet"]
    labelled(at.selectbox, nb("journal.period")).set_value(0)
    run(at)
    assert sorted(listed(at)) == ["Gibbs om ledermøtet", "Min store utfordring"]
    labelled(at.selectbox, nb("journal.period")).set_value(None)

    labelled(at.selectbox, nb("journal.filter.theme")).set_value(themes[3].id)
    run(at)
    assert listed(at) == ["BART i gruppa"]
    labelled(at.selectbox, nb("journal.filter.theme")).set_value(None)

    labelled(at.selectbox, nb("journal.template")).set_value("D2")
    run(at)
    assert listed(at) == ["Driscoll om teamet"]
    labelled(at.selectbox, nb("journal.template")).set_value(None)

    labelled(at.selectbox, nb("journal.filter.action")).set_value(action.id)
    run(at)
    assert sorted(listed(at)) == ["Aksjon i samling to", "Driscoll om teamet", "Logg etter møtet"]
    labelled(at.selectbox, nb("journal.filter.action")).set_value(None)
    run(at)
    assert len(listed(at)) == 6

    # Search: every word must occur, in any field, case-insensitively.
    search = labelled(at.text_input, nb("journal.search"))
    search.input("TEAMET")
    run(at)
    assert listed(at) == ["Driscoll om teamet"]
    labelled(at.text_input, nb("journal.search")).input("sjefen sent")
    run(at)
    assert listed(at) == ["Gibbs om ledermøtet"]
    labelled(at.text_input, nb("journal.search")).input("finnes ikke")
    run(at)
    assert listed(at) == []
    assert found(at) == nb("journal.found", count=0)


def test_more_than_a_page_of_notes_come_in_pages(writers, browser, dbs):
    for number in range(1, 28):
        write(dbs, writers.pia, DocumentKind.NOTE, {"title": f"Notat {number:02d}"})
    browser.sign_in(writers.pia)
    at = open_page("pages/notes.py")
    assert found(at) == nb("journal.found", count=27)
    assert len(listed(at)) == journal.PAGE_SIZE == 20
    assert listed(at)[0] == "Notat 27"
    assert nb("journal.page_of", page=1, pages=2) in [c.value for c in at.caption]
    assert labelled(at.button, nb("journal.previous")).disabled
    assert not labelled(at.button, nb("journal.next")).disabled

    click(at, nb("journal.next"))
    assert nb("journal.page_of", page=2, pages=2) in [c.value for c in at.caption]
    assert listed(at) == [f"Notat {n:02d}" for n in range(7, 0, -1)]
    assert labelled(at.button, nb("journal.next")).disabled

    click(at, nb("journal.previous"))
    assert nb("journal.page_of", page=1, pages=2) in [c.value for c in at.caption]
    assert len(listed(at)) == 20

    # A filter that leaves one page brings the list back to page 1.
    click(at, nb("journal.next"))
    labelled(at.text_input, nb("journal.search")).input("27")
    run(at)
    assert listed(at) == ["Notat 27"]
    assert not [b for b in at.button if b.label == nb("journal.next")]


def test_markdown_and_html_in_what_was_written_are_shown_literally(writers, browser, dbs):
    title = "**Fet** [lenke](https://evil.example) <b>x</b>"
    body = "![bilde](https://evil.example/x.png) <img src=x onerror=alert(1)> _kursiv_ # overskrift"
    write(dbs, writers.pia, DocumentKind.NOTE, {"title": title, "description": body})
    browser.sign_in(writers.pia)
    at = open_page("pages/notes.py")
    assert listed(at) == [plain(title)]
    excerpts = [c for c in at.main.caption if "bilde" in c.value]
    assert len(excerpts) == 1 and excerpts[0].value.endswith("  \n" + plain(body))
    assert r"\!\[bilde\]\(https\:" in excerpts[0].value
    assert r"\<img src=x onerror=alert\(1\)\>" in excerpts[0].value
    assert not excerpts[0].proto.allow_html
    assert not at.get("image")


# --- the "Deling" filter ----------------------------------------------------------------------------------------


def test_shared_filter_narrows_the_notes_list(groups, browser, dbs):
    made = shared_earlier(dbs, groups)
    withdrawn = write(dbs, groups.pia, NOTE, {"title": "Trukket tilbake", "description": "Tekst."})
    shared = share(dbs, groups.pia, withdrawn.id)
    sharing.withdraw_share(groups.pia, session=dbs, share_id=shared.share_id)
    dbs.commit()
    browser.sign_in(groups.pia)
    at = open_page("pages/notes.py")

    def listed() -> list[str]:
        return sorted(label for label, query in page_links(at) if query.startswith("id="))

    everything = ["Bare til faglærerne", "Privat dagbok", "Trukket tilbake", "Turnusmøtet"]
    assert listed() == everything
    choice = labelled(at.selectbox, nb("journal.filter.shared"))
    assert choice.options == [nb("journal.filter.any"), nb("journal.filter.is_shared"), nb("journal.filter.not_shared")]
    choice.set_value(True)
    run(at)
    assert listed() == ["Bare til faglærerne", "Turnusmøtet"]
    labelled(at.selectbox, nb("journal.filter.shared")).set_value(False)
    run(at)
    assert listed() == ["Privat dagbok", "Trukket tilbake"]
    labelled(at.selectbox, nb("journal.filter.shared")).set_value(None)
    run(at)
    assert listed() == everything
    assert made["private"].title == "Privat dagbok"
