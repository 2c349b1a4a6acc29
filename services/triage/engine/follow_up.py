"""When to check in again and what would change the route (read by the notify service).

Timelines: one-week check (seeds 002/003), three-week reassessment (seed 004), six and twelve
weeks after a sprain (reference section 5), two to three weeks for a repeat stress-fracture film.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.triage.engine.decision import FollowUpStep, Modality, Queue, Urgency
from services.triage.engine.facts import Facts


@dataclass(frozen=True)
class PlannedStep:
    step: FollowUpStep
    queues: tuple[Queue, ...]
    any_of: tuple[str, ...] = ("always",)
    modality: Modality | None = None


_STAFF_ALERT = FollowUpStep(
    0, "staff alert: confirm the patient reached emergency care today", "staff_alert"
)
# An emergency's plan whatever the findings: confirm the patient reached emergency care.
EMERGENCY_PLAN = (_STAFF_ALERT,)
_SEEN_CHECK = FollowUpStep(1, "check the patient was seen within 24-48 hours", "check_in")

PLAN = (
    PlannedStep(
        FollowUpStep(
            7, "one-week check: no better after a week of rest goes to physio", "check_in"
        ),
        (Queue.HOME_CARE,),
    ),
    PlannedStep(
        FollowUpStep(
            21, "three-week reassessment: pain beyond three weeks goes to physio", "reassessment"
        ),
        (Queue.HOME_CARE,),
    ),
    PlannedStep(
        FollowUpStep(
            21,
            "three-week reassessment: about half better continues; little better is re-triaged",
            "reassessment",
        ),
        (Queue.PHYSIO,),
    ),
    PlannedStep(
        FollowUpStep(
            42,
            "six-week check: persistent pain, swelling or giving way after a sprain goes to MRI",
            "reassessment",
        ),
        (Queue.HOME_CARE, Queue.PHYSIO),
        ("trauma",),
    ),
    PlannedStep(
        FollowUpStep(
            84,
            "twelve-week review: failed conservative care goes to surgical consult",
            "reassessment",
        ),
        (Queue.PHYSIO,),
    ),
    # seed 004_ad83bbae4b3e43d7.txt, 'How Long Does it Take to Heal?': pain over 3 months gets
    # a 3-week course, then reassessment; 50% better -> about 3 more weeks; only 10% better ->
    # care may continue up to 20 weeks.
    PlannedStep(
        FollowUpStep(
            42,
            "six-week check of a long course: about half better may resolve in three more weeks; "
            "only about 10% better continues, reassessed up to 20 weeks",
            "reassessment",
        ),
        (Queue.PHYSIO,),
        ("beyond_twelve_weeks",),
    ),
    PlannedStep(
        FollowUpStep(
            140, "twenty-week limit: still little better after 20 weeks of care is re-triaged",
            "reassessment",
        ),
        (Queue.PHYSIO,),
        ("beyond_twelve_weeks",),
    ),
    # seed 004_ad83bbae4b3e43d7.txt, 'Sudden Increase in Running Activity' and 'Improper
    # Running Progression': increase mileage or intensity by no more than 10% a week.
    PlannedStep(
        FollowUpStep(
            14, "return-to-running progression: add no more than 10% a week", "progression"
        ),
        (Queue.HOME_CARE, Queue.PHYSIO),
        ("training_error",),
    ),
    PlannedStep(
        FollowUpStep(
            28, "return-to-running progression: still no more than 10% a week", "progression"
        ),
        (Queue.HOME_CARE, Queue.PHYSIO),
        ("training_error",),
    ),
    PlannedStep(
        FollowUpStep(7, "check the imaging was done and the result reviewed", "result_check"),
        (Queue.IMAGING,),
    ),
    PlannedStep(
        FollowUpStep(
            14,
            "stress fracture with a negative X-ray: repeat the film at 2-3 weeks or get MRI",
            "reassessment",
        ),
        (Queue.IMAGING,),
        ("stress_fracture_low_risk_site",),
        Modality.XRAY,
    ),
    PlannedStep(
        FollowUpStep(7, "check the surgical consult is booked", "check_in"), (Queue.SURGICAL,)
    ),
    # seed 000_9281e541b26e62b4.txt, 'Recovery', and seed 001_9c0bc143a4069b5a.txt: back to
    # normal activity and sport four to six weeks after treatment.
    PlannedStep(
        FollowUpStep(
            42, "return-to-activity check: most are back to normal activity 4-6 weeks after "
            "treatment", "return_to_activity"
        ),
        (Queue.SURGICAL,),
    ),
    PlannedStep(
        FollowUpStep(
            1,
            "check the X-ray the positive Ottawa rule calls for was done and reviewed",
            "result_check",
        ),
        (Queue.SURGICAL,),
        ("ottawa_ankle_positive", "ottawa_foot_positive"),
    ),
)


def plan(queue: Queue, urgency: Urgency, modality: Modality | None, facts: Facts) -> tuple:
    """The follow-up steps for the route: every step for the queue whose facts hold."""
    if urgency is Urgency.EMERGENCY:
        return EMERGENCY_PLAN
    steps = [_SEEN_CHECK] if urgency is Urgency.URGENT else []
    steps += [
        p.step
        for p in PLAN
        if queue in p.queues
        and (p.modality is None or p.modality is modality)
        and any(facts[name] for name in p.any_of)
    ]
    return tuple(steps)
