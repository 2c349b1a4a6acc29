"""Observation <- one exam finding (`observations` row): the finding's field name as the code
in our own code system, with a standard code beside it only where one is certainly right; a
yes/no finding is valueBoolean, a graded one valueCodeableConcept, a measurement valueQuantity.

Standard codes: LOINC 8310-5 (Body temperature) for `temperature_celsius`. The other findings
(Ottawa zones, named special tests) are left in our code system rather than given a SNOMED CT
code nobody here has checked against the release; the map below is where one goes.

Each check-in's recovery scores (issue 20) are Observations too, category survey, performed by
the patient: the 0-10 pain rating (LOINC 72514-3 beside our code) and the function score (0-100,
our own plain-language question set, so our code system only). Their ids are derived from the
check-in's id and the score's code, so a score reads back under the same id every time.
"""

from __future__ import annotations

from fhirclient.models.codeableconcept import CodeableConcept
from fhirclient.models.coding import Coding
from fhirclient.models.observation import Observation as FhirObservation
from fhirclient.models.quantity import Quantity
from sqlalchemy import Integer, String, cast, func, literal, null, select, union_all
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import col

from services.intake.auth.permissions import Permission
from services.intake.fhir import references as ref
from services.intake.fhir.canonical import EPISODE_OF_CARE, code_system
from services.intake.fhir.model import extension, make
from services.intake.fhir.records import Outbound
from shared.clinical_record import CHECK_IN_QUESTIONNAIRE_ID, FUNCTION_ITEMS
from shared.models import Case, IntakeResponse, Observation

FINDING_SYSTEM = code_system("exam-finding")
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/observation-category"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
STANDARD_CODES = {"temperature_celsius": (LOINC, "8310-5", "Body temperature")}
CELSIUS = ("temperature_celsius", "skin_temperature_difference_celsius")
STATUSES = ("final", "amended", "entered-in-error")
SCORE_SYSTEM = code_system("check-in-score")
PAIN_LOINC = (LOINC, "72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
SCORE_CODES = {"pain_score": PAIN_LOINC, "function_score": None}


def query():
    return union_all(_findings(), *(_scores(code) for code in SCORE_CODES))


def _scores(code: str):
    answers = IntakeResponse.answers
    if code == "pain_score":
        value = answers["pain_score"]
    else:  # shared/clinical_record/ function_score: the items' sum as a percentage
        total = sum(cast(answers[item].astext, Integer) for item in FUNCTION_ITEMS)
        value = func.to_jsonb(total * 100 / (4 * len(FUNCTION_ITEMS)))
    return select(
        cast(func.md5(func.concat(cast(IntakeResponse.id, String), f":{code}")), UUID)
        .label("id"), col(Case.patient_id).label("patient_id"),
        col(IntakeResponse.authored_at).label("last_updated"),
        literal("final").label("fhir_status"), col(IntakeResponse.case_id).label("case_id"),
        cast(null(), UUID).label("exam_id"), literal(code).label("code"),
        value.label("value"), cast(null(), String).label("recorded_by"),
    ).join(Case, col(Case.id) == col(IntakeResponse.case_id)).where(
        IntakeResponse.questionnaire == CHECK_IN_QUESTIONNAIRE_ID, value.is_not(None),
        func.jsonb_typeof(value) != "null")


def _findings():
    return select(
        col(Observation.id).label("id"), col(Case.patient_id).label("patient_id"),
        col(Observation.effective_at).label("last_updated"),
        col(Observation.status).label("fhir_status"), col(Observation.case_id).label("case_id"),
        col(Observation.exam_id).label("exam_id"), col(Observation.code).label("code"),
        col(Observation.value).label("value"),
        col(Observation.recorded_by).label("recorded_by"),
    ).join(Case, col(Case.id) == col(Observation.case_id))


def resource(row) -> FhirObservation:
    if row.exam_id is None:
        return _score(row)
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


def _score(row) -> FhirObservation:
    codings = [make(Coding, system=SCORE_SYSTEM, code=row.code,
                    display=row.code.replace("_", " "))]
    if SCORE_CODES[row.code]:
        system, code, display = SCORE_CODES[row.code]
        codings.append(make(Coding, system=system, code=code, display=display))
    unit = ("{score}", "score (0-10)") if row.code == "pain_score" else ("%", "% of full function")
    return make(
        FhirObservation, id=str(row.id), meta=ref.meta(row.last_updated),
        status=row.fhir_status, subject=ref.patient(row.patient_id),
        category=[make(CodeableConcept, coding=[make(Coding, system=CATEGORY_SYSTEM,
                                                     code="survey", display="Survey")])],
        code=make(CodeableConcept, coding=codings, text=row.code.replace("_", " ")),
        effectiveDateTime=ref.date_time(row.last_updated),
        issued=ref.instant(row.last_updated), performer=[ref.patient(row.patient_id)],
        extension=[extension(EPISODE_OF_CARE, valueReference=ref.reference(
            "EpisodeOfCare", row.case_id))],
        valueQuantity=make(Quantity, value=float(row.value), unit=unit[1], system=UCUM,
                           code=unit[0]))


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
    "Observation", Permission.READ_EXAM_FINDINGS, query, resource,
    statuses=STATUSES)
