"""The EHR's FHIR data as the engine's input (a CaseInput), through the product's own readings.

- QuestionnaireResponse -> PreVisitHistory: the FHIR facade's reading of items
  (fhir/questionnaire_responses.py `form_answers`, the same codes, data-absent-reason and
  groups as a response sent to /fhir) and the pre-visit page's reading of answers
  (pages/questions.py `read_answers`), as a record of what was answered: an unanswered
  question is unknown, never "no".
- Observation -> ExamFindings: one finding per Observation, `code` = the ExamFindings field
  name in one of this server's code systems (`https://ankle-triage.clinic/fhir/...`), as the
  README's mapping table says; valueBoolean, valueCodeableConcept (the enum value as the
  code) or valueQuantity. Only final, amended or corrected ones count; the latest of each
  finding wins, as current_exam_findings reads the stored exam.
- Patient -> birth date and administrative gender.
- Age and days since onset: services/triage/engine/stored_case.py `build_case_input`, as the triage
  worker computes them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from fhirclient.models.fhirabstractbase import FHIRValidationError
from fhirclient.models.questionnaireresponse import QuestionnaireResponse

from services.intake.cds_hooks.prefetch import resources
from services.intake.fhir.canonical import CANONICAL, EPISODE_OF_CARE
from services.intake.fhir.questionnaire_responses import definition_of, form_answers
from services.intake.pages.questions import read_answers
from services.triage.engine import CaseInput
from services.triage.engine.stored_case import StoredCase, UnreadableRecord, build_case_input
from shared.clinical_record import QUESTIONNAIRE_ID, ExamFindings, PreVisitHistory

FINDING_CODES = frozenset(ExamFindings.model_fields) - {"notes"}
USABLE_OBSERVATION_STATUSES = {"final", "amended", "corrected"}


class UnusableData(Exception):
    """The EHR's data cannot be read as answers or findings. Names where, never the values."""


@dataclass(frozen=True)
class PatientData:
    case_input: CaseInput
    response_id: str | None  # the QuestionnaireResponse read
    case_id: uuid.UUID | None  # the episode (case) the response belongs to, if it says


def patient_data(values: dict, patient_id: str, now: datetime) -> PatientData | None:
    """The case input from the gathered prefetch values, or None when the patient has no
    completed pre-visit answers (nothing to decide on)."""
    response = latest_response(values.get("questionnaireResponses"), patient_id)
    if response is None:
        return None
    patient = _one(values.get("patient"), "Patient")
    if patient is None:
        raise UnusableData("the Patient is needed (birth date: the Ottawa and child rules "
                           "depend on age)")
    if patient.get("id") not in (None, patient_id):
        raise UnusableData("the prefetched Patient is not the context's patient")
    history = history_from_response(response)
    findings = findings_from_observations(values.get("observations"), patient_id)
    try:
        birth_date = date.fromisoformat(patient["birthDate"])
    except (KeyError, TypeError, ValueError):
        raise UnusableData("Patient.birthDate must be a full date") from None
    authored = _instant(response.get("authored")) or now
    stored = StoredCase(answers=history.model_dump(mode="json", exclude_none=True),
                        findings=findings, birth_date=birth_date, opened_at=authored,
                        sex=patient.get("gender") if patient.get("gender") in
                        ("female", "male", "other", "unknown") else None)
    try:
        case_input = build_case_input(stored, now)
    except UnreadableRecord as problem:
        raise UnusableData(str(problem)) from None
    return PatientData(case_input, response.get("id"), _episode(response))


def latest_response(value, patient_id: str) -> dict | None:
    found = [r for r in _all(value, "QuestionnaireResponse") if r.get("status") == "completed"
             and (definition_of(r.get("questionnaire"))[0] or _NONE).id == QUESTIONNAIRE_ID]
    for response in found:
        if _subject_id(response) != patient_id:
            raise UnusableData("a prefetched QuestionnaireResponse is about another patient")
    return max(found, key=lambda r: str(r.get("authored") or ""), default=None)


def history_from_response(resource: dict) -> PreVisitHistory:
    try:
        response = QuestionnaireResponse(resource, strict=True)
    except FHIRValidationError:
        raise UnusableData("the QuestionnaireResponse is not a valid FHIR R4 resource") \
            from None
    definition, _version = definition_of(response.questionnaire)
    answers, issues = form_answers(definition, response.item or [])
    if issues:
        raise UnusableData("; ".join(issue.message for issue in issues[:5]))
    result = read_answers(answers, complete=False)
    if result.history is None:
        raise UnusableData(f"QuestionnaireResponse items cannot be read: "
                           f"{', '.join(sorted(result.errors)[:10])}")
    return result.history


def findings_from_observations(value, patient_id: str) -> dict:
    latest: dict[str, tuple[str, object]] = {}
    for observation in _all(value, "Observation"):
        if _subject_id(observation) != patient_id:
            raise UnusableData("a prefetched Observation is about another patient")
        code = _finding_code(observation)
        if code is None or observation.get("status") not in USABLE_OBSERVATION_STATUSES:
            continue
        when = str(observation.get("effectiveDateTime") or observation.get("issued") or "")
        if code not in latest or when >= latest[code][0]:
            latest[code] = (when, _finding_value(observation, code))
    return {code: value for code, (_when, value) in latest.items() if value is not None}


def _finding_code(observation: dict) -> str | None:
    for coding in (observation.get("code") or {}).get("coding") or []:
        if str(coding.get("system", "")).startswith(CANONICAL + "/") and \
                coding.get("code") in FINDING_CODES:
            return coding["code"]
    return None


def _finding_value(observation: dict, code: str):
    if "valueBoolean" in observation:
        return observation["valueBoolean"]
    if "valueQuantity" in observation:
        return (observation["valueQuantity"] or {}).get("value")
    if "valueCodeableConcept" in observation:
        for coding in observation["valueCodeableConcept"].get("coding") or []:
            if str(coding.get("system", "")).startswith(CANONICAL + "/"):
                return coding.get("code")
        raise UnusableData(f"Observation {code}: a coded value must use this server's codes")
    return None  # no value (e.g. data-absent-reason): unknown


def _all(value, resource_type: str) -> list[dict]:
    try:
        return resources(value, resource_type)
    except ValueError as problem:
        raise UnusableData(str(problem)) from None


def _one(value, resource_type: str) -> dict | None:
    found = _all(value, resource_type)
    return found[0] if found else None


def _subject_id(resource: dict) -> str | None:
    reference = (resource.get("subject") or {}).get("reference") or ""
    kind, _, given = reference.rpartition("/")
    return given if kind.endswith("Patient") else None


def _episode(response: dict) -> uuid.UUID | None:
    for ext in response.get("extension") or []:
        if ext.get("url") == EPISODE_OF_CARE:
            reference = (ext.get("valueReference") or {}).get("reference") or ""
            try:
                return uuid.UUID(reference.rpartition("/")[2])
            except ValueError:
                return None
    return None


def _instant(value) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


class _NoDefinition:
    id = None


_NONE = _NoDefinition()
