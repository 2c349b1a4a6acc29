"""Named clinical facts derived once from a case; the rules match on these names only.

Every fact is a plain bool. A finding that was not answered (None) never makes a fact true, so
"unknown" is never read as "yes"; the missing-information checks (missing.py) see the None and
put the case in front of a clinician instead of reading it as "no".
"""

from __future__ import annotations

from services.triage.engine.case import CaseInput
from shared.clinical_record import (
    Activity,
    Aggravator,
    ExamFindings,
    InjuryMechanism,
    Onset,
    PainLocation,
    PreVisitHistory,
    Severity,
    ShinTenderness,
    Treatment,
    Trend,
)

Facts = dict[str, bool]

_NO_EXAM = ExamFindings()
_MODERATE_OR_WORSE = (Severity.MODERATE, Severity.SEVERE)
_CONSERVATIVE = frozenset(
    {
        Treatment.REST,
        Treatment.ICE,
        Treatment.HEAT,
        Treatment.STRETCHING,
        Treatment.STRENGTHENING,
        Treatment.PHYSIOTHERAPY,
        Treatment.BRACE_OR_TAPE,
        Treatment.ORTHOSES,
        Treatment.INJECTION,
        Treatment.COMPRESSION,
        Treatment.ELEVATION,
    }
)
_SPRAIN_MECHANISMS = (
    InjuryMechanism.ROLLED_OUTWARD,
    InjuryMechanism.TWISTED,
    InjuryMechanism.LANDING,
    InjuryMechanism.FALL,
)
_FEVER_CELSIUS = 38.0


def derive_facts(case: CaseInput) -> Facts:
    h = case.history
    e = case.exam or _NO_EXAM
    f: Facts = {"exam_done": case.exam is not None}
    _timing(f, case, h)
    _red_flags(f, h, e)
    _ottawa(f, case.age_years, h, e)
    _achilles(f, h, e)
    _injury_conditions(f, h, e)
    _overuse_conditions(f, h, e)
    _treatment_response(f, case, h)
    return f


def _timing(f: Facts, case: CaseInput, h: PreVisitHistory) -> None:
    days = case.days_since_onset
    age = case.age_years
    f["trauma"] = trauma = h.onset is Onset.INJURY
    f["not_trauma"] = not trauma
    f["gradual"] = h.onset is Onset.GRADUAL
    f["duration_unknown"] = days is None
    f["acute_trauma"] = trauma and days is not None and days <= 10
    f["late_trauma_presentation"] = trauma and days is not None and 10 < days <= 42
    f["beyond_one_week"] = days is not None and days > 7
    f["beyond_three_weeks"] = days is not None and days > 21
    f["beyond_six_weeks"] = days is not None and days > 42
    f["beyond_twelve_weeks"] = days is not None and days > 84
    f["within_three_days"] = days is not None and days < 3
    f["child"] = age is not None and age < 18
    f["under_5"] = age is not None and age < 5
    f["age_3_to_16"] = age is not None and 3 <= age <= 16


def _febrile(h: PreVisitHistory, e: ExamFindings) -> bool:
    temp = e.temperature_celsius
    return h.fever_or_unwell is True or (temp is not None and temp >= _FEVER_CELSIUS)


def _red_flags(f: Facts, h: PreVisitHistory, e: ExamFindings) -> None:
    trauma = f["trauma"]
    cold = h.foot_cold_pale_or_blue is True or e.foot_cold_or_pale is True
    f["febrile"] = febrile = _febrile(h, e)
    f["open_wound_after_trauma"] = (trauma and h.wound_over_injury is True) or (
        e.open_wound_over_fracture_or_joint is True
    )
    f["deformity_after_trauma"] = trauma and (h.visible_deformity is True or e.deformity is True)
    f["foot_cold_pale_or_pulseless"] = cold or e.pulses_absent is True
    f["numbness_or_motor_loss_after_trauma"] = trauma and (
        h.numbness_or_tingling is True or e.motor_deficit is True
    )
    f["compartment_signs"] = e.tense_compartment is True or e.pain_on_passive_toe_stretch is True
    f["hot_swollen_joint"] = h.joint_hot_red_swollen is True or (
        e.joint_hot_swollen_restricted is True
    )
    f["cauda_equina_symptoms"] = h.saddle_numbness_or_bladder_bowel_change is True
    diabetic = h.diabetes is True
    f["diabetic_ulcer_with_infection_or_ischaemia"] = (
        diabetic and h.foot_ulcer is True and (febrile or f["foot_cold_pale_or_pulseless"])
    )
    f["diabetic_red_warm_swollen_foot"] = diabetic and (
        h.foot_red_warm_swollen is True or e.foot_red_warm_swollen_skin_intact is True
    )
    swollen = h.swelling in _MODERATE_OR_WORSE or e.swelling in _MODERATE_OR_WORSE
    f["anticoagulated_swelling_after_trauma"] = (
        trauma and h.takes_blood_thinners is True and swollen
    )
    f["severe_swelling_or_bruising_after_trauma"] = trauma and Severity.SEVERE in (
        h.swelling,
        h.bruising,
        e.swelling,
        e.bruising,
    )
    f["swelling_moderate_or_worse"] = swollen
    f["febrile_without_trauma"] = febrile and not trauma
    f["motor_deficit_without_trauma"] = not trauma and e.motor_deficit is True
    f["burning_or_numb_sole_without_trauma"] = not trauma and (
        h.burning_or_tingling_in_sole is True or h.numbness_or_tingling is True
    )


def _ottawa(f: Facts, age: int | None, h: PreVisitHistory, e: ExamFindings) -> None:
    now = e.bears_weight_four_steps_in_clinic
    if now is None:
        now = h.walks_four_steps_now
    f["not_bearing_weight_now"] = now is False
    f["child_not_bearing_weight"] = f["child"] and now is False
    f["cannot_bear_weight_both_times"] = h.walked_four_steps_immediately is False and now is False
    f["lrar_low_risk"] = (
        f["trauma"]
        and f["age_3_to_16"]
        and f["within_three_days"]
        and e.low_risk_ankle_exam is True
    )
    excluded = (
        e.intoxicated is True
        or e.head_injury is True
        or e.multiple_painful_injuries is True
        or e.reduced_sensation is True
        or h.pregnant is True
    )
    f["ottawa_excluded"] = f["acute_trauma"] and excluded
    f["under_5_trauma"] = f["trauma"] and f["under_5"]
    f["ottawa_applicable"] = applicable = (
        f["acute_trauma"]
        and not excluded
        and age is not None
        and age >= 5
        and not f["lrar_low_risk"]
    )
    malleolar = _zone(e.pain_in_malleolar_zone, h, (PainLocation.OUTSIDE, PainLocation.INSIDE))
    midfoot = _zone(e.pain_in_midfoot_zone, h, (PainLocation.MIDFOOT,))
    ankle_bone = (
        e.tender_lateral_malleolus_posterior_edge_or_tip,
        e.tender_medial_malleolus_posterior_edge_or_tip,
    )
    foot_bone = (e.tender_base_of_fifth_metatarsal, e.tender_navicular)
    cannot_bear = f["cannot_bear_weight_both_times"]
    wb_known = h.walked_four_steps_immediately is not None and now is not None
    ankle_pos = malleolar is True and (True in ankle_bone or cannot_bear)
    foot_pos = midfoot is True and (True in foot_bone or cannot_bear)
    ankle_known = malleolar is False or ankle_pos or (None not in ankle_bone and wb_known)
    foot_known = midfoot is False or foot_pos or (None not in foot_bone and wb_known)
    f["ottawa_ankle_positive"] = applicable and ankle_pos
    f["ottawa_foot_positive"] = applicable and foot_pos
    f["ottawa_undecided"] = applicable and not (ankle_pos or foot_pos)
    f["ottawa_negative"] = applicable and ankle_known and foot_known and not (ankle_pos or foot_pos)
    f["any_bony_tenderness"] = True in ankle_bone or True in foot_bone
    f["significant_trauma_signs"] = (
        f["any_bony_tenderness"]
        or f["swelling_moderate_or_worse"]
        or now is False
        or (h.pain_score is not None and h.pain_score >= 7)
    )


def _zone(exam_value: bool | None, h: PreVisitHistory, locations: tuple) -> bool | None:
    # Before the exam, the patient's own pain map stands in for the examiner's zone.
    if exam_value is not None:
        return exam_value
    if not h.pain_locations:
        return None
    return any(loc in h.pain_locations for loc in locations)


def _achilles(f: Facts, h: PreVisitHistory, e: ExamFindings) -> None:
    criteria = (
        e.calf_squeeze_no_plantarflexion,
        e.decreased_plantarflexion_strength,
        e.palpable_achilles_gap,
        e.increased_passive_dorsiflexion,
    )
    f["aaos_two_of_four"] = criteria.count(True) >= 2
    f["thompson_positive"] = thompson = e.calf_squeeze_no_plantarflexion is True
    exam_clears = e.calf_squeeze_no_plantarflexion is False and criteria.count(True) < 2
    f["thompson_negative"] = e.calf_squeeze_no_plantarflexion is False
    locs = h.pain_locations
    posterior = any(
        loc in locs for loc in (PainLocation.ACHILLES, PainLocation.CALF, PainLocation.BACK)
    )
    story = (
        h.felt_kicked_in_calf is True
        or (
            h.heard_pop_or_snap is True
            and (posterior or h.injury_mechanism is InjuryMechanism.PUSH_OFF)
        )
        or (h.lost_push_off_strength is True and (posterior or f["trauma"]))
    )
    f["achilles_rupture_story"] = story
    f["achilles_rupture_story_not_cleared"] = story and not exam_clears
    f["achilles_exam_signs"] = f["aaos_two_of_four"] or thompson
    f["achilles_rupture_suspected"] = f["achilles_exam_signs"] or (story and not exam_clears)
    f["posterior_pain_after_trauma"] = f["trauma"] and (posterior or story)


def _injury_conditions(f: Facts, h: PreVisitHistory, e: ExamFindings) -> None:
    trauma = f["trauma"]
    f["lateral_sprain_pattern"] = trauma and (
        h.injury_mechanism in _SPRAIN_MECHANISMS
        or e.tender_atfl_only is True
        or PainLocation.OUTSIDE in h.pain_locations
    )
    f["medial_sprain_pattern"] = trauma and (
        h.injury_mechanism is InjuryMechanism.ROLLED_INWARD or e.tender_deltoid_ligament is True
    )
    f["sprain_moderate_or_unstable"] = (
        h.bruising in _MODERATE_OR_WORSE
        or e.bruising in _MODERATE_OR_WORSE
        or f["swelling_moderate_or_worse"]
        or e.anterior_drawer_positive is True
    )
    f["athlete"] = any(a is not Activity.OTHER for a in h.activities)
    f["sprain_needs_rehab"] = f["sprain_moderate_or_unstable"] or f["athlete"]
    tender = e.tender_syndesmosis is True
    f["syndesmosis_specific_signs"] = trauma and tender and e.squeeze_test_positive is True
    f["syndesmosis_sensitive_signs"] = (
        trauma
        and tender
        and (
            e.external_rotation_test_positive is True
            or e.single_leg_hop_possible is False
            or e.pain_out_of_proportion is True
        )
    )
    f["proximal_fibula_tender_after_trauma"] = trauma and e.tender_proximal_fibula is True
    f["mechanical_symptoms_after_trauma"] = trauma and h.catching_or_locking is True
    f["persistent_deep_pain_after_sprain"] = (
        trauma
        and f["beyond_six_weeks"]
        and (e.talar_dome_tender is True or h.swelling not in (None, Severity.NONE))
    )
    f["xray_negative_after_trauma"] = trauma and e.xray_negative is True


def _overuse_conditions(f: Facts, h: PreVisitHistory, e: ExamFindings) -> None:
    locs = h.pain_locations
    aggs = h.aggravators
    not_trauma = f["not_trauma"]
    pf_test = e.forced_plantarflexion_reproduces_posterior_pain
    f["posterior_impingement_suspected"] = pf_test is True or (
        pf_test is None
        and (PainLocation.BACK in locs or PainLocation.ACHILLES in locs)
        and Aggravator.POINTING_TOES_DOWN in aggs
    )
    f["posterior_impingement_ruled_out"] = pf_test is False
    df_test = e.forced_dorsiflexion_reproduces_anterior_pain
    f["anterior_impingement_suspected"] = df_test is True or (
        df_test is None and PainLocation.FRONT in locs and Aggravator.SQUATTING in aggs
    )
    f["achilles_tendinopathy_suspected"] = not f["achilles_rupture_suspected"] and (
        e.achilles_tender_2_to_6_cm_above_insertion is True
        or (not_trauma and PainLocation.ACHILLES in locs)
    )
    f["peroneal_tendinopathy_suspected"] = e.peroneal_pain_on_resisted_eversion is True or (
        f["gradual"] and PainLocation.OUTSIDE in locs
    )
    f["peroneal_subluxation"] = e.peroneal_subluxation is True
    sprains = h.previous_ankle_sprains
    f["chronic_instability_suspected"] = h.giving_way is True and (
        (sprains is not None and sprains >= 2) or not f["acute_trauma"]
    )
    f["tarsal_tunnel_suspected"] = not_trauma and (
        h.burning_or_tingling_in_sole is True
        or e.tinel_tarsal_tunnel_positive is True
        or e.dorsiflexion_eversion_test_positive is True
    )
    f["tarsal_tunnel_motor_signs"] = f["tarsal_tunnel_suspected"] and e.motor_deficit is True
    _stress_and_shin(f, h, e)
    f["plantar_fasciitis_suspected"] = (
        (
            PainLocation.HEEL in locs
            or PainLocation.SOLE in locs
            or e.medial_calcaneal_tubercle_tender is True
        )
        and (Aggravator.FIRST_STEPS_MORNING in aggs or e.medial_calcaneal_tubercle_tender is True)
        and e.calcaneal_squeeze_painful is not True
        and h.burning_or_tingling_in_sole is not True
    )
    f["training_error"] = f["gradual"] and (
        bool(h.training_changes)
        or (h.weekly_load_increase_percent is not None and h.weekly_load_increase_percent > 10)
    )
    f["posterior_chain_tight"] = f["gradual"] and h.calves_or_hamstrings_feel_tight is True
    f["overuse_strain_pattern"] = (
        (f["training_error"] or f["posterior_chain_tight"])
        and not f["any_bony_tenderness"]
        and not f["stress_fracture_low_risk_site"]
        and not f["stress_fracture_high_risk_site"]
        and not f["not_bearing_weight_now"]
    )


def _stress_and_shin(f: Facts, h: PreVisitHistory, e: ExamFindings) -> None:
    not_trauma = f["not_trauma"]
    shin = PainLocation.SHIN in h.pain_locations
    f["shin_pain_diffuse_tenderness"] = shin and e.shin_tenderness is ShinTenderness.DIFFUSE
    f["shin_pain_tenderness_unexamined"] = (
        shin
        and not_trauma
        and e.shin_tenderness is None
        and e.anterior_tibial_cortex_tender is None
    )
    f["stress_fracture_high_risk_site"] = not_trauma and (
        e.anterior_tibial_cortex_tender is True
        or e.tender_navicular is True
        or e.tender_base_of_fifth_metatarsal is True
        or e.tender_medial_malleolus_posterior_edge_or_tip is True
        or e.talar_dome_tender is True
    )
    f["stress_fracture_low_risk_site"] = (
        not_trauma
        and not f["stress_fracture_high_risk_site"]
        and (
            e.shin_tenderness is ShinTenderness.FOCAL
            or e.tender_metatarsal_shaft is True
            or e.calcaneal_squeeze_painful is True
            or (Aggravator.HOPPING in h.aggravators and h.pain_at_rest_or_night is True)
        )
    )
    f["stress_fracture_xray_negative"] = (
        f["stress_fracture_low_risk_site"] and e.xray_negative is True
    )


def _treatment_response(f: Facts, case: CaseInput, h: PreVisitHistory) -> None:
    weeks = [t.weeks or 0 for t in h.treatments_tried if t.treatment in _CONSERVATIVE]
    physio_weeks = [
        t.weeks or 0 for t in h.treatments_tried if t.treatment is Treatment.PHYSIOTHERAPY
    ]
    longest = max(weeks, default=0)
    trend = case.follow_up.trend if case.follow_up else None
    improvement = h.improvement_percent
    f["followup_worse"] = trend is Trend.WORSE
    f["not_improving"] = not_improving = trend in (Trend.SAME, Trend.WORSE) or (
        improvement is not None and improvement < 50
    )
    f["no_real_improvement"] = trend is Trend.WORSE or (
        improvement is not None and improvement < 25
    )
    f["rest_tried"] = any(t.treatment is Treatment.REST for t in h.treatments_tried)
    f["no_better_after_week_of_rest"] = f["beyond_one_week"] and f["rest_tried"] and not_improving
    f["failed_conservative_12_weeks"] = longest >= 12 and not_improving
    f["failed_conservative_24_weeks"] = longest >= 24 and not_improving
    f["failed_6_months_including_physio"] = (
        longest >= 26 and max(physio_weeks, default=0) > 0 and not_improving
    )
