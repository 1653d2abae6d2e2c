"""The public booking wizard, driven through its pages like a patient would."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from needlepoint.patients.models import DuplicateCandidate, Patient, ReminderChannel
from needlepoint.scheduling.links import manage_token
from needlepoint.scheduling.models import Appointment, AppointmentStatus, WaitlistEntry
from needlepoint.scheduling.waitlist import waitlist_offer
from tests.support.scheduling_world import at, make_world

NOW = at(2027, 1, 4, 8)
MONDAY = date(2027, 1, 11)


@pytest.fixture
def world(db, time_machine):
    time_machine.move_to(NOW, tick=False)
    return make_world()


def slots_url(world, service=None, **params) -> str:
    service = service or world.face
    url = reverse("site:booking-slots", args=[service.slug, world.location.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def details_url(world, start, service=None) -> str:
    service = service or world.face
    url = reverse("site:booking-details", args=[service.slug, world.location.slug])
    return f"{url}?start={start.isoformat().replace('+', '%2B')}"


DETAILS = {
    "first_name": "Rosa",
    "last_name": "Tafoya",
    "email": "Rosa.Tafoya@example.com",
    "phone": "(505) 555-0142",
    "date_of_birth": "1987-06-02",
}

# Another person altogether: no name, date of birth, phone or email in common with Rosa.
SOMEONE_ELSE = {
    "first_name": "Lena",
    "last_name": "Ortiz",
    "email": "someone.else@example.com",
    "phone": "(505) 555-0199",
    "date_of_birth": "1990-03-04",
}


def test_the_service_list_links_to_each_bookable_service(client, world):
    body = client.get(reverse("site:booking-services")).content.decode()
    assert "Face" in body and "Prp Face" in body
    assert reverse("site:booking-locations", args=[world.face.slug]) in body


def test_a_single_location_goes_straight_to_the_times(client, world):
    response = client.get(reverse("site:booking-locations", args=[world.face.slug]))
    assert response.status_code == 302
    assert response["Location"] == slots_url(world)


def test_the_time_page_lists_days_and_times(client, world):
    body = client.get(slots_url(world, day="2027-01-11")).content.decode()
    assert "Monday, January 11" in body
    assert "9:00 AM" in body and "3:30 PM" in body
    assert "Full" in body  # Sunday, January 10 is closed


def test_picking_a_day_with_htmx_swaps_only_the_times(client, world):
    response = client.get(slots_url(world, day="2027-01-12"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "Tuesday, January 12" in body
    assert "<html" not in body and "Pick a day" not in body


def test_a_patient_books_and_lands_on_the_confirmation(client, world):
    start = at(2027, 1, 11, 10)
    response = client.post(details_url(world, start), {**DETAILS, "reminders_by_text": "on"})
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert response["Location"] == reverse(
        "site:booking-confirmed", args=[manage_token(appointment)]
    )
    assert appointment.starts_at == start
    assert appointment.source == "online"
    patient = appointment.patient
    assert (patient.first_name, patient.email) == ("Rosa", "rosa.tafoya@example.com")
    assert patient.reminder_channel == ReminderChannel.BOTH
    page = client.get(response["Location"]).content.decode()
    assert "You're booked" in page and "Monday, January 11, 2027" in page and "10:00 AM" in page


def test_a_returning_patient_books_on_a_new_record_flagged_for_the_desk(client, world):
    """Typed details never open an existing record (docs/security-targets.md A8): the second booking
    has its own record, flagged as a possible duplicate of the first."""
    client.post(details_url(world, at(2027, 1, 11, 10)), DETAILS)
    client.post(details_url(world, at(2027, 2, 15, 10)), {**DETAILS, "first_name": "Rosie"})
    first, second = Patient.objects.order_by("pk")
    assert Appointment.objects.filter(patient=second).count() == 1
    assert DuplicateCandidate.objects.get(patient=second).other == first


def test_a_taken_time_answers_409_with_other_times(client, world):
    start = at(2027, 1, 11, 10)
    client.post(details_url(world, start), DETAILS)
    response = client.post(details_url(world, start), SOMEONE_ELSE)
    assert response.status_code == 409
    body = response.content.decode()
    assert "someone has just booked that time" in body
    assert "These times are still free" in body
    assert Appointment.objects.count() == 1


def test_bad_details_answer_422_with_messages_and_book_nothing(client, world):
    response = client.post(
        details_url(world, at(2027, 1, 11, 10)),
        {**DETAILS, "email": "not-an-email", "date_of_birth": "2030-01-01", "phone": "12"},
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "Enter a valid email address." in body
    assert "Please check the date of birth." in body
    assert not Appointment.objects.exists() and not Patient.objects.exists()


def test_a_rule_refusal_is_explained(client, world):
    response = client.post(details_url(world, at(2027, 1, 12, 11), service=world.prp), DETAILS)
    assert response.status_code == 422
    assert "starts with a consultation" in response.content.decode()


def test_details_without_a_time_go_back_to_the_times(client, world):
    response = client.get(
        reverse("site:booking-details", args=[world.face.slug, world.location.slug])
    )
    assert response.status_code == 302


def _booked(client, world, start=None):
    client.post(details_url(world, start or at(2027, 1, 11, 10)), DETAILS)
    appointment = Appointment.objects.order_by("-pk").first()
    return appointment, manage_token(appointment)


def test_the_manage_link_cancels_and_frees_the_time(client, world):
    appointment, token = _booked(client, world)
    url = reverse("site:booking-manage", args=[token])
    assert "Cancel my appointment" in client.get(url).content.decode()
    client.post(url, {"reason": "Travelling"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert not appointment.holds.filter(is_active=True).exists()


def test_cancelling_inside_the_window_is_late_and_says_so(client, world, time_machine):
    appointment, token = _booked(client, world)
    time_machine.move_to(at(2027, 1, 10, 18), tick=False)
    url = reverse("site:booking-manage", args=[token])
    assert "late cancellation" in client.get(url).content.decode()
    client.post(url, {"reason": ""})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.LATE_CANCELLED


def test_a_forged_manage_link_is_not_found(client, world):
    _booked(client, world)
    assert client.get(reverse("site:booking-manage", args=["forged:token"])).status_code == 404


def test_moving_a_booking_to_another_time(client, world):
    appointment, token = _booked(client, world)
    url = reverse("site:booking-reschedule", args=[token])
    assert "2:00 PM" in client.get(url + "?day=2027-01-12").content.decode()
    response = client.post(url + "?day=2027-01-12", {"start": at(2027, 1, 12, 14).isoformat()})
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.starts_at == at(2027, 1, 12, 14)


def test_a_full_day_offers_the_waitlist_and_a_cancellation_emails_the_first_waiting(client, world):
    day = MONDAY
    booked = []
    # Fill the pen for the whole day: a face treatment every 45 minutes of pen time.
    for n, start in enumerate(o.start for o in _free_starts(world, day)):
        if any(abs((start - b).total_seconds()) < 45 * 60 for b in booked):
            continue
        someone = {"email": f"p{n}@example.com", "last_name": f"Tafoya{'x' * n}"}
        client.post(details_url(world, start), {**DETAILS, **someone, "phone": f"505555{n:04d}"})
        booked.append(start)
    body = client.get(slots_url(world, day=day.isoformat())).content.decode()
    assert "Join the waitlist" in body
    client.post(
        reverse("site:booking-waitlist", args=[world.face.slug, world.location.slug]),
        {"first_name": "Mia", "email": "mia@example.com", "day": day.isoformat()},
    )
    assert WaitlistEntry.objects.filter(email="mia@example.com", status="waiting").exists()

    first = Appointment.objects.order_by("starts_at").first()
    client.post(reverse("site:booking-manage", args=[manage_token(first)]), {"reason": ""})
    mail.outbox.clear()
    assert waitlist_offer(location=world.location, day=day) == 1
    (offer,) = [m for m in mail.outbox if m.to == ["mia@example.com"]]
    assert "A time opened up on Monday, January 11" in offer.subject
    assert WaitlistEntry.objects.get(email="mia@example.com").status == "offered"


def _free_starts(world, day):
    from needlepoint.scheduling.selectors import availability_get

    return availability_get(
        location=world.location, service=world.face, first_day=day, last_day=day, now=NOW
    )


def test_days_beyond_the_horizon_are_not_offered(client, world):
    far = MONDAY + timedelta(days=400)
    body = client.get(slots_url(world, **{"from": far.isoformat()})).content.decode()
    assert "AM</a>" not in body


def test_a_cancellation_queues_the_waitlist_offer(
    client, world, django_capture_on_commit_callbacks
):
    WaitlistEntry.objects.create(
        organization=world.clinic, location=world.location, service=world.face,
        day=MONDAY, first_name="Mia", email="mia@example.com",
    )  # fmt: skip
    _appointment, token = _booked(client, world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("site:booking-manage", args=[token]), {"reason": ""})
    assert response.status_code == 302
    assert [m for m in mail.outbox if m.to == ["mia@example.com"]]
