"""The Alembic migrations, on SQLite and PostgreSQL: they build exactly the schema the models describe,
go down and up again, and are safe to run more than once."""

from __future__ import annotations

import json
import threading

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import Session, SQLModel, select

from ledpro_journal import db, models
from ledpro_journal.models import User
from ledpro_journal.services import accounts
from tests.conftest import drop_postgres_database, make_postgres_database

APP_TABLES = set(SQLModel.metadata.tables)


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    return ScriptDirectory.from_config(config).get_current_head()


@pytest.fixture
def empty_engine(database_url):
    engine = db.create_engine_for(database_url)
    yield engine
    engine.dispose()


def table_names(engine) -> set[str]:
    return set(sa.inspect(engine).get_table_names())


def _is_utc_datetime_echo(diff) -> bool:
    """SQLite keeps no real types: a UTCDateTime column may come back as plain DATETIME and be reported
    as changed. That, and only that, is not a difference."""
    if not (isinstance(diff, tuple) and diff and diff[0] == "modify_type"):
        return False
    _op, _schema, _table, _column, _existing_kwargs, existing_type, model_type = diff
    return isinstance(model_type, models.UTCDateTime) and isinstance(existing_type, sa.DateTime)


def _fk_signature(fk) -> tuple:
    return fk.table.name, tuple(fk.column_keys), tuple(e.target_fullname for e in fk.elements)


def _inline_fk_echoes(connection, flat: list) -> list:
    """A foreign key added to an existing SQLite table (ALTER TABLE ADD COLUMN ... REFERENCES, see 0010) is
    written inline, and SQLAlchemy reads no ON DELETE from an inline key: it comes back as removed and added
    again. That pair is tolerated only when SQLite's own PRAGMA foreign_key_list holds the model's ON DELETE
    and ON UPDATE for that column."""
    removed = {_fk_signature(d[1]): d for d in flat if isinstance(d, tuple) and d[0] == "remove_fk"}
    echoes = []
    for diff in flat:
        if not (isinstance(diff, tuple) and diff[0] == "add_fk") or _fk_signature(diff[1]) not in removed:
            continue
        fk, reflected = diff[1], removed[_fk_signature(diff[1])][1]
        if reflected.ondelete or reflected.onupdate or len(fk.column_keys) != 1:
            continue
        (target,) = (e.column for e in fk.elements)
        rows = connection.exec_driver_sql(f"PRAGMA foreign_key_list({fk.table.name})").all()
        # (id, seq, table, from, to, on_update, on_delete, match)
        if (target.table.name, fk.column_keys[0], target.name, (fk.onupdate or "NO ACTION").upper(),
                (fk.ondelete or "NO ACTION").upper()) in {(r[2], r[3], r[4], r[5], r[6]) for r in rows}:
            echoes += [diff, removed[_fk_signature(fk)]]
    return echoes


def schema_differences(engine, metadata=SQLModel.metadata) -> list:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "compare_server_default": False})
        diffs = compare_metadata(context, metadata)
        flat = []
        for diff in diffs:
            # Column changes come grouped in a list per column.
            flat.extend(diff if isinstance(diff, list) else [diff])
        fk_echoes = _inline_fk_echoes(connection, flat) if engine.dialect.name == "sqlite" else []
    tolerated = [d for d in flat if _is_utc_datetime_echo(d)]
    if engine.dialect.name != "sqlite":
        assert tolerated == [], "PostgreSQL stores real timestamps: no type difference is expected there"
    return [d for d in flat if not _is_utc_datetime_echo(d) and not any(d is echo for echo in fk_echoes)]


def test_there_is_one_head():
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_upgrade_from_empty_creates_every_table(empty_engine):
    assert table_names(empty_engine) == set()
    assert db.current_revision(empty_engine) is None
    db.migrate(empty_engine)
    assert db.current_revision(empty_engine) == head_revision()
    assert table_names(empty_engine) == APP_TABLES | {"alembic_version"}
    assert {"users", "auth_sessions", "login_attempts", "cohorts", "invite_codes"} <= APP_TABLES


def test_migrated_schema_matches_the_models(empty_engine):
    db.migrate(empty_engine)
    assert schema_differences(empty_engine) == []


def test_the_schema_comparison_does_notice_a_difference(empty_engine):
    # Otherwise the test above could never fail: a new column, a new table and changed types
    # (a timestamp column among them, which the SQLite tolerance must not swallow) are all reported.
    db.migrate(empty_engine)
    metadata = sa.MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(metadata)
    metadata.tables["users"].append_column(sa.Column("nickname", sa.String(40), nullable=True))
    metadata.tables["users"].c.display_name.type = sa.String(60)
    metadata.tables["auth_sessions"].c.expires_at.type = sa.Date()
    sa.Table("not_migrated", metadata, sa.Column("id", sa.Integer, primary_key=True))
    # A key added by ALTER TABLE on SQLite (its ON DELETE read from PRAGMA foreign_key_list, see above).
    (title_by,) = metadata.tables["exam_drafts"].c.title_by.foreign_keys
    title_by.ondelete = title_by.constraint.ondelete = "CASCADE"
    differences = schema_differences(empty_engine, metadata)
    found = sorted(
        ("add_table", d[1].name) if d[0] == "add_table"
        else ("add_column", d[2], d[3].name) if d[0] == "add_column"
        else (d[0], d[1].table.name, *d[1].column_keys) if d[0] in ("add_fk", "remove_fk")
        else (d[0], d[2], d[3])
        for d in differences
    )
    assert found == [
        ("add_column", "users", "nickname"),
        ("add_fk", "exam_drafts", "title_by"),
        ("add_table", "not_migrated"),
        ("modify_type", "auth_sessions", "expires_at"),
        ("modify_type", "users", "display_name"),
        ("remove_fk", "exam_drafts", "title_by"),
    ]


def test_migrating_twice_is_a_no_op(empty_engine):
    db.migrate(empty_engine)
    with Session(empty_engine) as session:
        accounts.create_admin(session, username="ada", display_name="Ada", password="et langt nok passord")
        session.commit()
    db.migrate(empty_engine)
    assert db.current_revision(empty_engine) == head_revision()
    with Session(empty_engine) as session:
        assert [u.username for u in session.exec(select(User)).all()] == ["ada"]
    assert schema_differences(empty_engine) == []


def test_downgrade_to_base_and_up_again(empty_engine):
    db.migrate(empty_engine)
    with Session(empty_engine) as session:
        accounts.create_admin(session, username="ada", display_name="Ada", password="et langt nok passord")
        session.commit()
    db.downgrade(empty_engine, "base")
    assert db.current_revision(empty_engine) is None
    assert table_names(empty_engine) - {"alembic_version"} == set()
    db.migrate(empty_engine)
    assert db.current_revision(empty_engine) == head_revision()
    assert table_names(empty_engine) == APP_TABLES | {"alembic_version"}
    assert schema_differences(empty_engine) == []
    with Session(empty_engine) as session:
        assert session.exec(select(User)).all() == []  # a fresh start
        accounts.create_admin(session, username="ada", display_name="Ada", password="et langt nok passord")
        session.commit()


def test_every_revision_steps_down_and_up(empty_engine):
    config = Config()
    config.set_main_option("script_location", str(db.MIGRATIONS_DIR))
    revisions = [r.revision for r in ScriptDirectory.from_config(config).walk_revisions("base", "heads")][::-1]
    for revision in revisions:
        db.migrate(empty_engine, revision)
        assert db.current_revision(empty_engine) == revision
    for revision in revisions[::-1]:
        db.downgrade(empty_engine, "-1")
        db.migrate(empty_engine, revision)
        assert db.current_revision(empty_engine) == revision
        db.downgrade(empty_engine, "-1")
    assert db.current_revision(empty_engine) is None


def test_foreign_keys_are_enforced(empty_engine):
    db.migrate(empty_engine)
    with Session(empty_engine) as session:
        session.add(models.CohortMembership(cohort_id=999, user_id=999, role=models.Role.PARTICIPANT))
        with pytest.raises(sa.exc.IntegrityError):
            session.flush()


@pytest.fixture
def postgres_url(postgres_admin_engine):
    """PostgreSQL only: SQLite is one app server's file, the migration lock is PostgreSQL's advisory lock."""
    url = make_postgres_database(postgres_admin_engine)
    yield url
    drop_postgres_database(postgres_admin_engine, url)


def test_app_servers_starting_together_migrate_once(postgres_url):
    engines = [db.create_engine_for(postgres_url) for _ in range(3)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(engines))

    def start(engine):
        try:
            barrier.wait()
            db.migrate(engine)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(engine,)) for engine in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    try:
        assert errors == []
        assert db.current_revision(engines[0]) == head_revision()
        assert schema_differences(engines[0]) == []
    finally:
        for engine in engines:
            engine.dispose()


def _a_participant_with_a_note(connection, username: str, title: str, text: str) -> None:
    """Rows as an earlier release wrote them, without today's models: a participant (id 1) in a cohort (1)
    with one saved free note (1)."""
    connection.execute(sa.text(
        "INSERT INTO users (id, username, display_name, password_hash, role, is_active, language, candidate_number,"
        " created_at, password_changed_at) VALUES (1, :username, :name, 'x', 'participant', true, 'nb', '4711',"
        " '2024-01-01 00:00:00', '2024-01-01 00:00:00')"), {"username": username, "name": username.title()})
    connection.execute(sa.text(
        "INSERT INTO cohorts (id, name, institution, place, created_at) VALUES (1, 'LEDPRO 2024', 'HINN', '',"
        " '2024-01-01 00:00:00')"))
    connection.execute(sa.text(
        "INSERT INTO cohort_memberships (id, cohort_id, user_id, role, part, joined_at)"
        " VALUES (1, 1, 1, 'participant', 2, '2024-01-01 00:00:00')"))
    connection.execute(sa.text(
        "INSERT INTO documents (id, owner_id, cohort_id, kind, template, fields, title, excerpt, search_text,"
        " word_count, version, created_at, updated_at) VALUES (1, 1, 1, 'note', 'G', :fields, :title, '', '', 3, 1,"
        " '2024-03-01 00:00:00', '2024-03-01 00:00:00')"),
        {"fields": json.dumps({"title": title, "free_text": text}), "title": title})


def _ids_after_the_seeded_rows(engine, *tables: str) -> None:
    """PostgreSQL's sequences do not know about rows inserted with their ids: move them past those."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            for table in tables:
                connection.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 10)"))


def test_upgrading_from_the_sharing_release_keeps_the_journal_and_adds_the_library(empty_engine):
    """0004 was the schema of the release before the exam draft: a year of writing must survive 0005."""
    from datetime import date

    from ledpro_journal.services import exam, journal, literature

    db.migrate(empty_engine, "0004")
    with empty_engine.begin() as connection:  # rows as the 0004 release wrote them, without today's models
        _a_participant_with_a_note(connection, "kari", "Stillheten", "Gruppa var taus.")
    _ids_after_the_seeded_rows(empty_engine, "users", "cohorts", "cohort_memberships", "documents")
    db.migrate(empty_engine)
    assert schema_differences(empty_engine) == []
    with Session(empty_engine, expire_on_commit=False) as session:
        kari = session.get(User, 1)
        assert journal.get_document(kari, session=session, document_id=1).fields["free_text"] == "Gruppa var taus."
        bion = literature.add_reference(kari, session=session, kind="book", data={
            "authors": [{"family": "Bion", "given": "W. R."}], "year": "1961", "title": "Experiences in groups",
            "publisher": "Tavistock"})
        literature.set_citations(kari, session=session, note_id=1, cited=[(bion.id, "45")])
        draft = exam.open_draft(kari, session=session)
        composition = exam.compose(kari, session=session, draft_id=draft.id, today=date(2024, 11, 1))
        session.commit()
    assert any("(Bion, 1961, s. 45)" in getattr(block, "text", "") for block in composition.document.body)
    assert {"literature_references", "note_citations", "exam_drafts"} <= table_names(empty_engine)


def test_upgrading_from_the_exam_release_keeps_the_drafts_as_written_and_adds_name_replacements(empty_engine):
    """0005 was the schema of the release with the exam draft: its drafts and each contributor's choices
    survive, keep the journal's text as written (the name replacements are an offer, off), and every
    participant starts with an empty list."""
    from datetime import date

    from ledpro_journal.services import exam, name_replacements

    db.migrate(empty_engine, "0005")
    with empty_engine.begin() as connection:  # rows as the 0005 release wrote them, without today's models
        _a_participant_with_a_note(connection, "siri", "Samtalen", "Kari var taus.")
        connection.execute(sa.text(
            "INSERT INTO exam_drafts (id, cohort_id, owner_id, group_id, title, problem_statement, include_prompts,"
            " word_limit, updated_at) VALUES (1, 1, 1, NULL, '\"\"', '\"\"', true, NULL, '2024-10-01 00:00:00')"))
        connection.execute(sa.text(
            "INSERT INTO exam_contributions (draft_id, user_id, choices, joined_at)"
            " VALUES (1, 1, '[{\"key\": \"d1\", \"on\": true}]', '2024-10-01 00:00:00')"))
    _ids_after_the_seeded_rows(empty_engine, "users", "cohorts", "cohort_memberships", "documents", "exam_drafts")
    db.migrate(empty_engine)
    assert schema_differences(empty_engine) == []
    with Session(empty_engine, expire_on_commit=False) as session:
        siri = session.get(User, 1)
        draft = exam.open_draft(siri, session=session)
        assert draft.id == 1 and draft.use_name_replacements is False
        # The choices are still there (a table copied by a batch migration would have lost them by cascade).
        assert session.get(models.ExamContribution, (1, 1)).choices == [{"key": "d1", "on": True}]
        assert name_replacements.my_replacements(siri, session=session) == []
        name_replacements.add_replacement(siri, session=session, name="Kari", replacement="kollega A")
        before = exam.compose(siri, session=session, draft_id=1, today=date(2024, 11, 1))
        exam.use_name_replacements(siri, session=session, draft_id=1, use=True)
        after = exam.compose(siri, session=session, draft_id=1, today=date(2024, 11, 1))
        session.commit()

    def texts(composition) -> list[str]:
        return [getattr(block, "text", "") for block in composition.document.body]

    assert "Kari var taus." in texts(before)
    assert "Kollega A var taus." in texts(after) and "Kari var taus." not in texts(after)
    assert "name_replacements" in table_names(empty_engine)


def test_upgrading_from_the_names_release_keeps_everyone_and_everything_hanging_on_them(empty_engine):
    """0006 was the schema of the release with name replacements. 0007 adds columns to users and cohorts:
    a copied-and-dropped table would take, by cascade, every membership, document and name replacement with
    it. Everyone comes through open, with no e-mail address, no reminders and no calendar feed."""
    from ledpro_journal.services import journal, name_replacements

    db.migrate(empty_engine, "0006")
    with empty_engine.begin() as connection:  # rows as the 0006 release wrote them, without today's models
        _a_participant_with_a_note(connection, "ola", "Møtet", "Per tok ordet.")
        connection.execute(sa.text(
            "INSERT INTO name_replacements (id, owner_id, name, replacement, updated_at)"
            " VALUES (1, 1, 'Per', 'kollega B', '2024-10-01 00:00:00')"))
        connection.execute(sa.text("INSERT INTO installation (id, set_up_at) VALUES (1, '2024-01-01 00:00:00')"))
    _ids_after_the_seeded_rows(empty_engine, "users", "cohorts", "cohort_memberships", "documents",
                               "name_replacements")
    db.migrate(empty_engine)
    assert schema_differences(empty_engine) == []
    with Session(empty_engine, expire_on_commit=False) as session:
        ola = session.get(User, 1)
        assert (ola.email, ola.deleted_at) == (None, None)
        cohort = session.get(models.Cohort, 1)
        assert (cohort.closed_at, cohort.deletion_on, cohort.purged_at) == (None, None, None)
        assert session.get(models.Installation, 1).signing_key is None
        assert journal.get_document(ola, session=session, document_id=1).fields["free_text"] == "Per tok ordet."
        assert [(r.name, r.replacement) for r in name_replacements.my_replacements(ola, session=session)] == [
            ("Per", "kollega B")]
        assert session.exec(select(models.CohortMembership)).one().user_id == 1
        assert session.exec(select(models.ReminderPreference)).all() == []
        assert session.exec(select(models.CalendarFeed)).all() == []


def test_upgrading_from_the_leaving_release_keeps_everything_and_starts_an_empty_audit_trail(empty_engine):
    """0007 was the schema of the release with closing cohorts and leaving. 0008 only adds the audit trail's
    table: every account, cohort and note comes through, the trail starts empty, and the first act recorded
    in it is kept with its actor and subject."""
    from ledpro_journal.services import audit, journal

    db.migrate(empty_engine, "0007")
    with empty_engine.begin() as connection:  # rows as the 0007 release wrote them, without today's models
        _a_participant_with_a_note(connection, "ola", "Møtet", "Per tok ordet.")
        connection.execute(sa.text("UPDATE users SET email = 'ola@example.no' WHERE id = 1"))
        connection.execute(sa.text("UPDATE cohorts SET closed_at = '2026-06-01 00:00:00', deletion_on = '2026-12-01'"
                                   " WHERE id = 1"))
    _ids_after_the_seeded_rows(empty_engine, "users", "cohorts", "cohort_memberships", "documents")
    db.migrate(empty_engine)
    assert schema_differences(empty_engine) == []
    with Session(empty_engine, expire_on_commit=False) as session:
        ola = session.get(User, 1)
        assert ola.email == "ola@example.no"
        assert session.get(models.Cohort, 1).closed_at is not None
        assert journal.get_document(ola, session=session, document_id=1).fields["free_text"] == "Per tok ordet."
        assert session.exec(select(models.AuditEvent)).all() == []
        audit.record(session, actor=ola, kind="export.downloaded", subject=ola, count=1)
        session.commit()
        assert [(e.kind, e.actor_id, e.subject_id) for e in audit.my_events(ola, session)] == [
            ("export.downloaded", 1, 1)]


def test_upgrading_from_the_audit_release_keeps_sessions_and_invites_and_adds_sign_in_with_oidc(empty_engine):
    """0008 was the schema of the release with the audit trail. 0009 adds the OpenID Connect tables and two
    columns: a signed-in browser stays signed in (its session has no ID token: it came from a password), every
    invite code is an ordinary one (not for externals), and an identity can be linked to an old account."""
    from datetime import timedelta

    from ledpro_journal.models import utcnow

    db.migrate(empty_engine, "0008")
    later = (utcnow() + timedelta(days=30)).replace(tzinfo=None).isoformat(sep=" ")
    now = utcnow().replace(tzinfo=None).isoformat(sep=" ")
    with empty_engine.begin() as connection:  # rows as the 0008 release wrote them, without today's models
        _a_participant_with_a_note(connection, "ola", "Møtet", "Per tok ordet.")
        connection.execute(sa.text(
            "INSERT INTO auth_sessions (id, token_hash, user_id, created_at, last_seen_at, expires_at, user_agent)"
            " VALUES (1, :hash, 1, :now, :now, :later, 'Firefox')"),
            {"hash": accounts.hash_token("the-old-cookie"), "now": now, "later": later})
        connection.execute(sa.text(
            "INSERT INTO invite_codes (id, code, cohort_id, role, max_uses, use_count, created_at)"
            " VALUES (1, 'ABCD-EFGH', 1, 'participant', 10, 1, '2024-01-01 00:00:00')"))
    _ids_after_the_seeded_rows(empty_engine, "users", "cohorts", "cohort_memberships", "documents", "auth_sessions",
                               "invite_codes")
    db.migrate(empty_engine)
    assert schema_differences(empty_engine) == []
    with Session(empty_engine, expire_on_commit=False) as session:
        ola = accounts.resolve_session(session, "the-old-cookie")
        assert ola is not None and ola.id == 1
        assert session.get(models.AuthSession, 1).id_token is None
        invite = session.get(models.InviteCode, 1)
        assert (invite.code, invite.use_count, invite.for_externals) == ("ABCD-EFGH", 1, False)
        assert session.exec(select(models.CohortMembership)).one().user_id == 1  # nothing lost by cascade
        assert session.exec(select(models.OidcLogin)).all() == []
        session.add(models.UserIdentity(user_id=1, issuer="https://auth.dataporten.no", subject="abc"))
        session.commit()
        session.add(models.UserIdentity(user_id=1, issuer="https://auth.dataporten.no", subject="abc"))
        with pytest.raises(sa.exc.IntegrityError):
            session.flush()


def test_upgrading_from_the_oidc_release_gives_gatherings_a_version_and_group_drafts_no_author(empty_engine):
    """0009 was the schema of the release with sign-in through Feide. 0010 adds a version and its time to
    gatherings (the calendar's SEQUENCE and LAST-MODIFIED) and who last wrote a group exam draft's title and
    problem statement. A gathering comes through as version 0, changed when its cohort was made (the DTSTAMP
    the calendar gave it before: a subscribed calendar sees nothing new); a draft's texts stay, written by
    nobody known, and the first change says who."""
    from datetime import UTC, date, datetime, timedelta

    from icalendar import Calendar

    from ledpro_journal.services import calendar, exam, programme

    db.migrate(empty_engine, "0009")
    with empty_engine.begin() as connection:  # rows as the 0009 release wrote them, without today's models
        _a_participant_with_a_note(connection, "ola", "Møtet", "Per tok ordet.")
        connection.execute(sa.text(
            "INSERT INTO users (id, username, display_name, password_hash, role, is_active, language, created_at,"
            " password_changed_at) VALUES (2, 'siri', 'Siri', 'x', 'participant', true, 'nb', '2024-01-01 00:00:00',"
            " '2024-01-01 00:00:00')"))
        connection.execute(sa.text("INSERT INTO reflection_groups (id, cohort_id, name) VALUES (1, 1, 'Gruppe 1')"))
        connection.execute(sa.text("UPDATE cohort_memberships SET group_id = 1 WHERE user_id = 1"))
        connection.execute(sa.text(
            "INSERT INTO gatherings (id, cohort_id, number, start_date, end_date, place, theme_id)"
            " VALUES (1, 1, 3, '2024-05-15', '2024-05-16', 'Hamar', NULL)"))
        connection.execute(sa.text(
            "INSERT INTO exam_drafts (id, cohort_id, owner_id, group_id, title, problem_statement, include_prompts,"
            " word_limit, updated_at, use_name_replacements) VALUES (1, 1, NULL, 1, '\"Vår tittel\"',"
            " '\"Vår problemstilling\"', true, NULL, '2024-10-01 00:00:00', false)"))
    _ids_after_the_seeded_rows(empty_engine, "users", "cohorts", "cohort_memberships", "documents",
                               "reflection_groups", "gatherings", "exam_drafts")
    db.migrate(empty_engine)
    assert schema_differences(empty_engine) == []
    made = datetime(2024, 1, 1, tzinfo=UTC)
    with Session(empty_engine, expire_on_commit=False) as session:
        ola = session.get(User, 1)
        gathering = session.get(models.Gathering, 1)
        assert (gathering.version, gathering.updated_at, gathering.place) == (0, made, "Hamar")

        def third_event():
            [event] = Calendar.from_ical(calendar.build_calendar(ola, session=session)).walk("VEVENT")
            return event

        event = third_event()
        assert (event.decoded("SEQUENCE"), event.decoded("DTSTAMP"), event.decoded("LAST-MODIFIED")) == (0, made, made)
        admin = accounts.create_admin(session, username="ada", display_name="Ada", password="et langt nok passord")
        programme.update_gathering(admin, session=session, gathering_id=1, number=3, start_date=date(2024, 5, 17),
                                   end_date=date(2024, 5, 18), place="Hamar", theme_id=None)
        session.commit()
        event = third_event()
        assert event.decoded("SEQUENCE") == 1 and event.decoded("DTSTART") == date(2024, 5, 17)
        assert event.decoded("LAST-MODIFIED") > datetime.now(UTC) - timedelta(minutes=5)

        draft = session.get(models.ExamDraft, 1)
        assert (draft.title, draft.title_by, draft.problem_statement, draft.problem_statement_by) == (
            "Vår tittel", None, "Vår problemstilling", None)
        exam.update_settings(ola, session=session, draft_id=1, title="Vår tittel", problem_statement="Ny",
                             include_prompts=True, word_limit=None)
        session.commit()
        assert (draft.title_by, draft.problem_statement_by) == (None, 1)  # only what she changed is hers
        # The keys are real foreign keys, and a deleted account leaves its texts without an author.
        draft.title_by = 2
        session.commit()
        session.execute(sa.delete(User).where(User.id == 2))
        session.commit()
        session.expire_all()
        assert (session.get(models.ExamDraft, 1).title, session.get(models.ExamDraft, 1).title_by) == (
            "Vår tittel", None)
        session.get(models.ExamDraft, 1).problem_statement_by = 999
        with pytest.raises(sa.exc.IntegrityError):
            session.flush()


def test_upgrading_to_0011_keeps_every_document_and_starts_with_nothing_unmatched(empty_engine):
    """0011 adds documents.unmatched_links (what an import found no match for): every document of before
    comes through with nothing unmatched (SQL NULL, not JSON null), and the column keeps what is put in it."""
    from ledpro_journal.services import data_export, journal

    db.migrate(empty_engine, "0010")
    with empty_engine.begin() as connection:  # rows as the 0010 release wrote them, without today's models
        _a_participant_with_a_note(connection, "ola", "Møtet", "Per tok ordet.")
    _ids_after_the_seeded_rows(empty_engine, "users", "cohorts", "cohort_memberships", "documents")
    db.migrate(empty_engine)
    assert schema_differences(empty_engine) == []
    with empty_engine.connect() as connection:
        assert connection.execute(sa.text("SELECT COUNT(*) FROM documents WHERE unmatched_links IS NULL")).scalar() == 1
    with Session(empty_engine, expire_on_commit=False) as session:
        ola = session.get(User, 1)
        note = journal.get_document(ola, session=session, document_id=1)
        assert (note.fields["free_text"], note.unmatched_links) == ("Per tok ordet.", None)
        note.unmatched_links = {"gathering": 5, "themes": ["Tema X"]}
        session.add(note)
        session.commit()
    with Session(empty_engine, expire_on_commit=False) as session:
        ola = session.get(User, 1)
        [exported] = data_export.collect(ola, session=session)["documents"]
        assert (exported["gathering"], exported["themes"]) == (5, ["Tema X"])
