"""A location's scheduling set-up for one service, kept between availability reads.

Eight of the ten queries an availability read used to make load configuration that staff
change a few times a month (opening hours, closures, the service's phases, who may give
it, working hours, rooms, devices), so each process keeps a snapshot per location and
service. Snapshots are stamped with a shared version that every configuration write
replaces once its transaction commits (`setup_changed`, wired in `signals.py`); a read
compares the stamp with the shared cache's current one, which costs one cache lookup
instead of eight queries and makes an edit visible to every process at once. Snapshots
also expire after `MAX_AGE` seconds, a safety net for writes that skip model signals
(`QuerySet.update`, raw SQL).

The booking write path asks for `fresh=True`: a booking never trusts a cached set-up.
The snapshot's model instances are shared between requests and must be treated as
read-only.
"""

from __future__ import annotations

import threading
import time as clock
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, time

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import CLINICAL
from needlepoint.accounts.scope import (
    PROCEDURE_COMPETENCY,
    licence_types_permitting,
    service_procedures,
)
from needlepoint.accounts.selectors import scope_table
from needlepoint.catalog.models import Competency, Service
from needlepoint.core.dates import local_today
from needlepoint.resources.models import Device, DeviceStatus, Location, Room
from needlepoint.scheduling.availability import Phase
from needlepoint.scheduling.models import WorkingHours

VERSION_KEY = "scheduling:setup-version"
MAX_AGE = 300.0
MAX_ENTRIES = 512

Weekly = dict[int, list[tuple[time, time]]]


@dataclass(frozen=True)
class Setup:
    """What availability needs besides the holds and time off of the days asked for."""

    closures: tuple[tuple[date, date], ...]
    opening: Weekly
    phases: tuple[Phase, ...]
    staff: tuple[StaffProfile, ...]
    """Practitioners who may give the service here, in the order slots prefer them."""
    working: dict[int, Weekly]
    """Weekly working hours at this location, by staff pk."""
    rooms: tuple[Room, ...]
    devices: tuple[Device, ...]
    """Units in service of the device kinds the service's phases use."""

    def closed_days(self, first: date, last: date) -> list[date]:
        return [
            date.fromordinal(n)
            for starts, ends in self.closures
            if starts <= last and ends >= first
            for n in range(max(starts, first).toordinal(), min(ends, last).toordinal() + 1)
        ]


_lock = threading.Lock()
_snapshots: dict[tuple[int, int], tuple[str, float, Setup]] = {}


def location_setup(*, location: Location, service: Service, fresh: bool = False) -> Setup:
    """The set-up of `service` at `location`: from this process's snapshot when it is
    current, else loaded (and kept) anew. `fresh=True` always loads and keeps nothing."""
    if fresh:
        return _load(location, service)
    version = cache.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    key = (location.pk, service.pk)
    now = clock.monotonic()
    with _lock:
        kept = _snapshots.get(key)
    if kept is not None and kept[0] == version and now - kept[1] < MAX_AGE:
        return kept[2]
    setup = _load(location, service)
    with _lock:
        if len(_snapshots) >= MAX_ENTRIES:
            _snapshots.clear()
        _snapshots[key] = (version, now, setup)
    return setup


def setup_changed() -> None:
    """Retire this process's snapshots now and every process's once the current
    transaction commits (before that, other connections cannot see the change)."""
    forget()
    transaction.on_commit(_bump)


def forget(*, location: Location | None = None, service: Service | None = None) -> None:
    """Drop this process's snapshots: all of them, or the one of a location and service."""
    with _lock:
        if location is None or service is None:
            _snapshots.clear()
        else:
            _snapshots.pop((location.pk, service.pk), None)


def _bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)
    forget()


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


def eligible_practitioners(
    *, location: Location, service: Service, on: date | None = None
) -> QuerySet[StaffProfile]:
    """Clinical staff who work at the location, hold every competency the service needs, and whose
    licence the scope-of-practice table lets give it (docs/clinical-rules.md §8), current on `on`
    (today at the location by default). The same rule as the chart's gate
    (`accounts.selectors.staff_scope_refusal`), written as one query."""
    on = on or local_today(location.zone)
    procedures = service_procedures(kind=service.kind, uses_prp=service.uses_prp)
    staff = StaffProfile.objects.filter(
        organization_id=location.organization_id,
        role__in=CLINICAL,
        user__is_active=True,
        locations=location,
    )
    required = set(service.required_competencies.values_list("pk", flat=True))
    if procedures:
        permitted = scope_table(organization_id=location.organization_id)
        staff = staff.filter(
            Q(licence_expires_on__isnull=True) | Q(licence_expires_on__gte=on),
            licence_type__in=licence_types_permitting(procedures, permitted=permitted),
        )
        codes = {PROCEDURE_COMPETENCY[p] for p in procedures if p in PROCEDURE_COMPETENCY}
        found = dict(
            Competency.objects.filter(
                organization_id=location.organization_id, code__in=codes
            ).values_list("code", "pk")
        )
        if set(found) != codes:  # nobody can hold a competency the clinic does not have
            return staff.none()
        required |= set(found.values())
    if required:
        staff = staff.annotate(
            matching=Count("competencies", filter=Q(competencies__in=required), distinct=True)
        ).filter(matching=len(required))
    return staff.select_related("user").order_by("user__last_name", "user__first_name", "pk")


def _load(location: Location, service: Service) -> Setup:
    phases = service_phases(service)
    staff = list(eligible_practitioners(location=location, service=service))
    working: dict[int, Weekly] = defaultdict(lambda: defaultdict(list))
    for staff_id, weekday, starts, ends in WorkingHours.objects.filter(
        location=location, staff__in=staff
    ).values_list("staff_id", "weekday", "starts", "ends"):
        working[staff_id][weekday].append((starts, ends))
    opening: Weekly = defaultdict(list)
    for weekday, opens, closes in location.opening_hours.values_list("weekday", "opens", "closes"):
        opening[weekday].append((opens, closes))
    kinds = {p.device_kind for p in phases if p.device_kind}
    devices = (
        Device.objects.filter(
            location=location, status=DeviceStatus.IN_SERVICE, kind__in=kinds
        ).order_by("name")
        if kinds
        else Device.objects.none()
    )
    return Setup(
        closures=tuple(location.closures.values_list("starts_on", "ends_on")),
        opening={day: list(ranges) for day, ranges in opening.items()},
        phases=phases,
        staff=tuple(staff),
        working={pk: {day: list(r) for day, r in week.items()} for pk, week in working.items()},
        rooms=tuple(Room.objects.filter(location=location, is_active=True).order_by("sort_order")),
        devices=tuple(devices),
    )
