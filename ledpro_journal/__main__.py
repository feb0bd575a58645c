"""Command line for operators: python -m ledpro_journal COMMAND.

  migrate                      bring the database schema up to date
  create-admin --username U    create an administrator (password asked for, or --password-stdin)
  reset-password --username U  set a new password and sign that user out everywhere
  export-exam --user U --out F.docx [--group] [--language nb|en]
                               build a participant's exam draft, as the page's download would
  purge-closed-cohorts [--today YYYY-MM-DD]
                               delete the content of closed cohorts whose deletion date has come (daily)
  send-reminders [--today YYYY-MM-DD]
                               send the reminder e-mails due today (cron or a systemd timer)
  backup FILE [--force]        copy the SQLite database to FILE, safe while the app runs
  restore FILE                 replace the SQLite database with a checked backup, migrated (stop the app first)
  purge-old-records            delete old sign-in attempts and ended sign-ins (daily)
"""

from __future__ import annotations

import argparse
import getpass
import sys
from datetime import date
from pathlib import Path

from ledpro_journal import backups, db
from ledpro_journal.config import get_settings
from ledpro_journal.i18n import LANGUAGES, format_number, t, today_in_oslo
from ledpro_journal.services import accounts, exam, programme
from ledpro_journal.services.errors import Invalid, NotFound, ServiceError


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Passord: ")
    if getpass.getpass("Gjenta passordet: ") != first:
        raise SystemExit(t("account.password_mismatch"))
    return first


def _explain(error: Invalid) -> str:
    return "\n".join(f"{field}: {t(key, None, **params)}" for field, (key, params) in error.errors.items())


def main(argv: list[str] | None = None) -> int:
    """Runs one command. A database that cannot be reached (wrong address, server down, no such database)
    is one line on stderr and exit status 3, whatever the command: operators read it in a terminal or in
    cron's mail, where a traceback hides the reason."""
    try:
        return _run(argv)
    except db.DATABASE_UNREACHABLE as error:
        print(db.database_unreachable(error), file=sys.stderr)
        return db.EXIT_DATABASE_UNREACHABLE


def _run(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ledpro_journal", description="LEDPRO Journal for operators.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="bring the database schema up to date")
    for name, help_text in (("create-admin", "create an administrator"), ("reset-password", "set a user's password")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("--username", required=True)
        command.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
        if name == "create-admin":
            command.add_argument("--name", default="Administrator", help="the name shown in the app")
    export = commands.add_parser("export-exam", help="build a participant's exam draft (.docx)")
    export.add_argument("--user", required=True, help="the participant's username")
    export.add_argument("--out", required=True, type=Path, help="where to write the .docx")
    export.add_argument("--group", action="store_true", help="the reflection group's draft instead")
    export.add_argument("--language", choices=list(LANGUAGES), help="default: the participant's own")
    # --- reminders (parser) ---
    remind = commands.add_parser("send-reminders", help="send the reminder e-mails due today (cron, systemd timer)")
    remind.add_argument("--today", type=date.fromisoformat, metavar="YYYY-MM-DD",
                        help="act as if it were this day in Oslo (for testing)")
    # --- leaving and closing a cohort (parser) ---
    purge = commands.add_parser(
        "purge-closed-cohorts", help="delete the content of closed cohorts whose deletion date has come (daily)"
    )
    purge.add_argument("--today", type=date.fromisoformat, metavar="YYYY-MM-DD",
                       help="act as if it were this day in Oslo (default: today)")
    # --- backups (parser) ---
    backup = commands.add_parser("backup", help="copy the SQLite database to FILE (safe while the app runs)")
    backup.add_argument("file", type=Path, metavar="FILE")
    backup.add_argument("--force", action="store_true", help="overwrite FILE if it exists")
    restore = commands.add_parser("restore", help="replace the SQLite database with a backup (stop the app first)")
    restore.add_argument("file", type=Path, metavar="FILE")
    commands.add_parser("purge-old-records", help="delete old sign-in attempts and ended sign-ins (daily)")
    args = parser.parse_args(argv)

    # --- backups (before the schema is touched) ---
    if args.command in ("backup", "restore"):
        return _backup_or_restore(args)
    if args.command == "purge-old-records":
        return _purge_old_records()
    db.migrate()
    if args.command == "migrate":
        print(f"database at revision {db.current_revision(db.get_engine())}")
        return 0
    if args.command == "export-exam":
        return _export_exam(args)
    # --- reminders (command) ---
    if args.command == "send-reminders":
        from ledpro_journal.mail import run_send_reminders  # SMTP and e-mail only for this command

        return run_send_reminders(args.today)
    # --- leaving and closing a cohort (command) ---
    if args.command == "purge-closed-cohorts":
        return _purge_closed_cohorts(args.today or today_in_oslo())
    password = _read_password(args.password_stdin)
    try:
        with db.session_scope() as session:
            if args.command == "create-admin":
                user = accounts.create_admin(
                    session, username=args.username, display_name=args.name, password=password
                )
                print(f"administrator {user.username} created")
            else:
                user = accounts.reset_password(session, username=args.username, password=password)
                print(f"password set for {user.username}; every session of that user is ended")
    except Invalid as error:
        print(_explain(error), file=sys.stderr)
        return 2
    except NotFound as error:
        print(t(error.key), file=sys.stderr)
        return 2
    return 0


def _purge_closed_cohorts(today: date) -> int:
    """Idempotent: a cohort's content is deleted once; a second run on the same day deletes nothing."""
    with db.session_scope() as session:
        purged = programme.purge_due_cohorts(session, today=today)
    if not purged:
        print(f"no closed cohort is due for deletion on {today.isoformat()}: nothing deleted")
    for done in purged:
        print(f"{done.cohort}: deleted the content of {done.participants} participants ({done.documents} documents); "
              f"deletion date {done.deletion_on.isoformat()}")
    return 0


def _export_exam(args: argparse.Namespace) -> int:
    try:
        with db.session_scope() as session:
            exam_file = exam.export_for_user(
                session, username=args.user, mode=exam.GROUP if args.group else exam.INDIVIDUAL,
                today=today_in_oslo(), lang=args.language,
            )
    except ServiceError as error:
        print(t(error.key, args.language, **error.params), file=sys.stderr)
        return 2
    try:
        args.out.write_bytes(exam_file.content)
    except OSError as error:
        print(f"{args.out}: {error.strerror}", file=sys.stderr)
        return 2
    print(f"{args.out} written ({len(exam_file.content):,} bytes; suggested name {exam_file.filename})")
    if exam_file.removed_characters:
        print(f"{exam_file.removed_characters} characters Word cannot hold were left out of the document",
              file=sys.stderr)
    return 0


def _backup_or_restore(args: argparse.Namespace) -> int:
    """Runs before migrations: a backup copies the database as it is, a restore checks the file first."""
    url = get_settings().database_url
    try:
        if args.command == "backup":
            done = backups.backup(url, args.file, force=args.force)
            print(t("cli.backup.done", path=done.path, size=format_number(done.size), revision=done.revision))
        else:
            restored = backups.restore(url, args.file)
            if restored.safety_copy is not None:
                print(t("cli.restore.safety_copy", path=restored.safety_copy))
            print(t("cli.restore.done", path=args.file, backup_revision=restored.backup_revision,
                    revision=restored.revision))
    except backups.NotSQLite:
        dump, restore = backups.postgresql_commands(url, args.file)
        if args.command == "backup":
            print(t("cli.backup.postgresql", command=dump), file=sys.stderr)
        else:
            print(t("cli.restore.postgresql", command=f"{restore}\n  python -m ledpro_journal migrate"),
                  file=sys.stderr)
        return 2
    except backups.BackupError as error:
        print(t(error.key, **error.params), file=sys.stderr)
        return 2
    return 0


def _purge_old_records() -> int:
    db.migrate()
    settings = get_settings()
    with db.session_scope() as session:
        purged = accounts.purge_old_records(session)
    print(t("cli.purge.done", attempts=purged.attempts, attempt_days=settings.login_records_days,
            sessions=purged.sessions, session_days=settings.ended_sessions_days, events=purged.audit_events,
            event_days=settings.audit_days))
    return 0


if __name__ == "__main__":
    sys.exit(main())
