"""Clinical vignettes written from the seeds and the reference; each docstring cites its passage."""

from __future__ import annotations

from services.triage.engine import CaseInput, Modality, Queue, Urgency, evaluate
from shared.clinical_record import PreVisitHistory
from tests.unit.engine.builders import case, fired, sprain

PHYSIO_12 = [{"treatment": "physiotherapy", "weeks": 12}]


def conditions(decision) -> list[str]:
    return [c.condition for c in decision.conditions]


def test_dancer_with_posterior_pain_pointing_toes_down_goes_to_physio():
    """seed 000_9281e541b26e62b4.txt, 'Ankle Impingement (Posterior)': pain at the back of the
    ankle when pointing the toes down, common in ballet; reference section 6: first presentation
    PHYSIO, ROUTINE."""
    d = evaluate(
        case(
            {
                "pain_locations": ["back"],
                "aggravators": ["pointing_toes_down"],
                "activities": ["dance"],
            },
            {"forced_plantarflexion_reproduces_posterior_pain": True},
        )
    )
    assert (d.queue, d.urgency) == (Queue.PHYSIO, Urgency.ROUTINE)
    assert conditions(d)[0] == "posterior ankle impingement"
    assert "dancer, gymnast, footballer or other athlete" in d.conditions[0].supporting


def test_negative_hyperplantarflexion_test_counts_against_posterior_impingement():
    """reference section 6: van Dijk (2006), a negative hyperplantarflexion test rules out
    posterior impingement."""
    d = evaluate(
        case(
            {"pain_locations": ["back"], "aggravators": ["pointing_toes_down"]},
            {"forced_plantarflexion_reproduces_posterior_pain": False},
        )
    )
    assert "impingement.posterior" not in fired(d)


def test_gymnast_with_os_trigonum_failing_three_months_of_physio_goes_to_surgical_consult():
    """seed 000_9281e541b26e62b4.txt, 'Surgical Treatment': surgery if not improving with
    conservative treatment; reference section 5: SURGICAL after about 3 months."""
    d = evaluate(
        case(
            {
                "activities": ["gymnastics"],
                "treatments_tried": PHYSIO_12,
                "improvement_percent": 10,
            },
            {"forced_plantarflexion_reproduces_posterior_pain": True},
            days=110,
        )
    )
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.ROUTINE)


def test_footballer_with_front_pinch_who_cannot_squat_goes_to_physio():
    """seed 003_057b6b42fc89566d.txt, 'Can't squat down the whole way? Pinch in the front of the
    ankle?': signs of ankle impingement; reference section 6: PHYSIO first."""
    d = evaluate(
        case(
            {"pain_locations": ["front"], "aggravators": ["squatting"], "activities": ["football"]}
        )
    )
    assert d.queue is Queue.PHYSIO
    assert "anterior ankle impingement" in conditions(d)


def test_anterior_impingement_failing_conservative_care_goes_to_surgical():
    """seed 001_9c0bc143a4069b5a.txt, 'Surgery may be necessary if pain or symptoms do not stop
    other treatments have been tried'."""
    d = evaluate(
        case(
            {"treatments_tried": PHYSIO_12, "improvement_percent": 0},
            {"forced_dorsiflexion_reproduces_anterior_pain": True},
            days=150,
        )
    )
    assert d.queue is Queue.SURGICAL


def test_adult_who_could_not_take_four_steps_after_inversion_goes_to_urgent_xray():
    """Stiell 1993, JAMA 269:1127: inability to bear weight for four steps both immediately and
    in the ED is an Ottawa criterion."""
    d = evaluate(
        sprain(
            history={"walked_four_steps_immediately": False},
            exam={"bears_weight_four_steps_in_clinic": False},
        )
    )
    assert (d.queue, d.urgency, d.imaging_modality) == (
        Queue.IMAGING,
        Urgency.URGENT,
        Modality.XRAY,
    )


def test_limping_steps_count_as_bearing_weight():
    """Stiell 1993, JAMA 269:1127 (reference section 1): limping steps still count as bearing
    weight."""
    d = evaluate(sprain(history={"walked_four_steps_immediately": True}))
    assert "ottawa.ankle_positive" not in fired(d)


def test_unable_to_walk_at_only_one_time_point_does_not_meet_the_ottawa_criterion():
    """Stiell 1993, JAMA 269:1127: being unable at only one of the two time points does not meet
    the criterion."""
    d = evaluate(
        sprain(
            history={"walked_four_steps_immediately": False},
            exam={"bears_weight_four_steps_in_clinic": True},
        )
    )
    assert "ottawa.ankle_positive" not in fired(d)


def test_tip_of_lateral_malleolus_tenderness_goes_to_urgent_xray():
    """Stiell 1993, JAMA 269:1127: bone tenderness at the tip of the lateral malleolus."""
    d = evaluate(sprain({"tender_lateral_malleolus_posterior_edge_or_tip": True}))
    assert (d.queue, d.urgency) == (Queue.IMAGING, Urgency.URGENT)


def test_ligament_tenderness_over_the_atfl_alone_is_not_an_ottawa_criterion():
    """Stiell 1993, JAMA 269:1127 (reference section 1): tenderness over a ligament (ATFL) does
    not count; grade I sprain, Ottawa negative goes HOME."""
    d = evaluate(sprain({"tender_atfl_only": True}))
    assert (d.queue, d.urgency) == (Queue.HOME_CARE, Urgency.ROUTINE)
    assert conditions(d)[0] == "lateral ankle sprain"
    assert d.follow_up_plan[0].after_days == 7


def test_fifth_metatarsal_base_tenderness_after_twist_goes_to_foot_xray():
    """Stiell 1993, JAMA 269:1127: midfoot pain with tenderness at the base of the 5th
    metatarsal."""
    d = evaluate(
        case(
            {"onset": "injury", "injury_mechanism": "twisted"},
            {"pain_in_midfoot_zone": True, "tender_base_of_fifth_metatarsal": True},
        )
    )
    assert "ottawa.foot_positive" in fired(d)
    assert d.imaging_modality is Modality.XRAY


def test_age_over_55_alone_is_not_an_ottawa_criterion():
    """Stiell 1992, Ann Emerg Med 21:384 vs Stiell 1993: the refined rule dropped age >= 55."""
    d = evaluate(sprain(age=70))
    assert d.queue is Queue.HOME_CARE


def test_intoxicated_patient_with_bony_tenderness_gets_xray_on_judgement_and_review():
    """Stiell 1993 exclusions (reference section 1): intoxication; X-ray on clinical judgement."""
    d = evaluate(
        sprain({"intoxicated": True, "tender_medial_malleolus_posterior_edge_or_tip": True})
    )
    assert d.queue is Queue.IMAGING and d.needs_clinician_review


def test_multiple_painful_injuries_never_clear_a_fracture_silently():
    """Stiell 1993 exclusions: multiple painful injuries; the Ottawa rule cannot clear them."""
    d = evaluate(sprain({"multiple_painful_injuries": True}))
    assert d.queue is not Queue.HOME_CARE and d.needs_clinician_review


def test_reduced_sensation_excludes_the_ottawa_rules():
    """Stiell 1993 exclusions: diminished sensation from a neurological deficit."""
    d = evaluate(sprain({"reduced_sensation": True}))
    assert "ottawa.excluded_needs_judgement" in fired(d)


def test_late_presenter_two_weeks_after_injury_gets_xray_despite_negative_ottawa():
    """Anderson 2022, Emerg Med J 39:258: 15 of 19 fractures in late presenters were
    Ottawa-negative."""
    d = evaluate(sprain(history={"swelling": "moderate"}, days=14))
    assert (d.queue, d.urgency, d.imaging_modality) == (Queue.IMAGING, Urgency.SOON, Modality.XRAY)


def test_toddler_after_a_fall_is_not_cleared_by_ottawa():
    """Dowling 2009, Acad Emerg Med 16:277: the rules are reliable only in children over 5."""
    d = evaluate(sprain(age=3))
    assert d.needs_clinician_review and d.queue is not Queue.HOME_CARE


def test_child_with_low_risk_exam_goes_home_with_a_brace():
    """Boutis 2013, CMAJ 185:E731: low-risk exam in children 3-16, no X-ray, removable brace."""
    d = evaluate(sprain({"low_risk_ankle_exam": True}, age=10, days=1))
    assert (d.queue, d.urgency) == (Queue.HOME_CARE, Urgency.ROUTINE)
    assert any("brace" in line for line in d.care_advice)


def test_child_who_will_not_bear_weight_gets_urgent_imaging():
    """reference section 4 (RCH Melbourne CPG): acute inability to walk is a red flag in a child."""
    d = evaluate(case({"onset": "injury"}, {"bears_weight_four_steps_in_clinic": False}, age=8))
    assert (d.queue, d.urgency) == (Queue.IMAGING, Urgency.URGENT)


def test_febrile_child_who_will_not_bear_weight_is_an_emergency():
    """reference section 4: septic arthritis in a child is an orthopaedic emergency."""
    d = evaluate(
        case({"fever_or_unwell": True}, {"bears_weight_four_steps_in_clinic": False}, age=6)
    )
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.EMERGENCY)


def test_positive_calf_squeeze_alone_goes_to_urgent_surgical_even_when_ottawa_is_negative():
    """AAOS 2009 (Chiodo 2010, JAAOS 18:503); reference section 2 routing: a positive Thompson test
    alone goes SURGICAL, URGENT."""
    d = evaluate(
        case(
            {"onset": "injury", "injury_mechanism": "push_off", "pain_locations": ["achilles"]},
            {"calf_squeeze_no_plantarflexion": True},
        )
    )
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.URGENT)
    assert conditions(d)[0] == "Achilles tendon rupture"


def test_walking_patient_with_gap_and_weak_plantarflexion_still_has_suspected_rupture():
    """AAOS 2009 two of four criteria; reference section 2 pitfalls: walking or active
    plantarflexion does not exclude rupture."""
    d = evaluate(
        case(
            {"onset": "injury", "walks_four_steps_now": True},
            {
                "palpable_achilles_gap": True,
                "decreased_plantarflexion_strength": True,
                "calf_squeeze_no_plantarflexion": None,
            },
        )
    )
    assert d.queue is Queue.SURGICAL


def test_kicked_in_the_calf_story_without_exam_goes_to_urgent_surgical():
    """reference section 2: patients often describe a rupture as 'kicked in the calf'; up to
    20-25% are missed at first presentation (GPnotebook)."""
    d = evaluate(case({"onset": "injury", "felt_kicked_in_calf": True}, with_exam=False))
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.URGENT)


def test_achilles_tendinopathy_in_a_runner_goes_to_physio():
    """seed 004_ad83bbae4b3e43d7.txt, 'Achilles Tendonitis or Tendinopathy': pain 2-6 cm above the
    heel; reference section 2: PHYSIO, ROUTINE."""
    d = evaluate(
        case(
            {"pain_locations": ["achilles"], "activities": ["running"]},
            {"achilles_tender_2_to_6_cm_above_insertion": True},
        )
    )
    assert (d.queue, d.urgency) == (Queue.PHYSIO, Urgency.ROUTINE)
    assert any("Ice" in line for line in d.care_advice)
    assert any("corticosteroid" in line for line in d.care_advice)


def test_achilles_tendinopathy_failing_six_months_including_physio_goes_to_surgical():
    """reference section 2 (Kernow): SURGICAL after 6 months of failed conservative care including
    physiotherapy."""
    d = evaluate(
        case(
            {
                "pain_locations": ["achilles"],
                "improvement_percent": 10,
                "treatments_tried": [{"treatment": "physiotherapy", "weeks": 28}],
            },
            days=200,
        )
    )
    assert d.queue is Queue.SURGICAL


def test_grade_two_sprain_in_an_athlete_goes_to_physio():
    """reference section 3 routing (Vuurberg 2018, BJSM 52:956): grade II/III or an athlete goes to
    PHYSIO, ROUTINE."""
    d = evaluate(sprain(history={"swelling": "moderate", "activities": ["basketball"]}))
    assert (d.queue, d.urgency) == (Queue.PHYSIO, Urgency.ROUTINE)


def test_eversion_sprain_with_deltoid_tenderness_goes_to_physio():
    """seed 002_993e68b0d89a85dd.txt, 'Ankle Sprains': medial sprains; reference section 3 medial
    (deltoid) sprain: OAR negative goes HOME/PHYSIO."""
    d = evaluate(
        sprain({"tender_deltoid_ligament": True}, history={"injury_mechanism": "rolled_inward"})
    )
    assert d.queue is Queue.PHYSIO
    assert "medial (deltoid) ankle sprain" in conditions(d)


def test_high_ankle_sprain_with_negative_ottawa_does_not_go_home():
    """Sman 2015, BJSM 49:323: syndesmosis tenderness plus squeeze test; reference section 3: the
    engine must not stop at 'OAR negative, HOME'."""
    d = evaluate(sprain({"tender_syndesmosis": True, "squeeze_test_positive": True}))
    assert (d.queue, d.imaging_modality) == (Queue.IMAGING, Modality.XRAY)
    assert "high (syndesmotic) ankle sprain" in conditions(d)


def test_black_and_blue_ankle_after_twist_goes_to_xray():
    """seed 003_057b6b42fc89566d.txt, 'black and blue': the standard of care is an X-ray and
    possibly MRI."""
    d = evaluate(sprain(history={"bruising": "severe"}))
    assert (d.queue, d.urgency, d.imaging_modality) == (
        Queue.IMAGING,
        Urgency.URGENT,
        Modality.XRAY,
    )


def test_catching_after_a_sprain_goes_to_mri_for_osteochondral_lesion():
    """seed 003_057b6b42fc89566d.txt, 'talar dome fractures or donor sites'; reference section 6:
    catching or locking, MRI, SOON."""
    d = evaluate(sprain(history={"catching_or_locking": True}, days=30))
    assert (d.queue, d.imaging_modality) == (Queue.IMAGING, Modality.MRI)
    assert "osteochondral lesion of the talus" in conditions(d)


def test_sprain_not_settling_after_eight_weeks_goes_to_imaging_xray_first_then_mri():
    """reference section 5, lateral sprain: persistent pain at 6 weeks-3 months goes to IMAGING
    (MRI); ACR and Anderson 2022: a late presenter never X-rayed has radiographs first, and the
    MRI stays listed for when they are normal."""
    d = evaluate(sprain(history={"improvement_percent": 20}, days=56))
    assert (d.queue, d.urgency, d.imaging_modality) == (Queue.IMAGING, Urgency.SOON, Modality.XRAY)
    assert "imaging/mri (soon): escalate.sprain_not_settling_after_six_weeks" in d.also_indicated


def test_xray_negative_trauma_with_persistent_pain_goes_to_mri():
    """reference section 3, 'When MRI is indicated after a sprain': X-rays often miss
    osteochondral lesions."""
    d = evaluate(sprain({"xray_negative": True}, history={"improvement_percent": 10}, days=28))
    assert d.imaging_modality is Modality.MRI


def test_repeated_giving_way_after_several_sprains_goes_to_physio():
    """seed 003_057b6b42fc89566d.txt, 'Chronic Ankle Instability'; Vuurberg 2018: rehabilitation
    first."""
    d = evaluate(case({"giving_way": True, "previous_ankle_sprains": 5}))
    assert d.queue is Queue.PHYSIO
    assert "chronic ankle instability" in conditions(d)


def test_chronic_instability_failing_rehabilitation_goes_to_surgical():
    """reference section 3 CAI (Chan 2011): surgery after failed functional rehabilitation."""
    d = evaluate(
        case(
            {
                "giving_way": True,
                "previous_ankle_sprains": 5,
                "treatments_tried": PHYSIO_12,
                "improvement_percent": 0,
            },
            days=400,
        )
    )
    assert d.queue is Queue.SURGICAL


def test_peroneal_tendinopathy_goes_to_physio():
    """seed 003_057b6b42fc89566d.txt, 'Peroneal Tendonitis': pain behind the outer ankle bone;
    reference section 6: PHYSIO, ROUTINE."""
    d = evaluate(
        case(
            {"pain_locations": ["outside"], "activities": ["running"]},
            {"peroneal_pain_on_resisted_eversion": True},
        )
    )
    assert (d.queue, d.urgency) == (Queue.PHYSIO, Urgency.ROUTINE)
    assert conditions(d)[0] == "peroneal tendinopathy"


def test_gradual_burning_in_the_sole_is_tarsal_tunnel_not_an_emergency_but_reviewed():
    """seed 003_057b6b42fc89566d.txt, 'Tarsal Tunnel Syndrome': numbness, 'ants crawling';
    reference section 4: gradual burning of the sole is not an emergency."""
    d = evaluate(
        case({"burning_or_tingling_in_sole": True}, {"tinel_tarsal_tunnel_positive": True})
    )
    assert d.urgency is not Urgency.EMERGENCY
    assert d.queue is Queue.PHYSIO and d.needs_clinician_review
    assert "tarsal tunnel syndrome" in conditions(d)


def test_tarsal_tunnel_persisting_three_months_goes_to_mri():
    """reference section 6 tarsal tunnel: persistent after about 3 months, IMAGING (MRI/US) + NCS,
    SOON."""
    d = evaluate(case({"burning_or_tingling_in_sole": True}, days=100))
    assert (d.queue, d.urgency, d.imaging_modality) == (Queue.IMAGING, Urgency.SOON, Modality.MRI)


def test_numb_foot_after_injury_is_a_neurovascular_emergency():
    """reference section 4: numbness after trauma is a neurovascular red flag; seed
    002_993e68b0d89a85dd.txt: 'seek immediate medical attention if you experience numbness'."""
    d = evaluate(sprain(history={"numbness_or_tingling": True}))
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.EMERGENCY)
    assert d.emergency_override
    assert d.follow_up_plan[0].kind == "staff_alert"


def test_cold_pale_foot_is_an_emergency():
    """reference section 4 (NICE CKS): numb, discoloured or cold foot goes to 999."""
    d = evaluate(case({"foot_cold_pale_or_blue": True}, {"foot_cold_or_pale": True}))
    assert d.urgency is Urgency.EMERGENCY


def test_hot_red_swollen_joint_without_fever_is_septic_arthritis_until_proven_otherwise():
    """Coakley 2006, Rheumatology (BSR/BOA): treat as septic even without fever."""
    d = evaluate(
        case(
            {"joint_hot_red_swollen": True, "fever_or_unwell": False},
            {"joint_hot_swollen_restricted": True, "temperature_celsius": 36.8},
        )
    )
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.EMERGENCY)
    assert conditions(d)[0] == "septic arthritis"


def test_tense_calf_with_pain_on_passive_toe_stretch_is_compartment_syndrome():
    """reference section 4: pain on passive toe stretch, tense compartment, EMERGENCY."""
    d = evaluate(sprain({"tense_compartment": True, "pain_on_passive_toe_stretch": True}))
    assert d.urgency is Urgency.EMERGENCY


def test_deformity_after_a_fall_is_an_emergency():
    """reference section 4 (CKS; Queensland Health): deformity, suspected dislocation, EMERGENCY."""
    d = evaluate(case({"onset": "injury", "injury_mechanism": "fall", "visible_deformity": True}))
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.EMERGENCY)


def test_red_warm_swollen_diabetic_foot_without_pain_is_suspected_charcot():
    """NICE NG19 2015: consider Charcot even without deformity or pain; URGENT within one working
    day."""
    d = evaluate(case({"diabetes": True, "foot_red_warm_swollen": True, "pain_score": 1}))
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.URGENT)


def test_diabetic_ulcer_with_fever_is_limb_threatening():
    """NICE NG19 2015: ulcer with fever or sepsis, refer immediately to acute services."""
    d = evaluate(case({"diabetes": True, "foot_ulcer": True, "fever_or_unwell": True}))
    assert d.urgency is Urgency.EMERGENCY


def test_navicular_stress_fracture_in_a_runner_goes_to_urgent_mri():
    """Patel 2011, Am Fam Physician 83:39; reference section 6: high-risk site, IMAGING (MRI),
    URGENT."""
    d = evaluate(
        case(
            {"activities": ["running"], "training_changes": ["mileage_increase"]},
            {"tender_navicular": True},
        )
    )
    assert (d.queue, d.urgency, d.imaging_modality) == (Queue.IMAGING, Urgency.URGENT, Modality.MRI)


def test_metatarsal_shaft_stress_fracture_goes_to_xray_soon():
    """Patel 2011, Am Fam Physician 83:39; reference section 6: low-risk site, X-ray, SOON; seed
    002_993e68b0d89a85dd.txt 'Stress Fractures'."""
    d = evaluate(
        case({"training_changes": ["mileage_increase"]}, {"tender_metatarsal_shaft": True})
    )
    assert (d.queue, d.urgency, d.imaging_modality) == (Queue.IMAGING, Urgency.SOON, Modality.XRAY)
    assert any(step.after_days == 14 for step in d.follow_up_plan)


def test_diffuse_shin_tenderness_is_shin_splints_and_goes_home():
    """seed 004_ad83bbae4b3e43d7.txt, 'Shin Splints Affecting the Tibialis Anterior'; reference
    section 6 MTSS: diffuse tenderness over 5 cm or more, HOME, ROUTINE."""
    d = evaluate(
        case(
            {"pain_locations": ["shin"], "training_changes": ["mileage_increase"]},
            {"shin_tenderness": "diffuse"},
        )
    )
    assert (d.queue, d.urgency) == (Queue.HOME_CARE, Urgency.ROUTINE)
    assert conditions(d)[0] == "shin splints"


def test_focal_shin_tenderness_suggests_stress_fracture_and_goes_to_imaging():
    """reference section 6 MTSS vs tibial stress fracture: focal tenderness under 5 cm."""
    d = evaluate(case({"pain_locations": ["shin"]}, {"shin_tenderness": "focal"}))
    assert d.queue is Queue.IMAGING


def test_anterior_tibial_cortex_tenderness_is_urgent_mri():
    """reference section 6: anterior tibial cortex ('dreaded black line') is high-risk, URGENT."""
    d = evaluate(case({"pain_locations": ["shin"]}, {"anterior_tibial_cortex_tender": True}))
    assert (d.urgency, d.imaging_modality) == (Urgency.URGENT, Modality.MRI)


def test_first_step_heel_pain_is_plantar_fasciitis_and_goes_home():
    """seed 002_993e68b0d89a85dd.txt, 'Plantar Fasciitis': sharp heel pain with the first steps;
    Martin 2014, JOSPT 44:A1: clinical diagnosis, HOME."""
    d = evaluate(
        case(
            {"pain_locations": ["heel"], "aggravators": ["first_steps_morning"]},
            {"medial_calcaneal_tubercle_tender": True},
        )
    )
    assert (d.queue, d.urgency) == (Queue.HOME_CARE, Urgency.ROUTINE)
    assert any("heel cushions" in line for line in d.care_advice)


def test_plantar_fasciitis_after_three_months_of_failed_care_goes_to_surgical():
    """reference section 5 (Tayside, Lothian): F&A referral after >= 3 months of failed
    non-operative care."""
    d = evaluate(
        case(
            {
                "pain_locations": ["heel"],
                "aggravators": ["first_steps_morning"],
                "treatments_tried": PHYSIO_12,
                "improvement_percent": 10,
            },
            days=120,
        )
    )
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.ROUTINE)


def test_new_runner_who_doubled_mileage_gets_home_care_with_the_ten_percent_rule():
    """seed 004_ad83bbae4b3e43d7.txt, 'Sudden Increase in Running Activity': increase mileage by
    no more than 10% per week."""
    d = evaluate(
        case({"training_changes": ["mileage_increase"], "weekly_load_increase_percent": 100})
    )
    assert (d.queue, d.urgency) == (Queue.HOME_CARE, Urgency.ROUTINE)
    assert any("10%" in line for line in d.care_advice)
    assert "training error (sudden load increase or poor progression)" in conditions(d)


def test_tight_calves_without_swelling_get_heat_and_stretching_not_ice():
    """seed 004_ad83bbae4b3e43d7.txt, 'Using Heat for Muscle-Related Pain': heat for tightness;
    'Stretching the Posterior Chain': daily calf stretches."""
    d = evaluate(case({"calves_or_hamstrings_feel_tight": True, "swelling": "none"}))
    assert any(line.startswith("Heat") for line in d.care_advice)
    assert not any(line.startswith("Ice") for line in d.care_advice)
    assert any("Stretch" in line for line in d.care_advice)


def test_swollen_ankle_gets_ice_not_heat():
    """seed 004_ad83bbae4b3e43d7.txt: avoid heat if the ankle is swollen or warm; ice instead."""
    d = evaluate(sprain(history={"swelling": "moderate"}))
    assert any(line.startswith("Ice") for line in d.care_advice)
    assert not any(line.startswith("Heat") for line in d.care_advice)


def test_overuse_pain_no_better_after_a_week_of_rest_goes_to_physio():
    """seed 003_057b6b42fc89566d.txt: 'If the problem persists for more than a week, it would be
    wise to seek medical attention'."""
    d = evaluate(
        case(
            {"treatments_tried": [{"treatment": "rest", "weeks": 1}], "improvement_percent": 0},
            days=10,
        )
    )
    assert (d.queue, d.urgency) == (Queue.PHYSIO, Urgency.SOON)


def test_pain_beyond_three_weeks_goes_to_physio():
    """seed 004_ad83bbae4b3e43d7.txt, 'When Should You Seek Professional Treatment?': lasts longer
    than three weeks."""
    d = evaluate(case({"training_changes": ["hills"]}, days=25))
    assert d.queue is Queue.PHYSIO


def test_short_overuse_pain_goes_home_with_a_one_week_check():
    """seed 003_057b6b42fc89566d.txt: many aches go away with light rest and walking; checked at
    one week."""
    d = evaluate(case(days=3))
    assert d.queue is Queue.HOME_CARE
    assert [s.after_days for s in d.follow_up_plan] == [7, 21]


def test_getting_worse_at_follow_up_is_reassessed():
    """seed 004_ad83bbae4b3e43d7.txt: pain that 'gets worse with activity instead of better'."""
    d = evaluate(case(trend="worse"))
    assert d.queue is Queue.PHYSIO and d.needs_clinician_review


def test_twisting_injury_without_weight_bearing_answer_lists_the_four_step_question():
    """issue 3 and Stiell 1993: 'can the patient take four steps?' after a twisting injury."""
    d = evaluate(
        case(
            {"onset": "injury", "injury_mechanism": "twisted", "walks_four_steps_now": None},
            {"bears_weight_four_steps_in_clinic": None},
        )
    )
    assert "Can the patient take four steps now (limping counts)?" in d.missing_information
    assert d.needs_clinician_review and d.queue is not Queue.HOME_CARE


def test_suspected_rupture_on_exam_outranks_a_positive_ottawa_ankle_rule():
    """reference section 4, red flags ("override all other routing"): "Suspected tendon rupture
    (Achilles) | >=2 AAOS criteria or positive Thompson | SURGICAL - URGENT (same or next day)";
    issue 3: "Red flags override everything else", suspected Achilles rupture among them. The
    X-ray the positive Ottawa rule calls for is kept: also indicated, in the advice and the plan.
    """
    d = evaluate(
        sprain(
            {
                "tender_lateral_malleolus_posterior_edge_or_tip": True,
                "palpable_achilles_gap": True,
                "decreased_plantarflexion_strength": True,
            }
        )
    )
    assert (d.queue, d.urgency, d.imaging_modality) == (Queue.SURGICAL, Urgency.URGENT, None)
    assert {"achilles.rupture_on_exam", "ottawa.ankle_positive"} <= fired(d)
    assert conditions(d)[:2] == ["Achilles tendon rupture", "fracture"]
    assert "imaging/xray (urgent): ottawa.ankle_positive" in d.also_indicated
    assert any("X-ray" in advice for advice in d.care_advice)
    assert any("X-ray" in step.purpose for step in d.follow_up_plan)
    rupture = next(r for r in d.rules_fired if r.rule_id == "achilles.rupture_on_exam")
    assert "X-ray" in rupture.rationale


def test_positive_calf_squeeze_alone_outranks_a_positive_ottawa_foot_rule():
    """reference section 2 routing: "a positive Thompson test alone -> SURGICAL, URGENT";
    section 4 lists it as a red flag, which overrides the Ottawa foot rule's X-ray."""
    d = evaluate(
        case(
            {"onset": "injury", "injury_mechanism": "landing", "pain_locations": ["midfoot"]},
            {
                "pain_in_midfoot_zone": True,
                "tender_navicular": True,
                "calf_squeeze_no_plantarflexion": True,
            },
        )
    )
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.URGENT)
    assert "imaging/xray (urgent): ottawa.foot_positive" in d.also_indicated


def test_unexamined_rupture_story_with_positive_ottawa_goes_to_surgical_with_the_xray_kept():
    """reference section 4 and Kernow: a suspected rupture is seen urgently by the fracture
    clinic; rule set 1.4.0 routes to the most specialised queue any fired rule asks for, so the
    positive Ottawa rule's X-ray is done at that urgent visit (also indicated), never dropped."""
    d = evaluate(
        sprain(
            {
                "tender_lateral_malleolus_posterior_edge_or_tip": True,
                "calf_squeeze_no_plantarflexion": None,
            },
            {"heard_pop_or_snap": True, "pain_locations": ["outside", "achilles"]},
        )
    )
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.URGENT)
    assert "imaging/xray (urgent): ottawa.ankle_positive" in d.also_indicated
    assert "Calf squeeze (Thompson) test: does the foot plantarflex?" in d.missing_information


def test_an_emergency_red_flag_still_outranks_a_suspected_rupture():
    """reference section 4: red flags are graded; an open wound over the injury is SURGICAL -
    EMERGENCY, above the rupture's URGENT."""
    d = evaluate(
        sprain({"calf_squeeze_no_plantarflexion": True, "open_wound_over_fracture_or_joint": True})
    )
    assert (d.queue, d.urgency) == (Queue.SURGICAL, Urgency.EMERGENCY)
    assert conditions(d)[0] == "open fracture or joint wound"


def test_a_patient_who_cannot_walk_after_a_twist_of_unknown_date_is_x_rayed_urgently():
    """reference section 7 (quick map): OAR not applicable with significant pain -> IMAGING
    (X-ray), URGENT on clinical judgement; section 1: inability to bear weight (four steps, both
    immediately and at assessment) is an Ottawa criterion."""
    d = evaluate(CaseInput(history=PreVisitHistory(
        onset="injury", injury_mechanism="rolled_outward", walked_four_steps_immediately=False,
        walks_four_steps_now=False, pain_locations=["outside"]), age_years=36))

    assert (d.queue, d.imaging_modality, d.urgency) == (Queue.IMAGING, Modality.XRAY,
                                                        Urgency.URGENT)
    assert d.needs_clinician_review


def test_a_runner_with_a_training_error_gets_ten_percent_progression_reminders():
    """seed 004_ad83bbae4b3e43d7.txt, 'Sudden Increase in Running Activity': increase mileage by
    no more than 10% per week."""
    d = evaluate(case({"training_changes": ["mileage_increase"], "weekly_load_increase_percent": 50},
                      days=3))
    progression = [s.after_days for s in d.follow_up_plan if s.kind == "progression"]
    assert progression == [14, 28]


def test_chronic_pain_in_physio_is_reassessed_at_six_weeks_and_twenty_weeks():
    """seed 004_ad83bbae4b3e43d7.txt, 'How Long Does it Take to Heal?': over 3 months, a 3-week
    course then reassessment; 50% better: another 3 weeks; 10% better: up to 20 weeks."""
    d = evaluate(case({"pain_locations": ["achilles"]}, days=120))
    assert d.queue is Queue.PHYSIO
    assert {42, 140} <= {s.after_days for s in d.follow_up_plan if s.kind == "reassessment"}


def test_a_surgical_consult_gets_a_return_to_activity_check_at_six_weeks():
    """seed 000_9281e541b26e62b4.txt, 'Recovery': four to six weeks before athletes return to
    normal activities."""
    d = evaluate(case({"onset": "injury"}, {"calf_squeeze_no_plantarflexion": True}))
    assert d.queue is Queue.SURGICAL
    assert any(s.kind == "return_to_activity" and s.after_days == 42 for s in d.follow_up_plan)
