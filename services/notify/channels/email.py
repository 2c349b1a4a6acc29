"""Email: over SMTP when a server is configured, otherwise into a local Maildir a person can
open (the local one-command run has no mail server)."""

from __future__ import annotations

import mailbox
import smtplib
from email.message import EmailMessage

from shared.settings import Settings


class EmailChannel:
    name = "email"

    def __init__(self, settings: Settings):
        self.settings = settings

    def send(self, to: str, subject: str, body: str) -> None:
        message = EmailMessage()
        message["From"] = self.settings.smtp_sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(body)
        if self.settings.smtp_host:
            with smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=10) as smtp:
                smtp.send_message(message)
        else:
            self.settings.maildir.parent.mkdir(parents=True, exist_ok=True)
            mailbox.Maildir(self.settings.maildir, create=True).add(message)
