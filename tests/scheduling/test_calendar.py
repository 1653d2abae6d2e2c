"""The staff calendar: day and week views, phone bookings, actions, conflicts in words."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.scheduling.calendar import calendar_day, explain_conflicts
from needlepoint.scheduling.models import Appointment, AppointmentStatus
from needlepoint.scheduling.services import appointment_book
from tests.support import factories
from tests.support.personas import sign_in
from tests.support.scheduling_world import at, make_world

NOW = at(2027, 1, 4, 8)
MONDAY = date(2027, 1, 11)


@pytest.fixture
def world(cast, time_machine):
    time_machine.move_to(NOW, tick=False)
    return make_world(clinic=cast.clinic)


def book(world, service, start, patient=None, **kw):
    patient = patient or factories.PatientFactory(organization=world.clinic)
    return appointment_book(
        location=world.location, service=service, start=start, patient=patient,
        source="phone", now=NOW, **kw,
    )  # fmt: skip


def test_the_day_has_a_column_per_practitioner_room_and_device(world):
    appointment = book(world, world.face, at(2027, 1, 11, 10))
    board = calendar_day(location=world.location, day=MONDAY)
    titles = [c.title for c in board.columns]
    assert {"Room 1", "Room 2", "Pen 1", "Centrifuge"} <= set(titles)
    assert sum(1 for c in board.columns if c.kind == "practitioner") == 2
    room = next(c for c in board.columns if c.key == f"room:{appointment.room_id}")
    (cell,) = [c for c in room.cells if c.block]
    assert cell.rowspan == 90 // 5
    pen = next(c for c in board.columns if c.title == "Pen 1")
    (pen_cell,) = [c for c in pen.cells if c.block]
    assert appointment.room.name in pen_cell.block.detail  # where the pen is


def test_the_day_page_lists_and_audits(client, cast, world):
    appointment = book(world, world.face, at(2027, 1, 11, 10), patient=cast.patient)
    sign_in(client, cast.frontdesk)
    url = reverse("scheduling:calendar-day", args=[world.location.slug, "2027-01-11"])
    body = client.get(url).content.decode()
    assert "Paloma Quintana" in body and "Pen 1" in body
    assert reverse("scheduling:appointment-detail", args=[appointment.public_id]) in body
    assert AuditEvent.objects.filter(action=AuditAction.LIST, detail__calendar=world.location.slug)


def test_the_week_page_shows_each_day(client, cast, world):
    book(world, world.face, at(2027, 1, 13, 10), patient=cast.patient)
    sign_in(client, cast.frontdesk)
    url = reverse("scheduling:calendar-week", args=[world.location.slug, "2027-01-13"])
    body = client.get(url).content.decode()
    assert "Week of January 11" in body and "Paloma Q." in body


def test_front_desk_books_a_walk_in_for_a_new_patient(client, cast, world):
    sign_in(client, cast.frontdesk)
    url = reverse("scheduling:appointment-new", args=[world.location.slug])
    page = client.get(url, {"service": world.face.pk, "day": "2027-01-11"}).content.decode()
    assert "9:00 AM" in page
    response = client.post(
        url,
        {
            "service": world.face.pk,
            "start": at(2027, 1, 11, 9).isoformat(),
            "source": "walk_in",
            "first_name": "Walter",
            "last_name": "Nez",
            "date_of_birth": "1979-02-03",
        },
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get(patient__last_name="Nez")
    assert appointment.source == "walk_in"
    assert appointment.created_by == cast.frontdesk


def test_an_unbookable_time_is_explained_in_words(client, cast, world):
    book(world, world.face, at(2027, 1, 11, 10), patient=cast.other_patient)
    sign_in(client, cast.frontdesk)
    response = client.post(
        reverse("scheduling:appointment-new", args=[world.location.slug]),
        {
            "service": world.face.pk,
            "start": at(2027, 1, 11, 10, 15).isoformat(),
            "source": "phone",
            "patient": str(cast.patient.public_id),
        },
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Pen 1 is in Room 1 until 11:15." in body


def test_conflict_reasons_cover_hours_closures_and_people(world):
    assert explain_conflicts(
        location=world.location, service=world.face, start=at(2027, 1, 11, 16)
    ) == [f"The visit would run 16:00–17:30, outside {world.location.name}'s hours (09:00–17:00)."]
    assert explain_conflicts(
        location=world.location, service=world.face, start=at(2027, 1, 10, 10)
    ) == [f"{world.location.name} is closed on Sundays."]
    book(world, world.consultation, at(2027, 1, 11, 9), practitioner=world.ana)
    reasons = explain_conflicts(
        location=world.location, service=world.consultation, start=at(2027, 1, 11, 9),
        practitioner=world.ana,
    )  # fmt: skip
    assert reasons == [f"{world.ana.display_name} is with another patient until 09:30."]


def test_check_in_no_show_and_cancel_from_the_appointment_page(client, cast, world, time_machine):
    # A consultation: a treatment's check-in also needs screening and consent.
    appointment = book(world, world.consultation, at(2027, 1, 11, 10), patient=cast.patient)
    sign_in(client, cast.frontdesk)
    url = reverse("scheduling:appointment-detail", args=[appointment.public_id])
    assert "Check in" in client.get(url).content.decode()
    assert client.post(url + "cancel/", {"reason": ""}).status_code == 400
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED  # a reason is required
    early = client.post(url + "check-in/", follow=True)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED  # a week early: not the visit's day
    assert "happen on the day of the visit" in early.content.decode()
    time_machine.move_to(at(2027, 1, 11, 9, 50), tick=False)
    sign_in(client, cast.frontdesk)
    client.post(url + "check-in/")
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    client.post(url + "cancel/", {"reason": "Felt unwell in the chair"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert not appointment.holds.filter(is_active=True).exists()


def test_staff_move_an_appointment(client, cast, world):
    appointment = book(world, world.face, at(2027, 1, 11, 10), patient=cast.patient)
    sign_in(client, cast.frontdesk)
    url = reverse("scheduling:appointment-move", args=[appointment.public_id])
    assert "2:00 PM" in client.get(url, {"day": "2027-01-12"}).content.decode()
    response = client.post(url, {"start": at(2027, 1, 12, 14).isoformat()})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == at(2027, 1, 12, 14)
