"""The demo clinic that `make run` loads: complete, repeatable, and usable to sign in."""

from datetime import date

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import Role
from needlepoint.catalog.models import Service
from needlepoint.core.demo import DEMO_PASSWORD, demo_load, demo_totp_code
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Device, DeviceKind, Location

TODAY = date(2026, 11, 23)


@pytest.fixture
def demo(db):
    return demo_load(today=TODAY)


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
    from needlepoint.scheduling.models import Appointment

    before = (Patient.objects.count(), Device.objects.count(), Appointment.objects.count())
    again = demo_load(today=TODAY)
    assert not again.created
    assert (Patient.objects.count(), Device.objects.count(), Appointment.objects.count()) == before


def test_every_demo_login_works_with_its_password_and_code(demo):
    for username in ["owner", "director", "practitioner", "frontdesk"]:
        profile = StaffProfile.objects.select_related("user").get(user__username=username)
        assert profile.user.check_password(DEMO_PASSWORD)
        totp = Authenticator.objects.get(user=profile.user, type=Authenticator.Type.TOTP)
        assert totp.wrap().validate_code(demo_totp_code(username)), username


def test_the_demo_has_a_booking_history_and_a_bookable_future(demo):
    from needlepoint.scheduling.models import Appointment, AppointmentStatus, WorkingHours

    appointments = Appointment.objects.filter(organization=demo.organization)
    assert appointments.filter(status=AppointmentStatus.COMPLETED).count() >= 30
    assert appointments.filter(status=AppointmentStatus.BOOKED).exists()
    assert WorkingHours.objects.filter(staff__organization=demo.organization).exists()


def test_the_demo_refuses_to_load_outside_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not Patient.objects.exists()
