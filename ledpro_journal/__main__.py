"""Command line for operators: python -m ledpro_journal COMMAND.

  migrate                      bring the database schema up to date
  create-admin --username U    create an administrator (password asked for, or --password-stdin)
  reset-password --username U  set a new password and sign that user out everywhere
  export-exam --user U --out F.docx [--group] [--language nb|en]
                               build a participant's exam draft, as the page's download would
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from ledpro_journal import db
from ledpro_journal.i18n import t, today_in_oslo
from ledpro_journal.services import accounts, exam
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
    export.add_argument("--language", choices=["nb", "en"], help="default: the participant's own")
    # --- reminders (parser) ---
    # --- leaving and closing a cohort (parser) ---
    # --- backups (parser) ---
    args = parser.parse_args(argv)

    # --- backups (before the schema is touched) ---
    db.migrate()
    if args.command == "migrate":
        print(f"database at revision {db.current_revision(db.get_engine())}")
        return 0
    if args.command == "export-exam":
        return _export_exam(args)
    # --- reminders (command) ---
    # --- leaving and closing a cohort (command) ---
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


if __name__ == "__main__":
    sys.exit(main())
