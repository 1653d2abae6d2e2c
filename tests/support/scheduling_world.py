"""A small clinic to book into: one location open Monday–Saturday 09:00–17:00 (America/Denver),
two rooms, one pen, one centrifuge, two practitioners, a face treatment and a PRP one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import CLINICAL, Role
from needlepoint.catalog.models import Competency, Service, ServicePhase, TreatmentArea
from needlepoint.core.models import Organization
from needlepoint.resources.models import Device, DeviceKind, Location, OpeningHours, Room
from needlepoint.scheduling.models import WorkingHours
from tests.support import factories

DENVER = ZoneInfo("America/Denver")


@dataclass
class World:
    clinic: Organization
    location: Location
    rooms: list[Room]
    pen: Device
    centrifuge: Device
    ana: StaffProfile
    ben: StaffProfile
    face: Service
    prp: Service
    consultation: Service


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=DENVER)


def _service(clinic, slug, phases, *, uses_prp=False, kind="treatment", **extra) -> Service:
    service = Service.objects.create(
        organization=clinic,
        slug=slug,
        name=slug.replace("-", " ").title(),
        kind=kind,
        summary=slug,
        price=Decimal("300"),
        uses_prp=uses_prp,
        min_interval_days=28 if kind == "treatment" else 0,
        **extra,
    )
    for position, (phase_kind, minutes, staff, device) in enumerate(phases):
        ServicePhase.objects.create(
            service=service,
            position=position,
            kind=phase_kind,
            duration_minutes=minutes,
            needs_practitioner=staff,
            needs_room=True,
            device_kind=device,
        )
    return service


def make_world(clinic: Organization | None = None) -> World:
    clinic = clinic or factories.OrganizationFactory()
    location = factories.LocationFactory(organization=clinic, booking_lead_minutes=0)
    for weekday in range(6):
        OpeningHours.objects.create(
            location=location, weekday=weekday, opens=time(9), closes=time(17)
        )
    rooms = [Room.objects.create(location=location, name=f"Room {n}") for n in (1, 2)]
    pen = factories.DeviceFactory(location=location, name="Pen 1")
    centrifuge = factories.DeviceFactory(
        location=location, name="Centrifuge", kind=DeviceKind.CENTRIFUGE, max_depth_mm=None
    )
    needling = Competency.objects.create(organization=clinic, code="micro_needling", name="MN")
    phlebotomy = Competency.objects.create(organization=clinic, code="prp_phlebotomy", name="PRP")
    consult = Competency.objects.create(organization=clinic, code="consultation", name="Consult")
    staff = []
    for username in ("ana", "ben"):
        profile = StaffProfile.objects.create(
            user=factories.UserFactory(username=username, first_name=username.title()),
            organization=clinic,
            role=Role.PRACTITIONER,
            licence_type="rn",
        )
        profile.locations.add(location)
        profile.competencies.add(needling, consult)
        for weekday in range(6):
            WorkingHours.objects.create(
                staff=profile, location=location, weekday=weekday, starts=time(9), ends=time(17)
            )
        staff.append(profile)
    staff[0].competencies.add(phlebotomy)  # only Ana draws blood
    # The personas' clinicians (not bookable here: they work at no location of this world)
    # hold the competencies charting checks.
    for clinician in StaffProfile.objects.filter(
        organization=clinic, role__in=list(CLINICAL)
    ).exclude(pk__in=[p.pk for p in staff]):
        clinician.competencies.add(needling, phlebotomy)
    cheeks = TreatmentArea.objects.create(
        organization=clinic,
        code="cheeks",
        name="Cheeks",
        min_depth_mm=Decimal("0.5"),
        max_default_mm=Decimal("1.0"),
        source_ids="S40",
    )
    face = _service(
        clinic,
        "face",
        [("numbing", 30, False, ""), ("treatment", 45, True, "pen"), ("cleaning", 15, False, "")],
    )
    prp = _service(
        clinic,
        "prp-face",
        [
            ("prp_draw", 10, True, ""),
            ("prp_spin", 15, False, "centrifuge"),
            ("numbing", 15, False, ""),
            ("treatment", 45, True, "pen"),
            ("cleaning", 15, False, ""),
        ],
        uses_prp=True,
        requires_prior_consultation=True,
    )
    consultation = _service(
        clinic, "consultation", [("consultation", 30, True, "")], kind="consultation"
    )
    for service in (face, prp):
        service.areas.add(cheeks)
        service.required_competencies.add(needling)
    prp.required_competencies.add(phlebotomy)
    consultation.required_competencies.add(consult)
    return World(
        clinic, location, rooms, pen, centrifuge, staff[0], staff[1], face, prp, consultation
    )
