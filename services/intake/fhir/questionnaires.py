"""Questionnaire: the pre-visit form, the check-in and the exam form (definitions.py), with
`enableWhen` for each conditional question, `required`, answer options and every language's
text (the translation extension; English is the resource's language)."""

from __future__ import annotations

from fhirclient.models.coding import Coding
from fhirclient.models.questionnaire import (
    Questionnaire,
    QuestionnaireItem,
    QuestionnaireItemAnswerOption,
    QuestionnaireItemEnableWhen,
)

from services.intake.fhir.canonical import MAX_VALUE, MIN_VALUE, code_system, questionnaire_url
from services.intake.fhir.definitions import Definition, Texts, number_bounds
from services.intake.fhir.model import (
    TranslatedCoding,
    TranslatedItem,
    TranslatedQuestionnaire,
    extension,
    make,
)
from services.intake.pages.questions import ANY, Question
from services.intake.pages.rendering import DEFAULT_LANGUAGE

# Each kind of question the pages know, as a FHIR item type.
ITEM_TYPES = {"yesno": "boolean", "choice": "choice", "multi": "choice", "bodymap": "choice",
              "scale": "integer", "number": "integer", "decimal": "decimal", "date": "date",
              "text": "text"}
LONGEST_TEXT = 2000  # PreVisitHistory.notes, ExamFindings.notes, CheckInAnswers.notes


def questionnaire(definition: Definition) -> Questionnaire:
    return make(
        TranslatedQuestionnaire, id=definition.id, url=questionnaire_url(definition.id),
        version=definition.version, name=definition.name, status="active",
        language=DEFAULT_LANGUAGE, subjectType=["Patient"],
        title=definition.title[DEFAULT_LANGUAGE],
        item=[_group(definition, group) for group in definition.groups],
    ).translate("title", _others(definition.title))


def _group(definition: Definition, group) -> QuestionnaireItem:
    return make(TranslatedItem, linkId=group.link_id, type="group",
                text=group.texts[DEFAULT_LANGUAGE],
                item=[_question(definition, q) for q in group.questions],
                **_enable_when(definition, group.show_if),
                ).translate("text", _others(group.texts))


def _question(definition: Definition, question: Question) -> QuestionnaireItem:
    label = definition.label(question)
    extensions = []
    if (bounds := number_bounds(definition, question)) is not None:
        value = "valueDecimal" if question.kind == "decimal" else "valueInteger"
        cast = float if question.kind == "decimal" else int
        extensions = [extension(MIN_VALUE, **{value: cast(bounds[0])}),
                      extension(MAX_VALUE, **{value: cast(bounds[1])})]
    return make(
        TranslatedItem, linkId=question.name, type=ITEM_TYPES[question.kind],
        text=label[DEFAULT_LANGUAGE], required=question.required,
        repeats=question.is_list or None, extension=extensions,
        maxLength=LONGEST_TEXT if question.kind == "text" else None,
        answerOption=_answer_options(definition, question),
        **_enable_when(definition, question.show_if),
    ).translate("text", _others(label))


def _answer_options(definition: Definition, question: Question):
    if question.kind == "scale":
        return [make(QuestionnaireItemAnswerOption, valueInteger=int(o)) for o in question.options]
    if question.kind not in ("choice", "multi", "bodymap"):
        return None
    return [make(QuestionnaireItemAnswerOption,
                 valueCoding=answer_coding(definition, question, option, translated=True))
            for option in question.options]


def answer_coding(definition: Definition, question: Question, option: str,
                  translated: bool = False) -> Coding:
    texts = definition.option(question, option)
    coding = make(TranslatedCoding if translated else Coding,
                  system=code_system(definition.option_system_name(question)), code=option,
                  display=texts[DEFAULT_LANGUAGE])
    return coding.translate("display", _others(texts)) if translated else coding


def _enable_when(definition: Definition, show_if: dict[str, tuple[str, ...]]) -> dict:
    """The pages' `show_if` (every named question has one of the listed answers; ANY: any
    answer at all) as enableWhen conditions and how they combine."""
    conditions = [_condition(definition, name, wanted)
                  for name, values in show_if.items() for wanted in values]
    if len(conditions) <= 1:
        return {"enableWhen": conditions}
    if len(show_if) == 1:  # one question, several acceptable answers
        return {"enableWhen": conditions, "enableBehavior": "any"}
    if all(len(values) == 1 for values in show_if.values()):
        return {"enableWhen": conditions, "enableBehavior": "all"}
    raise ValueError(f"show_if {show_if} needs both all and any: not expressible in R4")


def _condition(definition: Definition, name: str, wanted: str) -> QuestionnaireItemEnableWhen:
    source = definition.questions[name]
    if wanted == ANY:
        return make(QuestionnaireItemEnableWhen, question=name, operator="exists",
                    answerBoolean=True)
    if source.kind == "yesno":
        return make(QuestionnaireItemEnableWhen, question=name, operator="=",
                    answerBoolean=wanted == "yes")
    return make(QuestionnaireItemEnableWhen, question=name, operator="=",
                answerCoding=answer_coding(definition, source, wanted))


def _others(texts: Texts) -> Texts:
    return {language: text for language, text in texts.items() if language != DEFAULT_LANGUAGE}
