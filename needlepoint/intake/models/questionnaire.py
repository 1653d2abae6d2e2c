"""Medical-history questionnaires (versioned) and the answers patients give."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from needlepoint.core.models import OrganizationScopedModel
from needlepoint.intake.answers import CATALOGUE, AnswerType

QUESTION_KINDS = ("yes_no", "date_or_never", "choice", "fitzpatrick", "number", "text")


class Questionnaire(OrganizationScopedModel):
    """One version of a clinic's medical-history questionnaire. `questions` holds `{"sections":
    [{"title", "intro"?, "prp_only"?, "questions": [...]}], "clinician": [...]}`, each question
    `{"code", "kind", "text", "help"?, "choices"?, "prp_only"?, "optional"?}` (see
    intake/data/questionnaire.json): `code` is a docs/clinical-rules.md §12 answer code (the rules
    read those) or a clinic's own `x_…` code (recorded, read by no rule). A published version is
    frozen; a change is a new version."""

    title = models.CharField(max_length=120)
    version = models.PositiveIntegerField()
    questions = models.JSONField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "version"], name="questionnaire_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"

    def clean(self) -> None:
        data = self.questions if isinstance(self.questions, dict) else {}
        sections = data.get("sections")
        if not isinstance(sections, list) or not sections:
            raise ValidationError({"questions": 'Give a list of "sections", each with questions.'})
        problems = [
            problem
            for section in sections
            for question in (section.get("questions", []) if isinstance(section, dict) else [])
            for problem in _question_problems(question if isinstance(question, dict) else {})
        ]
        if problems:
            raise ValidationError({"questions": problems})


def _question_problems(question: dict) -> list[str]:
    """What is wrong with one question of a clinic's questionnaire version."""

    kinds_for = {
        AnswerType.BOOL: ("yes_no",),
        AnswerType.DATE: ("date_or_never",),
        AnswerType.DATE_OR_NEVER: ("date_or_never",),
        AnswerType.CHOICE: ("choice",),
        AnswerType.INTEGER: ("number",),
        AnswerType.NUMBER: ("number",),
        AnswerType.FITZPATRICK: ("fitzpatrick",),
    }
    code, kind = question.get("code", "") or "?", question.get("kind")
    problems = []
    if code not in CATALOGUE and not code.startswith("x_"):
        problems.append(
            f"{code}: not an intake answer code (docs/clinical-rules.md §12), nor an x_ code"
        )
    if kind not in QUESTION_KINDS:
        problems.append(f"{code}: kind must be one of {', '.join(QUESTION_KINDS)}")
    elif code in CATALOGUE and kind not in kinds_for[CATALOGUE[code].type]:
        fits = " or ".join(kinds_for[CATALOGUE[code].type])
        problems.append(f"{code}: its answer needs a question of kind {fits}")
    elif kind == "text" and not code.startswith("x_"):
        problems.append(f"{code}: free text only for the clinic's own x_ questions")
    elif kind == "choice" and not question.get("choices"):
        problems.append(f"{code}: a choice question needs choices")
    if not question.get("text"):
        problems.append(f"{code}: the question needs its text")
    return problems


class AnswerChannel(models.TextChoices):
    LINK = "link", "Secure link"
    KIOSK = "kiosk", "Front-desk tablet"
    STAFF = "staff", "Entered by staff"


class QuestionnaireResponse(OrganizationScopedModel):
    """A patient's answers to one questionnaire version: part of the chart, never edited
    (a change is a new response) and never deleted. `answers` holds parsed values by code
    (dates as ISO strings), None for a question left unanswered."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="questionnaire_responses"
    )
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaire_responses",
        help_text="The visit the link or tablet was opened for.",
    )
    answers = models.JSONField()
    channel = models.CharField(max_length=10, choices=AnswerChannel.choices)
    submitted_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(
        null=True, blank=True, help_text="Re-confirmed unchanged at a check-in."
    )
    confirmed_by = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_at"]
        indexes = [models.Index(fields=["patient", "-submitted_at"])]

    def __str__(self) -> str:
        return f"Questionnaire answers {self.public_id}"
