from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class SignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    # Not validated as an address: a malformed one must get the same answer as a wrong one.
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class SignedIn(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    role: str
    display_name: str


class Me(BaseModel):
    role: str
    user_id: uuid.UUID | None
    patient_id: uuid.UUID | None
