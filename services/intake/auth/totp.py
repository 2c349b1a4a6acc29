"""Time-based one-time passwords (RFC 6238, pyotp): secrets, their encryption, and codes.

Pure functions, no database: `second_factor.py` stores what these return. A secret is kept
only encrypted (Fernet, with a key derived from CLINIC_SECRET_KEY by HKDF), so a database
copy alone does not let anyone make codes. Rotating the secret key therefore means every
enrolled account enrols again.
"""

from __future__ import annotations

import base64
import hmac
from datetime import datetime

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.intake.digits import is_ascii_number

ISSUER = "Ankle Clinic"
STEP_SECONDS = 30
# One step either side: a phone clock a little off, or a code typed as it rolls over.
ACCEPTED_DRIFT_STEPS = 1


class UnreadableSecret(Exception):
    """The stored secret was encrypted under another secret key."""


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits, RFC 4226's recommended length


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(name=email,
                                                                      issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG QR code, for the enrolment page."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def step_at(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step whose code this is (within the accepted drift), or None."""
    code = "".join(code.split())
    if len(code) != 6 or not is_ascii_number(code):
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = step_at(now)
    for step in range(current - ACCEPTED_DRIFT_STEPS, current + ACCEPTED_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"clinic staff one-time-code secrets").derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(secret_key: str, secret: str) -> str:
    return _fernet(secret_key).encrypt(secret.encode()).decode()


def decrypt(secret_key: str, stored: str) -> str:
    try:
        return _fernet(secret_key).decrypt(stored.encode()).decode()
    except InvalidToken:
        raise UnreadableSecret("the one-time-code secret was stored under another key") from None
