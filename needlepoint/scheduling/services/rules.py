"""The clinic rules a booking or a move must pass that depend on the patient's other
appointments and recent health answers (docs/clinical-rules.md §2)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db.models import Q

from needlepoint.catalog.models import Service, ServiceKind
from needlepoint.patients.models import Patient
from needlepoint.patients.selectors import patient_group_ids
from needlepoint.patients.services import UNPROVEN_REFUSAL
from needlepoint.scheduling.hooks import booking_refusal
from needlepoint.scheduling.models import HOLDING_STATUSES, Appointment
from needlepoint.scheduling.services.errors import BookingRuleError


def _day(moment: datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment.year}"


def booking_rules_check(
    *,
    patient: Patient,
    service: Service,
    start: datetime,
    day: date,
    now: datetime,
    moving: Appointment | None = None,
) -> None:
    """Clinic rules that depend on the patient's other appointments (docs/clinical-rules.md §2) and
    on their recent health answers (the visit's local `day`). `moving` is the appointment being
    rescheduled, which must not clash with itself.

    Records that may be the same person (an open or merged duplicate) count as one: a second record
    escapes no interval. A refusal caused by another record's visit or answers says nothing about
    them, since the booker has not proven who they are (docs/security-targets.md A8); the code stays
    the same."""
    group = patient_group_ids(patient=patient)
    others = Appointment.objects.all()
    if moving is not None:
        others = others.exclude(pk=moving.pk)
    if service.min_interval_days:
        gap = timedelta(days=service.min_interval_days)
        same_skin = (
            Q(service__areas__in=service.areas.all())
            if service.areas.exists()
            else Q(service=service)
        )
        clash = (
            others.filter(
                same_skin,
                patient_id__in=group,
                status__in=HOLDING_STATUSES,
                service__kind=ServiceKind.TREATMENT,
                starts_at__gt=start - gap,
                starts_at__lt=start + gap,
            )
            .order_by("starts_at")
            .first()
        )
        if clash is not None and clash.patient_id != patient.pk:
            raise BookingRuleError("series_interval", UNPROVEN_REFUSAL)
        if clash is not None:
            earliest = clash.starts_at + gap
            raise BookingRuleError(
                "series_interval",
                f"Sessions on the same skin need {service.min_interval_days} days between "
                f"them to heal. The nearest booked session is on {_day(clash.starts_at)}; "
                f"the next one can be from {_day(earliest)}.",
            )
    code, refusal = booking_refusal(patient=patient, service=service, on=day, now=now, group=group)
    if refusal:
        raise BookingRuleError(code, refusal)
    if service.requires_prior_consultation:
        consulted = Appointment.objects.filter(
            patient_id__in=group,
            service__kind=ServiceKind.CONSULTATION,
            status__in=HOLDING_STATUSES,
            starts_at__lt=start,
        ).exists()
        if not consulted:
            raise BookingRuleError(
                "consultation_required",
                f"{service.name} starts with a consultation for new patients. Please book "
                "a consultation first; the treatment can follow on the same day or later.",
            )
