"""Managing staff accounts. Used by the admin API and by `clinic users create-admin`."""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.intake.auth.passwords import hash_password
from services.intake.auth.sessions import revoke_all_for_user
from services.intake.auth.signed_in_cache import SignedInCache
from services.intake.errors import Conflict, NotFound
from services.intake.users.schemas import UserCreate, UserUpdate
from shared.clock import utcnow
from shared.models import User


async def create_user(session: AsyncSession, data: UserCreate) -> User:
    user = User(email=data.email.lower(), display_name=data.display_name, role=data.role,
                password_hash=hash_password(data.password))
    session.add(user)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        if "uq_users_email" not in str(exc.orig):
            raise
        # `from None`: the database's message echoes the address, and tracebacks reach logs.
        raise Conflict("An account with this email already exists.", field="body.email") from None
    return user


async def list_users(session: AsyncSession) -> list[User]:
    return list((await session.exec(select(User).order_by(col(User.created_at)))).all())


async def update_user(session: AsyncSession, user_id: uuid.UUID, data: UserUpdate,
                      signed_in: SignedInCache) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}", field="path.user_id")
    changes = data.model_dump(exclude_none=True, exclude={"password"})
    for name, value in changes.items():
        setattr(user, name, value)
    if data.password:
        user.password_hash = hash_password(data.password)
    if data.password or data.is_active is False or data.role:
        # A changed password, role or a disabled account ends every open session at once.
        await revoke_all_for_user(session, user.id, utcnow(), signed_in)
    session.add(user)
    return user


async def count_admins(session: AsyncSession) -> int:
    query = select(func.count()).select_from(User).where(User.role == "admin", col(User.is_active))
    return (await session.exec(query)).one()
