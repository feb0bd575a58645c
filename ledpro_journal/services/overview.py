"""Min oversikt and Kulloversikt: the figures behind the charts, as pandas tables.

A participant's overview is read from their own writing (no text, only what lists show: kind, title, template,
dates, status, words), in a handful of set-wise queries whatever the size of the journal. A facilitator's is
made only of what they already see: the activity counts of `permissions.activity_facts` (who wrote what kind
of thing when) and what was shared with them; never a private text, title, template, theme or gathering.

Periods are the stretches between gatherings, named by the gathering they follow (None: before the first).
A document belongs to a period by its gathering (actions: placed after it; notes: written for it), a log
entry to its action's period, and anything without a gathering by its date.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import lru_cache
from itertools import chain
from threading import Lock

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, func, select

from ledpro_journal.i18n import OSLO
from ledpro_journal.models import (
    Comment,
    Document,
    DocumentKind,
    DocumentRevision,
    ExamDraft,
    Gathering,
    NoteAction,
    NoteTheme,
    ReflectionGroup,
    Share,
    SharedVersion,
    Theme,
    User,
)
from ledpro_journal.services import permissions, sharing
from ledpro_journal.services.journal import period_key

# The parts of the cycle the "is my cycle closed?" chart counts, in the order they are stacked.
ACTIONS_LOGGED, ACTIONS_UNLOGGED = "actions_logged", "actions_unlogged"
LOGS_REFLECTED, LOGS_UNREFLECTED = "logs_reflected", "logs_unreflected"
CYCLE_PARTS = (ACTIONS_LOGGED, ACTIONS_UNLOGGED, LOGS_REFLECTED, LOGS_UNREFLECTED)
ON_TIMELINE = (DocumentKind.ACTION, DocumentKind.LOG, DocumentKind.NOTE)
NOTE_TEMPLATES = ("D1", "D2", "E", "F", "G")


@dataclass(frozen=True)
class Period:
    """The stretch after a gathering (gathering_id None: before the first one). `name` and `params` make
    its label: journal.period.<name> in full, overview.period.<name> on a narrow axis."""

    gathering_id: int | None
    name: str
    params: dict
    start: date | None  # the first day of the gathering it follows (None: before the first)


def periods_of(gatherings: list) -> list[Period]:
    ordered = sorted(gatherings, key=lambda g: g.number)
    result = []
    for gathering in [None, *ordered]:
        key, params = period_key(gathering, ordered)
        result.append(Period(gathering.id if gathering else None, key.rsplit(".", 1)[1], params,
                             gathering.start_date if gathering else None))
    return result


class _ByDate:
    """The period a day falls in: after the last gathering that had begun by then."""

    def __init__(self, periods: list[Period]):
        dated = [p for p in periods if p.start is not None]
        self.starts = [p.start for p in dated]
        self.ids = [p.gathering_id for p in dated]

    def __call__(self, day: date) -> int | None:
        index = bisect_right(self.starts, day)
        return self.ids[index - 1] if index else None


def oslo_day(moment: datetime) -> date:
    return moment.astimezone(OSLO).date()


def in_period(frame: pd.DataFrame, gathering_id: int | None) -> pd.DataFrame:
    """The rows of one period. (A mask of plain bools: an empty frame's mapped column would be taken for a
    list of column names, and None is no NaN.)"""
    mask = pd.Series([p == gathering_id for p in frame["period"]], index=frame.index, dtype=bool)
    return frame.loc[mask]


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """Rows per period (or group) as a table whose first column keeps None and ids as they are: pandas would
    make a column of ids and None into floats and NaN."""
    frame = pd.DataFrame(rows, columns=columns)
    frame[columns[0]] = pd.Series([row[columns[0]] for row in rows], dtype=object)
    return frame


def _cohort_gatherings(session: Session, cohort_id: int) -> list[Gathering]:
    return list(session.exec(select(Gathering).where(Gathering.cohort_id == cohort_id).order_by(Gathering.number)))


# --- the participant's own overview ----------------------------------------------------------------------------


_DOCUMENT_COLUMNS = ["id", "kind", "title", "template", "status", "on", "period", "words", "parent_id", "written"]


@dataclass
class MyOverview:
    """Everything Min oversikt draws, from one read of the participant's own rows.

    `documents`: one row per saved document in the journal (the challenge too): id, kind, title, template,
    status, on (the day it sits on the timeline: an action's planned date, a log entry's date, else the day
    it was begun), period (gathering id or None), words, parent_id (a log entry's action), written (the day it
    was begun), logged (an action with a log entry), reflected (a log entry whose action a note reflects on).
    `note_themes`: (note_id, theme_id) for each theme a note is tagged with.
    `revisions`: one row per saved version of those documents: document_id, version, day (saved, in Oslo),
    words (as the exam page counts them, stored with the version)."""

    source: Source
    today: date
    gatherings: list[GatheringDates]
    periods: list[Period]
    current_period: int | None
    themes: list[ThemeName]
    documents: pd.DataFrame
    note_themes: pd.DataFrame
    word_limit: int | None
    revisions: pd.DataFrame

    @property
    def is_empty(self) -> bool:
        return self.documents.empty

    def of_kind(self, *kinds: DocumentKind) -> pd.DataFrame:
        return self.documents[self.documents["kind"].isin([k.value for k in kinds])]

    # Where am I in the year?
    def timeline(self) -> pd.DataFrame:
        """Actions, log entries and notes by their day, oldest first."""
        marks = self.of_kind(*ON_TIMELINE)
        return marks.sort_values(["on", "id"], kind="stable").reset_index(drop=True)

    def _count_per_period(self, columns: list[str], count) -> pd.DataFrame:
        """One row per period of the columns' counts; `count(row)` names the columns a document adds one to.
        One pass over the documents (filtering a frame per period and column costs more than the page)."""
        counts = {period.gathering_id: dict.fromkeys(columns, 0) for period in self.periods}
        for row in self.documents.itertuples(index=False):
            if row.period in counts:
                for column in count(row):
                    counts[row.period][column] += 1
        return _frame([{"period": period, **values} for period, values in counts.items()], ["period", *columns])

    def per_period(self) -> pd.DataFrame:
        """Per period: actions by status, log entries and notes (the timeline's table)."""
        def count(row):
            if row.kind == DocumentKind.ACTION:
                return [row.status] if row.status else []
            return {DocumentKind.LOG: ["logs"], DocumentKind.NOTE: ["notes"]}.get(row.kind, [])
        return self._count_per_period(["planned", "in_progress", "done", "dropped", "logs", "notes"], count)

    # Is my cycle closed?
    def cycle(self) -> pd.DataFrame:
        """Per period: actions with and without a log entry, log entries with and without a reflection."""
        def count(row):
            if row.kind == DocumentKind.ACTION:
                return [ACTIONS_LOGGED if row.logged else ACTIONS_UNLOGGED]
            if row.kind == DocumentKind.LOG:
                return [LOGS_REFLECTED if row.reflected else LOGS_UNREFLECTED]
            return []
        return self._count_per_period(list(CYCLE_PARTS), count)

    def cycle_items(self, period: int | None, part: str) -> pd.DataFrame:
        """The documents one bar of the cycle chart counts."""
        kind = DocumentKind.ACTION if part in (ACTIONS_LOGGED, ACTIONS_UNLOGGED) else DocumentKind.LOG
        rows = self.of_kind(kind)
        rows = in_period(rows, period)
        flag = {ACTIONS_LOGGED: ("logged", True), ACTIONS_UNLOGGED: ("logged", False),
                LOGS_REFLECTED: ("reflected", True), LOGS_UNREFLECTED: ("reflected", False)}[part]
        return rows[rows[flag[0]] == flag[1]].sort_values(["on", "id"], kind="stable")

    # What have I written about?
    def by_theme(self) -> pd.DataFrame:
        """Notes and their words per main theme (a note with two themes counts under both), then the notes
        without a theme (theme_id None)."""
        notes = self.of_kind(DocumentKind.NOTE)[["id", "words"]]
        tagged = self.note_themes.merge(notes, left_on="note_id", right_on="id")
        rows = []
        for theme in self.themes:
            these = tagged[tagged["theme_id"] == theme.id]
            rows.append({"theme_id": theme.id, "name": theme.name, "notes": len(these),
                         "words": int(these["words"].sum())})
        untagged = notes[~notes["id"].isin(tagged["note_id"])]
        rows.append({"theme_id": None, "name": "", "notes": len(untagged), "words": int(untagged["words"].sum())})
        return _frame(rows, ["theme_id", "name", "notes", "words"])

    def by_template(self) -> pd.DataFrame:
        """Notes and their words per reflection model (template), in the templates' order."""
        notes = self.of_kind(DocumentKind.NOTE)
        rows = []
        for code in NOTE_TEMPLATES:
            these = notes[notes["template"] == code]
            rows.append({"template": code, "notes": len(these), "words": int(these["words"].sum())})
        return pd.DataFrame(rows, columns=["template", "notes", "words"])

    def theme_items(self, theme_id: int | None) -> pd.DataFrame:
        notes = self.of_kind(DocumentKind.NOTE)
        tagged = self.note_themes
        if theme_id is None:
            chosen = notes[~notes["id"].isin(tagged["note_id"])]
        else:
            chosen = notes[notes["id"].isin(tagged[tagged["theme_id"] == theme_id]["note_id"])]
        return chosen.sort_values(["on", "id"], kind="stable")

    def template_items(self, template: str) -> pd.DataFrame:
        notes = self.of_kind(DocumentKind.NOTE)
        return notes[notes["template"] == template].sort_values(["on", "id"], kind="stable")

    # Will I reach the exam?
    def words_over_time(self) -> pd.DataFrame:
        """The words in the journal at the end of each day something was saved (total: for each document, the
        words of its latest version saved by then), and how many that day added (words; less if text was
        taken out). Everything in the journal counts, the bin does not: the exam draft is built from the
        journal. Counted as the exam page counts them (the count stored with each version)."""
        if self.documents.empty:
            return pd.DataFrame(columns=["day", "words", "total"])
        versions = self.revisions[self.revisions["document_id"].isin(self.documents["id"])]
        # A document saved before versions were kept has none: its words count from the day it was begun.
        unversioned = self.documents[~self.documents["id"].isin(versions["document_id"])]
        versions = pd.concat([versions, pd.DataFrame({
            "document_id": unversioned["id"], "version": 0, "day": unversioned["written"],
            "words": unversioned["words"]})], ignore_index=True) if not unversioned.empty else versions
        # Each document's words at the end of each day it was saved, then what that day changed for it.
        daily = (versions.sort_values(["document_id", "version"], kind="stable")
                 .groupby(["document_id", "day"], sort=False)["words"].last().reset_index())
        daily = daily.sort_values(["document_id", "day"], kind="stable")
        daily["change"] = daily["words"] - daily.groupby("document_id")["words"].shift(fill_value=0)
        per_day = daily.groupby("day", sort=True)["change"].sum()
        return pd.DataFrame({"day": list(per_day.index), "words": [int(w) for w in per_day],
                             "total": [int(w) for w in per_day.cumsum()]})

    @property
    def total_words(self) -> int:
        return int(self.documents["words"].sum()) if not self.documents.empty else 0


@dataclass(frozen=True)
class GatheringDates:
    id: int
    number: int
    start_date: date
    end_date: date


@dataclass(frozen=True)
class ThemeName:
    id: int
    name: str


@dataclass(frozen=True)
class Source:
    """What a participant's overview is made of, as read: plain values, so that an unchanged journal is
    recognised on the next rerun and its figures are not worked out again (`assemble` keeps the last few)."""

    today: date
    gatherings: tuple[GatheringDates, ...]
    themes: tuple[ThemeName, ...]
    rows: tuple[tuple, ...]  # id, kind, title, template, status, gathering_id, happened_on, words, parent, created
    reflected_actions: frozenset[int]
    note_themes: tuple[tuple[int, int], ...]
    word_limit: int | None
    revisions: tuple[tuple, ...]  # document_id, version, saved_at, words: every saved version of those rows


def my_overview(actor: User, *, session: Session, today: date) -> MyOverview:
    """The participant's own overview: five reads (documents, their saved versions, note themes, reflected
    actions, the exam draft's word limit) besides the programme, none per document."""
    membership = permissions.participant_membership(actor, session)
    gatherings = tuple(GatheringDates(g.id, g.number, g.start_date, g.end_date)
                       for g in _cohort_gatherings(session, membership.cohort_id))
    themes = tuple(ThemeName(t.id, t.name) for t in session.exec(
        select(Theme).where(Theme.cohort_id == membership.cohort_id).order_by(Theme.position)))
    own = sa.and_(Document.owner_id == actor.id, Document.deleted_at.is_(None), Document.version > 0)
    rows = session.exec(
        select(Document.id, Document.kind, Document.title, Document.template, Document.status,
               Document.gathering_id, Document.happened_on, Document.word_count, Document.parent_id,
               Document.created_at, Document.version,
               # As the database gives it (only compared, never read as a time: no conversion per row).
               sa.type_coerce(Document.updated_at, sa.types.NullType()).label("saved")).where(own)
    ).all()
    rows = sorted(rows, key=lambda r: r.id)  # in Python: SQLite would sort them in a temporary tree
    # The links by the notes' ids: joining the documents again would read every note's whole row once more.
    notes = [r.id for r in rows if r.kind == DocumentKind.NOTE] or [-1]
    reflected = frozenset(session.exec(select(NoteAction.action_id).where(NoteAction.note_id.in_(notes))))
    note_themes = session.exec(
        select(NoteTheme.note_id, NoteTheme.theme_id).where(NoteTheme.note_id.in_(notes))
        .order_by(NoteTheme.note_id, NoteTheme.theme_id)
    ).all()
    word_limit = session.exec(select(ExamDraft.word_limit).where(ExamDraft.owner_id == actor.id)).first()
    url = str(session.get_bind().url)  # once: a URL object renders itself at every hash
    revisions = _saved_versions(session, [(url, r[0], r[10], r[11]) for r in rows])  # by position: faster
    return assemble(Source(today, gatherings, themes, tuple(r[:10] for r in rows), reflected,
                           tuple(tuple(r) for r in note_themes), word_limit, revisions))


_VERSIONS: dict[tuple, tuple[tuple, ...]] = {}  # (database, id, version, updated_at) -> that document's versions
_VERSIONS_LOCK = Lock()
_VERSIONS_KEPT = 32_768  # documents: the journals of the last few dozen sessions, as `assemble` keeps their figures


def _saved_versions(session: Session, keys: list[tuple]) -> tuple[tuple, ...]:
    """Every saved version of these documents ((database, id, version, updated_at: when the current version was
    saved), by id): (document_id, version, saved_at, words), in that order.

    A version never changes once saved, so a document's id and current version decide its versions: they are
    remembered, and an unchanged journal's rerun reads none (reading a version's row reads its whole text
    too); after a save only that document's are read. At most one read, by the documents' ids, as for the
    links above."""
    with _VERSIONS_LOCK:
        known = [_VERSIONS.get(key) for key in keys]
    missing = {key[1]: key for key, versions in zip(keys, known, strict=True) if versions is None}
    if not missing:
        return tuple(chain.from_iterable(known))
    rows = session.exec(
        select(DocumentRevision.document_id, DocumentRevision.version, DocumentRevision.saved_at,
               DocumentRevision.word_count)
        .where(DocumentRevision.document_id.in_(list(missing)))
    ).all()
    read: dict[tuple, list[tuple]] = {key: [] for key in missing.values()}
    for row in rows:
        key = missing[row[0]]
        if row[1] <= key[2]:  # not one saved since the documents were read
            read[key].append(tuple(row))
    read = {key: tuple(sorted(versions)) for key, versions in read.items()}
    with _VERSIONS_LOCK:
        _VERSIONS.update(read)
        for _ in range(len(_VERSIONS) - _VERSIONS_KEPT):
            _VERSIONS.pop(next(iter(_VERSIONS)))
    return tuple(chain.from_iterable(read[key] if versions is None else versions
                                     for key, versions in zip(keys, known, strict=True)))


@lru_cache(maxsize=64)
def assemble(source: Source) -> MyOverview:
    """The overview made of what was read. Pure: the same source gives the same figures, whoever asks."""
    gatherings = list(source.gatherings)
    periods = periods_of(gatherings)
    by_date = _ByDate(periods)
    gathering_ids = {g.id for g in gatherings}
    rows = source.rows
    action_period = {r[0]: r[5] if r[5] in gathering_ids else None for r in rows if r[1] == DocumentKind.ACTION}
    logged = {r[8] for r in rows if r[1] == DocumentKind.LOG}
    records = []
    for id_, kind, title, template, status, gathering_id, happened_on, words, parent_id, created in rows:
        written = oslo_day(created)
        on = happened_on if kind in (DocumentKind.ACTION, DocumentKind.LOG) and happened_on else written
        if kind == DocumentKind.ACTION:
            period = action_period[id_]
        elif kind == DocumentKind.LOG:
            period = action_period[parent_id] if parent_id in action_period else by_date(on)
        elif kind == DocumentKind.NOTE and gathering_id in gathering_ids:
            period = gathering_id
        else:
            period = by_date(on)
        records.append((id_, str(kind), title, template, str(status) if status else None, on, period, words,
                        parent_id, written, id_ in logged, parent_id in source.reflected_actions))
    documents = pd.DataFrame(records, columns=[*_DOCUMENT_COLUMNS, "logged", "reflected"])
    documents["period"] = pd.Series([record[6] for record in records], dtype=object)  # None stays None
    past = [g for g in gatherings if g.start_date <= source.today]
    return MyOverview(
        source=source,
        today=source.today,
        gatherings=gatherings,
        periods=periods,
        current_period=past[-1].id if past else None,
        themes=list(source.themes),
        documents=documents,
        note_themes=pd.DataFrame(list(source.note_themes), columns=["note_id", "theme_id"]),
        word_limit=source.word_limit,
        revisions=pd.DataFrame([(d, v, oslo_day(at), w) for d, v, at, w in source.revisions],
                               columns=["document_id", "version", "day", "words"]),
    )


# --- the facilitator's cohort overview -------------------------------------------------------------------------


@dataclass
class CohortOverview:
    """Kulloversikt, for a facilitator of the cohort, from activity counts and shared content only.

    `people`: per participant (user_id, name, group, actions_planned, actions_logged, notes, logged_since: a
    log entry written since the last gathering ended). `writing`: per participant, period and
    kind, how many things they began then (period by the day begun). `sharing`: per group (group_id None:
    participants in no group), shares with the group or the facilitators now, and comments on them."""

    today: date
    periods: list[Period]
    current_period: int | None
    last_gathering: Gathering | None  # the last gathering that has ended
    people: pd.DataFrame
    writing: pd.DataFrame
    sharing: pd.DataFrame

    @property
    def is_empty(self) -> bool:
        return self.people.empty

    def per_group(self) -> pd.DataFrame:
        """Per group (in the order of the people list): participants, actions planned and logged, notes, and
        participants without a log entry since the last gathering."""
        if self.people.empty:
            return pd.DataFrame(columns=["group", "participants", "actions_planned", "actions_logged", "notes",
                                         "without_log"])
        frame = self.people.assign(without_log=~self.people["logged_since"])
        grouped = frame.groupby("group", sort=False).agg(
            participants=("user_id", "count"), actions_planned=("actions_planned", "sum"),
            actions_logged=("actions_logged", "sum"), notes=("notes", "sum"), without_log=("without_log", "sum"),
        )
        return grouped.reset_index().astype({c: int for c in grouped.columns})

    def per_period(self) -> pd.DataFrame:
        """Per period: actions, log entries and notes begun in it, across the cohort."""
        rows = []
        for period in self.periods:
            here = in_period(self.writing, period.gathering_id)
            rows.append({"period": period.gathering_id, **{
                kind.value: int(here[here["kind"] == kind.value]["count"].sum()) for kind in ON_TIMELINE
            }})
        return _frame(rows, ["period", *(k.value for k in ON_TIMELINE)])

    def writers_in(self, period: int | None, kind: str) -> pd.DataFrame:
        """Who began things of this kind in the period, and how many: a bar's participants."""
        here = in_period(self.writing[self.writing["kind"] == kind], period)
        named = here.merge(self.people[["user_id", "name", "group"]], on="user_id")
        return named[["name", "group", "count"]].sort_values(["group", "name"], kind="stable").reset_index(drop=True)

    def without_log(self, group: str | None = None) -> pd.DataFrame:
        """The participants (of one group, or all) with no log entry since the last gathering."""
        rows = self.people[~self.people["logged_since"]]
        if group is not None:
            rows = rows[rows["group"] == group]
        return rows[["name", "group", "actions_planned", "actions_logged"]].reset_index(drop=True)


def cohort_overview(actor: User, *, session: Session, cohort_id: int, today: date) -> CohortOverview:
    permissions.ensure_facilitator_of(actor, session, cohort_id)
    gatherings = _cohort_gatherings(session, cohort_id)
    periods = periods_of(gatherings)
    by_date = _ByDate(periods)
    ended = [g for g in gatherings if g.end_date < today]
    last = ended[-1] if ended else None
    since = datetime.combine(last.end_date, time.max, tzinfo=OSLO) if last else None

    activity = sharing.participant_activity(actor, session=session, cohort_id=cohort_id)
    ids = [a.user_id for a in activity]
    owner, kind, _parent, created = permissions.activity_facts()
    counted = sa.and_(permissions.unshared_writing_counted(), owner.in_(ids or [-1]),
                      kind.in_([k.value for k in ON_TIMELINE]))
    facts = session.exec(select(owner, kind, created).where(counted)).all()
    logged_since = {o for o, k, c in facts if k == DocumentKind.LOG and (since is None or c > since)}
    writing: dict[tuple[int, int | None, str], int] = {}
    for o, k, c in facts:
        key = (o, by_date(oslo_day(c)), str(k))
        writing[key] = writing.get(key, 0) + 1

    people = pd.DataFrame(
        [(a.user_id, a.name, a.group, a.actions_planned, a.actions_logged, a.notes_written,
          a.user_id in logged_since) for a in activity],
        columns=["user_id", "name", "group", "actions_planned", "actions_logged", "notes", "logged_since"],
    )
    writing_frame = pd.DataFrame([(o, p, k, n) for (o, p, k), n in writing.items()],
                                 columns=["user_id", "period", "kind", "count"])
    writing_frame["period"] = pd.Series([p for _, p, _ in writing], dtype=object)
    return CohortOverview(today=today, periods=periods, current_period=by_date(today), last_gathering=last,
                          people=people,
                          writing=writing_frame, sharing=_sharing_per_group(actor, session, cohort_id))


def _sharing_per_group(actor: User, session: Session, cohort_id: int) -> pd.DataFrame:
    """Shares the facilitator can read now (with a group or with the facilitators), and the comments on the
    versions they can read, per group the share was made in."""
    readable = sa.and_(Share.cohort_id == cohort_id, Share.withdrawn_at.is_(None),
                       permissions.readable_shares(actor, session))
    shares = dict(session.exec(
        select(Share.group_id, func.count(Share.id)).where(readable).group_by(Share.group_id)
    ).all())
    comments = dict(session.exec(
        select(Share.group_id, func.count(Comment.id))
        .join(SharedVersion, SharedVersion.share_id == Share.id)
        .join(Comment, Comment.shared_version_id == SharedVersion.id)
        .where(readable)
        .where(permissions.readable_versions(actor))
        .group_by(Share.group_id)
    ).all())
    groups = session.exec(
        select(ReflectionGroup.id, ReflectionGroup.name)
        .where(ReflectionGroup.cohort_id == cohort_id)
        .order_by(ReflectionGroup.name)
    ).all()
    rows = [(group_id, name, shares.get(group_id, 0), comments.get(group_id, 0)) for group_id, name in groups]
    if shares.get(None) or comments.get(None):
        rows.append((None, "", shares.get(None, 0), comments.get(None, 0)))
    return _frame([dict(zip(("group_id", "group", "shares", "comments"), row, strict=True)) for row in rows],
                  ["group_id", "group", "shares", "comments"])
