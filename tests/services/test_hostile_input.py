"""Hostile text through every service that takes text from a user, on SQLite and PostgreSQL: each corpus
entry is either stored and read back exactly as the service's own rule says (free text: unchanged; a name:
one line, its whitespace collapsed; a reference: one line without control characters), or refused with
Invalid and a catalogue key. Never any other exception, which a user would meet as an error page."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session

from ledpro_journal import db
from ledpro_journal.models import Audience, DocumentKind, Role
from ledpro_journal.references.model import one_line as reference_line
from ledpro_journal.services import (
    accounts,
    exam,
    journal,
    literature,
    name_replacements,
    plain_text,
    programme,
    sharing,
)
from ledpro_journal.services.errors import Invalid
from ledpro_journal.templates import TEMPLATES
from tests.catalogues import every_language
from tests.helpers import PASSWORD, make_admin, make_cohort, make_member
from tests.hostile_text import EVERY_CHARACTER, HOSTILE

# Characters no plain text column can hold (PostgreSQL refuses NUL; UTF-8 cannot encode a lone surrogate).
UNSTORABLE = {"\x00"} | {chr(code) for code in range(0xD800, 0xE000)}


def one_line(text: str) -> str:
    """What a name or label is stored as: one line, whitespace collapsed (its documented rule)."""
    return " ".join(text.split())


def attempt(session: Session, store: Callable[[], object]) -> tuple[str, object]:
    """("stored", result) or ("refused", errors); anything else raises and fails the test. A savepoint per
    attempt keeps one refusal (or a database error) from spoiling the next attempt on PostgreSQL."""
    try:
        with session.begin_nested():
            result = store()
    except Invalid as refused:
        for key, _params in refused.errors.values():
            assert all(key in catalogue for catalogue in every_language().values()), key
        return "refused", refused.errors
    session.expire_all()
    return "stored", result


def check_corpus(session, store, read_back, expected=lambda text: text, refusable=None, corpus=HOSTILE,
                 ) -> dict[str, object]:
    """Runs every corpus entry through `store`; a stored one must read back as `expected(text)`, a refused
    one must be one `refusable(text)` allows. Returns each entry's outcome for the assertions that follow."""
    outcomes, failures = {}, []
    for name, text in corpus.items():
        try:
            outcome, result = attempt(session, lambda text=text: store(text))
            if outcome == "stored":
                got = read_back(result)
                if got != expected(text):
                    failures.append(f"{name}: stored {repr(got)[:150]}, expected {repr(expected(text))[:150]}")
            elif refusable is None or not refusable(text):
                failures.append(f"{name}: refused {repr(result)[:200]}")
            outcomes[name] = (outcome, result)
        except Exception as error:  # noqa: BLE001 - every unexpected exception is what this test looks for
            failures.append(f"{name}: {type(error).__name__}: {str(error)[:200]}")
    assert not failures, "\n".join(failures)
    return outcomes


SHORT = {name: text for name, text in HOSTILE.items() if len(text) < 10_000}


def unstorable(text: str) -> bool:
    return any(ch in UNSTORABLE for ch in text)


def refused_key(outcomes, name) -> str | None:
    outcome, result = outcomes[name]
    return next(iter(result.values()))[0] if outcome == "refused" else None


# --- people -------------------------------------------------------------------------------------------------


def people(session):
    """An administrator, a cohort with one group of two participants (Kari and Ola), and a facilitator."""
    admin = make_admin(session)
    cohort = make_cohort(session, admin)
    group = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 1")
    session.commit()
    kari = make_member(session, admin, cohort.id, "kari", group_id=group.id)
    ola = make_member(session, admin, cohort.id, "ola", group_id=group.id)
    fac = make_member(session, admin, cohort.id, "fagrid", role=Role.FACILITATOR)
    return admin, cohort, group, kari, ola, fac


@pytest.fixture
def world(session):
    return people(session)


# --- free text: kept exactly ------------------------------------------------------------------------------------


def test_every_journal_field_of_every_kind_keeps_hostile_text(session, world):
    _admin, _cohort, _group, kari, _ola, _fac = world
    challenge = journal.my_challenge(kari, session=session)
    action = journal.create_document(kari, session=session, kind=DocumentKind.ACTION)
    session.commit()
    log = journal.create_document(kari, session=session, kind=DocumentKind.LOG, parent_id=action.id)
    note = journal.create_document(kari, session=session, kind=DocumentKind.NOTE)
    session.commit()
    documents = {DocumentKind.CHALLENGE: challenge.id, DocumentKind.ACTION: action.id,
                 DocumentKind.LOG: log.id, DocumentKind.NOTE: note.id}
    for template in TEMPLATES.values():
        document_id = documents[template.kind]

        def store(text, template=template, document_id=document_id):
            current = journal.get_document(kari, session=session, document_id=document_id)
            fields = dict.fromkeys(template.all_fields, text)
            return journal.save_document(kari, session=session, document_id=document_id,
                                         base_version=current.version, template=template.code, fields=fields).id

        def read_back(document_id, template=template):
            fields = journal.get_document(kari, session=session, document_id=document_id).fields
            return {key: fields.get(key, "") for key in template.all_fields}

        # The 200,000-character texts once (the note), every other entry in every template.
        corpus = HOSTILE if template.code == "G" else SHORT
        check_corpus(session, store, read_back, expected=lambda text, t=template: dict.fromkeys(t.all_fields, text),
                     corpus=corpus)
        session.commit()


def test_comments_keep_hostile_text_and_an_edit_too(session, world):
    _admin, _cohort, _group, kari, ola, _fac = world
    action = journal.create_document(kari, session=session, kind=DocumentKind.ACTION)
    journal.save_document(kari, session=session, document_id=action.id, base_version=0, fields={"title": "Aksjon"})
    version = sharing.share_document(kari, session=session, document_id=action.id, audience=Audience.GROUP)
    session.commit()

    def comments_seen_by_kari():
        view = sharing.read_share(kari, session=session, share_id=version.share_id, mark_seen=False)
        return {c.id: c.text for c in view.comments}

    outcomes = check_corpus(
        session,
        lambda text: sharing.add_comment(ola, session=session, shared_version_id=version.id, text=text).id,
        lambda comment_id: comments_seen_by_kari()[comment_id],
        refusable=lambda text: not text.strip() or len(text) > sharing.MAX_COMMENT_LENGTH,
    )
    assert refused_key(outcomes, "only_whitespace") == "field.required"
    assert outcomes["lone_surrogate_high"][0] == outcomes["control_chars"][0] == "stored"
    first = outcomes["ampersand"][1]
    check_corpus(
        session,
        lambda text: sharing.edit_comment(ola, session=session, comment_id=first, text=text).id,
        lambda comment_id: comments_seen_by_kari()[comment_id],
        refusable=lambda text: not text.strip() or len(text) > sharing.MAX_COMMENT_LENGTH,
    )


def test_exam_title_and_problem_statement_keep_hostile_text(session, world):
    kari = world[3]
    draft = exam.open_draft(kari, session=session)
    session.commit()

    def store(text):
        return exam.update_settings(kari, session=session, draft_id=draft.id, title=text, problem_statement=text,
                                    include_prompts=True, word_limit=None).id

    def read_back(draft_id):
        row = exam.open_draft(kari, session=session)
        assert row.id == draft_id
        return (row.title, row.problem_statement)

    # Leading and trailing whitespace is trimmed, as the exam page says; nothing else changes.
    outcomes = check_corpus(session, store, read_back, expected=lambda text: (text.strip(), text.strip()),
                            refusable=lambda text: len(text) > exam.MAX_TITLE_LENGTH)
    assert outcomes["lone_surrogate_high"][0] == "stored"


# --- names and labels: one line, or refused ----------------------------------------------------------------------


def _names_refusable(limit):
    return lambda text: unstorable(text) or not one_line(text) or len(one_line(text)) > limit


def _assert_name_refusals(outcomes, *, long_key="field.too_long"):
    assert refused_key(outcomes, "lone_surrogate_high") == "field.invalid_characters"
    assert refused_key(outcomes, "nul_only") == "field.invalid_characters"
    assert refused_key(outcomes, "control_chars") == "field.invalid_characters"
    assert refused_key(outcomes, "long_line") == long_key
    assert refused_key(outcomes, "only_whitespace") == "field.required"
    for name in ("script_tag", "markdown_image", "javascript_url", "rtl_override_name", "sql_union", "emoji"):
        assert outcomes[name][0] == "stored", name


def test_cohort_names_institutions_and_places(session, world):
    admin = world[0]
    def store(text):
        return programme.create_cohort(admin, session=session, name=text, institution=text, place=text).id

    def read_back(cohort_id):
        cohort = next(c for c in programme.list_cohorts(admin, session=session) if c.id == cohort_id)
        return cohort.name, cohort.institution, cohort.place

    outcomes = check_corpus(session, store, read_back, expected=lambda text: (one_line(text),) * 3,
                            refusable=_names_refusable(120))
    _assert_name_refusals(outcomes)


def test_group_and_theme_names(session, world):
    admin, cohort, group = world[0], world[1], world[2]

    def group_name(group_id):
        return next(g.name for g in programme.list_groups(admin, session=session, cohort_id=cohort.id)
                    if g.id == group_id)

    check_corpus(
        session, lambda text: programme.rename_group(admin, session=session, group_id=group.id, name=text).id,
        group_name, expected=one_line, refusable=_names_refusable(120),
    )
    programme.rename_group(admin, session=session, group_id=group.id, name="Gruppe 1")
    outcomes = check_corpus(
        session, lambda text: programme.create_group(admin, session=session, cohort_id=cohort.id, name=text).id,
        group_name, expected=one_line, refusable=_names_refusable(120),
    )
    _assert_name_refusals(outcomes)
    outcomes = check_corpus(
        session, lambda text: programme.add_theme(admin, session=session, cohort_id=cohort.id, name=text).id,
        lambda theme_id: next(t.name for t in programme.list_themes(admin, session=session, cohort_id=cohort.id)
                              if t.id == theme_id),
        expected=one_line, refusable=_names_refusable(200),
    )
    _assert_name_refusals(outcomes)


def test_display_names_at_registration_and_in_the_profile(session, world):
    admin, cohort, _group, kari = world[:4]
    counter = iter(range(10_000))

    def register(text):
        invite = programme.create_invite(admin, session=session, cohort_id=cohort.id, role=Role.PARTICIPANT)
        return accounts.register_with_invite(
            session, invite_code=invite.code, username=f"deltaker{next(counter)}", display_name=text,
            password=PASSWORD, password_repeat=PASSWORD).id

    def display_name(user_id):
        return next(row.display_name for row in accounts.list_users(admin, session=session) if row.id == user_id)

    outcomes = check_corpus(session, register, display_name, expected=one_line, refusable=_names_refusable(120))
    _assert_name_refusals(outcomes)
    outcomes = check_corpus(
        session,
        lambda text: accounts.update_profile(kari, session=session, display_name=text, candidate_number="",
                                             language="nb").id,
        display_name, expected=one_line, refusable=_names_refusable(120),
    )
    _assert_name_refusals(outcomes)


def test_name_replacements(session, world):
    kari = world[3]

    def store(text):
        return name_replacements.add_replacement(kari, session=session, name=text, replacement=text).id

    def read_back(row_id):
        row = next(r for r in name_replacements.my_replacements(kari, session=session) if r.id == row_id)
        return row.name, row.replacement

    outcomes = check_corpus(session, store, read_back, expected=lambda text: (one_line(text), one_line(text)),
                            refusable=_names_refusable(120))
    _assert_name_refusals(outcomes)


def test_a_name_with_norwegian_letters_taken_twice_is_refused_not_an_error(session, world):
    """SQLite's lower() does not lower Æ, Ø and Å: the check must still find the clash before the unique key."""
    admin, cohort, group = world[:3]
    programme.rename_group(admin, session=session, group_id=group.id, name="Ærlige Øyvinds gruppe")
    other = programme.create_group(admin, session=session, cohort_id=cohort.id, name="Gruppe 2")
    for attempt_to_clash in (
        lambda: programme.create_group(admin, session=session, cohort_id=cohort.id, name="Ærlige Øyvinds gruppe"),
        lambda: programme.rename_group(admin, session=session, group_id=other.id, name="Ærlige Øyvinds gruppe"),
    ):
        with pytest.raises(Invalid) as refused:
            attempt_to_clash()
        assert refused.value.errors == {"name": ("group.name_taken", {})}
    programme.add_theme(admin, session=session, cohort_id=cohort.id, name="Åpenhet")
    with pytest.raises(Invalid) as refused:
        programme.add_theme(admin, session=session, cohort_id=cohort.id, name="Åpenhet")
    assert refused.value.errors == {"name": ("theme.name_taken", {})}
    programme.create_cohort(admin, session=session, name="Østlandet 2025")
    with pytest.raises(Invalid) as refused:
        programme.create_cohort(admin, session=session, name="Østlandet 2025")
    assert refused.value.errors == {"name": ("cohort.name_taken", {})}


# --- references: one line, or refused ----------------------------------------------------------------------------


def test_references_added_by_hand(session, world):
    kari = world[3]

    def store(text):
        data = {"title": text, "authors": [{"family": text, "given": "Kari"}], "year": "2020", "publisher": text}
        return literature.add_reference(kari, session=session, kind="book", data=data).id

    def read_back(reference_id):
        data = literature.get_reference(kari, session=session, reference_id=reference_id).data
        return data["title"], data["authors"][0]["family"], data["publisher"]

    def expected(text):
        cleaned = reference_line(text)
        return cleaned, cleaned, cleaned

    outcomes = check_corpus(session, store, read_back, expected=expected,
                            refusable=lambda text: unstorable(text) or not reference_line(text)
                            or len(text) > 2000)
    assert refused_key(outcomes, "lone_surrogate_high") == "field.invalid_characters"
    assert outcomes["script_tag"][0] == outcomes["control_chars"][0] == "stored"
    # A title that cannot be stored leaves the library as it was, and the next reference goes in.
    titles = [r.data["title"] for r in literature.library(kari, session=session).own]
    assert not any("\ud800" in title for title in titles)


def _ris(text: str) -> bytes:
    value = text.replace("\r", " ").replace("\n", " ")
    return f"TY  - BOOK\nAU  - {value}, Kari\nTI  - {value}\nPY  - 2020\nPB  - {value}\nER  - \n".encode(
        "utf-8", "surrogatepass")


def _bibtex(text: str) -> bytes:
    value = text.replace("{", "(").replace("}", ")").replace("\r", " ").replace("\n", " ")
    return (f"@book{{k, author = {{{value} and Nordmann, Kari}}, title = {{{value}}}, year = {{2020}},"
            f" publisher = {{{value}}}}}\n").encode("utf-8", "surrogatepass")


@pytest.mark.parametrize(("filename", "make"), [("liste.ris", _ris), ("liste.bib", _bibtex)])
def test_references_imported_from_ris_and_bibtex(session, world, filename, make):
    kari = world[3]
    failures = []
    for name, text in HOSTILE.items():
        try:
            with session.begin_nested():
                summary = literature.import_references(kari, session=session, filename=filename, content=make(text))
            assert summary.added + summary.duplicates + len(summary.skipped) == 1, (name, summary)
        except Invalid as refused:
            assert all(key in every_language()["en"] for key, _ in refused.errors.values())
        except Exception as error:  # noqa: BLE001 - every unexpected exception is what this test looks for
            failures.append(f"{name}: {type(error).__name__}: {str(error)[:200]}")
    assert not failures, "\n".join(failures)
    for reference in literature.library(kari, session=session).own:
        assert not plain_text.has_control_or_surrogate(reference.data["title"] + reference.sort_key)


# --- any text at all -------------------------------------------------------------------------------------------


@pytest.fixture
def hypothesis_engine(database_url):
    engine = db.create_engine_for(database_url)
    db.migrate(engine)
    yield engine
    engine.dispose()


def test_any_characters_in_a_note_and_a_comment_come_back_exactly(hypothesis_engine):
    with Session(hypothesis_engine, expire_on_commit=False) as session:
        _admin, _cohort, _group, kari, ola, _fac = people(session)
        action = journal.create_document(kari, session=session, kind=DocumentKind.ACTION)
        journal.save_document(kari, session=session, document_id=action.id, base_version=0, fields={"title": "A"})
        version = sharing.share_document(kari, session=session, document_id=action.id, audience=Audience.GROUP)
        session.commit()

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow])
    @given(text=EVERY_CHARACTER, field=st.sampled_from(["title", "description", "analysis", "free_text"]))
    def roundtrip(text, field):
        with Session(hypothesis_engine, expire_on_commit=False) as session:
            note = journal.create_document(kari, session=session, kind=DocumentKind.NOTE)
            journal.save_document(kari, session=session, document_id=note.id, base_version=0, fields={field: text})
            comment = None
            if text.strip():
                comment = sharing.add_comment(ola, session=session, shared_version_id=version.id, text=text).id
            session.commit()
        with Session(hypothesis_engine) as session:
            document = journal.get_document(kari, session=session, document_id=note.id)
            assert document.fields == ({field: text} if text else {})
            assert all(ch.isprintable() for ch in document.title + document.excerpt + document.search_text)
            if comment is not None:
                view = sharing.read_share(kari, session=session, share_id=version.share_id, mark_seen=False)
                assert {c.id: c.text for c in view.comments}[comment] == text

    roundtrip()
