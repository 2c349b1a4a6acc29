"""Facts only the missing-information checks read: when a question is worth asking."""

from __future__ import annotations

from services.triage.engine.facts.base import Facts, fact


@fact
def always(f: Facts) -> bool:
    return True


@fact
def exam_done(f: Facts) -> bool:
    return f.case.exam is not None


@fact
def bony_points_open(f: Facts) -> bool:
    """Blank bony points are asked after any injury, and of any examination, even when another
    point is already tender: a blank point is never read as "not tender"."""
    return f.trauma_or_onset_unknown or f.exam_done
