"""What the patient reports on the pre-visit form (questionnaire QUESTIONNAIRE_ID)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import Field

from shared.clinical_record.base import Percent, _Record

QUESTIONNAIRE_ID = "ankle-previsit"
# 1.1.0 added high-energy injury, warm-up and rest patterns, back pain, neuropathy, periods, bone
# density, imaging done, weeks per treatment, and "present, amount unknown" swelling and bruising.
QUESTIONNAIRE_VERSION = "1.1.0"


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


