"""The demo clinic that `make run` loads: complete, repeatable, and usable to sign in."""

from datetime import date
from itertools import pairwise

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import override_settings

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import Role
from needlepoint.accounts.scope import LicenceType
from needlepoint.catalog.models import Service
from needlepoint.clinical.models import (
    CartridgeUse,
    Incident,
    IncidentKind,
    Outcome,
    Photo,
    PrpSample,
    RecordStatus,
    TreatmentRecord,
)
from needlepoint.clinical.selectors import cosign_queue, incident_list, recall_hits
from needlepoint.demo.charts import Session, chart_session
from needlepoint.demo.loader import DEMO_PASSWORD, DEMO_TOTP_SECRETS, demo_load, demo_totp_code
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Device, DeviceKind, Location
from needlepoint.scheduling.models import Appointment, AppointmentStatus
from needlepoint.scheduling.setup import eligible_practitioners
from tests.support.demo_support import assert_today, the_three, visits_on

TODAY = date(2026, 11, 23)  # a Monday: Nob Hill is closed, Northeast Heights is open


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """One load of the demo for the module's tests (loading takes seconds), in a
    transaction rolled back after them; each test's own changes roll back to it."""
    media = tmp_path_factory.mktemp("media")  # the demo's photos, never into var/
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as conftest's tests hash
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_load(today=TODAY)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def demo(loaded, db):
    return loaded


def test_it_builds_the_albuquerque_clinic(demo):
    locations = Location.objects.filter(organization=demo.organization)
    assert locations.count() == 2
    assert {loc.timezone for loc in locations} == {"America/Denver"}
    for location in locations:
        assert 3 <= location.rooms.count() <= 4
        assert location.opening_hours.exists() and location.closures.exists()
        assert location.devices.filter(kind=DeviceKind.CENTRIFUGE).count() == 1
        pens = location.devices.filter(kind=DeviceKind.PEN)
        assert pens.count() >= 2
        assert all(p.max_depth_mm and p.serial_number and p.regulatory_number for p in pens)
    assert set(StaffProfile.objects.values_list("role", flat=True)) == set(Role)
    assert 45 <= Patient.objects.filter(organization=demo.organization).count() <= 55
    services = Service.objects.filter(organization=demo.organization)
    assert services.filter(uses_prp=True).exists()
    assert services.filter(kind="consultation").exists()
    assert all(s.phases.exists() and s.price is not None for s in services)


def test_a_second_load_changes_nothing(demo):
    before = (Patient.objects.count(), Device.objects.count(), Appointment.objects.count())
    again = demo_load(today=TODAY)
    assert not again.created and not any(again.new.values())
    assert again.counts == demo.counts
    assert (Patient.objects.count(), Device.objects.count(), Appointment.objects.count()) == before


def test_every_demo_login_works_with_its_password_and_code(demo):
    assert {"priya", "sam", "luz"} <= set(DEMO_TOTP_SECRETS)
    for username in DEMO_TOTP_SECRETS:
        profile = StaffProfile.objects.select_related("user").get(user__username=username)
        assert profile.user.check_password(DEMO_PASSWORD)
        totp = Authenticator.objects.get(user=profile.user, type=Authenticator.Type.TOTP)
        assert totp.wrap().validate_code(demo_totp_code(username)), username


def test_the_demo_has_a_booking_history_and_a_bookable_future(demo):
    from needlepoint.scheduling.models import Appointment, WorkingHours

    appointments = Appointment.objects.filter(organization=demo.organization)
    assert appointments.filter(status=AppointmentStatus.COMPLETED).count() >= 30
    assert appointments.filter(status=AppointmentStatus.BOOKED).exists()
    assert WorkingHours.objects.filter(staff__organization=demo.organization).exists()


def test_the_demo_refuses_to_load_outside_debug(db, settings):
    settings.DEBUG = False
    before = Patient.objects.count()
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert Patient.objects.count() == before


def test_demo_totp_prints_every_demo_staff_members_code(settings, capsys):
    settings.DEBUG = True
    call_command("demo_totp")
    printed = capsys.readouterr().out
    for username in DEMO_TOTP_SECRETS:
        assert f"{username} " in printed


def test_today_has_three_visits_at_each_open_location(demo):
    nob_hill = Location.objects.get(slug="nob-hill")
    heights = Location.objects.get(slug="northeast-heights")
    assert not visits_on(nob_hill, TODAY).exists()  # closed on Mondays
    # Monday at the Heights: Priya (NP) may draw blood, so the ready visit is PRP.
    assert_today(heights, TODAY, prp=True)


def test_a_newcomer_can_chart_the_ready_visit_end_to_end(demo):
    _, ready, _ = the_three(Location.objects.get(slug="northeast-heights"), TODAY)
    elena = StaffProfile.objects.get(user__username="practitioner")
    record = chart_session(ready, performer=elena, session=Session(), today=TODAY)
    assert record.status == RecordStatus.SIGNED and record.cosign_required  # an RN's chart
    assert PrpSample.objects.get(appointment=ready).state == "applied"


def test_the_history_is_signed_series_with_everything_the_pages_list(demo):
    organization = demo.organization
    past = TreatmentRecord.objects.filter(
        organization=organization, appointment__starts_at__date__lt=TODAY
    )
    assert past.count() >= 9
    assert not past.filter(status=RecordStatus.OPEN).exists()
    assert past.filter(status=RecordStatus.COSIGNED).exists()
    assert cosign_queue(organization=organization).exists()  # the director's queue
    assert past.filter(cosign_required=False).exists()  # a physician or NP signed alone
    # Series: several patients with sessions about four weeks apart.
    for patient_id in set(past.values_list("patient_id", flat=True)):
        visits = past.filter(patient_id=patient_id)
        starts = sorted(visits.values_list("appointment__starts_at", flat=True))
        assert len(starts) >= 2
        assert all(27 <= (b - a).days <= 40 for a, b in pairwise(starts))
    assert Photo.objects.filter(record__in=past, stage="before").exists()
    assert Photo.objects.filter(record__in=past, stage="after").exists()
    assert Outcome.objects.filter(record__in=past, gais_clinician__isnull=False).count() >= 4
    assert CartridgeUse.objects.filter(treatment_record__in=past).count() == past.count()
    assert PrpSample.objects.filter(appointment__treatment_record__in=past).exists()
    # Recall finds patients by a cartridge lot and by a product lot.
    lot = CartridgeUse.objects.filter(treatment_record__in=past).first().lot.lot
    assert recall_hits(organization=organization, kind="cartridge", lot=lot)
    assert recall_hits(organization=organization, kind="product", lot="DCC-BLT-2508")
    # Incidents: each kind the page lists.
    kinds = {row.kind for row in incident_list(organization=organization)}
    assert kinds == {"patient_mismatch", "wrong_tube", "adverse_event", "screening_override"}
    assert Incident.objects.filter(kind=IncidentKind.PATIENT_MISMATCH).count() >= 2


def test_the_esthetician_holds_the_competency_but_never_a_needle(demo):
    luz = StaffProfile.objects.get(user__username="luz")
    assert luz.licence_type == LicenceType.ESTHETICIAN and luz.role == Role.PRACTITIONER
    assert luz.competencies.filter(code="micro_needling").exists()
    assert luz.working_hours.exists()
    services = Service.objects.filter(organization=demo.organization)
    for location in luz.locations.all():
        for service in services.exclude(kind="consultation"):
            offered = eligible_practitioners(location=location, service=service, on=TODAY)
            assert luz not in offered, service
        consultation = services.get(kind="consultation")
        assert luz in eligible_practitioners(location=location, service=consultation, on=TODAY)
    assert not Appointment.objects.filter(practitioner=luz, service__kind="treatment").exists()


def test_a_look_alike_waits_for_the_desk_and_the_scope_table_is_there(demo):
    from needlepoint.accounts.models import ScopeRule
    from needlepoint.patients.models import DuplicateCandidate

    candidate = DuplicateCandidate.objects.get(organization=demo.organization)
    assert candidate.status == "open"
    assert candidate.patient.full_name == candidate.other.full_name
    assert candidate.patient.email != candidate.other.email  # typed details joined nothing
    assert Appointment.objects.filter(patient=candidate.patient).count() == 1
    rows = ScopeRule.objects.filter(organization=demo.organization)
    assert rows.count() == len(LicenceType)
    assert not rows.get(licence_type=LicenceType.ESTHETICIAN).microneedling
