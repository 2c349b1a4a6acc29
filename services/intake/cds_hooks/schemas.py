"""The shapes of CDS Hooks 2.0 (HL7, cds-hooks.hl7.org/2.0), written from the specification.

Requests are read leniently where the specification lets a client add to them (a context may
carry more than a hook's own fields, `extension` is open), and strictly where it says what
must be there. Everything this service sends (discovery, cards, system actions) is built with
these models, which forbid anything the specification does not define: the contract tests
check every answer against them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, model_validator

SUMMARY_LIMIT = 140  # "<140 characters" (Card.summary)


class _Sent(BaseModel):
    """A shape this service sends: no element the specification does not define."""

    model_config = ConfigDict(extra="forbid")


class _Received(BaseModel):
    """A shape a CDS Client sends: extra elements are kept, not refused."""

    model_config = ConfigDict(extra="allow")


# Request (section "Calling a CDS Service: HTTP Request")

class FhirAuthorization(_Received):
    """The OAuth 2.0 access token the service may use on `fhirServer` (all but `patient`
    required)."""

    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str
    subject: str
    patient: str | None = None


class HookRequest(_Received):
    hook: str
    hookInstance: str  # a UUID, unique per hook invocation
    fhirServer: AnyHttpUrl | None = None
    fhirAuthorization: FhirAuthorization | None = None
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None  # key -> resource, or null: nothing to prefetch

    @model_validator(mode="after")
    def _authorization_needs_a_server(self) -> HookRequest:
        # fhirAuthorization is meaningful only with the server it grants access to.
        if self.fhirAuthorization is not None and self.fhirServer is None:
            raise ValueError("fhirAuthorization is given without fhirServer")
        return self


# Contexts of the hooks this service answers (hooks registry, each hook's page)

class PatientViewContext(_Received):
    userId: str
    patientId: str
    encounterId: str | None = None


class EncounterStartContext(_Received):
    userId: str
    patientId: str
    encounterId: str


class OrderSelectContext(_Received):
    userId: str
    patientId: str
    encounterId: str | None = None
    selections: list[str] = Field(min_length=1)
    draftOrders: dict[str, Any]  # a FHIR Bundle of the draft orders


class OrderSignContext(_Received):
    userId: str
    patientId: str
    encounterId: str | None = None
    draftOrders: dict[str, Any]


# Discovery (section "Discovery")

class CdsService(_Sent):
    hook: str
    title: str | None = None
    description: str
    id: str
    prefetch: dict[str, str] | None = None
    usageRequirements: str | None = None


class Discovery(_Sent):
    services: list[CdsService]


# Response (section "CDS Service Response")

class Coding(_Sent):
    """CDS Hooks' Coding: `code` and `system` required; `display` required in override
    reasons (checked on the Card), optional in a topic."""

    code: str
    system: str
    display: str | None = None


class Source(_Sent):
    label: str
    url: AnyHttpUrl | None = None
    icon: AnyHttpUrl | None = None
    topic: Coding | None = None


class ActionType(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class Action(_Sent):
    type: ActionType
    description: str
    resource: dict[str, Any] | None = None  # create, update
    resourceId: list[str] | None = None  # delete: "ResourceType/id" references

    @model_validator(mode="after")
    def _what_the_type_needs(self) -> Action:
        if self.type in (ActionType.CREATE, ActionType.UPDATE) and self.resource is None:
            raise ValueError(f"a {self.type} action needs a resource")
        if self.type == ActionType.DELETE and not self.resourceId:
            raise ValueError("a delete action needs resourceId")
        return self


class Suggestion(_Sent):
    label: str
    uuid: str | None = None
    isRecommended: bool | None = None
    actions: list[Action] | None = None


class Link(_Sent):
    label: str
    url: AnyHttpUrl
    type: Literal["absolute", "smart"]
    appContext: str | None = None
    autolaunchable: bool | None = None


class Indicator(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"


class Card(_Sent):
    uuid: str | None = None
    summary: Annotated[str, Field(min_length=1, max_length=SUMMARY_LIMIT - 1)]
    detail: str | None = None  # GitHub Flavored Markdown
    indicator: Indicator
    source: Source
    suggestions: list[Suggestion] | None = None
    selectionBehavior: Literal["at-most-one", "any"] | None = None
    overrideReasons: list[Coding] | None = None
    links: list[Link] | None = None

    @model_validator(mode="after")
    def _conditional_elements(self) -> Card:
        if self.suggestions and self.selectionBehavior is None:
            raise ValueError("selectionBehavior is required when suggestions are given")
        if any(reason.display is None for reason in self.overrideReasons or []):
            raise ValueError("each override reason needs a display")
        return self


class HookResponse(_Sent):
    cards: list[Card]
    systemActions: list[Action] | None = None


# Feedback (section "Feedback")

class AcceptedSuggestion(_Received):
    id: str


class OverrideReason(_Received):
    reason: Coding | None = None
    userComment: Annotated[str, Field(max_length=2000)] | None = None


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    OVERRIDDEN = "overridden"


class CardFeedback(_Received):
    card: str
    outcome: Outcome
    acceptedSuggestions: list[AcceptedSuggestion] | None = None
    overrideReason: OverrideReason | None = None
    outcomeTimestamp: datetime

    @model_validator(mode="after")
    def _outcome_elements(self) -> CardFeedback:
        if self.outcome == Outcome.OVERRIDDEN and self.acceptedSuggestions:
            raise ValueError("an overridden card has no accepted suggestions")
        if self.outcome == Outcome.ACCEPTED and self.overrideReason is not None:
            raise ValueError("an accepted card has no override reason")
        return self


class Feedback(_Received):
    feedback: list[CardFeedback] = Field(min_length=1)
