"""The intake service's pages that messages link to, by the name of the route that serves each.

Notify builds every link in an email, SMS or staff alert from this table and never imports
intake; tests/unit/test_public_paths.py checks each path against the intake app's own route of
that name, so a moved or renamed page fails a test instead of sending people to a 404 (staff
alerts once linked to /board)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class PublicPath:
    route_name: str  # the intake route's name: its endpoint function's name
    path: str

    def url(self, base_url: str, **query: str) -> str:
        url = base_url.rstrip("/") + self.path
        return f"{url}?{urlencode(query)}" if query else url


CHECK_IN = PublicPath("check_in_page", "/check-in")
OPT_OUT = PublicPath("opt_out_page", "/opt-out")
STAFF_BOARD = PublicPath("board_page", "/staff/board")

LINKED_FROM_MESSAGES = (CHECK_IN, OPT_OUT, STAFF_BOARD)
