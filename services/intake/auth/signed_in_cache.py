"""A one-second memory, per API process, of which staff token opened which user.

Why: every staff request looked its token up in PostgreSQL, a round trip and a fifth of the
API's time per form submitted (bench profile), while a clinician's page and its fragments
present the same token many times a second. Why it is safe: an entry lives at most
MEMORY_SECONDS and never past its session's expiry; sign-out, deactivation and role or
password changes forget the user's tokens in the process that made them at once, and other
API processes stop accepting them within MEMORY_SECONDS.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from cachetools import TTLCache

from services.intake.auth.schemas import SignedIn

MEMORY_SECONDS = 1.0
MAX_TOKENS = 10_000


class SignedInCache:
    def __init__(self, seconds: float = MEMORY_SECONDS, size: int = MAX_TOKENS,
                 timer: Callable[[], float] = time.monotonic):
        self._entries: TTLCache[str, SignedIn] = TTLCache(size, seconds, timer)
        self._pending: dict[str, asyncio.Future[SignedIn | None]] = {}

    def get(self, token_digest: str, now: datetime) -> SignedIn | None:
        known = self._entries.get(token_digest)
        return None if known is None or known.expires_at <= now else known

    def remember(self, token_digest: str, signed_in: SignedIn) -> None:
        self._entries[token_digest] = signed_in

    async def look_up_once(self, token_digest: str,
                           look_up: Callable[[], Awaitable[SignedIn | None]]) -> SignedIn | None:
        """`look_up()`, shared by every request that misses this token while it runs. When an
        entry lapsed under load, each request in flight with that token took a pooled
        connection for the same row, once a second (bench: intake p99 75-128 ms; 57-84 ms
        with the memory lasting a minute)."""
        pending = self._pending.get(token_digest)
        if pending is None:
            pending = asyncio.ensure_future(look_up())
            self._pending[token_digest] = pending
            pending.add_done_callback(lambda done: self._settled(token_digest, done))
        # Shielded: one waiter's cancellation (its client went away) is not the others'.
        return await asyncio.shield(pending)

    def _settled(self, token_digest: str, done: asyncio.Future) -> None:
        self._pending.pop(token_digest, None)
        if not done.cancelled():
            done.exception()  # seen, even if every waiter was cancelled

    def forget_token(self, token_digest: str) -> None:
        self._entries.pop(token_digest, None)

    def forget_user(self, user_id: uuid.UUID) -> None:
        for digest, signed_in in list(self._entries.items()):
            if signed_in.user_id == user_id:
                self._entries.pop(digest, None)
