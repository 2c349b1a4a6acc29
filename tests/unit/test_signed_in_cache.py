"""The API's memory of signed-in tokens: bounded in time, never past the session's expiry,
and forgetful on demand."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

from services.intake.auth.signed_in_cache import SignedIn, SignedInCache

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def signed_in(user_id: uuid.UUID | None = None, expires_in: timedelta = timedelta(hours=8)):
    return SignedIn(user_id=user_id or uuid.uuid4(), role="clinician",
                    expires_at=NOW + expires_in)


def test_a_remembered_token_is_known_until_the_memory_lapses():
    cache = SignedInCache(seconds=0.05)
    cache.remember("digest", entry := signed_in())
    assert cache.get("digest", NOW) == entry
    time.sleep(0.08)
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
