"""The exam draft service: what goes into the document (by default everything, chronological; then what
each contributor chose, in their order), group drafts holding only the material of members who joined,
candidate numbers instead of names, citations and the reference list, word counts, and the command line.
Runs against SQLite and PostgreSQL (the `session` fixture)."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from docx2python import docx2python

from ledpro_journal.export.document import Heading, Table, UserText
from ledpro_journal.export.exam_docx import word_safe
from ledpro_journal.i18n import LANGUAGES, language, language_tag, t
from ledpro_journal.models import ActionStatus, Audience, DocumentKind, ExamContribution
from ledpro_journal.services import accounts, exam, journal, literature, programme, sharing
from ledpro_journal.services.errors import Conflict, Invalid, NotAllowed, NotFound
from ledpro_journal.services.exam_material import ItemKind, ItemRef
from tests.export import readback
from tests.helpers import make_member

TODAY = date(2024, 11, 1)
CHALLENGE, ACTION, LOG, NOTE = DocumentKind.CHALLENGE, DocumentKind.ACTION, DocumentKind.LOG, DocumentKind.NOTE


def participant(session, admin, cohort, username, name, number, group_id):
    user = make_member(session, admin, cohort.id, username, name=name, group_id=group_id)
    accounts.update_profile(user, session=session, display_name=name, candidate_number=number, language="nb", part=2)
    session.commit()
    return user


@pytest.fixture
def kari(session, admin, cohort, groups):
    return participant(session, admin, cohort, "kari", "Kari Nordmann", "4711", groups[0].id)


@pytest.fixture
def ola(session, admin, cohort, groups):
    return participant(session, admin, cohort, "ola", "Ola Hansen", "5822", groups[0].id)


@pytest.fixture
def per(session, admin, cohort, groups):
    return participant(session, admin, cohort, "per", "Per Annengruppe", "6933", groups[1].id)


def write(session, who, kind, fields, **kwargs):
    create_args = {k: kwargs.pop(k) for k in ("parent_id",) if k in kwargs}
    document = journal.create_document(who, session=session, kind=kind, **create_args)
    saved = journal.save_document(who, session=session, document_id=document.id, base_version=0, fields=fields,
                                  **kwargs)
    session.commit()
    return saved


def gathering_id(session, admin, cohort, number):
    return next(g.id for g in programme.list_gatherings(admin, session=session, cohort_id=cohort.id)
                if g.number == number)


@pytest.fixture
def karis_year(session, admin, cohort, kari):
    """A small year: the challenge, an action after gathering 1 with a log, and two notes."""
    challenge = write(session, kari, CHALLENGE, {
        "title": "Møtekultur i enheten",
        "context": "Jeg leder en enhet på 14 i en kommune.",
        "problem_statement": "Hvordan kan jeg som leder endre møtekulturen?",
    })
    action = write(session, kari, ACTION, {"title": "Nytt møteformat", "purpose": "Kortere møter med tydelig mål.",
                                           "involved": "Teamet mitt"},
                   gathering_id=gathering_id(session, admin, cohort, 1), happened_on=date(2024, 3, 1))
    log = write(session, kari, LOG, {"planned_vs_done": "Vi prøvde stående møter.\n\nDet ble stille.",
                                     "observations": "Ingen tok ordet de første minuttene."},
                parent_id=action.id, happened_on=date(2024, 3, 5), status=ActionStatus.DONE)
    first = write(session, kari, NOTE, {"title": "Stillheten", "description": "Gruppa var taus i ti minutter."},
                  gathering_id=gathering_id(session, admin, cohort, 2))
    second = write(session, kari, NOTE, {"title": "Motstand", "description": "Hemmelig-ord-kari-privat."},
                   template="G", gathering_id=gathering_id(session, admin, cohort, 3))
    return {"challenge": challenge, "action": action, "log": log, "first": first, "second": second}


def draft_of(session, who, mode=exam.INDIVIDUAL):
    draft = exam.open_draft(who, session=session, mode=mode)
    session.commit()
    return draft


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Every document this module exports, with the participants' texts it includes. When the module is
    done, LibreOffice converts them all to PDF (A4), and pandoc and docx2python read each one back."""
    folder = tmp_path_factory.mktemp("exported")
    documents: list[tuple[Path, list[str]]] = []
    yield folder, documents
    if not documents:
        return
    for pdf in readback.to_pdfs([path for path, _ in documents]):
        width, height = readback.pdf_page_size_mm(pdf)
        assert abs(width - 210) < 1 and abs(height - 297) < 1, pdf.name
    for path, texts in documents:
        for read in (readback.pandoc_text(path), readback.docx2python_text(path)):
            flat = readback.normalise(read)
            for text in texts:
                assert readback.normalise(readback_safe(text)) in flat, (path.name, text[:80])


def readback_safe(text: str) -> str:
    return word_safe(text)[0]


@pytest.fixture(autouse=True)
def _keep_exports(exported, monkeypatch):
    folder, documents = exported
    render = exam.render

    def render_and_keep(composition):
        exam_file = render(composition)
        path = folder / f"{len(documents) + 1:03d}-{exam_file.filename}"
        path.write_bytes(exam_file.content)
        included = [b.text for b in (*composition.document.body, *composition.document.appendix)
                    if isinstance(b, UserText) and b.text.strip()]
        documents.append((path, included))
        return exam_file

    monkeypatch.setattr(exam, "render", render_and_keep)


def join_with_everything(session, who, draft):
    """Joins a group draft and ticks all of one's material (joining alone adds nothing)."""
    exam.join_group_draft(who, session=session, draft_id=draft.id)
    keys = [item.ref for item in exam.my_material(who, session=session, draft_id=draft.id)]
    exam.save_choices(who, session=session, draft_id=draft.id, choices=[(key, True) for key in keys])
    session.commit()


def build(session, who, draft) -> bytes:
    return exam.build_exam(who, session=session, draft_id=draft.id, today=TODAY).content


def text_of(content: bytes) -> str:
    with docx2python(io.BytesIO(content)) as read:
        return read.text


def every_part(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return "\n".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())


# --- an individual draft ----------------------------------------------------------------------------------


def test_by_default_everything_goes_in_with_each_paragraph_kept(session, kari, karis_year):
    text = text_of(build(session, kari, draft_of(session, kari)))
    for expected in ("Jeg leder en enhet på 14 i en kommune.", "Kortere møter med tydelig mål.",
                     "Vi prøvde stående møter.", "Det ble stille.", "Gruppa var taus i ti minutter.",
                     "Hemmelig-ord-kari-privat.", "Hvordan kan jeg som leder endre møtekulturen?"):
        assert expected in text
    for chapter in ("1 Innledning", "2 Faglig perspektiv", "3 Metode", "4 Aksjoner og erfaringer",
                    "5 Analyse og drøfting", "6 Avslutning", "Litteraturliste", "Innholdsfortegnelse"):
        assert chapter in text


@pytest.mark.parametrize(("lang", "chapters"), [
    ("nb", ["1 Innledning", "2 Faglig perspektiv", "3 Metode", "4 Aksjoner og erfaringer", "5 Analyse og drøfting",
            "6 Avslutning"]),
    ("en", ["1 Introduction", "2 Theoretical perspective", "3 Method", "4 Actions and experiences",
            "5 Analysis and discussion", "6 Conclusion"]),
])
def test_the_chapters_are_numbered_in_their_order_in_the_readers_language(session, kari, karis_year, lang, chapters):
    composition = exam.compose(kari, session=session, draft_id=draft_of(session, kari).id, lang=lang, today=TODAY)
    assert [entry.title for entry in composition.outline if entry.level == 1] == chapters
    assert [b.text for b in composition.document.body if isinstance(b, Heading) and b.level == 1] == chapters


def test_the_title_and_problem_statement_default_to_the_challenges_and_can_be_changed(session, kari, karis_year):
    draft = draft_of(session, kari)
    composition = exam.compose(kari, session=session, draft_id=draft.id, today=TODAY)
    assert composition.document.front.title == "Møtekultur i enheten"
    assert ("Problemstilling", "Hvordan kan jeg som leder endre møtekulturen?") in composition.document.front.lines
    exam.update_settings(kari, session=session, draft_id=draft.id, title="Ny tittel", problem_statement="Hvorfor?",
                         include_prompts=True, word_limit=None)
    session.commit()
    composition = exam.compose(kari, session=session, draft_id=draft.id, today=TODAY)
    assert composition.document.front.title == "Ny tittel"
    assert ("Problemstilling", "Hvorfor?") in composition.document.front.lines


def settings(who, session, draft, title, problem="", *, shown, include_prompts=True):
    """Saves the settings as the page does: with the title and problem statement its form was drawn with."""
    return exam.update_settings(who, session=session, draft_id=draft.id, title=title, problem_statement=problem,
                                include_prompts=include_prompts, word_limit=None, shown_title=shown[0],
                                shown_problem_statement=shown[1])


def test_a_stale_settings_form_writes_no_text_back_and_takes_no_authorship(session, kari, ola):
    draft = draft_of(session, kari, exam.GROUP)
    settings(kari, session, draft, "Karis tittel", "Karis problemstilling", shown=("", ""))
    drawn = (draft.title, draft.problem_statement)  # Ola's tab is drawn now
    settings(kari, session, draft, "Karis nye tittel", "Karis problemstilling", shown=drawn)
    session.commit()
    # Ola's tab still shows the old title; he only unticks the prompts: neither text is written.
    settings(ola, session, draft, *drawn, shown=drawn, include_prompts=False)
    session.commit()
    session.refresh(draft)
    assert (draft.title, draft.title_by, draft.problem_statement, draft.problem_statement_by) == (
        "Karis nye tittel", kari.id, "Karis problemstilling", kari.id)
    assert draft.include_prompts is False


def test_a_text_changed_on_a_stale_form_is_a_conflict_and_saving_again_on_the_new_text_writes_it(
        session, kari, ola):
    draft = draft_of(session, kari, exam.GROUP)
    drawn = (draft.title, draft.problem_statement)
    settings(kari, session, draft, "Karis tittel", "Karis problemstilling", shown=drawn)
    session.commit()
    for changed in (("Olas tittel", drawn[1]), (drawn[0], "Olas problemstilling")):
        with pytest.raises(Conflict) as refused:
            settings(ola, session, draft, *changed, shown=drawn, include_prompts=False)
        session.rollback()
        field = "title" if changed[0] != drawn[0] else "problem_statement"
        assert refused.value.key == f"exam.conflict.{field}"
        assert refused.value.params == {"saved": getattr(draft, field)}
    session.refresh(draft)
    assert (draft.title, draft.title_by, draft.problem_statement, draft.include_prompts) == (
        "Karis tittel", kari.id, "Karis problemstilling", True)
    # Shown the saved texts (the page keeps what he typed), Ola saves again: now it is his.
    settings(ola, session, draft, "Olas tittel", "Karis problemstilling",
             shown=("Karis tittel", "Karis problemstilling"))
    session.commit()
    session.refresh(draft)
    assert (draft.title, draft.title_by, draft.problem_statement_by) == ("Olas tittel", ola.id, kari.id)
    # A text he left as shown while it did not change is not written either (nor made his).
    settings(ola, session, draft, "Olas tittel", " Karis problemstilling ",
             shown=("Olas tittel", "Karis problemstilling"))
    assert draft.problem_statement_by == kari.id


def test_what_is_left_out_is_not_in_the_document_and_the_order_is_the_chosen_one(session, kari, karis_year):
    draft = draft_of(session, kari)
    items = exam.my_material(kari, session=session, draft_id=draft.id)
    keys = [item.ref for item in items]
    first, second = ItemRef(ItemKind.NOTE, karis_year["first"].id), ItemRef(ItemKind.NOTE, karis_year["second"].id)
    assert keys.index(first) < keys.index(second)  # default: chronological by gathering
    reordered = [k for k in keys if k not in (first, second)] + [second, first]
    exam.save_choices(kari, session=session, draft_id=draft.id, choices=[(k, True) for k in reordered])
    session.commit()
    text = text_of(build(session, kari, draft))
    assert text.index("Hemmelig-ord-kari-privat.") < text.index("Gruppa var taus i ti minutter.")

    exam.save_choices(kari, session=session, draft_id=draft.id,
                      choices=[(k, k != second) for k in reordered])
    session.commit()
    assert "Hemmelig-ord-kari-privat." not in every_part(build(session, kari, draft))


def test_something_written_after_choosing_goes_in_by_default(session, kari, karis_year):
    draft = draft_of(session, kari)
    keys = [item.ref for item in exam.my_material(kari, session=session, draft_id=draft.id)]
    exam.save_choices(kari, session=session, draft_id=draft.id, choices=[(k, True) for k in keys])
    session.commit()
    write(session, kari, NOTE, {"title": "Senere", "description": "Skrevet etter utvalget."})
    assert "Skrevet etter utvalget." in text_of(build(session, kari, draft))


def test_nothing_in_the_bin_and_no_unsaved_document_goes_in(session, kari, karis_year):
    journal.delete_document(kari, session=session, document_id=karis_year["second"].id)
    journal.create_document(kari, session=session, kind=NOTE)
    session.commit()
    draft = draft_of(session, kari)
    assert "Hemmelig-ord-kari-privat." not in every_part(build(session, kari, draft))
    assert all(item.ref != ItemRef(ItemKind.NOTE, karis_year["second"].id)
               for item in exam.my_material(kari, session=session, draft_id=draft.id))


def test_choices_of_someone_elses_material_are_refused(session, kari, ola, karis_year):
    draft = draft_of(session, ola)
    with pytest.raises(Invalid):
        exam.save_choices(ola, session=session, draft_id=draft.id,
                          choices=[(ItemRef(ItemKind.NOTE, karis_year["first"].id), True)])


def test_choices_are_stored_in_the_form_saved_drafts_already_have(session, kari, ola, karis_year):
    """`ExamContribution.choices` keeps {"key": "d<document id>" | "c<comment id>", "on": ...}: what is
    saved reads back as saved, and so does a draft saved before items had a typed reference."""
    version = sharing.share_document(kari, session=session, document_id=karis_year["first"].id,
                                     audience=Audience.GROUP)
    comment = sharing.add_comment(ola, session=session, shared_version_id=version.id, text="Tenk på Bion.")
    session.commit()
    draft = draft_of(session, kari)
    refs = [item.ref for item in exam.my_material(kari, session=session, draft_id=draft.id)]
    assert ItemRef(ItemKind.COMMENT, comment.id) in refs
    exam.save_choices(kari, session=session, draft_id=draft.id,
                      choices=[(ref, ref.kind is not ItemKind.LOG) for ref in reversed(refs)])
    session.commit()
    stored = session.get(ExamContribution, (draft.id, kari.id))
    assert stored.choices == [
        {"key": f"{'c' if ref.kind is ItemKind.COMMENT else 'd'}{ref.id}", "on": ref.kind is not ItemKind.LOG}
        for ref in reversed(refs)
    ]

    stored.choices = [{"key": f"d{karis_year['second'].id}", "on": False}, {"key": f"c{comment.id}", "on": True}]
    session.add(stored)
    session.commit()
    items = exam.my_material(kari, session=session, draft_id=draft.id)
    assert [(item.ref, item.on) for item in items[:2]] == [
        (ItemRef(ItemKind.NOTE, karis_year["second"].id), False), (ItemRef(ItemKind.COMMENT, comment.id), True)]
    assert all(item.on for item in items[2:])  # not chosen about yet: in, in one's own draft


def test_another_participants_draft_is_not_found(session, kari, ola, karis_year):
    draft = draft_of(session, kari)
    with pytest.raises(NotFound):
        exam.compose(ola, session=session, draft_id=draft.id, today=TODAY)
    with pytest.raises(NotFound):
        exam.update_settings(ola, session=session, draft_id=draft.id, title="x", problem_statement="",
                             include_prompts=True, word_limit=None)


def test_the_document_names_no_one_and_carries_the_candidate_number(session, kari, karis_year):
    content = build(session, kari, draft_of(session, kari))
    package = every_part(content)
    assert "Kari" not in package and "Nordmann" not in package
    with zipfile.ZipFile(io.BytesIO(content)) as zipped:
        headers = "".join(zipped.read(n).decode() for n in zipped.namelist() if n.startswith("word/header"))
    assert "4711" in headers


def test_the_file_name_has_candidate_number_part_and_date(session, kari, karis_year):
    draft = draft_of(session, kari)
    exam_file = exam.build_exam(kari, session=session, draft_id=draft.id, today=TODAY)
    assert exam_file.filename == "LEDPRO-del2-kandidat-4711-2024-11-01.docx"


def test_prompts_can_be_left_out(session, kari, karis_year):
    draft = draft_of(session, kari)
    with_prompts = exam.compose(kari, session=session, draft_id=draft.id, today=TODAY)
    exam.update_settings(kari, session=session, draft_id=draft.id, title="", problem_statement="",
                         include_prompts=False, word_limit=None)
    session.commit()
    without = exam.compose(kari, session=session, draft_id=draft.id, today=TODAY)
    prompt = "Beskriv konteksten"
    assert any(prompt in getattr(b, "text", "") for b in with_prompts.document.body)
    assert not any(prompt in getattr(b, "text", "") for b in without.document.body)
    assert with_prompts.body_words == without.body_words  # prompts are never counted


def test_word_count_is_of_the_body_and_is_shown_against_the_limit(session, kari, karis_year):
    draft = draft_of(session, kari)
    composition = exam.compose(kari, session=session, draft_id=draft.id, today=TODAY)
    assert composition.body_words > 20 and not composition.over_limit
    exam.update_settings(kari, session=session, draft_id=draft.id, title="", problem_statement="",
                         include_prompts=True, word_limit=20)
    session.commit()
    composition = exam.compose(kari, session=session, draft_id=draft.id, today=TODAY)
    assert composition.over_limit
    chapters = [entry for entry in composition.outline if entry.level == 1]
    assert sum(entry.words for entry in chapters) == composition.body_words  # a chapter counts its sections
    with pytest.raises(Invalid) as excinfo:
        exam.update_settings(kari, session=session, draft_id=draft.id, title="", problem_statement="",
                             include_prompts=True, word_limit=-5)
    assert "word_limit" in excinfo.value.errors


def test_a_missing_candidate_number_is_reported_not_replaced_by_a_name(session, admin, cohort, groups):
    anna = make_member(session, admin, cohort.id, "anna", name="Anna Utennummer", group_id=groups[0].id)
    write(session, anna, NOTE, {"title": "Notat", "description": "Tekst."})
    draft = draft_of(session, anna)
    composition = exam.compose(anna, session=session, draft_id=draft.id, today=TODAY)
    assert composition.missing_candidate_numbers == 1
    package = every_part(exam.render(composition).content)
    assert "Anna" not in package and "[kandidatnummer]" in package


def test_characters_word_cannot_hold_are_left_out_of_the_document_only(session, kari):
    note = write(session, kari, NOTE, {"title": "Rart", "description": "før\x00\x01etter"})
    draft = draft_of(session, kari)
    composition = exam.compose(kari, session=session, draft_id=draft.id, today=TODAY)
    assert composition.unsupported_characters == {"Rart": 2}
    exam_file = exam.render(composition)
    assert exam_file.removed_characters == 2
    assert "føretter" in text_of(exam_file.content)
    assert journal.get_document(kari, session=session, document_id=note.id).fields["description"] == "før\x00\x01etter"


# --- references -----------------------------------------------------------------------------------------


def test_a_cited_reference_is_cited_in_the_text_and_listed_in_apa_7(session, kari, karis_year):
    bion = literature.add_reference(kari, session=session, kind="book", data={
        "authors": [{"family": "Bion", "given": "Wilfred R."}], "year": "1961",
        "title": "Experiences in groups and other papers", "publisher": "Tavistock"})
    unused = literature.add_reference(kari, session=session, kind="book", data={
        "authors": [{"family": "Schein", "given": "Edgar"}], "year": "2010",
        "title": "Organizational culture and leadership", "publisher": "Jossey-Bass"})
    literature.set_citations(kari, session=session, note_id=karis_year["first"].id, cited=[(bion.id, "45")])
    session.commit()
    text = text_of(build(session, kari, draft_of(session, kari)))
    assert "(Bion, 1961, s. 45)" in text
    assert "Bion, W. R. (1961). Experiences in groups and other papers. Tavistock." in text
    assert "Schein" not in text and unused.id


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_exam_document_in_each_language_reads_back_in_that_language(session, kari, karis_year, tmp_path, lang):
    """Built in the participant's language and read back by pandoc: chapters, the reference list and its
    fixed words (the CSL locale's "s." or "p."), and Word told the document's language for spelling."""
    bion = literature.add_reference(kari, session=session, kind="book", data={
        "authors": [{"family": "Bion", "given": "Wilfred R."}], "year": "1961",
        "title": "Experiences in groups and other papers", "publisher": "Tavistock", "edition": "2"})
    literature.set_citations(kari, session=session, note_id=karis_year["first"].id, cited=[(bion.id, "45")])
    accounts.update_profile(kari, session=session, display_name=kari.display_name, candidate_number="4711",
                            language=lang, part=2)
    session.commit()
    built = exam.build_exam(kari, session=session, draft_id=draft_of(session, kari).id, today=TODAY)
    path = tmp_path / built.filename
    path.write_bytes(built.content)
    text = readback.normalise(readback.pandoc_text(path))
    for number in range(1, 7):
        assert readback.normalise(f"{number} {t(f'exam.ch{number}', lang)}") in text, (lang, number)
    assert readback.normalise(t("exam.references", lang)) in text
    page = "p." if language(lang).csl_style == "apa" else "s."
    assert f"(Bion, 1961, {page} 45)" in text
    edition = "2nd ed." if language(lang).csl_style == "apa" else "2. utg."
    assert f"Experiences in groups and other papers ({edition}). Tavistock." in text
    assert f'w:val="{language_tag(lang)}"' in every_part(built.content)


# --- a group draft ----------------------------------------------------------------------------------------


def test_a_group_draft_holds_only_the_material_of_members_who_joined(session, kari, ola, karis_year):
    write(session, ola, NOTE, {"title": "Olas notat", "description": "Hemmelig-ord-ola-privat."})
    draft = draft_of(session, kari, exam.GROUP)
    assert draft.id == draft_of(session, ola, exam.GROUP).id  # one draft per group
    join_with_everything(session, kari, draft)
    package = every_part(build(session, ola, draft))
    assert "Hemmelig-ord-ola-privat." not in package  # Ola has not joined
    assert "Hemmelig-ord-kari-privat." in package

    join_with_everything(session, ola, draft)
    text = text_of(build(session, kari, draft))
    assert "Hemmelig-ord-ola-privat." in text
    assert "Skrevet av kandidat 5822" in text and "Skrevet av kandidat 4711" in text
    assert "Ola" not in every_part(build(session, kari, draft)).replace("Olas notat", "")
    assert exam.member_count(kari, session=session, draft_id=draft.id) == (2, 2)


def test_a_group_draft_is_not_found_for_another_group_and_not_offered_without_a_group(
        session, admin, cohort, kari, per, karis_year):
    draft = draft_of(session, kari, exam.GROUP)
    join_with_everything(session, kari, draft)
    with pytest.raises(NotFound):
        exam.compose(per, session=session, draft_id=draft.id, today=TODAY)
    loner = make_member(session, admin, cohort.id, "loner")
    with pytest.raises(NotAllowed):
        exam.open_draft(loner, session=session, mode=exam.GROUP)


def test_a_member_moved_to_another_group_leaves_the_old_groups_draft(session, admin, cohort, groups, kari, ola,
                                                                      karis_year):
    draft = draft_of(session, ola, exam.GROUP)
    join_with_everything(session, kari, draft)
    membership = next(m for m in programme.list_members(admin, session=session, cohort_id=cohort.id)
                      if m.user_id == kari.id)
    programme.move_to_group(admin, session=session, membership_id=membership.membership_id, group_id=groups[1].id)
    session.commit()
    assert "Hemmelig-ord-kari-privat." not in every_part(build(session, ola, draft))
    with pytest.raises(NotFound):
        exam.compose(kari, session=session, draft_id=draft.id, today=TODAY)


def test_leaving_a_group_draft_takes_ones_material_out(session, kari, ola, karis_year):
    draft = draft_of(session, kari, exam.GROUP)
    join_with_everything(session, kari, draft)
    assert "Hemmelig-ord-kari-privat." in every_part(build(session, ola, draft))
    exam.leave_group_draft(kari, session=session, draft_id=draft.id)
    session.commit()
    assert "Hemmelig-ord-kari-privat." not in every_part(build(session, ola, draft))


def test_joining_a_group_draft_puts_nothing_in_and_later_writing_stays_out_until_ticked(session, kari, ola,
                                                                                       karis_year):
    draft = draft_of(session, kari, exam.GROUP)
    exam.join_group_draft(kari, session=session, draft_id=draft.id)
    session.commit()
    assert not any(item.on for item in exam.my_material(kari, session=session, draft_id=draft.id))
    assert "Hemmelig-ord-kari-privat." not in every_part(build(session, ola, draft))
    join_with_everything(session, kari, draft)
    write(session, kari, NOTE, {"title": "Senere", "description": "Privat-skrevet-etterpå."})
    assert "Privat-skrevet-etterpå." not in every_part(build(session, ola, draft))
    assert "Hemmelig-ord-kari-privat." in every_part(build(session, ola, draft))


def test_a_challenge_left_out_lends_the_draft_neither_title_nor_problem_statement(session, kari, ola, karis_year):
    draft = draft_of(session, kari, exam.GROUP)
    exam.join_group_draft(kari, session=session, draft_id=draft.id)
    keys = [item.ref for item in exam.my_material(kari, session=session, draft_id=draft.id)]
    challenge = ItemRef(ItemKind.CHALLENGE, karis_year["challenge"].id)
    exam.save_choices(kari, session=session, draft_id=draft.id, choices=[(k, k != challenge) for k in keys])
    session.commit()
    package = every_part(build(session, ola, draft))
    assert "Møtekultur i enheten" not in package and "endre møtekulturen" not in package


def test_a_log_entry_goes_in_only_with_its_action(session, kari, karis_year):
    draft = draft_of(session, kari)
    keys = [item.ref for item in exam.my_material(kari, session=session, draft_id=draft.id)]
    action = ItemRef(ItemKind.ACTION, karis_year["action"].id)
    exam.save_choices(kari, session=session, draft_id=draft.id, choices=[(k, k != action) for k in keys])
    session.commit()
    composition = exam.compose(kari, session=session, draft_id=draft.id, today=TODAY)
    text = text_of(exam.render(composition).content)
    assert "Vi prøvde stående møter." not in text
    assert "0 aksjoner, 0 loggføringer" in text


def test_the_group_drafts_log_table_says_whose_entry_it_is(session, kari, ola, karis_year):
    draft = draft_of(session, kari, exam.GROUP)
    join_with_everything(session, kari, draft)
    composition = exam.compose(ola, session=session, draft_id=draft.id, today=TODAY)
    [table] = [block for block in composition.document.appendix if isinstance(block, Table)]
    assert table.header[0] == "Kandidat" and table.rows[0][0] == "4711"


def test_names_in_ones_chosen_material_are_pointed_out(session, kari):
    write(session, kari, NOTE, {"title": "Møtet", "description": "I dag sa Per Olsen ingenting i møtet."})
    draft = draft_of(session, kari)
    composition = exam.compose(kari, session=session, draft_id=draft.id, today=TODAY)
    assert "Per Olsen" in composition.possible_names  # one name, not two


# --- comments received -------------------------------------------------------------------------------------


def test_comments_received_go_in_the_appendix_without_the_commenters_name(session, kari, ola, karis_year):
    version = sharing.share_document(kari, session=session, document_id=karis_year["first"].id,
                                     audience=Audience.GROUP)
    sharing.add_comment(ola, session=session, shared_version_id=version.id, text="Godt observert, tenk på Bion.")
    session.commit()
    draft = draft_of(session, kari)
    content = build(session, kari, draft)
    text = text_of(content)
    assert "Godt observert, tenk på Bion." in text
    assert "Kommentar fra et gruppemedlem" in text
    assert "Ola" not in every_part(content)
    keys = [i.ref for i in exam.my_material(kari, session=session, draft_id=draft.id)]
    comment = next(k for k in keys if k.kind is ItemKind.COMMENT)
    exam.save_choices(kari, session=session, draft_id=draft.id, choices=[(k, k != comment) for k in keys])
    session.commit()
    assert "Godt observert" not in text_of(build(session, kari, draft))


def test_a_group_draft_holds_only_comments_on_what_is_shared_with_that_group_now(
        session, admin, cohort, groups, kari, ola, per, karis_year):
    version = sharing.share_document(kari, session=session, document_id=karis_year["first"].id,
                                     audience=Audience.GROUP)
    sharing.add_comment(ola, session=session, shared_version_id=version.id, text="Ola-kommentar-til-gruppe-1.")
    session.commit()
    # In her own draft Kari keeps it; after she withdraws and moves to group 2, group 2 must not read it.
    assert "Ola-kommentar-til-gruppe-1." in text_of(build(session, kari, draft_of(session, kari)))
    sharing.withdraw_share(kari, session=session, share_id=version.share_id)
    membership = next(m for m in programme.list_members(admin, session=session, cohort_id=cohort.id)
                      if m.user_id == kari.id)
    programme.move_to_group(admin, session=session, membership_id=membership.membership_id, group_id=groups[1].id)
    session.commit()
    draft = draft_of(session, kari, exam.GROUP)
    join_with_everything(session, kari, draft)
    assert "Ola-kommentar-til-gruppe-1." not in every_part(build(session, per, draft))


# --- the command line ------------------------------------------------------------------------------------------


def test_export_for_user_builds_the_same_document_as_the_page(session, kari, karis_year):
    exam_file = exam.export_for_user(session, username="kari", mode=exam.INDIVIDUAL, today=TODAY)
    assert "Gruppa var taus i ti minutter." in text_of(exam_file.content)
    with pytest.raises(NotFound):
        exam.export_for_user(session, username="nobody", mode=exam.INDIVIDUAL, today=TODAY)
