"""`clinic schema` publishes the JSON Schema of the engine's input: every history and exam
field is in it, with the records inside lists and the enum values the forms offer."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from clinic_cli.main import app
from shared.clinical_record import ExamFindings, PreVisitHistory, PriorImaging, Severity
from tests.json_schema import (
    enum_values,
    list_item_properties,
    number_bounds,
    object_properties,
)


def published_schema() -> dict:
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_clinic_schema_names_every_history_field_and_each_imaging_item_field():
    schema = published_schema()
    history = object_properties(schema["properties"]["history"], schema)

    assert set(history) == set(PreVisitHistory.model_fields)
    imaging = list_item_properties(history["imaging_done"], schema)
    assert set(imaging) == set(PriorImaging.model_fields) == {"modality", "result", "days_ago"}
    assert "stress_reaction_or_fracture" in enum_values(imaging["result"], schema)
    for severity in ("swelling", "bruising"):
        assert enum_values(history[severity], schema) == {s.value for s in Severity}
    assert Severity.PRESENT_SEVERITY_UNKNOWN.value in enum_values(history["swelling"], schema)


def test_clinic_schema_names_every_exam_field_with_the_skin_temperature_bounds():
    schema = published_schema()
    exam = object_properties(schema["properties"]["exam"], schema)

    assert set(exam) == set(ExamFindings.model_fields)
    assert number_bounds(exam["skin_temperature_difference_celsius"], schema) == (0, 15)
