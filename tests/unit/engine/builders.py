"""Case builders for the engine tests: every safety question answered "no" unless a test says so."""

from __future__ import annotations

from services.triage.engine import CaseInput
from shared.clinical_record import ExamFindings, FollowUpAnswer, PreVisitHistory

SAFE_HISTORY = {
    "onset": "gradual",
    "foot_cold_pale_or_blue": False,
    "joint_hot_red_swollen": False,
    "numbness_or_tingling": False,
    "burning_or_tingling_in_sole": False,
    "visible_deformity": False,
    "wound_over_injury": False,
    "walked_four_steps_immediately": True,
    "walks_four_steps_now": True,
    "fever_or_unwell": False,
    "foot_red_warm_swollen": False,
    "saddle_numbness_or_bladder_bowel_change": False,
    "diabetes": False,
}

SAFE_EXAM = {
    "pain_in_malleolar_zone": False,
    "pain_in_midfoot_zone": False,
    "tender_lateral_malleolus_posterior_edge_or_tip": False,
    "tender_medial_malleolus_posterior_edge_or_tip": False,
    "tender_base_of_fifth_metatarsal": False,
    "tender_navicular": False,
    "bears_weight_four_steps_in_clinic": True,
    "intoxicated": False,
    "head_injury": False,
    "multiple_painful_injuries": False,
    "reduced_sensation": False,
    "deformity": False,
    "open_wound_over_fracture_or_joint": False,
    "pulses_absent": False,
    "foot_cold_or_pale": False,
    "tender_syndesmosis": False,
    "calf_squeeze_no_plantarflexion": False,
}

SPRAIN = {"onset": "injury", "injury_mechanism": "rolled_outward", "pain_locations": ["outside"]}


def case(
    history: dict | None = None,
    exam: dict | None = None,
    *,
    age: int | None = 30,
    days: int | None = 2,
    with_exam: bool = True,
    trend: str | None = None,
) -> CaseInput:
    follow_up = (
        FollowUpAnswer(days_since_previous_decision=7, trend=trend) if trend is not None else None
    )
    return CaseInput(
        history=PreVisitHistory(**{**SAFE_HISTORY, **(history or {})}),
        exam=ExamFindings(**{**SAFE_EXAM, **(exam or {})}) if with_exam else None,
        age_years=age,
        days_since_onset=days,
        follow_up=follow_up,
    )


def sprain(exam: dict | None = None, history: dict | None = None, **kw) -> CaseInput:
    return case(
        {**SPRAIN, **(history or {})}, {"pain_in_malleolar_zone": True, **(exam or {})}, **kw
    )


def fired(decision) -> set[str]:
    return {rule.rule_id for rule in decision.rules_fired}
