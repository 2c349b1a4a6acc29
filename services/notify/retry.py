"""How long a transiently failed delivery waits, and when to give up. Plain Python, no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

JITTER_FRACTION = 0.1


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base: timedelta
    cap: timedelta

    def exhausted(self, attempts_made: int) -> bool:
        return attempts_made >= self.max_attempts

    def delay(self, attempts_made: int, jitter: float = 0.0) -> timedelta:
        """Exponential: base, 2*base, 4*base ... capped; `jitter` in [0, 1) adds up to 10% so
        reminders that failed together in a provider outage do not all return together."""
        exponential = self.base * (2 ** max(attempts_made - 1, 0))
        return min(exponential, self.cap) * (1 + JITTER_FRACTION * jitter)
