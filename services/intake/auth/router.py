from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from services.intake.auth.dependencies import PrincipalDep
from services.intake.auth.schemas import Me, SignedIn, SignIn
from services.intake.auth.sign_in import (
    SignInRefused,
    authenticate,
    set_session_cookies,
)
from services.intake.auth.sign_in import sign_out as end_session
from services.intake.dependencies import SessionDep

router = APIRouter(prefix="/auth", tags=["sign-in"])


@router.post("/sign-in", response_model=SignedIn,
             responses={401: {"description": "Wrong email or password"},
                        429: {"description": "Too many failed attempts"}})
async def sign_in(data: SignIn, request: Request, response: Response,
                  session: SessionDep) -> SignedIn:
    try:
        signed_in = await authenticate(request, session, data.email, data.password)
    except SignInRefused as refused:
        if refused.retry_after:
            raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, detail=refused.message,
                                headers={"Retry-After": str(refused.retry_after)}) from None
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=refused.message) from None
    await session.commit()
    set_session_cookies(request, response, signed_in.token)
    user = signed_in.user
    return SignedIn(token=signed_in.token, expires_at=signed_in.session_row.expires_at,
                    role=user.role, display_name=user.display_name)


@router.post("/sign-out", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(request: Request, response: Response, session: SessionDep,
                   _principal: PrincipalDep) -> None:
    await end_session(request, response, session)


@router.get("/me", response_model=Me)
async def me(principal: PrincipalDep) -> Me:
    return Me(role=principal.role.value, user_id=principal.user_id,
              patient_id=principal.patient_id)
