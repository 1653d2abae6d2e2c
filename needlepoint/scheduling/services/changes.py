"""Changes to a booking: move it, cancel it, mark it a no-show. Each frees the holds it no
longer needs and leaves one audit row."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_day
from needlepoint.core.models import AuditAction
from needlepoint.scheduling.hooks import AppointmentEvent, notifications_send, write_steps_run
from needlepoint.scheduling.models import Appointment, AppointmentStatus
from needlepoint.scheduling.services.errors import BookingRuleError, LostRace, NotOffered
from needlepoint.scheduling.services.locks import (
    ATTEMPTS,
    holds_claim,
    patient_lock_keys,
    resources_lock,
)
from needlepoint.scheduling.services.offers import slot_offer_at, slot_unavailable
from needlepoint.scheduling.services.rules import booking_rules_check
from needlepoint.scheduling.waitlist import waitlist_offer_task


def _audit_change(appointment: Appointment, by: Actor | None, detail: dict) -> None:
    """One audit row for a change to a booking: ids and the new state, never PHI."""
    audit_record(
        action=AuditAction.UPDATE,
        by=by,
        organization=appointment.location.organization,
        obj=appointment,
        patient=appointment.patient,
        detail=detail,
    )


def appointment_reschedule(
    *,
    appointment: Appointment,
    start: datetime,
    practitioner: StaffProfile | None = None,
    by: Actor | None = None,
    now: datetime | None = None,
    ignore_lead_time: bool = True,
) -> Appointment:
    """Move a booking; its old holds are released only if the new time can be held."""
    now = now or timezone.now()
    location = appointment.location
    day = local_day(start, location.zone)
    for _ in range(ATTEMPTS):
        try:
            with transaction.atomic():
                locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
                if not locked.is_holding:
                    raise BookingRuleError("not_active", "Only a booked appointment can be moved.")
                resources_lock(patient_lock_keys(locked.patient))
                booking_rules_check(
                    patient=locked.patient,
                    service=locked.service,
                    start=start,
                    day=day,
                    now=now,
                    moving=locked,
                )
                # Free our own holds first so the new time may overlap the old one.
                locked.holds.filter(is_active=True).update(is_active=False)
                offer = slot_offer_at(
                    location, locked.service, start, day, now, practitioner, ignore_lead_time
                )
                holds_claim(appointment=locked, holds=offer.slot.holds)
                old_start = locked.starts_at
                locked.starts_at, locked.ends_at = offer.start, offer.end
                locked.practitioner, locked.room = offer.practitioner, offer.room
                locked.save(update_fields=["starts_at", "ends_at", "practitioner", "room"])
                _audit_change(locked, by, {"rescheduled_from": old_start.isoformat()})
                write_steps_run(AppointmentEvent.MOVED, appointment=locked, now=now)
                notifications_send(AppointmentEvent.MOVED, appointment=locked)
                return locked
        except LostRace:
            continue
        except NotOffered:
            break
        except IntegrityError:
            continue
        except OperationalError as exc:
            raise slot_unavailable(location, appointment.service, start, now, practitioner) from exc
    raise slot_unavailable(location, appointment.service, start, now, practitioner)


def appointment_cancel(
    *,
    appointment: Appointment,
    reason: str,
    by_patient: bool = False,
    by: Actor | None = None,
    now: datetime | None = None,
) -> Appointment:
    """Cancel and free every resource the appointment held. A patient cancelling inside the
    location's cancellation window is recorded as a late cancel. Cancelling twice is a no-op."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update()
            .select_related("location")
            .get(pk=appointment.pk)
        )
        if locked.status not in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN):
            return locked
        window = timedelta(hours=locked.location.cancellation_window_hours)
        late = by_patient and locked.starts_at - now < window
        locked.status = AppointmentStatus.LATE_CANCELLED if late else AppointmentStatus.CANCELLED
        locked.cancelled_at = now
        locked.cancel_reason = reason.strip()[:300]
        locked.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        locked.holds.filter(is_active=True).update(is_active=False)
        _audit_change(locked, by, {"status": locked.status, "by_patient": by_patient})
        notifications_send(AppointmentEvent.CANCELLED, appointment=locked)

        def offer_freed_time(cancelled: Appointment = locked) -> None:
            day = local_day(cancelled.starts_at, cancelled.location.zone)
            waitlist_offer_task.enqueue(location_id=cancelled.location_id, day=day.isoformat())

        if locked.starts_at > now:
            transaction.on_commit(offer_freed_time, robust=True)
    return locked


def appointment_mark_no_show(
    *, appointment: Appointment, by: Actor | None = None, now: datetime | None = None
) -> Appointment:
    """Record a no-show once the start has passed; the rest of its time is freed."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.status != AppointmentStatus.BOOKED:
            raise BookingRuleError("not_booked", "Only a booked appointment can be a no-show.")
        if locked.starts_at > now:
            raise BookingRuleError("not_started", "A no-show can be recorded after the start.")
        locked.status = AppointmentStatus.NO_SHOW
        locked.save(update_fields=["status"])
        locked.holds.filter(is_active=True).update(is_active=False)
        _audit_change(locked, by, {"status": locked.status})
    return locked
