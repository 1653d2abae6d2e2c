"""The public operations' shapes: locations, services, availability and a booking."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Schema
from pydantic import AwareDatetime, Field

from needlepoint.api.schemas.common import PractitionerOut, SlotOut, practitioner_out
from needlepoint.api.schemas.inputs import DateOfBirth, Email, Name, Phone, Slug
from needlepoint.scheduling.links import manage_url
from needlepoint.scheduling.models import Appointment


class LocationOut(Schema):
    slug: str
    name: str
    timezone: str = Field(description="IANA time zone, e.g. America/Denver.")
    address: str
    phone: str


class CodeName(Schema):
    code: str
    name: str


class ServiceOut(Schema):
    slug: str
    name: str
    kind: str = Field(description="treatment, consultation or add_on.")
    summary: str
    duration_minutes: int
    price: str = Field(description="Decimal amount, e.g. `325.00`.", examples=["325.00"])
    uses_prp: bool
    requires_prior_consultation: bool
    areas: list[CodeName]
    indications: list[CodeName]


class AvailabilityOut(Schema):
    location: str = Field(description="The location's slug.")
    service: str = Field(description="The service's slug.")
    timezone: str
    slots: list[SlotOut] = Field(description="Sorted by start.")


class BookingPatientIn(Schema):
    first_name: Name
    last_name: Name
    email: Email
    phone: Phone
    date_of_birth: DateOfBirth


class BookingIn(Schema):
    location: Slug
    service: Slug
    start: AwareDatetime = Field(
        description="A start from /availability, with its UTC offset.",
        examples=["2027-03-15T09:00:00-06:00"],
    )
    practitioner: uuid.UUID | None = Field(
        default=None, description="A practitioner's id; leave out for anyone free."
    )
    patient: BookingPatientIn


class BookingOut(Schema):
    id: uuid.UUID
    status: str
    start: datetime
    end: datetime
    practitioner: PractitionerOut | None
    location: str
    service: str
    manage_url: str = Field(description="A signed link where the patient can change or cancel.")


def booking_out(appointment: Appointment) -> BookingOut:
    zone = appointment.location.zone
    return BookingOut(
        id=appointment.public_id,
        status=appointment.status,
        start=appointment.starts_at.astimezone(zone),
        end=appointment.ends_at.astimezone(zone),
        practitioner=practitioner_out(appointment.practitioner),
        location=appointment.location.slug,
        service=appointment.service.slug,
        manage_url=manage_url(appointment),
    )
