"""Email: over SMTP when a server is configured, otherwise into a local Maildir a person can
open (the local one-command run has no mail server).

One SMTP connection carries many messages, as a relay expects: it is opened by the first send
and closed by close(). A relay may drop a connection it finds idle or has served enough; the
send that finds it dropped tries once more on a new one. A connection that failed in any
other way is not used again: the next send opens a new one.
"""

from __future__ import annotations

import mailbox
import smtplib
from email import policy
from email.message import EmailMessage

from services.notify.channels.base import RejectedDelivery, TransientDeliveryError
from services.notify.messages import RenderedMessage
from shared.settings import Settings

SMTP_TIMEOUT_SECONDS = 10
# The default policy folds at 78 characters and RFC 2047-encodes a header it cannot break, which
# turned the List-Unsubscribe URL into "=?utf-8?q?=3Chttps..." that no mail client can follow.
# RFC 5322 allows lines up to 998 characters; a signed link fits on one.
LONG_HEADERS = policy.default.clone(max_line_length=998)
CLOSING = 421  # "service not available, closing transmission channel"


class EmailChannel:
    name = "email"

    def __init__(self, settings: Settings):
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None

    def send(self, to: str, message: RenderedMessage, idempotency_key: str) -> None:
        email = EmailMessage(policy=LONG_HEADERS)
        email["From"] = self.settings.smtp_sender
        email["To"] = to
        email["Subject"] = message.subject or ""
        # Lets a receiving system drop a copy resent after a crash between send and commit.
        email["Message-ID"] = f"<{idempotency_key}@clinic.local>"
        if message.unsubscribe_url:
            # RFC 8058: the mail client's unsubscribe button POSTs "List-Unsubscribe=One-Click"
            # to this URL, with no browser session; the signed token in it is the credential.
            email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
            email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email.set_content(message.body)
        if not self.settings.smtp_host:
            self.settings.maildir.parent.mkdir(parents=True, exist_ok=True)
            mailbox.Maildir(self.settings.maildir, create=True).add(email)
            return
        try:
            self._send_over_smtp(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            _raise_for_code(min(codes) if codes else 550, "recipient refused")
        except smtplib.SMTPResponseException as exc:
            _raise_for_code(exc.smtp_code, "smtp")
        except (smtplib.SMTPException, OSError) as exc:  # refused, timed out, disconnected
            raise TransientDeliveryError(type(exc).__name__) from exc

    def close(self) -> None:
        if self._smtp is not None:
            smtp, self._smtp = self._smtp, None
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()  # the server had gone already: nothing left to say goodbye to

    def _send_over_smtp(self, email: EmailMessage) -> None:
        if self._smtp is not None:
            try:
                self._smtp.send_message(email)
                return
            except Exception as exc:
                self._drop()
                if not _dropped(exc):
                    raise
                # Almost always the relay closed the kept connection while it sat idle, before
                # this message: once more, on a new connection.
        self._smtp = smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port,
                                  timeout=SMTP_TIMEOUT_SECONDS)  # the first send, or after a drop
        try:
            self._smtp.send_message(email)
        except Exception:
            self._drop()
            raise

    def _drop(self) -> None:
        # No QUIT: after a failure the server may be gone or stuck, and would only be waited for.
        if self._smtp is not None:
            smtp, self._smtp = self._smtp, None
            smtp.close()


def _dropped(exc: Exception) -> bool:
    """The server closed a kept connection: a try on a new connection may well succeed.
    A timeout is not one of these: the server may be stuck, and waiting twice helps nobody."""
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code == CLOSING
    return isinstance(exc, (smtplib.SMTPServerDisconnected, ConnectionError))


def _raise_for_code(code: int, what: str) -> None:
    # SMTP 4xx means "try again later"; 5xx is a permanent refusal.
    if 400 <= code < 500:
        raise TransientDeliveryError(f"{what} {code}")
    raise RejectedDelivery(f"{what} {code}")
