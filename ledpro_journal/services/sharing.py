"""Sharing with the reflection group or the facilitators, comments, and what a group prepares for the
next gathering. Who may see what is decided in permissions.py; this module only asks."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

import sqlalchemy as sa
from sqlmodel import Session, func, select

from ledpro_journal.i18n import OSLO
from ledpro_journal.models import (
    Audience,
    CohortMembership,
    Comment,
    Document,
    DocumentKind,
    Gathering,
    ReflectionGroup,
    Role,
    Share,
    SharedVersion,
    ShareSeen,
    User,
    utcnow,
)
from ledpro_journal.services import audit, name_replacements, permissions
from ledpro_journal.services.errors import Conflict, Invalid, NotAllowed, NotFound
from ledpro_journal.services.journal import _own, shared_now_query
from ledpro_journal.services.names import compile_replacements
from ledpro_journal.templates import TITLE

MAX_COMMENT_LENGTH = 20_000


# --- sharing -----------------------------------------------------------------------------------------------


def share_document(
    actor: User,
    *,
    session: Session,
    document_id: int,
    audience: Audience,
    replacements: dict[str, str] | None = None,
    remember: bool = True,
) -> SharedVersion:
    """Shows the document's saved version (an action with its log entries) to the audience, with names
    replaced by roles in what is shown: the participant's remembered replacements, and over them the
    ones chosen now (a name chosen empty stays as written this time). What is chosen now is remembered
    for next time (`remember`). Sharing again adds a new shared version."""
    permissions.ensure_participant(actor)
    document = _own(session, actor, document_id)
    permissions.ensure_cohort_open(document.cohort_id, session)
    if document.version == 0:
        raise Conflict("sharing.save_first")
    if document.kind == DocumentKind.LOG:
        raise Invalid.one("document_id", "sharing.share_the_action")
    audience = Audience(audience)
    membership = permissions.participant_membership(actor, session)
    if audience == Audience.GROUP and membership.group_id is None:
        raise Conflict("sharing.no_group")
    chosen = {" ".join(name.split()): role for name, role in (replacements or {}).items()}
    replacements = {**name_replacements.replacements_of(session, [actor.id]).get(actor.id, {}), **chosen}
    if remember:
        name_replacements.remember(actor, session=session, chosen=chosen)
    fields = _snapshot(document.fields, replacements)
    # An action is shown with its log entries: a new or changed log entry is something new to share.
    logs = _log_snapshots(session, document, replacements) if document.kind == DocumentKind.ACTION else []

    share = session.exec(
        select(Share).where(Share.document_id == document.id).where(Share.audience == audience)
    ).first()
    now = utcnow()
    fresh_audience = share is not None and permissions.is_new_audience(share, membership.group_id)
    if share is None:
        share = Share(document_id=document.id, owner_id=actor.id, cohort_id=document.cohort_id, audience=audience,
                      group_id=membership.group_id, created_at=now)
    elif share.withdrawn_at is None:
        latest = _latest_version(session, share.id)
        if (
            latest is not None
            and latest.document_version == document.version
            and latest.fields == fields
            and latest.logs == logs
        ):
            raise Conflict("sharing.already_shared")
    share.withdrawn_at = None
    share.updated_at = now
    if audience == Audience.GROUP:
        share.group_id = membership.group_id
    session.add(share)
    session.flush()

    number = (
        session.exec(select(func.max(SharedVersion.number)).where(SharedVersion.share_id == share.id)).one() or 0
    ) + 1
    if fresh_audience:
        permissions.show_new_audience_from(share, number)
        session.add(share)
    version = SharedVersion(
        share_id=share.id,
        number=number,
        document_version=document.version,
        kind=document.kind,
        template=document.template,
        title=" ".join((fields.get(TITLE) or "").split())[:200],
        fields=fields,
        logs=logs,
        gathering_id=document.gathering_id,
        shared_at=now,
    )
    session.add(version)
    _mark_seen(session, actor.id, share.id, now)
    audit.record(session, actor=actor, kind="share.created", subject=actor, document_id=document.id,
                 document_kind=str(document.kind), share_id=share.id, audience=str(audience))
    return version


def texts_to_share(actor: User, *, session: Session, document_id: int) -> list[str]:
    """Everything a share of this document would show (an action's log entries too): what the name
    check must read."""
    document = _own(session, actor, document_id)
    texts = list(document.fields.values())
    if document.kind == DocumentKind.ACTION:
        texts += [text for log in _log_snapshots(session, document, {}) for text in log["fields"].values()]
    return texts


def _snapshot(fields: dict[str, str], replacements: dict[str, str]) -> dict[str, str]:
    replace = compile_replacements(replacements)
    return {key: replace(text) for key, text in fields.items()}


def _log_snapshots(session: Session, action: Document, replacements: dict[str, str]) -> list[dict]:
    logs = session.exec(
        select(Document)
        .where(Document.parent_id == action.id)
        .where(Document.deleted_at.is_(None))
        .where(Document.version > 0)
        .order_by(Document.happened_on, Document.id)
    ).all()
    return [
        {
            "date": log.happened_on.isoformat() if log.happened_on else None,
            "template": log.template,
            "status": log.status,
            "fields": _snapshot(log.fields, replacements),
        }
        for log in logs
    ]


def _latest_version(session: Session, share_id: int) -> SharedVersion | None:
    return session.exec(
        select(SharedVersion).where(SharedVersion.share_id == share_id).order_by(SharedVersion.number.desc())
    ).first()


def withdraw_share(actor: User, *, session: Session, share_id: int) -> Share:
    """Hides the document from the audience again. Comments stay visible to whoever wrote them."""
    share = session.get(Share, share_id) if permissions.valid_id(share_id) else None
    permissions.ensure_share_owner(actor, share)
    permissions.ensure_cohort_open(share.cohort_id, session)
    if share.withdrawn_at is None:
        share.withdrawn_at = utcnow()
        session.add(share)
        audit.record(session, actor=actor, kind="share.withdrawn", subject=actor, document_id=share.document_id,
                     share_id=share.id, audience=str(share.audience))
    return share


@dataclass(frozen=True)
class MyShare:
    share_id: int
    audience: Audience
    withdrawn: bool
    versions: int
    latest_document_version: int
    latest_shared_at: datetime
    comments: int
    new_comments: int


def shares_of_document(actor: User, *, session: Session, document_id: int) -> list[MyShare]:
    """The owner's view of where a document is shared, how current it is and what came back."""
    _own(session, actor, document_id)
    result = []
    for share in session.exec(select(Share).where(Share.document_id == document_id).order_by(Share.audience)).all():
        latest = _latest_version(session, share.id)
        seen = session.get(ShareSeen, (actor.id, share.id))
        comment_times = session.exec(
            select(Comment.created_at)
            .join(SharedVersion, SharedVersion.id == Comment.shared_version_id)
            .where(SharedVersion.share_id == share.id)
            .where(Comment.author_id != actor.id)
        ).all()
        result.append(
            MyShare(
                share_id=share.id,
                audience=share.audience,
                withdrawn=share.withdrawn_at is not None,
                versions=latest.number if latest else 0,
                latest_document_version=latest.document_version if latest else 0,
                latest_shared_at=latest.shared_at if latest else share.created_at,
                comments=len(comment_times),
                new_comments=sum(1 for t in comment_times if seen is None or t > seen.seen_at),
            )
        )
    return result


# --- reading what others shared --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedItem:
    share_id: int
    owner_name: str
    is_mine: bool
    audience: Audience
    kind: DocumentKind
    template: str
    title: str
    versions: int
    shared_at: datetime
    comments: int
    unread: bool


def _shares_in_group(group_id: int, cohort_id: int):
    return (
        select(Share)
        .where(Share.withdrawn_at.is_(None))
        .where(Share.group_id == group_id)
        .where(Share.cohort_id == cohort_id)
    )


def feed(
    actor: User,
    *,
    session: Session,
    group_id: int | None = None,
    cohort_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[FeedItem]:
    """What is shared where the actor may read it, newest first. Participants: their group (group_id is
    ignored: always the group they are in now). Facilitators: the given group of a cohort of theirs, or
    with group_id None and a cohort_id, what participants without a group shared with them."""
    if actor is None or not actor.is_active:
        raise NotAllowed()
    if actor.role == Role.PARTICIPANT:
        membership = permissions.participant_membership(actor, session)
        if membership.group_id is None:
            return []
        shares = session.exec(
            _shares_in_group(membership.group_id, membership.cohort_id)
            .where(Share.audience == Audience.GROUP)
            .where(permissions.readable_shares(actor, session))
        ).all()
    elif actor.role == Role.FACILITATOR:
        if group_id is None and cohort_id is not None:
            # Shared by participants who were in no group: only the facilitators see those.
            permissions.ensure_facilitator_of(actor, session, cohort_id)
            shares = session.exec(
                select(Share)
                .where(Share.withdrawn_at.is_(None))
                .where(Share.group_id.is_(None))
                .where(Share.cohort_id == cohort_id)
                .where(permissions.readable_shares(actor, session))
            ).all()
        else:
            group = session.get(ReflectionGroup, group_id) if group_id is not None else None
            if group is None:
                raise NotFound()
            permissions.ensure_facilitator_of(actor, session, group.cohort_id)
            shares = session.exec(
                _shares_in_group(group.id, group.cohort_id).where(permissions.readable_shares(actor, session))
            ).all()
    else:
        raise NotAllowed()
    return _feed_items(actor, session, shares, since=since, until=until)


def _latest_versions(session: Session, share_ids: list[int]) -> dict[int, SharedVersion]:
    newest = (
        select(SharedVersion.share_id, func.max(SharedVersion.number).label("number"))
        .where(SharedVersion.share_id.in_(share_ids or [-1]))
        .group_by(SharedVersion.share_id)
        .subquery()
    )
    rows = session.exec(
        select(SharedVersion).join(
            newest, sa.and_(SharedVersion.share_id == newest.c.share_id, SharedVersion.number == newest.c.number)
        )
    ).all()
    return {version.share_id: version for version in rows}


def _feed_items(actor: User, session: Session, shares, *, since, until) -> list[FeedItem]:
    """A few set-wise queries for the whole list, not several per share: a group's year of sharing
    is hundreds of items."""
    ids = [share.id for share in shares]
    latest = _latest_versions(session, ids)
    seen = dict(session.exec(select(ShareSeen.share_id, ShareSeen.seen_at).where(ShareSeen.user_id == actor.id)
                             .where(ShareSeen.share_id.in_(ids or [-1]))).all())
    owners = dict(session.exec(select(User.id, User.display_name)
                               .where(User.id.in_({share.owner_id for share in shares} or {-1}))).all())
    comments = dict(session.exec(
        select(SharedVersion.share_id, func.count(Comment.id))
        .join(Comment, Comment.shared_version_id == SharedVersion.id)
        .join(Share, Share.id == SharedVersion.share_id)
        .where(SharedVersion.share_id.in_(ids or [-1]))
        .where(permissions.readable_versions(actor))
        .group_by(SharedVersion.share_id)
    ).all())
    items = []
    for share in shares:
        version = latest.get(share.id)
        if version is None or (since is not None and version.shared_at < since):
            continue
        if until is not None and version.shared_at >= until:
            continue
        last_seen = seen.get(share.id)
        items.append(
            FeedItem(
                share_id=share.id,
                owner_name=owners.get(share.owner_id, ""),
                is_mine=share.owner_id == actor.id,
                audience=share.audience,
                kind=version.kind,
                template=version.template,
                title=version.title,
                versions=version.number - permissions.first_readable_version(actor, share) + 1,
                shared_at=version.shared_at,
                comments=comments.get(share.id, 0),
                unread=share.owner_id != actor.id and (last_seen is None or last_seen < version.shared_at),
            )
        )
    return sorted(items, key=lambda item: item.shared_at, reverse=True)


@dataclass(frozen=True)
class CommentView:
    id: int
    author_name: str  # "" when the author has deleted their account
    is_mine: bool
    text: str
    created_at: datetime
    edited_at: datetime | None
    author_left: bool = False  # the author deleted their account: shown as a former participant


@dataclass
class SharedView:
    share: Share
    owner_name: str
    version: SharedVersion
    versions: list[tuple[int, datetime, int]]  # (number, shared_at, document version)
    comments: list[CommentView] = field(default_factory=list)
    changed_since: bool = False  # the owner has saved the document after sharing this version

    @property
    def is_latest(self) -> bool:
        return self.version.number == self.versions[0][0]

    @property
    def note_deleted(self) -> bool:
        """The document was deleted for good (or its owner left): its text is gone, the comments stay."""
        return self.share.document_id is None


def read_share(
    actor: User, *, session: Session, share_id: int, number: int | None = None, mark_seen: bool = True
) -> SharedView:
    """One shared document as it was shared (the latest version, or an earlier one), with its comments.
    Opening it marks it read (mark_seen=False: only listed with its comments, as on the group page)."""
    share = session.get(Share, share_id) if permissions.valid_id(share_id) else None
    permissions.ensure_can_read_share(actor, session, share)
    floor = permissions.first_readable_version(actor, share)
    versions = session.exec(
        select(SharedVersion.number, SharedVersion.shared_at, SharedVersion.document_version)
        .where(SharedVersion.share_id == share.id)
        .where(SharedVersion.number >= floor)
        .order_by(SharedVersion.number.desc())
    ).all()
    if not versions:
        raise NotFound()
    wanted = number if number is not None else versions[0][0]
    if wanted < floor:
        raise NotFound()
    version = session.exec(
        select(SharedVersion).where(SharedVersion.share_id == share.id).where(SharedVersion.number == wanted)
    ).first()
    if version is None:
        raise NotFound()
    rows = session.exec(
        select(Comment, User.display_name, User.deleted_at)
        .join(User, User.id == Comment.author_id)
        .where(Comment.shared_version_id == version.id)
        .order_by(Comment.created_at, Comment.id)
    ).all()
    owner = session.get(User, share.owner_id)
    document_version = session.exec(select(Document.version).where(Document.id == share.document_id)).first()
    if mark_seen:
        _mark_seen(session, actor.id, share.id, utcnow())
    return SharedView(
        share=share,
        owner_name=owner.display_name,
        version=version,
        versions=[tuple(v) for v in versions],
        comments=[
            CommentView(c.id, name, c.author_id == actor.id, c.text, c.created_at, c.edited_at, left is not None)
            for c, name, left in rows
        ],
        changed_since=document_version is not None and document_version > versions[0][2],
    )


def _mark_seen(session: Session, user_id: int, share_id: int, when: datetime) -> None:
    seen = session.get(ShareSeen, (user_id, share_id))
    if seen is None:
        session.add(ShareSeen(user_id=user_id, share_id=share_id, seen_at=when))
    else:
        seen.seen_at = when
        session.add(seen)


# --- comments -----------------------------------------------------------------------------------------------------


def _check_comment(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise Invalid.one("text", "field.required")
    if len(text) > MAX_COMMENT_LENGTH:
        raise Invalid.one("text", "field.too_long", max=MAX_COMMENT_LENGTH)
    return text


def add_comment(actor: User, *, session: Session, shared_version_id: int, text: str) -> Comment:
    version = session.get(SharedVersion, shared_version_id) if permissions.valid_id(shared_version_id) else None
    share = session.get(Share, version.share_id) if version else None
    if version is None or not permissions.can_read_shared_version(actor, session, share, version.number):
        raise NotFound()
    if share.withdrawn_at is not None:
        raise Conflict("sharing.withdrawn")
    permissions.ensure_cohort_open(share.cohort_id, session)
    comment = Comment(shared_version_id=version.id, author_id=actor.id, text=_check_comment(text))
    session.add(comment)
    session.flush()
    return comment


def _own_comment(actor: User, session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id) if permissions.valid_id(comment_id) else None
    permissions.ensure_comment_author(actor, comment)
    cohort_id = session.exec(
        select(Share.cohort_id)
        .join(SharedVersion, SharedVersion.share_id == Share.id)
        .where(SharedVersion.id == comment.shared_version_id)
    ).one()
    permissions.ensure_cohort_open(cohort_id, session)
    return comment


def edit_comment(actor: User, *, session: Session, comment_id: int, text: str) -> Comment:
    comment = _own_comment(actor, session, comment_id)
    comment.text = _check_comment(text)
    comment.edited_at = utcnow()
    session.add(comment)
    session.flush()
    return comment


def delete_comment(actor: User, *, session: Session, comment_id: int) -> None:
    session.delete(_own_comment(actor, session, comment_id))
    session.flush()


@dataclass(frozen=True)
class MyComment:
    id: int
    text: str
    created_at: datetime
    on_title: str | None  # None while the note is withdrawn: its text is hidden again, the comment is not
    share_id: int
    on_deleted_note: bool = False  # the note was deleted for good: the comment stays, the note is gone


def my_comments(actor: User, *, session: Session) -> list[MyComment]:
    """Everything the actor commented, also on shares that were withdrawn since (without their text)."""
    if actor is None or not actor.is_active:
        raise NotAllowed()
    rows = session.exec(
        select(Comment, SharedVersion.title, SharedVersion.number, Share)
        .join(SharedVersion, SharedVersion.id == Comment.shared_version_id)
        .join(Share, Share.id == SharedVersion.share_id)
        .where(Comment.author_id == actor.id)
        .order_by(Comment.created_at.desc())
    ).all()

    return [
        MyComment(c.id, c.text, c.created_at,
                  title if permissions.can_read_shared_version(actor, session, share, number) else None, share.id,
                  share.document_id is None)
        for c, title, number, share in rows
    ]


@dataclass(frozen=True)
class NewComments:
    share_id: int
    document_id: int
    title: str
    count: int


def new_comments_on_my_shares(actor: User, *, session: Session) -> list[NewComments]:
    """For the owner's start page: comments others wrote since the owner last opened the share."""
    permissions.ensure_participant(actor)
    seen = (
        select(ShareSeen.share_id, ShareSeen.seen_at).where(ShareSeen.user_id == actor.id).subquery()
    )
    rows = session.exec(
        select(Share.id, Share.document_id, func.count(Comment.id))
        .join(SharedVersion, SharedVersion.share_id == Share.id)
        .join(Comment, Comment.shared_version_id == SharedVersion.id)
        .join(seen, seen.c.share_id == Share.id, isouter=True)
        .where(Share.owner_id == actor.id)
        .where(Share.document_id.is_not(None))
        .where(Comment.author_id != actor.id)
        .where(sa.or_(seen.c.seen_at.is_(None), Comment.created_at > seen.c.seen_at))
        .group_by(Share.id, Share.document_id)
    ).all()
    if not rows:
        return []
    titles = {share_id: version.title for share_id, version in _latest_versions(session, [r[0] for r in rows]).items()}
    return [
        NewComments(share_id, document_id, titles.get(share_id, ""), count) for share_id, document_id, count in rows
    ]


def shared_document_ids(actor: User, *, session: Session) -> set[int]:
    """The actor's documents that are shared now (for the 'shared or not' filter)."""
    permissions.ensure_participant(actor)
    return set(session.exec(shared_now_query(actor.id)))


# --- preparing the next gathering --------------------------------------------------------------------------------


def gathering_start(gathering: Gathering) -> datetime:
    return datetime.combine(gathering.start_date, time.min, tzinfo=OSLO)


def period_bounds(session: Session, cohort_id: int, number: int) -> tuple[datetime | None, datetime]:
    """From the end of gathering number-1 (or the beginning) to the start of gathering `number`."""
    gatherings = {g.number: g for g in session.exec(select(Gathering).where(Gathering.cohort_id == cohort_id))}
    if number not in gatherings:
        raise NotFound()
    end = gathering_start(gatherings[number])
    previous = max((n for n in gatherings if n < number), default=None)
    start = datetime.combine(gatherings[previous].end_date, time.max, tzinfo=OSLO) if previous else None
    return start, end


# --- facilitators: counts, never text ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantActivity:
    user_id: int
    name: str
    group: str
    actions_planned: int
    actions_logged: int
    notes_written: int
    last_activity: datetime | None


def participant_activity(actor: User, *, session: Session, cohort_id: int) -> list[ParticipantActivity]:
    """Who is keeping up: counts and dates only. No title, no text, nothing of what was written."""
    permissions.ensure_facilitator_of(actor, session, cohort_id)
    members = session.exec(
        select(User.id, User.display_name, ReflectionGroup.name)
        .join(CohortMembership, CohortMembership.user_id == User.id)
        .join(ReflectionGroup, ReflectionGroup.id == CohortMembership.group_id, isouter=True)
        .where(CohortMembership.cohort_id == cohort_id)
        .where(CohortMembership.role == Role.PARTICIPANT)
        .order_by(ReflectionGroup.name, User.display_name)
    ).all()
    ids = [m[0] for m in members]
    live = sa.and_(Document.deleted_at.is_(None), Document.version > 0, Document.owner_id.in_(ids or [-1]))
    by_kind = {
        (owner, kind): count
        for owner, kind, count in session.exec(
            select(Document.owner_id, Document.kind, func.count())
            .where(live)
            .group_by(Document.owner_id, Document.kind)
        )
    }
    logged = dict(
        session.exec(
            select(Document.owner_id, func.count(func.distinct(Document.parent_id)))
            .where(live)
            .where(Document.kind == DocumentKind.LOG)
            .group_by(Document.owner_id)
        ).all()
    )
    last = dict(
        session.exec(
            select(Document.owner_id, func.max(Document.updated_at)).where(live).group_by(Document.owner_id)
        ).all()
    )
    return [
        ParticipantActivity(
            user_id=user_id,
            name=name,
            group=group or "",
            actions_planned=by_kind.get((user_id, DocumentKind.ACTION), 0),
            actions_logged=logged.get(user_id, 0),
            notes_written=by_kind.get((user_id, DocumentKind.NOTE), 0),
            last_activity=last.get(user_id),
        )
        for user_id, name, group in members
    ]


def facilitator_groups(actor: User, *, session: Session, cohort_id: int) -> list[ReflectionGroup]:
    permissions.ensure_facilitator_of(actor, session, cohort_id)
    return list(
        session.exec(
            select(ReflectionGroup).where(ReflectionGroup.cohort_id == cohort_id).order_by(ReflectionGroup.name)
        )
    )
