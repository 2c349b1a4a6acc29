"""The clinical vocabulary: what a patient reports and what staff find on examination.

These models are the single definition of the history (pre-visit form) and the exam findings.
The intake service validates submissions against them, the database stores them as answers to a
versioned questionnaire (FHIR QuestionnaireResponse) and as coded observations (FHIR Observation),
and the triage engine reads them.

Safety questions are tri-state on purpose: ``True``/``False`` is an answer, ``None`` means the
patient or examiner did not (or could not) answer. The engine treats ``None`` on a
safety-relevant question as missing information, never as "no".
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

QUESTIONNAIRE_ID = "ankle-previsit"
# 1.1.0 added high-energy injury, warm-up and rest patterns, back pain, neuropathy, periods, bone
# density, imaging done, weeks per treatment, and "present, amount unknown" swelling and bruising.
QUESTIONNAIRE_VERSION = "1.1.0"


class _Record(BaseModel):
    # Unknown fields are rejected so a typo never silently drops a safety answer.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Onset(StrEnum):
    INJURY = "injury"  # a twist, fall, blow or landing: acute trauma
    GRADUAL = "gradual"  # came on over days or weeks, e.g. with training


class InjuryMechanism(StrEnum):
    ROLLED_OUTWARD = "rolled_outward"  # inversion: foot turned in, ankle rolled out
    ROLLED_INWARD = "rolled_inward"  # eversion
    TWISTED = "twisted"  # rotation, e.g. planted foot
    FALL = "fall"
    LANDING = "landing"  # landing from a jump
    DIRECT_BLOW = "direct_blow"  # kicked or struck
    PUSH_OFF = "push_off"  # sudden push-off or sprint start
    OTHER = "other"


class PainLocation(StrEnum):
    FRONT = "front"
    BACK = "back"
    OUTSIDE = "outside"
    INSIDE = "inside"
    ACHILLES = "achilles"
    HEEL = "heel"
    SOLE = "sole"
    MIDFOOT = "midfoot"
    SHIN = "shin"
    CALF = "calf"


class Aggravator(StrEnum):
    POINTING_TOES_DOWN = "pointing_toes_down"
    PUSHING_OFF = "pushing_off"
    STAIRS = "stairs"
    DOWNHILL = "downhill"
    UPHILL = "uphill"
    HIGH_HEELS = "high_heels"
    FIRST_STEPS_MORNING = "first_steps_morning"
    SQUATTING = "squatting"
    RUNNING = "running"
    HOPPING = "hopping"
    UNEVEN_GROUND = "uneven_ground"
    STANDING_LONG = "standing_long"


class Activity(StrEnum):
    RUNNING = "running"
    DANCE = "dance"
    GYMNASTICS = "gymnastics"
    FOOTBALL = "football"
    BASKETBALL = "basketball"
    TENNIS = "tennis"
    CRICKET = "cricket"
    HIKING = "hiking"
    MILITARY_TRAINING = "military_training"
    OTHER = "other"


class TrainingChange(StrEnum):
    MILEAGE_INCREASE = "mileage_increase"
    HILLS = "hills"
    SPEED_WORK = "speed_work"
    NEW_SHOES = "new_shoes"
    NEW_SURFACE = "new_surface"
    RETURN_AFTER_BREAK = "return_after_break"


class Severity(StrEnum):
    NONE = "none"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"
    # "There is some, I can't say how much": present, so never read as none, and the missing
    # severity is asked for after an injury (it decides between home care and an X-ray).
    PRESENT_SEVERITY_UNKNOWN = "present_severity_unknown"


class Treatment(StrEnum):
    REST = "rest"
    ICE = "ice"
    HEAT = "heat"
    COMPRESSION = "compression"
    ELEVATION = "elevation"
    STRETCHING = "stretching"
    STRENGTHENING = "strengthening"
    PHYSIOTHERAPY = "physiotherapy"
    BRACE_OR_TAPE = "brace_or_tape"
    ORTHOSES = "orthoses"
    PAINKILLERS = "painkillers"
    INJECTION = "injection"
    OTHER = "other"


class Sex(StrEnum):
    """Sex recorded for clinical purposes (FHIR Patient.gender's codes)."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class ImagingModality(StrEnum):
    XRAY = "xray"
    MRI = "mri"
    ULTRASOUND = "ultrasound"
    CT = "ct"
    BONE_SCAN = "bone_scan"


class ImagingResult(StrEnum):
    NORMAL = "normal"  # no fracture and nothing else found
    FRACTURE = "fracture"
    STRESS_REACTION_OR_FRACTURE = "stress_reaction_or_fracture"
    TENDON_TEAR = "tendon_tear"
    LIGAMENT_TEAR = "ligament_tear"
    CARTILAGE_OR_BONE_BRUISE = "cartilage_or_bone_bruise"  # osteochondral lesion, bone bruise
    OTHER_ABNORMAL = "other_abnormal"
    RESULT_NOT_KNOWN = "result_not_known"


class PriorImaging(_Record):
    """Imaging already done for this complaint, and what the patient was told it showed."""

    modality: ImagingModality
    result: ImagingResult
    days_ago: Annotated[int, Field(ge=0, le=36500)] | None = None


class TreatmentTried(_Record):
    treatment: Treatment
    weeks: Annotated[int, Field(ge=0, le=520)] | None = None


Percent = Annotated[int, Field(ge=0, le=100)]


class PreVisitHistory(_Record):
    """What the patient reports on the pre-visit form (answers to questionnaire QUESTIONNAIRE_ID)."""

    side: Annotated[str, Field(pattern="^(left|right|both)$")] | None = None
    onset_date: date | None = Field(
        None, description="When the pain started or the injury happened"
    )
    onset: Onset | None = None
    injury_mechanism: InjuryMechanism | None = None
    high_energy_injury: bool | None = Field(
        None, description="Road traffic collision, fall from more than a metre or down several "
        "stairs, or a crush injury"
    )
    heard_pop_or_snap: bool | None = None
    felt_kicked_in_calf: bool | None = None
    walked_four_steps_immediately: bool | None = Field(
        None, description="Right after the injury, could you take four steps (limping counts)?"
    )
    walks_four_steps_now: bool | None = Field(
        None, description="Can you take four steps now (limping counts)?"
    )
    pain_locations: list[PainLocation] = Field(default_factory=list)
    aggravators: list[Aggravator] = Field(default_factory=list)
    pain_score: Annotated[int, Field(ge=0, le=10)] | None = None
    pain_at_rest_or_night: bool | None = None
    pain_eases_after_warm_up: bool | None = Field(
        None, description="Does the pain ease once you have warmed up (tendon pattern)?"
    )
    pain_settles_with_rest: bool | None = Field(
        None, description="Does the pain settle within minutes of stopping (shin splints, "
        "exertional compartment pattern)?"
    )
    swelling: Severity | None = None
    bruising: Severity | None = None
    visible_deformity: bool | None = None
    wound_over_injury: bool | None = None
    giving_way: bool | None = None
    numbness_or_tingling: bool | None = None
    burning_or_tingling_in_sole: bool | None = None
    foot_cold_pale_or_blue: bool | None = None
    joint_hot_red_swollen: bool | None = None
    fever_or_unwell: bool | None = None
    catching_or_locking: bool | None = None
    lost_push_off_strength: bool | None = Field(
        None, description="Since it started, can you no longer push off or rise onto tiptoe?"
    )
    foot_red_warm_swollen: bool | None = Field(
        None, description="Is the whole foot red, warm and swollen with the skin unbroken?"
    )
    foot_ulcer: bool | None = None
    saddle_numbness_or_bladder_bowel_change: bool | None = None
    back_pain_or_radiating_leg_pain: bool | None = Field(
        None, description="Back pain, or pain shooting down the leg from the back or buttock"
    )
    peripheral_neuropathy: bool | None = Field(
        None, description="Known loss of feeling in the feet (neuropathy), from diabetes or "
        "another cause"
    )
    calves_or_hamstrings_feel_tight: bool | None = None
    activities: list[Activity] = Field(default_factory=list)
    training_changes: list[TrainingChange] = Field(default_factory=list)
    weekly_load_increase_percent: Annotated[int, Field(ge=0, le=1000)] | None = None
    previous_ankle_sprains: Annotated[int, Field(ge=0, le=100)] | None = None
    previous_stress_fracture: bool | None = None
    periods_stopped_or_irregular: bool | None = Field(
        None, description="Periods stopped for three months or more, or irregular (low energy "
        "availability: bone-stress risk)"
    )
    low_bone_density: bool | None = Field(
        None, description="Told you have low bone density (osteopenia or osteoporosis)"
    )
    imaging_done: list[PriorImaging] = Field(default_factory=list)
    diabetes: bool | None = None
    takes_blood_thinners: bool | None = None
    pregnant: bool | None = None
    treatments_tried: list[TreatmentTried] = Field(default_factory=list)
    improvement_percent: Percent | None = Field(
        None, description="How much better since treatment started (0 = no better)"
    )
    notes: Annotated[str, Field(max_length=2000)] | None = None


class ShinTenderness(StrEnum):
    NONE = "none"
    DIFFUSE = "diffuse"  # spread over 5 cm or more (medial tibial stress syndrome)
    FOCAL = "focal"  # under 5 cm: suspect stress fracture


class ExamFindings(_Record):
    """What staff find on examination (each field maps to one coded FHIR Observation)."""

    # Ottawa ankle and foot rules (Stiell 1993): bony tenderness only, never ligament.
    pain_in_malleolar_zone: bool | None = None
    pain_in_midfoot_zone: bool | None = None
    tender_lateral_malleolus_posterior_edge_or_tip: bool | None = None
    tender_medial_malleolus_posterior_edge_or_tip: bool | None = None
    tender_base_of_fifth_metatarsal: bool | None = None
    tender_navicular: bool | None = None
    tender_proximal_fibula: bool | None = None  # Maisonneuve screen with syndesmosis injury
    tender_metatarsal_shaft: bool | None = None  # 2nd-4th shaft: low-risk stress fracture site
    tender_deltoid_ligament: bool | None = None
    # Low Risk Ankle Rule (Boutis 2001/2013), children 3-16: tenderness and swelling isolated to
    # the distal fibula and/or adjacent lateral ligaments, distal to the tibial anterior joint line.
    low_risk_ankle_exam: bool | None = None
    xray_negative: bool | None = Field(
        None, description="An X-ray for this complaint was taken and showed no fracture"
    )
    bears_weight_four_steps_in_clinic: bool | None = None
    # Ottawa exclusions
    intoxicated: bool | None = None
    head_injury: bool | None = None
    multiple_painful_injuries: bool | None = None
    reduced_sensation: bool | None = None
    # Soft tissue and ligaments
    tender_atfl_only: bool | None = None
    tender_syndesmosis: bool | None = None
    swelling: Severity | None = None
    bruising: Severity | None = None
    deformity: bool | None = None
    open_wound_over_fracture_or_joint: bool | None = None
    anterior_drawer_positive: bool | None = None
    squeeze_test_positive: bool | None = None
    external_rotation_test_positive: bool | None = None
    single_leg_hop_possible: bool | None = None
    # Achilles (AAOS 2009: two or more of the four)
    calf_squeeze_no_plantarflexion: bool | None = None
    palpable_achilles_gap: bool | None = None
    decreased_plantarflexion_strength: bool | None = None
    increased_passive_dorsiflexion: bool | None = None
    achilles_tender_2_to_6_cm_above_insertion: bool | None = None
    # Impingement and other special tests
    forced_plantarflexion_reproduces_posterior_pain: bool | None = None
    forced_dorsiflexion_reproduces_anterior_pain: bool | None = None
    tinel_tarsal_tunnel_positive: bool | None = None
    dorsiflexion_eversion_test_positive: bool | None = None
    peroneal_pain_on_resisted_eversion: bool | None = None
    peroneal_subluxation: bool | None = None
    medial_calcaneal_tubercle_tender: bool | None = None
    calcaneal_squeeze_painful: bool | None = None
    talar_dome_tender: bool | None = None
    shin_tenderness: ShinTenderness | None = None
    anterior_tibial_cortex_tender: bool | None = None
    # Neurovascular and systemic
    pulses_absent: bool | None = None
    foot_cold_or_pale: bool | None = None
    motor_deficit: bool | None = None
    pain_out_of_proportion: bool | None = None
    pain_on_passive_toe_stretch: bool | None = None
    tense_compartment: bool | None = None
    joint_hot_swollen_restricted: bool | None = None
    temperature_celsius: Annotated[float, Field(ge=30, le=45)] | None = None
    # NICE NG19: a red, warm, swollen foot with a skin temperature over 2 degrees above the
    # other foot, in a person with neuropathy, is active Charcot until shown otherwise.
    skin_temperature_difference_celsius: Annotated[float, Field(ge=0, le=15)] | None = Field(
        None, description="How many degrees warmer the affected foot's skin is than the same "
        "site on the other foot (0 when it is not warmer)"
    )
    foot_red_warm_swollen_skin_intact: bool | None = None
    notes: Annotated[str, Field(max_length=2000)] | None = None


# How hard an everyday activity is: 0 = unable, 4 = no difficulty (a check-in function item).
Difficulty = Annotated[int, Field(ge=0, le=4)]


class Trend(StrEnum):
    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


class FollowUpAnswer(_Record):
    """The patient's answer at a follow-up check-in; lets re-triage apply the time escalators."""

    days_since_previous_decision: Annotated[int, Field(ge=0, le=3650)]
    trend: Trend


CHECK_IN_QUESTIONNAIRE_ID = "ankle-check-in"
# 1.1.0 added the pain rating and the function questions (issue 20).
CHECK_IN_QUESTIONNAIRE_VERSION = "1.1.0"


class NewSymptom(StrEnum):
    NUMBNESS = "numbness"
    COLD_OR_PALE_FOOT = "cold_or_pale_foot"
    MORE_SWELLING = "more_swelling"
    REDNESS_OR_WARMTH = "redness_or_warmth"
    CANNOT_BEAR_WEIGHT = "cannot_bear_weight"
    FEVER = "fever"


class CheckInAnswers(_Record):
    """What the patient answers at a follow-up check-in (questionnaire ankle-check-in)."""

    trend: Trend
    improvement_percent: Percent | None = Field(
        None, description="Roughly how much better since the last visit (0 = no better)"
    )
    new_symptoms: list[NewSymptom] = Field(default_factory=list)
    followed_advice: bool | None = Field(None, description="Did you follow the advice given?")
    notes: Annotated[str, Field(max_length=2000)] | None = None
    # The outcome measure (shared/recovery.py): the pre-visit form's 0-10 pain rating asked
    # again, and a short plain-language function question set (FUNCTION_ITEMS; not the LEFS).
    pain_score: Annotated[int, Field(ge=0, le=10)] | None = Field(
        None, description="How bad is the pain at its worst today? 0 = no pain, 10 = worst")
    function_walk_indoors: Difficulty | None = None
    function_walk_outdoors: Difficulty | None = None
    function_stairs: Difficulty | None = None
    function_stand: Difficulty | None = None
    function_usual_activity: Difficulty | None = None


# A plain-language function question set written for this clinic, not a validated instrument:
# the Lower Extremity Functional Scale is free to use, but its exact item wording and its
# validated Spanish version were not at hand, and a home-made translation would not be it. Each
# item is answered 0 (unable) to 4 (no difficulty); the score is the sum as a percentage.
FUNCTION_ITEMS = ("function_walk_indoors", "function_walk_outdoors", "function_stairs",
                  "function_stand", "function_usual_activity")


def function_score(answers: dict) -> int | None:
    """0-100 (100 = no difficulty) from stored check-in answers; None unless every function
    item was answered (a partial sum would read as worse function)."""
    values = [answers.get(item) for item in FUNCTION_ITEMS]
    if any(value is None for value in values):
        return None
    return round(sum(values) * 100 / (4 * len(FUNCTION_ITEMS)))
