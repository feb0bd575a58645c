"""The deployment files of docs/deploy/ and the README's "Several app servers" section say the same thing,
and what they set exists. tests/browser/test_behind_nginx.py runs those very files (nginx and the app
servers started as the unit starts them); these checks need neither."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from ledpro_journal import backups
from ledpro_journal.config import Settings
from tests.browser.deployment import ENV_FILE, NGINX_SITE, PROJECT_ROOT, UNIT, environment_file

README = PROJECT_ROOT / "README.md"


def deployment_section() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Several app servers\n")
    end = text.index("\n## ", start + 1)
    return text[start:end]


def fenced_blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.DOTALL | re.MULTILINE)


@pytest.mark.parametrize(("language", "path"), [("nginx", NGINX_SITE), ("ini", UNIT), ("sh", ENV_FILE)],
                         ids=["nginx", "systemd unit", "environment file"])
def test_the_readme_shows_each_deployment_file_as_it_is(language, path):
    assert path.read_text(encoding="utf-8") in fenced_blocks(deployment_section(), language)


def test_the_environment_file_sets_only_settings_that_exist():
    settings = environment_file()
    fields = {f"LEDPRO_{name.upper()}" for name in Settings.model_fields}
    unknown = {key for key in settings if key.startswith("LEDPRO_")} - fields
    assert not unknown
    assert set(settings) - fields == {"FORWARDED_ALLOW_IPS"}  # read by uvicorn, under Streamlit
    Settings(**{key.removeprefix("LEDPRO_").lower(): value for key, value in settings.items() if key in fields})


def test_nginx_takes_every_upload_streamlit_takes():
    streamlit_mb = tomllib.loads((PROJECT_ROOT / ".streamlit" / "config.toml").read_text())["server"]["maxUploadSize"]
    nginx_mb = int(re.search(r"^\s*client_max_body_size (\d+)m;$", NGINX_SITE.read_text(), re.MULTILINE).group(1))
    assert nginx_mb > streamlit_mb  # a multipart form's own bytes come on top of the file


def test_systemd_finds_nothing_wrong_in_the_unit(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is missing")
    # With this checkout in place of /opt/ledpro-journal, so that the paths it names exist.
    unit = tmp_path / UNIT.name
    unit.write_text(
        UNIT.read_text(encoding="utf-8")
        .replace("/opt/ledpro-journal", str(PROJECT_ROOT))
        .replace("/etc/ledpro-journal/ledpro-journal.env", str(ENV_FILE)),
        encoding="utf-8",
    )
    result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_the_readmes_pg_dump_and_pg_restore_lines_are_what_the_backup_command_prints():
    """The README's PostgreSQL backup lines have exactly the form of backups.postgresql_commands (what
    `backup` and `restore` print), for the README's own URL and file names: no option forgotten or added."""
    text = README.read_text(encoding="utf-8")
    lines = [line for block in fenced_blocks(text, "sh") for line in block.splitlines()
             if line.startswith(("pg_dump ", "pg_restore "))]
    [dump_line] = [line for line in lines if line.startswith("pg_dump ")]
    [restore_line] = [line for line in lines if line.startswith("pg_restore ")]
    url = dump_line.rsplit(" ", 1)[1]
    placeholder = "BACKUPFILE"
    dump, restore = backups.postgresql_commands(url, Path(placeholder))

    def form(command: str) -> re.Pattern:
        # The file: a dated name, or the shell's $(date +%F) that makes one.
        return re.compile(re.escape(command).replace(placeholder, r"ledpro-(?:\$\(date \+%F\)|\d{4}-\d\d-\d\d)\.dump"))

    assert form(dump).fullmatch(dump_line), (dump_line, dump)
    assert form(restore).fullmatch(restore_line), (restore_line, restore)
    # ... and the migrate line after it is for that same database.
    assert f"LEDPRO_DATABASE_URL={url} .venv/bin/python -m ledpro_journal migrate" in text
