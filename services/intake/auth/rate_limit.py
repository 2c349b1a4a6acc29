"""Failed sign-ins limited per account and per address, counted in Redis.

Counting happens for addresses that have no account too, so the limit's answer never hints
whether an account exists.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger("intake.auth.rate_limit")


@dataclass(frozen=True)
class Limits:
    per_account: int = 5
    per_address: int = 20
    window_seconds: int = 15 * 60


def _keys(email: str, address: str) -> tuple[str, str]:
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"signin:fail:account:{account}", f"signin:fail:address:{address}"


async def seconds_locked_out(redis: Redis, email: str, address: str, limits: Limits) -> int:
    """0 when another attempt is allowed; else how long until it is."""
    account_key, address_key = _keys(email, address)
    try:
        account, by_address = await redis.mget(account_key, address_key)
        if int(account or 0) >= limits.per_account:
            return max(await redis.ttl(account_key), 1)
        if int(by_address or 0) >= limits.per_address:
            return max(await redis.ttl(address_key), 1)
    except RedisError as exc:
        # Failing open keeps staff able to sign in during a Redis outage; argon2's cost still
        # slows guessing. Logged so the outage is seen.
        log.warning("sign-in limiter unavailable (%s); allowing attempt", type(exc).__name__)
    return 0


async def record_failure(redis: Redis, email: str, address: str, limits: Limits) -> None:
    try:
        async with redis.pipeline(transaction=True) as pipe:
            for key in _keys(email, address):
                # SET NX EX starts the window on the first failure only (EXPIRE NX needs
                # Redis 7; the embedded server is 6.2).
                pipe.set(key, 0, ex=limits.window_seconds, nx=True)
                pipe.incr(key)
            await pipe.execute()
    except RedisError as exc:
        log.warning("sign-in limiter unavailable (%s); failure not counted", type(exc).__name__)


async def clear_account(redis: Redis, email: str) -> None:
    try:
        await redis.delete(_keys(email, "-")[0])
    except RedisError:
        pass  # the counter expires by itself
