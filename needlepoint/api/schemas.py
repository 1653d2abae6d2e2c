"""Request and response shapes of the JSON API (docs/api-contract.md). Input types validate strictly
— slugs, bounded lengths, no control characters, times with a UTC offset — so that anything a client
sends is refused with a 422 before it reaches a query."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Schema
from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints

from needlepoint.accounts.models import StaffProfile
from needlepoint.core.dates import local_today
from needlepoint.core.selectors import public_organization
from needlepoint.patients.models import Patient
from needlepoint.scheduling.links import manage_url
from needlepoint.scheduling.models import Appointment
from needlepoint.scheduling.selectors import SlotOffer

# --- Input types ----------------------------------------------------------------------

SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, min_length=1, max_length=50)]


def plain_text(value: str) -> str:
    """No control characters (NUL breaks PostgreSQL) and no lone surrogates (not UTF-8)."""
    if any(unicodedata.category(ch) in {"Cc", "Cs"} for ch in value):
        raise ValueError("must not contain control characters")
    return value


def _email(value: str) -> str:
    try:
        validate_email(value)
    except DjangoValidationError as exc:
        raise ValueError("enter a valid email address") from exc
    return value.lower()


def _phone(value: str) -> str:
    if sum(ch.isdigit() for ch in value) < 10:
        raise ValueError("enter a phone number with its area code")
    return value


def _date_of_birth(value: date) -> date:
    # Only the public booking takes one: today in the clinic's zone, which it serves.
    organization = public_organization()
    today = local_today(organization.default_timezone if organization else settings.TIME_ZONE)
    if value >= today or value.year < today.year - 120:
        raise ValueError("check the date of birth")
    return value


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(plain_text),
]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=300), AfterValidator(plain_text)
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=254),
    AfterValidator(plain_text),
    AfterValidator(_email),
]
Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=10, max_length=30),
    AfterValidator(plain_text),
    AfterValidator(_phone),
]
DateOfBirth = Annotated[date, AfterValidator(_date_of_birth)]

# A start further than this from now is no offered time: answered as such before any date
# arithmetic could overflow (locations book at most 730 days ahead).
START_WINDOW = timedelta(days=800)


def out_of_reach(start: datetime, now: datetime) -> bool:
    return abs(start - now) > START_WINDOW


# --- Errors ---------------------------------------------------------------------------


class FieldError(Schema):
    field: str = Field(description="Where the problem is, e.g. `patient.email` or `start`.")
    message: str
    type: str = Field(description="A machine code for the problem, e.g. `missing`.")


class Error(Schema):
    code: str = Field(
        description="Machine code: invalid, range_too_long, not_found, unauthorized, "
        "forbidden, slot_unavailable, idempotency_conflict, rate_limited, a booking rule "
        "(series_interval, consultation_required, not_active) …",
        examples=["invalid"],
    )
    message: str = Field(description="A sentence a person can read.")
    errors: list[FieldError] | None = Field(
        default=None, description="Field errors, for `invalid`."
    )


# --- Shared output pieces -------------------------------------------------------------


class PractitionerOut(Schema):
    id: uuid.UUID = Field(description="The practitioner's public id.")
    name: str


class SlotOut(Schema):
    start: datetime = Field(description="With the location's UTC offset.")
    end: datetime
    practitioner: PractitionerOut | None = Field(
        description="Null for services that need no practitioner."
    )


class SlotUnavailableError(Error):
    alternatives: list[SlotOut] = Field(
        default_factory=list, description="The next free starts after the one asked for."
    )


# --- Public ---------------------------------------------------------------------------


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


# --- Staff ----------------------------------------------------------------------------


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


# --- From domain objects --------------------------------------------------------------


def practitioner_out(staff: StaffProfile | None) -> PractitionerOut | None:
    if staff is None:
        return None
    return PractitionerOut(id=staff.public_id, name=staff.display_name)


def slot_out(offer: SlotOffer) -> SlotOut:
    return SlotOut(
        start=offer.start, end=offer.end, practitioner=practitioner_out(offer.practitioner)
    )


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


# Days outside this range are refused rather than turned into times (no overflow, no nonsense).
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)


class ScreeningContext(Schema):
    """Facts of the clinic's plan that some skin-type rules read (docs/clinical-rules.md §4)."""

    device_model: str | None = Field(default=None, max_length=100, examples=["SkinPen Precision"])
    indication: list[Annotated[str, Field(max_length=60)]] | None = Field(
        default=None, max_length=10, description="Indication codes, e.g. wrinkles, acne_scars."
    )
    planned_depth_mm: float | None = Field(default=None, ge=0, le=5)
    area_max_depth_mm: float | None = Field(default=None, ge=0, le=5)
    first_full_session: bool | None = None


class ScreeningIn(Schema):
    service: str = Field(pattern=SLUG_PATTERN, max_length=60, examples=["prp-microneedling-face"])
    on: date = Field(description="The planned treatment date; waits are measured to it.")
    areas: list[Annotated[str, Field(max_length=40)]] | None = Field(
        default=None,
        max_length=20,
        description="Treatment area codes; leave out for the service's own areas.",
    )
    answers: dict[str, Any] = Field(
        description=(
            "Intake answers by docs/clinical-rules.md §12 code; null or absent means unknown."
        ),
        examples=[{"isotretinoin_current": False, "isotretinoin_last_dose": "2027-01-15"}],
    )
    context: ScreeningContext | None = Field(
        default=None,
        description="The plan, for FST2-FST4: device, indication, depths, first session. "
        "Rules that need a fact left out are skipped, not reviewed.",
    )


class FindingOut(Schema):
    rule: str = Field(examples=["MN10"])
    outcome: str = Field(examples=["review"])
    until: date | None = Field(description="First date the finding no longer applies, if known.")
    message: str


class ScreeningOut(Schema):
    outcome: str = Field(description="allow, caution, review, block_until or block.")
    findings: list[FindingOut]


class PatientIdentifiers(Schema):
    full_name: str = Field(min_length=1, max_length=200, examples=["Rosa Tafoya"])
    date_of_birth: date = Field(examples=["1987-06-02"])


class PrpSampleIn(Schema):
    appointment: uuid.UUID
    patient: PatientIdentifiers


class PrpSampleOut(Schema):
    id: uuid.UUID
    code: str = Field(description="The short code printed as the label's barcode.")
    label_url: str
    drawn_at: datetime
    expires_at: datetime
    warnings: list[str] = Field(default_factory=list)


class WitnessCredential(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=200)


class PrpEventIn(Schema):
    type: str = Field(pattern="^(spin|extract|apply|discard)$")
    scanned_patient: PatientIdentifiers | None = None
    witness_credential: WitnessCredential | None = Field(
        default=None,
        description=(
            "The two-person check (ID5): the second clinician's own username and password, "
            "typed by them. Instead of `scanned_patient` at `apply`."
        ),
    )
    g_force: int | None = Field(default=None, ge=0, le=100_000, description="100 to 2000 g.")
    minutes: int | None = Field(default=None, ge=0, le=1_000, description="3 to 20 minutes.")
    volume_ml: float | None = Field(default=None, ge=0, le=10_000)
    area: str | None = Field(default=None, max_length=40)


class PrpEventOut(Schema):
    sample: uuid.UUID
    type: str
    state: str
    at: datetime


class TreatmentRecordOut(Schema):
    id: uuid.UUID


class BlockerOut(Schema):
    code: str
    message: str


class ReadinessOut(Schema):
    ready: bool
    checked_in: bool
    blockers: list[BlockerOut]


class CheckInIn(Schema):
    nothing_changed: bool = Field(
        description="The patient says nothing has changed since their health answers."
    )


class CheckInOut(Schema):
    status: str


class IdentityCheckIn(Schema):
    full_name: str = Field(min_length=1, max_length=200)
    date_of_birth: date | None = None
    record_number: str = Field(default="", max_length=20)


class CartridgeIn(Schema):
    lot: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$")
    serial: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$")
    expires_on: date | None = Field(
        default=None, description="The lot's expiry, recorded when the lot is first seen."
    )


class CartridgeOut(Schema):
    id: uuid.UUID
    lot: str
    serial: str
    expires_on: date | None


# --- Photos ---------------------------------------------------------------------------

PhotoViewName = Literal[
    "frontal", "left_oblique", "right_oblique", "left_lateral", "right_lateral", "close_up"
]
PhotoStageName = Literal["before", "after", "follow_up"]


class PhotoOut(Schema):
    id: uuid.UUID
    url: str = Field(
        description="Where staff signed in to Needlepoint see the stored image: re-encoded, "
        "upright, without EXIF/GPS/XMP; no public URL exists."
    )
