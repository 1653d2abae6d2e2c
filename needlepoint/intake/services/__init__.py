"""Writes for intake: seeding a clinic's rules and questionnaire, recording answers,
screening appointments against the rules, and the medical director's decisions.

Order inside each write (docs/style.md): lock, check, validate, save, audit, side effects.

- `seeding`: the shipped rules and questionnaire, copied for a clinic
- `screening`: screening a visit against the rules, and the verdict it keeps
- `responses`: a patient's answers, the clinic's additions, the check-in confirmation
- `review`: the medical director's decision
- `gates`: booking, a booked or moved visit, and check-in, as the screening sees them
"""

from needlepoint.intake.selectors import screens_needed
from needlepoint.intake.services.gates import (
    ANSWERS_KEPT_DAYS,
    appointment_screen_again,
    appointment_screen_on_file,
    response_on_file,
    screening_problem_now,
    screening_refusal,
)
from needlepoint.intake.services.responses import (
    questionnaire_submit,
    response_add_clinician_answers,
    response_confirm,
    upcoming_appointments,
)
from needlepoint.intake.services.review import ReviewError, screening_decide
from needlepoint.intake.services.screening import (
    CHARTING_ANSWERS,
    appointment_screen,
    clinic_facts,
    screening_context,
    screening_evaluate,
)
from needlepoint.intake.services.seeding import (
    QUESTIONNAIRE_FILE,
    ROW_FIELDS,
    default_questionnaire,
    intake_seed_questionnaire,
    intake_seed_rules,
)

__all__ = [
    "ANSWERS_KEPT_DAYS",
    "CHARTING_ANSWERS",
    "QUESTIONNAIRE_FILE",
    "ROW_FIELDS",
    "ReviewError",
    "appointment_screen",
    "appointment_screen_again",
    "appointment_screen_on_file",
    "clinic_facts",
    "default_questionnaire",
    "intake_seed_questionnaire",
    "intake_seed_rules",
    "questionnaire_submit",
    "response_add_clinician_answers",
    "response_confirm",
    "response_on_file",
    "screening_context",
    "screening_decide",
    "screening_evaluate",
    "screening_problem_now",
    "screening_refusal",
    "screens_needed",
    "upcoming_appointments",
]
