"""Email: over SMTP when a server is configured, otherwise into a local Maildir a person can
open (the local one-command run has no mail server)."""

from __future__ import annotations

import mailbox
import smtplib
from email.message import EmailMessage

from services.notify.channels.base import RejectedDelivery, TransientDeliveryError
from services.notify.messages import RenderedMessage
from shared.settings import Settings


class EmailChannel:
    name = "email"

    def __init__(self, settings: Settings):
        self.settings = settings

    def send(self, to: str, message: RenderedMessage, idempotency_key: str) -> None:
        email = EmailMessage()
        email["From"] = self.settings.smtp_sender
        email["To"] = to
        email["Subject"] = message.subject or ""
        # Lets a receiving system drop a copy resent after a crash between send and commit.
        email["Message-ID"] = f"<{idempotency_key}@clinic.local>"
        email.set_content(message.body)
        if not self.settings.smtp_host:
            self.settings.maildir.parent.mkdir(parents=True, exist_ok=True)
            mailbox.Maildir(self.settings.maildir, create=True).add(email)
            return
        try:
            with smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=10) as smtp:
                smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            _raise_for_code(min(codes) if codes else 550, "recipient refused")
        except smtplib.SMTPResponseException as exc:
            _raise_for_code(exc.smtp_code, "smtp")
        except (smtplib.SMTPException, OSError) as exc:  # refused, timed out, disconnected
            raise TransientDeliveryError(type(exc).__name__) from exc

    def close(self) -> None:
        pass


def _raise_for_code(code: int, what: str) -> None:
    # SMTP 4xx means "try again later"; 5xx is a permanent refusal.
    if 400 <= code < 500:
        raise TransientDeliveryError(f"{what} {code}")
    raise RejectedDelivery(f"{what} {code}")
