"""Every error under /fhir answers as an OperationOutcome (FHIR's error resource).

The REST API's domain errors keep their messages (naming the field, never the value sent);
their REST location (`body.patient_id`) becomes the FHIR element it came from. Sign-in and
permission refusals, FastAPI's own 422 and any unmatched /fhir path answer the same way, so a
FHIR client never has to read two shapes of error. `FhirRoute` does the catching.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fhirclient.models.fhirabstractbase import FHIRValidationError

from services.intake.errors import DomainError, validation_problems
from services.intake.fhir.canonical import FHIR_JSON

LONGEST_NAME = 64
# FHIR issue types (http://hl7.org/fhir/issue-type) for each status.
ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found",
               405: "not-supported", 409: "conflict", 412: "multiple-matches",
               413: "too-long", 415: "not-supported", 422: "processing"}
# Where the REST API's errors point, in the resource a FHIR client sent.
REST_TO_FHIR = {"body.patient_id": "QuestionnaireResponse.subject",
                "body.record_number": "Patient.identifier"}


@dataclass(frozen=True)
class Issue:
    message: str
    expression: str | None = None
    code: str | None = None  # defaults to the status's issue type

    def json(self, status_code: int) -> dict:
        issue = {"severity": "error", "code": self.code or ISSUE_CODES.get(status_code, "exception"),
                 "diagnostics": self.message}
        if self.expression:
            issue["expression"] = [self.expression]
        return issue


class FhirError(DomainError):
    """A refusal of the FHIR layer itself; `issues` lists each problem found."""

    def __init__(self, message: str, *, field: str | None = None, status_code: int | None = None,
                 issues: list[Issue] | None = None, code: str | None = None):
        super().__init__(message, field=field)
        if status_code is not None:
            self.status_code = status_code
        self.issues = issues or [Issue(message, field, code)]

    @classmethod
    def with_issues(cls, issues: list[Issue]):
        return cls("; ".join(i.message for i in issues), issues=issues)


class BadRequest(FhirError):
    status_code = 400


class Unprocessable(FhirError):
    status_code = 422


class PreconditionFailed(FhirError):
    status_code = 412


def outcome_response(status_code: int, issues: list[Issue],
                     headers: dict[str, str] | None = None) -> Response:
    # Built from plain JSON, not the typed model: this answer must work even when a model
    # cannot be built (it is checked by the same validators in the tests).
    body = {"resourceType": "OperationOutcome", "issue": [i.json(status_code) for i in issues]}
    return Response(json.dumps(body), status_code=status_code, media_type=FHIR_JSON,
                    headers=headers)


def issues_of(exc: Exception) -> tuple[int, list[Issue], dict[str, str] | None]:
    if isinstance(exc, FhirError):
        return exc.status_code, exc.issues, None
    if isinstance(exc, DomainError):
        return exc.status_code, [Issue(exc.message, REST_TO_FHIR.get(exc.field, exc.field))], None
    if isinstance(exc, RequestValidationError):
        return 400, [Issue(f"{'.'.join(map(str, p['loc']))}: {p['msg']}")
                     for p in validation_problems(exc.errors())], None
    if isinstance(exc, HTTPException):
        detail = exc.detail if isinstance(exc.detail, str) else "the request was refused"
        return exc.status_code, [Issue(detail)], exc.headers
    raise exc


class FhirRoute(APIRoute):
    """Runs the route (its dependencies included: sign-in, permissions) and answers its
    errors as OperationOutcomes."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except (DomainError, RequestValidationError, HTTPException) as exc:
                status_code, issues, headers = issues_of(exc)
                return outcome_response(status_code, issues, headers)

        return handle


def validation_issues(invalid: FHIRValidationError, resource_type: str) -> list[Issue]:
    """The typed model's findings as issues: where and what kind of problem, without the
    model's own wording (which can quote what was sent)."""
    issues: list[Issue] = []

    def walk(error: Exception, path: list[str]) -> None:
        if isinstance(error, FHIRValidationError):
            here = path + ([error.path] if error.path else [])
            for inner in error.errors:
                walk(inner, here)
            return
        where = ".".join([resource_type, *path])
        if isinstance(error, KeyError):
            missing = _quoted(str(error))
            issues.append(Issue(f"{where}.{missing} is required", f"{where}.{missing}",
                                "required"))
        elif isinstance(error, AttributeError):
            extra = _quoted(str(error))
            issues.append(Issue(f"{where} has no element {extra}", where, "structure"))
        elif isinstance(error, TypeError):
            issues.append(Issue(f"{where} has the wrong type", where, "structure"))
        else:
            issues.append(Issue(f"{where} is not a valid value", where, "value"))

    walk(invalid, [])
    return issues or [Issue(f"the {resource_type} is not valid")]


def _quoted(message: str) -> str:
    found = re.search(r'"([^"]*)"', message)
    name = found.group(1) if found else "?"
    return name if len(name) <= LONGEST_NAME else name[:LONGEST_NAME] + "…"
