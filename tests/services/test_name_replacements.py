"""A participant's name replacements: kept per participant (only they read or change the list), filled
in and remembered by the share panel, and applied wherever their text leaves the journal: new shares,
the group exam draft (always, each contributor's own list), their own draft (when they choose). The
journal keeps the text as written. Runs against SQLite and PostgreSQL (the `session` fixture).

Nobody in these tests is called Kari: wherever "Kari" turns up outside the journal, it leaked."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from docx2python import docx2python
from sqlmodel import select

from ledpro_journal.models import Audience, Document, DocumentKind, NameReplacement, Role
from ledpro_journal.services import accounts, exam, journal, literature, name_replacements, sharing
from ledpro_journal.services.errors import Invalid, NotAllowed, NotFound
from tests.helpers import make_member

TODAY = date(2024, 11, 1)
NOTE = DocumentKind.NOTE
WRITTEN = "Kari var stille i møtet. Jeg spurte Kari om hvorfor."


def participant(session, admin, cohort, username, name, number, group_id):
    user = make_member(session, admin, cohort.id, username, name=name, group_id=group_id)
    accounts.update_profile(user, session=session, display_name=name, candidate_number=number, language="nb", part=2)
    session.commit()
    return user


@pytest.fixture
def siri(session, admin, cohort, groups):
    return participant(session, admin, cohort, "siri", "Siri Eier", "4711", groups[0].id)


@pytest.fixture
def live(session, admin, cohort, groups):
    return participant(session, admin, cohort, "live", "Live Leser", "5822", groups[0].id)


@pytest.fixture
def per(session, admin, cohort, groups):
    return participant(session, admin, cohort, "per", "Petter Annen", "6933", groups[1].id)


@pytest.fixture
def frida(session, admin, cohort):
    return make_member(session, admin, cohort.id, "frida", name="Frida Fag", role=Role.FACILITATOR)


def write(session, who, fields) -> Document:
    document = journal.create_document(who, session=session, kind=NOTE)
    saved = journal.save_document(who, session=session, document_id=document.id, base_version=0, fields=fields)
    session.commit()
    return saved


def share(session, who, document_id, replacements=None):
    version = sharing.share_document(who, session=session, document_id=document_id, audience=Audience.GROUP,
                                     replacements=replacements)
    session.commit()
    return version


def listed(session, who) -> list[tuple[str, str]]:
    return [(row.name, row.replacement) for row in name_replacements.my_replacements(who, session=session)]


def docx_text(content: bytes) -> str:
    with docx2python(io.BytesIO(content)) as read:
        return read.text


def every_part(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        return "\n".join(package.read(name).decode("utf-8", "replace") for name in package.namelist())


# --- the list ----------------------------------------------------------------------------------------------------


def test_a_participant_adds_changes_and_removes_names(session, siri):
    assert listed(session, siri) == []
    kari = name_replacements.add_replacement(siri, session=session, name="  Kari ", replacement=" kollega   A ")
    name_replacements.add_replacement(siri, session=session, name="Ole  Martin", replacement="leder B")
    name_replacements.add_replacement(siri, session=session, name="Åse", replacement="tillitsvalgt C")
    session.commit()
    assert listed(session, siri) == [("Kari", "kollega A"), ("Ole Martin", "leder B"), ("Åse", "tillitsvalgt C")]

    # The same name again changes its replacement: one row per name.
    name_replacements.add_replacement(siri, session=session, name="Kari", replacement="kollega D")
    name_replacements.change_replacement(siri, session=session, replacement_id=kari.id, replacement="rådgiver E")
    session.commit()
    assert listed(session, siri)[0] == ("Kari", "rådgiver E")
    assert len(session.exec(select(NameReplacement).where(NameReplacement.owner_id == siri.id)).all()) == 3

    name_replacements.remove_replacement(siri, session=session, replacement_id=kari.id)
    session.commit()
    assert [name for name, _ in listed(session, siri)] == ["Ole Martin", "Åse"]


def test_a_name_and_a_replacement_are_required_and_not_too_long(session, siri):
    with pytest.raises(Invalid) as refused:
        name_replacements.add_replacement(siri, session=session, name="  ", replacement="")
    assert refused.value.errors == {"name": ("field.required", {}), "replacement": ("field.required", {})}
    with pytest.raises(Invalid) as refused:
        name_replacements.add_replacement(siri, session=session, name="K" * 121, replacement="r" * 121)
    assert refused.value.errors == {"name": ("field.too_long", {"max": 120}),
                                    "replacement": ("field.too_long", {"max": 120})}
    row = name_replacements.add_replacement(siri, session=session, name="Kari", replacement="kollega A")
    with pytest.raises(Invalid) as refused:
        name_replacements.change_replacement(siri, session=session, replacement_id=row.id, replacement=" ")
    assert refused.value.errors == {"replacement": ("field.required", {})}
    session.rollback()
    assert listed(session, siri) == []


# --- nobody else ---------------------------------------------------------------------------------------------------


OTHERS = ["same_group", "other_group", "facilitator", "admin", "inactive", "nobody"]


@pytest.mark.parametrize("who", OTHERS)
def test_nobody_else_reads_or_changes_a_participants_replacements(session, admin, cohort, groups, siri, live, per,
                                                                  frida, who):
    secret = "Hemmeligsen"
    row = name_replacements.add_replacement(siri, session=session, name=f"Kari {secret}", replacement="kollega A")
    session.commit()
    inactive = make_member(session, admin, cohort.id, "ivar", name="Ivar Inaktiv", group_id=groups[0].id)
    accounts.set_user_active(admin, session=session, user_id=inactive.id, active=False)
    session.commit()
    other = {"same_group": live, "other_group": per, "facilitator": frida, "admin": admin, "inactive": inactive,
             "nobody": None}[who]
    participant = who in ("same_group", "other_group")

    seen = []
    if participant:
        seen.append(name_replacements.my_replacements(other, session=session))
        assert seen[-1] == []  # their own list, which is empty; never Siri's
        found = name_replacements.check_names(other, session=session, texts=[f"Jeg møtte Kari {secret} i dag."])
        assert [(f.name, f.remembered) for f in found] == [(f"Kari {secret}", "")]
    else:
        with pytest.raises(NotAllowed):
            name_replacements.my_replacements(other, session=session)
        with pytest.raises(NotAllowed):
            name_replacements.check_names(other, session=session, texts=["Kari"])
    # Siri's row's id typed in, and ids around it: nothing found, nothing changed, nothing said about it.
    for typed in (row.id, row.id + 1, 0, -1, 10**20, str(row.id), None, float(row.id)):
        with pytest.raises((NotFound, NotAllowed)) as refused:
            name_replacements.change_replacement(other, session=session, replacement_id=typed, replacement="Avslørt")
        assert secret not in repr(refused.value) and secret not in repr(getattr(refused.value, "errors", ""))
        if participant:
            assert isinstance(refused.value, NotFound)
        with pytest.raises((NotFound, NotAllowed)):
            name_replacements.remove_replacement(other, session=session, replacement_id=typed)
        session.rollback()
    assert secret not in repr(seen)
    assert listed(session, siri) == [(f"Kari {secret}", "kollega A")]


def test_one_participants_list_does_not_change_what_another_shares(session, siri, live):
    name_replacements.add_replacement(siri, session=session, name="Kari", replacement="kollega A")
    session.commit()
    note = write(session, live, {"title": "Møtet", "description": WRITTEN})
    version = share(session, live, note.id)
    assert version.fields["description"] == WRITTEN
    assert listed(session, live) == []


# --- sharing -------------------------------------------------------------------------------------------------------


def test_what_is_chosen_when_sharing_is_remembered_and_filled_in_next_time(session, siri):
    first = write(session, siri, {"title": "Første", "description": "Kari og Ole Martin var der."})
    found = name_replacements.check_names(siri, session=session, texts=list(first.fields.values()))
    assert [(f.name, f.remembered) for f in found] == [("Kari", ""), ("Ole Martin", "")]
    version = share(session, siri, first.id, {"Kari": "kollega A", "Ole Martin": ""})
    assert version.fields["description"] == "Kollega A og Ole Martin var der."
    assert listed(session, siri) == [("Kari", "kollega A")]  # an empty choice is not remembered

    second = write(session, siri, {"title": "Andre", "description": WRITTEN})
    found = name_replacements.check_names(siri, session=session, texts=list(second.fields.values()))
    assert [(f.name, f.count, f.remembered) for f in found] == [("Kari", 2, "kollega A")]
    # Shared without choosing anything: the remembered replacement applies.
    assert share(session, siri, second.id).fields["description"] == (
        "Kollega A var stille i møtet. Jeg spurte kollega A om hvorfor.")
    # Chosen empty this time: the name stays in this share, and the list keeps it.
    third = write(session, siri, {"title": "Tredje", "description": "Kari kom."})
    assert share(session, siri, third.id, {"Kari": ""}).fields["description"] == "Kari kom."
    assert listed(session, siri) == [("Kari", "kollega A")]
    # Chosen otherwise: remembered so.
    fourth = write(session, siri, {"title": "Fjerde", "description": "Kari gikk."})
    assert share(session, siri, fourth.id, {"Kari": "leder B"}).fields["description"] == "Leder B gikk."
    assert listed(session, siri) == [("Kari", "leder B")]
    # The journal keeps every name.
    for document in (first, second, third, fourth):
        assert "Kari" in journal.get_document(siri, session=session, document_id=document.id).fields["description"]


def test_a_remembered_name_the_check_would_not_point_out_is_listed_and_replaced(session, siri):
    # "Hagerup" opens the sentence: the check alone takes it for an ordinary word.
    note = write(session, siri, {"title": "Møtet", "description": "Hagerup sa nei. Etterpå var det stille."})
    assert name_replacements.check_names(siri, session=session, texts=list(note.fields.values())) == []
    name_replacements.add_replacement(siri, session=session, name="Hagerup", replacement="leder B")
    session.commit()
    found = name_replacements.check_names(siri, session=session, texts=list(note.fields.values()))
    assert [(f.name, f.count, f.remembered) for f in found] == [("Hagerup", 1, "leder B")]
    assert share(session, siri, note.id).fields["description"] == "Leder B sa nei. Etterpå var det stille."


def test_a_replacement_too_long_to_keep_refuses_the_share(session, siri):
    note = write(session, siri, {"title": "Møtet", "description": WRITTEN})
    with pytest.raises(Invalid) as refused:
        sharing.share_document(siri, session=session, document_id=note.id, audience=Audience.GROUP,
                               replacements={"Kari": "x" * 121})
    assert refused.value.errors == {"replacements": ("field.too_long", {"max": 120})}


def test_the_family_names_of_the_authors_one_cites_are_not_names(session, cohort, siri, live, frida):
    literature.add_reference(siri, session=session, kind="book", data={
        "authors": [{"family": "Argyris", "given": "Chris"}, {"family": "Schön", "given": "Donald A."}],
        "year": "1974", "title": "Theory in practice", "publisher": "Jossey-Bass"})
    cited = literature.add_reference(frida, session=session, kind="book", reading_list_of=cohort.id, data={
        "authors": [{"family": "Bion", "given": "Wilfred R."}], "year": "1961", "title": "Experiences in groups",
        "publisher": "Tavistock"})
    literature.add_reference(frida, session=session, kind="book", reading_list_of=cohort.id, data={
        "authors": [{"family": "Hagerup", "given": "Hans"}], "year": "2001", "title": "Ikke sitert",
        "publisher": "Universitetsforlaget"})
    text = "Som Argyris og Schön viser, og som Bion skrev, sa Hagerup det samme til Kari."
    note = write(session, siri, {"title": "Teori", "description": text})
    literature.set_citations(siri, session=session, note_id=note.id, cited=[(cited.id, "")])
    session.commit()
    assert {f.name for f in name_replacements.check_names(siri, session=session, texts=[text])} == {"Hagerup", "Kari"}
    # Someone who cites none of them: all are names.
    assert {f.name for f in name_replacements.check_names(live, session=session, texts=[text])} == {
        "Argyris", "Schön", "Bion", "Hagerup", "Kari"}


# --- the exam drafts -------------------------------------------------------------------------------------------------


def tick_everything(session, who, draft):
    keys = [item.ref for item in exam.my_material(who, session=session, draft_id=draft.id)]
    exam.save_choices(who, session=session, draft_id=draft.id, choices=[(key, True) for key in keys])
    session.commit()


def test_the_group_draft_a_peer_downloads_has_the_owners_replacements_and_the_journal_keeps_kari(session, siri, live):
    note = write(session, siri, {"title": "Samtale med Kari", "description": WRITTEN})
    share(session, siri, note.id, {"Kari": "kollega A"})
    draft = exam.open_draft(siri, session=session, mode=exam.GROUP)
    exam.join_group_draft(siri, session=session, draft_id=draft.id)
    session.commit()
    tick_everything(session, siri, draft)

    # The peer, who has not even joined, downloads the group's draft.
    composition = exam.compose(live, session=session, draft_id=draft.id, today=TODAY)
    content = exam.render(composition).content
    text = docx_text(content)
    assert "Kollega A var stille i møtet. Jeg spurte kollega A om hvorfor." in text
    assert "Samtale med kollega A" in text
    assert "Kari" not in every_part(content)
    assert "Kari" not in repr(composition)  # nor in the outline, the titles, anything the page shows
    assert "Samtale med kollega A" in [entry.title for entry in composition.outline]
    # The owner's own view of the group draft is the same document.
    assert "Kari" not in every_part(exam.build_exam(siri, session=session, draft_id=draft.id, today=TODAY).content)
    # The journal keeps Kari: in the session, and in the database.
    assert not session.dirty and not session.new
    session.commit()
    session.expire_all()
    assert journal.get_document(siri, session=session, document_id=note.id).fields == {
        "title": "Samtale med Kari", "description": WRITTEN}


def test_each_contributor_brings_their_own_replacements_into_the_group_draft(session, siri, live):
    write(session, siri, {"title": "Siris notat", "description": "Kari sa nei."})
    write(session, live, {"title": "Lives notat", "description": "Kari sa ja."})
    name_replacements.add_replacement(siri, session=session, name="Kari", replacement="kollega A")
    name_replacements.add_replacement(live, session=session, name="Kari", replacement="rektor B")
    draft = exam.open_draft(siri, session=session, mode=exam.GROUP)
    for who in (siri, live):
        exam.join_group_draft(who, session=session, draft_id=draft.id)
        session.commit()
        tick_everything(session, who, draft)
    text = docx_text(exam.build_exam(live, session=session, draft_id=draft.id, today=TODAY).content)
    assert "Kollega A sa nei." in text and "Rektor B sa ja." in text and "Kari" not in text


def test_names_left_in_the_group_draft_are_the_ones_not_on_the_list(session, siri):
    write(session, siri, {"title": "Møtet", "description": "Kari og Hagerup var der. Som Bion skrev."})
    name_replacements.add_replacement(siri, session=session, name="Kari", replacement="kollega A")
    literature.add_reference(siri, session=session, kind="book", data={
        "authors": [{"family": "Bion", "given": "W. R."}], "year": "1961", "title": "Experiences in groups",
        "publisher": "Tavistock"})
    draft = exam.open_draft(siri, session=session, mode=exam.GROUP)
    exam.join_group_draft(siri, session=session, draft_id=draft.id)
    session.commit()
    tick_everything(session, siri, draft)
    assert exam.compose(siri, session=session, draft_id=draft.id, today=TODAY).possible_names == ["Hagerup"]


def test_ones_own_draft_offers_the_replacements_off_until_chosen(session, siri, live):
    note = write(session, siri, {"title": "Samtale med Kari", "description": WRITTEN})
    name_replacements.add_replacement(siri, session=session, name="Kari", replacement="kollega A")
    draft = exam.open_draft(siri, session=session)
    session.commit()
    assert draft.use_name_replacements is False
    composition = exam.compose(siri, session=session, draft_id=draft.id, today=TODAY)
    assert WRITTEN in docx_text(exam.render(composition).content)
    assert composition.possible_names == ["Kari"]

    exam.use_name_replacements(siri, session=session, draft_id=draft.id, use=True)
    session.commit()
    composition = exam.compose(siri, session=session, draft_id=draft.id, today=TODAY)
    content = exam.render(composition).content
    assert "Kollega A var stille i møtet." in docx_text(content) and "Kari" not in every_part(content)
    assert composition.possible_names == []
    assert journal.get_document(siri, session=session, document_id=note.id).fields["description"] == WRITTEN

    exam.use_name_replacements(siri, session=session, draft_id=draft.id, use=False)
    session.commit()
    assert WRITTEN in docx_text(exam.build_exam(siri, session=session, draft_id=draft.id, today=TODAY).content)
    # Someone else cannot switch it; a group draft has no switch (always on).
    with pytest.raises(NotFound):
        exam.use_name_replacements(live, session=session, draft_id=draft.id, use=True)
    group_draft = exam.open_draft(siri, session=session, mode=exam.GROUP)
    with pytest.raises(NotAllowed):
        exam.use_name_replacements(siri, session=session, draft_id=group_draft.id, use=False)
