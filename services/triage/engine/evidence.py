"""What a fired rule says about this case: the findings that made it fire, in plain words.

A rule's rationale says what the rule means in general; the findings listed beside it are the
facts of this case that were true when it fired, so a decision never claims a finding that was
not made (a property test derives every listed finding back to a true fact). A fact that
stands for "this or that" lists which of its parts this case has (DETAILS).
"""

from __future__ import annotations

from services.triage.engine.facts import Facts
from services.triage.engine.rules.base import Rule

FINDINGS: dict[str, str] = {
    # timing and who
    "trauma": "started with an injury",
    "duration_unknown": "date of the injury unknown",
    "late_trauma_presentation": "more than 10 days since the injury",
    "beyond_three_weeks": "pain for more than three weeks",
    "beyond_six_weeks": "pain for more than six weeks",
    "beyond_twelve_weeks": "pain for more than twelve weeks",
    "adolescent": "aged 10 to 17",
    "athlete": "takes part in sport",
    "under_5_trauma": "injured child under five",
    # red flags
    "open_wound_after_trauma": "wound over the injured bone or joint",
    "deformity_after_trauma": "visible deformity after the injury",
    "foot_cold_pale_or_pulseless": "cold, pale or blue foot, or absent pulses",
    "numbness_or_motor_loss_after_trauma": "numbness, tingling or weakness after the injury",
    "compartment_signs": "tense compartment, pain on passive toe stretch, or pain out of "
    "proportion after the injury",
    "hot_swollen_joint": "hot, red, swollen joint",
    "cauda_equina_symptoms": "saddle numbness or bladder or bowel change",
    "diabetic_ulcer_with_infection_or_ischaemia": "diabetic foot ulcer with fever or ischaemia",
    "charcot_signs": "red, warm or swollen foot (or over 2 degrees warmer) with diabetes or "
    "neuropathy",
    "red_warm_swollen_foot_not_diabetic": "red, warm, swollen foot without diabetes",
    "febrile": "fever, feeling unwell, or a temperature of 38 degrees or more",
    "fever_after_injury": "fever or a temperature of 38 degrees or more after an injury",
    "febrile_without_trauma": "fever or feeling unwell without an injury",
    "anticoagulated_swelling_after_trauma": "moderate or severe swelling after an injury, on "
    "blood thinners",
    "severe_swelling_or_bruising_after_trauma": "severe swelling or bruising after the injury",
    "child_not_bearing_weight": "child unable to take four steps",
    "motor_deficit_without_trauma": "weakness without an injury",
    "burning_or_numb_sole_without_trauma": "burning, tingling or numbness in the sole",
    "radicular_symptoms": "back pain or pain shooting down the leg, with nerve symptoms",
    "night_or_rest_pain_without_trauma": "pain at night or at rest without an injury",
    # fractures and weight bearing
    "not_bearing_weight_now": "unable to take four steps now",
    "cannot_bear_weight_both_times": "unable to take four steps straight after the injury and now",
    "tender_ankle_point": "bony tenderness at the posterior edge or tip of a malleolus",
    "tender_foot_point": "bony tenderness at the base of the fifth metatarsal or the navicular",
    "any_bony_tenderness": "bony tenderness at an Ottawa point",
    "ottawa_ankle_positive": "Ottawa ankle rule positive",
    "ottawa_foot_positive": "Ottawa foot rule positive",
    "ottawa_negative": "Ottawa rules negative: no tender bony point, and four steps taken",
    "ottawa_excluded": "an Ottawa exclusion (intoxication, head injury, several painful "
    "injuries, reduced sensation, pregnancy or a high-energy injury)",
    "fracture_sign_outside_ottawa_window": "a fracture sign where the Ottawa rules cannot be used",
    "significant_trauma_signs": "significant signs after the injury",
    "swelling_moderate_or_worse": "moderate or severe swelling",
    "pain_7_or_more": "pain 7 or more out of 10",
    "late_trauma_not_settling": "weeks after the injury and not settling",
    "swelling_present": "still swollen",
    "high_energy_injury": "high-energy injury (road traffic, fall from height, crush)",
    "lrar_low_risk": "Low Risk Ankle Rule exam: tenderness only over the distal fibula or "
    "lateral ligaments, foot points not tender",
    "proximal_fibula_tender_after_trauma": "tender proximal fibula after the injury",
    "prior_imaging_fracture_or_tear": "earlier imaging showed a fracture or a tendon tear",
    "prior_imaging_stress_injury": "earlier imaging showed a stress reaction or fracture",
    "xray_negative_after_trauma": "X-ray after the injury showed no fracture",
    # Achilles
    "achilles_exam_signs": "two or more AAOS criteria, or no plantarflexion on calf squeeze",
    "achilles_rupture_story_not_cleared": "a pop, a kick-in-the-calf feeling or lost push-off, "
    "not cleared by a normal calf squeeze test",
    "achilles_tendinopathy_suspected": "Achilles pain or tenderness 2-6 cm above the heel",
    # sprains
    "lateral_sprain_pattern": "inversion or twisting injury, or pain on the outside of the ankle",
    "medial_sprain_pattern": "eversion injury or deltoid ligament tenderness",
    "sprain_needs_rehab": "moderate swelling or bruising, positive anterior drawer, or an athlete",
    "syndesmosis_specific_signs": "syndesmosis tenderness with a positive squeeze test",
    "syndesmosis_sensitive_signs": "syndesmosis tenderness with a positive external-rotation "
    "test, unable to hop, or pain out of proportion",
    "mechanical_symptoms_after_trauma": "catching or locking after an injury",
    "persistent_deep_pain_after_sprain": "deep pain or swelling more than six weeks after a "
    "sprain",
    "chronic_instability_suspected": "recurrent giving way",
    # overuse
    "posterior_impingement_suspected": "back-of-ankle pain on pointing the toes down",
    "anterior_impingement_suspected": "front-of-ankle pinch on dorsiflexion or squatting",
    "peroneal_tendinopathy_suspected": "pain behind the outer ankle bone or on resisted eversion",
    "peroneal_subluxation": "snapping or visible subluxation of the peroneal tendons",
    "tarsal_tunnel_suspected": "burning or tingling sole, or a positive Tinel or "
    "dorsiflexion-eversion test",
    "tarsal_tunnel_motor_signs": "tarsal tunnel symptoms with motor weakness",
    "plantar_fasciitis_suspected": "heel pain with the first steps, or a tender medial "
    "calcaneal tubercle",
    "stress_fracture_high_risk_site": "focal bony tenderness at a high-risk stress fracture site",
    "stress_fracture_low_risk_site": "focal bony tenderness, or hop pain with rest pain",
    "stress_fracture_xray_negative": "suspected stress fracture with a normal X-ray",
    "possible_bone_stress": "leg or foot pain with impact or at rest, without an injury",
    "bone_stress_risk": "previous stress fracture, low bone density or periods stopped",
    "shin_pain_diffuse_tenderness": "diffuse shin tenderness over 5 cm or more",
    "training_error": "recent increase in training load or a training change",
    "posterior_chain_tight": "tight calves or hamstrings",
    "overuse_strain_pattern": "gradual pain with a training change or tight calves, no bony "
    "tenderness recorded",
    # response to treatment
    "followup_worse": "worse at the check-in",
    "not_improving": "not improving",
    "no_real_improvement": "less than a quarter better, or worse",
    "no_better_after_week_of_rest": "no better after a week of rest",
    "failed_conservative_12_weeks": "twelve weeks of conservative care without improvement",
    "failed_conservative_24_weeks": "six months of conservative care without improvement",
    "failed_6_months_including_physio": "six months of care including physiotherapy without "
    "improvement",
}

# Facts that stand for "this or that": which parts this case has are listed after them.
DETAILS: dict[str, tuple[str, ...]] = {
    "ottawa_ankle_positive": ("tender_ankle_point", "cannot_bear_weight_both_times"),
    "ottawa_foot_positive": ("tender_foot_point", "cannot_bear_weight_both_times"),
    "fracture_sign_outside_ottawa_window": (
        "tender_ankle_point",
        "tender_foot_point",
        "not_bearing_weight_now",
    ),
    "significant_trauma_signs": (
        "any_bony_tenderness",
        "swelling_moderate_or_worse",
        "not_bearing_weight_now",
        "pain_7_or_more",
    ),
    "late_trauma_not_settling": ("swelling_present", "not_bearing_weight_now", "not_improving"),
}


def findings_for(rule: Rule, facts: Facts) -> tuple[str, ...]:
    """The findings of this case that made ``rule`` fire, each named once."""
    named: list[str] = []
    for name in rule.when:
        for fact in (name, *DETAILS.get(name, ())):
            if facts[fact] and FINDINGS[fact] not in named:
                named.append(FINDINGS[fact])
    return tuple(named)
