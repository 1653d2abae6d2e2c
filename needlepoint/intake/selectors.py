"""Reads for intake: the clinic's rules and questionnaire, an appointment's screening,
the review queue, and what stands between a patient and check-in."""

from __future__ import annotations

from django.db.models import OuterRef, QuerySet, Subquery

from needlepoint.catalog.models import ServiceKind
from needlepoint.core.models import Organization
from needlepoint.core.tenancy import get_scoped_or_404
from needlepoint.intake.answers import CATALOGUE
from needlepoint.intake.models import (
    Questionnaire,
    QuestionnaireResponse,
    Screening,
    ScreeningRule,
    ScreeningStatus,
)
from needlepoint.intake.rules import Rule
from needlepoint.patients.models import Patient
from needlepoint.scheduling.models import Appointment


def screening_rules(*, organization: Organization) -> list[Rule]:
    """The organization's active screening rules, ready for `intake.rules.evaluate`."""
    return [
        row.rule()
        for row in ScreeningRule.objects.filter(organization=organization, is_active=True)
    ]


def questionnaire_current(*, organization: Organization) -> Questionnaire | None:
    """The newest published questionnaire version."""
    return (
        Questionnaire.objects.filter(organization=organization, published_at__isnull=False)
        .order_by("-version")
        .first()
    )


def response_latest(*, patient: Patient) -> QuestionnaireResponse | None:
    return QuestionnaireResponse.objects.filter(patient=patient).order_by("-submitted_at").first()


def screening_current(*, appointment: Appointment) -> Screening | None:
    """The appointment's latest screening (a newer set of answers supersedes older ones)."""
    return (
        Screening.objects.filter(appointment=appointment)
        .select_related("decided_by__user", "response")
        .order_by("-evaluated_at", "-pk")
        .first()
    )


def screenings_current_for(appointments: list[Appointment]) -> dict[int, Screening]:
    """The latest screening of each appointment, in one query (calendar flags)."""
    rows = (
        Screening.objects.filter(appointment__in=appointments)
        .only("appointment_id", "status", "evaluated_at")
        .order_by("appointment_id", "-evaluated_at", "-pk")
    )
    latest: dict[int, Screening] = {}
    for row in rows:
        latest.setdefault(row.appointment_id, row)
    return latest


def review_queue(*, organization: Organization) -> QuerySet[Screening]:
    """Screenings waiting for the medical director: each appointment's current one only,
    soonest appointment first."""
    newest = (
        Screening.objects.filter(appointment=OuterRef("appointment"))
        .order_by("-evaluated_at", "-pk")
        .values("pk")[:1]
    )
    return (
        Screening.objects.filter(
            organization=organization,
            status=ScreeningStatus.NEEDS_REVIEW,
            pk=Subquery(newest),
            appointment__status__in=["booked", "checked_in"],
        )
        .select_related("appointment__patient", "appointment__service", "appointment__location")
        .order_by("appointment__starts_at")
    )


def screening_get(*, organization: Organization, public_id: str) -> Screening:
    return get_scoped_or_404(
        Screening.objects.select_related(
            "appointment__patient",
            "appointment__service",
            "appointment__location",
            "response",
            "decided_by__user",
        ),
        organization=organization,
        public_id=public_id,
    )


def screens_needed(appointment: Appointment) -> bool:
    """Treatments are screened; consultations are where screening questions get asked."""
    return appointment.service.kind == ServiceKind.TREATMENT


def screening_flags(appointments: list[Appointment]) -> dict[int, tuple[str, str]]:
    """Calendar flags for visits whose screening is missing, waiting for review, declined
    or ruled out: appointment pk → (words, badge style). Cleared visits have no flag."""
    watched = [
        a for a in appointments if a.status in ("booked", "checked_in") and screens_needed(a)
    ]
    current = screenings_current_for(watched)
    flags: dict[int, tuple[str, str]] = {}
    for appointment in watched:
        screening = current.get(appointment.pk)
        if screening is None:
            flags[appointment.pk] = ("No health answers", "badge-warn")
        elif screening.status == ScreeningStatus.NEEDS_REVIEW:
            flags[appointment.pk] = ("Screening review", "badge-warn")
        elif not screening.may_proceed:
            flags[appointment.pk] = ("Screening: not possible", "badge-danger")
    return flags


def screening_answer_rows(screening: Screening) -> list[tuple[str, object]]:
    """The answers behind a screening as (question label, answer) for clinical pages."""

    return [
        (CATALOGUE[code].label if code in CATALOGUE else code, value)
        for code, value in screening.response.answers.items()
    ]
