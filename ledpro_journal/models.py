"""Tables and enums. Every change here goes with an Alembic migration in migrations/versions/."""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from ledpro_journal.i18n import DEFAULT_LANGUAGE


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator):
    """Stores naive UTC, hands back aware UTC: SQLite keeps no time zone, PostgreSQL would convert."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def _utc_column(*, nullable: bool = False, index: bool = False) -> sa.Column:
    return sa.Column(UTCDateTime(), nullable=nullable, index=index)


class Role(StrEnum):
    ADMIN = "admin"
    FACILITATOR = "facilitator"
    PARTICIPANT = "participant"


class Installation(SQLModel, table=True):
    """One row once the first administrator exists; its primary key makes the setup happen only once."""

    __tablename__ = "installation"
    id: int = Field(default=1, primary_key=True)
    set_up_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    signing_key: str | None = Field(
        default=None,
        sa_column=sa.Column(sa.String(64), nullable=True),
        description="secret for links that work without signing in (unsubscribe); made once, shared by every server",
    )


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=sa.Column(sa.String(40), nullable=False, unique=True))
    display_name: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    password_hash: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    role: Role = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    is_active: bool = Field(default=True)
    language: str = Field(default=DEFAULT_LANGUAGE, sa_column=sa.Column(sa.String(5), nullable=False))
    candidate_number: str | None = Field(default=None, sa_column=sa.Column(sa.String(20)))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    password_changed_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    deactivated_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    email: str | None = Field(default=None, sa_column=sa.Column(sa.String(254), nullable=True))
    deleted_at: datetime | None = Field(
        default=None,
        sa_column=_utc_column(nullable=True),
        description="the person deleted their account: this row is what remains, so that comments they wrote "
        "on others' notes keep an author (shown as a former participant); no name, no password, no e-mail",
    )


class AuthSession(SQLModel, table=True):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "auth_sessions"
    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    expires_at: datetime = Field(sa_column=_utc_column())
    revoked_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    user_agent: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False, server_default=""))
    id_token: str | None = Field(
        default=None,
        sa_column=sa.Column(sa.Text, nullable=True),
        description="a sign-in with the OpenID Connect provider: its ID token, for the provider's sign-out "
        "(id_token_hint); never logged",
    )


class LoginAttempt(SQLModel, table=True):
    """Failed and successful sign-ins, kept in the database so that every app server counts them."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_username_at", "username", "attempted_at"),
        sa.Index("ix_login_attempts_address_at", "address", "attempted_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    address: str = Field(sa_column=sa.Column(sa.String(64), nullable=False))
    attempted_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    succeeded: bool = Field(default=False)


class Cohort(SQLModel, table=True):
    __tablename__ = "cohorts"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(120), nullable=False, unique=True))
    institution: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    place: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    closed_at: datetime | None = Field(
        default=None, sa_column=_utc_column(nullable=True), description="closed: read-only, awaiting deletion"
    )
    deletion_on: date | None = Field(default=None, description="a closed cohort's content is deleted on this day")
    purged_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class Theme(SQLModel, table=True):
    __tablename__ = "themes"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "position", name="uq_themes_cohort_position"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    position: int
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))


class Gathering(SQLModel, table=True):
    __tablename__ = "gatherings"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "number", name="uq_gatherings_cohort_number"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    number: int
    start_date: date
    end_date: date
    place: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    theme_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("themes.id", ondelete="SET NULL"), nullable=True)
    )
    version: int = Field(
        default=0,
        sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"),
        description="+1 on every change a calendar shows (dates, place, theme, number): its event's SEQUENCE",
    )
    updated_at: datetime | None = Field(
        default_factory=utcnow,
        sa_column=_utc_column(nullable=True),
        description="the last such change, its event's LAST-MODIFIED and DTSTAMP (gatherings from before 0010: "
        "their cohort's creation)",
    )


class ReflectionGroup(SQLModel, table=True):
    __tablename__ = "reflection_groups"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "name", name="uq_groups_cohort_name"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))


class CohortMembership(SQLModel, table=True):
    """A participant's place in a cohort (and group), or a facilitator's assignment to a cohort."""

    __tablename__ = "cohort_memberships"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "user_id", name="uq_memberships_cohort_user"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    role: Role = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    group_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("reflection_groups.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    part: int = Field(default=1, description="LEDPRO del 1 or del 2")
    joined_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class InviteCode(SQLModel, table=True):
    __tablename__ = "invite_codes"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(sa_column=sa.Column(sa.String(32), nullable=False, unique=True))
    cohort_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    role: Role = Field(sa_column=sa.Column(sa.String(20), nullable=False))
    group_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("reflection_groups.id", ondelete="SET NULL"), nullable=True)
    )
    max_uses: int | None = None
    use_count: int = 0
    expires_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    created_by: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    for_externals: bool = Field(
        default=False,
        sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()),
        description="when participants sign in with the OpenID Connect provider only: this code still lets "
        "someone register a local account with a password (an external participant)",
    )


# --- sign-in with OpenID Connect -------------------------------------------------------------------------------


class OidcLogin(SQLModel, table=True):
    """One sign-in with the provider under way: state, nonce and PKCE verifier kept in the database, so that
    any app server can finish what another began. Refused and deleted after 15 minutes. An unknown person's
    identity waits here (issuer, subject, name, e-mail) until they link it with an invite code or a password."""

    __tablename__ = "oidc_logins"
    id: int | None = Field(default=None, primary_key=True)
    state_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    nonce: str = Field(sa_column=sa.Column(sa.String(128), nullable=False))
    code_verifier: str = Field(sa_column=sa.Column(sa.String(128), nullable=False))
    next_path: str = Field(default="/", sa_column=sa.Column(sa.String(500), nullable=False))
    lang: str = Field(default=DEFAULT_LANGUAGE, sa_column=sa.Column(sa.String(5), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(index=True))
    finished_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    issuer: str | None = Field(default=None, sa_column=sa.Column(sa.String(300), nullable=True))
    subject: str | None = Field(default=None, sa_column=sa.Column(sa.String(255), nullable=True))
    name: str | None = Field(default=None, sa_column=sa.Column(sa.String(120), nullable=True))
    email: str | None = Field(default=None, sa_column=sa.Column(sa.String(254), nullable=True))
    id_token: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    link_token_hash: str | None = Field(default=None, sa_column=sa.Column(sa.String(64), nullable=True, unique=True))


class UserIdentity(SQLModel, table=True):
    """An account's link to a person at the OpenID Connect provider: the issuer and its stable subject, no more."""

    __tablename__ = "user_identities"
    __table_args__ = (sa.UniqueConstraint("issuer", "subject", name="uq_user_identities_issuer_subject"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    issuer: str = Field(sa_column=sa.Column(sa.String(300), nullable=False))
    subject: str = Field(sa_column=sa.Column(sa.String(255), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    last_used_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


# --- the journal ---------------------------------------------------------------------------------------


class DocumentKind(StrEnum):
    CHALLENGE = "challenge"
    ACTION = "action"
    LOG = "log"
    NOTE = "note"


class ActionStatus(StrEnum):
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class Document(SQLModel, table=True):
    """Everything a participant writes: their challenge, actions, log entries and reflection notes.

    The text lives in `fields` (JSON: field key -> text, exactly as typed; JSON keeps characters such as
    NUL that PostgreSQL text columns refuse). `title`, `excerpt` and `search_text` are derived copies for
    lists and search, so that a list never has to load whole notes.
    """

    __tablename__ = "documents"
    __table_args__ = (
        sa.Index("ix_documents_owner_kind", "owner_id", "kind", "deleted_at"),
        sa.Index("ix_documents_owner_updated", "owner_id", "updated_at"),
        # Only what is in a bin: a bin page and emptying old bins stay cheap however much everyone writes.
        sa.Index(
            "ix_documents_in_bin",
            "owner_id",
            "deleted_at",
            sqlite_where=sa.text("deleted_at IS NOT NULL"),
            postgresql_where=sa.text("deleted_at IS NOT NULL"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False))
    cohort_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    kind: DocumentKind = Field(sa_column=sa.Column(sa.String(12), nullable=False))
    template: str = Field(sa_column=sa.Column(sa.String(4), nullable=False))
    fields: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    title: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    excerpt: str = Field(default="", sa_column=sa.Column(sa.String(300), nullable=False))
    search_text: str = Field(default="", sa_column=sa.Column(sa.Text, nullable=False))
    word_count: int = 0
    version: int = Field(default=0, description="0 until first saved; +1 on every save")
    gathering_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("gatherings.id", ondelete="SET NULL"), nullable=True),
        description="action: placed after this gathering (None: before the first); note: belongs to it",
    )
    happened_on: date | None = Field(default=None, description="action: planned date; log entry: its date")
    status: ActionStatus | None = Field(default=None, sa_column=sa.Column(sa.String(12), nullable=True))
    parent_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=True, index=True),
        description="log entry: its action",
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    deleted_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))
    unmatched_links: dict | None = Field(
        default=None,
        sa_column=sa.Column(sa.JSON(none_as_null=True), nullable=True),
        description="brought in by an import, with no match in this cohort, as the export named them: "
        '{"gathering": 5, "themes": ["Tema X"]}; each part cleared when the writer chooses a gathering or themes',
    )


class DocumentRevision(SQLModel, table=True):
    """Every saved version of a document, the current one included."""

    __tablename__ = "document_revisions"
    __table_args__ = (sa.UniqueConstraint("document_id", "version", name="uq_revisions_document_version"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    version: int
    template: str = Field(sa_column=sa.Column(sa.String(4), nullable=False))
    fields: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    word_count: int = 0
    saved_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class Draft(SQLModel, table=True):
    """Text that reached the server but was not saved as a version yet: one row per document and field."""

    __tablename__ = "drafts"
    __table_args__ = (sa.UniqueConstraint("document_id", "field", name="uq_drafts_document_field"),)
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("documents.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    field: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    text: str = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    base_version: int
    saved_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class NoteAction(SQLModel, table=True):
    __tablename__ = "note_actions"
    note_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    )
    action_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class NoteTheme(SQLModel, table=True):
    __tablename__ = "note_themes"
    note_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    )
    theme_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


# --- sharing with the reflection group ---------------------------------------------------------------------


class Audience(StrEnum):
    GROUP = "group"  # the owner's reflection group (and the cohort's facilitators)
    FACILITATORS = "facilitators"  # the cohort's facilitators only


class Share(SQLModel, table=True):
    """A participant showing one document to their group or to the facilitators. What is shown are
    SharedVersion snapshots: editing the document later changes nothing until the owner shares again."""

    __tablename__ = "shares"
    __table_args__ = (
        sa.UniqueConstraint("document_id", "audience", name="uq_shares_document_audience"),
        sa.Index("ix_shares_group", "group_id", "withdrawn_at"),
        sa.Index("ix_shares_cohort", "cohort_id", "audience", "withdrawn_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    document_id: int | None = Field(
        sa_column=sa.Column(sa.ForeignKey("documents.id", ondelete="SET NULL"), nullable=True, index=True),
        description="None once the document is deleted for good: the share (withdrawn) keeps its comments",
    )
    owner_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    cohort_id: int = Field(sa_column=sa.Column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False))
    visible_from: int = Field(
        default=1,
        description="readers see shared versions from this number on: sharing again after a withdrawal, or "
        "with another group, must not show what was withdrawn or shown to others",
    )
    audience: Audience = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    group_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("reflection_groups.id", ondelete="SET NULL"), nullable=True),
        description="the owner's group when first shared with the group",
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    withdrawn_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class SharedVersion(SQLModel, table=True):
    """The text as it was shown: a snapshot (names replaced where the owner chose to)."""

    __tablename__ = "shared_versions"
    __table_args__ = (sa.UniqueConstraint("share_id", "number", name="uq_shared_versions_share_number"),)
    id: int | None = Field(default=None, primary_key=True)
    share_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("shares.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    number: int = Field(description="1 for the first time shared, 2 for the next ...")
    document_version: int
    kind: DocumentKind = Field(sa_column=sa.Column(sa.String(12), nullable=False))
    template: str = Field(sa_column=sa.Column(sa.String(4), nullable=False))
    title: str = Field(default="", sa_column=sa.Column(sa.String(200), nullable=False))
    fields: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    logs: list = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False),
                       description="an action's log entries as they were: [{date, template, fields}]")
    gathering_id: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("gatherings.id", ondelete="SET NULL"), nullable=True)
    )
    shared_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(index=True))


class Comment(SQLModel, table=True):
    __tablename__ = "comments"
    id: int | None = Field(default=None, primary_key=True)
    shared_version_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("shared_versions.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    author_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    text: str = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    edited_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class ShareSeen(SQLModel, table=True):
    """When someone last opened a share: unread markers for readers, new comments for the owner."""

    __tablename__ = "share_seen"
    user_id: int = Field(sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    share_id: int = Field(sa_column=sa.Column(sa.ForeignKey("shares.id", ondelete="CASCADE"), primary_key=True))
    seen_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


# --- literature and the exam draft ---------------------------------------------------------------------


class Reference(SQLModel, table=True):
    """An entry in the literature library: the cohort's reading list (no owner, kept by facilitators) or
    one participant's own reference. `data` holds the bibliographic fields (references/model.py)."""

    __tablename__ = "literature_references"
    __table_args__ = (sa.Index("ix_references_cohort_owner", "cohort_id", "owner_id"),)
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(sa_column=sa.Column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False))
    owner_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True),
        description="None: on the cohort's reading list",
    )
    kind: str = Field(sa_column=sa.Column(sa.String(16), nullable=False))
    data: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    sort_key: str = Field(default="", sa_column=sa.Column(sa.String(300), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class NoteCitation(SQLModel, table=True):
    """A note citing a reference, with an optional page ("45" or "45-47")."""

    __tablename__ = "note_citations"
    note_id: int = Field(sa_column=sa.Column(sa.ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True))
    reference_id: int = Field(
        sa_column=sa.Column(
            sa.ForeignKey("literature_references.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    pages: str = Field(default="", sa_column=sa.Column(sa.String(40), nullable=False, server_default=""))


class ExamDraft(SQLModel, table=True):
    """The settings of an exam draft: one per participant (individual) or per reflection group (group).
    What goes in is each contributor's own choice (ExamContribution)."""

    __tablename__ = "exam_drafts"
    id: int | None = Field(default=None, primary_key=True)
    cohort_id: int = Field(sa_column=sa.Column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), nullable=False))
    owner_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True, unique=True),
        description="an individual draft's participant",
    )
    group_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("reflection_groups.id", ondelete="CASCADE"), nullable=True, unique=True),
        description="a group draft's reflection group",
    )
    title: str = Field(default="", sa_column=sa.Column(sa.JSON, nullable=False), description="'' = the challenge's")
    problem_statement: str = Field(default="", sa_column=sa.Column(sa.JSON, nullable=False))
    # Who last changed each text: a group draft's is shared, and a member who deletes their account takes
    # what they wrote last with them (services/leaving.py). None: nobody since 0010, or the writer is gone.
    title_by: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    problem_statement_by: int | None = Field(
        default=None, sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    )
    include_prompts: bool = True
    word_limit: int | None = None
    use_name_replacements: bool = Field(
        default=False,
        sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()),
        description="an individual draft: the owner's name replacements applied (a group draft: always)",
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class ExamContribution(SQLModel, table=True):
    """One person's material in an exam draft. `choices` is the ordered list the person saved, as
    {"key": "d<document id>" | "c<comment id>", "on": bool}; anything written since is added in the default
    place, included."""

    __tablename__ = "exam_contributions"
    draft_id: int = Field(sa_column=sa.Column(sa.ForeignKey("exam_drafts.id", ondelete="CASCADE"), primary_key=True))
    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    )
    choices: list = Field(default_factory=list, sa_column=sa.Column(sa.JSON, nullable=False))
    joined_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class ExamTemplate(SQLModel, table=True):
    """An institution's Word template for a cohort's exam drafts (styles, margins, header, footer)."""

    __tablename__ = "exam_templates"
    cohort_id: int = Field(sa_column=sa.Column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True))
    filename: str = Field(sa_column=sa.Column(sa.String(200), nullable=False))
    content: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    uploaded_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


# --- names and anonymisation ---------------------------------------------------------------------------


class NameReplacement(SQLModel, table=True):
    """A name a participant replaces wherever their text leaves the journal ("Kari" -> "kollega A"): in
    new shares, in the group exam draft, and in their own draft when they choose to. Theirs alone."""

    __tablename__ = "name_replacements"
    __table_args__ = (sa.UniqueConstraint("owner_id", "name", name="uq_name_replacements_owner_name"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    name: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    replacement: str = Field(sa_column=sa.Column(sa.String(120), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


# --- calendar and reminders ----------------------------------------------------------------------------


class CalendarFeed(SQLModel, table=True):
    """A participant's calendar subscription: the long random token in their feed's address. Renewing it
    replaces the row, which ends the old address."""

    __tablename__ = "calendar_feeds"
    user_id: int = Field(sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    token: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    created_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class ReminderPreference(SQLModel, table=True):
    """What a participant asked to be reminded of by e-mail (no row: nothing, the default)."""

    __tablename__ = "reminder_preferences"
    user_id: int = Field(sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True))
    weekly: bool = Field(default=False, description="a weekly nudge while an action of the period has no log entry")
    weekday: int = Field(default=0, description="0 Monday ... 6 Sunday")
    before_gathering: bool = Field(default=False)
    days_before: int = Field(default=7)
    show_titles: bool = Field(default=False, description="the e-mail may name the user's own items")
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())


class SentReminder(SQLModel, table=True):
    """One reminder e-mail, claimed before it is sent: the unique key makes a second run (or a second
    server running at the same time) send nothing twice. sent_at stays empty until the SMTP server took it."""

    __tablename__ = "sent_reminders"
    __table_args__ = (sa.UniqueConstraint("user_id", "reminder_key", name="uq_sent_reminders_user_key"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    reminder_key: str = Field(sa_column=sa.Column(sa.String(80), nullable=False))
    claimed_at: datetime = Field(default_factory=utcnow, sa_column=_utc_column())
    sent_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


# --- audit trail ---------------------------------------------------------------------------------------


class AuditEvent(SQLModel, table=True):
    """Something that happened to an account or was done by an administrator: who, what, when. `details`
    holds identifiers and plain facts (a document's kind, an audience, a group's name), never what anyone
    wrote: see services/audit.py."""

    __tablename__ = "audit_events"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=_utc_column(index=True))
    actor_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        description="who did it; empty for a scheduled run (the bin emptied after 30 days)",
    )
    subject_user_id: int | None = Field(
        default=None,
        sa_column=sa.Column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True, index=True),
        description="whose trail it belongs to; empty for administrative events about no one person",
    )
    kind: str = Field(sa_column=sa.Column(sa.String(40), nullable=False))
    details: dict = Field(default_factory=dict, sa_column=sa.Column(sa.JSON, nullable=False))
    administrative: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, index=True))
