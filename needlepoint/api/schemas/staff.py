"""The staff operations' shapes: appointments, cancelling and moving them, and patients."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from ninja import Schema
from pydantic import AwareDatetime, Field

from needlepoint.api.schemas.common import PractitionerOut, practitioner_out
from needlepoint.api.schemas.inputs import Reason
from needlepoint.patients.models import Patient
from needlepoint.scheduling.models import Appointment


class PatientRef(Schema):
    id: uuid.UUID
    name: str
    record_number: str


class ServiceRef(Schema):
    slug: str
    name: str


class RoomRef(Schema):
    id: uuid.UUID
    name: str


class AppointmentOut(Schema):
    id: uuid.UUID
    status: str = Field(
        description="booked, checked_in, completed, cancelled, late_cancelled or no_show."
    )
    start: datetime
    end: datetime
    location: str = Field(description="The location's slug.")
    service: ServiceRef
    patient: PatientRef
    practitioner: PractitionerOut | None
    room: RoomRef | None
    source: str
    cancelled_at: datetime | None
    cancel_reason: str


class CancelIn(Schema):
    reason: Reason = Field(description="Why; may be empty.")


class RescheduleIn(Schema):
    start: AwareDatetime = Field(examples=["2027-03-15T09:00:00-06:00"])
    practitioner: uuid.UUID | None = Field(
        default=None, description="A practitioner's id; leave out for anyone free."
    )


class PatientListItem(Schema):
    id: uuid.UUID
    record_number: str
    first_name: str
    last_name: str
    preferred_name: str
    date_of_birth: date
    email: str
    phone: str


class PatientOut(PatientListItem):
    pronouns: str
    address_line1: str
    city: str
    state: str
    postal_code: str
    emergency_contact_name: str
    emergency_contact_phone: str
    fitzpatrick_type: int | None
    preferred_location: str | None = Field(description="The location's slug.")
    reminder_channel: str
    aftercare_messages: bool
    marketing_email: bool
    marketing_sms: bool
    has_portal_account: bool
    is_archived: bool


def appointment_out(appointment: Appointment) -> AppointmentOut:
    zone = appointment.location.zone
    patient = appointment.patient
    room = appointment.room
    return AppointmentOut(
        id=appointment.public_id,
        status=appointment.status,
        start=appointment.starts_at.astimezone(zone),
        end=appointment.ends_at.astimezone(zone),
        location=appointment.location.slug,
        service=ServiceRef(slug=appointment.service.slug, name=appointment.service.name),
        patient=PatientRef(
            id=patient.public_id, name=patient.full_name, record_number=patient.record_number
        ),
        practitioner=practitioner_out(appointment.practitioner),
        room=RoomRef(id=room.public_id, name=room.name) if room is not None else None,
        source=appointment.source,
        cancelled_at=appointment.cancelled_at.astimezone(zone)
        if appointment.cancelled_at
        else None,
        cancel_reason=appointment.cancel_reason,
    )


def patient_list_item(patient: Patient) -> PatientListItem:
    return PatientListItem(
        id=patient.public_id,
        record_number=patient.record_number,
        first_name=patient.first_name,
        last_name=patient.last_name,
        preferred_name=patient.preferred_name,
        date_of_birth=patient.date_of_birth,
        email=patient.email,
        phone=patient.phone,
    )


def patient_out(patient: Patient) -> PatientOut:
    location = patient.preferred_location
    return PatientOut(
        **patient_list_item(patient).model_dump(),
        pronouns=patient.pronouns,
        address_line1=patient.address_line1,
        city=patient.city,
        state=patient.state,
        postal_code=patient.postal_code,
        emergency_contact_name=patient.emergency_contact_name,
        emergency_contact_phone=patient.emergency_contact_phone,
        fitzpatrick_type=patient.fitzpatrick_type,
        preferred_location=location.slug if location is not None else None,
        reminder_channel=patient.reminder_channel,
        aftercare_messages=patient.aftercare_messages,
        marketing_email=patient.marketing_email,
        marketing_sms=patient.marketing_sms,
        has_portal_account=patient.user_id is not None,
        is_archived=patient.is_archived,
    )
