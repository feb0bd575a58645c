"""A real OpenID Connect provider for the tests, configured like Feide (tests/oidc/provider.mjs, built on
the npm package oidc-provider), run with Node on 127.0.0.1.

    from tests.oidc_provider import oidc_provider_fixture  # noqa: F401 - registers the fixture oidc_provider

    def test_sign_in(oidc_provider):
        oidc_provider.issuer           # http://127.0.0.1:<port>, discovery under /.well-known/...
        oidc_provider.client_id, oidc_provider.client_secret
        oidc_provider.accounts[0]      # OidcAccount(sub, username, password, name, email, eppn)

Redirect URIs: the app's port is only known after the provider has started (the app needs the issuer
in its settings), so the client is registered with port-less loopback URIs and the provider accepts a
registered http://127.0.0.1/... (or localhost, [::1]) URI on any port: by default
http://127.0.0.1:<any>/auth/oidc/callback for sign-in and http://127.0.0.1:<any>/ after sign-out. Pass
other URIs to OidcProvider(...) or start(redirect_uris=[...]); loopback_any_port=False makes matching
exact, as at Feide.

The login page has the fields "Brukernavn" and "Passord" and the buttons "Logg inn" and "Avbryt"
(Avbryt sends the user back with error=access_denied). There is no consent screen. Sign-out at the
end_session endpoint confirms itself (a form that submits itself; without JavaScript, the "Logg ut"
button). The ID token is sparse (sub, iss, aud, exp, iat, nonce, auth_time, ...): name and email come
only from the userinfo endpoint, as at Feide.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import pytest

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
PROVIDER_SCRIPT = OIDC_DIR / "provider.mjs"
IN_CI = os.environ.get("CI", "").lower() == "true"

DEFAULT_REDIRECT_URIS = ("http://127.0.0.1/auth/oidc/callback",)
DEFAULT_POST_LOGOUT_REDIRECT_URIS = ("http://127.0.0.1/",)


@dataclass(frozen=True)
class OidcAccount:
    """A test user at the provider. The user signs in with username (or email) and password; sub is
    the stable identifier the app should key on (a UUID, as Feide's). eppn is the Feide username,
    released with the scope userid-feide as https://n.feide.no/claims/eduPersonPrincipalName. A missing
    name or email is left out of userinfo, so the app can be tested without them."""

    sub: str
    username: str
    password: str
    name: str | None = None
    email: str | None = None
    eppn: str | None = None


DEFAULT_ACCOUNTS = (
    OidcAccount(
        sub="7c1d9a2e-4b6f-4f0e-9a51-0d6b1c3e8f21", username="kari", password="kari-feide-passord",
        name="Kari Nordmann", email="kari.nordmann@example.no", eppn="kari@test.feide.no",
    ),
    OidcAccount(
        sub="2f8e4c6a-91b3-4d7e-8c05-5a9f3b7d1e64", username="ola", password="ola-feide-passord",
        name="Ola Hansen", email="ola.hansen@example.no", eppn="ola@test.feide.no",
    ),
)


def node_executable() -> str | None:
    return shutil.which("node") or ("/usr/bin/node" if Path("/usr/bin/node").exists() else None)


def ensure_installed() -> None:
    """Install tests/oidc/node_modules from package-lock.json when missing (a fresh clone, CI). Locked
    so that parallel test processes do not run npm at the same time."""
    if (OIDC_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not installed: it is needed once to install tests/oidc/node_modules")
    lock_path = Path(tempfile.gettempdir()) / "ledpro-oidc-npm-ci.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (OIDC_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
            return  # another process installed it while we waited
        done = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=OIDC_DIR, capture_output=True, text=True, timeout=300
        )
        if done.returncode != 0:
            raise RuntimeError(f"npm ci in {OIDC_DIR} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OidcProvider:
    """The provider as a child process: start() writes the config JSON to workdir, picks a free port,
    runs `node provider.mjs config.json` and waits until discovery answers; close() stops it. Its
    output (a line per request, errors) goes to log_path."""

    def __init__(
        self,
        workdir: Path,
        *,
        redirect_uris: list[str] | tuple[str, ...] = DEFAULT_REDIRECT_URIS,
        post_logout_redirect_uris: list[str] | tuple[str, ...] = DEFAULT_POST_LOGOUT_REDIRECT_URIS,
        accounts: list[OidcAccount] | tuple[OidcAccount, ...] = DEFAULT_ACCOUNTS,
        client_id: str = "ledpro-journal-test",
        client_secret: str | None = None,
        loopback_any_port: bool = True,
    ) -> None:
        self.workdir = Path(workdir)
        self.redirect_uris = list(redirect_uris)
        self.post_logout_redirect_uris = list(post_logout_redirect_uris)
        self.accounts = list(accounts)
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(24)
        self.loopback_any_port = loopback_any_port
        self.port: int | None = None
        self.log_path = self.workdir / "oidc-provider.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def issuer(self) -> str:
        if self.port is None:
            raise RuntimeError("the OIDC provider has not been started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def discovery(self) -> dict:
        return httpx.get(self.discovery_url, timeout=5).raise_for_status().json()

    def account(self, username: str) -> OidcAccount:
        return next(account for account in self.accounts if account.username == username)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(
        self, redirect_uris: list[str] | None = None, *, timeout: float = 30.0
    ) -> OidcProvider:
        if self._process is not None:
            raise RuntimeError("the OIDC provider is already running")
        if redirect_uris is not None:
            self.redirect_uris = list(redirect_uris)
        node = node_executable()
        if node is None:
            raise RuntimeError("Node.js (node) is not installed: it runs the test OIDC provider")
        ensure_installed()
        self.workdir.mkdir(parents=True, exist_ok=True)
        # A port picked here can be taken before node binds it: try again on another.
        for _attempt in range(3):
            self.port = _free_port()
            config_path = self.workdir / "oidc-provider.json"
            config_path.write_text(json.dumps(self._config(), indent=2))
            with open(self.log_path, "ab") as log:
                self._process = subprocess.Popen(
                    [node, str(PROVIDER_SCRIPT), str(config_path)],
                    cwd=OIDC_DIR, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                )
            if self._wait_for_discovery(timeout):
                return self
            if self._process.poll() is None:
                self.close()
                break  # running but not answering: another port will not help
            self._process = None
            if "EADDRINUSE" not in self.log_text() and "cannot listen" not in self.log_text():
                break
        raise RuntimeError(f"the OIDC provider did not start; its log ({self.log_path}):\n{self.log_text()}")

    def _config(self) -> dict:
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": self.redirect_uris,
            "post_logout_redirect_uris": self.post_logout_redirect_uris,
            "loopback_any_port": self.loopback_any_port,
            "accounts": [
                {key: value for key, value in asdict(account).items() if value is not None}
                for account in self.accounts
            ],
        }

    def _wait_for_discovery(self, timeout: float) -> bool:
        assert self._process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                if httpx.get(self.discovery_url, timeout=2).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        return False

    def close(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def __enter__(self) -> OidcProvider:
        return self.start() if self._process is None else self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the OIDC tests must run)")
    pytest.skip(reason)


# Registered under a name other than the function's, so that a test module can import the fixture and
# take `oidc_provider` as an argument without redefining an imported name (ruff F811).
@pytest.fixture(scope="session", name="oidc_provider_factory")
def oidc_provider_factory_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., OidcProvider]]:
    """Starts providers with other settings (OidcProvider's keyword arguments); all stop at the end."""
    started: list[OidcProvider] = []

    def start(**kwargs: object) -> OidcProvider:
        if node_executable() is None:
            _unavailable("Node.js is not installed: the test OIDC provider needs it")
        provider = OidcProvider(tmp_path_factory.mktemp("oidc"), **kwargs)  # type: ignore[arg-type]
        started.append(provider)
        return provider.start()

    yield start
    for provider in started:
        provider.close()


@pytest.fixture(scope="session", name="oidc_provider")
def oidc_provider_fixture(oidc_provider_factory: Callable[..., OidcProvider]) -> OidcProvider:
    """One provider for the session with the default client and accounts (DEFAULT_ACCOUNTS)."""
    return oidc_provider_factory()
