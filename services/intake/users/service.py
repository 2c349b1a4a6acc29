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


async def find_by_email(session: AsyncSession, email: str) -> User | None:
    return (await session.exec(select(User).where(
        func.lower(User.email) == email.strip().lower()))).first()


async def list_users(session: AsyncSession) -> list[User]:
    return list((await session.exec(select(User).order_by(col(User.created_at)))).all())


async def update_user(session: AsyncSession, user_id: uuid.UUID, data: UserUpdate,
                      signed_in: SignedInCache) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}", field="path.user_id")
    if _leaves_admin_role(user, data):
        await _refuse_removing_the_last_admin(session, user)
    changes = data.model_dump(exclude_none=True, exclude={"password", "reset_one_time_code"})
    for name, value in changes.items():
        setattr(user, name, value)
    if data.password:
        user.password_hash = hash_password(data.password)
    if data.reset_one_time_code:
        # A lost authenticator: the next sign-in sets up a new one (an admin's must).
        user.totp_secret = user.totp_pending_secret = user.totp_last_step = None
    if data.password or data.is_active is False or data.role or data.reset_one_time_code:
        # A changed password, role or one-time code, or a disabled account, ends every open
        # session at once.
        await revoke_all_for_user(session, user.id, utcnow(), signed_in)
    session.add(user)
    return user


LAST_ADMIN = ("This is the only active admin account; it cannot be demoted or deactivated. "
              "Make another account an admin first.")


def _leaves_admin_role(user: User, data: UserUpdate) -> bool:
    is_admin = user.role == "admin" and user.is_active
    return is_admin and ((data.role is not None and data.role != "admin")
                         or data.is_active is False)


async def _refuse_removing_the_last_admin(session: AsyncSession, user: User) -> None:
    """Locks every active admin's row, so two admins demoting each other at the same moment
    cannot both succeed: the second waits, then sees the first already demoted."""
    admins = (await session.exec(
        select(User.id).where(User.role == "admin", col(User.is_active)).with_for_update()
    )).all()
    if not set(admins) - {user.id}:
        raise Conflict(LAST_ADMIN, field="path.user_id")
