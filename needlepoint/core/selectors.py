"""Reads for the staff dashboard."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import Role
from needlepoint.catalog.models import ProductLot
from needlepoint.core.models import Organization
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Device, DeviceKind, DeviceStatus, Location


def organization_today(organization: Organization) -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(organization.default_timezone)).date()


@dataclass
class LocationToday:
    location: Location
    hours: list[tuple[time, time]]
    closure_reason: str
    rooms: int
    pens_in_service: int
    centrifuges_in_service: int

    @property
    def is_open(self) -> bool:
        return bool(self.hours) and not self.closure_reason


@dataclass
class Dashboard:
    today: date
    locations: list[LocationToday]
    active_patients: int
    new_patients_30_days: int
    staff_by_role: dict[str, int]
    devices_needing_attention: list[Device] = field(default_factory=list)
    lots_needing_attention: list[ProductLot] = field(default_factory=list)
    licences_expiring: list[StaffProfile] = field(default_factory=list)


def dashboard_get(*, organization: Organization, today: date | None = None) -> Dashboard:
    today = today or organization_today(organization)
    locations = (
        Location.objects.filter(organization=organization, is_active=True)
        .prefetch_related("opening_hours", "closures")
        .annotate(
            room_count=Count("rooms", filter=Q(rooms__is_active=True), distinct=True),
            pen_count=Count(
                "devices",
                filter=Q(devices__kind=DeviceKind.PEN, devices__status=DeviceStatus.IN_SERVICE),
                distinct=True,
            ),
            centrifuge_count=Count(
                "devices",
                filter=Q(
                    devices__kind=DeviceKind.CENTRIFUGE, devices__status=DeviceStatus.IN_SERVICE
                ),
                distinct=True,
            ),
        )
    )
    location_days = []
    for location in locations:
        closure = next((c for c in location.closures.all() if c.covers(today)), None)
        location_days.append(
            LocationToday(
                location=location,
                hours=[
                    (h.opens, h.closes)
                    for h in location.opening_hours.all()
                    if h.weekday == today.weekday()
                ],
                closure_reason=closure.reason if closure else "",
                rooms=location.room_count,
                pens_in_service=location.pen_count,
                centrifuges_in_service=location.centrifuge_count,
            )
        )

    patients = Patient.objects.filter(organization=organization, is_archived=False)
    since = datetime.combine(
        today - timedelta(days=30),
        time.min,
        tzinfo=zoneinfo.ZoneInfo(organization.default_timezone),
    )
    staff_counts = dict(
        StaffProfile.objects.filter(organization=organization, user__is_active=True)
        .values_list("role")
        .annotate(n=Count("id"))
    )
    return Dashboard(
        today=today,
        locations=location_days,
        active_patients=patients.count(),
        new_patients_30_days=patients.filter(created_at__gte=since).count(),
        staff_by_role={role.label: staff_counts.get(role.value, 0) for role in Role},
        devices_needing_attention=list(
            Device.objects.filter(organization=organization)
            .exclude(status=DeviceStatus.RETIRED)
            .filter(
                Q(status=DeviceStatus.MAINTENANCE)
                | Q(next_maintenance_due__lte=today + timedelta(days=14))
            )
            .select_related("location")
            .order_by("next_maintenance_due")
        ),
        lots_needing_attention=list(
            ProductLot.objects.filter(product__organization=organization, product__is_active=True)
            .filter(Q(is_recalled=True) | Q(expires_on__lte=today + timedelta(days=30)))
            .select_related("product")
            .order_by("expires_on")
        ),
        licences_expiring=list(
            StaffProfile.objects.filter(
                organization=organization,
                user__is_active=True,
                licence_expires_on__lte=today + timedelta(days=60),
            )
            .select_related("user")
            .order_by("licence_expires_on")
        ),
    )


def public_organization() -> Organization | None:
    """The clinic that public pages and the public API serve: the install's first
    organization (a single-tenant install)."""
    return Organization.objects.order_by("id").first()
