"""The base of every clinical record."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class _Record(BaseModel):
    # Unknown fields are rejected so a typo never silently drops a safety answer.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


Percent = Annotated[int, Field(ge=0, le=100)]
