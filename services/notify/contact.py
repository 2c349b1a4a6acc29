"""Which channels may reach a patient. Plain Python, no I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shared.opt_outs import CHANNELS


@dataclass(frozen=True)
class Route:
    channel: str
    address: str


def choose_routes(email: str | None, phone: str | None, opted_out: set[str],
                  available: set[str]) -> list[Route]:
    """Every channel the clinic can send on, the patient has an address for, and has not
    refused. A patient with email and phone gets both: a reminder is worth the repeat."""
    addresses = {"email": email, "sms": normalise_phone(phone) if phone else None}
    return [Route(channel, addresses[channel]) for channel in CHANNELS
            if addresses[channel] and channel in available and channel not in opted_out]


def normalise_phone(phone: str) -> str:
    """The dialable form: a leading + and digits only (providers and STOP replies agree on it)."""
    digits = re.sub(r"\D", "", phone)
    return f"+{digits}" if phone.strip().startswith("+") else digits
