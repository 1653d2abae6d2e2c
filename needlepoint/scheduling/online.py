"""Booking by someone the clinic cannot see: the public wizard and the public API.

Typed details prove nothing (docs/security-targets.md A8). A booking is taken on a new record of its
own, never on the record whose email and date of birth were typed; records that look like the same
person are flagged for the desk, and the owner of the email on file is sent a one-time link to join
the booking to their record. Only a patient signed in to the site, booking for herself, books on her
own record. Creating the record and booking happen in one transaction, so a refused booking leaves
no record behind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Service
from needlepoint.core.actor import Actor
from needlepoint.patients.models import (
    DuplicateCandidate,
    DuplicateReason,
    Patient,
    ReminderChannel,
)
from needlepoint.patients.services import patient_register, phone_key
from needlepoint.resources.models import Location
from needlepoint.scheduling.hooks import AppointmentEvent, notifications_send
from needlepoint.scheduling.models import Appointment, AppointmentSource
from needlepoint.scheduling.services import appointment_book, booking_replayed


@dataclass(frozen=True)
class Booker:
    """What the person booking typed about themselves."""

    first_name: str
    last_name: str
    email: str
    date_of_birth: date
    phone: str = ""
    reminders_by_text: bool = False


def booking_record(
    *, location: Location, booker: Booker, by: Actor | None = None
) -> tuple[Patient, list[DuplicateCandidate]]:
    """The record a public booking goes on: the signed-in patient's own when she books for
    herself, else a new record (with the duplicates it resembles). Call inside the
    booking's transaction."""
    own = _signed_in_patient(location, booker, by)
    if own is not None:
        return own, []
    patient = patient_register(
        organization=location.organization,
        first_name=booker.first_name,
        last_name=booker.last_name,
        date_of_birth=booker.date_of_birth,
        email=booker.email.strip().lower(),
        phone=booker.phone,
        by=by,
    )
    flagged = list(DuplicateCandidate.objects.filter(patient=patient).select_related("other"))
    # Texts to a number that is already another record's wait until the desk (or the
    # owner) joins them: a stranger must not turn texts back on after a STOP.
    shared_phone = any(phone_key(c.other.phone) == phone_key(booker.phone) for c in flagged)
    if booker.reminders_by_text and booker.phone and not shared_phone:
        patient.reminder_channel = ReminderChannel.BOTH
        patient.save(update_fields=["reminder_channel", "updated_at"])
    return patient, flagged


def _signed_in_patient(location: Location, booker: Booker, by: Actor | None) -> Patient | None:
    """The signed-in patient's record when the details typed are her own."""
    user = by.user if by is not None else None
    if user is None:
        return None
    own = Patient.objects.filter(
        user=user, organization=location.organization, is_archived=False
    ).first()
    if own is None:
        return None
    same = own.date_of_birth == booker.date_of_birth and (
        own.email.lower() == booker.email.strip().lower()
    )
    return own if same else None


def appointment_book_online(
    *,
    location: Location,
    service: Service,
    start: datetime,
    booker: Booker,
    source: AppointmentSource | str = AppointmentSource.ONLINE,
    practitioner: StaffProfile | None = None,
    idempotency_key: str = "",
    fingerprint: str = "",
    by: Actor | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Book for someone who typed their details (see the module docstring). A retry with
    the same idempotency key returns the first booking without registering anyone."""
    now = now or timezone.now()
    if idempotency_key:
        earlier = booking_replayed(location, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier
    with transaction.atomic():
        patient, flagged = booking_record(location=location, booker=booker, by=by)
        appointment = appointment_book(
            location=location,
            service=service,
            start=start,
            patient=patient,
            source=source,
            practitioner=practitioner,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint,
            by=by,
            now=now,
        )
        for candidate in flagged:
            if candidate.reason == DuplicateReason.EMAIL_DOB:
                notifications_send(AppointmentEvent.LOOK_ALIKE_FLAGGED, candidate=candidate)
    return appointment
