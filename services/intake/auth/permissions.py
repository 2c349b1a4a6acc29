"""Who may do what: the clinic's access policy as one reviewable table.

Patients reach only their own records (enforced per object, see principal.py); the other roles
are clinic staff. Admins manage accounts, the rule set and the audit trail, but do not read
clinical records: least privilege for a role that does not treat patients.
"""

from __future__ import annotations

from enum import StrEnum

from shared.models import Role
from shared.opt_outs import OPT_OUT_PURPOSE


class Permission(StrEnum):
    CREATE_PATIENT = "patients:create"
    REVOKE_PATIENT_LINKS = "patients:revoke_links"
    SUBMIT_INTAKE = "cases:submit_intake"
    READ_CASE = "cases:read"
    READ_EXAM_FINDINGS = "exam_findings:read"
    READ_DECISIONS = "decisions:read"
    READ_FORMS = "forms:read"
    RECORD_EXAM = "cases:record_exam"
    ANSWER_CHECK_IN = "check_ins:answer"
    READ_QUEUES = "queues:read"
    WORK_QUEUES = "queues:work"
    MANAGE_USERS = "users:manage"
    MANAGE_CDS_ISSUERS = "cds_issuers:manage"
    READ_AUDIT = "audit:read"
    SET_UP_ONE_TIME_CODE = "auth:one_time_code"
    USE_OWN_SESSION = "auth:own_session"
    READ_DEAD_LETTERS = "dead_letters:read"
    READ_FOLLOW_UPS = "follow_ups:read"
    OPT_OUT = "opt_outs:record"
    READ_GOVERNANCE = "governance:read"
    REPLAY_RULE_SET = "governance:replay"


GRANTS: dict[Permission, frozenset[Role]] = {
    Permission.CREATE_PATIENT: frozenset({Role.FRONT_DESK}),
    # Whoever learns that a link leaked (the desk that issued it, the clinician on the case).
    Permission.REVOKE_PATIENT_LINKS: frozenset({Role.FRONT_DESK, Role.CLINICIAN}),
    Permission.SUBMIT_INTAKE: frozenset({Role.PATIENT, Role.FRONT_DESK}),
    Permission.READ_CASE: frozenset({Role.PATIENT, Role.FRONT_DESK, Role.CLINICIAN}),
    Permission.RECORD_EXAM: frozenset({Role.FRONT_DESK, Role.CLINICIAN}),
    # Read on their own (FHIR Observation): the exam findings, for whoever records them.
    Permission.READ_EXAM_FINDINGS: frozenset({Role.FRONT_DESK, Role.CLINICIAN}),
    # The triage decision and what follows from it (FHIR ClinicalImpression, RiskAssessment,
    # ServiceRequest, Task, CommunicationRequest, Communication): clinicians, as the case
    # view shows the decision to clinicians only (cases/views.py).
    Permission.READ_DECISIONS: frozenset({Role.CLINICIAN}),
    # The blank pre-visit form (FHIR Questionnaire): no patient data, whoever is signed in.
    Permission.READ_FORMS: frozenset(Role),
    Permission.ANSWER_CHECK_IN: frozenset({Role.PATIENT}),
    Permission.READ_QUEUES: frozenset({Role.CLINICIAN}),
    Permission.WORK_QUEUES: frozenset({Role.CLINICIAN}),
    Permission.MANAGE_USERS: frozenset({Role.ADMIN}),
    # Which EHRs may call the CDS Hooks services, and with which keys.
    Permission.MANAGE_CDS_ISSUERS: frozenset({Role.ADMIN}),
    Permission.READ_AUDIT: frozenset({Role.ADMIN}),
    Permission.SET_UP_ONE_TIME_CODE: frozenset({Role.FRONT_DESK, Role.CLINICIAN, Role.ADMIN}),
    # Who am I, and signing out: whoever is signed in.
    Permission.USE_OWN_SESSION: frozenset(Role),
    # Ids, dates, purposes and reason codes, no clinical detail: a dead triage request is a
    # case nobody routed, a failed reminder a patient to phone.
    Permission.READ_DEAD_LETTERS: frozenset({Role.CLINICIAN, Role.ADMIN}),
    Permission.READ_FOLLOW_UPS: frozenset({Role.CLINICIAN, Role.ADMIN}),
    # The opt-out page's button, in the page session of an opt-out link. The link itself, in
    # a message, is a credential of its own (POST /opt-out, opt_outs/router.py).
    Permission.OPT_OUT: frozenset({Role.PATIENT}),
    # Override analytics (services/intake/governance): clinicians' reasons and the EHR's
    # feedback, for the clinical leads, who are clinicians.
    Permission.READ_GOVERNANCE: frozenset({Role.CLINICIAN}),
    # The what-if replay of a released rule set (issue 20): the clinical leads, and the admins
    # who manage the rule set. Its report names cases by id and route only.
    Permission.REPLAY_RULE_SET: frozenset({Role.CLINICIAN, Role.ADMIN}),
}


# What a patient's link may be used for, by the link's purpose, on the API, FHIR and pages
# alike: a form link opens and follows its case; a check-in link answers its check-in and
# reads the case, and opens no new one; an opt-out link, which lives a year in an email, only
# opts out.
_FOLLOW_CASE = frozenset({Permission.READ_CASE, Permission.READ_FORMS,
                          Permission.USE_OWN_SESSION})
LINK_USES: dict[str, frozenset[Permission]] = {
    "intake": _FOLLOW_CASE | {Permission.SUBMIT_INTAKE},
    "case": _FOLLOW_CASE | {Permission.SUBMIT_INTAKE},
    "check_in": _FOLLOW_CASE | {Permission.ANSWER_CHECK_IN},
    OPT_OUT_PURPOSE: frozenset({Permission.OPT_OUT, Permission.USE_OWN_SESSION}),
}


def is_granted(role: Role, permission: Permission, link_purpose: str | None = None) -> bool:
    """Whether `role` may do what `permission` names; for a patient's link, also whether a
    link of `link_purpose` is for that (an unknown purpose is for nothing)."""
    return role in GRANTS[permission] and (
        link_purpose is None or permission in LINK_USES.get(link_purpose, frozenset()))
