"""Failed sign-ins slow down the address they come from, never the account (OWASP's
authentication cheat sheet): a stranger's guesses must not keep the real user out.

Two counters, in Redis, each forgetting its failures after a quiet window:
- per (account, address): after `per_pair` failures that pair waits, first `first_wait`
  seconds, doubling with each further failure up to `max_wait`;
- per address, over every account (password spraying): the same after `per_address`.
A correct password from an address that has not been failing is therefore always let in.
Failures count for addresses that have no account too, so the answer never hints whether an
account exists. Time comes from the caller's clock, so the waits can be tested without sleeping.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("intake.auth.rate_limit")


@dataclass(frozen=True)
class Limits:
    per_pair: int = 5
    per_address: int = 20
    first_wait_seconds: int = 30
    max_wait_seconds: int = 15 * 60
    window_seconds: int = 15 * 60


def wait_after(failures: int, allowed: int, limits: Limits) -> int:
    """Seconds to wait after the `failures`-th failure: none until `allowed`, then doubling."""
    if failures < allowed:
        return 0
    return min(limits.first_wait_seconds * 2 ** min(failures - allowed, 30),
               limits.max_wait_seconds)


def _keys(email: str, address: str) -> tuple[str, str]:
    # The address is hashed too: the keys name no person and no network.
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]
    where = hashlib.sha256(address.encode()).hexdigest()[:32]
    return f"signin:pair:{account}:{where}", f"signin:address:{where}"


async def seconds_to_wait(redis: Redis, email: str, address: str, limits: Limits,
                          now: float) -> int:
    """0 when another attempt is allowed from this address for this account; else how long."""
    try:
        async with redis.pipeline(transaction=False) as pipe:
            for key in _keys(email, address):
                pipe.hget(key, "blocked_until")
            blocked_until = await pipe.execute()
    except RedisError as exc:
        # Failing open keeps staff able to sign in during a Redis outage; argon2's cost still
        # slows guessing. Logged so the outage is seen.
        log.warning("sign-in limiter unavailable (%s); allowing attempt", type(exc).__name__)
        return 0
    latest = max(float(value or 0) for value in blocked_until)
    return math.ceil(latest - now) if latest > now else 0


async def record_failure(redis: Redis, email: str, address: str, limits: Limits,
                         now: float) -> None:
    pair_key, address_key = _keys(email, address)
    keep = limits.window_seconds + limits.max_wait_seconds
    try:
        async with redis.pipeline(transaction=True) as pipe:
            for key in (pair_key, address_key):
                pipe.hincrby(key, "failures", 1)
                pipe.expire(key, keep)
            pair_failures, _, address_failures, _ = await pipe.execute()
        async with redis.pipeline(transaction=True) as pipe:
            for key, failures, allowed in ((pair_key, pair_failures, limits.per_pair),
                                           (address_key, address_failures, limits.per_address)):
                if wait := wait_after(failures, allowed, limits):
                    pipe.hset(key, "blocked_until", now + wait)
            await pipe.execute()
    except RedisError as exc:
        log.warning("sign-in limiter unavailable (%s); failure not counted", type(exc).__name__)


async def clear_pair(redis: Redis, email: str, address: str) -> None:
    """After a complete sign-in; the address's own count stays, so one valid account does not
    let a sprayer start again."""
    try:
        await redis.delete(_keys(email, address)[0])
    except RedisError:
        pass  # the counter expires by itself


def wait_message(seconds: int) -> str:
    wait = f"{seconds} seconds" if seconds < 60 else f"{math.ceil(seconds / 60)} minute(s)"
    return f"Too many failed sign-in attempts from here. Try again in {wait}."
