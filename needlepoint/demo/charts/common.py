"""What every part of the charts shares: the seed, the demo staff by username, and
a visit's local start and a patient's full name."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from needlepoint.accounts.models import StaffProfile
from needlepoint.core.models import Organization
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Location
from needlepoint.scheduling.models import Appointment

CHARTS_RANDOM_SEED = 2027


@dataclass
class Cast:
    """The demo's staff by username."""

    staff: dict[str, StaffProfile]

    def __getitem__(self, username: str) -> StaffProfile:
        return self.staff[username]

    def desk_at(self, location: Location, fallback: StaffProfile) -> StaffProfile:
        desk = self.staff.get("frontdesk")
        if desk is not None and desk.locations.filter(pk=location.pk).exists():
            return desk
        return fallback


def cast_of(organization: Organization) -> Cast:
    profiles = StaffProfile.objects.filter(organization=organization).select_related("user")
    return Cast({profile.user.username: profile for profile in profiles})


def local_start(appointment: Appointment) -> datetime:
    return appointment.starts_at.astimezone(appointment.location.zone)


def full_name(patient: Patient) -> str:
    return f"{patient.first_name} {patient.last_name}"
