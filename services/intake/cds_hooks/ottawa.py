"""ottawa-xray-check: does an ankle or foot X-ray being ordered meet the Ottawa rules?

An order is an ankle or foot X-ray when a coding of its code is one of these (checked against
the LOINC and SNOMED CT tables, names as published):

- LOINC: 24541-5 XR Ankle Views, 24540-7 XR Ankle 2 Views, 36294-7 XR Ankle 3 Views,
  36295-4 XR Ankle - bilateral 3 Views, 36296-2 XR Ankle - left 3 Views, 36317-6 XR Ankle 4
  Views, 26097-6 / 26098-4 / 26099-2 XR Ankle - bilateral / left / right Views, 36551-0 XR
  Ankle Single view, 36571-8 XR Ankle AP, 36592-4 XR Ankle Lateral; 24709-8 XR Foot Views,
  24708-0 XR Foot Views W standing, 26094-3 / 26095-0 / 26096-8 XR Foot - bilateral / left /
  right Views W standing, 36305-1 XR Foot 3 Views, 36306-9 / 36307-7 XR Foot - bilateral /
  left 3 Views, 36657-5 XR Foot - bilateral 2 Views, 36561-9 XR Foot Single view, 36579-1 XR
  Foot AP, 36580-9 XR Foot - bilateral AP, 36598-1 XR Foot - left Lateral, 36614-6 XR Foot
  Oblique, 36615-3 XR Foot - left Oblique.
- SNOMED CT: 1597004 Skeletal X-ray of ankle and foot, 1290459008 Plain X-ray of ankle region.

Otherwise, as a fallback, when its code's text or a display says X-ray (x-ray, xray, XR,
radiograph, plain film) and ankle or foot, and not CT, MRI or ultrasound.

The verdict comes from the engine's own facts (services/triage/engine/facts.py, the Ottawa
section) for the patient's answers and exam: positive (ankle or foot rule) and complete, the
order is plainly indicated and no card is returned; negative, a warning card with the findings
and a suggestion to withdraw the draft order; otherwise an info card saying why the rules do
not decide (outside their window, an exclusion, a child rule, or the findings still missing).
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from services.intake.cds_hooks.cards import (
    OVERRIDE_REASONS,
    bullet_list,
    evidence_url,
    markdown_text,
    rule_set_source,
    summary,
)
from services.intake.cds_hooks.schemas import Action, Card, Indicator, Suggestion
from services.triage.engine import evaluate
from services.triage.engine.case import CaseInput
from services.triage.engine.evidence import FINDINGS
from services.triage.engine.facts import Facts, derive_facts
from services.triage.engine.missing import CHECKS

LOINC, SNOMED = "http://loinc.org", "http://snomed.info/sct"
ANKLE, FOOT = "ankle", "foot"
XRAY_CODES = {
    (LOINC, code): ANKLE for code in (
        "24541-5", "24540-7", "36294-7", "36295-4", "36296-2", "36317-6", "26097-6",
        "26098-4", "26099-2", "36551-0", "36571-8", "36592-4")
} | {
    (LOINC, code): FOOT for code in (
        "24709-8", "24708-0", "26094-3", "26095-0", "26096-8", "36305-1", "36306-9",
        "36307-7", "36657-5", "36561-9", "36579-1", "36580-9", "36598-1", "36614-6",
        "36615-3")
} | {(SNOMED, "1597004"): "ankle and foot", (SNOMED, "1290459008"): ANKLE}
_XRAY_WORDS = re.compile(r"\b(x-?ray|xr|radiograph\w*|plain film)\b", re.IGNORECASE)
_OTHER_MODALITY = re.compile(r"\b(ct|mri?|magnetic|ultrasound|us|sonograph\w*)\b", re.IGNORECASE)
_REGION = re.compile(r"\b(ankles?|foot|feet)\b", re.IGNORECASE)
EVIDENCE = "docs/clinical/ottawa-and-fractures.md#ottawa-ankle-and-foot-rules"
# The engine's missing-information questions that the Ottawa verdict depends on.
OTTAWA_FIELDS = {"history.onset", "history.walked_four_steps_immediately",
                 "history.walks_four_steps_now", "exam.bears_weight_four_steps_in_clinic",
                 "case.age_years", "case.days_since_onset",
                 "exam.tender_lateral_malleolus_posterior_edge_or_tip",
                 "exam.tender_medial_malleolus_posterior_edge_or_tip",
                 "exam.tender_base_of_fifth_metatarsal", "exam.tender_navicular",
                 "exam.intoxicated"}
OTTAWA_QUESTIONS = frozenset(check.question for check in CHECKS
                             if OTTAWA_FIELDS & set(check.fields))
RULE_TEXT = ("The Ottawa ankle and foot rules: an X-ray is needed only with bony tenderness at "
             "the posterior edge or tip of either malleolus, the base of the fifth metatarsal "
             "or the navicular, or when the patient could not take four steps both right after "
             "the injury and when examined (adults and children over 5, within 10 days).")
POSITIVE_FACTS = ("ottawa_ankle_positive", "ottawa_foot_positive", "tender_ankle_point",
                  "tender_foot_point", "cannot_bear_weight_both_times")


@dataclass(frozen=True)
class XrayOrder:
    reference: str  # ServiceRequest/<id> as the draft order names it
    region: str  # ankle, foot, or ankle and foot
    label: str


def xray_orders(draft_orders: dict, selections: list[str] | None = None) -> list[XrayOrder]:
    """The ankle or foot X-rays among the draft orders (only the selected ones, on
    order-select)."""
    found = []
    for entry in draft_orders.get("entry") or []:
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or resource.get("resourceType") != "ServiceRequest":
            continue
        reference = f"ServiceRequest/{resource.get('id')}"
        if selections is not None and reference not in selections:
            continue
        region = _region(resource.get("code") or {})
        if region:
            label = (resource.get("code") or {}).get("text") or f"X-ray of the {region}"
            found.append(XrayOrder(reference, region, label))
    return found


def _region(code: dict) -> str | None:
    codings = [c for c in code.get("coding") or [] if isinstance(c, dict)]
    for coding in codings:
        if (region := XRAY_CODES.get((coding.get("system"), coding.get("code")))):
            return region
    for text in [code.get("text"), *(c.get("display") for c in codings)]:
        if isinstance(text, str) and _XRAY_WORDS.search(text) and \
                not _OTHER_MODALITY.search(text) and (region := _REGION.search(text)):
            return FOOT if region.group(1).lower() in ("foot", "feet") else ANKLE
    return None


def ottawa_card(case: CaseInput | None, orders: list[XrayOrder], base: str) -> Card | None:
    """The card for these X-ray orders, or None when the rules plainly indicate them and
    nothing they depend on is missing."""
    if case is None:
        return _card(Indicator.INFO, "Ottawa rules: no injury history recorded for this "
                     "patient, so they cannot decide this X-ray", orders, base,
                     missing=sorted(OTTAWA_QUESTIONS))
    facts = derive_facts(case)
    missing = [q for q in evaluate(case).missing_information if q in OTTAWA_QUESTIONS]
    found = _found(facts) + _recorded(case)
    if facts.ottawa_ankle_positive or facts.ottawa_foot_positive:
        indicated = {region for region, positive in ((ANKLE, facts.ottawa_ankle_positive),
                                                     (FOOT, facts.ottawa_foot_positive))
                     if positive}
        unmatched = [o for o in orders if o.region in (ANKLE, FOOT) and o.region not in indicated]
        if not unmatched and not missing:
            return None
        if unmatched:
            series = " and ".join(sorted(indicated))
            return _card(Indicator.INFO, f"Ottawa rules positive for the {series}, not for "
                         f"the {unmatched[0].region} X-ray ordered", orders, base, found,
                         missing)
        return _card(Indicator.INFO, "Ottawa rules indicate this X-ray; some findings are "
                     "still unrecorded", orders, base, found, missing)
    if facts.ottawa_negative:
        return _card(Indicator.WARNING, "Ottawa rules negative: this ankle/foot X-ray is not "
                     "indicated", orders, base, found, missing, withdraw=True)
    return _card(Indicator.INFO, _why_undecided(facts), orders, base, found, missing)


def _why_undecided(facts: Facts) -> str:
    if not facts.trauma:
        return "Ottawa rules do not apply: the pain did not start with an injury"
    if facts.ottawa_excluded:
        return "Ottawa rules do not apply: an exclusion is present; use clinical judgement"
    if facts.lrar_low_risk:
        return "Low Risk Ankle Rule met: no ankle X-ray needed for the distal fibula"
    if facts.late_trauma_presentation:
        return "Ottawa rules do not apply more than 10 days after the injury"
    if facts.under_5_trauma:
        return "Ottawa rules are not validated under 5 years of age"
    if facts.fracture_sign_outside_ottawa_window:
        return "Ottawa rules cannot be applied; the fracture signs still support an X-ray"
    return "Ottawa rules undecided: the bony points or weight bearing are not recorded"


def _found(facts: Facts) -> list[str]:
    names = (*POSITIVE_FACTS, "not_bearing_weight_now", "ottawa_negative", "ottawa_excluded",
             "lrar_low_risk", "late_trauma_presentation", "under_5_trauma",
             "fracture_sign_outside_ottawa_window")
    return [FINDINGS.get(name, name.replace("_", " ")) for name in names if facts[name]]


POINTS = (("tender_lateral_malleolus_posterior_edge_or_tip", "lateral malleolus"),
          ("tender_medial_malleolus_posterior_edge_or_tip", "medial malleolus"),
          ("tender_base_of_fifth_metatarsal", "base of the fifth metatarsal"),
          ("tender_navicular", "navicular"))
STEPS = (("history", "walked_four_steps_immediately", "right after the injury"),
         ("history", "walks_four_steps_now", "now (patient)"),
         ("exam", "bears_weight_four_steps_in_clinic", "in clinic"))


def _recorded(case: CaseInput) -> list[str]:
    """The Ottawa criteria as recorded: each bony point and each weight-bearing answer."""
    exam = case.exam
    lines = []
    for field, name in POINTS:
        value = getattr(exam, field) if exam else None
        if value is not None:
            lines.append(f"{name}: {'tender' if value else 'not tender'}")
    for record, field, when in STEPS:
        value = getattr(case.history if record == "history" else exam, field, None) \
            if (record == "history" or exam) else None
        if value is not None:
            lines.append(f"four steps {when}: {'yes' if value else 'no'}")
    return lines


def _card(indicator: Indicator, headline: str, orders: list[XrayOrder], base: str,
          found: list[str] = (), missing: list[str] = (), *, withdraw: bool = False) -> Card:
    ordered = ", ".join(o.label for o in orders)
    parts = [f"**Ordered:** {markdown_text(ordered)}",
             "### Findings\n" + (bullet_list(found) or "None recorded."),
             "### Missing for the Ottawa rules\n" + (bullet_list(missing) or "Nothing missing."),
             RULE_TEXT]
    suggestions = None
    if withdraw:
        suggestions = [Suggestion(
            label="Withdraw the X-ray order", uuid=str(uuid.uuid4()), isRecommended=True,
            actions=[Action(type="delete", description=f"Withdraw {o.label}",
                            resourceId=[o.reference]) for o in orders])]
    return Card(uuid=str(uuid.uuid4()), summary=summary(headline), detail="\n\n".join(parts),
                indicator=indicator, source=rule_set_source(base, evidence_url(base, EVIDENCE)),
                suggestions=suggestions, selectionBehavior="at-most-one" if withdraw else None,
                overrideReasons=list(OVERRIDE_REASONS))
