"""The staff dashboard's figures, gathered from the domain apps' selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.selectors import licences_expiring, staff_count_by_role
from needlepoint.catalog.models import ProductLot
from needlepoint.catalog.selectors import lots_needing_attention
from needlepoint.core.dates import local_today
from needlepoint.core.models import Organization
from needlepoint.patients.selectors import patient_counts
from needlepoint.resources.models import Device
from needlepoint.resources.selectors import (
    LocationDay,
    devices_needing_attention,
    location_days,
)


@dataclass
class Dashboard:
    today: date
    locations: list[LocationDay]
    active_patients: int
    new_patients_30_days: int
    staff_by_role: dict[str, int]
    devices_needing_attention: list[Device] = field(default_factory=list)
    lots_needing_attention: list[ProductLot] = field(default_factory=list)
    licences_expiring: list[StaffProfile] = field(default_factory=list)


def dashboard_get(*, organization: Organization, today: date | None = None) -> Dashboard:
    today = today or local_today(organization.default_timezone)
    active, joined = patient_counts(organization=organization, today=today)
    return Dashboard(
        today=today,
        locations=location_days(organization=organization, day=today),
        active_patients=active,
        new_patients_30_days=joined,
        staff_by_role=staff_count_by_role(organization=organization),
        devices_needing_attention=devices_needing_attention(organization=organization, today=today),
        lots_needing_attention=lots_needing_attention(organization=organization, today=today),
        licences_expiring=licences_expiring(organization=organization, today=today),
    )
