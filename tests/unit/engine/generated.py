"""Hypothesis strategies for engine cases that cover every field of the clinical vocabulary.

Every field of PreVisitHistory and ExamFindings is drawn (derived from the models, so a new
field is covered the day it is added), each tri-state answer as yes, no or unknown, with "no"
most likely so that the danger signs the properties add are not already there.
"""

from __future__ import annotations

import typing
from enum import Enum

from annotated_types import Ge, Le
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from services.triage.engine import CaseInput
from shared.clinical_record import (
    ExamFindings,
    FollowUpAnswer,
    PreVisitHistory,
    Sex,
    Trend,
)

_TRI_STATE = st.sampled_from((False, False, False, False, None, None, True))
_FREE_TEXT_AND_DATES = {"notes", "onset_date", "side"}


def _bounds(metadata) -> tuple[float | None, float | None]:
    low = high = None
    for meta in metadata:
        if isinstance(meta, FieldInfo):
            low, high = _bounds(meta.metadata)
        if isinstance(meta, Ge):
            low = meta.ge
        if isinstance(meta, Le):
            high = meta.le
    return low, high


def _records(model: type[BaseModel]) -> st.SearchStrategy:
    # List items (treatments tried, imaging done) are drawn through their own fields.
    return st.builds(model, **{name: _strategy(f) for name, f in model.model_fields.items()})


def _strategy(field) -> st.SearchStrategy:
    annotation = field.annotation
    if typing.get_origin(annotation) is list:
        (item,) = typing.get_args(annotation)
        if isinstance(item, type) and issubclass(item, Enum):
            return st.lists(st.sampled_from(list(item)), max_size=3, unique=True)
        return st.lists(_records(item), max_size=2)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    base = args[0] if args else annotation
    optional = type(None) in typing.get_args(annotation)
    if typing.get_origin(base) is typing.Annotated:
        base, *metadata = typing.get_args(base)
        low, high = _bounds(metadata)
    else:
        low, high = _bounds(field.metadata)
    if base is bool:
        return _TRI_STATE
    if isinstance(base, type) and issubclass(base, Enum):
        values = st.sampled_from(list(base))
    elif base is int:
        values = st.integers(int(low or 0), int(min(high if high is not None else 100, 400)))
    elif base is float:
        values = st.floats(low or 0, high or 100, allow_nan=False)
    else:
        raise TypeError(f"no strategy for {annotation!r}")
    return st.none() | values if optional else values


def _model(model: type[BaseModel]) -> st.SearchStrategy:
    fields = {
        name: _strategy(field)
        for name, field in model.model_fields.items()
        if name not in _FREE_TEXT_AND_DATES
    }
    return st.builds(model, **fields)


histories = _model(PreVisitHistory)
exams = _model(ExamFindings)

cases = st.builds(
    CaseInput,
    history=histories,
    exam=st.none() | exams,
    age_years=st.none() | st.sampled_from((2, 4, 5, 8, 12, 15, 16, 17, 30, 55, 80)),
    days_since_onset=st.none() | st.sampled_from((0, 1, 2, 3, 5, 9, 10, 11, 14, 30, 42, 43,
                                                  60, 90, 100, 200, 400)),
    sex=st.none() | st.sampled_from(list(Sex)),
    follow_up=st.none() | st.builds(FollowUpAnswer, days_since_previous_decision=st.integers(0, 60),
                                    trend=st.sampled_from(list(Trend))),
)
