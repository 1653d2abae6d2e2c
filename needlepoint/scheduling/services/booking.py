"""Booking: take a slot for a patient, holding a practitioner, a room and devices together,
and replay a retried request by its idempotency key.

The write path never trusts an earlier read. Inside one transaction it recomputes the slot,
locks what it would take, re-checks that no active hold overlaps, and only then inserts. A
lost race, a lock timeout or a constraint violation becomes `SlotUnavailable`, never a 500.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Service
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_day
from needlepoint.core.models import AuditAction
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Location
from needlepoint.scheduling.hooks import AppointmentEvent, notifications_send, write_steps_run
from needlepoint.scheduling.models import Appointment, AppointmentSource
from needlepoint.scheduling.services.errors import IdempotencyConflict, LostRace, NotOffered
from needlepoint.scheduling.services.locks import (
    ATTEMPTS,
    holds_claim,
    patient_lock_keys,
    resources_lock,
)
from needlepoint.scheduling.services.offers import slot_offer_at, slot_unavailable
from needlepoint.scheduling.services.rules import booking_rules_check


def appointment_book(
    *,
    location: Location,
    service: Service,
    start: datetime,
    patient: Patient,
    source: AppointmentSource | str,
    practitioner: StaffProfile | None = None,
    idempotency_key: str = "",
    fingerprint: str = "",
    ignore_lead_time: bool = False,
    by: Actor | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> Appointment:
    """Book `service` at `start`, holding a practitioner, a room and devices together.
    `notify=False` books without patient messages (demo data, imports)."""
    now = now or timezone.now()
    if idempotency_key:
        earlier = booking_replayed(location, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier
    day = local_day(start, location.zone)
    for _ in range(ATTEMPTS):
        try:
            with transaction.atomic():
                # The patient's own lock keeps two bookings of one patient from both passing
                # the interval rule at once.
                resources_lock(patient_lock_keys(patient))
                booking_rules_check(patient=patient, service=service, start=start, day=day, now=now)
                offer = slot_offer_at(
                    location, service, start, day, now, practitioner, ignore_lead_time
                )
                appointment = Appointment.objects.create(
                    organization_id=location.organization_id,
                    location=location,
                    service=service,
                    patient=patient,
                    practitioner=offer.practitioner,
                    room=offer.room,
                    starts_at=offer.start,
                    ends_at=offer.end,
                    source=source,
                    idempotency_key=idempotency_key,
                    request_fingerprint=fingerprint,
                    created_by=by.user if by is not None else None,
                )
                holds_claim(appointment=appointment, holds=offer.slot.holds)
                write_steps_run(AppointmentEvent.BOOKED, appointment=appointment, now=now)
                audit_record(
                    action=AuditAction.CREATE,
                    by=by,
                    organization=location.organization,
                    obj=appointment,
                    patient=patient,
                    detail={"source": str(source)},
                )
                if notify:
                    notifications_send(AppointmentEvent.BOOKED, appointment=appointment)
                return appointment
        except LostRace:
            continue
        except NotOffered:
            break
        except IntegrityError:
            if idempotency_key:
                earlier = booking_replayed(location, idempotency_key, fingerprint)
                if earlier is not None:
                    return earlier
            continue  # the exclusion constraint caught a race: recompute
        except OperationalError as exc:  # lock timeout, database busy
            raise slot_unavailable(location, service, start, now, practitioner) from exc
    raise slot_unavailable(location, service, start, now, practitioner)


def booking_replayed(location: Location, key: str, fingerprint: str) -> Appointment | None:
    """The booking an earlier request with this idempotency key made, if any; a different
    request under the same key is an `IdempotencyConflict`."""
    earlier = Appointment.objects.filter(
        organization_id=location.organization_id, idempotency_key=key
    ).first()
    if earlier is not None and fingerprint and earlier.request_fingerprint != fingerprint:
        raise IdempotencyConflict("This idempotency key was already used for another booking.")
    return earlier
