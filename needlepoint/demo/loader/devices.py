"""Each location's pens and centrifuge, with their last maintenance: one pen due
within days, one away for repair."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from needlepoint.core.models import Organization
from needlepoint.resources.models import (
    Device,
    DeviceKind,
    DeviceStatus,
    Location,
    MaintenanceRecord,
)


@dataclass(frozen=True)
class DeviceModel:
    kind: str
    make: str
    model: str
    regulatory_number: str
    max_depth_mm: Decimal | None
    serviced_by: str
    service_summary: str


SKINPEN = DeviceModel(
    DeviceKind.PEN,
    "Crown Aesthetics",
    "SkinPen Precision",
    "DEN160029",
    Decimal("2.50"),
    "Crown Aesthetics field service",
    "Six-monthly check: depth calibration, motor speed and housing inspection",
)
REJUVAPEN = DeviceModel(
    DeviceKind.PEN,
    "Rejuvapen",
    "Rejuvapen NXT",
    "K230551",
    Decimal("2.50"),
    "Rejuvapen service centre",
    "Six-monthly check: depth gauge calibration and cord replacement",
)
CENTRIFUGE = DeviceModel(
    DeviceKind.CENTRIFUGE,
    "Drucker Diagnostics",
    "Horizon 24 Flex",
    "",
    None,
    "Drucker Diagnostics authorised service",
    "Annual check: tachometer speed verification and timer calibration",
)


@dataclass(frozen=True)
class DeviceSpec:
    location: str
    name: str
    model: DeviceModel
    serial_number: str
    maintained_days_ago: int
    due_in_days: int
    status: str = DeviceStatus.IN_SERVICE
    notes: str = ""


DEVICES: tuple[DeviceSpec, ...] = (
    DeviceSpec("nob-hill", "Pen 1", SKINPEN, "SP-24-01873", 64, 118),
    # Due within ten days: shows on the dashboard's maintenance list.
    DeviceSpec("nob-hill", "Pen 2", SKINPEN, "SP-24-02216", 175, 7),
    DeviceSpec("nob-hill", "Pen 3", REJUVAPEN, "RJ-NXT-23-00418", 41, 141),
    DeviceSpec("nob-hill", "Centrifuge", CENTRIFUGE, "H24F-2207-0315", 88, 277),
    DeviceSpec(
        "northeast-heights",
        "Pen 1",
        SKINPEN,
        "SP-25-00562",
        186,
        -4,
        status=DeviceStatus.MAINTENANCE,
        notes="Motor stalls intermittently at 2.0 mm; returned to Crown Aesthetics for repair.",
    ),
    DeviceSpec("northeast-heights", "Pen 2", SKINPEN, "SP-25-00977", 23, 159),
    DeviceSpec("northeast-heights", "Pen 3", REJUVAPEN, "RJ-NXT-24-01127", 57, 125),
    DeviceSpec("northeast-heights", "Centrifuge", CENTRIFUGE, "H24F-2302-1188", 132, 233),
)


def load_devices(
    organization: Organization, locations: dict[str, Location], today: date, new: Counter[str]
) -> None:
    for spec in DEVICES:
        maintained_on = today - timedelta(days=spec.maintained_days_ago)
        device, created = Device.objects.get_or_create(
            organization=organization,
            kind=spec.model.kind,
            serial_number=spec.serial_number,
            defaults={
                "location": locations[spec.location],
                "name": spec.name,
                "make": spec.model.make,
                "model": spec.model.model,
                "regulatory_number": spec.model.regulatory_number,
                "max_depth_mm": spec.model.max_depth_mm,
                "status": spec.status,
                "last_maintained_on": maintained_on,
                "next_maintenance_due": today + timedelta(days=spec.due_in_days),
                "notes": spec.notes,
            },
        )
        new["devices"] += created
        if created:
            MaintenanceRecord.objects.create(
                device=device,
                performed_on=maintained_on,
                performed_by=spec.model.serviced_by,
                summary=spec.model.service_summary,
            )
            new["maintenance_records"] += 1
