"""QuestionnaireResponse <-> the answers the intake stores.

In: a response's items become the pages' form answers (`{question: ["value", ...]}`) and go
through the same reading as the pre-visit page (services/intake/pages/questions.py
`read_answers`: required questions, conditional questions, conversions, PreVisitHistory's
validation). Out: stored answers (a PreVisitHistory or CheckInAnswers as JSON) become items
grouped as the Questionnaire groups them.

Yes/no questions are `valueBoolean`; "not sure", "does not apply" and "rather not say" are the
item with no answer and the data-absent-reason extension (`unknown`, `not-applicable`,
`asked-declined`), so a required question can be answered that way, as on the page.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fhirclient.models.coding import Coding
from fhirclient.models.fhirdate import FHIRDate
from fhirclient.models.fhirdatetime import FHIRDateTime
from fhirclient.models.fhirinstant import FHIRInstant
from fhirclient.models.fhirreference import FHIRReference
from fhirclient.models.meta import Meta
from fhirclient.models.questionnaireresponse import (
    QuestionnaireResponse,
    QuestionnaireResponseItem,
    QuestionnaireResponseItemAnswer,
)

from services.intake.fhir.canonical import (
    DATA_ABSENT_REASON,
    EPISODE_OF_CARE,
    code_system,
    questionnaire_url,
)
from services.intake.fhir.definitions import Definition, definitions
from services.intake.fhir.model import extension, make
from services.intake.fhir.outcomes import Issue
from services.intake.fhir.questionnaires import answer_coding
from services.intake.fhir.search import resource_url, searchset
from services.intake.pages.questions import Question, read_answers
from services.intake.pages.rendering import DEFAULT_LANGUAGE, catalogs
from shared.clinical_record import PreVisitHistory

ABSENT_ANSWERS = {"unknown": "unsure", "not-applicable": "not_applicable",
                  "asked-declined": "prefer_not_to_say"}
VALUE_OF_KIND = {"yesno": "valueBoolean", "choice": "valueCoding", "multi": "valueCoding",
                 "bodymap": "valueCoding", "scale": "valueInteger", "number": "valueInteger",
                 "decimal": "valueDecimal", "date": "valueDate", "text": "valueString"}


def item_expression(link_id: str) -> str:
    shown = link_id if len(link_id) <= 64 else link_id[:64] + "…"
    return f"QuestionnaireResponse.item.where(linkId='{shown}')"


def definition_of(canonical: str | None) -> tuple[Definition | None, str | None]:
    """The definition a `questionnaire` canonical (url, url|version or a bare id) names, and
    the version asked for."""
    if not canonical:
        return None, None
    url, _, version = canonical.partition("|")
    for definition in definitions().values():
        if url in (definition.id, questionnaire_url(definition.id),
                   f"Questionnaire/{definition.id}"):
            return definition, version or None
    return None, None


# In: a response's items as the page's form answers.

def form_answers(definition: Definition,
                 items: list[QuestionnaireResponseItem]) -> tuple[dict[str, list[str]], list[Issue]]:
    answers: dict[str, list[str]] = {}
    issues: list[Issue] = []
    groups = {group.link_id for group in definition.groups}
    questions = definition.questions

    def walk(items: list[QuestionnaireResponseItem]) -> None:
        for item in items or []:
            if item.linkId in groups:
                walk(item.item)
            elif item.linkId in questions:
                question = questions[item.linkId]
                if item.linkId in answers:
                    issues.append(Issue(f"item {item.linkId} is given twice",
                                        item_expression(item.linkId), "structure"))
                given = _answer_values(definition, question, item, issues)
                if given:
                    answers[item.linkId] = given
            else:
                issues.append(Issue(f"no question {_short(item.linkId)} in {definition.id} "
                                    f"{definition.version}", item_expression(item.linkId),
                                    "structure"))

    walk(items)
    return answers, issues


def _answer_values(definition: Definition, question: Question, item: QuestionnaireResponseItem,
                   issues: list[Issue]) -> list[str]:
    expression = item_expression(question.name)
    expected = VALUE_OF_KIND[question.kind]
    answers = item.answer or []
    if not answers:
        reason = _absent_reason(item)
        if question.kind == "yesno" and reason in ABSENT_ANSWERS:
            return [ABSENT_ANSWERS[reason]]
        return []
    if len(answers) > 1 and not question.is_list:
        issues.append(Issue(f"item {question.name} takes one answer", expression, "structure"))
        return []
    values = []
    for answer in answers:
        value = getattr(answer, expected, None)
        if value is None:
            issues.append(Issue(f"item {question.name} must be answered with {expected}",
                                expression, "structure"))
            return []
        if isinstance(value, Coding):
            if value.system != code_system(definition.option_system_name(question)):
                issues.append(Issue(f"item {question.name}: a code of another system",
                                    expression, "code-invalid"))
                return []
            value = value.code or ""
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        elif isinstance(value, FHIRDate):
            value = value.as_json() or ""
        values.append(str(value))
    return values


def _absent_reason(item: QuestionnaireResponseItem) -> str | None:
    for ext in item.extension or []:
        if ext.url == DATA_ABSENT_REASON:
            return ext.valueCode
    return None


def pre_visit_history(definition: Definition, answers: dict[str, list[str]]
                      ) -> tuple[PreVisitHistory | None, list[Issue]]:
    """The page's reading of a completed form: the history, or which questions need what."""
    result = read_answers(answers)
    messages = catalogs()[DEFAULT_LANGUAGE]
    return result.history, [
        Issue(f"item {name}: {messages.get(key, key)}", item_expression(name),
              "required" if key == "error.required" else "value")
        for name, key in result.errors.items()]


# Out: stored answers as items.

def answer_items(definition: Definition, stored: dict) -> list[QuestionnaireResponseItem]:
    groups = []
    for group in definition.groups:
        items = [item for q in group.questions
                 if (item := _stored_item(definition, q, stored)) is not None]
        if items:
            groups.append(make(QuestionnaireResponseItem, linkId=group.link_id,
                               text=group.texts[DEFAULT_LANGUAGE], item=items))
    return groups


def _stored_value(definition: Definition, question: Question, stored: dict):
    if question.item_of:  # e.g. the weeks of one treatment tried
        list_name, option, field = question.item_of
        key = definition.questions[list_name].item_field
        return next((entry.get(field) for entry in stored.get(list_name, [])
                     if entry.get(key) == option), None)
    if question.item_field:
        return [entry[question.item_field] for entry in stored.get(question.name, [])]
    return stored.get(question.name)


def _stored_item(definition: Definition, question: Question,
                 stored: dict) -> QuestionnaireResponseItem | None:
    value = _stored_value(definition, question, stored)
    if value is None or value == []:
        return None
    values = value if isinstance(value, list) else [value]
    return make(QuestionnaireResponseItem, linkId=question.name,
                text=definition.label(question)[DEFAULT_LANGUAGE],
                answer=[make(QuestionnaireResponseItemAnswer,
                             **{VALUE_OF_KIND[question.kind]: _typed(definition, question, v)})
                        for v in values])


def _typed(definition: Definition, question: Question, value):
    kind = question.kind
    if kind in ("choice", "multi", "bodymap"):
        return answer_coding(definition, question, str(value))
    if kind == "date":
        return FHIRDate(str(value))
    if kind == "decimal":
        return float(value)
    return value


def response_resource(*, response_id: uuid.UUID, definition: Definition, version: str,
                      status: str, patient_id: uuid.UUID, authored: datetime,
                      items: list[QuestionnaireResponseItem],
                      case_id: uuid.UUID | None = None,
                      updated: datetime | None = None) -> QuestionnaireResponse:
    return make(
        QuestionnaireResponse, id=str(response_id), status=status,
        meta=make(Meta, lastUpdated=FHIRInstant((updated or authored).isoformat())),
        questionnaire=f"{questionnaire_url(definition.id)}|{version}",
        subject=make(FHIRReference, reference=f"Patient/{patient_id}"),
        authored=FHIRDateTime(authored.isoformat()), item=items,
        extension=[extension(EPISODE_OF_CARE, valueReference=make(
            FHIRReference, reference=f"EpisodeOfCare/{case_id}"))] if case_id else None)


def _short(text: str | None) -> str:
    text = text or ""
    return text if len(text) <= 64 else text[:64] + "…"


def response_of(stored) -> QuestionnaireResponse:
    """A stored response (service.StoredResponse): a completed form from its answers, a draft
    from the items it was saved with."""
    definition, _version = definition_of(stored.questionnaire)
    if stored.status == "in-progress":
        items = [QuestionnaireResponseItem(item, strict=True) for item in stored.content]
    else:
        items = answer_items(definition, stored.content)
    return response_resource(response_id=stored.id, definition=definition,
                             version=stored.version, status=stored.status,
                             patient_id=stored.patient_id, authored=stored.authored,
                             items=items, case_id=stored.case_id)


def responses_bundle(request, page, total: int, found: list):
    return searchset(request, page, total, [
        (response_of(stored), resource_url(request, "QuestionnaireResponse", stored.id), None)
        for stored in found])
