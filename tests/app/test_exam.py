"""Eksamensutkast: the outline with its chapters and the participant's own notes, the word count against
the word limit, the warnings (no candidate number, over the limit, characters Word cannot hold), making the
Word file and the download button named after the candidate number; a group draft one joins and leaves;
no group, and no access for facilitators and administrators; the offer to use one's name replacements in
one's own draft (always used in the group's draft); a settings form drawn before another member saved writes
no old title back, and a title changed on it is a conflict that keeps what was typed."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import docx
import pytest
from sqlmodel import select

from ledpro_journal.i18n import format_number, today_in_oslo
from ledpro_journal.models import DocumentKind, ExamContribution, ExamDraft, ReflectionGroup, Role, User
from ledpro_journal.services import accounts, exam, programme
from ledpro_journal.ui.text import plain
from tests.app.builders import (
    click,
    error_after,
    form,
    labelled,
    nb,
    open_page,
    page_app,
    place,
    registered_pages,
    remember,
    run,
    titles,
    toasts,
    visible_text,
    write,
)
from tests.helpers import make_member

PAGE = "pages/exam.py"
CHAPTERS = ["1 Innledning", "2 Faglig perspektiv", "3 Metode", "4 Aksjoner og erfaringer", "5 Analyse og drøfting",
            "6 Avslutning"]
MAKE = nb("exam.make")  # "Lag Word-fil"
JOIN = nb("exam.join")  # "Ta med mitt materiale"
LEAVE = nb("exam.leave")  # "Ta ut mitt materiale"
OUTLINE = nb("exam.outline")  # "Disposisjon"
MATERIAL = nb("exam.material")  # "Hva som kommer med"
NOTE_TEXT = "Gruppa var taus i ti minutter."


def with_candidate_number(dbs, user: User, number: str, part: int = 2) -> User:
    accounts.update_profile(user, session=dbs, display_name=user.display_name, candidate_number=number,
                            language="nb", part=part)
    dbs.commit()
    return user


def a_small_year(dbs, user: User) -> dict:
    """A challenge and two notes of the user's, saved once (as in tests/services/test_exam.py)."""
    challenge = write(dbs, user, DocumentKind.CHALLENGE, {
        "title": "Møtekultur i enheten",
        "context": "Jeg leder en enhet på 14 i en kommune.",
        "problem_statement": "Hvordan kan jeg som leder endre møtekulturen?",
    })
    first = write(dbs, user, DocumentKind.NOTE, {"title": "Stillheten", "description": NOTE_TEXT})
    second = write(dbs, user, DocumentKind.NOTE, {"title": "Motstand", "description": "Noen ville ikke endre noe."},
                   template="G")
    return {"challenge": challenge, "first": first, "second": second}


def outline(at) -> list[tuple[int, str, int]]:
    """The outline as (level, title, words): one Markdown list, two spaces of indent per level, Markdown
    escapes undone."""
    [expander] = [e for e in at.expander if e.label == OUTLINE]
    [markdown] = expander.markdown
    entries = []
    for line in markdown.value.splitlines():
        match = re.fullmatch(r"( *)- (.*) · (\d[\d\u00a0\u202f ]*)(?: ord)?", line)
        assert match, line
        entries.append((len(match.group(1)) // 2 + 1, re.sub(r"\\(.)", r"\1", match.group(2)),
                        number(match.group(3))))
    return entries


def number(text: str) -> int:
    """A number as shown (5\u00a0000 in bokmål)."""
    return int(re.sub(r"[\s\u00a0\u202f]", "", text))


def words_shown(at) -> int:
    return number(labelled(at.metric, nb("exam.words")).value)


def warnings(at) -> list[str]:
    return [w.value for w in at.warning]


def mode(at, value: str):
    """Choose Individuelt/Gruppe in the segmented control."""
    [control] = [b for b in at.button_group if b.label == nb("exam.mode")]
    assert control.options == [nb("exam.mode.individual"), nb("exam.mode.group")]
    control.set_value(value)
    return run(at)


def draft_of(fresh, user: User, mode_: str = exam.INDIVIDUAL) -> ExamDraft:
    session = fresh()
    return exam.open_draft(user, session=session, mode=mode_)


# --- an individual draft ---------------------------------------------------------------------------------


def test_the_outline_has_the_six_chapters_and_the_own_notes_and_the_word_count(writers, browser, dbs, fresh):
    with_candidate_number(dbs, writers.pia, "4711")
    a_small_year(dbs, writers.pia)
    write(dbs, writers.ola, DocumentKind.NOTE, {"title": "Olas private notat", "description": "Olas tekst"})
    browser.sign_in(writers.pia)
    at = open_page(PAGE)

    assert titles(at) == [nb("nav.exam")]
    entries = outline(at)
    assert [title for level, title, _ in entries if level == 1] == CHAPTERS
    titles_in_outline = [title for _, title, _ in entries]
    assert "Stillheten" in titles_in_outline and "Motstand" in titles_in_outline
    assert titles_in_outline.index("Stillheten") > titles_in_outline.index("5 Analyse og drøfting")
    assert "Olas private notat" not in visible_text(at)
    # The note's heading counts its own words plus the words of its text.
    [(_, _, note_words)] = [e for e in entries if e[1] == "Stillheten"]
    assert note_words == len("Stillheten".split()) + len(nb("tpl.D1.description").split()) + len(NOTE_TEXT.split())

    # The count shown is the body's, the same as the chapters add up to and as the document will say.
    composition = exam.compose(writers.pia, session=fresh(), draft_id=draft_of(fresh, writers.pia).id,
                               today=today_in_oslo())
    assert words_shown(at) == composition.body_words == sum(words for level, _, words in entries if level == 1) > 0
    # Nothing to warn about: a candidate number, no word limit, nothing Word cannot hold.
    assert warnings(at) == []
    assert not at.progress
    assert labelled(at.button, MAKE)
    assert not at.download_button


def test_a_word_limit_below_the_count_warns_and_taking_it_away_stops_the_warning(writers, browser, dbs, fresh):
    with_candidate_number(dbs, writers.pia, "4711")
    a_small_year(dbs, writers.pia)
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    words = words_shown(at)
    assert words > 10

    settings = form(at, f"exam-settings-{draft_of(fresh, writers.pia).id}")
    labelled(settings.number_input, nb("exam.word_limit")).set_value(10)
    labelled(settings.text_input, nb("exam.title")).input("Når møtene blir stille")
    labelled(settings.button, nb("exam.save_settings")).click()
    run(at)

    assert toasts(at) == [nb("exam.settings_saved")]
    draft = fresh().get(ExamDraft, draft_of(fresh, writers.pia).id)
    assert (draft.word_limit, draft.title) == (10, "Når møtene blir stille")
    assert warnings(at) == [nb("exam.over_limit", over=words - 10)]
    [progress] = at.progress
    assert progress.proto.text == nb("exam.words_of_limit", words=format_number(words, "nb"), limit="10")
    assert words_shown(at) == words

    # 0 = no limit: the warning goes.
    settings = form(at, f"exam-settings-{draft.id}")
    labelled(settings.number_input, nb("exam.word_limit")).set_value(0)
    labelled(settings.button, nb("exam.save_settings")).click()
    run(at)
    assert fresh().get(ExamDraft, draft.id).word_limit is None
    assert warnings(at) == []
    assert not at.progress


def test_a_problem_statement_too_long_is_explained_under_the_field_and_not_saved(writers, browser, dbs, fresh):
    with_candidate_number(dbs, writers.pia, "4711")
    a_small_year(dbs, writers.pia)
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    draft_id = draft_of(fresh, writers.pia).id
    settings = form(at, f"exam-settings-{draft_id}")
    labelled(settings.text_area, nb("exam.problem_statement")).input("Hvorfor? " * 600)
    labelled(settings.button, nb("exam.save_settings")).click()
    run(at)
    assert error_after(form(at, f"exam-settings-{draft_id}"), nb("exam.problem_statement")) == \
        nb("field.too_long", max=exam.MAX_PROBLEM_LENGTH)
    assert toasts(at) == []
    assert fresh().get(ExamDraft, draft_id).problem_statement == ""


def test_a_limit_above_the_count_does_not_warn(writers, browser, dbs, fresh):
    with_candidate_number(dbs, writers.pia, "4711")
    a_small_year(dbs, writers.pia)
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    settings = form(at, f"exam-settings-{draft_of(fresh, writers.pia).id}")
    labelled(settings.number_input, nb("exam.word_limit")).set_value(5000)
    labelled(settings.button, nb("exam.save_settings")).click()
    run(at)
    assert warnings(at) == []
    [progress] = at.progress
    assert progress.proto.text == nb("exam.words_of_limit", words=format_number(words_shown(at), "nb"),
                                     limit=format_number(5000, "nb"))
    assert format_number(5000, "nb") != "5000"  # bokmål groups thousands


def test_without_a_candidate_number_the_page_says_so_and_the_file_says_so_too(writers, browser, dbs):
    a_small_year(dbs, writers.pia)
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    assert warnings(at) == [nb("exam.missing_candidate", count=1)]

    click(at, MAKE)
    [button] = at.download_button
    assert button.label == nb("exam.download_file",
                              filename=f"LEDPRO-del1-kandidat-uten-kandidatnummer-{today_in_oslo().isoformat()}.docx")
    # The warning stays until the number is in place; it never shows the name instead.
    assert warnings(at) == [nb("exam.missing_candidate", count=1)]
    assert "Pia Deltaker" not in "\n".join(m.value for m in at.main.markdown)


def test_characters_word_cannot_hold_are_named_by_note(writers, browser, dbs):
    with_candidate_number(dbs, writers.pia, "4711")
    write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Rart *notat*", "description": "før\x01\x02etter"})
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    assert warnings(at) == [nb("exam.unsupported", count=2, title=plain("Rart *notat*"))]

    click(at, MAKE)
    assert [i.value for i in at.info] == [nb("exam.removed", count=2)]
    assert at.download_button


def test_making_the_word_file_offers_it_for_download_named_after_the_candidate_number(writers, browser, dbs, fresh):
    with_candidate_number(dbs, writers.pia, "4711")
    a_small_year(dbs, writers.pia)
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    click(at, MAKE)

    [status] = [node for node in at.main if getattr(node, "type", None) == "status"]
    assert (status.label, status.state) == (nb("exam.ready"), "complete")
    filename = f"LEDPRO-del2-kandidat-4711-{today_in_oslo().isoformat()}.docx"
    [button] = at.download_button
    assert button.label == nb("exam.download_file", filename=filename)
    assert "4711" in button.label
    assert not at.error

    # What the button hands over is the draft as a Word document with the note's text in it.
    draft = draft_of(fresh, writers.pia)
    built = at.session_state[f"exam_file_{draft.id}"]
    assert built.filename == filename
    paragraphs = [p.text for p in docx.Document(io.BytesIO(built.content)).paragraphs]
    assert NOTE_TEXT in paragraphs
    assert "Pia Deltaker" not in "\n".join(paragraphs)

    # Another run keeps the button; a changed setting makes the file stale, so it goes.
    run(at)
    assert [b.label for b in at.download_button] == [nb("exam.download_file", filename=filename)]
    settings = form(at, f"exam-settings-{draft.id}")
    labelled(settings.text_input, nb("exam.title")).input("Ny tittel")
    labelled(settings.button, nb("exam.save_settings")).click()
    run(at)
    assert not at.download_button


def test_the_institutions_template_is_named_on_the_page(writers, browser, dbs):
    document = docx.Document()
    content = io.BytesIO()
    document.save(content)
    programme.set_exam_template(writers.admin, session=dbs, cohort_id=writers.cohort.id, filename="HINN mal.docx",
                                content=content.getvalue())
    dbs.commit()
    with_candidate_number(dbs, writers.pia, "4711")
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    assert nb("exam.template_in_use", filename=plain("HINN mal.docx")) in [c.value for c in at.caption]


# --- a group draft ------------------------------------------------------------------------------------------


@dataclass
class Group:
    nord: ReflectionGroup
    siri: User


@pytest.fixture
def group(dbs, writers) -> Group:
    """Pia, Ola and Siri in Gruppe Nord, each with a candidate number; Ola has joined the group's draft."""
    nord = programme.create_group(writers.admin, session=dbs, cohort_id=writers.cohort.id, name="Gruppe Nord")
    dbs.commit()
    place(dbs, writers.admin, writers.pia, nord)
    place(dbs, writers.admin, writers.ola, nord)
    siri = make_member(dbs, writers.admin, writers.cohort.id, "siri", name="Siri Tredje", group_id=nord.id)
    for user, number in ((writers.pia, "4711"), (writers.ola, "5822"), (siri, "6933")):
        with_candidate_number(dbs, user, number)
    draft = exam.open_draft(writers.ola, session=dbs, mode=exam.GROUP)
    exam.join_group_draft(writers.ola, session=dbs, draft_id=draft.id)
    dbs.commit()
    return Group(nord, siri)


def tick_everything(session, who) -> None:
    """What a member does in the material table (which AppTest cannot edit): tick all of their own."""
    draft = exam.open_draft(who, session=session, mode=exam.GROUP)
    keys = [item.ref for item in exam.my_material(who, session=session, draft_id=draft.id)]
    exam.save_choices(who, session=session, draft_id=draft.id, choices=[(key, True) for key in keys])
    session.commit()


def group_lead(joined: int, members: int = 3) -> str:
    return nb("exam.group_lead", group=plain("Gruppe Nord"), joined=joined, members=members)


def test_joining_the_group_draft_warns_first_and_puts_in_only_what_is_ticked(writers, browser, dbs, fresh, group):
    write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Pias notat", "description": "Pias tekst."})
    write(dbs, writers.ola, DocumentKind.NOTE, {"title": "Olas notat", "description": "Olas tekst."})
    write(dbs, group.siri, DocumentKind.NOTE, {"title": "Siris notat", "description": "Siris tekst."})
    tick_everything(dbs, writers.ola)
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    # Individual first: her own note only.
    assert [t for _, t, _ in outline(at)].count("Pias notat") == 1

    mode(at, exam.GROUP)
    assert [i.value for i in at.info] == [group_lead(1)]
    assert warnings(at) == [nb("exam.join_warning")]
    assert labelled(at.button, JOIN)
    assert not [b for b in at.button if b.label == LEAVE]
    assert MATERIAL not in [e.label for e in at.expander]
    # Before joining, nothing of hers is in the group's draft; Ola's note is, and Siri's is not.
    in_outline = [t for _, t, _ in outline(at)]
    assert "Olas notat" in in_outline
    assert "Pias notat" not in in_outline and "Siris notat" not in in_outline
    draft_id = exam.open_draft(writers.pia, session=fresh(), mode=exam.GROUP).id
    assert fresh().get(ExamContribution, (draft_id, writers.pia.id)) is None

    click(at, JOIN)
    assert toasts(at) == [nb("exam.joined")]
    assert [i.value for i in at.info] == [group_lead(2)]
    assert nb("exam.join_warning") not in warnings(at)
    assert labelled(at.button, LEAVE)
    assert not [b for b in at.button if b.label == JOIN]
    assert MATERIAL in [e.label for e in at.expander]
    assert "Pias notat" not in [t for _, t, _ in outline(at)]  # joined, nothing ticked yet
    tick_everything(dbs, writers.pia)
    at.run()
    in_outline = [t for _, t, _ in outline(at)]
    assert "Olas notat" in in_outline and "Pias notat" in in_outline and "Siris notat" not in in_outline
    assert fresh().get(ExamContribution, (draft_id, writers.pia.id)) is not None

    # The group's file carries every joined member's number, never a name.
    click(at, MAKE)
    [button] = at.download_button
    assert "4711" in button.label and "5822" in button.label and "6933" not in button.label
    assert "-gruppe-" in button.label

    click(at, LEAVE)
    assert toasts(at) == [nb("exam.left")]
    assert [i.value for i in at.info] == [group_lead(1)]
    assert labelled(at.button, JOIN)
    assert "Pias notat" not in [t for _, t, _ in outline(at)]
    assert fresh().get(ExamContribution, (draft_id, writers.pia.id)) is None
    # The file built while she was in it is not offered any more.
    assert not at.download_button


def ola_saves_the_title(dbs, writers, title: str) -> ExamDraft:
    """Ola saves a title in his own tab, as his page would (drawn with what is saved)."""
    draft = exam.open_draft(writers.ola, session=dbs, mode=exam.GROUP)
    exam.update_settings(writers.ola, session=dbs, draft_id=draft.id, title=title,
                         problem_statement=draft.problem_statement, include_prompts=draft.include_prompts,
                         word_limit=draft.word_limit, shown_title=draft.title,
                         shown_problem_statement=draft.problem_statement)
    dbs.commit()
    return draft


def test_a_stale_settings_form_saves_its_tick_without_writing_the_old_title_back(writers, browser, dbs, fresh,
                                                                                  group):
    ola_saves_the_title(dbs, writers, "Olas første tittel")
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    mode(at, exam.GROUP)
    draft_id = draft_of(fresh, writers.pia, exam.GROUP).id
    settings = form(at, f"exam-settings-{draft_id}")
    assert labelled(settings.text_input, nb("exam.title")).value == "Olas første tittel"

    ola_saves_the_title(dbs, writers, "Olas andre tittel")  # while Pia's form still shows the first
    settings = form(at, f"exam-settings-{draft_id}")
    labelled(settings.checkbox, nb("exam.include_prompts")).uncheck()
    labelled(settings.button, nb("exam.save_settings")).click()
    run(at)
    assert toasts(at) == [nb("exam.settings_saved")]
    draft = fresh().get(ExamDraft, draft_id)
    assert (draft.title, draft.title_by, draft.include_prompts) == ("Olas andre tittel", writers.ola.id, False)
    assert labelled(form(at, f"exam-settings-{draft_id}").text_input, nb("exam.title")).value == "Olas andre tittel"

    # A field she has not touched follows what is saved on the next run, without saving.
    ola_saves_the_title(dbs, writers, "Olas tredje tittel")
    run(at)
    assert labelled(form(at, f"exam-settings-{draft_id}").text_input, nb("exam.title")).value == \
        "Olas tredje tittel"


def test_a_title_changed_while_another_member_saved_one_is_a_conflict_that_keeps_what_was_typed(
        writers, browser, dbs, fresh, group):
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    mode(at, exam.GROUP)
    draft_id = draft_of(fresh, writers.pia, exam.GROUP).id
    settings = form(at, f"exam-settings-{draft_id}")
    labelled(settings.text_input, nb("exam.title")).input("Pias tittel")
    ola_saves_the_title(dbs, writers, "Olas tittel")  # before Pia saves
    labelled(settings.button, nb("exam.save_settings")).click()
    run(at)

    assert toasts(at) == []
    settings = form(at, f"exam-settings-{draft_id}")
    assert nb("exam.conflict.title", saved=plain("Olas tittel")) in [e.value for e in settings.error]
    assert labelled(settings.text_input, nb("exam.title")).value == "Pias tittel"
    draft = fresh().get(ExamDraft, draft_id)
    assert (draft.title, draft.title_by) == ("Olas tittel", writers.ola.id)

    # Having been told, she saves again: her title it is.
    labelled(settings.button, nb("exam.save_settings")).click()
    run(at)
    assert toasts(at) == [nb("exam.settings_saved")]
    draft = fresh().get(ExamDraft, draft_id)
    assert (draft.title, draft.title_by) == ("Pias tittel", writers.pia.id)
    assert labelled(form(at, f"exam-settings-{draft_id}").text_input, nb("exam.title")).value == "Pias tittel"


def test_a_participant_without_a_group_is_told_so_in_group_mode(writers, browser, dbs, fresh):
    with_candidate_number(dbs, writers.pia, "4711")
    write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Pias notat", "description": "Pias tekst."})
    browser.sign_in(writers.pia)
    at = open_page(PAGE)
    mode(at, exam.GROUP)
    assert titles(at) == [nb("nav.exam")]
    assert [i.value for i in at.info] == [nb("exam.no_group")]
    assert not at.button and not at.expander and not at.metric and not at.download_button
    assert "Pias notat" not in visible_text(at)
    assert fresh().exec(select(ExamDraft).where(ExamDraft.group_id.is_not(None))).all() == []

    # Back to individual: the own draft again.
    mode(at, exam.INDIVIDUAL)
    assert "Pias notat" in [t for _, t, _ in outline(at)]


# --- who may open it ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "facilitator"])
def test_facilitators_and_administrators_have_no_access(writers, browser, dbs, fresh, role):
    a_small_year(dbs, writers.pia)
    user = writers.admin if role == "admin" else make_member(dbs, writers.admin, writers.cohort.id, "frode",
                                                              role=Role.FACILITATOR, name="Frode Faglærer")
    browser.sign_in(user)
    # Not in their navigation ...
    assert PAGE not in registered_pages(open_page("pages/home.py"))
    # ... and the page run by its address says no access and shows nothing of anyone's draft.
    at = run(page_app(PAGE))
    assert titles(at) == [nb("error.no_access_title")]
    assert warnings(at) == [nb("error.not_allowed")]
    assert not at.button and not at.button_group and not at.expander and not at.metric and not at.form
    text = visible_text(at)
    assert "Stillheten" not in text and nb("nav.exam") not in text
    assert fresh().exec(select(ExamDraft)).all() == []


# --- name replacements in the draft -----------------------------------------------------------------------------


def outline_titles(at) -> str:
    [expander] = [e for e in at.expander if e.label == nb("exam.outline")]
    return expander.markdown[0].value


def test_ones_own_draft_offers_the_replacements_and_the_group_draft_always_uses_them(writers, nord, browser, dbs,
                                                                                     fresh):
    remember(dbs, writers.pia, "Kari", "kollega A")
    write(dbs, writers.pia, DocumentKind.NOTE, {"title": "Samtale med Kari", "description": "Kari var stille."})
    browser.sign_in(writers.pia)
    at = open_page("pages/exam.py")
    offer = labelled(at.toggle, nb("names.exam.use"))
    assert offer.value is False
    assert "Samtale med Kari" in outline_titles(at)
    assert [w.value for w in at.warning] == [nb("names.exam.left", names="Kari")]
    assert (nb("names.exam.to_list"), "") in [(link.label, link.proto.query_string) for link in at.page_link]

    offer.set_value(True)
    run(at)
    assert toasts(at) == [nb("names.exam.now_on")]
    draft = fresh().exec(select(ExamDraft).where(ExamDraft.owner_id == writers.pia.id)).one()
    assert draft.use_name_replacements is True
    assert labelled(at.toggle, nb("names.exam.use")).value is True
    assert "Samtale med kollega A" in outline_titles(at) and "Kari" not in outline_titles(at)
    assert [w.value for w in at.warning] == []  # no name left

    labelled(at.toggle, nb("names.exam.use")).set_value(False)
    run(at)
    assert toasts(at) == [nb("names.exam.now_off")]
    assert fresh().get(ExamDraft, draft.id).use_name_replacements is False
    assert "Samtale med Kari" in outline_titles(at)

    # The group's draft: no offer, always replaced; what Ola sees of Pia's note has no Kari in it.
    group_draft = exam.open_draft(writers.pia, session=dbs, mode=exam.GROUP)
    exam.join_group_draft(writers.pia, session=dbs, draft_id=group_draft.id)
    keys = [item.ref for item in exam.my_material(writers.pia, session=dbs, draft_id=group_draft.id)]
    exam.save_choices(writers.pia, session=dbs, draft_id=group_draft.id, choices=[(k, True) for k in keys])
    dbs.commit()
    browser.sign_in(writers.ola)
    at = open_page("pages/exam.py")
    [control] = [b for b in at.button_group if b.label == nb("exam.mode")]
    control.set_value(exam.GROUP)
    run(at)
    assert nb("names.exam.group_always") in [c.value for c in at.caption]
    assert not [t for t in at.toggle if t.label == nb("names.exam.use")]
    assert "Samtale med kollega A" in outline_titles(at)
    assert "Kari" not in visible_text(at)
    assert plain("Kari") not in outline_titles(at)
