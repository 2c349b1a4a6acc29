"""Small typed pieces the outbound resources share: references, codes, instants."""

from __future__ import annotations

from datetime import datetime

from fhirclient.models.codeableconcept import CodeableConcept
from fhirclient.models.coding import Coding
from fhirclient.models.extension import Extension
from fhirclient.models.fhirdatetime import FHIRDateTime
from fhirclient.models.fhirinstant import FHIRInstant
from fhirclient.models.fhirreference import FHIRReference
from fhirclient.models.identifier import Identifier
from fhirclient.models.meta import Meta

from services.intake.fhir.canonical import CANONICAL, code_system
from services.intake.fhir.model import extension, make

STAFF_SYSTEM = f"{CANONICAL}/sid/staff"
CLIENT_SYSTEM = f"{CANONICAL}/sid/backend-client"
RULESET = f"{CANONICAL}/StructureDefinition/ruleset"
RULESET_SYSTEM = code_system("triage-ruleset")
RULE_BASE = f"{CANONICAL}/ruleset"


def reference(resource_type: str, resource_id: object, display: str | None = None
              ) -> FHIRReference:
    return make(FHIRReference, reference=f"{resource_type}/{resource_id}", display=display)


def patient(patient_id: object) -> FHIRReference:
    return reference("Patient", patient_id)


def actor(actor_id: str | None) -> FHIRReference | None:
    """Who acted, by identifier: staff (`user:<id>`) are Practitioners this server does not
    serve, so they are named, not linked; a backend client or a service likewise. A bare id
    is a staff member's (queue entries' owners)."""
    if not actor_id:
        return None
    kind, separator, value = actor_id.partition(":")
    if not separator:
        kind, value = "user", actor_id
    if kind == "user":
        return make(FHIRReference, type="Practitioner",
                    identifier=make(Identifier, system=STAFF_SYSTEM, value=value))
    if kind == "patient":
        return patient(value)
    if kind == "client":
        return make(FHIRReference, type="Device",
                    identifier=make(Identifier, system=CLIENT_SYSTEM, value=value))
    return make(FHIRReference, type="Device", display=actor_id)


def concept(vocabulary: str, code: str, display: str | None = None) -> CodeableConcept:
    """A code of one of our own code systems (code_system(vocabulary))."""
    return make(CodeableConcept, coding=[make(Coding, system=code_system(vocabulary), code=code,
                                              display=display)], text=display)


def coded(system: str, code: str, display: str) -> CodeableConcept:
    return make(CodeableConcept, coding=[make(Coding, system=system, code=code, display=display)])


def instant(moment: datetime) -> FHIRInstant:
    return FHIRInstant(moment.isoformat())


def date_time(moment: datetime) -> FHIRDateTime:
    return FHIRDateTime(moment.isoformat())


def meta(last_updated: datetime) -> Meta:
    return make(Meta, lastUpdated=instant(last_updated))


def ruleset(version: str, digest: str) -> Extension:
    """The rule set a decision came from: its version and the hash of its rules."""
    return extension(RULESET, extension=[extension("version", valueString=version),
                                         extension("hash", valueString=digest)])


def rule_uri(version: str, rule_id: str) -> str:
    return f"{RULE_BASE}/{version}#{rule_id}"
