"""A real SMTP server for tests (aiosmtpd on 127.0.0.1, a free port) that keeps what arrives, or refuses it:
every message (at DATA), or one recipient's address or every one (at RCPT TO)."""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Arrived:
    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def text(self) -> str:
        return self.message.get_content()

    @property
    def everything(self) -> str:
        """Headers and body, decoded: what a search for a word in the whole message must look through."""
        return str(self.message) + "\n" + self.text


class _Handler:
    def __init__(self) -> None:
        self.arrived: list[Arrived] = []
        self.refuse_with: str | None = None
        self.refused_recipients: dict[str, str] = {}
        self.refuse_every_recipient: str | None = None
        self.lock = threading.Lock()

    async def handle_RCPT(self, _server, _session, envelope, address, _options) -> str:  # noqa: N802 - aiosmtpd's
        reply = self.refused_recipients.get(address) or self.refuse_every_recipient
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server, _session, envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        if self.refuse_with:
            return self.refuse_with
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self.lock:
            self.arrived.append(Arrived(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """Start with `with Mailbox() as box:`; `box.port` to send to, `box.arrived` what came."""

    def __init__(self) -> None:
        self.handler = _Handler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> Mailbox:
        self.controller.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.controller.stop()

    @property
    def arrived(self) -> list[Arrived]:
        with self.handler.lock:
            return list(self.handler.arrived)

    def refuse(self, reply: str | None = "554 5.7.1 Message refused") -> None:
        """Every message from now on gets this reply instead of being kept (None: keep them again)."""
        self.handler.refuse_with = reply

    def refuse_recipient(self, address: str, reply: str | None) -> None:
        """RCPT TO this address gets this reply from now on (None: accepted again)."""
        if reply:
            self.handler.refused_recipients[address] = reply
        else:
            self.handler.refused_recipients.pop(address, None)

    def refuse_every_recipient(self, reply: str | None) -> None:
        """RCPT TO any address gets this reply from now on, as when the server refuses the sender there
        (Postfix's "Sender address rejected") or relaying (None: accepted again)."""
        self.handler.refuse_every_recipient = reply
