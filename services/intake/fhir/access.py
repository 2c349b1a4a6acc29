"""Who may read what through /fhir: the REST API's roles and object-level checks, and SMART
backend clients by their scopes.

Each role reads the resources the REST API's views show it (services/intake/cases/views.py):
a patient their own Patient, QuestionnaireResponses and EpisodeOfCare; the front desk those
and the exam findings (Observation); clinicians every clinical resource (the decision, the
referral, the queue entry, follow-ups); admins only the audit trail. A backend client reads a
resource type when one of its token's scopes allows the interaction (system/Task.read).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from services.intake.auth.dependencies import get_principal
from services.intake.auth.permissions import Permission, is_granted
from services.intake.auth.principal import Principal
from services.intake.fhir.smart import scopes, service, tokens
from shared.audit import Actor
from shared.clock import utcnow


@dataclass(frozen=True)
class BackendPrincipal:
    """A SMART backend client: acts for no patient, reads what its scopes allow."""

    client_id: uuid.UUID
    scopes: frozenset[str]
    role: str = "system"
    is_patient: bool = False
    patient_id: None = None
    link: None = None

    @property
    def actor(self) -> Actor:
        return Actor(id=f"client:{self.client_id}", role="system")

    def may(self, resource_type: str, interaction: str) -> bool:
        return scopes.allows(self.scopes, resource_type, interaction)


Reader = Principal | BackendPrincipal


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def principal_of(request: Request) -> Reader:
    """The backend client an access token names, or whoever the REST API's sign-in finds."""
    token = _bearer(request)
    if token is None or not tokens.is_access_token(token):
        return await get_principal(request)
    granted = tokens.read(request.app.state.settings.secret_key, token, utcnow())
    if granted is not None:
        async with request.app.state.session_factory() as session:
            active = await service.active_client(session, granted.client_id)
        if active is not None:
            principal = BackendPrincipal(granted.client_id, granted.scopes)
            request.state.principal = principal
            return principal
    raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="The access token is not valid "
                        "or has expired; ask the token endpoint for a new one.",
                        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def ensure_may_read(principal: Reader, resource_type: str, interaction: str,
                    permission: Permission) -> None:
    if isinstance(principal, BackendPrincipal):
        if not principal.may(resource_type, interaction):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=(
                f"This client's token lacks the scope {scopes.needed(resource_type)} "
                f"({interaction} of {resource_type})."),
                headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'})
        return
    if not is_granted(principal.role, permission, principal.link_purpose):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=principal.refusal)


def reading(resource_type: str, interaction: str, permission: Permission):
    """A dependency: the principal, when a backend client's scopes allow `interaction` on
    `resource_type`, or a person's role is granted `permission` (auth/permissions.py, the one
    table the REST API and pages are authorised by)."""

    async def dependency(request: Request) -> Reader:
        principal = await principal_of(request)
        ensure_may_read(principal, resource_type, interaction, permission)
        return principal

    dependency.permission = permission  # tests/integration/test_access_matrix.py reads it
    return Annotated[Reader, Depends(dependency)]
