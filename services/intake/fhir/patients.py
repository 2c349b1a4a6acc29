"""Patient <-> the patients table: gender from `sex` (FHIR's administrative-gender codes), the
clinic's record number as the MR identifier, email and phone as telecom, the preferred
language as communication and the time zone as the tz-code extension."""

from __future__ import annotations

from fhirclient.models.bundle import Bundle, BundleEntry, BundleEntrySearch
from fhirclient.models.codeableconcept import CodeableConcept
from fhirclient.models.coding import Coding
from fhirclient.models.contactpoint import ContactPoint
from fhirclient.models.fhirdate import FHIRDate
from fhirclient.models.fhirinstant import FHIRInstant
from fhirclient.models.humanname import HumanName
from fhirclient.models.identifier import Identifier
from fhirclient.models.meta import Meta
from fhirclient.models.patient import Patient as FhirPatient
from fhirclient.models.patient import PatientCommunication
from pydantic import ValidationError

from services.intake.fhir.canonical import (
    IDENTIFIER_TYPE_SYSTEM,
    LANGUAGE_SYSTEM,
    MATCH_GRADE,
    RECORD_NUMBER_SYSTEM,
    TIME_ZONE,
)
from services.intake.fhir.model import extension, make
from services.intake.fhir.outcomes import Issue, Unprocessable
from services.intake.fhir.search import resource_url
from services.intake.patients.schemas import DuplicateCandidate, PatientCreate
from shared.models import Patient

# PatientCreate's fields as the elements of a FHIR Patient they come from.
ELEMENT_OF_FIELD = {"given_name": "Patient.name.given", "family_name": "Patient.name.family",
                    "birth_date": "Patient.birthDate", "sex": "Patient.gender",
                    "record_number": "Patient.identifier", "email": "Patient.telecom",
                    "phone": "Patient.telecom", "preferred_language": "Patient.communication",
                    "timezone": "Patient.extension"}


def patient_resource(patient: Patient) -> FhirPatient:
    telecom = [make(ContactPoint, system=system, value=value, use=use)
               for system, value, use in (("email", patient.email, "home"),
                                          ("phone", patient.phone, "mobile")) if value]
    return make(
        FhirPatient, id=str(patient.id), active=True,
        meta=make(Meta, lastUpdated=FHIRInstant(patient.created_at.isoformat())),
        identifier=[record_number_identifier(patient.record_number)],
        name=[make(HumanName, use="official", family=patient.family_name,
                   given=[patient.given_name])],
        gender=patient.sex, birthDate=FHIRDate(patient.birth_date.isoformat()), telecom=telecom,
        communication=[make(PatientCommunication, preferred=True, language=make(
            CodeableConcept, coding=[make(Coding, system=LANGUAGE_SYSTEM,
                                          code=patient.preferred_language)]))],
        extension=[extension(TIME_ZONE, valueCode=patient.timezone)])


def record_number_identifier(record_number: str) -> Identifier:
    return make(Identifier, use="usual", system=RECORD_NUMBER_SYSTEM, value=record_number,
                type=make(CodeableConcept, coding=[make(
                    Coding, system=IDENTIFIER_TYPE_SYSTEM, code="MR",
                    display="Medical record number")]))


def patient_fields(resource: FhirPatient) -> dict:
    """What a FHIR Patient says, as PatientCreate's fields (absent ones left out)."""
    fields: dict = {}
    names = resource.name or []
    official = next((n for n in names if n.use == "official"), names[0] if names else None)
    if official is not None:
        fields["family_name"] = official.family
        fields["given_name"] = " ".join(official.given or []) or None
    if resource.birthDate is not None:
        fields["birth_date"] = resource.birthDate.as_json()
    if resource.gender:
        fields["sex"] = resource.gender
    for identifier in resource.identifier or []:
        if identifier.system == RECORD_NUMBER_SYSTEM:
            fields["record_number"] = identifier.value
    for point in resource.telecom or []:
        if point.system in ("email", "phone") and point.system not in fields:
            fields[point.system] = point.value
    for communication in resource.communication or []:
        for coding in communication.language.coding or []:
            if coding.system == LANGUAGE_SYSTEM and (communication.preferred or
                                                     "preferred_language" not in fields):
                fields["preferred_language"] = coding.code
    for ext in resource.extension or []:
        if ext.url == TIME_ZONE:
            fields["timezone"] = ext.valueCode
    return {name: value for name, value in fields.items() if value is not None}


def patient_create(resource: FhirPatient, confirm_not_duplicate: bool = False) -> PatientCreate:
    """PatientCreate's own validation, its messages naming the FHIR element."""
    try:
        return PatientCreate(**patient_fields(resource),
                             confirm_not_duplicate=confirm_not_duplicate)
    except ValidationError as invalid:
        raise Unprocessable.with_issues([
            Issue(f"{ELEMENT_OF_FIELD.get(str(e['loc'][0]), 'Patient')}: {e['msg']}",
                  ELEMENT_OF_FIELD.get(str(e["loc"][0])), "value")
            for e in invalid.errors(include_url=False)]) from None


# $match: the registration duplicate check's candidates, scored. Name and date of birth with
# a contact detail is the same person; name and date of birth alone probably is; a shared
# email or phone alone is possibly (families share them).
GRADES = ((1.0, "certain"), (0.8, "probable"), (0.5, "possible"))


def match_grade(matched_on: list[str]) -> tuple[float, str]:
    identity = "name_and_birth_date" in matched_on
    contact = bool({"email", "phone"} & set(matched_on))
    return GRADES[0] if identity and contact else GRADES[1] if identity else GRADES[2]


def match_bundle(request, candidates: list[DuplicateCandidate], only_certain: bool,
                 count: int | None) -> tuple[Bundle, list]:
    scored = sorted(((match_grade(c.matched_on), c) for c in candidates),
                    key=lambda pair: -pair[0][0])
    if only_certain:
        scored = [(grade, c) for grade, c in scored if grade[1] == "certain"]
    scored = scored[:count] if count else scored
    entries = []
    for (score, grade), candidate in scored:
        patient = Patient(**candidate.patient.model_dump())
        search = make(BundleEntrySearch, mode="match", score=score, extension=[
            extension(MATCH_GRADE, valueCode=grade)])
        entries.append(make(BundleEntry, fullUrl=resource_url(request, "Patient", patient.id),
                            resource=patient_resource(patient), search=search))
    bundle = make(Bundle, type="searchset", total=len(entries), entry=entries)
    return bundle, [c.patient.id for _grade, c in scored]
