"""Sending e-mail over SMTP (LEDPRO_SMTP_* settings), and the `send-reminders` command's run.

One connection serves the whole run. A message the server refuses (a recipient, say) fails alone; a
server that cannot be reached, refuses the login or drops the connection ends the run, and what was not
sent stays due for the next one (services.reminders lets its claims go). An address the server refuses
for good (`_refused_for_good`) is not tried again for that reminder, unless the server refused every
address of the run so (services.reminders.ALL_REFUSED): that is reported as a set-up problem, and all are
tried again.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import sys
from datetime import date
from email.message import EmailMessage
from typing import TextIO

from ledpro_journal import db
from ledpro_journal.config import Settings, get_settings
from ledpro_journal.i18n import today_in_oslo
from ledpro_journal.services import reminders
from ledpro_journal.services.reminders import AddressRefused, MessageRefused, ServerFailed

# An enhanced status code (RFC 3463) at the start of a reply's text: class.subject.detail; or, as qmail
# gives it, in "(#5.1.1)" at the end.
_ENHANCED_STATUS = re.compile(r"\s*([245])\.(\d{1,3})\.(\d{1,3})(?!\d)")
_QMAIL_STATUS = re.compile(r"\(#([245])\.(\d{1,3})\.(\d{1,3})\)")
# The enhanced codes that say the recipient's address itself is no good (RFC 3463): 5.1.1 no such mailbox,
# 5.1.2 no such domain, 5.1.3 bad address syntax, 5.1.6 mailbox moved, 5.1.10 null MX, 5.2.1 mailbox
# disabled. Not the rest of 5.1.x: 5.1.0, 5.1.7 and 5.1.8 are what Postfix and others reply, at RCPT TO,
# about the SENDER (LEDPRO_MAIL_FROM), which would refuse every address of the run the same way.
_ADDRESS_CODES = frozenset({("1", "1"), ("1", "2"), ("1", "3"), ("1", "6"), ("1", "10"), ("2", "1")})
# Without an enhanced code, a 550, 551 or 553 counts only when its text says the recipient does not
# exist, and says nothing of the sender, of relaying or of policy (Exim's "550 relay not permitted", a
# "550 Sender ... rejected" are about how the sending is set up).
_NO_SUCH_RECIPIENT = ("user unknown", "unknown user", "no such user", "no such mailbox", "no such recipient",
                      "no mailbox here", "mailbox unavailable", "mailbox not found", "mailbox does not exist",
                      "user not found", "user does not exist", "address does not exist", "user not local",
                      "recipient rejected", "recipient address rejected", "unknown recipient",
                      "recipient unknown", "invalid recipient", "recipient not found")
_ABOUT_THE_SETUP = ("sender", "relay", "rcpthosts", "mail from", "policy", "denied", "not permitted",
                    "not allowed", "authenticat", "spam", "block", "blacklist", "reputation")
_ADDRESSES = re.compile(r"<[^<>]*>")


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{address}: {code} {_text(reply)}" for address, (code, reply) in error.recipients.items())
    if isinstance(error, smtplib.SMTPResponseException):
        return f"{error.smtp_code} {_text(error.smtp_error)}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _refused_for_good(error: smtplib.SMTPRecipientsRefused) -> bool:
    """Every recipient refused at RCPT TO with a permanent reply that the address itself is no good: a
    5xx whose enhanced status code is one of _ADDRESS_CODES, or, from a server without enhanced codes, a
    550, 551 or 553 whose text says the recipient does not exist; never a reply that speaks of the sender.
    Anything else is tried again next run: 4xx (busy, greylisting), a refused connection or a timeout,
    5.7.x (relaying denied, authentication required) and 5.1.0/5.1.7/5.1.8 (the sender refused), which
    say the sending is set up wrong, not that the address is."""
    return bool(error.recipients) and all(
        _address_refused(code, _text(reply)) for code, reply in error.recipients.values()
    )


def _address_refused(code: int, reply: str) -> bool:
    if not 500 <= code <= 599:
        return False
    # The addresses in it out of the way: a recipient may be called sender@..., the sender relay@...
    words = _ADDRESSES.sub(" ", reply).casefold()
    if "sender" in words:
        return False
    status = _ENHANCED_STATUS.match(reply) or _QMAIL_STATUS.search(reply)
    if status is not None:
        kind, subject, detail = status.groups()
        return kind == "5" and (subject, detail) in _ADDRESS_CODES
    return (
        code in (550, 551, 553)
        and any(phrase in words for phrase in _NO_SUCH_RECIPIENT)
        and not any(word in words for word in _ABOUT_THE_SETUP)
    )


class SmtpSender:
    """Call it with a message; it raises AddressRefused (the address, for good), MessageRefused (this
    message, for now) or ServerFailed. Use it as a context manager so that the connection is closed at the
    end."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSender:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.smtp_security == "ssl":
                smtp = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout,
                                        context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=s.smtp_timeout)
            try:
                smtp.ehlo()
                # Never fall back to sending in clear: a server without STARTTLS fails the run.
                if s.smtp_security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if s.smtp_user:
                    smtp.login(s.smtp_user, s.smtp_password.get_secret_value())
            except BaseException:
                smtp.close()
                raise
        except (smtplib.SMTPException, OSError) as error:
            raise ServerFailed(_describe(error)) from error
        return smtp

    def __call__(self, message: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(message)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
            self._reset()
            if isinstance(error, smtplib.SMTPRecipientsRefused) and _refused_for_good(error):
                raise AddressRefused(_describe(error)) from error
            raise MessageRefused(_describe(error)) from error
        except (smtplib.SMTPException, OSError) as error:
            self._smtp.close()
            self._smtp = None
            raise ServerFailed(_describe(error)) from error

    def _reset(self) -> None:
        """After a refused message the server expects a new transaction."""
        try:
            self._smtp.rset()
        except (smtplib.SMTPException, OSError):
            self._smtp.close()
            self._smtp = None


def run_send_reminders(today: date | None = None, *, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """The `send-reminders` command: 0 when everything due was sent, 1 when something was not (said on
    stderr: it waits for the next run, or its address was refused for good), 2 when the settings do not
    allow sending at all."""
    settings = get_settings()
    missing = [name for name, value in (("LEDPRO_PUBLIC_URL", settings.public_url),
                                        ("LEDPRO_SMTP_HOST", settings.smtp_host),
                                        ("LEDPRO_MAIL_FROM", settings.mail_from)) if not value]
    if missing:
        print(f"send-reminders needs {', '.join(missing)}: the e-mails link to the app at LEDPRO_PUBLIC_URL "
              "(https://...), and are sent through LEDPRO_SMTP_HOST from LEDPRO_MAIL_FROM. Nothing was sent.",
              file=err)
        return 2
    today = today or today_in_oslo()
    with SmtpSender(settings) as sender, db.session_scope() as session:
        outcome = reminders.send_reminders(
            session, today=today, send=sender, sender=settings.mail_from, public_url=settings.public_url
        )
    for reminder in outcome.sent:
        print(f"sent {reminder.key} to {reminder.username} <{reminder.email}>", file=out)
    for reminder, reason in outcome.failed:
        print(f"NOT SENT {reminder.key} to {reminder.username} <{reminder.email}>: {reason} "
              "(tried again at the next run)", file=err)
    for reminder, reason in outcome.refused:
        print(f"NOT SENT {reminder.key} to {reminder.username} <{reminder.email}>: {reason} "
              "(the address is refused for good: this reminder is not tried again)", file=err)
    if outcome.all_refused:
        print(f"SET-UP PROBLEM: SMTP server {settings.smtp_host}:{settings.smtp_port} refused every one of the "
              f"{len(outcome.failed)} addresses tried in this run as if it did not exist. That points at the "
              "set-up (LEDPRO_MAIL_FROM, the relay or the SMTP account), not at the addresses: none is kept as "
              "refused for good, and all are tried again at the next run", file=err)
    if outcome.server_error:
        print(f"SMTP server {settings.smtp_host}:{settings.smtp_port} failed: {outcome.server_error}; "
              f"{len(outcome.not_tried)} reminders wait for the next run", file=err)
    not_sent = len(outcome.failed) + len(outcome.refused) + len(outcome.not_tried)
    print(f"{today.isoformat()}: {len(outcome.sent)} sent, {not_sent} not sent", file=out)
    return 0 if outcome.ok else 1
