"""Reads for scheduling: load a location's resources into the availability engine.

The location's set-up (opening and working hours, closures, rooms, devices, who may give
the service) comes from `setup.location_setup`; per call, one bounded range fetch of the
active holds that can touch the window and one of time off; then the pure engine does the
rest.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Func, IntegerField, QuerySet
from django.http import Http404

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Service
from needlepoint.core.models import Organization
from needlepoint.core.tenancy import get_scoped_or_404
from needlepoint.resources.models import Location, Room
from needlepoint.scheduling.availability import (
    DEVICE,
    ROOM,
    STAFF,
    Query,
    Resource,
    Slot,
    find_slots,
    from_minute,
    local_ranges_to_utc,
    to_minute,
)
from needlepoint.scheduling.intervals import Interval, intersect
from needlepoint.scheduling.models import Appointment, Hold, TimeOff
from needlepoint.scheduling.setup import eligible_practitioners, location_setup


@dataclass(frozen=True)
class SlotOffer:
    """A bookable start as people see it: local times and the practitioner's name."""

    start: datetime
    end: datetime
    practitioner: StaffProfile | None
    room: Room | None
    slot: Slot


def _local_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


class _EpochMinute(Func):
    """Whole minutes since the Unix epoch of a datetime column, computed by the database:
    rounded down, or up with `ceiling=True` (as `to_minute` and the engine's hold ends do).
    It spares building an aware datetime per column per row only to convert it back."""

    output_field = IntegerField()

    def __init__(self, expression: str, *, ceiling: bool = False) -> None:
        super().__init__(expression)
        self.ceiling = ceiling

    def _minutes(self, seconds: str) -> str:
        return f"(({seconds} + 59) / 60)" if self.ceiling else f"({seconds} / 60)"

    def as_sqlite(self, compiler, connection, **extra):
        # %%%% survives Func's template formatting and the cursor's %-placeholder pass.
        seconds = "CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)"
        return self.as_sql(compiler, connection, template=self._minutes(seconds), **extra)

    def as_postgresql(self, compiler, connection, **extra):
        seconds = "CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS bigint)"
        return self.as_sql(compiler, connection, template=self._minutes(seconds), **extra)


def _busy_by_key(keys: list[str], start: datetime, end: datetime) -> dict[str, list[Interval]]:
    busy: dict[str, list[Interval]] = defaultdict(list)
    rows = (
        Hold.objects.filter(
            is_active=True, resource_key__in=keys, starts_at__lt=end, ends_at__gt=start
        )
        .order_by()  # the engine normalizes; sorting here is wasted work
        .annotate(begins=_EpochMinute("starts_at"), ends=_EpochMinute("ends_at", ceiling=True))
        .values_list("resource_key", "begins", "ends")
    )
    for key, begins, ends in rows:
        busy[key].append((begins, ends))
    return busy


def availability_get(
    *,
    location: Location,
    service: Service,
    first_day: date,
    last_day: date,
    now: datetime,
    practitioner: StaffProfile | None = None,
    one_per_start: bool = True,
    ignore_lead_time: bool = False,
    at: datetime | None = None,
) -> list[SlotOffer]:
    """Bookable starts for a service at a location between two local dates, inclusive.

    Starts before `now` plus the location's lead time (unless staff book with
    `ignore_lead_time`) or after the booking horizon are left out. `at` asks about that
    one start only, with its holds planned and the set-up read fresh: what a booking needs.
    """
    zone = location.zone
    days = _local_days(first_day, last_day)
    if not days:
        return []
    window_start = datetime.combine(first_day, time.min, tzinfo=zone)
    window_end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone)
    setup = location_setup(location=location, service=service, fresh=at is not None)
    open_hours = local_ranges_to_utc(
        days, setup.opening, zone, closed=setup.closed_days(first_day, last_day)
    )
    staff = list(setup.staff)
    if practitioner is not None:
        staff = [s for s in staff if s.pk == practitioner.pk]
    rooms, devices = setup.rooms, setup.devices

    total = sum(p.minutes for p in setup.phases)
    fetch_start, fetch_end = (
        window_start - timedelta(hours=2),
        window_end + timedelta(minutes=total + 120),
    )
    keys = [f"{STAFF}:{s.pk}" for s in staff] + [f"{ROOM}:{r.pk}" for r in rooms]
    keys += [f"{DEVICE}:{d.pk}" for d in devices]
    busy = _busy_by_key(keys, fetch_start, fetch_end)
    if staff:
        for staff_id, begins, ends in (
            TimeOff.objects.filter(
                staff__in=[s.pk for s in staff], starts_at__lt=fetch_end, ends_at__gt=fetch_start
            )
            .order_by()
            .annotate(begins=_EpochMinute("starts_at"), ends=_EpochMinute("ends_at"))
            .values_list("staff_id", "begins", "ends")
        ):
            busy[f"{STAFF}:{staff_id}"].append((begins, ends))

    open_tuple = tuple(open_hours)
    staff_resources = [
        Resource(
            str(s.pk),
            available=tuple(
                intersect(local_ranges_to_utc(days, setup.working.get(s.pk, {}), zone), open_hours)
            ),
            busy=tuple(busy[f"{STAFF}:{s.pk}"]),
        )
        for s in staff
    ]
    room_resources = [Resource(str(r.pk), open_tuple, tuple(busy[f"{ROOM}:{r.pk}"])) for r in rooms]
    device_resources = [
        Resource(str(d.pk), open_tuple, tuple(busy[f"{DEVICE}:{d.pk}"]), kind=d.kind)
        for d in devices
    ]

    earliest = window_start
    if not ignore_lead_time:
        earliest = max(earliest, now + timedelta(minutes=location.booking_lead_minutes))
    latest = min(
        window_end - timedelta(minutes=1), now + timedelta(days=location.booking_horizon_days)
    )
    if at is not None:
        earliest, latest = max(earliest, at), min(latest, at)
    query = Query(
        phases=setup.phases,
        earliest=-(-int(earliest.timestamp()) // 60),
        latest=to_minute(latest),
        step=location.slot_step_minutes,
    )
    slots = find_slots(
        query,
        practitioners=staff_resources,
        rooms=room_resources,
        devices=device_resources,
        one_per_start=one_per_start,
        plan_holds=at is not None,
    )
    staff_by_id = {str(s.pk): s for s in staff}
    rooms_by_id = {str(r.pk): r for r in rooms}
    return [
        SlotOffer(
            start=from_minute(slot.start, zone),
            end=from_minute(slot.end, zone),
            practitioner=staff_by_id.get(slot.practitioner_id or ""),
            room=rooms_by_id.get(slot.room_id or ""),
            slot=slot,
        )
        for slot in slots
    ]


def practitioner_find_eligible(
    *, location: Location, service: Service, public_id: str
) -> StaffProfile | None:
    """A practitioner (by public id) who may give `service` at `location`, or None."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        return None
    return eligible_practitioners(location=location, service=service).filter(public_id=key).first()


def practitioner_get_eligible(
    *, location: Location, service: Service, public_id: str
) -> StaffProfile:
    """A practitioner (by public id) who may give `service` at `location`, else a 404."""
    practitioner = practitioner_find_eligible(
        location=location, service=service, public_id=public_id
    )
    if practitioner is None:
        raise Http404("No such practitioner for this service and location.")
    return practitioner


def appointment_get(*, organization: Organization, public_id: str) -> Appointment:
    """One appointment of the organization; another organization's is a 404."""
    return get_scoped_or_404(
        Appointment.objects.select_related(
            "location__organization", "service", "patient", "practitioner__user", "room"
        ),
        organization=organization,
        public_id=public_id,
    )


def appointment_list_for_day(
    *, organization: Organization, location: Location, day: date
) -> QuerySet[Appointment]:
    """A location's appointments that touch one local day, cancelled ones included."""
    if location.organization_id != organization.pk:
        return Appointment.objects.none()
    zone = location.zone
    start = datetime.combine(day, time.min, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone)
    return (
        Appointment.objects.filter(
            organization=organization, location=location, starts_at__lt=end, ends_at__gt=start
        )
        .select_related("location", "service", "patient", "practitioner__user", "room")
        .order_by("starts_at", "pk")
    )
