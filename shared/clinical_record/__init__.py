"""The clinical vocabulary: what a patient reports and what staff find on examination.

These models are the single definition of the history (pre-visit form) and the exam findings.
The intake service validates submissions against them, the database stores them as answers to a
versioned questionnaire (FHIR QuestionnaireResponse) and as coded observations (FHIR Observation),
and the triage engine reads them.

Safety questions are tri-state on purpose: ``True``/``False`` is an answer, ``None`` means the
patient or examiner did not (or could not) answer. The engine treats ``None`` on a
safety-relevant question as missing information, never as "no".
"""

# One vocabulary, in three modules by who records it; import from the package.
from shared.clinical_record.base import Percent
from shared.clinical_record.check_in import (
    CHECK_IN_QUESTIONNAIRE_ID,
    CHECK_IN_QUESTIONNAIRE_VERSION,
    FUNCTION_ITEMS,
    CheckInAnswers,
    Difficulty,
    FollowUpAnswer,
    NewSymptom,
    Trend,
    function_score,
)
from shared.clinical_record.exam import (
    ExamFindings,
    ShinTenderness,
)
from shared.clinical_record.history import (
    QUESTIONNAIRE_ID,
    QUESTIONNAIRE_VERSION,
    Activity,
    Aggravator,
    ImagingModality,
    ImagingResult,
    InjuryMechanism,
    Onset,
    PainLocation,
    PreVisitHistory,
    PriorImaging,
    Severity,
    Sex,
    TrainingChange,
    Treatment,
    TreatmentTried,
)

__all__ = [
    "CHECK_IN_QUESTIONNAIRE_ID",
    "CHECK_IN_QUESTIONNAIRE_VERSION",
    "FUNCTION_ITEMS",
    "QUESTIONNAIRE_ID",
    "QUESTIONNAIRE_VERSION",
    "Activity",
    "Aggravator",
    "CheckInAnswers",
    "Difficulty",
    "ExamFindings",
    "FollowUpAnswer",
    "ImagingModality",
    "ImagingResult",
    "InjuryMechanism",
    "NewSymptom",
    "Onset",
    "PainLocation",
    "Percent",
    "PreVisitHistory",
    "PriorImaging",
    "Severity",
    "Sex",
    "ShinTenderness",
    "TrainingChange",
    "Treatment",
    "TreatmentTried",
    "Trend",
    "function_score",
]
