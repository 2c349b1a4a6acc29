"""What the cards say and link to: shared by both services.

The evidence pages are docs/clinical/*.md, served read-only at /clinical-evidence/ so a card's
source can link to the section a rule cites. Override reasons are this product's own codes
(the specification leaves the vocabulary to the service).
"""

from __future__ import annotations

from pathlib import Path

from services.intake.cds_hooks.schemas import SUMMARY_LIMIT, Coding, Source
from services.intake.fhir.canonical import code_system
from services.triage.engine.decision import Decision, Queue
from services.triage.engine.ruleset import RULESET_HASH, RULESET_VERSION

EVIDENCE_FOLDER = Path(__file__).resolve().parents[3] / "docs" / "clinical"
EVIDENCE_PATH = "/clinical-evidence"
OVERRIDE_REASON_SYSTEM = code_system("cds-override-reason")
OVERRIDE_REASONS = (
    Coding(system=OVERRIDE_REASON_SYSTEM, code="examined-differently",
           display="Examined in person: the findings differ"),
    Coding(system=OVERRIDE_REASON_SYSTEM, code="clinical-judgement",
           display="Clinical judgement: this route does not fit the patient"),
    Coding(system=OVERRIDE_REASON_SYSTEM, code="already-arranged",
           display="Already referred, imaged or treated elsewhere"),
    Coding(system=OVERRIDE_REASON_SYSTEM, code="patient-preference",
           display="The patient declined or prefers another option"),
    Coding(system=OVERRIDE_REASON_SYSTEM, code="answers-out-of-date",
           display="The patient's answers are out of date"),
)
QUEUE_LABELS = {Queue.HOME_CARE: "Rest and home care", Queue.PHYSIO: "Physiotherapy",
                Queue.IMAGING: "Imaging", Queue.SURGICAL: "Surgical consult"}
MODALITY_LABELS = {"xray": "X-ray", "mri": "MRI"}


def route_label(decision: Decision) -> str:
    queue = QUEUE_LABELS[decision.queue]
    modality = decision.imaging_modality
    return f"{queue}{f' ({MODALITY_LABELS[modality]})' if modality else ''}"


def evidence_url(base: str, citation_source: str) -> str | None:
    """`docs/clinical/x.md#anchor` as its served URL, when the page exists."""
    path, _, anchor = citation_source.partition("#")
    if not path.startswith("docs/clinical/") or not (EVIDENCE_FOLDER / Path(path).name).is_file():
        return None
    return f"{base}{EVIDENCE_PATH}/{Path(path).name}{f'#{anchor}' if anchor else ''}"


def rule_set_source(base: str, evidence: str | None) -> Source:
    return Source(label=f"Ankle triage rule set {RULESET_VERSION} ({RULESET_HASH[:12]})",
                  url=evidence or f"{base}{EVIDENCE_PATH}/README.md",
                  topic=Coding(system=code_system("cds-topic"), code="ankle-triage",
                               display="Ankle and lower-leg triage"))


def summary(text: str) -> str:
    """Under 140 characters, cut at a word with an ellipsis when longer."""
    if len(text) < SUMMARY_LIMIT:
        return text
    return text[:SUMMARY_LIMIT - 2].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def bullet_list(items) -> str:
    return "\n".join(f"- {markdown_text(item)}" for item in items)


def markdown_text(text: str) -> str:
    """Our own texts, with the characters Markdown would read as markup escaped."""
    for character in "\\`*_[]<>|":
        text = text.replace(character, "\\" + character)
    return text
