"""Booking writes: book, reschedule, cancel, check in, mark no-show.

The write path never trusts an earlier read. Inside one transaction it recomputes the
slot, locks the resources it would take (PostgreSQL: transaction-level advisory locks on
the sorted resource keys, the pattern pretix documents; SQLite: the IMMEDIATE transaction
already holds the database's write lock), re-checks that no active hold overlaps, and only
then inserts. PostgreSQL's exclusion constraint on holds is the last line of defence. A lost
race, a lock timeout or a constraint violation becomes `SlotUnavailable`, which interfaces
answer with 409 and the next free slots — never a 500. See docs/booking-concurrency.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Service, ServiceKind
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_day
from needlepoint.core.models import AuditAction
from needlepoint.core.refusals import Refusal
from needlepoint.patients.models import Patient
from needlepoint.patients.selectors import patient_group_ids
from needlepoint.patients.services import UNPROVEN_REFUSAL
from needlepoint.resources.models import Location
from needlepoint.scheduling.availability import Hold as PlannedHold
from needlepoint.scheduling.availability import from_minute
from needlepoint.scheduling.hooks import (
    AppointmentEvent,
    booking_refusal,
    notifications_send,
    write_steps_run,
)
from needlepoint.scheduling.models import (
    HOLDING_STATUSES,
    Appointment,
    AppointmentSource,
    AppointmentStatus,
)
from needlepoint.scheduling.selectors import SlotOffer, availability_get
from needlepoint.scheduling.waitlist import waitlist_offer_task

ATTEMPTS = 3
LOCK_TIMEOUT = "5s"


class SlotUnavailable(Refusal):
    """The slot was taken meanwhile, or never existed. Carries the next free offers (the API
    adds them to its answer)."""

    def __init__(self, message: str, alternatives: Sequence[SlotOffer] = ()):
        super().__init__("slot_unavailable", message)
        self.alternatives = list(alternatives)


class BookingRuleError(Refusal):
    """A clinic rule refuses the booking (interval between sessions, consultation first,
    the health screening…): 422 with the rule's own code."""

    status = 422


class IdempotencyConflict(Refusal):
    """The idempotency key was used before for a different request."""

    def __init__(
        self, message: str = "This Idempotency-Key was already used with a different request body."
    ) -> None:
        super().__init__("idempotency_conflict", message)


class _LostRace(Exception):
    """Another booking took a resource between computing the slot and locking it."""


class _NotOffered(Exception):
    """The start is not free (or never was): no point in trying again."""


def _hold_lock_keys(holds: Sequence[PlannedHold]) -> list[str]:
    """One lock per resource and UTC day a hold touches: bookings of the same pen on
    different days never wait for each other, while any two holds that could overlap share
    at least one key. The exclusion constraint stays the backstop."""
    minutes_per_day = 24 * 60
    return [
        f"{hold.resource_key}@{day}"
        for hold in holds
        for day in range(hold.start // minutes_per_day, (hold.end - 1) // minutes_per_day + 1)
    ]


def _lock_resources(keys: Sequence[str]) -> None:
    """Transaction-level advisory locks on the keys, in one round trip and in the order of
    their lock ids, so two bookings never wait for each other in a cycle (migration 0004)."""
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE transaction holds the only write lock already.
    with connection.cursor() as cursor:
        cursor.execute("SELECT needlepoint_lock_resources(%s, %s)", [list(keys), LOCK_TIMEOUT])


def holds_claim(*, appointment: Appointment, holds: Sequence[PlannedHold]) -> None:
    """Lock, re-check and write an appointment's holds, inside the caller's transaction:
    the concurrency-safe core of every booking and move. Raises `_LostRace` when another
    booking holds any of the resources at any of the times.

    The holds are inserted only if none overlaps an active hold of another appointment,
    checked on a snapshot taken after the locks were granted. PostgreSQL does locks,
    check and insert in one call (`needlepoint_claim_holds`, migration 0004); SQLite,
    already serialized by its IMMEDIATE transaction, runs the same insert-if-free."""
    if not holds:
        return
    zone = appointment.location.zone
    keys = [hold.resource_key for hold in holds]
    starts = [from_minute(hold.start, zone) for hold in holds]
    ends = [from_minute(hold.end, zone) for hold in holds]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT needlepoint_claim_holds(%s, %s, %s, %s, %s, %s, %s)",
                [
                    appointment.pk,
                    appointment.location_id,
                    keys,
                    starts,
                    ends,
                    _hold_lock_keys(holds),
                    LOCK_TIMEOUT,
                ],
            )
            claimed = cursor.fetchone()[0]
        else:
            cursor.execute(
                _sqlite_claim(len(holds)), _sqlite_claim_params(appointment, holds, zone)
            )
            claimed = cursor.rowcount
    if claimed != len(holds):
        raise _LostRace


def _sqlite_claim(count: int) -> str:
    values = ", ".join(["(%s, %s, %s)"] * count)
    # The only interpolation is a row of placeholders per hold.
    return (
        "INSERT INTO scheduling_hold "  # noqa: S608
        "(appointment_id, location_id, resource_key, starts_at, ends_at, is_active) "
        "SELECT %s, %s, wanted.column1, wanted.column2, wanted.column3, 1 "
        f"FROM (VALUES {values}) AS wanted "
        f"WHERE NOT EXISTS (SELECT 1 FROM scheduling_hold AS held, (VALUES {values}) AS asked "
        "WHERE held.is_active AND held.resource_key = asked.column1 "
        "AND held.starts_at < asked.column3 AND held.ends_at > asked.column2 "
        "AND held.appointment_id <> %s)"
    )


def _sqlite_claim_params(appointment: Appointment, holds: Sequence[PlannedHold], zone) -> list:
    ops = connection.ops
    ranges: list[object] = []
    for hold in holds:
        ranges += [
            hold.resource_key,
            ops.adapt_datetimefield_value(from_minute(hold.start, zone)),
            ops.adapt_datetimefield_value(from_minute(hold.end, zone)),
        ]
    return [appointment.pk, appointment.location_id, *ranges, *ranges, appointment.pk]


def next_offers(
    *,
    location: Location,
    service: Service,
    after: datetime,
    now: datetime,
    practitioner: StaffProfile | None = None,
    count: int = 3,
    days: int = 14,
) -> list[SlotOffer]:
    """The first free starts after `after`, for a 409's "try one of these"."""
    first = local_day(after, location.zone)
    offers = availability_get(
        location=location,
        service=service,
        first_day=first,
        last_day=first + timedelta(days=days),
        now=now,
        practitioner=practitioner,
    )
    return [o for o in offers if o.start > after][:count]


def _day(moment: datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment.year}"


def _patient_locks(patient: Patient) -> list[str]:
    """One lock per record of the person, so that two bookings on two records of one
    person cannot both pass the interval rule at once."""
    return [f"patient:{pk}" for pk in sorted(patient_group_ids(patient=patient))]


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
        earlier = _replayed(location, idempotency_key, fingerprint)
        if earlier is not None:
            return earlier
    day = local_day(start, location.zone)
    for _ in range(ATTEMPTS):
        try:
            with transaction.atomic():
                # The patient's own lock keeps two bookings of one patient from both passing
                # the interval rule at once.
                _lock_resources(_patient_locks(patient))
                booking_rules_check(patient=patient, service=service, start=start, day=day, now=now)
                offer = _offer_at(
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
                    created_by=by.user_or_none if by is not None else None,
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
        except _LostRace:
            continue
        except _NotOffered:
            break
        except IntegrityError:
            if idempotency_key:
                earlier = _replayed(location, idempotency_key, fingerprint)
                if earlier is not None:
                    return earlier
            continue  # the exclusion constraint caught a race: recompute
        except OperationalError as exc:  # lock timeout, database busy
            raise _unavailable(location, service, start, now, practitioner) from exc
    raise _unavailable(location, service, start, now, practitioner)


def _replayed(location: Location, key: str, fingerprint: str) -> Appointment | None:
    earlier = Appointment.objects.filter(
        organization_id=location.organization_id, idempotency_key=key
    ).first()
    if earlier is not None and fingerprint and earlier.request_fingerprint != fingerprint:
        raise IdempotencyConflict("This idempotency key was already used for another booking.")
    return earlier


def _offer_at(
    location: Location,
    service: Service,
    start: datetime,
    day,
    now: datetime,
    practitioner: StaffProfile | None,
    ignore_lead_time: bool,
) -> SlotOffer:
    offers = availability_get(
        location=location,
        service=service,
        first_day=day,
        last_day=day,
        now=now,
        practitioner=practitioner,
        ignore_lead_time=ignore_lead_time,
        at=start,
    )
    for offer in offers:
        if offer.start == start:
            return offer
    raise _NotOffered


def _unavailable(
    location: Location,
    service: Service,
    start: datetime,
    now: datetime,
    practitioner: StaffProfile | None,
) -> SlotUnavailable:
    return SlotUnavailable(
        "That time was just taken.",
        next_offers(
            location=location, service=service, after=start, now=now, practitioner=practitioner
        ),
    )


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
                _lock_resources(_patient_locks(locked.patient))
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
                offer = _offer_at(
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
        except _LostRace:
            continue
        except _NotOffered:
            break
        except IntegrityError:
            continue
        except OperationalError as exc:
            raise _unavailable(location, appointment.service, start, now, practitioner) from exc
    raise _unavailable(location, appointment.service, start, now, practitioner)


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


__all__ = [
    "BookingRuleError",
    "IdempotencyConflict",
    "SlotUnavailable",
    "appointment_book",
    "appointment_cancel",
    "appointment_mark_no_show",
    "appointment_reschedule",
    "booking_rules_check",
    "next_offers",
]
