"""A screening: one appointment's answers checked against the clinic's rules, and the
medical director's decision when the rules ask for one."""

from __future__ import annotations

from django.db import models

from needlepoint.core.models import OrganizationScopedModel


class ScreeningStatus(models.TextChoices):
    CLEAR = "clear", "Clear"
    CAUTION = "caution", "Clear with cautions"
    NEEDS_REVIEW = "needs_review", "Needs clinician review"
    APPROVED = "approved", "Approved by a clinician"
    DECLINED = "declined", "Declined by a clinician"
    BLOCKED = "blocked", "Not possible"


# Statuses that let the visit go ahead.
PROCEED_STATUSES = (ScreeningStatus.CLEAR, ScreeningStatus.CAUTION, ScreeningStatus.APPROVED)


class ReviewScope(models.TextChoices):
    APPOINTMENT = "appointment", "This appointment only"
    SERIES = "series", "This and later sessions of the same service"


class Screening(OrganizationScopedModel):
    """The rules' verdict on one appointment from one set of answers. A newer response
    makes a newer screening; the appointment's current one is the latest. Findings are
    kept as evaluated (rule, outcome, until, staff message, patient message)."""

    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="screenings"
    )
    response = models.ForeignKey(
        "intake.QuestionnaireResponse", on_delete=models.PROTECT, related_name="screenings"
    )
    outcome = models.CharField(max_length=12)
    findings = models.JSONField(default=list)
    status = models.CharField(max_length=12, choices=ScreeningStatus.choices)
    blocked_until = models.DateField(null=True, blank=True)
    evaluated_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    scope = models.CharField(max_length=12, choices=ReviewScope.choices, blank=True)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The series decision this screening's approval comes from.",
    )

    class Meta:
        ordering = ["-evaluated_at", "-pk"]
        indexes = [
            models.Index(fields=["appointment", "-evaluated_at"]),
            models.Index(fields=["organization", "status"]),
        ]

    def __str__(self) -> str:
        return f"Screening {self.public_id} ({self.get_status_display()})"

    @property
    def may_proceed(self) -> bool:
        return self.status in PROCEED_STATUSES
