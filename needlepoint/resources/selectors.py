"""Reads of locations, always within one organization."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from needlepoint.core.models import Organization
from needlepoint.resources.models import Device, DeviceKind, DeviceStatus, Location


def location_list(*, organization: Organization, active_only: bool = True) -> QuerySet[Location]:
    locations = Location.objects.filter(organization=organization)
    if active_only:
        locations = locations.filter(is_active=True)
    return locations.order_by("name", "pk")


def location_get(*, organization: Organization, slug: str, active_only: bool = True) -> Location:
    """A location by its slug; another organization's (or an unknown one) is a 404."""
    location = location_list(organization=organization, active_only=active_only).filter(slug=slug)
    found = location.select_related("organization").first()
    if found is None:
        raise Http404("No such location.")
    return found


@dataclass
class LocationDay:
    """A location on one day: its hours, any closure, and what it has to work with."""

    location: Location
    hours: list[tuple[time, time]]
    closure_reason: str
    rooms: int
    pens_in_service: int
    centrifuges_in_service: int

    @property
    def is_open(self) -> bool:
        return bool(self.hours) and not self.closure_reason


def location_days(*, organization: Organization, day: date) -> list[LocationDay]:
    """Each active location's hours on `day`, its closure if any, and its rooms, pens and
    centrifuges in service (two queries for the lot)."""
    in_service = Q(devices__status=DeviceStatus.IN_SERVICE)
    locations = (
        Location.objects.filter(organization=organization, is_active=True)
        .prefetch_related("opening_hours", "closures")
        .annotate(
            room_count=Count("rooms", filter=Q(rooms__is_active=True), distinct=True),
            pen_count=Count(
                "devices", filter=in_service & Q(devices__kind=DeviceKind.PEN), distinct=True
            ),
            centrifuge_count=Count(
                "devices",
                filter=in_service & Q(devices__kind=DeviceKind.CENTRIFUGE),
                distinct=True,
            ),
        )
    )
    days = []
    for location in locations:
        closure = next((c for c in location.closures.all() if c.covers(day)), None)
        days.append(
            LocationDay(
                location=location,
                hours=[
                    (h.opens, h.closes)
                    for h in location.opening_hours.all()
                    if h.weekday == day.weekday()
                ],
                closure_reason=closure.reason if closure else "",
                rooms=location.room_count,
                pens_in_service=location.pen_count,
                centrifuges_in_service=location.centrifuge_count,
            )
        )
    return days


def devices_needing_attention(
    *, organization: Organization, today: date, within_days: int = 14
) -> list[Device]:
    """Devices in maintenance, or due for it within `within_days`, soonest first."""
    return list(
        Device.objects.filter(organization=organization)
        .exclude(status=DeviceStatus.RETIRED)
        .filter(
            Q(status=DeviceStatus.MAINTENANCE)
            | Q(next_maintenance_due__lte=today + timedelta(days=within_days))
        )
        .select_related("location")
        .order_by("next_maintenance_due")
    )
