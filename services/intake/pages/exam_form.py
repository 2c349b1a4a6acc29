"""The exam findings form, grouped in the order a clinician examines; each field is an
ExamFindings field. Yes / no / not examined: "not examined" records nothing."""

from __future__ import annotations

from pydantic import ValidationError

from shared.clinical_record import ExamFindings, Severity, ShinTenderness

GROUPS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ("Look", (
        ("swelling", "Swelling"),
        ("bruising", "Bruising"),
        ("deformity", "Deformity"),
        ("open_wound_over_fracture_or_joint", "Open wound over a fracture or the joint"),
        ("foot_red_warm_swollen_skin_intact", "Whole foot red, warm, swollen (skin intact)"),
    )),
    ("Ottawa ankle and foot rules: bony tenderness", (
        ("pain_in_malleolar_zone", "Pain in the malleolar zone"),
        ("pain_in_midfoot_zone", "Pain in the midfoot zone"),
        ("tender_lateral_malleolus_posterior_edge_or_tip",
         "Lateral malleolus: posterior edge or tip (distal 6 cm) tender"),
        ("tender_medial_malleolus_posterior_edge_or_tip",
         "Medial malleolus: posterior edge or tip (distal 6 cm) tender"),
        ("tender_base_of_fifth_metatarsal", "Base of the fifth metatarsal tender"),
        ("tender_navicular", "Navicular tender"),
        ("bears_weight_four_steps_in_clinic", "Bears weight for four steps in clinic"),
        ("low_risk_ankle_exam", "Low Risk Ankle Rule exam (child 3-16)"),
        ("xray_negative", "An X-ray for this complaint showed no fracture"),
    )),
    ("Ottawa exclusions", (
        ("intoxicated", "Intoxicated"),
        ("head_injury", "Head injury"),
        ("multiple_painful_injuries", "Multiple painful injuries"),
        ("reduced_sensation", "Reduced sensation"),
    )),
    ("Palpation: other sites", (
        ("tender_proximal_fibula", "Proximal fibula tender (Maisonneuve)"),
        ("tender_metatarsal_shaft", "Metatarsal shaft (2nd-4th) tender"),
        ("tender_deltoid_ligament", "Deltoid ligament tender"),
        ("tender_atfl_only", "Tender over the ATFL only"),
        ("tender_syndesmosis", "Syndesmosis tender"),
        ("talar_dome_tender", "Talar dome tender"),
        ("medial_calcaneal_tubercle_tender", "Medial calcaneal tubercle tender"),
        ("calcaneal_squeeze_painful", "Calcaneal squeeze painful"),
        ("achilles_tender_2_to_6_cm_above_insertion",
         "Achilles tender 2-6 cm above its insertion"),
        ("shin_tenderness", "Shin tenderness"),
        ("anterior_tibial_cortex_tender", "Anterior tibial cortex tender"),
    )),
    ("Ligament and special tests", (
        ("anterior_drawer_positive", "Anterior drawer positive"),
        ("squeeze_test_positive", "Squeeze test positive"),
        ("external_rotation_test_positive", "External rotation test positive"),
        ("single_leg_hop_possible", "Single-leg hop possible"),
        ("forced_plantarflexion_reproduces_posterior_pain",
         "Forced plantarflexion reproduces posterior pain"),
        ("forced_dorsiflexion_reproduces_anterior_pain",
         "Forced dorsiflexion reproduces anterior pain"),
        ("tinel_tarsal_tunnel_positive", "Tinel's sign at the tarsal tunnel positive"),
        ("dorsiflexion_eversion_test_positive", "Dorsiflexion-eversion test positive"),
        ("peroneal_pain_on_resisted_eversion", "Peroneal pain on resisted eversion"),
        ("peroneal_subluxation", "Peroneal tendon subluxation"),
    )),
    ("Achilles (AAOS: two or more of four)", (
        ("calf_squeeze_no_plantarflexion", "Calf squeeze: no plantarflexion (Thompson)"),
        ("palpable_achilles_gap", "Palpable gap in the Achilles"),
        ("decreased_plantarflexion_strength", "Decreased plantarflexion strength"),
        ("increased_passive_dorsiflexion", "Increased passive dorsiflexion"),
    )),
    ("Neurovascular and systemic", (
        ("pulses_absent", "Foot pulses absent"),
        ("foot_cold_or_pale", "Foot cold or pale"),
        ("motor_deficit", "Motor deficit"),
        ("pain_out_of_proportion", "Pain out of proportion"),
        ("pain_on_passive_toe_stretch", "Pain on passive toe stretch"),
        ("tense_compartment", "Tense compartment"),
        ("joint_hot_swollen_restricted", "Joint hot, swollen, movement restricted"),
        ("temperature_celsius", "Temperature (°C)"),
        ("skin_temperature_difference_celsius",
         "Skin of the affected foot warmer than the other foot's by (°C; 0 if not warmer)"),
    )),
)


def _choices(enum, labels: dict | None = None) -> tuple[tuple[str, str], ...]:
    labels = labels or {}
    return tuple((m.value, labels.get(m, m.value.capitalize())) for m in enum)


SEVERITIES = _choices(Severity, {Severity.PRESENT_SEVERITY_UNKNOWN: "Present, not graded"})
# Each choice field's (value, label) pairs.
CHOICES = {"swelling": SEVERITIES, "bruising": SEVERITIES,
           "shin_tenderness": _choices(ShinTenderness)}
# Each number field's bounds and step, the same as ExamFindings accepts.
NUMBERS = {"temperature_celsius": (30, 45, 0.1),
           "skin_temperature_difference_celsius": (0, 15, 0.1)}
FIELDS = [name for _title, fields in GROUPS for name, _label in fields] + ["notes"]


def kind_of(name: str) -> str:
    return "choice" if name in CHOICES else "number" if name in NUMBERS else \
        "text" if name == "notes" else "tristate"


def read_findings(form) -> tuple[ExamFindings | None, dict[str, str]]:
    """Only examined findings are recorded; a blank or "not examined" answer records nothing."""
    values: dict = {}
    for name in FIELDS:
        given = str(form.get(name, "")).strip()
        if not given or given == "not_examined":
            continue
        if kind_of(name) == "tristate":
            values[name] = given == "yes"
        else:
            values[name] = given
    if not values:
        return None, {"form": "Record at least one finding: every answer was 'not examined'."}
    try:
        return ExamFindings(**values), {}
    except ValidationError as invalid:
        return None, {str(e["loc"][0]): e["msg"] for e in invalid.errors()}
