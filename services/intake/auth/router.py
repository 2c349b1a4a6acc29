from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status
from fastapi.responses import JSONResponse

from services.intake.auth import second_factor
from services.intake.auth.dependencies import requires
from services.intake.auth.permissions import Permission
from services.intake.auth.schemas import (
    CodeRequired,
    EnrolmentConfirmation,
    EnrolmentRequired,
    Me,
    OneTimeCode,
    OneTimeCodeSetup,
    SignedIn,
    SignIn,
)
from services.intake.auth.sign_in import (
    WRONG_CODE,
    CodeNeeded,
    EnrolmentNeeded,
    SignInRefused,
    authenticate,
    clock,
    finish_enrolment,
    set_session_cookies,
)
from services.intake.auth.sign_in import sign_out as end_session
from services.intake.dependencies import SessionDep
from services.intake.errors import Conflict
from shared.models import User

router = APIRouter(prefix="/auth", tags=["sign-in"])
Staff = requires(Permission.SET_UP_ONE_TIME_CODE)
AnyoneSignedIn = requires(Permission.USE_OWN_SESSION)
REFUSALS = {401: {"description": "Wrong email or password, or the one-time code is needed "
                                 "(`code_required`)", "model": CodeRequired},
            429: {"description": "Too many failed attempts from this address"}}


@router.post("/sign-in", response_model=SignedIn,
             responses={**REFUSALS, 403: {"description": "An admin must set up a one-time code "
                                                         "first", "model": EnrolmentRequired}})
async def sign_in(data: SignIn, request: Request, response: Response, session: SessionDep):
    try:
        signed_in = await authenticate(request, session, data.email, data.password, data.code)
    except EnrolmentNeeded as needed:
        return JSONResponse(status_code=status.HTTP_403_FORBIDDEN, content=EnrolmentRequired(
            detail=needed.message, enrolment_token=needed.ticket,
            otpauth_uri=needed.enrolment.otpauth_uri, secret=needed.enrolment.secret,
        ).model_dump(), headers={"Cache-Control": "no-store"})
    except (SignInRefused, CodeNeeded) as refused:
        return _refusal(refused)
    return await _signed_in(request, response, signed_in)


@router.post("/sign-in/enrol", response_model=SignedIn, responses=REFUSALS)
async def confirm_enrolment_and_sign_in(data: EnrolmentConfirmation, request: Request,
                                        response: Response, session: SessionDep):
    """An admin's first sign-in: the first code from the secret the sign-in gave confirms it."""
    try:
        signed_in = await finish_enrolment(request, session, data.enrolment_token, data.code)
    except (SignInRefused, CodeNeeded) as refused:
        return _refusal(refused)
    return await _signed_in(request, response, signed_in)


@router.post("/totp", response_model=OneTimeCodeSetup,
             responses={409: {"description": "A one-time code is already set up"}})
async def set_up_one_time_code(request: Request, response: Response, session: SessionDep,
                               staff: Staff) -> OneTimeCodeSetup:
    user = await session.get(User, staff.user_id)
    if second_factor.requires_code(user):
        raise Conflict("A one-time code is already set up for this account.")
    enrolment = second_factor.start_enrolment(user, request.app.state.settings.secret_key)
    session.add(user)
    response.headers["Cache-Control"] = "no-store"
    return OneTimeCodeSetup(otpauth_uri=enrolment.otpauth_uri, secret=enrolment.secret)


@router.post("/totp/confirm", status_code=status.HTTP_204_NO_CONTENT,
             responses={422: {"description": "The code is not right"}})
async def confirm_one_time_code(data: OneTimeCode, request: Request, session: SessionDep,
                                staff: Staff) -> None:
    user = await session.get(User, staff.user_id)
    if not second_factor.confirm_enrolment(user, data.code, clock(request)(),
                                           request.app.state.settings.secret_key):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, detail=WRONG_CODE)
    session.add(user)


@router.post("/sign-out", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(request: Request, response: Response, session: SessionDep,
                   _principal: AnyoneSignedIn) -> None:
    await end_session(request, response, session)


@router.get("/me", response_model=Me)
async def me(principal: AnyoneSignedIn) -> Me:
    return Me(role=principal.role.value, user_id=principal.user_id,
              patient_id=principal.patient_id)


async def _signed_in(request: Request, response: Response, signed_in: SignedIn) -> SignedIn:
    set_session_cookies(request, response, signed_in.token)
    return signed_in


def _refusal(refused: SignInRefused | CodeNeeded) -> JSONResponse:
    if isinstance(refused, CodeNeeded):
        return JSONResponse(status_code=status.HTTP_401_UNAUTHORIZED,
                            content=CodeRequired(detail=refused.message).model_dump())
    if refused.retry_after:
        return JSONResponse(status_code=status.HTTP_429_TOO_MANY_REQUESTS,
                            content={"detail": refused.message},
                            headers={"Retry-After": str(refused.retry_after)})
    return JSONResponse(status_code=status.HTTP_401_UNAUTHORIZED,
                        content={"detail": refused.message})
