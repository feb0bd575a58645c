"""An operator's command against a database it cannot reach (issue 10): one line saying which database and
why, in the catalogue's words, and exit status 3; never a traceback, never the password."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.conftest import POSTGRES_ADMIN_URL


def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def run_migrate(url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LEDPRO_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "ledpro_journal", "migrate"], capture_output=True, text=True,
                          env=env, timeout=60)


@pytest.mark.parametrize("url, says", [
    (f"postgresql://ledpro:hemmelig@127.0.0.1:{closed_port()}/ledpro", "Connection refused"),
    (POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/ingen_slik_database", "ingen_slik_database"),
    ("mysql://ledpro@127.0.0.1/ledpro", "MySQLdb"),
    ("ikke en adresse", "Could not parse"),
], ids=["server down", "no such database", "driver not installed", "not an address"])
def test_an_unreachable_database_is_one_line_and_exit_status_3(url, says):
    result = run_migrate(url)

    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Kommer ikke fram til databasen") and says in lines[0]
    assert "Traceback" not in result.stderr and "hemmelig" not in result.stderr


def test_the_app_server_started_without_its_database_says_why_in_one_line_and_stops():
    env = {**os.environ, "LEDPRO_DATABASE_URL": f"postgresql://ledpro:hemmelig@127.0.0.1:{closed_port()}/ledpro"}
    result = subprocess.run(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(closed_port()),
         "--server.headless", "true"],
        capture_output=True, text=True, env=env, timeout=120,
    )

    output = result.stdout + result.stderr
    assert result.returncode == 3
    assert "Traceback" not in output and "hemmelig" not in output
    said = [line for line in output.splitlines() if "Kommer ikke fram til databasen" in line]
    assert len(said) == 1 and "Connection refused" in said[0]
