"""Every rule has a case that fires it and a near-miss that does not."""

from __future__ import annotations

import pytest

from services.triage.engine import evaluate
from services.triage.engine.rules import ALL_RULES
from tests.unit.engine.builders import case, fired, sprain

G = {"onset": "gradual"}
T = {"onset": "injury"}
TRAINED = {"onset": "gradual", "training_changes": ["mileage_increase"]}
HEEL = {"pain_locations": ["heel"], "aggravators": ["first_steps_morning"]}
PHYSIO_12 = [{"treatment": "physiotherapy", "weeks": 12}]
PHYSIO_30 = [{"treatment": "physiotherapy", "weeks": 30}]
REST = [{"treatment": "rest", "weeks": 1}]

# rule id -> (case that fires it, case that does not)
CASES = {
    "red_flag.open_wound": (case(T, {"open_wound_over_fracture_or_joint": True}), case(T)),
    "red_flag.deformity_after_trauma": (
        case({**T, "visible_deformity": True}),
        case({**G, "visible_deformity": True, "onset": "gradual"}, {"deformity": None}),
    ),
    "red_flag.neurovascular_compromise": (case(G, {"pulses_absent": True}), case(G)),
    "red_flag.numbness_or_weakness_after_trauma": (
        case({**T, "numbness_or_tingling": True}),
        case({**G, "numbness_or_tingling": True}),
    ),
    "red_flag.compartment_syndrome": (
        case(T, {"tense_compartment": True}),
        case(G, {"pain_out_of_proportion": True}),
    ),
    "red_flag.septic_arthritis": (
        case({"joint_hot_red_swollen": True, "fever_or_unwell": False}),
        case(),
    ),
    "red_flag.cauda_equina": (
        case({"saddle_numbness_or_bladder_bowel_change": True}),
        case({"saddle_numbness_or_bladder_bowel_change": False}),
    ),
    "red_flag.diabetic_foot_limb_threatening": (
        case({"diabetes": True, "foot_ulcer": True, "fever_or_unwell": True}),
        case({"diabetes": True, "foot_ulcer": True}),
    ),
    "red_flag.child_not_bearing_weight_with_fever": (
        case({"fever_or_unwell": True}, {"bears_weight_four_steps_in_clinic": False}, age=7),
        case({"fever_or_unwell": True}, {"bears_weight_four_steps_in_clinic": False}, age=30),
    ),
    "red_flag.suspected_charcot_foot": (
        case({"diabetes": True, "foot_red_warm_swollen": True}),
        case({"diabetes": False, "foot_red_warm_swollen": True}),
    ),
    "red_flag.anticoagulated_swelling": (
        sprain(history={"takes_blood_thinners": True, "swelling": "moderate"}),
        sprain(history={"takes_blood_thinners": False, "swelling": "moderate"}),
    ),
    "red_flag.child_not_bearing_weight": (
        case(T, {"bears_weight_four_steps_in_clinic": False}, age=9),
        case(T, {"bears_weight_four_steps_in_clinic": True}, age=9),
    ),
    "red_flag.severe_swelling_or_bruising_after_trauma": (
        sprain(history={"bruising": "severe"}),
        sprain(history={"bruising": "mild"}),
    ),
    "red_flag.fever_without_injury": (
        case({"fever_or_unwell": True}),
        case({**T, "fever_or_unwell": True}),
    ),
    "red_flag.progressive_weakness": (
        case(G, {"motor_deficit": True}),
        case(G, {"motor_deficit": False}),
    ),
    "red_flag.burning_or_numb_sole": (
        case({"burning_or_tingling_in_sole": True}),
        case({**T, "burning_or_tingling_in_sole": True}),
    ),
    "ottawa.ankle_positive": (
        sprain({"tender_lateral_malleolus_posterior_edge_or_tip": True}),
        sprain({"tender_atfl_only": True}),
    ),
    "ottawa.foot_positive": (
        case(T, {"pain_in_midfoot_zone": True, "tender_navicular": True}),
        case(T, {"pain_in_midfoot_zone": True, "tender_navicular": False}),
    ),
    "ottawa.excluded_with_significant_signs": (
        sprain({"intoxicated": True, "tender_lateral_malleolus_posterior_edge_or_tip": True}),
        sprain({"tender_lateral_malleolus_posterior_edge_or_tip": True}),
    ),
    "ottawa.excluded_needs_judgement": (sprain({"head_injury": True}), sprain()),
    "ottawa.timing_unknown_with_significant_signs": (
        sprain(history={"walked_four_steps_immediately": False, "walks_four_steps_now": False},
               exam={"bears_weight_four_steps_in_clinic": None}, days=None),
        sprain(days=None),
    ),
    "ottawa.late_presentation": (
        sprain(history={"swelling": "moderate"}, days=14),
        sprain(history={"swelling": "moderate"}, days=9),
    ),
    "ottawa.late_presentation_needs_judgement": (sprain(days=14), sprain(days=9)),
    "child.under_five_trauma": (sprain(age=3), sprain(age=6)),
    "achilles.rupture_on_exam": (
        case(T, {"palpable_achilles_gap": True, "decreased_plantarflexion_strength": True}),
        case(T, {"palpable_achilles_gap": True}),
    ),
    "achilles.rupture_story": (
        case(
            {**T, "heard_pop_or_snap": True, "pain_locations": ["achilles"]},
            {"calf_squeeze_no_plantarflexion": None},
        ),
        case({**T, "heard_pop_or_snap": True, "pain_locations": ["achilles"]}),
    ),
    "child.low_risk_ankle_rule": (
        sprain({"low_risk_ankle_exam": True}, age=10, days=1),
        sprain({"low_risk_ankle_exam": True}, age=10, days=4),
    ),
    "sprain.lateral_mild_ottawa_negative": (sprain(), sprain(history={"swelling": "moderate"})),
    "sprain.moderate_or_athlete_ottawa_negative": (
        sprain(history={"activities": ["football"]}),
        sprain(),
    ),
    "sprain.medial_ottawa_negative": (
        sprain(history={"injury_mechanism": "rolled_inward"}),
        sprain(),
    ),
    "syndesmosis.specific_signs": (
        sprain({"tender_syndesmosis": True, "squeeze_test_positive": True}),
        sprain({"tender_syndesmosis": True, "squeeze_test_positive": False}),
    ),
    "syndesmosis.sensitive_signs": (
        sprain({"tender_syndesmosis": True, "single_leg_hop_possible": False}),
        sprain({"tender_syndesmosis": False, "single_leg_hop_possible": False}),
    ),
    "syndesmosis.proximal_fibula_tender": (
        sprain({"tender_proximal_fibula": True}),
        sprain({"tender_proximal_fibula": False}),
    ),
    "olt.mechanical_symptoms_after_trauma": (
        sprain(history={"catching_or_locking": True}),
        case({"catching_or_locking": True}),
    ),
    "olt.persistent_deep_pain_after_sprain": (
        sprain({"talar_dome_tender": True}, days=60),
        sprain({"talar_dome_tender": True}, days=30),
    ),
    "impingement.posterior": (
        case({"pain_locations": ["back"], "aggravators": ["pointing_toes_down"]}),
        case(
            {"pain_locations": ["back"], "aggravators": ["pointing_toes_down"]},
            {"forced_plantarflexion_reproduces_posterior_pain": False},
        ),
    ),
    "impingement.anterior": (
        case(G, {"forced_dorsiflexion_reproduces_anterior_pain": True}),
        case({"pain_locations": ["front"]}),
    ),
    "achilles.tendinopathy": (
        case({"pain_locations": ["achilles"]}),
        case({"pain_locations": ["achilles"]}, {"calf_squeeze_no_plantarflexion": True}),
    ),
    "peroneal.tendinopathy": (
        case(G, {"peroneal_pain_on_resisted_eversion": True}),
        case(G, {"peroneal_pain_on_resisted_eversion": True, "peroneal_subluxation": True}),
    ),
    "peroneal.subluxation": (
        case(G, {"peroneal_subluxation": True}),
        case(G, {"peroneal_subluxation": False}),
    ),
    "instability.chronic": (
        case({"giving_way": True, "previous_ankle_sprains": 3}),
        case({"giving_way": False, "previous_ankle_sprains": 3}),
    ),
    "tarsal_tunnel.suspected": (
        case(G, {"tinel_tarsal_tunnel_positive": True}),
        case(G, {"tinel_tarsal_tunnel_positive": False}),
    ),
    "tarsal_tunnel.motor_signs": (
        case(G, {"tinel_tarsal_tunnel_positive": True, "motor_deficit": True}),
        case(G, {"tinel_tarsal_tunnel_positive": True}),
    ),
    "stress_fracture.high_risk_site": (
        case(TRAINED, {"tender_navicular": True}),
        case(TRAINED, {"tender_metatarsal_shaft": True}),
    ),
    "stress_fracture.low_risk_site": (
        case(TRAINED, {"tender_metatarsal_shaft": True}),
        case(TRAINED, {"tender_metatarsal_shaft": False}),
    ),
    "shin.diffuse_tenderness": (
        case({"pain_locations": ["shin"]}, {"shin_tenderness": "diffuse"}),
        case({"pain_locations": ["shin"]}, {"shin_tenderness": "focal"}),
    ),
    "plantar_fasciitis.suspected": (
        case(HEEL),
        case({**HEEL, "burning_or_tingling_in_sole": True}),
    ),
    "overuse.soft_tissue_strain": (case(TRAINED), case(TRAINED, {"tender_metatarsal_shaft": True})),
    "overuse.posterior_chain_tightness": (
        case({"calves_or_hamstrings_feel_tight": True}),
        case({"calves_or_hamstrings_feel_tight": False}),
    ),
    "overuse.training_error": (
        case({"weekly_load_increase_percent": 40}),
        case({"weekly_load_increase_percent": 10}),
    ),
    "escalate.no_better_after_week_of_rest": (
        case({"treatments_tried": REST, "improvement_percent": 10}, days=10),
        case({"treatments_tried": REST, "improvement_percent": 80}, days=10),
    ),
    "escalate.beyond_three_weeks": (case(days=25), case(days=20)),
    "escalate.worse_at_follow_up": (case(trend="worse"), case(trend="better")),
    "escalate.sprain_not_settling_after_six_weeks": (
        sprain(history={"improvement_percent": 20}, days=50),
        sprain(history={"improvement_percent": 70}, days=50),
    ),
    "escalate.xray_negative_pain_persists": (
        sprain({"xray_negative": True}, history={"improvement_percent": 20}, days=25),
        sprain({"xray_negative": True}, history={"improvement_percent": 20}, days=15),
    ),
    "escalate.sprain_no_improvement_twelve_weeks": (
        sprain(history={"improvement_percent": 10}, days=100),
        sprain(history={"improvement_percent": 40}, days=100),
    ),
    "escalate.stress_fracture_xray_negative": (
        case(TRAINED, {"tender_metatarsal_shaft": True, "xray_negative": True}),
        case(TRAINED, {"tender_metatarsal_shaft": True, "xray_negative": False}),
    ),
    "escalate.posterior_impingement_failed_care": (
        case(
            {"treatments_tried": PHYSIO_12, "improvement_percent": 20},
            {"forced_plantarflexion_reproduces_posterior_pain": True},
            days=120,
        ),
        case(
            {"treatments_tried": PHYSIO_12, "improvement_percent": 80},
            {"forced_plantarflexion_reproduces_posterior_pain": True},
            days=120,
        ),
    ),
    "escalate.anterior_impingement_failed_care": (
        case(
            {"treatments_tried": PHYSIO_12, "improvement_percent": 20},
            {"forced_dorsiflexion_reproduces_anterior_pain": True},
            days=120,
        ),
        case(
            {
                "treatments_tried": [{"treatment": "physiotherapy", "weeks": 6}],
                "improvement_percent": 20,
            },
            {"forced_dorsiflexion_reproduces_anterior_pain": True},
            days=120,
        ),
    ),
    "escalate.achilles_tendinopathy_failed_six_months": (
        case(
            {
                "pain_locations": ["achilles"],
                "treatments_tried": PHYSIO_30,
                "improvement_percent": 10,
            },
            days=200,
        ),
        case(
            {
                "pain_locations": ["achilles"],
                "treatments_tried": [{"treatment": "rest", "weeks": 30}],
                "improvement_percent": 10,
            },
            days=200,
        ),
    ),
    "escalate.plantar_fasciitis_six_weeks": (
        case({**HEEL, "improvement_percent": 20}, days=50),
        case({**HEEL, "improvement_percent": 20}, days=30),
    ),
    "escalate.plantar_fasciitis_failed_three_months": (
        case({**HEEL, "treatments_tried": PHYSIO_12, "improvement_percent": 20}, days=100),
        case({**HEEL, "treatments_tried": PHYSIO_12, "improvement_percent": 60}, days=100),
    ),
    "escalate.chronic_instability_failed_rehab": (
        case(
            {
                "giving_way": True,
                "previous_ankle_sprains": 4,
                "treatments_tried": PHYSIO_12,
                "improvement_percent": 10,
            }
        ),
        case(
            {
                "giving_way": True,
                "previous_ankle_sprains": 4,
                "treatments_tried": PHYSIO_12,
                "improvement_percent": 60,
            }
        ),
    ),
    "escalate.tarsal_tunnel_persistent": (
        case(G, {"tinel_tarsal_tunnel_positive": True}, days=100),
        case(G, {"tinel_tarsal_tunnel_positive": True}, days=60),
    ),
    "escalate.tarsal_tunnel_failed_care": (
        case(
            {"treatments_tried": PHYSIO_30, "improvement_percent": 0},
            {"tinel_tarsal_tunnel_positive": True},
            days=250,
        ),
        case(
            {"treatments_tried": PHYSIO_12, "improvement_percent": 0},
            {"tinel_tarsal_tunnel_positive": True},
            days=250,
        ),
    ),
    "escalate.peroneal_failed_three_months": (
        case(
            {"treatments_tried": PHYSIO_12, "improvement_percent": 20},
            {"peroneal_pain_on_resisted_eversion": True},
        ),
        case(
            {"treatments_tried": PHYSIO_12, "improvement_percent": 90},
            {"peroneal_pain_on_resisted_eversion": True},
        ),
    ),
    "escalate.osteochondral_lesion_failed_care": (
        sprain(
            history={
                "catching_or_locking": True,
                "treatments_tried": PHYSIO_12,
                "improvement_percent": 20,
            },
            days=120,
        ),
        sprain(
            history={
                "catching_or_locking": False,
                "treatments_tried": PHYSIO_12,
                "improvement_percent": 20,
            },
            days=120,
        ),
    ),
    "fallback.no_specific_pattern": (case(), case(TRAINED)),
    "red_flag.fever_after_injury": (
        sprain(history={"fever_or_unwell": True}),
        sprain(exam={"temperature_celsius": 37.2}),
    ),
    "red_flag.red_warm_swollen_foot": (
        case({"diabetes": False, "foot_red_warm_swollen": True}),
        case({"diabetes": True, "foot_red_warm_swollen": True}),
    ),
    "trauma.fracture_signs_outside_ottawa_window": (
        sprain({"tender_navicular": True}, age=None),
        sprain({"tender_navicular": True}, age=30),
    ),
    "trauma.late_fracture_signs": (
        sprain({"tender_medial_malleolus_posterior_edge_or_tip": True}, days=60),
        sprain(days=60),
    ),
    "trauma.late_not_bearing_weight": (
        sprain({"bears_weight_four_steps_in_clinic": False}, days=30),
        sprain({"bears_weight_four_steps_in_clinic": False}, days=5),
    ),
    "trauma.late_not_settling": (
        sprain(history={"swelling": "mild"}, days=30),
        sprain(history={"swelling": "none"}, days=30),
    ),
    "trauma.high_energy_mechanism": (
        sprain(history={"high_energy_injury": True}),
        sprain(history={"high_energy_injury": False}),
    ),
    "weight_bearing.cannot_bear_weight_now": (
        case(G, {"bears_weight_four_steps_in_clinic": False}),
        case(G, {"bears_weight_four_steps_in_clinic": True}),
    ),
    "stress_fracture.risk_factors": (
        case({"pain_locations": ["shin"], "aggravators": ["running"],
              "previous_stress_fracture": True}),
        case({"pain_locations": ["shin"], "aggravators": ["running"],
              "previous_stress_fracture": False}),
    ),
    "stress_fracture.adolescent_athlete": (
        case({"pain_locations": ["midfoot"], "aggravators": ["hopping"],
              "activities": ["football"]}, age=14),
        case({"pain_locations": ["midfoot"], "aggravators": ["hopping"],
              "activities": ["football"]}, age=25),
    ),
    "alarm.night_or_rest_pain": (
        case({"pain_at_rest_or_night": True}),
        case({**T, "pain_at_rest_or_night": True}),
    ),
    "imaging.earlier_fracture_or_tear": (
        case({"imaging_done": [{"modality": "xray", "result": "fracture"}]}),
        case({"imaging_done": [{"modality": "xray", "result": "normal"}]}),
    ),
    "imaging.earlier_stress_injury": (
        case({"imaging_done": [{"modality": "mri", "result": "stress_reaction_or_fracture"}]}),
        case({"imaging_done": [{"modality": "mri", "result": "ligament_tear"}]}),
    ),
    "nerve.radicular_symptoms": (
        case({"burning_or_tingling_in_sole": True, "back_pain_or_radiating_leg_pain": True}),
        case({"burning_or_tingling_in_sole": True, "back_pain_or_radiating_leg_pain": False}),
    ),
    "safety.acute_injury_unknowns_urgent_review": (
        sprain({"tender_navicular": None}),
        case(G, {"tender_navicular": None}),
    ),
    "safety.no_home_care_without_review": (case({"foot_cold_pale_or_blue": None}), case()),
}


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_on_its_case(rule_id):
    assert rule_id in fired(evaluate(CASES[rule_id][0]))


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_does_not_fire_on_its_near_miss(rule_id):
    assert rule_id not in fired(evaluate(CASES[rule_id][1]))


def test_every_rule_in_the_rule_set_has_a_firing_and_a_non_firing_case():
    assert {rule.id for rule in ALL_RULES} == set(CASES)


def test_rule_ids_are_unique():
    ids = [rule.id for rule in ALL_RULES]
    assert len(ids) == len(set(ids))


def test_every_rule_cites_at_least_one_source_and_explains_itself():
    for rule in ALL_RULES:
        assert rule.sources and rule.rationale, rule.id
