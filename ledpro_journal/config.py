"""The one Settings object. Every setting is an environment variable with the prefix LEDPRO_."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEDPRO_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'data' / 'ledpro.db'}",
        description="SQLAlchemy URL. SQLite file by default; postgresql://user@host/db for real deployments.",
    )
    port: int = Field(default=8501, description="Port the app listens on (run.sh).")
    address: str = Field(default="127.0.0.1", description="Address the app listens on (run.sh).")
    cookie_secure: bool | None = Field(
        default=None,
        description="Force the Secure flag on the session cookie. Unset: set when the request came over https.",
    )
    session_idle_days: int = Field(default=14, description="A sign-in ends after this many days without use.")
    session_max_days: int = Field(default=90, description="A sign-in ends after this many days whatever happens.")
    login_slowdown_after: int = Field(default=3, description="Failed sign-ins (15 min) before answers are slowed.")
    login_lockout_after: int = Field(default=8, description="Failed sign-ins for one account (15 min) before refusing.")
    login_ip_lockout_after: int = Field(
        default=30, description="Failed sign-ins from one address (15 min) before refusing."
    )
    login_lockout_minutes: int = Field(default=15, description="How long refused sign-ins stay refused.")
    log_level: str = Field(default="INFO", description="Python logging level.")
    public_url: str = Field(
        default="",
        description="The address people open the app at (https://ledpro.example.no), for links that leave the "
        "app: calendar feeds, e-mails. Unset: the address the browser used.",
    )
    accessibility_contact: str = Field(
        default="",
        description="Where people report accessibility problems (an e-mail or web address), shown on the "
        "accessibility statement. Unset: the statement points to the study administration.",
    )
    # --- reminders ---
    smtp_host: str = Field(default="", description="SMTP server for reminder e-mails. Unset: send-reminders refuses.")
    smtp_port: int = Field(default=587, description="SMTP port (587 STARTTLS, 465 SSL, 25 plain).")
    smtp_security: Literal["starttls", "ssl", "none"] = Field(
        default="starttls", description="starttls: upgrade before logging in; ssl: TLS from the start; none: plain."
    )
    smtp_user: str = Field(default="", description="SMTP login; unset: no login.")
    smtp_password: SecretStr = Field(default=SecretStr(""), description="SMTP password.")
    smtp_timeout: float = Field(default=30.0, description="Seconds before an unanswering SMTP server counts as failed.")
    mail_from: str = Field(default="", description="Sender of reminder e-mails: LEDPRO Journal <ledpro@example.no>.")
    # --- my data: export and import ---
    import_max_mb: int = Field(
        default=10,
        description="The largest export file (MB) Importer fra en eksport takes; the server's maxUploadSize "
        "(.streamlit/config.toml) caps the file field too.",
    )
    import_max_unpacked_mb: int = Field(
        default=500, description="What an imported export may unpack to in all (MB): more is refused as a zip bomb."
    )
    # --- leaving and closing a cohort ---
    # --- backups ---
    login_records_days: int = Field(
        default=90, ge=1,
        description="Sign-in attempts (username, address, time) are deleted after this many days; never "
        "sooner than the sign-in throttle's window.",
    )
    ended_sessions_days: int = Field(
        default=90, ge=1,
        description="A sign-in that ended (signed out, expired or unused too long) is deleted, with its "
        "browser description, this many days after it ended.",
    )
    audit_days: int = Field(
        default=730, ge=1,
        description="Audit trail events (sharing, deleting, exports, new sign-in places, administrative changes) "
        "are deleted after this many days.",
    )
    # --- sign-in with OpenID Connect (Feide) ---
    oidc_issuer: str = Field(
        default="",
        description="The OpenID Connect provider's issuer (https://auth.dataporten.no for Feide); its discovery "
        "document is read from <issuer>/.well-known/openid-configuration. Unset: no single sign-on.",
    )
    oidc_client_id: str = Field(default="", description="The client id the provider gave this installation.")
    oidc_client_secret: SecretStr = Field(default=SecretStr(""), description="The client secret from the provider.")
    oidc_scopes: str = Field(
        default="openid profile email userid",
        description="Scopes asked for (space-separated). Never one that releases the national identity number.",
    )
    oidc_provider_name: str = Field(
        default="Feide", description="The provider's name on the sign-in button: Logg inn med <name>."
    )
    oidc_only_for_participants: bool = Field(
        default=False,
        description="Participants sign in with the provider only: no password sign-in for a participant whose "
        "account is linked, and local registration only with an invite code marked for externals.",
    )

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer.strip() and self.oidc_client_id.strip())

    @property
    def oidc_only(self) -> bool:
        """"Feide only" for participants: on only when single sign-on itself is."""
        return self.oidc_enabled and self.oidc_only_for_participants


@lru_cache
def get_settings() -> Settings:
    return Settings()

# The browser's only piece of the sign-in: a random token in an HttpOnly, SameSite cookie.
SESSION_COOKIE = "ledpro_session"
# The language chosen on the sign-in pages, before anyone is signed in (not secret).
LANGUAGE_COOKIE = "ledpro_lang"
