"""BENCHMARK BASELINE ONLY: rule set 1.3.0's queue/urgency routing as one hand-written if/else.

Not used by the product. bench/engine.py runs it beside ``evaluate`` on the same inputs as a
speed yardstick: what a bare if-chain over the same vocabulary costs. It is no longer kept in
step with the rules (1.4.0 reads more findings and explains each one); the engine's behaviour
is proven by the properties in tests/unit/engine, not by agreement with this file.
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
    Severity,
    ShinTenderness,
    Treatment,
    Trend,
)
from shared.routing import QUEUE_RANK, URGENCY_RANK, Modality, Queue, Urgency

Route = tuple[Queue, Urgency, Modality | None]

_NO_EXAM = ExamFindings()
_MOD = (Severity.MODERATE, Severity.SEVERE)
_NOT_CONSERVATIVE = (Treatment.PAINKILLERS, Treatment.OTHER)


def route(case: CaseInput) -> Route:
    h = case.history
    e = case.exam or _NO_EXAM
    age, days = case.age_years, case.days_since_onset
    trauma = h.onset is Onset.INJURY
    locs, aggs = h.pain_locations, h.aggravators
    febrile = h.fever_or_unwell is True or (
        e.temperature_celsius is not None and e.temperature_celsius >= 38.0
    )
    now = e.bears_weight_four_steps_in_clinic
    if now is None:
        now = h.walks_four_steps_now
    child = age is not None and age < 18
    swollen = h.swelling in _MOD or e.swelling in _MOD
    cold = (
        h.foot_cold_pale_or_blue is True or e.foot_cold_or_pale is True or e.pulses_absent is True
    )
    review = False

    # Red flags
    red: list[Route] = []
    if (trauma and h.wound_over_injury is True) or e.open_wound_over_fracture_or_joint is True:
        red.append((Queue.SURGICAL, Urgency.EMERGENCY, None))
    if trauma and (h.visible_deformity is True or e.deformity is True):
        red.append((Queue.SURGICAL, Urgency.EMERGENCY, None))
    if cold or (trauma and (h.numbness_or_tingling is True or e.motor_deficit is True)):
        red.append((Queue.SURGICAL, Urgency.EMERGENCY, None))
    if e.tense_compartment is True or e.pain_on_passive_toe_stretch is True:
        red.append((Queue.SURGICAL, Urgency.EMERGENCY, None))
    if h.joint_hot_red_swollen is True or e.joint_hot_swollen_restricted is True:
        red.append((Queue.SURGICAL, Urgency.EMERGENCY, None))
    if h.saddle_numbness_or_bladder_bowel_change is True:
        red.append((Queue.SURGICAL, Urgency.EMERGENCY, None))
    diabetic = h.diabetes is True
    if diabetic and h.foot_ulcer is True and (febrile or cold):
        red.append((Queue.SURGICAL, Urgency.EMERGENCY, None))
    if child and now is False and febrile:
        red.append((Queue.SURGICAL, Urgency.EMERGENCY, None))
    if diabetic and (
        h.foot_red_warm_swollen is True or e.foot_red_warm_swollen_skin_intact is True
    ):
        red.append((Queue.SURGICAL, Urgency.URGENT, None))
    if trauma and h.takes_blood_thinners is True and swollen:
        red.append((Queue.SURGICAL, Urgency.URGENT, None))
    if child and now is False:
        red.append((Queue.IMAGING, Urgency.URGENT, Modality.XRAY))
    if trauma and Severity.SEVERE in (h.swelling, h.bruising, e.swelling, e.bruising):
        red.append((Queue.IMAGING, Urgency.URGENT, Modality.XRAY))
    if febrile and not trauma:
        red.append((Queue.IMAGING, Urgency.URGENT, Modality.MRI))
    if not trauma and e.motor_deficit is True:
        red.append((Queue.IMAGING, Urgency.URGENT, Modality.MRI))
    if not trauma and (h.burning_or_tingling_in_sole is True or h.numbness_or_tingling is True):
        review = True

    # Acute trauma: Ottawa, exclusions, children
    tr: list[Route] = []
    acute = trauma and days is not None and days <= 10
    late = trauma and days is not None and 10 < days <= 42
    lrar = (
        trauma
        and age is not None
        and 3 <= age <= 16
        and days is not None
        and days < 3
        and e.low_risk_ankle_exam is True
    )
    excluded = acute and (
        e.intoxicated is True
        or e.head_injury is True
        or e.multiple_painful_injuries is True
        or e.reduced_sensation is True
        or h.pregnant is True
    )
    ankle_bone = (
        e.tender_lateral_malleolus_posterior_edge_or_tip,
        e.tender_medial_malleolus_posterior_edge_or_tip,
    )
    foot_bone = (e.tender_base_of_fifth_metatarsal, e.tender_navicular)
    significant = (
        True in ankle_bone
        or True in foot_bone
        or swollen
        or now is False
        or (h.pain_score is not None and h.pain_score >= 7)
    )
    applicable = acute and not excluded and age is not None and age >= 5 and not lrar
    malleolar = e.pain_in_malleolar_zone
    if malleolar is None and locs:
        malleolar = PainLocation.OUTSIDE in locs or PainLocation.INSIDE in locs
    midfoot = e.pain_in_midfoot_zone
    if midfoot is None and locs:
        midfoot = PainLocation.MIDFOOT in locs
    cannot_bear = h.walked_four_steps_immediately is False and now is False
    wb_known = h.walked_four_steps_immediately is not None and now is not None
    ankle_pos = malleolar is True and (True in ankle_bone or cannot_bear)
    foot_pos = midfoot is True and (True in foot_bone or cannot_bear)
    ottawa_negative = (
        applicable
        and (malleolar is False or ankle_pos or (None not in ankle_bone and wb_known))
        and (midfoot is False or foot_pos or (None not in foot_bone and wb_known))
        and not (ankle_pos or foot_pos)
    )
    if applicable and (ankle_pos or foot_pos):
        tr.append((Queue.IMAGING, Urgency.URGENT, Modality.XRAY))
    if excluded:
        review = True
        if significant:
            tr.append((Queue.IMAGING, Urgency.URGENT, Modality.XRAY))
    if late:
        review = True
        if significant:
            tr.append((Queue.IMAGING, Urgency.SOON, Modality.XRAY))
    if trauma and days is None and significant:
        review = True
        tr.append((Queue.IMAGING, Urgency.URGENT, Modality.XRAY))
    if trauma and age is not None and age < 5:
        review = True

    # Suspected Achilles rupture
    ru: list[Route] = []
    criteria = (
        e.calf_squeeze_no_plantarflexion,
        e.decreased_plantarflexion_strength,
        e.palpable_achilles_gap,
        e.increased_passive_dorsiflexion,
    )
    exam_signs = criteria.count(True) >= 2 or e.calf_squeeze_no_plantarflexion is True
    posterior = (
        PainLocation.ACHILLES in locs or PainLocation.CALF in locs or PainLocation.BACK in locs
    )
    story = (
        h.felt_kicked_in_calf is True
        or (
            h.heard_pop_or_snap is True
            and (posterior or h.injury_mechanism is InjuryMechanism.PUSH_OFF)
        )
        or (h.lost_push_off_strength is True and (posterior or trauma))
    )
    cleared = e.calf_squeeze_no_plantarflexion is False and criteria.count(True) < 2
    rupture = exam_signs or (story and not cleared)
    if exam_signs:
        # A rupture suspected on examination is a red flag: it outranks Ottawa.
        red.append((Queue.SURGICAL, Urgency.URGENT, None))
    elif rupture:
        ru.append((Queue.SURGICAL, Urgency.URGENT, None))

    if red:
        best = max(red, key=lambda r: (URGENCY_RANK[r[1]], QUEUE_RANK[r[0]]))
        return _finish(best, [r[1] for r in red + tr + ru], False)
    if ru and not tr:
        return _finish(ru[0], [Urgency.URGENT], False)

    # Conditions and escalators: the most specialised care wins
    co: list[Route] = []
    H, P, IM, S = Queue.HOME_CARE, Queue.PHYSIO, Queue.IMAGING, Queue.SURGICAL
    R, SO, U = Urgency.ROUTINE, Urgency.SOON, Urgency.URGENT
    gradual = h.onset is Onset.GRADUAL
    lateral = trauma and (
        h.injury_mechanism
        in (
            InjuryMechanism.ROLLED_OUTWARD,
            InjuryMechanism.TWISTED,
            InjuryMechanism.LANDING,
            InjuryMechanism.FALL,
        )
        or e.tender_atfl_only is True
        or PainLocation.OUTSIDE in locs
    )
    medial = trauma and (
        h.injury_mechanism is InjuryMechanism.ROLLED_INWARD or e.tender_deltoid_ligament is True
    )
    needs_rehab = (
        h.bruising in _MOD
        or e.bruising in _MOD
        or swollen
        or e.anterior_drawer_positive is True
        or any(a is not Activity.OTHER for a in h.activities)
    )
    if lrar:
        co.append((H, R, None))
    if ottawa_negative and lateral:
        co.append((P, R, None) if needs_rehab else (H, R, None))
    if ottawa_negative and medial:
        co.append((P, R, None))
    synd = trauma and e.tender_syndesmosis is True
    if synd and e.squeeze_test_positive is True:
        co.append((IM, U, Modality.XRAY))
    if synd and (
        e.external_rotation_test_positive is True
        or e.single_leg_hop_possible is False
        or e.pain_out_of_proportion is True
    ):
        co.append((IM, SO, Modality.XRAY))
    if trauma and e.tender_proximal_fibula is True:
        co.append((IM, U, Modality.XRAY))
    mechanical = trauma and h.catching_or_locking is True
    if mechanical:
        co.append((IM, SO, Modality.MRI))
    beyond6 = days is not None and days > 42
    beyond12 = days is not None and days > 84
    if (
        trauma
        and beyond6
        and (e.talar_dome_tender is True or h.swelling not in (None, Severity.NONE))
    ):
        co.append((IM, SO, Modality.MRI))

    pf = e.forced_plantarflexion_reproduces_posterior_pain
    posterior_imp = pf is True or (
        pf is None
        and (PainLocation.BACK in locs or PainLocation.ACHILLES in locs)
        and Aggravator.POINTING_TOES_DOWN in aggs
    )
    df = e.forced_dorsiflexion_reproduces_anterior_pain
    anterior_imp = df is True or (
        df is None and PainLocation.FRONT in locs and Aggravator.SQUATTING in aggs
    )
    tendinopathy = not rupture and (
        e.achilles_tender_2_to_6_cm_above_insertion is True
        or (not trauma and PainLocation.ACHILLES in locs)
    )
    peroneal = e.peroneal_pain_on_resisted_eversion is True or (
        gradual and PainLocation.OUTSIDE in locs
    )
    sprains = h.previous_ankle_sprains
    cai = h.giving_way is True and ((sprains is not None and sprains >= 2) or not acute)
    tarsal = not trauma and (
        h.burning_or_tingling_in_sole is True
        or e.tinel_tarsal_tunnel_positive is True
        or e.dorsiflexion_eversion_test_positive is True
    )
    if posterior_imp:
        co.append((P, R, None))
    if anterior_imp:
        co.append((P, R, None))
    if tendinopathy:
        co.append((P, R, None))
    if peroneal and e.peroneal_subluxation is not True:
        co.append((P, R, None))
    if e.peroneal_subluxation is True:
        co.append((IM, R, Modality.MRI))
    if cai:
        co.append((P, R, None))
    if tarsal:
        review = True
        co.append((P, R, None))
        if e.motor_deficit is True:
            co.append((IM, SO, Modality.MRI))
    high_risk = not trauma and (
        e.anterior_tibial_cortex_tender is True
        or e.tender_navicular is True
        or e.tender_base_of_fifth_metatarsal is True
        or e.tender_medial_malleolus_posterior_edge_or_tip is True
        or e.talar_dome_tender is True
    )
    low_risk = (
        not trauma
        and not high_risk
        and (
            e.shin_tenderness is ShinTenderness.FOCAL
            or e.tender_metatarsal_shaft is True
            or e.calcaneal_squeeze_painful is True
            or (Aggravator.HOPPING in aggs and h.pain_at_rest_or_night is True)
        )
    )
    if high_risk:
        co.append((IM, U, Modality.MRI))
    if low_risk:
        co.append((IM, SO, Modality.XRAY))
    if PainLocation.SHIN in locs and e.shin_tenderness is ShinTenderness.DIFFUSE:
        co.append((H, R, None))
    plantar = (
        (
            PainLocation.HEEL in locs
            or PainLocation.SOLE in locs
            or e.medial_calcaneal_tubercle_tender is True
        )
        and (Aggravator.FIRST_STEPS_MORNING in aggs or e.medial_calcaneal_tubercle_tender is True)
        and e.calcaneal_squeeze_painful is not True
        and h.burning_or_tingling_in_sole is not True
    )
    if plantar:
        co.append((H, R, None))
    training = gradual and (
        bool(h.training_changes)
        or (h.weekly_load_increase_percent is not None and h.weekly_load_increase_percent > 10)
    )
    tight = gradual and h.calves_or_hamstrings_feel_tight is True
    if (
        (training or tight)
        and not (True in ankle_bone or True in foot_bone or high_risk or low_risk)
        and now is not False
    ):
        co.append((H, R, None))

    # Escalators
    trend = case.follow_up.trend if case.follow_up else None
    imp = h.improvement_percent
    not_improving = trend in (Trend.SAME, Trend.WORSE) or (imp is not None and imp < 50)
    no_real = trend is Trend.WORSE or (imp is not None and imp < 25)
    weeks = [t.weeks or 0 for t in h.treatments_tried if t.treatment not in _NOT_CONSERVATIVE]
    longest = max(weeks, default=0)
    physio = max(
        (t.weeks or 0 for t in h.treatments_tried if t.treatment is Treatment.PHYSIOTHERAPY),
        default=0,
    )
    failed12 = longest >= 12 and not_improving
    rest = any(t.treatment is Treatment.REST for t in h.treatments_tried)
    if days is not None and days > 7 and rest and not_improving:
        co.append((P, SO, None))
    if days is not None and days > 21:
        co.append((P, R, None))
    if trend is Trend.WORSE:
        review = True
        co.append((P, SO, None))
    if trauma and beyond6 and not_improving:
        co.append((IM, SO, Modality.MRI))
    if trauma and e.xray_negative is True and days is not None and days > 21 and not_improving:
        co.append((IM, SO, Modality.MRI))
    if trauma and beyond12 and no_real:
        co.append((S, R, None))
    if low_risk and e.xray_negative is True:
        co.append((IM, SO, Modality.MRI))
    if (posterior_imp or anterior_imp or plantar or cai or mechanical) and failed12:
        co.append((S, R, None))
    if tendinopathy and longest >= 26 and physio > 0 and not_improving:
        co.append((S, R, None))
    if plantar and beyond6 and not_improving:
        co.append((P, R, None))
    if tarsal and beyond12:
        co.append((IM, SO, Modality.MRI))
    if tarsal and longest >= 24 and not_improving:
        co.append((S, R, None))
    if peroneal and failed12:
        co.append((IM, R, Modality.MRI))
    if not co:
        co.append((H, R, None))
    if tr:
        # Trauma decides the queue; a condition may still make it more urgent.
        best = max(tr, key=lambda r: (URGENCY_RANK[r[1]], QUEUE_RANK[r[0]]))
        return _finish(best, [r[1] for r in tr + ru + co], False)
    best = max(co, key=lambda r: (QUEUE_RANK[r[0]], URGENCY_RANK[r[1]]))
    if best[0] is H and not review:
        # Unanswered safety questions, as in missing.py, only matter when home care is next.
        review = (
            None
            in (h.onset, h.foot_cold_pale_or_blue, h.joint_hot_red_swollen, h.numbness_or_tingling)
            or (h.onset is Onset.GRADUAL and h.injury_mechanism is not None)
            or _contradicts(h, case.exam)
            or (
                not gradual
                and (
                    h.walked_four_steps_immediately is None
                    or now is None
                    or (h.visible_deformity is None and e.deformity is None)
                    or (h.wound_over_injury is None and e.open_wound_over_fracture_or_joint is None)
                    or age is None
                    or days is None
                )
            )
            or (acute and (malleolar is None or midfoot is None))
            or (applicable and not (ankle_pos or foot_pos) and None in ankle_bone + foot_bone)
            or (
                ottawa_negative
                and None
                in (e.intoxicated, e.head_injury, e.multiple_painful_injuries, e.reduced_sensation)
            )
            or (trauma and case.exam is not None and e.pulses_absent is None)
            or (trauma and (posterior or story) and e.calf_squeeze_no_plantarflexion is None)
            or (
                diabetic
                and (
                    h.foot_ulcer is None
                    or (
                        h.foot_red_warm_swollen is None
                        and e.foot_red_warm_swollen_skin_intact is None
                    )
                )
            )
            or (
                h.diabetes is None
                and (h.foot_red_warm_swollen is True or e.foot_red_warm_swollen_skin_intact is True)
            )
        )
    return _finish(best, [r[1] for r in co], review)


def _contradicts(h, e: ExamFindings | None) -> bool:
    if e is None:
        return False
    pairs = (
        (h.foot_cold_pale_or_blue, e.foot_cold_or_pale),
        (h.visible_deformity, e.deformity),
        (h.joint_hot_red_swollen, e.joint_hot_swollen_restricted),
    )
    return any(a is not None and b is not None and a != b for a, b in pairs)


def _finish(best: Route, urgencies: list[Urgency], review: bool) -> Route:
    queue, _, modality = best
    urgency = max(urgencies, key=URGENCY_RANK.__getitem__)
    if queue is Queue.HOME_CARE and review:
        return Queue.PHYSIO, max(urgency, Urgency.SOON, key=URGENCY_RANK.__getitem__), None
    return queue, urgency, modality
