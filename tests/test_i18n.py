"""The catalogues and the one registry of languages: every word a user sees exists in every language, with the
same placeholders and plural forms; every key is used; no code outside the registry names a language."""

from __future__ import annotations

import ast
import re
import string
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from ledpro_journal.i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    LOCALES_DIR,
    format_date,
    format_date_range,
    format_datetime,
    language_from_header,
    t,
)
from ledpro_journal.services import audit
from tests.catalogues import entries, every_language

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "streamlit_app.py", ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ledpro_journal/**/*.py")]
CODE = "\n".join(source.read_text(encoding="utf-8") for source in SOURCES)
# Any string literal shaped like a catalogue key ("home.title"); the few that are not keys are listed.
KEY_SHAPED = re.compile(r"""["']([a-z_][a-z_0-9]*(?:\.[a-z_0-9]+)+)["']""")
NOT_KEYS = {
    "ledpro.db", "ledpro_journal.ui", "users.id", "cohorts.id", "themes.id", "reflection_groups.id", "documents.id",
    "gatherings.id", "shares.id", "shared_versions.id", "exam_drafts.id", "literature_references.id",
    "mal.docx", "n.d", "favicon.svg", "http.response.start", "messages.po", "oidc_logins.id", "user_identities.id",
}
# The audit trail's event kinds ("share.created") are stored names; their words are audit.mine.* and audit.kind.*
# (tests/services/test_audit.py checks that every kind has them).
NOT_KEYS |= set(audit.KINDS)
# Keys the code builds from a prefix and a value: f"journal.status.{status}" makes every journal.status.* used.
BUILT_FROM_A_PREFIX = set(re.findall(r"""f["']([a-z_0-9]+(?:\.[a-z_0-9]+)*)\.\{""", CODE))
# Keys built with the variable part first: f"{page}.title" (web/auth.py), f"{chapter.key}.prompt"
# (exam_document.py), f"{'overview' if short else 'journal'}.period.{name}" (ui/overview.py).
BUILT_OTHERWISE = {
    *(f"{page}.{part}" for page in ("setup", "register") for part in ("title", "lead", "button")),
    *(f"exam.ch{number}.prompt" for number in range(1, 7)),
    *(f"overview.period.{name}" for name in ("before", "between", "after_last")),
}
BASE = entries(DEFAULT_LANGUAGE)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def plural(text: str | tuple[str, ...]) -> str:
    return text[-1] if isinstance(text, tuple) else text


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_language_has_every_key_and_no_other(lang):
    catalogue = entries(lang)
    assert sorted(set(BASE) - set(catalogue)) == [], f"missing in {lang}"
    assert sorted(set(catalogue) - set(BASE)) == [], f"only in {lang}"


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != DEFAULT_LANGUAGE])
def test_every_entry_takes_the_same_placeholders_and_has_the_same_plural_shape(lang):
    catalogue = entries(lang)
    wrong = []
    for key, base in BASE.items():
        theirs = catalogue.get(key)
        if theirs is None or isinstance(theirs, tuple) != isinstance(base, tuple):
            wrong.append((key, "plural shape"))
        elif placeholders(plural(theirs)) != placeholders(plural(base)):
            wrong.append((key, placeholders(plural(base)) ^ placeholders(plural(theirs))))
        elif isinstance(theirs, tuple) and not placeholders(theirs[0]) <= placeholders(base[-1]):
            wrong.append((key, "singular"))
    assert wrong == []


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_catalogue_is_complete_compiles_and_says_its_plural_rule(lang):
    with open(LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as po:
        catalog = read_po(po)
    assert catalog.num_plurals == 2 and catalog.plural_expr == "(n != 1)"
    assert [m.id for m in catalog if m.id and (m.fuzzy or not all(m.string if isinstance(m.string, tuple)
                                                                    else [m.string]))] == []
    assert [(m.id, errors) for m, errors in catalog.check() if errors] == []


def test_plural_entries_count_with_count():
    for key, base in BASE.items():
        if isinstance(base, tuple):
            assert all("{count}" in form or form == base[0] for form in base[1:]), key


def test_plurals_follow_the_number():
    assert t("share.comment_count", "nb", count=1) == "1 kommentar"
    assert t("share.comment_count", "nb", count=2) == "2 kommentarer"
    assert t("share.comment_count", "nn", count=1) == "1 kommentar"
    assert t("share.comment_count", "nn", count=2) == "2 kommentarar"
    assert t("share.comment_count", "en", count=0) == "0 comments"
    assert t("journal.log_count", "en", count=1) == "1 log entry"
    # The number is written the language's way.
    assert t("journal.words", "nb", count=12345) == "12\u00a0345 ord"
    assert t("journal.words", "en", count=12345) == "12,345 words"


def test_every_key_the_code_names_is_in_the_catalogue():
    named = {key for key in KEY_SHAPED.findall(CODE) if not key.endswith(".py")}
    assert sorted(named - NOT_KEYS - set(BASE)) == []


def test_no_key_in_the_catalogue_is_unused():
    named = set(KEY_SHAPED.findall(CODE))
    unused = [
        key for key in BASE
        if key not in named and key not in BUILT_OTHERWISE
        and not any(key.startswith(prefix + ".") for prefix in BUILT_FROM_A_PREFIX)
    ]
    assert unused == []


def test_keys_built_from_values_are_in_the_catalogue():
    for prefix, values in {
        "role": ["admin", "facilitator", "participant"],
        "invite.status": ["active", "revoked", "expired", "used_up"],
        "journal.status": ["planned", "in_progress", "done", "dropped"],
        "journal.kind": ["challenge", "action", "log", "note"],
        "journal.filter": ["notes", "actions", "logs", "all"],
        "share.status": ["group", "facilitators"],
        "share.audience": ["group", "facilitators"],
        "share.button": ["group", "facilitators"],
        "start.challenge": ["title", "text", "button"],
        "start.action": ["title", "text", "button"],
        "start.log": ["title", "text", "button"],
        "start.note": ["title", "text", "button"],
    }.items():
        for value in values:
            for catalogue in every_language().values():
                assert f"{prefix}.{value}" in catalogue


def _language_codes_outside_the_registry() -> list[tuple[str, int, str]]:
    codes = set()
    for entry in LANGUAGES.values():
        codes |= {entry.code, entry.babel_locale, entry.tag, entry.csl_locale}
    found = []
    for source in SOURCES:
        if source == ROOT / "ledpro_journal" / "i18n" / "__init__.py":
            continue
        tree = ast.parse(source.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in codes and id(node) not in docstrings:
                found.append((str(source.relative_to(ROOT)), node.lineno, node.value))
    return found


def test_no_code_outside_the_registry_names_a_language():
    assert _language_codes_outside_the_registry() == []


def test_bokmaal_is_the_default_and_an_unknown_language_falls_back_to_it():
    assert t("auth.signin_title") == "Logg inn"
    assert t("auth.signin_title", "nn") == "Logg inn"
    assert t("auth.signin_title", "en") == "Sign in"
    assert t("auth.signin_title", "xx") == "Logg inn"


def test_a_missing_key_shows_the_key_rather_than_failing():
    assert t("no.such.key") == "no.such.key"


@pytest.mark.parametrize(("header", "expected"), [
    ("nn-NO,nn;q=0.9,nb;q=0.8,en;q=0.5", "nn"),
    ("en-GB,en;q=0.9", "en"),
    ("de-DE,de;q=0.9,en;q=0.5", "en"),
    ("no,en;q=0.5", "nb"),
    ("nb;q=0.4,nn;q=0.8", "nn"),
    ("", "nb"),
    ("fr;q=x", "nb"),
])
def test_the_browsers_language_is_offered_on_the_sign_in_page(header, expected):
    assert language_from_header(header) == expected


def test_dates_are_written_the_norwegian_way():
    assert format_date(date(2024, 2, 15), "nb", style="short") == "15.02.2024"
    assert format_date_range(date(2024, 2, 15), date(2024, 2, 16), "nb") == "15.–16. februar 2024"
    assert format_date_range(date(2024, 2, 15), date(2024, 2, 16), "nn") == "15.–16. februar 2024"
    assert format_date_range(date(2024, 2, 15), date(2024, 2, 16), "en") == "15–16 February 2024"
    assert "29. februar 2024" in format_date_range(date(2024, 2, 29), date(2024, 3, 1), "nb")
    assert format_date(date(2024, 5, 17), "nn", style="full") == "fredag 17. mai 2024"


def test_times_are_shown_in_oslo_time():
    # 23:30 UTC on 31 January is 00:30 on 1 February in Oslo (winter time, UTC+1).
    assert format_datetime(datetime(2024, 1, 31, 23, 30, tzinfo=UTC), "nb") == "01.02.2024, 00:30"
    # Summer time is UTC+2.
    assert format_datetime(datetime(2024, 6, 20, 8, 0, tzinfo=UTC), "nb") == "20.06.2024, 10:00"


def test_every_template_has_its_name_and_every_field_its_label_in_every_language():
    from ledpro_journal.templates import TEMPLATES, label_key

    for code, template in TEMPLATES.items():
        for catalogue in every_language().values():
            assert f"tpl.{code}.name" in catalogue
            for field in template.all_fields:
                assert label_key(code, field) in catalogue, (code, field)
