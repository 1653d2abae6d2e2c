"""A patient's answers: recording them (and screening every upcoming treatment), the
clinic's own additions, and the check-in confirmation that nothing has changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.intake.answers import parse_answers
from needlepoint.intake.models import AnswerChannel, Questionnaire, QuestionnaireResponse, Screening
from needlepoint.intake.selectors import screens_needed
from needlepoint.intake.services.review import ReviewError
from needlepoint.intake.services.screening import appointment_screen
from needlepoint.patients.models import Patient
from needlepoint.scheduling.models import Appointment, AppointmentStatus


def upcoming_appointments(patient: Patient, *, now: datetime) -> list[Appointment]:
    return list(
        Appointment.objects.filter(
            patient=patient, status=AppointmentStatus.BOOKED, ends_at__gt=now
        )
        .select_related("service", "location", "organization")
        .order_by("starts_at")
    )


def questionnaire_submit(
    *,
    patient: Patient,
    questionnaire: Questionnaire,
    answers: Mapping[str, object],
    channel: AnswerChannel | str,
    appointment: Appointment | None = None,
    by: Actor | None = None,
    now: datetime | None = None,
) -> tuple[QuestionnaireResponse, list[Screening]]:
    """Record a patient's answers (validated against the §12 codes; a clinic's own `x_`
    questions are kept as given) and screen every upcoming treatment of theirs."""
    now = now or timezone.now()
    known = {k: v for k, v in answers.items() if not k.startswith("x_")}
    parsed = parse_answers(known)  # raises AnswerError before anything is written
    stored = {
        code: value.isoformat() if isinstance(value, date) else value
        for code, value in parsed.items()
    }
    stored.update({k: v for k, v in answers.items() if k.startswith("x_")})
    with transaction.atomic():
        response = QuestionnaireResponse.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            questionnaire=questionnaire,
            appointment=appointment,
            answers=stored,
            channel=channel,
            submitted_at=now,
        )
        audit_record(
            action=AuditAction.CREATE,
            by=by,
            organization=patient.organization,
            obj=response,
            patient=patient,
            detail={"channel": str(channel), "questionnaire_version": questionnaire.version},
        )
        screenings = [
            appointment_screen(appointment=visit, response=response, now=now)
            for visit in upcoming_appointments(patient, now=now)
            if screens_needed(visit)
        ]
    return response, screenings


def response_add_clinician_answers(
    *,
    response: QuestionnaireResponse,
    answers: Mapping[str, object],
    staff: StaffProfile,
    by: Actor | None = None,
    now: datetime | None = None,
) -> tuple[QuestionnaireResponse, list[Screening]]:
    """What the clinic knows that the patient could not answer (latest lab values): a new
    response with the patient's answers and these, screening every upcoming treatment
    again. The patient's own response stays as it was."""
    given = {code: value for code, value in answers.items() if value is not None}
    if not given:
        raise ReviewError("Enter at least one value.")
    return questionnaire_submit(
        patient=response.patient,
        questionnaire=response.questionnaire,
        answers={**response.answers, **given},
        channel=AnswerChannel.STAFF,
        appointment=response.appointment,
        by=by,
        now=now,
    )


def response_confirm(
    *,
    response: QuestionnaireResponse,
    staff: StaffProfile,
    appointment: Appointment,
    by: Actor | None = None,
    now: datetime | None = None,
) -> None:
    """At check-in the patient says nothing has changed since they answered: the latest
    confirmation is kept on the answers, and each one in the audit log with its visit."""
    now = now or timezone.now()
    QuestionnaireResponse.objects.filter(pk=response.pk).update(
        confirmed_at=now, confirmed_by=staff
    )
    audit_record(
        action=AuditAction.UPDATE,
        by=by,
        organization=appointment.organization,
        obj=response,
        patient=appointment.patient,
        detail={"confirmed_unchanged_for": str(appointment.public_id)},
    )
