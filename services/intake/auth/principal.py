"""Who is asking: a signed-in staff member, or a patient holding a signed link."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from services.intake.errors import NotFound
from shared.audit import Actor
from shared.models import Role
from shared.patient_links import PatientLink


@dataclass(frozen=True)
class Principal:
    role: Role
    user_id: uuid.UUID | None = None
    patient_id: uuid.UUID | None = None
    # Credentials a browser sends by itself (cookies) need a CSRF check on writes.
    ambient: bool = False
    # The signed link a patient came in with: its purpose and what it points at.
    link: PatientLink | None = None

    @property
    def actor(self) -> Actor:
        if self.role == Role.PATIENT:
            return Actor(id=f"patient:{self.patient_id}", role=self.role.value)
        return Actor(id=f"user:{self.user_id}", role=self.role.value)

    @property
    def is_patient(self) -> bool:
        return self.role == Role.PATIENT

    @property
    def link_purpose(self) -> str | None:
        return self.link.purpose if self.link else None

    @property
    def refusal(self) -> str:
        """Why a request was refused: the link's purpose, or the role."""
        if self.link is not None:
            return "This link is not for this; use the link the clinic sent for it."
        return f"Your role ({self.role.value}) may not do this."


def ensure_may_access_patient(principal: Principal, patient_id: uuid.UUID, what: str,
                              what_id: uuid.UUID) -> None:
    """A patient reaches only their own records; anything else answers exactly like a record
    that does not exist, so ids of other patients' records reveal nothing."""
    if principal.is_patient and principal.patient_id != patient_id:
        raise NotFound(f"no {what} with id {what_id}", field=f"path.{what}_id")
