"""The API's memory of signed-in tokens: bounded in time, never past the session's expiry,
and forgetful on demand."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.intake.auth.schemas import SignedIn
from services.intake.auth.signed_in_cache import SignedInCache

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def signed_in(user_id: uuid.UUID | None = None, expires_in: timedelta = timedelta(hours=8)):
    return SignedIn(token="stf_token", user_id=user_id or uuid.uuid4(), role="clinician",
                    display_name="Dr Example", expires_at=NOW + expires_in)


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_remembered_token_is_known_until_the_memory_lapses():
    clock = Clock()
    cache = SignedInCache(seconds=0.05, timer=clock)
    cache.remember("digest", entry := signed_in())
    assert cache.get("digest", NOW) == entry
    clock.now += 0.08
    assert cache.get("digest", NOW) is None


def test_a_token_is_never_known_past_its_sessions_expiry():
    cache = SignedInCache()
    cache.remember("digest", signed_in(expires_in=timedelta(seconds=1)))
    assert cache.get("digest", NOW + timedelta(seconds=1)) is None


def test_forgetting_a_user_forgets_every_token_of_theirs_and_no_other():
    cache, user = SignedInCache(), uuid.uuid4()
    cache.remember("a", signed_in(user))
    cache.remember("b", signed_in(user))
    cache.remember("c", other := signed_in())
    cache.forget_user(user)
    assert cache.get("a", NOW) is None and cache.get("b", NOW) is None
    assert cache.get("c", NOW) == other


class Lookups:
    """A lookup that runs until `finish` is set, counting how often it ran."""

    def __init__(self, result=None, error: Exception | None = None):
        self.result, self.error, self.calls = result, error, 0
        self.finish = asyncio.Event()

    async def __call__(self):
        self.calls += 1
        await self.finish.wait()
        if self.error is not None:
            raise self.error
        return self.result


def test_requests_missing_one_token_at_once_share_one_lookup_and_the_next_miss_looks_again():
    cache, lookup = SignedInCache(), Lookups(result=signed_in())

    async def scenario():
        waiting = asyncio.gather(*(cache.look_up_once("d", lookup) for _ in range(20)))
        await asyncio.sleep(0)  # one turn: every request has started and waits on the lookup
        lookup.finish.set()
        together = await waiting
        later = await cache.look_up_once("d", lookup)
        return together, later

    together, later = asyncio.run(scenario())

    assert lookup.calls == 2
    assert all(found == lookup.result for found in together) and later == lookup.result


def test_a_failed_lookup_reaches_every_waiter_and_is_not_remembered():
    cache, lookup = SignedInCache(), Lookups(error=ConnectionError("database away"))

    async def scenario():
        waiting = asyncio.gather(*(cache.look_up_once("d", lookup) for _ in range(5)),
                                 return_exceptions=True)
        await asyncio.sleep(0)
        lookup.finish.set()
        outcomes = await waiting
        with pytest.raises(ConnectionError):
            await cache.look_up_once("d", lookup)
        return outcomes

    outcomes = asyncio.run(scenario())

    assert lookup.calls == 2
    assert all(isinstance(outcome, ConnectionError) for outcome in outcomes)


def test_one_waiter_cancelled_does_not_cancel_the_lookup_for_the_others():
    cache, lookup = SignedInCache(), Lookups(result=signed_in())

    async def scenario():
        first = asyncio.ensure_future(cache.look_up_once("d", lookup))
        second = asyncio.ensure_future(cache.look_up_once("d", lookup))
        await asyncio.sleep(0)
        first.cancel()
        lookup.finish.set()
        return await second

    assert asyncio.run(scenario()) == lookup.result
    assert lookup.calls == 1
