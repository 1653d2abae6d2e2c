"""Reads for scheduling: load a location's resources into the availability engine.

One bounded range fetch of the active holds that can touch the window (plus opening
hours, working hours, time off), then the pure engine does the rest.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import CLINICAL
from needlepoint.catalog.models import Service
from needlepoint.core.models import Organization
from needlepoint.core.tenancy import get_scoped_or_404
from needlepoint.resources.models import Device, DeviceStatus, Location, Room
from needlepoint.scheduling.availability import (
    DEVICE,
    ROOM,
    STAFF,
    Phase,
    Query,
    Resource,
    Slot,
    find_slots,
    from_minute,
    local_ranges_to_utc,
    to_minute,
)
from needlepoint.scheduling.intervals import Interval, intersect
from needlepoint.scheduling.models import Appointment, Hold, TimeOff, WorkingHours


@dataclass(frozen=True)
class SlotOffer:
    """A bookable start as people see it: local times and the practitioner's name."""

    start: datetime
    end: datetime
    practitioner: StaffProfile | None
    room: Room | None
    slot: Slot


def service_phases(service: Service) -> tuple[Phase, ...]:
    return tuple(
        Phase(
            minutes=p.duration_minutes,
            practitioner=p.needs_practitioner,
            room=p.needs_room,
            device_kind=p.device_kind,
        )
        for p in service.phases.all()
    )


def eligible_practitioners(*, location: Location, service: Service) -> QuerySet[StaffProfile]:
    """Clinical staff who work at the location and hold every competency the service needs."""
    required = list(service.required_competencies.values_list("pk", flat=True))
    staff = StaffProfile.objects.filter(
        organization_id=location.organization_id,
        role__in=CLINICAL,
        user__is_active=True,
        locations=location,
    )
    if required:
        staff = staff.annotate(
            matching=Count("competencies", filter=Q(competencies__in=required), distinct=True)
        ).filter(matching=len(required))
    return staff.select_related("user").order_by("user__last_name", "user__first_name", "pk")


def _local_days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _weekly(rows: Iterable[tuple[int, time, time]]) -> dict[int, list[tuple[time, time]]]:
    weekly: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for weekday, opens, closes in rows:
        weekly[weekday].append((opens, closes))
    return weekly


def _busy_by_key(keys: list[str], start: datetime, end: datetime) -> dict[str, list[Interval]]:
    busy: dict[str, list[Interval]] = defaultdict(list)
    rows = (
        Hold.objects.filter(
            is_active=True, resource_key__in=keys, starts_at__lt=end, ends_at__gt=start
        )
        .order_by()  # the engine normalizes; sorting here is wasted work
        .values_list("resource_key", "starts_at", "ends_at")
    )
    for key, hold_start, hold_end in rows:
        busy[key].append((to_minute(hold_start), -(-int(hold_end.timestamp()) // 60)))
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
) -> list[SlotOffer]:
    """Bookable starts for a service at a location between two local dates, inclusive.

    Starts before `now` plus the location's lead time (unless staff book with
    `ignore_lead_time`) or after the booking horizon are left out.
    """
    zone = location.zone
    days = _local_days(first_day, last_day)
    if not days:
        return []
    window_start = datetime.combine(first_day, time.min, tzinfo=zone)
    window_end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone)

    closed = [
        day
        for closure in location.closures.filter(starts_on__lte=last_day, ends_on__gte=first_day)
        for day in _local_days(closure.starts_on, closure.ends_on)
    ]
    open_hours = local_ranges_to_utc(
        days,
        _weekly(location.opening_hours.values_list("weekday", "opens", "closes")),
        zone,
        closed=closed,
    )
    phases = service_phases(service)
    staff = list(eligible_practitioners(location=location, service=service))
    if practitioner is not None:
        staff = [s for s in staff if s.pk == practitioner.pk]
    rooms = list(Room.objects.filter(location=location, is_active=True).order_by("sort_order"))
    kinds = {p.device_kind for p in phases if p.device_kind}
    devices = list(
        Device.objects.filter(
            location=location, status=DeviceStatus.IN_SERVICE, kind__in=kinds
        ).order_by("name")
    )

    total = sum(p.minutes for p in phases)
    fetch_start, fetch_end = (
        window_start - timedelta(hours=2),
        window_end + timedelta(minutes=total + 120),
    )
    keys = [f"{STAFF}:{s.pk}" for s in staff] + [f"{ROOM}:{r.pk}" for r in rooms]
    keys += [f"{DEVICE}:{d.pk}" for d in devices]
    busy = _busy_by_key(keys, fetch_start, fetch_end)
    for off in TimeOff.objects.filter(
        staff__in=staff, starts_at__lt=fetch_end, ends_at__gt=fetch_start
    ).values_list("staff_id", "starts_at", "ends_at"):
        busy[f"{STAFF}:{off[0]}"].append((to_minute(off[1]), to_minute(off[2])))

    hours_by_staff: dict[int, list[tuple[int, time, time]]] = defaultdict(list)
    for staff_id, weekday, starts, ends in WorkingHours.objects.filter(
        location=location, staff__in=staff
    ).values_list("staff_id", "weekday", "starts", "ends"):
        hours_by_staff[staff_id].append((weekday, starts, ends))

    open_tuple = tuple(open_hours)
    staff_resources = [
        Resource(
            str(s.pk),
            available=tuple(
                intersect(
                    local_ranges_to_utc(days, _weekly(hours_by_staff[s.pk]), zone), open_hours
                )
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
    query = Query(
        phases=phases,
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
