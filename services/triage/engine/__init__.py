"""The clinical triage engine: pure Python, no I/O. Feed it a case, get back a Decision."""

from services.triage.engine.case import CaseInput
from services.triage.engine.decision import Decision, Modality, Queue, Urgency
from services.triage.engine.evaluate import evaluate

__all__ = ["CaseInput", "Decision", "Modality", "Queue", "Urgency", "evaluate"]
