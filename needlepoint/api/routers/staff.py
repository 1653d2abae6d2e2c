"""Staff operations (Bearer token): the day's appointments, one appointment, cancelling and
moving it, and patients.

Everything is scoped to the token's clinic: another organization's id is a 404. Every read of a
patient's data writes an audit row per patient, as the staff pages do (docs/security-targets.md C1).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from django.db import transaction
from django.utils import timezone
from ninja import Query, Router

from needlepoint.accounts.access import StaffRequest
from needlepoint.accounts.selectors import staff_get
from needlepoint.api.auth import staff_auth, token_organization
from needlepoint.api.errors import ApiError, invalid
from needlepoint.api.schemas import (
    FIRST_DAY,
    LAST_DAY,
    SLUG_PATTERN,
    AppointmentOut,
    CancelIn,
    Error,
    FindingOut,
    PatientListItem,
    PatientOut,
    RescheduleIn,
    ScreeningIn,
    ScreeningOut,
    SlotUnavailableError,
    appointment_out,
    out_of_reach,
    patient_list_item,
    patient_out,
    plain_text,
)
from needlepoint.catalog.models import TreatmentArea
from needlepoint.catalog.selectors import service_get
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_today
from needlepoint.core.models import AuditAction
from needlepoint.intake.answers import AnswerError
from needlepoint.intake.services import screening_evaluate
from needlepoint.patients.selectors import patient_get, patient_list
from needlepoint.resources.selectors import location_get
from needlepoint.scheduling.models import Appointment, AppointmentStatus
from needlepoint.scheduling.selectors import appointment_get, appointment_list_for_day
from needlepoint.scheduling.services import (
    SlotUnavailable,
    appointment_cancel,
    appointment_reschedule,
    next_offers,
)

router = Router()

REFUSALS = {401: Error, 403: Error, 404: Error, 422: Error}
# Writes also answer 400 when the body is not JSON at all.
WRITE_REFUSALS = {400: Error, **REFUSALS}
VIA_API = {"via": "api"}


def _audit_reads(request: StaffRequest, action: AuditAction, rows: list, patient_of) -> None:
    """One audit row per patient shown (ids only), written together."""
    with transaction.atomic():
        for row in rows:
            audit_record(
                action=action, request=request, obj=row, patient=patient_of(row), detail=VIA_API
            )


@router.get(
    "/appointments",
    auth=staff_auth("appointments.view"),
    response={200: list[AppointmentOut], **REFUSALS},
    operation_id="appointment_list",
    url_name="appointment_list",
    summary="A location's appointments on one day",
    description=(
        "Every appointment at the location that touches the day (in the location's time "
        "zone), cancelled ones included, sorted by start, with patient name, service, "
        "practitioner, room and status. `date` defaults to today. Each listed patient is "
        "recorded in the audit log."
    ),
)
def appointment_list_view(
    request: StaffRequest,
    location: str = Query(..., description="Location slug.", pattern=SLUG_PATTERN, max_length=50),
    day: Annotated[
        date | None, Query(alias="date", description="YYYY-MM-DD; default today.")
    ] = None,
):
    where = location_get(organization=token_organization(request), slug=location, active_only=False)
    day = day or local_today(where.zone)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise invalid("date", f"Pick a day between {FIRST_DAY} and {LAST_DAY}.")
    appointments = list(
        appointment_list_for_day(organization=token_organization(request), location=where, day=day)
    )
    _audit_reads(request, AuditAction.LIST, appointments, lambda a: a.patient)
    return [appointment_out(a) for a in appointments]


def _appointment(request: StaffRequest, appointment_id: uuid.UUID) -> Appointment:
    return appointment_get(organization=token_organization(request), public_id=str(appointment_id))


@router.get(
    "/appointments/{appointment_id}",
    auth=staff_auth("appointments.view"),
    response={200: AppointmentOut, **REFUSALS},
    operation_id="appointment_get",
    url_name="appointment_get",
    summary="One appointment",
    description="Another clinic's appointment is 404 `not_found`. Recorded in the audit log.",
)
def appointment_get_view(request: StaffRequest, appointment_id: uuid.UUID):
    appointment = _appointment(request, appointment_id)
    _audit_reads(request, AuditAction.VIEW, [appointment], lambda a: a.patient)
    return appointment_out(appointment)


@router.post(
    "/appointments/{appointment_id}/cancel",
    auth=staff_auth("appointments.manage"),
    response={200: AppointmentOut, 409: Error, **WRITE_REFUSALS},
    operation_id="appointment_cancel",
    url_name="appointment_cancel",
    summary="Cancel an appointment",
    description=(
        "Cancels a booked or checked-in appointment and frees every resource it held "
        "(practitioner, room, devices). Cancelling a cancelled appointment again changes "
        "nothing; a completed or no-show one is 409 `not_cancellable`."
    ),
)
def appointment_cancel_view(request: StaffRequest, appointment_id: uuid.UUID, body: CancelIn):
    appointment = _appointment(request, appointment_id)
    appointment_cancel(appointment=appointment, reason=body.reason, by=request.actor)
    appointment = _appointment(request, appointment_id)
    if appointment.status not in (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED):
        raise ApiError(
            409,
            "not_cancellable",
            f"This appointment is {appointment.get_status_display().lower()}; "
            "only a booked or checked-in one can be cancelled.",
        )
    return appointment_out(appointment)


@router.post(
    "/appointments/{appointment_id}/reschedule",
    auth=staff_auth("appointments.manage"),
    response={200: AppointmentOut, 409: SlotUnavailableError, **WRITE_REFUSALS},
    operation_id="appointment_reschedule",
    url_name="appointment_reschedule",
    summary="Move an appointment to another start",
    description=(
        "Moves the appointment to `start` (with the practitioner asked for, or anyone free); "
        "it may overlap its own old time. The old time is freed only if the new one can be "
        "held. 409 `slot_unavailable` with `alternatives` when the new time is not free; "
        "422 `not_active` for a cancelled or finished appointment."
    ),
)
def appointment_reschedule_view(
    request: StaffRequest, appointment_id: uuid.UUID, body: RescheduleIn
):
    organization = token_organization(request)
    appointment = _appointment(request, appointment_id)
    who = (
        staff_get(organization=organization, public_id=str(body.practitioner))
        if body.practitioner
        else None
    )
    now = timezone.now()
    if out_of_reach(body.start, now):
        raise SlotUnavailable(
            "That time is not offered.",
            next_offers(
                location=appointment.location,
                service=appointment.service,
                after=now,
                now=now,
                practitioner=who,
            ),
        )
    appointment_reschedule(
        appointment=appointment, start=body.start, practitioner=who, by=request.actor, now=now
    )
    return appointment_out(_appointment(request, appointment_id))


@router.get(
    "/patients",
    auth=staff_auth("patients.list"),
    response={200: list[PatientListItem], **REFUSALS},
    operation_id="patient_list",
    url_name="patient_list",
    summary="Find patients",
    description=(
        "Active patients of the clinic, by name, record number, email, phone or date of "
        "birth (every word must match), sorted by name; `limit` and `offset` page through "
        "them. Each listed patient is recorded in the audit log."
    ),
)
def patient_list_view(
    request: StaffRequest,
    search: str = Query("", max_length=100, description="Words to look for."),
    limit: int = Query(50, ge=1, le=100),
    offset: int = Query(0, ge=0, le=100_000),
):
    try:
        search = plain_text(search).strip()
    except ValueError as exc:
        raise invalid("search", "The search must not contain control characters.") from exc
    patients = list(
        patient_list(organization=token_organization(request), search=search)[
            offset : offset + limit
        ]
    )
    _audit_reads(request, AuditAction.LIST, patients, lambda p: p)
    return [patient_list_item(p) for p in patients]


@router.get(
    "/patients/{patient_id}",
    auth=staff_auth("patients.view"),
    response={200: PatientOut, **REFUSALS},
    operation_id="patient_get",
    url_name="patient_get",
    summary="One patient's record",
    description="Another clinic's patient is 404 `not_found`. Recorded in the audit log.",
)
def patient_get_view(request: StaffRequest, patient_id: uuid.UUID):
    patient = patient_get(organization=token_organization(request), public_id=str(patient_id))
    _audit_reads(request, AuditAction.VIEW, [patient], lambda p: p)
    return patient_out(patient)


@router.post(
    "/screening/evaluate",
    auth=staff_auth("screening.evaluate"),
    response={200: ScreeningOut, **WRITE_REFUSALS},
    operation_id="screening_evaluate",
    url_name="screening_evaluate",
    summary="Screen intake answers against the clinic's contraindication rules",
    description=(
        "Evaluates `answers` (docs/clinical-rules.md §12 codes) for `service` on the planned "
        "date `on`, with the clinic's active rules (docs/clinical-rules.md §3–§4, as its "
        "medical director keeps them). `outcome` is the most severe finding: `allow`, "
        "`caution`, `review`, `block_until` or `block`; an unanswered question a rule needs "
        "is `review`, never `allow`. 422 `unknown_answer` for an answer code that does not "
        "exist, `invalid` for a value of the wrong type or an unknown area. Nothing is stored."
    ),
)
def screening_evaluate_view(request: StaffRequest, body: ScreeningIn):
    organization = token_organization(request)
    if not FIRST_DAY <= body.on <= LAST_DAY:
        raise invalid("on", "Give a planned treatment date between 1900 and 2199.")
    service = service_get(organization=organization, slug=body.service, bookable_online=False)
    try:
        screening = screening_evaluate(
            organization=organization,
            service=service,
            on=body.on,
            answers=body.answers,
            area_codes=body.areas,
            context=body.context.dict(exclude_none=True) if body.context else None,
        )
    except AnswerError as refused:
        raise invalid(f"answers.{refused.field}", refused.message, code=refused.code) from None
    except TreatmentArea.DoesNotExist as unknown:
        raise invalid("areas", str(unknown)) from None
    return ScreeningOut(
        outcome=str(screening.outcome),
        findings=[
            FindingOut(rule=f.rule, outcome=str(f.outcome), until=f.until, message=f.message)
            for f in screening.findings
        ],
    )
