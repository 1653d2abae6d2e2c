"""The medical director's decision on a screening that needs review."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.core.refusals import Refusal
from needlepoint.intake.models import ReviewScope, Screening, ScreeningStatus
from needlepoint.intake.selectors import screening_current
from needlepoint.intake.services.screening import appointment_screen
from needlepoint.scheduling.models import Appointment, AppointmentStatus


class ReviewError(Refusal):
    """A decision that cannot be taken (not awaiting review, no reason given…): 409
    `review_refused`."""

    def __init__(self, message: str) -> None:
        super().__init__("review_refused", message)


def screening_decide(
    *,
    screening: Screening,
    staff: StaffProfile,
    approve: bool,
    reason: str,
    scope: ReviewScope | str = ReviewScope.APPOINTMENT,
    by: Actor | None = None,
    now: datetime | None = None,
) -> Screening:
    """The medical director approves or declines a screening that needs review, with a
    reason, for that appointment or for the series (later sessions of the same service
    screened with the same answers)."""
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise ReviewError("Give a reason: it goes into the chart with your decision.")
    if scope not in ReviewScope.values:
        raise ReviewError("Choose whether the decision covers this appointment or the series.")
    with transaction.atomic():
        locked = Screening.objects.select_for_update().get(pk=screening.pk)
        current = screening_current(appointment=locked.appointment)
        if current is None or current.pk != locked.pk:
            raise ReviewError("Newer answers replaced this screening: review the current one.")
        if locked.status != ScreeningStatus.NEEDS_REVIEW:
            raise ReviewError(f"This screening is {locked.get_status_display().lower()} already.")
        locked.status = ScreeningStatus.APPROVED if approve else ScreeningStatus.DECLINED
        locked.decided_by, locked.decided_at = staff, now
        locked.decision_reason, locked.scope = reason, scope
        locked.save(
            update_fields=["status", "decided_by", "decided_at", "decision_reason", "scope"]
        )
        audit_record(
            action=AuditAction.UPDATE,
            by=by,
            organization=locked.organization,
            obj=locked,
            patient=locked.appointment.patient,
            detail={"status": locked.status, "scope": str(scope)},
        )
        if scope == ReviewScope.SERIES:
            # Later visits of the service waiting on the same answers take the decision.
            for visit in Appointment.objects.filter(
                patient=locked.appointment.patient,
                service=locked.appointment.service,
                status=AppointmentStatus.BOOKED,
                starts_at__gt=now,
            ).exclude(pk=locked.appointment_id):
                latest = screening_current(appointment=visit)
                if (
                    latest is not None
                    and latest.status == ScreeningStatus.NEEDS_REVIEW
                    and latest.response_id == locked.response_id
                ):
                    appointment_screen(appointment=visit, response=locked.response, now=now, by=by)
    return locked
