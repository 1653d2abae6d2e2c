"""The practitioner's iCalendar feed (initials only, audited per fetch, 404 for revoked or
unknown tokens), the page that issues it, and the owner's read-only delivery log."""

# ruff: noqa: F811 - the fixtures imported from tests.support.messaging_fakes are redefined as arguments
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from icalendar import Calendar

from needlepoint.accounts.roles import Role
from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.messaging.models import CalendarFeed, Purpose
from needlepoint.messaging.services import (
    calendar_feed_revoke,
    calendar_feed_rotate,
    message_send,
)
from needlepoint.scheduling.models import Appointment, AppointmentStatus
from tests.support import factories
from tests.support.messaging_fakes import (  # noqa: F401 - fixtures
    NOW,
    PLANTED_EMAIL,
    PLANTED_FIRST,
    PLANTED_LAST,
    START,
    clock,
    patient,
    world,
)
from tests.support.personas import sign_in
from tests.support.scheduling_world import at


def feed_url(feed: CalendarFeed) -> str:
    return reverse("site:calendar-feed", kwargs={"token": feed.token})


def add(world, patient, start, *, practitioner=None, status=AppointmentStatus.BOOKED, room=0):
    return Appointment.objects.create(
        organization=world.clinic,
        location=world.location,
        service=world.face,
        patient=patient,
        practitioner=practitioner or world.ana,
        room=world.rooms[room],
        starts_at=start,
        ends_at=start + timedelta(minutes=90),
        status=status,
        source="phone",
    )


@pytest.fixture
def schedule(world, patient, clock):
    """Ana's calendar: two in the window, one just outside each end, one cancelled, and
    one of Ben's."""
    return {
        "past": add(world, patient, NOW - timedelta(days=10), status=AppointmentStatus.CHECKED_IN),
        "next": add(world, patient, START, room=1),
        "too_old": add(world, patient, NOW - timedelta(days=31)),
        "too_far": add(world, patient, NOW + timedelta(days=91)),
        "cancelled": add(world, patient, at(2027, 1, 12, 10), status=AppointmentStatus.CANCELLED),
        "bens": add(world, patient, at(2027, 1, 13, 10), practitioner=world.ben),
    }


def test_the_feed_lists_the_practitioners_appointments_with_initials_only(client, world, schedule):
    feed = calendar_feed_rotate(staff=world.ana)
    response = client.get(feed_url(feed))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    calendar = Calendar.from_ical(response.content)
    events = {str(e["UID"]): e for e in calendar.events}
    assert set(events) == {
        f"staff-{schedule[name].public_id}@needlepoint" for name in ("past", "next")
    }
    upcoming = events[f"staff-{schedule['next'].public_id}@needlepoint"]
    assert str(upcoming["SUMMARY"]) == "Face — Z.Q."
    assert str(upcoming["LOCATION"]) == f"Room 2, {world.location.name}"
    assert upcoming.start == START
    assert upcoming["DTSTART"].params["TZID"] == "America/Denver"
    body = response.content.decode()
    for secret in (PLANTED_FIRST, PLANTED_LAST, PLANTED_EMAIL, "555-0199"):
        assert secret not in body


def test_every_fetch_is_audited_without_the_token(client, world, schedule):
    feed = calendar_feed_rotate(staff=world.ana)
    before = AuditEvent.objects.filter(action=AuditAction.EXPORT).count()
    client.get(feed_url(feed))
    client.get(feed_url(feed))
    events = AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("id")[before:]
    assert len(events) == 2
    for event in events:
        assert event.object_type == "messaging.calendarfeed"
        assert event.actor == world.ana.user
        assert event.organization == world.clinic
        assert event.detail == {"calendar_feed": True, "events": 2}
        assert feed.token not in event.path and feed.token not in str(event.detail)
        assert event.patient_ref == ""


def test_unknown_revoked_and_rotated_tokens_are_not_found(client, world, schedule):
    feed = calendar_feed_rotate(staff=world.ana)
    old = feed_url(feed)
    assert client.get("/calendar/" + "x" * 43 + ".ics").status_code == 404
    assert client.get("/calendar/.ics").status_code == 404

    new = feed_url(calendar_feed_rotate(staff=world.ana))
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200

    calendar_feed_revoke(staff=world.ana)
    assert client.get(new).status_code == 404
    assert not AuditEvent.objects.filter(
        action=AuditAction.EXPORT, detail__calendar_feed=True, path__contains="x" * 10
    ).exists()


def test_a_demoted_or_deactivated_practitioner_loses_the_feed(client, world, schedule):
    feed = calendar_feed_rotate(staff=world.ana)
    world.ana.role = Role.FRONT_DESK
    world.ana.save()
    assert client.get(feed_url(feed)).status_code == 404
    world.ana.role = Role.PRACTITIONER
    world.ana.save()
    world.ana.user.is_active = False
    world.ana.user.save()
    assert client.get(feed_url(feed)).status_code == 404


def test_the_feed_costs_the_same_queries_however_long_it_is(
    client, world, patient, schedule, django_assert_num_queries
):
    feed = calendar_feed_rotate(staff=world.ana)
    url = feed_url(feed)
    client.get(url)  # warm up (content types, sessions)
    # The feed with its staff member, the appointments, and the audit row (savepoint, the
    # chain's last hash, the insert, release; PostgreSQL adds the chain's advisory lock).
    expected = 6 + (connection.vendor == "postgresql")
    with django_assert_num_queries(expected):
        client.get(url)
    for day in range(14, 24):
        add(world, patient, at(2027, 1, day, 9))
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert len(Calendar.from_ical(response.content).events) > 10


def test_a_practitioner_gets_rotates_and_turns_off_their_link(client, cast):
    staff = cast.practitioner.staff_profile
    page = reverse("messaging:calendar-feed-manage")
    sign_in(client, cast.practitioner)
    assert "Get my calendar link" in client.get(page).content.decode()

    new, off = reverse("messaging:calendar-feed-new"), reverse("messaging:calendar-feed-off")
    assert client.post(new).status_code == 302
    first = CalendarFeed.objects.get(staff=staff)
    body = client.get(page).content.decode()
    assert f"/calendar/{first.token}.ics" in body and "webcal://" in body

    client.post(new)
    second = CalendarFeed.objects.get(staff=staff)
    assert second.token != first.token
    assert client.get(f"/calendar/{first.token}.ics").status_code == 404

    client.post(off)
    assert client.get(f"/calendar/{second.token}.ics").status_code == 404
    assert "Get my calendar link" in client.get(page).content.decode()
    actions = AuditEvent.objects.filter(object_type="messaging.calendarfeed").values_list(
        "action", "detail__calendar_feed"
    )
    assert list(actions.order_by("id")) == [
        ("create", "issued"),
        ("update", "rotated"),
        ("update", "revoked"),
    ]


def test_the_owner_reads_the_delivery_log_but_cannot_change_it(
    client, cast, clock, django_capture_on_commit_callbacks
):
    patient = factories.PatientFactory(organization=cast.clinic, last_name="Logged")
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = message_send(
            patient=patient, purpose=Purpose.WAITLIST_OFFER, subject="A time", text="A time."
        )

    sign_in(client, cast.owner)
    listing = client.get(reverse("admin:messaging_messagedelivery_changelist"))
    assert listing.status_code == 200
    body = listing.content.decode()
    assert patient.record_number in body
    assert "Logged" not in body  # record numbers, not names
    detail = client.get(reverse("admin:messaging_messagedelivery_change", args=[delivery.pk]))
    assert detail.status_code == 200
    assert "Sent" in detail.content.decode()
    assert client.get(reverse("admin:messaging_messagedelivery_add")).status_code == 403
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(delivery.public_id)
    ).exists()

    sign_in(client, cast.outsider)
    foreign = client.get(reverse("admin:messaging_messagedelivery_change", args=[delivery.pk]))
    assert foreign.status_code == 302  # "does not exist", back to the list
    listing = client.get(reverse("admin:messaging_messagedelivery_changelist"))
    assert patient.record_number not in listing.content.decode()
