"""The catalogue: every word a user sees exists in bokmål and English, with the same placeholders."""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from ledpro_journal.i18n import CATALOGUES, en, format_date, format_date_range, format_datetime, nb, t
from ledpro_journal.services import audit

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "streamlit_app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ledpro_journal/**/*.py")]
# Any string literal shaped like a catalogue key ("home.title"); the few that are not keys are listed.
KEY_SHAPED = re.compile(r"""["']([a-z_]+(?:\.[a-z_]+)+)["']""")
NOT_KEYS = {
    "ledpro.db", "ledpro_journal.ui", "users.id", "cohorts.id", "themes.id", "reflection_groups.id", "documents.id",
    "gatherings.id", "shares.id", "shared_versions.id", "exam_drafts.id", "literature_references.id",
    "mal.docx", "n.d", "favicon.svg", "http.response.start",
}
# The audit trail's event kinds ("share.created") are stored names; their words are audit.mine.* and audit.kind.*
# (tests/services/test_audit.py checks that every kind has them).
NOT_KEYS |= set(audit.KINDS)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_both_languages_have_the_same_keys():
    assert set(nb.MESSAGES) - set(en.MESSAGES) == set(), "missing in English"
    assert set(en.MESSAGES) - set(nb.MESSAGES) == set(), "missing in bokmål"


@pytest.mark.parametrize("key", sorted(nb.MESSAGES))
def test_both_languages_take_the_same_placeholders(key):
    assert placeholders(nb.MESSAGES[key]) == placeholders(en.MESSAGES[key])


def test_every_key_the_code_names_is_in_the_catalogue():
    named = set()
    for source in SOURCES:
        named |= {key for key in KEY_SHAPED.findall(source.read_text(encoding="utf-8")) if not key.endswith(".py")}
    missing = sorted(named - NOT_KEYS - set(nb.MESSAGES))
    assert missing == []


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
            for catalogue in CATALOGUES.values():
                assert f"{prefix}.{value}" in catalogue


def test_bokmaal_is_the_default_and_an_unknown_language_falls_back_to_it():
    assert t("auth.signin_title") == "Logg inn"
    assert t("auth.signin_title", "en") == "Sign in"
    assert t("auth.signin_title", "xx") == "Logg inn"


def test_a_missing_key_shows_the_key_rather_than_failing():
    assert t("no.such.key") == "no.such.key"


def test_dates_are_written_the_norwegian_way():
    assert format_date(date(2024, 2, 15), "nb", style="short") == "15.02.2024"
    assert format_date_range(date(2024, 2, 15), date(2024, 2, 16), "nb") == "15.–16. februar 2024"
    assert format_date_range(date(2024, 2, 15), date(2024, 2, 16), "en") == "15–16 February 2024"
    assert "29. februar 2024" in format_date_range(date(2024, 2, 29), date(2024, 3, 1), "nb")


def test_times_are_shown_in_oslo_time():
    # 23:30 UTC on 31 January is 00:30 on 1 February in Oslo (winter time, UTC+1).
    assert format_datetime(datetime(2024, 1, 31, 23, 30, tzinfo=UTC), "nb") == "01.02.2024, 00:30"
    # Summer time is UTC+2.
    assert format_datetime(datetime(2024, 6, 20, 8, 0, tzinfo=UTC), "nb") == "20.06.2024, 10:00"


def test_every_template_has_its_name_and_every_field_its_label_in_both_languages():
    from ledpro_journal.templates import TEMPLATES, label_key

    for code, template in TEMPLATES.items():
        for catalogue in CATALOGUES.values():
            assert f"tpl.{code}.name" in catalogue
            for field in template.all_fields:
                assert label_key(code, field) in catalogue, (code, field)
