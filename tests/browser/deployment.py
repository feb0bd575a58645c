"""The deployment of the README's "Several app servers" section, run for real: app servers started by the
systemd unit's ExecStart with its environment file's settings, and Debian's nginx with the site file of
docs/deploy/, both with only addresses, ports, names and paths replaced. So the documents cannot drift
from what the tests prove."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser.conftest import IN_CI, PROJECT_ROOT, START_TIMEOUT, AppServer, free_port

DEPLOY = PROJECT_ROOT / "docs" / "deploy"
NGINX_SITE = DEPLOY / "ledpro-journal.nginx.conf"
UNIT = DEPLOY / "ledpro-journal.service"
ENV_FILE = DEPLOY / "ledpro-journal.env"
INSTALL_DIR = "/opt/ledpro-journal"
NAME = "ledpro.test"  # a reserved test name; Chromium maps it to 127.0.0.1 (--host-resolver-rules)
EXAMPLE_NAME = "ledpro.example.no"
EXAMPLE_SERVERS = ("10.0.0.11:8501", "10.0.0.12:8501")
SERVER_COOKIE = "ledpro_server"  # set by nginx: which app server a browser stays on
SERVER_NAMES = ("a", "b")  # the cookie's values for the first and the second example server


def nginx_binary() -> str:
    binary = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
    if binary is None:
        message = "nginx is missing (apt-get install nginx)"
        if IN_CI:
            pytest.fail(message + " (CI=true: the deployment tests must run)")
        pytest.skip(message)
    return binary


def environment_file() -> dict[str, str]:
    """KEY=VALUE lines, as systemd's EnvironmentFile reads them (no quotes are used in ours)."""
    settings = {}
    for line in ENV_FILE.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            settings[key] = value
    return settings


def unit_setting(name: str) -> str:
    values = [line.split("=", 1)[1] for line in UNIT.read_text(encoding="utf-8").splitlines()
              if line.startswith(f"{name}=")]
    assert len(values) == 1, f"{UNIT.name} sets {name} {len(values)} times"
    return values[0]


def unit_command(env: dict[str, str]) -> list[str]:
    """ExecStart with ${NAME} replaced from the environment, as systemd does (one word per ${NAME})."""
    words = shlex.split(unit_setting("ExecStart"))
    words = [re.sub(r"\$\{(\w+)\}", lambda match: env[match.group(1)], word) for word in words]
    assert words[0] == f"{INSTALL_DIR}/.venv/bin/python", words[0]
    return [sys.executable, *words[1:]]


class UnitServer(AppServer):
    """An app server started as ledpro-journal.service starts it: its ExecStart, its working directory and
    the example environment file, with this test's database, address and port (and `extra` settings)."""

    def __init__(self, database_url: str, log_dir: Path, name: str, extra: dict[str, str] | None = None) -> None:
        super().__init__(database_url, log_dir, name)
        self.extra = extra or {}
        assert unit_setting("WorkingDirectory") == INSTALL_DIR

    def start(self) -> UnitServer:
        settings = environment_file()
        overrides = {
            "LEDPRO_DATABASE_URL": self.database_url,
            "LEDPRO_ADDRESS": "127.0.0.1",
            "LEDPRO_PORT": str(self.port),
            "FORWARDED_ALLOW_IPS": "127.0.0.1",  # nginx connects from here
            "LEDPRO_PUBLIC_URL": f"https://{NAME}",
        }
        missing = sorted(set(overrides) - set(settings))
        assert not missing, f"{ENV_FILE.name} does not name {missing}"
        env = {key: value for key, value in os.environ.items() if not key.startswith("LEDPRO_")}
        env.pop("FORWARDED_ALLOW_IPS", None)
        env.update(settings, **overrides, **self.extra)
        self._log_file = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self._log_file.write(f"\n===== start on port {self.port} =====\n")
        self._log_file.flush()
        self.process = subprocess.Popen(
            unit_command(env), cwd=PROJECT_ROOT, env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if self not in AppServer.live:
            AppServer.live.append(self)
        self._wait_until_healthy()
        return self


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for NAME (the browser contexts ignore that nobody signed it)."""
    certificate, key = directory / "fullchain.pem", directory / "privkey.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={NAME}",
         "-addext", f"subjectAltName=DNS:{NAME}", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )
    return certificate, key


class Nginx:
    """Debian's nginx as a child of the test (not a daemon), with its own prefix in `directory`, serving
    docs/deploy/ledpro-journal.nginx.conf in front of `servers`."""

    def __init__(self, directory: Path, servers: list[AppServer]) -> None:
        self.binary = nginx_binary()
        self.directory = directory
        self.name = "nginx"
        self.https_port, self.http_port = free_port(), free_port()
        self.log_path = directory / "nginx.log"
        self.access_log = directory / "access.log"
        self.process: subprocess.Popen | None = None
        certificate, key = make_certificate(directory)
        replacements = [
            (f"/etc/letsencrypt/live/{EXAMPLE_NAME}/fullchain.pem", str(certificate)),
            (f"/etc/letsencrypt/live/{EXAMPLE_NAME}/privkey.pem", str(key)),
            ("/var/log/nginx/ledpro-journal.access.log", str(self.access_log)),
            (EXAMPLE_NAME, NAME),
            *[(f"server {example}", f"server 127.0.0.1:{server.port}")
              for example, server in zip(EXAMPLE_SERVERS, servers, strict=True)],
            *[(re.escape(example), re.escape(f"127.0.0.1:{server.port}"))
              for example, server in zip(EXAMPLE_SERVERS, servers, strict=True)],
            ("listen 80 ", f"listen 127.0.0.1:{self.http_port} "),
            ("listen 443 ", f"listen 127.0.0.1:{self.https_port} "),
            ("listen [::]:80 ", "# listen [::]:80 "),  # no IPv6 needed on the test's loopback
            ("listen [::]:443 ", "# listen [::]:443 "),
        ]
        site = NGINX_SITE.read_text(encoding="utf-8")
        for example, replacement in replacements:
            assert example in site, f"{NGINX_SITE.name} no longer has {example!r}"
            site = site.replace(example, replacement)
        (directory / "ledpro-journal.conf").write_text(site, encoding="utf-8")
        temp = directory / "temp"
        temp.mkdir()
        # What Debian's /etc/nginx/nginx.conf gives a site, with this test's own paths.
        (directory / "nginx.conf").write_text(
            ("user root;\n" if os.geteuid() == 0 else "")  # the workers read the test's private directory
            + "worker_processes 2;\nevents { worker_connections 512; }\nhttp {\n"
            + "".join(f"    {kind}_temp_path {temp / kind};\n"
                      for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            + "    include /etc/nginx/mime.types;\n    default_type application/octet-stream;\n"
            + f"    include {directory / 'ledpro-journal.conf'};\n}}\n",
            encoding="utf-8",
        )

    @property
    def url(self) -> str:
        return f"https://{NAME}:{self.https_port}"

    def _command(self, *extra: str) -> list[str]:
        directory = str(self.directory)
        return [self.binary, "-p", directory, "-c", f"{directory}/nginx.conf",
                "-g", f"daemon off; pid {directory}/nginx.pid; error_log stderr;", *extra]

    def start(self) -> Nginx:
        check = subprocess.run(self._command("-t"), capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        self._log = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(self._command(), stdout=self._log, stderr=subprocess.STDOUT)
        AppServer.live.append(self)  # its log is printed when a test fails, as the app servers' are
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.close()
                raise RuntimeError(f"nginx exited with {self.process.returncode}:\n{self.log_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.https_port), timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        self.close()
        raise RuntimeError(f"nginx not listening after {START_TIMEOUT:.0f} s:\n{self.log_text()}")

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: nginx's fast shutdown
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()
        if self in AppServer.live:
            AppServer.live.remove(self)

    def log_text(self) -> str:
        text = self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""
        access = self.access_log.read_text(encoding="utf-8", errors="replace") if self.access_log.exists() else ""
        return f"{text}\n----- access log -----\n{access}"

    def requests(self) -> list[dict[str, str]]:
        """The access log: one dict per request (method, path, status, agent, server cookie, upstream)."""
        pattern = re.compile(r'"(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) \d+ "(?P<agent>[^"]*)" '
                             r"server=(?P<server>\S*) upstream=(?P<upstream>.*)$")
        if not self.access_log.exists():
            return []
        return [match.groupdict() for line in self.access_log.read_text(encoding="utf-8").splitlines()
                if (match := pattern.search(line))]

    def requests_of(self, agent: str) -> list[dict[str, str]]:
        return [entry for entry in self.requests() if entry["agent"] == agent]
