"""What staff find on examination (each field one coded FHIR Observation)."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import Field

from shared.clinical_record.base import _Record
from shared.clinical_record.history import Severity


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
