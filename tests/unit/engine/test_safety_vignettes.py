"""Adversarial vignettes for rule set 1.4.0: each sent a patient home, or left them a week or
more in a queue, under 1.3.0. Each docstring names the principle (issue 13, section 1) and the
passage of docs/clinical/ it rests on; the properties in test_properties.py prove the classes.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from clinic_cli.main import app
from services.triage.engine import Modality, Queue, Urgency, evaluate
from services.triage.engine.evaluate import QUEUE_RANK
from tests.unit.engine.builders import SAFE_EXAM, SAFE_HISTORY, case, fired, sprain

T = {"onset": "injury", "injury_mechanism": "rolled_outward"}
G = {"onset": "gradual"}
NOT_HOME = (Queue.PHYSIO, Queue.IMAGING, Queue.SURGICAL)


def route(d):
    return d.queue, d.urgency, d.imaging_modality


# Principle: Ottawa points count whatever the pain zone (ottawa-and-fractures.md,
# "Ottawa points and the pain zone").


def test_tender_fibula_tip_counts_when_the_patient_ticked_only_the_heel():
    """A tender lateral malleolus with only "heel" ticked was ignored: the zone gated the point."""
    d = evaluate(case({**T, "pain_locations": ["heel"]},
                      {"tender_lateral_malleolus_posterior_edge_or_tip": True}))
    assert route(d) == (Queue.IMAGING, Urgency.URGENT, Modality.XRAY)
    assert "ottawa.ankle_positive" in fired(d)


def test_tender_navicular_counts_when_the_examiner_left_the_zone_blank():
    """Zone blank, patient ticked the outside of the ankle: the navicular point stands alone."""
    d = evaluate(case({**T, "pain_locations": ["outside"]},
                      {"tender_navicular": True, "pain_in_midfoot_zone": None}))
    assert route(d) == (Queue.IMAGING, Urgency.URGENT, Modality.XRAY)
    assert "ottawa.foot_positive" in fired(d)


def test_tender_fifth_metatarsal_base_counts_even_with_no_midfoot_pain_recorded():
    """The zone can add evidence, never remove it: "no midfoot pain" does not cancel the point."""
    d = evaluate(case(T, {"tender_base_of_fifth_metatarsal": True, "pain_in_midfoot_zone": False}))
    assert d.queue is Queue.IMAGING and d.imaging_modality is Modality.XRAY


def test_not_bearing_weight_twice_counts_whatever_area_was_ticked():
    """Unable to take four steps immediately and now, with only "shin" ticked."""
    d = evaluate(case({**T, "pain_locations": ["shin"], "walked_four_steps_immediately": False},
                      {"bears_weight_four_steps_in_clinic": False}))
    assert route(d) == (Queue.IMAGING, Urgency.URGENT, Modality.XRAY)


def test_low_risk_ankle_rule_does_not_switch_off_the_foot_rule():
    """Boutis 2013: a child is low risk only if the foot points are non-tender too."""
    d = evaluate(sprain({"low_risk_ankle_exam": True, "tender_navicular": True}, age=10, days=1))
    assert "child.low_risk_ankle_rule" not in fired(d)
    assert d.queue is Queue.IMAGING


def test_low_risk_ankle_rule_needs_the_foot_points_examined():
    """Foot points left blank: not low risk, and not home care."""
    d = evaluate(sprain({"low_risk_ankle_exam": True, "tender_navicular": None}, age=10, days=1))
    assert "child.low_risk_ankle_rule" not in fired(d)
    assert d.queue in NOT_HOME and d.needs_clinician_review


# Principle: positive findings outside the validated window are never thrown away
# (ottawa-and-fractures.md, "Children under five", "Late presentation").


def test_four_year_old_with_a_tender_fibula_tip_goes_to_xray_urgently():
    """Under about five the rules are not validated; the finding still means an X-ray."""
    d = evaluate(sprain({"tender_lateral_malleolus_posterior_edge_or_tip": True}, age=4))
    assert route(d) == (Queue.IMAGING, Urgency.URGENT, Modality.XRAY)
    assert d.needs_clinician_review


def test_unknown_age_with_a_tender_medial_malleolus_goes_to_xray_urgently():
    d = evaluate(sprain({"tender_medial_malleolus_posterior_edge_or_tip": True}, age=None))
    assert route(d) == (Queue.IMAGING, Urgency.URGENT, Modality.XRAY)


def test_tender_navicular_two_weeks_after_the_injury_goes_to_xray():
    """Anderson 2022: 15 of 19 late fractures were Ottawa-negative; a positive point counts."""
    d = evaluate(sprain({"tender_navicular": True}, days=14))
    assert d.queue is Queue.IMAGING and d.imaging_modality is Modality.XRAY
    assert d.urgency.rank >= Urgency.SOON.rank


def test_tender_fibula_four_months_after_the_injury_still_goes_to_xray():
    d = evaluate(sprain({"tender_lateral_malleolus_posterior_edge_or_tip": True}, days=120))
    assert d.queue is Queue.IMAGING and d.imaging_modality is Modality.XRAY


def test_intoxicated_patient_not_bearing_weight_goes_to_xray_urgently():
    d = evaluate(sprain({"intoxicated": True, "bears_weight_four_steps_in_clinic": False},
                        history={"walked_four_steps_immediately": False}))
    assert route(d) == (Queue.IMAGING, Urgency.URGENT, Modality.XRAY)


# Principle: walking four steps now makes the weight-bearing criterion negative
# (ottawa-and-fractures.md, "Ottawa ankle and foot rules": both time points must fail).


def test_walking_now_means_the_immediate_answer_is_not_asked_for():
    d = evaluate(sprain(history={"walked_four_steps_immediately": None}))
    assert not any("Right after the injury" in q for q in d.missing_information)
    assert d.queue is Queue.HOME_CARE


def test_could_not_walk_at_first_but_walks_now_is_ottawa_negative():
    d = evaluate(sprain(history={"walked_four_steps_immediately": False}))
    assert "sprain.lateral_mild_ottawa_negative" in fired(d)


# Principle: late presenters who are not improving go to X-ray soon, and a day later they do
# not drop (timelines-and-escalation.md, "Late presenters not improving").


def test_still_swollen_three_weeks_after_an_injury_goes_to_xray_soon():
    d = evaluate(sprain(history={"swelling": "mild"}, days=21))
    assert route(d) == (Queue.IMAGING, Urgency.SOON, Modality.XRAY)


@pytest.mark.parametrize("days", [11, 42, 43, 44, 84, 85, 90, 200])
def test_a_late_presenter_not_settling_does_not_drop_a_day_later(days):
    def on(day):
        return evaluate(sprain(history={"swelling": "mild", "improvement_percent": 10}, days=day))

    today, tomorrow = on(days), on(days + 1)
    assert today.queue in (Queue.IMAGING, Queue.SURGICAL)
    assert QUEUE_RANK[tomorrow.queue] >= QUEUE_RANK[today.queue]
    assert tomorrow.urgency.rank >= today.urgency.rank


def test_still_not_walking_a_month_after_an_injury_goes_to_xray_urgently():
    d = evaluate(sprain({"bears_weight_four_steps_in_clinic": False}, days=30))
    assert route(d) == (Queue.IMAGING, Urgency.URGENT, Modality.XRAY)


# Principle: fever after an injury is an infection red flag; an unanswered fever question after
# an injury with swelling blocks home care (red-flags.md, "Septic arthritis and cellulitis").


def test_temperature_of_38_4_after_a_sprain_is_an_infection_red_flag():
    d = evaluate(sprain({"temperature_celsius": 38.4}))
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.URGENT)
    assert "red_flag.fever_after_injury" in fired(d)


def test_unanswered_fever_after_an_injury_with_swelling_blocks_home_care():
    d = evaluate(sprain(history={"fever_or_unwell": None, "swelling": "mild"}))
    assert d.queue in NOT_HOME and d.needs_clinician_review
    assert any("Fever" in q for q in d.missing_information)


def test_fever_with_a_hot_swollen_joint_is_an_emergency():
    d = evaluate(case({"fever_or_unwell": True, "joint_hot_red_swollen": True}))
    assert d.urgency is Urgency.EMERGENCY


# Principle: a red, warm, swollen foot without diabetes goes to urgent review, never home
# (red-flags.md, "Red, warm, swollen foot without diabetes").


def test_red_warm_swollen_foot_without_diabetes_is_urgent_review():
    d = evaluate(case({"foot_red_warm_swollen": True, "diabetes": False}))
    assert d.queue in NOT_HOME and d.urgency is Urgency.URGENT and d.needs_clinician_review


def test_red_warm_swollen_foot_with_diabetes_unknown_is_not_home_and_asks():
    d = evaluate(case({"foot_red_warm_swollen": True, "diabetes": None}))
    assert d.queue in NOT_HOME
    assert any("diabetes" in q for q in d.missing_information)


def test_neuropathy_and_a_foot_three_degrees_warmer_is_suspected_charcot():
    """NICE NG19: think of Charcot with neuropathy even without diabetes, pain or deformity."""
    d = evaluate(case({"peripheral_neuropathy": True, "diabetes": False},
                      {"skin_temperature_difference_celsius": 3.0}))
    assert "red_flag.suspected_charcot_foot" in fired(d)
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.URGENT)


# Principle: cannot bear weight at all, at any age, with or without an injury, is never home
# care (red-flags.md, "Cannot bear weight at any age").


def test_seventy_year_old_who_cannot_walk_without_an_injury_is_not_home_care():
    d = evaluate(case(G, {"bears_weight_four_steps_in_clinic": False}, age=70))
    assert d.queue in NOT_HOME and d.urgency.rank >= Urgency.URGENT.rank


def test_adult_who_walked_at_first_but_cannot_now_is_urgent_review():
    d = evaluate(sprain({"bears_weight_four_steps_in_clinic": False}))
    assert d.queue in NOT_HOME and d.urgency is Urgency.URGENT and d.needs_clinician_review


# Principle: pain out of proportion or on passive toe stretch after trauma is a compartment
# flag (red-flags.md, "Compartment syndrome").


def test_pain_out_of_proportion_after_an_injury_is_a_compartment_emergency():
    d = evaluate(sprain({"pain_out_of_proportion": True}))
    assert "red_flag.compartment_syndrome" in fired(d) and d.urgency is Urgency.EMERGENCY


def test_pain_on_passive_toe_stretch_after_a_crush_is_an_emergency():
    d = evaluate(case({"onset": "injury", "injury_mechanism": "direct_blow"},
                      {"pain_on_passive_toe_stretch": True}))
    assert d.urgency is Urgency.EMERGENCY


# Principle: syndesmosis tenderness with the special tests not done is missing information
# (sprains-and-syndesmosis.md, "Syndesmosis injury").


def test_syndesmosis_tenderness_without_the_special_tests_is_not_home_care():
    d = evaluate(sprain({"tender_syndesmosis": True}))
    assert d.queue in NOT_HOME and d.needs_clinician_review
    assert any("squeeze test" in q for q in d.missing_information)


# Principle: the safety floor after an acute injury is an urgent review, whatever the route
# (missing-information-and-safety-floor.md, "The safety floor").


def test_unexamined_acute_sprain_waits_at_most_a_working_day():
    d = evaluate(sprain(with_exam=False))
    assert d.urgency is Urgency.URGENT and d.needs_clinician_review
    assert "safety.acute_injury_unknowns_urgent_review" in fired(d)


def test_the_acute_floor_raises_a_physio_route_too():
    """Floor applies whatever the route: a moderate sprain (physio) with the wound unanswered."""
    d = evaluate(sprain(history={"swelling": "moderate", "wound_over_injury": None},
                        exam={"open_wound_over_fracture_or_joint": None}))
    assert d.queue is Queue.PHYSIO and d.urgency is Urgency.URGENT
    assert "urgent rather than routine" in d.urgency_reason


def test_a_review_only_rule_raises_urgency():
    d = evaluate(case({"foot_red_warm_swollen": True, "diabetes": False, "giving_way": True,
                       "previous_ankle_sprains": 3}))
    assert d.queue is Queue.PHYSIO and d.urgency is Urgency.URGENT
    assert "red_flag.red_warm_swollen_foot" in d.urgency_reason


# Principle: what is collected is read: previous stress fracture, night pain and the new fields
# (overuse.md, "Bone stress risk factors", "Tarsal tunnel look-alikes"; red-flags.md,
# "Night pain, tumour and infection").


def test_runner_whose_periods_stopped_with_shin_pain_goes_to_xray():
    d = evaluate(case({"pain_locations": ["shin"], "aggravators": ["running"],
                       "periods_stopped_or_irregular": True}))
    assert route(d) == (Queue.IMAGING, Urgency.SOON, Modality.XRAY)
    assert "stress_fracture.risk_factors" in fired(d)


def test_previous_stress_fracture_with_midfoot_pain_on_hopping_goes_to_xray():
    d = evaluate(case({"pain_locations": ["midfoot"], "aggravators": ["hopping"],
                       "previous_stress_fracture": True}))
    assert d.queue is Queue.IMAGING


def test_adolescent_footballer_with_heel_pain_on_hopping_is_examined_before_home_care():
    d = evaluate(case({"pain_locations": ["heel"], "aggravators": ["hopping"],
                       "activities": ["football"]}, age=13))
    assert d.queue in NOT_HOME and d.needs_clinician_review


def test_night_pain_without_an_injury_goes_to_xray_with_review():
    d = evaluate(case({"pain_at_rest_or_night": True}))
    assert d.queue is Queue.IMAGING and d.needs_clinician_review
    assert "infection or tumour" in [c.condition for c in d.conditions]


def test_fall_from_height_goes_to_xray_urgently_even_with_no_other_finding():
    d = evaluate(sprain(history={"high_energy_injury": True}))
    assert route(d) == (Queue.IMAGING, Urgency.URGENT, Modality.XRAY)


def test_burning_sole_with_back_pain_down_the_leg_is_reviewed_for_radiculopathy():
    d = evaluate(case({"burning_or_tingling_in_sole": True,
                       "back_pain_or_radiating_leg_pain": True}))
    assert "nerve.radicular_symptoms" in fired(d) and d.needs_clinician_review


def test_shin_pain_that_settles_with_rest_is_listed_for_shin_splints():
    d = evaluate(case({"pain_locations": ["shin"], "pain_settles_with_rest": True},
                      {"shin_tenderness": "diffuse"}))
    shin = next(c for c in d.conditions if c.condition == "shin splints")
    assert "pain settles with rest" in shin.supporting


def test_earlier_xray_showing_a_fracture_goes_to_surgical_urgently():
    d = evaluate(case({"imaging_done": [{"modality": "xray", "result": "fracture"}]}))
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.URGENT)


def test_swelling_present_severity_unknown_after_an_injury_is_asked_and_not_home():
    d = evaluate(sprain(history={"swelling": "present_severity_unknown"}))
    assert d.queue in NOT_HOME
    assert any("How swollen" in q for q in d.missing_information)


# Principle: rationale from the evidence actually present (issue 13, section 3).


def test_no_exam_means_no_normal_calf_squeeze_is_claimed():
    d = evaluate(case({"pain_locations": ["achilles"]}, with_exam=False))
    said = [f for rule in d.rules_fired for f in rule.findings + (rule.rationale,)]
    said += [t for c in d.conditions for t in c.supporting + c.against]
    assert not any("calf squeeze test normal" in text for text in said)
    tendinopathy = next(r for r in d.rules_fired if r.rule_id == "achilles.tendinopathy")
    assert tendinopathy.findings == ("Achilles pain or tenderness 2-6 cm above the heel",)


# `clinic triage` on a case with any red flag, any Ottawa point or not bearing weight never
# prints home care (issue 13, acceptance).

DANGER = [
    ("history", "foot_cold_pale_or_blue", True),
    ("history", "joint_hot_red_swollen", True),
    ("history", "numbness_or_tingling", True),
    ("history", "fever_or_unwell", True),
    ("history", "foot_red_warm_swollen", True),
    ("history", "saddle_numbness_or_bladder_bowel_change", True),
    ("history", "walks_four_steps_now", False),
    ("exam", "tender_lateral_malleolus_posterior_edge_or_tip", True),
    ("exam", "tender_medial_malleolus_posterior_edge_or_tip", True),
    ("exam", "tender_base_of_fifth_metatarsal", True),
    ("exam", "tender_navicular", True),
    ("exam", "bears_weight_four_steps_in_clinic", False),
    ("exam", "pulses_absent", True),
    ("exam", "tense_compartment", True),
    ("exam", "temperature_celsius", 38.5),
]


@pytest.mark.parametrize(("onset", "where"), [("injury", "outside"), ("gradual", "heel")])
@pytest.mark.parametrize(("source", "field", "value"), DANGER)
def test_clinic_triage_never_prints_home_care_with_a_danger_finding(
    tmp_path, onset, where, source, field, value
):
    # A fully answered mild case that goes home, then one danger finding added.
    calm = {
        "history": {**SAFE_HISTORY, "onset": onset, "pain_locations": [where]},
        "exam": dict(SAFE_EXAM),
        "age_years": 30,
        "days_since_onset": 2,
    }
    path = tmp_path / "case.json"
    path.write_text(json.dumps(calm))
    assert json.loads(CliRunner().invoke(app, ["triage", str(path)]).output)["queue"] == (
        "home_care"
    )
    calm[source][field] = value
    if field == "walks_four_steps_now":
        calm["exam"]["bears_weight_four_steps_in_clinic"] = None  # the clinic's is the later look
    path.write_text(json.dumps(calm))
    result = CliRunner().invoke(app, ["triage", str(path)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["queue"] != "home_care"
