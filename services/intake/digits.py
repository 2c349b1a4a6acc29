"""Numbers as clients send them, in text (a header, a query, an id, a one-time code)."""

from __future__ import annotations


def is_ascii_number(text: str) -> bool:
    """Only the digits 0-9. str.isdigit() alone also accepts "¹" and other digits that int()
    refuses: such a value answered 500 where a clear 400 or 404 was due (schemathesis)."""
    return text.isascii() and text.isdigit()
