"""Named clinical facts derived once from a case; the rules match on these names only.

Every fact is a plain bool. A finding that was not answered (None) never makes a fact true, so
"unknown" is never read as "yes"; the missing-information checks (missing.py) see the None and
put the case in front of a clinician instead of reading it as "no".

Fields are read from each record's field dict (``fields(record)["name"]``) rather than as
attributes: pydantic models define ``__getattr__``, which stops CPython from specialising
attribute reads and makes each one about twice as slow. Derivation reads over a hundred
fields per case and is about half of the engine's time per case (see bench/engine.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from services.triage.engine.case import CaseInput
from shared.clinical_record import (
    Activity,
    Aggravator,
    ExamFindings,
    ImagingModality,
    ImagingResult,
    InjuryMechanism,
    Onset,
    PainLocation,
    Severity,
    Sex,
    ShinTenderness,
    Treatment,
    Trend,
)

Fields = dict  # a record's field values by name: PreVisitHistory or ExamFindings


class Facts:
    """The named facts of one case, each a plain bool, set once by ``derive_facts``.

    A slotted object rather than a dict: setting and reading a slot is several times cheaper
    than a dict item, and a misspelt fact name fails loudly instead of being created.
    """

    __slots__ = (  # noqa: RUF023 - grouped by clinical section, as derive_facts sets them
        # timing and age
        "trauma",
        "not_trauma",
        "gradual",
        "duration_unknown",
        "acute_trauma",
        "recent_injury",
        "late_trauma_presentation",
        "beyond_one_week",
        "beyond_three_weeks",
        "beyond_six_weeks",
        "beyond_twelve_weeks",
        "within_three_days",
        "child",
        "under_5",
        "age_3_to_16",
        "adolescent",
        # red flags
        "febrile",
        "fever_after_injury",
        "fever_unanswered",
        "open_wound_after_trauma",
        "deformity_after_trauma",
        "foot_cold_pale_or_pulseless",
        "numbness_or_motor_loss_after_trauma",
        "compartment_signs",
        "hot_swollen_joint",
        "cauda_equina_symptoms",
        "diabetic_ulcer_with_infection_or_ischaemia",
        "charcot_signs",
        "red_warm_swollen_foot_not_diabetic",
        "swelling_present",
        "swelling_severity_unknown",
        "swelling_moderate_or_worse",
        "anticoagulated_swelling_after_trauma",
        "severe_swelling_or_bruising_after_trauma",
        "febrile_without_trauma",
        "motor_deficit_without_trauma",
        "burning_or_numb_sole_without_trauma",
        "radicular_symptoms",
        "night_or_rest_pain_without_trauma",
        "high_energy_injury",
        "prior_imaging_fracture_or_tear",
        "prior_imaging_stress_injury",
        "prior_imaging_result_unknown",
        # Ottawa and the child rules
        "not_bearing_weight_now",
        "walking_now_not_confirmed",
        "child_not_bearing_weight",
        "cannot_bear_weight_both_times",
        "tender_ankle_point",
        "tender_foot_point",
        "fracture_sign_outside_ottawa_window",
        "lrar_low_risk",
        "ottawa_excluded",
        "under_5_trauma",
        "ottawa_applicable",
        "ottawa_ankle_positive",
        "ottawa_foot_positive",
        "ottawa_undecided",
        "ottawa_negative",
        "any_bony_tenderness",
        "significant_trauma_signs",
        "pain_7_or_more",
        # Achilles
        "aaos_two_of_four",
        "thompson_positive",
        "thompson_negative",
        "achilles_rupture_story",
        "achilles_rupture_story_not_cleared",
        "achilles_exam_signs",
        "achilles_rupture_suspected",
        "posterior_pain_after_trauma",
        # injuries
        "lateral_sprain_pattern",
        "medial_sprain_pattern",
        "sprain_moderate_or_unstable",
        "athlete",
        "sprain_needs_rehab",
        "syndesmosis_tender",
        "syndesmosis_specific_signs",
        "syndesmosis_sensitive_signs",
        "proximal_fibula_tender_after_trauma",
        "mechanical_symptoms_after_trauma",
        "persistent_deep_pain_after_sprain",
        "xray_negative_after_trauma",
        "late_trauma_not_settling",
        # overuse conditions
        "posterior_impingement_suspected",
        "posterior_impingement_ruled_out",
        "anterior_impingement_suspected",
        "achilles_tendinopathy_suspected",
        "peroneal_tendinopathy_suspected",
        "peroneal_subluxation",
        "chronic_instability_suspected",
        "tarsal_tunnel_suspected",
        "tarsal_tunnel_motor_signs",
        "plantar_fasciitis_suspected",
        "training_error",
        "posterior_chain_tight",
        "eases_after_warm_up",
        "settles_with_rest",
        "overuse_strain_pattern",
        "shin_pain_diffuse_tenderness",
        "shin_pain_tenderness_unexamined",
        "stress_fracture_high_risk_site",
        "stress_fracture_low_risk_site",
        "stress_fracture_xray_negative",
        "possible_bone_stress",
        "bone_stress_risk",
        # response to treatment
        "followup_worse",
        "not_improving",
        "no_real_improvement",
        "rest_tried",
        "no_better_after_week_of_rest",
        "failed_conservative_12_weeks",
        "failed_conservative_24_weeks",
        "failed_6_months_including_physio",
        # context only the missing-information checks read
        "always",
        "exam_done",
        "trauma_or_onset_unknown",
        "bony_points_open",
        "diabetic",
        "red_warm_foot_reported",
        "treatment_tried",
    )

    def __getitem__(self, name: str) -> bool:
        return getattr(self, name)

    def as_dict(self) -> dict[str, bool]:
        return {name: getattr(self, name) for name in self.__slots__}


NO_EXAM = ExamFindings()  # a case without an exam reads every finding as unanswered
# Frozensets: the answers are StrEnum members (hashed as str, in C) or None, and a set
# answers `in` with one hash probe where a tuple compares None with every member.
_MODERATE_OR_WORSE = frozenset({Severity.MODERATE, Severity.SEVERE})
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
_SPRAIN_MECHANISMS = frozenset(
    {
        InjuryMechanism.ROLLED_OUTWARD,
        InjuryMechanism.TWISTED,
        InjuryMechanism.LANDING,
        InjuryMechanism.FALL,
    }
)
_FEVER_CELSIUS = 38.0
# NICE NG19: a skin temperature more than 2 degrees above the other foot supports active Charcot.
_CHARCOT_TEMPERATURE_DIFFERENCE = 2.0

# Enum members the derivation compares against, as module constants. On CPython 3.11 reading
# ``PainLocation.BACK`` goes through the enum metaclass (about 85 ns); a module global costs
# about 10 ns, and the facts make dozens of such comparisons per case. Same member objects,
# so ``is`` and ``in`` behave exactly as before.
INJURY, GRADUAL = Onset.INJURY, Onset.GRADUAL
FRONT, BACK, OUTSIDE, INSIDE = (
    PainLocation.FRONT,
    PainLocation.BACK,
    PainLocation.OUTSIDE,
    PainLocation.INSIDE,
)
ACHILLES, HEEL, SOLE, MIDFOOT = (
    PainLocation.ACHILLES,
    PainLocation.HEEL,
    PainLocation.SOLE,
    PainLocation.MIDFOOT,
)
SHIN, CALF = PainLocation.SHIN, PainLocation.CALF
POINTING_TOES_DOWN, SQUATTING = Aggravator.POINTING_TOES_DOWN, Aggravator.SQUATTING
HOPPING, FIRST_STEPS_MORNING = Aggravator.HOPPING, Aggravator.FIRST_STEPS_MORNING
PUSH_OFF, ROLLED_INWARD = InjuryMechanism.PUSH_OFF, InjuryMechanism.ROLLED_INWARD
SEVERE, SEVERITY_UNKNOWN = Severity.SEVERE, Severity.PRESENT_SEVERITY_UNKNOWN
MALE = Sex.MALE
_FRACTURE_OR_TEAR = frozenset({ImagingResult.FRACTURE, ImagingResult.TENDON_TEAR})
FOCAL, DIFFUSE = ShinTenderness.FOCAL, ShinTenderness.DIFFUSE
SAME, WORSE = Trend.SAME, Trend.WORSE
REST, PHYSIOTHERAPY = Treatment.REST, Treatment.PHYSIOTHERAPY
OTHER_ACTIVITY = Activity.OTHER
RUNNING_AGG = Aggravator.RUNNING
XRAY, NORMAL = ImagingModality.XRAY, ImagingResult.NORMAL
_UNANSWERED_OR_NO_SWELLING = frozenset({None, Severity.NONE})


def fact_reader(names: Iterable[str]) -> Callable[[Facts], tuple[bool, ...]]:
    """A function returning the named facts as a tuple, compiled once (a memo key reader).

    Generated code reads slots with CPython's specialised bytecode, about twice as fast as
    ``operator.attrgetter``, which goes through the generic attribute lookup.
    """
    names = tuple(names)
    unknown = set(names) - set(Facts.__slots__)
    if unknown:
        raise ValueError(f"unknown facts: {sorted(unknown)}")
    source = f"def read(f):\n    return ({''.join(f'f.{name}, ' for name in names)})"
    namespace: dict = {}
    exec(compile(source, "<fact reader>", "exec"), namespace)  # noqa: S102
    return namespace["read"]


def fields(record) -> Fields:
    """The validated field values of a pydantic record, by name (read-only by convention)."""
    return record.__dict__


def derive_facts(case: CaseInput) -> Facts:
    return derive_facts_from(case, fields(case.history), fields(case.exam or NO_EXAM))


def derive_facts_from(case: CaseInput, h: Fields, e: Fields) -> Facts:
    """``derive_facts`` given the history's and exam's field dicts (the engine reads them once)."""
    f = Facts()
    _timing(f, case, h)
    _red_flags(f, h, e)
    _ottawa(f, case.age_years, h, e)
    _achilles(f, h, e)
    _injury_conditions(f, h, e)
    _overuse_conditions(f, h, e, case.sex)
    _treatment_response(f, case, h)
    f.late_trauma_not_settling = _late_trauma_not_settling(f, h)
    _context(f, case, h, e)
    return f


def _timing(f: Facts, case: CaseInput, h: Fields) -> None:
    days = case.days_since_onset
    age = case.age_years
    onset = h["onset"]
    f.trauma = trauma = onset is INJURY
    f.not_trauma = not trauma
    f.gradual = onset is GRADUAL
    f.duration_unknown = days is None
    known = days is not None
    f.acute_trauma = trauma and known and days <= 10
    # An injury of unknown date counts as recent until its date is known.
    f.recent_injury = trauma and (not known or days <= 10)
    # No upper bound: a late presenter must not drop to a lower route a day later.
    f.late_trauma_presentation = trauma and known and days > 10
    f.beyond_one_week = known and days > 7
    f.beyond_three_weeks = known and days > 21
    f.beyond_six_weeks = known and days > 42
    f.beyond_twelve_weeks = known and days > 84
    f.within_three_days = known and days < 3
    f.child = age is not None and age < 18
    f.under_5 = age is not None and age < 5
    f.age_3_to_16 = age is not None and 3 <= age <= 16
    f.adolescent = age is not None and 10 <= age < 18


def _febrile(h: Fields, e: Fields) -> bool:
    temp = e["temperature_celsius"]
    return h["fever_or_unwell"] is True or (temp is not None and temp >= _FEVER_CELSIUS)


def _red_flags(f: Facts, h: Fields, e: Fields) -> None:
    trauma = f.trauma
    cold = h["foot_cold_pale_or_blue"] is True or e["foot_cold_or_pale"] is True
    f.febrile = febrile = _febrile(h, e)
    f.fever_after_injury = trauma and febrile
    f.fever_unanswered = h["fever_or_unwell"] is None and e["temperature_celsius"] is None
    f.open_wound_after_trauma = (trauma and h["wound_over_injury"] is True) or (
        e["open_wound_over_fracture_or_joint"] is True
    )
    f.deformity_after_trauma = trauma and (h["visible_deformity"] is True or e["deformity"] is True)
    f.foot_cold_pale_or_pulseless = pulseless = cold or e["pulses_absent"] is True
    f.numbness_or_motor_loss_after_trauma = trauma and (
        h["numbness_or_tingling"] is True or e["motor_deficit"] is True
    )
    # After an injury, pain out of proportion is the earliest sign of compartment syndrome.
    f.compartment_signs = (
        e["tense_compartment"] is True
        or e["pain_on_passive_toe_stretch"] is True
        or (trauma and e["pain_out_of_proportion"] is True)
    )
    f.hot_swollen_joint = (
        h["joint_hot_red_swollen"] is True or e["joint_hot_swollen_restricted"] is True
    )
    f.cauda_equina_symptoms = h["saddle_numbness_or_bladder_bowel_change"] is True
    diabetic = h["diabetes"] is True
    # NICE NG19 looks for Charcot wherever feeling in the foot is lost, not only in diabetes.
    at_risk_foot = diabetic or h["peripheral_neuropathy"] is True
    f.diabetic_ulcer_with_infection_or_ischaemia = (
        diabetic and h["foot_ulcer"] is True and (febrile or pulseless)
    )
    red_warm = h["foot_red_warm_swollen"] is True or e["foot_red_warm_swollen_skin_intact"] is True
    warmer = e["skin_temperature_difference_celsius"]
    f.charcot_signs = charcot = at_risk_foot and (
        red_warm or (warmer is not None and warmer > _CHARCOT_TEMPERATURE_DIFFERENCE)
    )
    # Without diabetes or neuropathy a red, warm, swollen foot is cellulitis, gout, a septic
    # joint or a deep-vein thrombosis until a clinician has seen it.
    f.red_warm_swollen_foot_not_diabetic = red_warm and not charcot and not diabetic
    swelling, exam_swelling = h["swelling"], e["swelling"]
    f.swelling_present = (
        swelling not in _UNANSWERED_OR_NO_SWELLING or exam_swelling not in _UNANSWERED_OR_NO_SWELLING
    )
    f.swelling_severity_unknown = swelling is SEVERITY_UNKNOWN and exam_swelling in (
        None,
        SEVERITY_UNKNOWN,
    )
    f.swelling_moderate_or_worse = swollen = (
        swelling in _MODERATE_OR_WORSE or exam_swelling in _MODERATE_OR_WORSE
    )
    f.anticoagulated_swelling_after_trauma = (
        trauma and h["takes_blood_thinners"] is True and swollen
    )
    f.severe_swelling_or_bruising_after_trauma = trauma and (
        swelling is SEVERE
        or exam_swelling is SEVERE
        or h["bruising"] is SEVERE
        or e["bruising"] is SEVERE
    )
    f.febrile_without_trauma = febrile and not trauma
    f.motor_deficit_without_trauma = not trauma and e["motor_deficit"] is True
    f.burning_or_numb_sole_without_trauma = numb_sole = not trauma and (
        h["burning_or_tingling_in_sole"] is True or h["numbness_or_tingling"] is True
    )
    # Back pain or pain shooting down the leg with sole symptoms or weakness: the S1 root,
    # not the tarsal tunnel, may be the cause.
    f.radicular_symptoms = h["back_pain_or_radiating_leg_pain"] is True and (
        numb_sole or e["motor_deficit"] is True or h["numbness_or_tingling"] is True
    )
    f.night_or_rest_pain_without_trauma = not trauma and h["pain_at_rest_or_night"] is True
    f.high_energy_injury = trauma and h["high_energy_injury"] is True
    results = [imaging.result for imaging in h["imaging_done"]]
    f.prior_imaging_fracture_or_tear = any(result in _FRACTURE_OR_TEAR for result in results)
    f.prior_imaging_stress_injury = ImagingResult.STRESS_REACTION_OR_FRACTURE in results
    f.prior_imaging_result_unknown = ImagingResult.RESULT_NOT_KNOWN in results


def _ottawa(f: Facts, age: int | None, h: Fields, e: Fields) -> None:
    """The Ottawa criteria count on their own: the pain zone only adds evidence.

    A tender bony point or not bearing weight is recorded as a finding whatever the patient
    ticked and whether or not the case is inside the rules' validated window (adults and
    children over 5, within 10 days, no exclusion); outside it the finding still goes to a
    clinician and an X-ray, it just cannot be cleared by a negative rule.
    """
    now = e["bears_weight_four_steps_in_clinic"]
    if now is None:
        now = h["walks_four_steps_now"]
    trauma, child = f.trauma, f.child
    f.not_bearing_weight_now = not_bearing = now is False
    # Once the patient walks four steps now, the weight-bearing criterion is negative whatever
    # happened straight after the injury (both time points must fail).
    f.walking_now_not_confirmed = now is not True
    f.child_not_bearing_weight = child and not_bearing
    immediately = h["walked_four_steps_immediately"]
    f.cannot_bear_weight_both_times = cannot_bear = immediately is False and not_bearing
    weight_bearing_negative = now is True or immediately is True
    ankle_points = (
        e["tender_lateral_malleolus_posterior_edge_or_tip"],
        e["tender_medial_malleolus_posterior_edge_or_tip"],
    )
    foot_points = (e["tender_base_of_fifth_metatarsal"], e["tender_navicular"])
    f.tender_ankle_point = ankle_point = True in ankle_points
    f.tender_foot_point = foot_point = True in foot_points
    f.any_bony_tenderness = bony = ankle_point or foot_point
    foot_points_clear = foot_points == (False, False)
    # The Low Risk Ankle Rule clears the distal fibula only: the foot rule, the medial
    # malleolus and weight bearing are still checked.
    f.lrar_low_risk = lrar = (
        trauma
        and f.age_3_to_16
        and f.within_three_days
        and e["low_risk_ankle_exam"] is True
        and foot_points_clear
        and ankle_points[1] is not True
        and not not_bearing
    )
    acute = f.acute_trauma
    f.ottawa_excluded = excluded = acute and (
        e["intoxicated"] is True
        or e["head_injury"] is True
        or e["multiple_painful_injuries"] is True
        or e["reduced_sensation"] is True
        or h["pregnant"] is True
        or f.high_energy_injury
    )
    f.under_5_trauma = trauma and f.under_5
    f.ottawa_applicable = applicable = (
        acute and not excluded and age is not None and age >= 5 and not lrar
    )
    f.fracture_sign_outside_ottawa_window = (
        trauma and not applicable and not lrar and (bony or not_bearing)
    )
    pain_score = h["pain_score"]
    f.pain_7_or_more = severe_pain = pain_score is not None and pain_score >= 7
    f.significant_trauma_signs = bony or f.swelling_moderate_or_worse or not_bearing or severe_pain
    if not applicable:
        f.ottawa_ankle_positive = f.ottawa_foot_positive = False
        f.ottawa_undecided = f.ottawa_negative = False
        return
    # Not bearing weight is positive on its own; the zone only says which X-ray series.
    midfoot_only = e["pain_in_midfoot_zone"] is True and e["pain_in_malleolar_zone"] is not True
    f.ottawa_ankle_positive = ankle_pos = ankle_point or (cannot_bear and not midfoot_only)
    f.ottawa_foot_positive = foot_pos = foot_point or (
        cannot_bear and (midfoot_only or MIDFOOT in h["pain_locations"])
    )
    positive = ankle_pos or foot_pos
    f.ottawa_undecided = not positive
    f.ottawa_negative = (
        not positive and ankle_points == (False, False) and foot_points_clear
        and weight_bearing_negative
    )


def _achilles(f: Facts, h: Fields, e: Fields) -> None:
    squeeze = e["calf_squeeze_no_plantarflexion"]
    criteria = (
        squeeze,
        e["decreased_plantarflexion_strength"],
        e["palpable_achilles_gap"],
        e["increased_passive_dorsiflexion"],
    )
    f.aaos_two_of_four = two_of_four = criteria.count(True) >= 2
    f.thompson_positive = thompson = squeeze is True
    f.thompson_negative = squeeze is False
    exam_clears = squeeze is False and not two_of_four
    locs = h["pain_locations"]
    posterior = ACHILLES in locs or CALF in locs or BACK in locs
    story = (
        h["felt_kicked_in_calf"] is True
        or (h["heard_pop_or_snap"] is True and (posterior or h["injury_mechanism"] is PUSH_OFF))
        or (h["lost_push_off_strength"] is True and (posterior or f.trauma))
    )
    f.achilles_rupture_story = story
    f.achilles_rupture_story_not_cleared = story_not_cleared = story and not exam_clears
    f.achilles_exam_signs = exam_signs = two_of_four or thompson
    f.achilles_rupture_suspected = exam_signs or story_not_cleared
    f.posterior_pain_after_trauma = f.trauma and (posterior or story)


def _injury_conditions(f: Facts, h: Fields, e: Fields) -> None:
    trauma = f.trauma
    mechanism = h["injury_mechanism"]
    f.lateral_sprain_pattern = trauma and (
        mechanism in _SPRAIN_MECHANISMS
        or e["tender_atfl_only"] is True
        or OUTSIDE in h["pain_locations"]
    )
    f.medial_sprain_pattern = trauma and (
        mechanism is ROLLED_INWARD or e["tender_deltoid_ligament"] is True
    )
    f.sprain_moderate_or_unstable = moderate = (
        h["bruising"] in _MODERATE_OR_WORSE
        or e["bruising"] in _MODERATE_OR_WORSE
        or f.swelling_moderate_or_worse
        or e["anterior_drawer_positive"] is True
    )
    activities = h["activities"]
    # Any sport ticked other than "other" makes the patient an athlete.
    f.athlete = athlete = len(activities) > activities.count(OTHER_ACTIVITY)
    f.sprain_needs_rehab = moderate or athlete
    f.syndesmosis_tender = tender = trauma and e["tender_syndesmosis"] is True
    f.syndesmosis_specific_signs = tender and e["squeeze_test_positive"] is True
    f.syndesmosis_sensitive_signs = tender and (
        e["external_rotation_test_positive"] is True
        or e["single_leg_hop_possible"] is False
        or e["pain_out_of_proportion"] is True
    )
    f.proximal_fibula_tender_after_trauma = trauma and e["tender_proximal_fibula"] is True
    f.mechanical_symptoms_after_trauma = trauma and h["catching_or_locking"] is True
    f.persistent_deep_pain_after_sprain = (
        trauma
        and f.beyond_six_weeks
        and (e["talar_dome_tender"] is True or h["swelling"] not in _UNANSWERED_OR_NO_SWELLING)
    )
    normal_xray_before = any(
        imaging.modality is XRAY and imaging.result is NORMAL for imaging in h["imaging_done"]
    )
    f.xray_negative_after_trauma = trauma and (e["xray_negative"] is True or normal_xray_before)


def _late_trauma_not_settling(f: Facts, h: Fields) -> bool:
    # Weeks after an injury, still swollen, not walking, in pain at rest or not getting better.
    return f.late_trauma_presentation and (
        f.swelling_present
        or f.not_bearing_weight_now
        or h["pain_at_rest_or_night"] is True
        or f.not_improving
    )


def _overuse_conditions(f: Facts, h: Fields, e: Fields, sex: Sex | None) -> None:
    locs = h["pain_locations"]
    aggs = h["aggravators"]
    not_trauma = f.not_trauma
    gradual = f.gradual
    pf_test = e["forced_plantarflexion_reproduces_posterior_pain"]
    f.posterior_impingement_suspected = pf_test is True or (
        pf_test is None and (BACK in locs or ACHILLES in locs) and POINTING_TOES_DOWN in aggs
    )
    f.posterior_impingement_ruled_out = pf_test is False
    df_test = e["forced_dorsiflexion_reproduces_anterior_pain"]
    f.anterior_impingement_suspected = df_test is True or (
        df_test is None and FRONT in locs and SQUATTING in aggs
    )
    f.achilles_tendinopathy_suspected = not f.achilles_rupture_suspected and (
        e["achilles_tender_2_to_6_cm_above_insertion"] is True or (not_trauma and ACHILLES in locs)
    )
    f.peroneal_tendinopathy_suspected = e["peroneal_pain_on_resisted_eversion"] is True or (
        gradual and OUTSIDE in locs
    )
    f.peroneal_subluxation = e["peroneal_subluxation"] is True
    sprains = h["previous_ankle_sprains"]
    f.chronic_instability_suspected = h["giving_way"] is True and (
        (sprains is not None and sprains >= 2) or not f.acute_trauma
    )
    burning_sole = h["burning_or_tingling_in_sole"] is True
    f.tarsal_tunnel_suspected = tarsal = not_trauma and (
        burning_sole
        or e["tinel_tarsal_tunnel_positive"] is True
        or e["dorsiflexion_eversion_test_positive"] is True
    )
    f.tarsal_tunnel_motor_signs = tarsal and e["motor_deficit"] is True
    _stress_and_shin(f, h, e, sex)
    tubercle = e["medial_calcaneal_tubercle_tender"] is True
    f.plantar_fasciitis_suspected = (
        (HEEL in locs or SOLE in locs or tubercle)
        and (FIRST_STEPS_MORNING in aggs or tubercle)
        and e["calcaneal_squeeze_painful"] is not True
        and not burning_sole
    )
    load_increase = h["weekly_load_increase_percent"]
    f.training_error = training_error = gradual and (
        bool(h["training_changes"]) or (load_increase is not None and load_increase > 10)
    )
    f.posterior_chain_tight = tight = gradual and h["calves_or_hamstrings_feel_tight"] is True
    f.eases_after_warm_up = h["pain_eases_after_warm_up"] is True
    f.settles_with_rest = h["pain_settles_with_rest"] is True
    f.overuse_strain_pattern = (
        (training_error or tight)
        and not f.any_bony_tenderness
        and not f.stress_fracture_low_risk_site
        and not f.stress_fracture_high_risk_site
        and not f.not_bearing_weight_now
    )


def _stress_and_shin(f: Facts, h: Fields, e: Fields, sex: Sex | None) -> None:
    not_trauma = f.not_trauma
    shin = SHIN in h["pain_locations"]
    shin_tenderness = e["shin_tenderness"]
    f.shin_pain_diffuse_tenderness = shin and shin_tenderness is DIFFUSE
    f.shin_pain_tenderness_unexamined = (
        shin
        and not_trauma
        and shin_tenderness is None
        and e["anterior_tibial_cortex_tender"] is None
    )
    f.stress_fracture_high_risk_site = high_risk = not_trauma and (
        e["anterior_tibial_cortex_tender"] is True
        or e["tender_navicular"] is True
        or e["tender_base_of_fifth_metatarsal"] is True
        or e["tender_medial_malleolus_posterior_edge_or_tip"] is True
        or e["talar_dome_tender"] is True
    )
    # The distal fibula is a low-risk stress fracture site: a tender lateral malleolus without
    # an injury is still a bony finding that needs an X-ray.
    f.stress_fracture_low_risk_site = low_risk = (
        not_trauma
        and not high_risk
        and (
            shin_tenderness is FOCAL
            or e["tender_metatarsal_shaft"] is True
            or e["tender_lateral_malleolus_posterior_edge_or_tip"] is True
            or e["tender_proximal_fibula"] is True
            or e["calcaneal_squeeze_painful"] is True
            or (HOPPING in h["aggravators"] and h["pain_at_rest_or_night"] is True)
        )
    )
    f.stress_fracture_xray_negative = low_risk and e["xray_negative"] is True
    locs, aggs = h["pain_locations"], h["aggravators"]
    # Bony pain of the loaded leg and foot that comes with impact or persists at rest.
    f.possible_bone_stress = not_trauma and (
        (SHIN in locs or MIDFOOT in locs or HEEL in locs)
        and (
            HOPPING in aggs
            or RUNNING_AGG in aggs
            or h["pain_at_rest_or_night"] is True
            or h["pain_settles_with_rest"] is False
        )
    )
    # Patel 2011: previous stress fracture, low bone density and the female athlete triad
    # (amenorrhoea: low energy availability) raise the risk of a bone stress injury.
    f.bone_stress_risk = (
        h["previous_stress_fracture"] is True
        or h["low_bone_density"] is True
        or (h["periods_stopped_or_irregular"] is True and sex is not MALE)
    )


def _treatment_response(f: Facts, case: CaseInput, h: Fields) -> None:
    longest = physio_weeks = 0
    rest_tried = False
    for tried in h["treatments_tried"]:
        treatment, weeks = tried.treatment, tried.weeks or 0
        if treatment in _CONSERVATIVE:
            longest = max(longest, weeks)
        if treatment is PHYSIOTHERAPY:
            physio_weeks = max(physio_weeks, weeks)
        rest_tried = rest_tried or treatment is REST
    trend = case.follow_up.trend if case.follow_up else None
    improvement = h["improvement_percent"]
    f.followup_worse = worse = trend is WORSE
    f.not_improving = not_improving = (
        trend is SAME or worse or (improvement is not None and improvement < 50)
    )
    f.no_real_improvement = worse or (improvement is not None and improvement < 25)
    f.rest_tried = rest_tried
    f.no_better_after_week_of_rest = f.beyond_one_week and rest_tried and not_improving
    f.failed_conservative_12_weeks = longest >= 12 and not_improving
    f.failed_conservative_24_weeks = longest >= 24 and not_improving
    f.failed_6_months_including_physio = longest >= 26 and physio_weeks > 0 and not_improving


def _context(f: Facts, case: CaseInput, h: Fields, e: Fields) -> None:
    # Facts only the missing-information checks read (missing.py); the rules never do.
    f.always = True
    f.exam_done = case.exam is not None
    f.trauma_or_onset_unknown = injury_possible = h["onset"] is not GRADUAL
    # Blank bony points are asked after any injury, and of any examination, even when another
    # point is already tender: a blank point is never read as "not tender".
    f.bony_points_open = injury_possible or f.exam_done
    f.diabetic = h["diabetes"] is True
    f.red_warm_foot_reported = (
        h["foot_red_warm_swollen"] is True or e["foot_red_warm_swollen_skin_intact"] is True
    )
    f.treatment_tried = bool(h["treatments_tried"])
