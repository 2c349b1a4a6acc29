"""Seeded random cases for the benchmark: every field of the clinical vocabulary, tri-state."""

from __future__ import annotations

import random
import typing
from enum import Enum

from pydantic import BaseModel

from services.triage.engine import CaseInput
from shared.clinical_record import ExamFindings, PreVisitHistory, Treatment, TreatmentTried

_SKIP = {"notes", "onset_date", "side", "treatments_tried", "imaging_done"}
# Mostly "no", sometimes unknown, rarely "yes": a realistic mix, so red flags do not swamp it.
_TRI_STATE = (False,) * 15 + (None,) * 4 + (True,)


def _value(rng: random.Random, annotation, numeric: tuple[int, int]):
    if typing.get_origin(annotation) is list:
        (enum_type,) = typing.get_args(annotation)
        return rng.sample(list(enum_type), rng.choice((0, 0, 1, 1, 2)))
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    base = args[0] if args else annotation
    if typing.get_origin(base) is typing.Annotated:
        base = typing.get_args(base)[0]
    if base is bool:
        return rng.choice(_TRI_STATE)
    if isinstance(base, type) and issubclass(base, Enum):
        return rng.choice([None, *base])
    if base in (int, float):
        return rng.choice((None, rng.randint(*numeric)))
    raise TypeError(f"no generator for {annotation!r}")


def _model(rng: random.Random, model: type[BaseModel]) -> dict:
    values = {}
    for name, field in model.model_fields.items():
        if name in _SKIP:
            continue
        numeric = (35, 40) if name == "temperature_celsius" else (0, 10)
        values[name] = _value(rng, field.annotation, numeric)
    return values


def random_case(rng: random.Random) -> CaseInput:
    history = _model(rng, PreVisitHistory)
    history["improvement_percent"] = rng.choice((None, 0, 20, 40, 60, 90))
    history["weekly_load_increase_percent"] = rng.choice((None, 5, 30))
    history["treatments_tried"] = [
        TreatmentTried(treatment=rng.choice(list(Treatment)), weeks=rng.choice((None, 2, 12, 30)))
        for _ in range(rng.choice((0, 0, 1, 2)))
    ]
    exam = ExamFindings(**_model(rng, ExamFindings)) if rng.random() < 0.7 else None
    return CaseInput(
        history=PreVisitHistory(**history),
        exam=exam,
        age_years=rng.choice((None, 3, 8, 15, 30, 60)),
        days_since_onset=rng.choice((None, 0, 2, 5, 9, 14, 30, 60, 100, 200, 400)),
    )


def generate(count: int, seed: int = 20240601) -> list[CaseInput]:
    rng = random.Random(seed)
    return [random_case(rng) for _ in range(count)]
