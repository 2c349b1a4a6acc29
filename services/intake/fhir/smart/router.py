"""The token endpoint (client credentials with a JWT assertion) and the SMART configuration.
Both are public: the assertion is the credential. Errors are OAuth 2.0's (RFC 6749 5.2), as
token clients expect, not OperationOutcomes."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from services.intake.dependencies import RequestIdDep, SessionDep
from services.intake.fhir.search import base_url
from services.intake.fhir.smart import assertions, scopes, service, tokens
from shared.audit import Actor, record_audit
from shared.clock import utcnow

router = APIRouter(prefix="/fhir", tags=["fhir"], include_in_schema=False)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_PATH = "/auth/token"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def token_url(request: Request) -> str:
    return base_url(request) + TOKEN_PATH


@router.get("/.well-known/smart-configuration")
async def smart_configuration(request: Request) -> JSONResponse:
    return JSONResponse({
        "token_endpoint": token_url(request),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": list(assertions.ALGORITHMS),
        "scopes_supported": ["system/*.read", "system/*.rs"],
        "capabilities": ["client-confidential-asymmetric"],
    })


def _refused(error: str, description: str, status_code: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description},
                        status_code=status_code, headers=NO_STORE)


@router.post(TOKEN_PATH)
async def token(request: Request, session: SessionDep, request_id: RequestIdDep
                ) -> JSONResponse:
    form = await request.form()
    if form.get("grant_type") != "client_credentials":
        return _refused("unsupported_grant_type", "grant_type must be client_credentials")
    if form.get("client_assertion_type") != ASSERTION_TYPE or \
            not isinstance(form.get("client_assertion"), str):
        return _refused("invalid_request", f"send client_assertion_type={ASSERTION_TYPE} and "
                        "a client_assertion")
    now = utcnow()
    audiences = [token_url(request),
                 request.app.state.settings.public_url.rstrip("/") + "/fhir" + TOKEN_PATH]
    try:
        client_id = assertions.claimed_client(form["client_assertion"])
        client = await service.active_client(session, client_id)
        if client is None:
            raise assertions.AssertionRefused("no active client with this id")
        verified = assertions.verify(form["client_assertion"], client.id, client.jwks,
                                     audiences, now)
    except assertions.AssertionRefused as refused:
        return _refused("invalid_client", str(refused), 401)
    forget_before = now - timedelta(seconds=2 * assertions.LEEWAY_SECONDS)
    if not await service.use_assertion(session, client.id, verified.jti, verified.expires_at,
                                       forget_before):
        await session.rollback()
        return _refused("invalid_client", "this client_assertion's jti was used before", 401)
    registered = set(client.scopes.split())
    asked = str(form.get("scope", "")).split()
    granted = [s for s in asked if s in registered and scopes.is_grantable(s)]
    if not granted:
        return _refused("invalid_scope", "none of the scopes asked for is granted to this "
                        "client (read scopes such as system/Task.read)")
    record_audit(session, Actor(id=f"client:{client.id}", role="system"), "create",
                 "AccessToken", client.id, patient_id=None, request_id=request_id)
    return JSONResponse({
        "access_token": tokens.issue(request.app.state.settings.secret_key, client.id,
                                     granted, now),
        "token_type": "bearer", "expires_in": int(tokens.LIFETIME.total_seconds()),
        "scope": " ".join(granted)}, headers=NO_STORE)
