"""The names this server gives its definitions and identifiers.

CANONICAL is a naming authority, not an address: Questionnaire.url, the local code systems and
the identifier systems start with it, so they stay the same whichever host serves the API.
"""

from __future__ import annotations

CANONICAL = "https://ankle-triage.clinic/fhir"
FHIR_VERSION = "4.0.1"
FHIR_JSON = "application/fhir+json"

RECORD_NUMBER_SYSTEM = f"{CANONICAL}/sid/record-number"
IDENTIFIER_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v2-0203"
LANGUAGE_SYSTEM = "urn:ietf:bcp:47"

TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
DATA_ABSENT_REASON = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
TIME_ZONE = "http://hl7.org/fhir/StructureDefinition/tz-code"
EPISODE_OF_CARE = "http://hl7.org/fhir/StructureDefinition/workflow-episodeOfCare"
MATCH_GRADE = "http://hl7.org/fhir/StructureDefinition/match-grade"


def code_system(name: str) -> str:
    """A local code system: the answers of one question (`swelling`), or a vocabulary."""
    return f"{CANONICAL}/CodeSystem/{name}"


def questionnaire_url(questionnaire_id: str) -> str:
    return f"{CANONICAL}/Questionnaire/{questionnaire_id}"
