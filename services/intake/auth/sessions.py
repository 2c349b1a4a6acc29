"""Staff sign-in sessions: opaque random tokens, stored only as hashes, revocable."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import bindparam
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.auth.schemas import SignedIn
from services.intake.auth.signed_in_cache import SignedInCache
from shared.models import AuthSession, User

STAFF_TOKEN_PREFIX = "stf_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_staff_token(token: str) -> bool:
    return token.startswith(STAFF_TOKEN_PREFIX)


async def open_session(session: AsyncSession, user: User, now: datetime,
                       lifetime: timedelta) -> tuple[str, AuthSession]:
    token = STAFF_TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = AuthSession(token_hash=_digest(token), user_id=user.id, created_at=now,
                      expires_at=now + lifetime)
    session.add(row)
    return token, row


# Every staff request asks this (unless remembered): built once, only the columns it needs.
SIGNED_IN_USER = (
    select(User.id, User.role, User.display_name, AuthSession.expires_at)
    .join(AuthSession, col(AuthSession.user_id) == col(User.id))
    .where(AuthSession.token_hash == bindparam("token_hash"),
           col(AuthSession.revoked_at).is_(None), AuthSession.expires_at > bindparam("now"),
           col(User.is_active))
)


async def user_for_token(engine: AsyncEngine, token: str, now: datetime,
                         cache: SignedInCache) -> SignedIn | None:
    """The active user whose unrevoked, unexpired session this token opens. Looked up on a
    connection of its own, returned to the pool before the request's work takes one."""
    digest = _digest(token)
    if (known := cache.get(digest, now)) is not None:
        return known
    return await cache.look_up_once(digest, lambda: _look_up(engine, token, now, cache))


async def _look_up(engine: AsyncEngine, token: str, now: datetime,
                   cache: SignedInCache) -> SignedIn | None:
    digest = _digest(token)
    async with engine.connect() as connection:
        row = (await connection.execute(SIGNED_IN_USER,
                                        {"token_hash": digest, "now": now})).first()
    if row is None:
        return None
    signed_in = SignedIn(token=token, expires_at=row.expires_at, user_id=row.id, role=row.role,
                         display_name=row.display_name)
    cache.remember(digest, signed_in)
    return signed_in


async def revoke(session: AsyncSession, token: str, now: datetime,
                 cache: SignedInCache) -> None:
    cache.forget_token(_digest(token))
    row = (await session.exec(select(AuthSession).where(
        AuthSession.token_hash == _digest(token)))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        session.add(row)


async def revoke_all_for_user(session: AsyncSession, user_id: uuid.UUID, now: datetime,
                              cache: SignedInCache) -> None:
    cache.forget_user(user_id)
    rows = await session.exec(select(AuthSession).where(
        AuthSession.user_id == user_id, col(AuthSession.revoked_at).is_(None)))
    for row in rows.all():
        row.revoked_at = now
        session.add(row)
