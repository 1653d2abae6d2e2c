"""`demo_load()`: seed the reference rows, run every loader in order, and count what
the run added."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from allauth.mfa.models import Authenticator
from django.db import transaction

from needlepoint.accounts.models import ScopeRule, StaffProfile
from needlepoint.accounts.services import scope_rules_seed
from needlepoint.catalog.models import (
    Competency,
    Indication,
    Product,
    ProductLot,
    Service,
    ServicePhase,
    TreatmentArea,
)
from needlepoint.catalog.services import catalog_seed_defaults
from needlepoint.clinical.models import (
    AdverseEvent,
    CartridgeUse,
    Incident,
    Outcome,
    Photo,
    ProductUse,
    PrpSample,
    RecordStatus,
    TreatmentRecord,
)
from needlepoint.core.dates import local_today
from needlepoint.core.models import Organization
from needlepoint.demo.charts.history import load_history
from needlepoint.demo.charts.today import demo_now, load_today
from needlepoint.demo.loader.appointments import load_appointments
from needlepoint.demo.loader.clinic import (
    DEMO_ORGANIZATION_NAME,
    DEMO_ORGANIZATION_SLUG,
    DEMO_TIMEZONE,
    DENVER,
)
from needlepoint.demo.loader.credentials import DEMO_PATIENT_USERNAME, DEMO_TOTP_SECRETS
from needlepoint.demo.loader.devices import load_devices
from needlepoint.demo.loader.intake import demo_rule_choices, load_intake
from needlepoint.demo.loader.locations import load_locations
from needlepoint.demo.loader.patients import load_look_alike, load_patients, load_portal_user
from needlepoint.demo.loader.products import load_products
from needlepoint.demo.loader.services import load_services
from needlepoint.demo.loader.staff import load_staff, load_working_hours
from needlepoint.intake.consents import intake_seed_consents
from needlepoint.intake.models import ConsentSignature, QuestionnaireResponse, Screening
from needlepoint.intake.services import intake_seed_questionnaire, intake_seed_rules
from needlepoint.patients.models import DuplicateCandidate, Patient
from needlepoint.resources.models import (
    Closure,
    Device,
    Location,
    MaintenanceRecord,
    OpeningHours,
    Room,
)
from needlepoint.scheduling.models import Appointment, WorkingHours


@dataclass(frozen=True)
class DemoSummary:
    """`counts` are the demo organization's totals after the load; `new` says how many of
    each were created by this run (all zero on a repeat run)."""

    organization: Organization
    created: bool
    counts: dict[str, int]
    new: dict[str, int] = field(default_factory=dict)


def _reference_rows(organization: Organization) -> int:
    """Treatment areas, indications, competencies and the scope-of-practice table seeded from
    docs/clinical-rules.md."""
    return sum(
        model.objects.filter(organization=organization).count()
        for model in (TreatmentArea, Indication, Competency, ScopeRule)
    )


def _totals(organization: Organization) -> dict[str, int]:
    records = TreatmentRecord.objects.filter(organization=organization)
    demo_usernames = [*DEMO_TOTP_SECRETS, DEMO_PATIENT_USERNAME]
    return {
        "reference_rows": _reference_rows(organization),
        "locations": Location.objects.filter(organization=organization).count(),
        "opening_hours": OpeningHours.objects.filter(location__organization=organization).count(),
        "closures": Closure.objects.filter(location__organization=organization).count(),
        "rooms": Room.objects.filter(location__organization=organization).count(),
        "devices": Device.objects.filter(organization=organization).count(),
        "maintenance_records": MaintenanceRecord.objects.filter(
            device__organization=organization
        ).count(),
        "staff_profiles": StaffProfile.objects.filter(organization=organization).count(),
        "totp_authenticators": Authenticator.objects.filter(
            user__username__in=demo_usernames, type=Authenticator.Type.TOTP
        ).count(),
        "services": Service.objects.filter(organization=organization).count(),
        "service_phases": ServicePhase.objects.filter(service__organization=organization).count(),
        "products": Product.objects.filter(organization=organization).count(),
        "product_lots": ProductLot.objects.filter(product__organization=organization).count(),
        "patients": Patient.objects.filter(organization=organization).count(),
        "archived_patients": Patient.objects.filter(
            organization=organization, is_archived=True
        ).count(),
        "possible_duplicates": DuplicateCandidate.objects.filter(organization=organization).count(),
        "portal_users": Patient.objects.filter(
            organization=organization, user__isnull=False
        ).count(),
        "working_hours": WorkingHours.objects.filter(staff__organization=organization).count(),
        "appointments": Appointment.objects.filter(organization=organization).count(),
        "questionnaire_responses": QuestionnaireResponse.objects.filter(
            organization=organization
        ).count(),
        "consent_signatures": ConsentSignature.objects.filter(organization=organization).count(),
        "treatment_records": records.count(),
        "signed_records": records.exclude(status=RecordStatus.OPEN).count(),
        "cosignatures": records.filter(status=RecordStatus.COSIGNED).count(),
        "photos": Photo.objects.filter(organization=organization).count(),
        "outcomes": Outcome.objects.filter(organization=organization).count(),
        "cartridge_uses": CartridgeUse.objects.filter(organization=organization).count(),
        "product_uses": ProductUse.objects.filter(record__organization=organization).count(),
        "prp_samples": PrpSample.objects.filter(organization=organization).count(),
        "adverse_events": AdverseEvent.objects.filter(record__organization=organization).count(),
        "incidents": Incident.objects.filter(organization=organization).count(),
        "screening_approvals": Screening.objects.filter(
            organization=organization, carried_from__isnull=True, status="approved"
        ).count(),
    }


def demo_load(*, today: date | None = None) -> DemoSummary:
    """Create the demo clinic, or complete it; a repeat run changes nothing.

    `today` (a date in America/Denver) anchors the relative dates; it defaults to now.
    """
    today = today or local_today(DENVER)
    new: Counter[str] = Counter()
    with transaction.atomic():
        organization, created = Organization.objects.get_or_create(
            slug=DEMO_ORGANIZATION_SLUG,
            defaults={
                "name": DEMO_ORGANIZATION_NAME,
                "default_timezone": DEMO_TIMEZONE,
                "website": "https://www.sandiaskin.example",
            },
        )
        new["organizations"] += created
        before = _totals(organization)
        seeded_before = _reference_rows(organization)
        catalog_seed_defaults(organization=organization)
        scope_rules_seed(organization=organization)
        intake_seed_rules(organization=organization)
        intake_seed_questionnaire(organization=organization)
        intake_seed_consents(organization=organization)
        demo_rule_choices(organization)
        new["reference_rows"] += _reference_rows(organization) - seeded_before
        locations = load_locations(organization, new)
        load_devices(organization, locations, today, new)
        load_staff(organization, locations, today, new)
        load_services(organization, new)
        load_products(organization, today, new)
        load_patients(organization, locations, today, new)
        load_portal_user(organization, new)
        load_working_hours(organization, new)
        load_appointments(organization, today, new)
        load_intake(organization, today, new)
        now = demo_now(today, DENVER)
        load_history(organization, today, now=now)
        load_today(organization, today, now=now)
        load_look_alike(organization, today, now=now)
        counts = _totals(organization)
        for name, total in counts.items():  # what this run added, whichever loader did
            if total > before[name]:
                new[name] = total - before[name]
    return DemoSummary(
        organization=organization,
        created=any(new.values()),
        counts=counts,
        new=dict(new),
    )
