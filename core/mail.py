"""Sending e-mail through one small interface.

``OutboxMailer`` (embedded default) writes each message as an ``.eml`` file
in a folder that people and tests can read; ``SmtpMailer`` sends through an
SMTP server. Views never send directly: they call :func:`send_mail`, which
goes through the job queue (mail is slow work).
"""
from __future__ import annotations

import os
import smtplib
import ssl as ssl_module
import itertools
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate, make_msgid
from pathlib import Path


@dataclass
class Message:
    to: list[str]
    subject: str
    text: str
    html: str | None = None
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)  # (filename, mimetype, data)

    def build(self, sender: str) -> EmailMessage:
        msg = EmailMessage(policy=SMTP)
        msg["From"] = sender
        msg["To"] = ", ".join(self.to)
        msg["Subject"] = self.subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1].strip(">") or "livret.localhost")
        msg.set_content(self.text)
        if self.html:
            msg.add_alternative(self.html, subtype="html")
        for filename, mimetype, data in self.attachments:
            maintype, _, subtype = mimetype.partition("/")
            msg.add_attachment(data, maintype=maintype, subtype=subtype or "octet-stream", filename=filename)
        return msg


_SEQUENCE = itertools.count()


class OutboxMailer:
    """Writes messages to ``<folder>/<timestamp>-<id>.eml`` atomically."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Names sort in sending order: wall-clock nanoseconds, then a per-process counter
        # (uuid1's integer starts with time_low, which wraps every 429 s and broke the order).
        name = f"{time.time_ns():020d}-{next(_SEQUENCE):08d}-{uuid.uuid4().hex[:8]}.eml"
        fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(bytes(message))
        os.replace(tmp, self.folder / name)

    def messages(self) -> list[EmailMessage]:
        """Messages in the outbox, oldest first (used by tests and the demo)."""
        from email import message_from_bytes
        from email.policy import default

        if not self.folder.is_dir():
            return []
        return [message_from_bytes(p.read_bytes(), policy=default)
                for p in sorted(self.folder.glob("*.eml"))]


class SmtpMailer:
    def __init__(self, host: str, port: int, username: str = "", password: str = "",
                 starttls: bool = False, ssl: bool = False, timeout: float = 30):
        self.host, self.port = host, port
        self.username, self.password = username, password
        self.starttls, self.ssl, self.timeout = starttls, ssl, timeout

    def send(self, message: EmailMessage) -> None:
        context = ssl_module.create_default_context()
        if self.ssl:
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.starttls and not self.ssl:
                client.starttls(context=context)
            if self.username:
                client.login(self.username, self.password)
            client.send_message(message)


def deliver(to: list[str], subject: str, text: str, html: str | None = None,
            attachments: list[tuple[str, str, bytes]] | None = None) -> None:
    """Job: build and send one message with the application's mailer."""
    from flask import current_app

    state = current_app.extensions["livret"]
    message = Message(to=to, subject=subject, text=text, html=html,
                      attachments=[tuple(a) for a in attachments or []]).build(current_app.config["MAIL_FROM"])
    state.mailer.send(message)


def send_mail(to: str | list[str], subject: str, text: str, html: str | None = None,
              attachments: list[tuple[str, str, bytes]] | None = None) -> str:
    """Queue an e-mail; ``attachments``: ``(filename, mimetype, data)`` tuples. Returns the job id."""
    from flask import current_app

    recipients = [to] if isinstance(to, str) else list(to)
    extra = {"attachments": [tuple(a) for a in attachments]} if attachments else {}
    return current_app.extensions["livret"].jobs.enqueue(
        "core.mail.deliver", to=recipients, subject=subject, text=str(text), html=html, **extra)
