"""Intake: screening rules, questionnaires and their answers, screenings, consents."""

from needlepoint.intake.models.consent import *  # noqa: F403
from needlepoint.intake.models.questionnaire import (
    AnswerChannel,
    Questionnaire,
    QuestionnaireResponse,
)
from needlepoint.intake.models.rules import RuleScope, ScreeningRule
from needlepoint.intake.models.screening import (
    PROCEED_STATUSES,
    ReviewScope,
    Screening,
    ScreeningStatus,
)

__all__ = [
    "PROCEED_STATUSES",
    "AnswerChannel",
    "Questionnaire",
    "QuestionnaireResponse",
    "ReviewScope",
    "RuleScope",
    "Screening",
    "ScreeningRule",
    "ScreeningStatus",
]
