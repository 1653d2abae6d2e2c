"""The demo staff: their logins (with TOTP), roles, licences and competencies, and
the working hours of the clinical ones."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import CLINICAL, Role
from needlepoint.accounts.scope import LicenceType
from needlepoint.catalog.models import Competency
from needlepoint.core.models import Organization
from needlepoint.demo.loader.clinic import by_code
from needlepoint.demo.loader.credentials import DEMO_PASSWORD, DEMO_TOTP_SECRETS
from needlepoint.resources.models import Location
from needlepoint.scheduling.models import WorkingHours


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    title: str = ""
    licence_type: str = LicenceType.NONE
    licence_number: str = ""
    licence_expires_in_days: int | None = None
    competencies: tuple[str, ...] = ()
    locations: tuple[str, ...] = ("nob-hill", "northeast-heights")

    @property
    def email(self) -> str:
        return f"{self.first_name.lower()}.{self.last_name.lower()}@sandiaskin.example"


ALL_COMPETENCIES = ("micro_needling", "prp_phlebotomy", "consultation")

STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("owner", "Marisol", "Baca", Role.OWNER),
    StaffSpec(
        "director",
        "Daniel",
        "Yazzie",
        Role.MEDICAL_DIRECTOR,
        title="MD",
        licence_type=LicenceType.MD,
        licence_number="MD2014-0387",
        licence_expires_in_days=731,
        competencies=ALL_COMPETENCIES,
    ),
    StaffSpec(
        "practitioner",
        "Elena",
        "Chavez",
        Role.PRACTITIONER,
        title="RN",
        licence_type=LicenceType.RN,
        licence_number="RN-83152",
        licence_expires_in_days=402,
        competencies=ALL_COMPETENCIES,
    ),
    StaffSpec("frontdesk", "Jordan", "Lucero", Role.FRONT_DESK, locations=("nob-hill",)),
    StaffSpec(
        "priya",
        "Priya",
        "Natarajan",
        Role.PRACTITIONER,
        title="NP",
        licence_type=LicenceType.APRN,
        licence_number="CNP-40817",
        licence_expires_in_days=548,
        competencies=ALL_COMPETENCIES,
        locations=("northeast-heights",),
    ),
    StaffSpec(
        "sam",
        "Sam",
        "Ortiz",
        Role.PRACTITIONER,
        title="RN",
        licence_type=LicenceType.RN,
        licence_number="RN-91466",
        # Renewal due soon: shows on the dashboard's licence list.
        licence_expires_in_days=43,
        competencies=("micro_needling",),
        locations=("nob-hill",),
    ),
    # A licensed esthetician holding the micro-needling competency the owner once granted:
    # the scope-of-practice table still refuses her every needle (S30), so she is never
    # offered or bookable for a treatment, only for consultations.
    StaffSpec(
        "luz",
        "Luz",
        "Ortega",
        Role.PRACTITIONER,
        title="Licensed Esthetician",
        licence_type=LicenceType.ESTHETICIAN,
        licence_number="ES-22931",
        licence_expires_in_days=611,
        competencies=("micro_needling", "consultation"),
        locations=("nob-hill",),
    ),
)


def load_staff(
    organization: Organization, locations: dict[str, Location], today: date, new: Counter[str]
) -> None:
    user_model = get_user_model()
    for spec in STAFF:
        user, created = user_model.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": spec.email,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            new["users"] += 1
        expires = spec.licence_expires_in_days
        profile, created = StaffProfile.objects.get_or_create(
            user=user,
            defaults={
                "organization": organization,
                "role": spec.role,
                "title": spec.title,
                "licence_type": spec.licence_type,
                "licence_number": spec.licence_number,
                "licence_expires_on": today + timedelta(days=expires) if expires else None,
            },
        )
        if created:
            new["staff_profiles"] += 1
            profile.competencies.add(*by_code(Competency, organization, spec.competencies))
            profile.locations.add(*(locations[slug] for slug in spec.locations))
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRETS[spec.username])
            new["totp_authenticators"] += 1


def load_working_hours(organization: Organization, new: Counter[str]) -> None:
    """Clinical staff work their locations' opening hours; someone at two locations works
    them on alternate weekdays, so nobody is in two places at once."""
    staff = StaffProfile.objects.filter(organization=organization, role__in=CLINICAL)
    for profile in staff.prefetch_related("locations__opening_hours"):
        if WorkingHours.objects.filter(staff=profile).exists():
            continue
        locations = sorted(profile.locations.all(), key=lambda loc: loc.slug)
        for index, location in enumerate(locations):
            for hours in location.opening_hours.all():
                if len(locations) > 1 and hours.weekday % len(locations) != index:
                    continue
                WorkingHours.objects.create(
                    staff=profile,
                    location=location,
                    weekday=hours.weekday,
                    starts=hours.opens,
                    ends=hours.closes,
                )
                new["working_hours"] += 1
