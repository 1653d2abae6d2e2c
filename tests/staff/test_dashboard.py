from datetime import date, time, timedelta

from django.urls import reverse

from needlepoint.accounts.models import StaffProfile
from needlepoint.resources.models import Closure, DeviceKind, DeviceStatus
from needlepoint.staff.dashboard import dashboard_get
from tests.support import factories
from tests.support.personas import sign_in

MONDAY = date(2026, 11, 23)


def test_it_reports_todays_hours_closures_and_resources(cast):
    factories.OpeningHoursFactory(location=cast.location, weekday=0, opens=time(9), closes=time(12))
    factories.OpeningHoursFactory(
        location=cast.location, weekday=0, opens=time(13), closes=time(17)
    )
    factories.OpeningHoursFactory(location=cast.location, weekday=1)
    factories.RoomFactory(location=cast.location)
    factories.RoomFactory(location=cast.location, is_active=False)
    factories.DeviceFactory(location=cast.location)
    factories.DeviceFactory(location=cast.location, status=DeviceStatus.MAINTENANCE)
    factories.DeviceFactory(location=cast.location, kind=DeviceKind.CENTRIFUGE, max_depth_mm=None)

    board = dashboard_get(organization=cast.clinic, today=MONDAY)
    (day,) = board.locations
    assert day.hours == [(time(9), time(12)), (time(13), time(17))]
    assert day.is_open
    assert (day.rooms, day.pens_in_service, day.centrifuges_in_service) == (1, 1, 1)
    assert [d.status for d in board.devices_needing_attention] == [DeviceStatus.MAINTENANCE]

    Closure.objects.create(
        location=cast.location, starts_on=MONDAY, ends_on=MONDAY, reason="Staff training"
    )
    (day,) = dashboard_get(organization=cast.clinic, today=MONDAY).locations
    assert not day.is_open
    assert day.closure_reason == "Staff training"


def test_it_lists_expiring_lots_recalls_and_licences(cast):
    product = factories.ProductFactory(organization=cast.clinic)
    soon = factories.ProductLotFactory(product=product, expires_on=MONDAY + timedelta(days=10))
    recalled = factories.ProductLotFactory(product=product, is_recalled=True)
    factories.ProductLotFactory(product=product, expires_on=MONDAY + timedelta(days=200))
    StaffProfile.objects.filter(user=cast.practitioner).update(
        licence_expires_on=MONDAY + timedelta(days=30)
    )
    board = dashboard_get(organization=cast.clinic, today=MONDAY)
    assert board.lots_needing_attention == [soon, recalled]
    assert [p.user for p in board.licences_expiring] == [cast.practitioner]
    assert board.active_patients == 2
    assert board.staff_by_role["Practitioner"] == 1


def test_front_desk_sees_no_stock_or_licence_panels(client, cast):
    sign_in(client, cast.frontdesk)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert "Locations today" in body
    assert "Product lots" not in body and "Licences" not in body


def test_owner_sees_licences(client, cast):
    sign_in(client, cast.owner)
    body = client.get(reverse("core:dashboard")).content.decode()
    assert "Licences" in body
    assert "Audit log" in body and "Configuration" in body
