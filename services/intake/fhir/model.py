"""Building resources with fhirclient's typed R4 (4.0.1) models, and reading them from bodies.

`make(Patient, gender="female", ...)` sets only elements the model declares (a misspelt one
fails here, not silently in the output), and `as_json()` refuses a wrong type or a missing
required element. The models cannot carry extensions on primitive values (`_text`), which the
translation extension needs, so `Translated` adds them, built from typed Extension models too.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request, Response
from fhirclient.models.coding import Coding
from fhirclient.models.extension import Extension
from fhirclient.models.fhirabstractbase import FHIRAbstractBase, FHIRValidationError
from fhirclient.models.questionnaire import Questionnaire, QuestionnaireItem

from services.intake.fhir.canonical import FHIR_JSON, TRANSLATION
from services.intake.fhir.outcomes import BadRequest, Unprocessable, validation_issues

Element = TypeVar("Element", bound=FHIRAbstractBase)
ACCEPTED_BODY_TYPES = (FHIR_JSON, "application/json")


def make(cls: type[Element], **elements: Any) -> Element:
    """An instance of `cls` with these elements (None leaves one out)."""
    instance = cls()
    declared = {name for name, *_ in instance.elementProperties()}
    for name, value in elements.items():
        if name not in declared:
            raise AttributeError(f"{cls.__name__} has no element {name}")
        if value is not None and value != []:
            setattr(instance, name, value)
    return instance


def extension(url: str, **value: Any) -> Extension:
    return make(Extension, url=url, **value)


class Translated:
    """Adds the translation extension (`_<element>`) to primitive string elements."""

    translations: dict[str, dict[str, str]]

    def translate(self, element: str, texts: dict[str, str]):
        if texts:
            self.translations = {**getattr(self, "translations", {}), element: texts}
        return self

    def as_json(self) -> dict:
        json_ = super().as_json()  # type: ignore[misc]
        for element, texts in getattr(self, "translations", {}).items():
            json_[f"_{element}"] = {"extension": [
                extension(TRANSLATION, extension=[extension("lang", valueCode=language),
                                                  extension("content", valueString=text)])
                .as_json() for language, text in sorted(texts.items())]}
        return json_


class TranslatedQuestionnaire(Translated, Questionnaire):
    pass


class TranslatedItem(Translated, QuestionnaireItem):
    pass


class TranslatedCoding(Translated, Coding):
    pass


def fhir_response(resource: FHIRAbstractBase, status_code: int = 200,
                  headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(resource.as_json(), separators=(",", ":")),
                    status_code=status_code, media_type=FHIR_JSON, headers=headers)


async def read_resource(request: Request, cls: type[Element]) -> Element:
    """The body as a `cls`, parsed strictly by the typed model: an element the resource does
    not have, a wrong type or a missing required element is refused, naming where, never
    repeating what was sent."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type not in ACCEPTED_BODY_TYPES:
        raise BadRequest(f"send the resource as {FHIR_JSON}", field="header.content-type",
                         status_code=415)
    try:
        body = json.loads(await request.body())
    except ValueError:
        raise BadRequest("the body is not JSON", field="body") from None
    expected = cls.resource_type
    if not isinstance(body, dict) or body.get("resourceType") != expected:
        raise Unprocessable(f"the body must be a {expected} resource", field="resourceType")
    try:
        return cls(body, strict=True)
    except FHIRValidationError as invalid:
        raise Unprocessable.with_issues(validation_issues(invalid, expected)) from None
