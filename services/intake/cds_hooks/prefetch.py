"""The FHIR data a service needs: taken from the request's prefetch, or fetched from the EHR.

A prefetch key the EHR sent is used as sent (null: the EHR has no such data). A key it left
out is fetched from `fhirServer` with the `fhirAuthorization` token (GET, FHIR JSON, a
timeout, no redirects: the token goes to that server only). When a key can be neither
prefetched nor fetched the service answers 412, as CDS Hooks 2.0 says.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx

from services.intake.cds_hooks.schemas import HookRequest
from services.intake.fhir.canonical import FHIR_JSON, questionnaire_url
from shared.clinical_record import QUESTIONNAIRE_ID

PATIENT_TOKEN = "{{context.patientId}}"
# The patient, their answers to the pre-visit questionnaire, and their exam Observations.
TEMPLATES = {
    "patient": f"Patient/{PATIENT_TOKEN}",
    "questionnaireResponses": (f"QuestionnaireResponse?patient={PATIENT_TOKEN}"
                               f"&questionnaire={questionnaire_url(QUESTIONNAIRE_ID)}"
                               "&status=completed"),
    "observations": f"Observation?patient={PATIENT_TOKEN}&_count=100",
}
_TOKEN = re.compile(r"\{\{([^}]*)\}\}")


class DataUnavailable(Exception):
    """412: a key could be neither prefetched nor fetched. Names the key, never the data."""


def render(template: str, context: dict[str, Any]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1).strip()
        given = context.get(name.removeprefix("context.")) if name.startswith("context.") \
            else None
        if not isinstance(given, str) or not given:
            raise DataUnavailable(f"the prefetch token {name} has no value in the context")
        return quote(given, safe="")
    return _TOKEN.sub(value, template)


async def gather(hook: HookRequest, keys: tuple[str, ...], timeout: float
                 ) -> tuple[dict[str, Any], set[str]]:
    """Each key's resource (or None), and which keys were fetched rather than prefetched."""
    prefetched = hook.prefetch or {}
    found: dict[str, Any] = {}
    fetched: set[str] = set()
    missing = [key for key in keys if key not in prefetched]
    for key in keys:
        if key in prefetched:
            found[key] = prefetched[key]
    if not missing:
        return found, fetched
    if hook.fhirServer is None:
        raise DataUnavailable(f"{', '.join(missing)} not prefetched and no fhirServer given")
    headers = {"Accept": FHIR_JSON}
    if hook.fhirAuthorization is not None:
        headers["Authorization"] = f"Bearer {hook.fhirAuthorization.access_token}"
    base = str(hook.fhirServer).rstrip("/")
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False,
                                 headers=headers) as client:
        for key in missing:
            found[key] = await _fetch(client, f"{base}/{render(TEMPLATES[key], hook.context)}",
                                      key)
            fetched.add(key)
    return found, fetched


async def _fetch(client: httpx.AsyncClient, url: str, key: str) -> Any:
    try:
        answer = await client.get(url)
    except httpx.HTTPError:
        raise DataUnavailable(f"{key} could not be fetched from the fhirServer") from None
    if answer.status_code == 404 and "?" not in url:
        return None  # a read of something the EHR does not have
    if answer.status_code != 200:
        raise DataUnavailable(f"{key}: the fhirServer answered {answer.status_code}")
    try:
        return answer.json()
    except ValueError:
        raise DataUnavailable(f"{key}: the fhirServer's answer is not JSON") from None


def resources(value: Any, resource_type: str) -> list[dict]:
    """The resources of one type in a prefetched or fetched value: a searchset Bundle's
    entries, or a single resource."""
    if value is None:
        return []
    if not isinstance(value, dict):
        raise ValueError(f"{resource_type} data must be a FHIR resource or Bundle")  # noqa: TRY004
    if value.get("resourceType") == "Bundle":
        entries = value.get("entry") or []
        return [entry["resource"] for entry in entries if isinstance(entry, dict)
                and isinstance(entry.get("resource"), dict)
                and entry["resource"].get("resourceType") == resource_type]
    if value.get("resourceType") == resource_type:
        return [value]
    raise ValueError(f"{resource_type} data must be a {resource_type} or a Bundle of them")
