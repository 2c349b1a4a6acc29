from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, status

from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.users import service
from services.intake.users.schemas import UserCreate, UserPublic, UserUpdate
from shared.audit import record_audit

router = APIRouter(prefix="/users", tags=["staff accounts"])
Admin = requires(Permission.MANAGE_USERS)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=UserPublic,
             responses={409: {"description": "Email already used"}})
async def create_user(data: UserCreate, session: SessionDep, admin: Admin,
                      request_id: RequestIdDep) -> UserPublic:
    user = await service.create_user(session, data)
    record_audit(session, admin.actor, "create", "User", user.id, patient_id=None,
                 request_id=request_id)
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("", response_model=list[UserPublic])
async def list_users(session: SessionDep, _admin: Admin) -> list[UserPublic]:
    return [UserPublic.model_validate(u, from_attributes=True)
            for u in await service.list_users(session)]


@router.patch("/{user_id}", response_model=UserPublic,
              responses={404: {"description": "No such user"},
                         409: {"description": "It would leave no active admin"}})
async def update_user(user_id: uuid.UUID, data: UserUpdate, session: SessionDep, admin: Admin,
                      request_id: RequestIdDep, request: Request) -> UserPublic:
    user = await service.update_user(session, user_id, data, request.app.state.signed_in)
    record_audit(session, admin.actor, "update", "User", user.id, patient_id=None,
                 request_id=request_id)
    return UserPublic.model_validate(user, from_attributes=True)
