"""Observation <- one exam finding (`observations` row): the finding's field name as the code
in our own code system, with a standard code beside it only where one is certainly right; a
yes/no finding is valueBoolean, a graded one valueCodeableConcept, a measurement valueQuantity.

Standard codes: LOINC 8310-5 (Body temperature) for `temperature_celsius`. The other findings
(Ottawa zones, named special tests) are left in our code system rather than given a SNOMED CT
code nobody here has checked against the release; the map below is where one goes.
"""

from __future__ import annotations

from fhirclient.models.codeableconcept import CodeableConcept
from fhirclient.models.coding import Coding
from fhirclient.models.observation import Observation as FhirObservation
from fhirclient.models.quantity import Quantity
from sqlalchemy import select
from sqlmodel import col

from services.intake.fhir import references as ref
from services.intake.fhir.canonical import EPISODE_OF_CARE, code_system
from services.intake.fhir.model import extension, make
from services.intake.fhir.records import Outbound
from shared.models import Case, Observation, Role

FINDING_SYSTEM = code_system("exam-finding")
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
STANDARD_CODES = {"temperature_celsius": (LOINC, "8310-5", "Body temperature")}
CELSIUS = ("temperature_celsius", "skin_temperature_difference_celsius")
STATUSES = ("final", "amended", "entered-in-error")


def query():
    return select(
        col(Observation.id).label("id"), col(Case.patient_id).label("patient_id"),
        col(Observation.effective_at).label("last_updated"),
        col(Observation.status).label("fhir_status"), col(Observation.case_id).label("case_id"),
        col(Observation.exam_id).label("exam_id"), col(Observation.code).label("code"),
        col(Observation.value).label("value"),
        col(Observation.recorded_by).label("recorded_by"),
    ).join(Case, col(Case.id) == col(Observation.case_id))


def resource(row) -> FhirObservation:
    codings = [make(Coding, system=FINDING_SYSTEM, code=row.code,
                    display=row.code.replace("_", " "))]
    if row.code in STANDARD_CODES:
        system, code, display = STANDARD_CODES[row.code]
        codings.append(make(Coding, system=system, code=code, display=display))
    return make(
        FhirObservation, id=str(row.id), meta=ref.meta(row.last_updated),
        status=row.fhir_status, subject=ref.patient(row.patient_id),
        category=[make(CodeableConcept, coding=[make(Coding, system=CATEGORY_SYSTEM,
                                                     code="exam", display="Exam")])],
        code=make(CodeableConcept, coding=codings, text=row.code.replace("_", " ")),
        effectiveDateTime=ref.date_time(row.last_updated),
        issued=ref.instant(row.last_updated),
        performer=[p for p in [ref.actor(row.recorded_by)] if p],
        extension=[extension(EPISODE_OF_CARE, valueReference=ref.reference(
            "EpisodeOfCare", row.case_id))],
        **_value(row.code, row.value))


def _value(code: str, value) -> dict:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int | float) and code in CELSIUS:
        return {"valueQuantity": make(Quantity, value=float(value), unit="°C", system=UCUM,
                                      code="Cel")}
    if isinstance(value, int | float):
        return {"valueQuantity": make(Quantity, value=float(value))}
    if code == "notes":
        return {"valueString": str(value)}
    return {"valueCodeableConcept": ref.concept(code.replace("_", "-"), str(value),
                                                str(value).replace("_", " "))}


OBSERVATIONS = Outbound(
    "Observation", frozenset({Role.FRONT_DESK, Role.CLINICIAN}), query, resource,
    statuses=STATUSES)
