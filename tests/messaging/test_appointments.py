"""Appointment messages: a confirmation with a calendar invitation, reminders at 48 h and
2 h, skipped when the booking is cancelled or moved, and the patient's channel respected."""

# ruff: noqa: F811 - the fixtures imported from tests.support.messaging_fakes are redefined as arguments
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from needlepoint.messaging.models import (
    Channel,
    DeliveryStatus,
    MessageDelivery,
    Purpose,
    SkipReason,
)
from needlepoint.messaging.tasks import message_delivery_send
from needlepoint.patients.models import ReminderChannel
from needlepoint.scheduling.links import manage_url
from needlepoint.scheduling.models import Appointment, AppointmentStatus
from needlepoint.scheduling.services import appointment_cancel, appointment_reschedule
from tests.support.messaging_fakes import (  # noqa: F401 - fixtures
    NOW,
    PLANTED_FIRST,
    PLANTED_LAST,
    START,
    book,
    clock,
    database_queue,
    hours_before,
    patient,
    texts,
    world,
)
from tests.support.scheduling_world import DENVER, at


def invitation(message) -> Calendar:
    (part,) = [a for a in message.attachments if a.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def deliveries(appointment, **filters):
    return MessageDelivery.objects.filter(appointment=appointment, **filters).order_by("id")


def run(delivery):
    return message_delivery_send.call(delivery_id=delivery.pk)


def test_booking_emails_a_confirmation_with_a_valid_invitation(client, book, patient):
    appointment = book(patient)

    (message,) = mail.outbox
    assert message.to == [patient.email]
    assert appointment.organization.name in message.subject
    assert "Monday, January 11, 2027 at 10:00 AM MST" in message.subject
    link = manage_url(appointment)
    assert link in message.body
    assert "Face" in message.body  # an email may name the service
    assert "numbing cream" in message.body  # what to expect
    (html, mimetype), *_ = message.alternatives
    assert mimetype == "text/html" and link in html

    calendar = invitation(message)
    assert calendar.method == "REQUEST"
    (event,) = calendar.events
    assert event.start == appointment.starts_at
    assert event["DTSTART"].params["TZID"] == "America/Denver"
    assert event.start.tzinfo.key == "America/Denver"  # a real zone, not a fixed offset
    assert event.end == appointment.ends_at
    assert str(event["UID"]) == f"{appointment.public_id}@needlepoint"
    assert str(event["SUMMARY"]).startswith("Face")
    assert "100 Central Ave SW" in str(event["LOCATION"])
    assert link in str(event["DESCRIPTION"])
    assert [tz.tz_name for tz in calendar.timezones] == ["America/Denver"]

    # The link in the email opens the booking.
    assert client.get(urlsplit(link).path).status_code == 200
    confirmation = deliveries(appointment, purpose=Purpose.CONFIRMATION).get()
    assert confirmation.status == DeliveryStatus.SENT
    assert confirmation.attempts == 1
    assert confirmation.provider_message_id == message.extra_headers["Message-ID"]


def test_reminders_are_scheduled_48_and_2_hours_before(book, patient):
    appointment = book(patient)
    reminders = deliveries(appointment, purpose=Purpose.REMINDER)
    assert [(d.channel, d.scheduled_for) for d in reminders] == [
        (Channel.EMAIL, hours_before(START, 48)),
        (Channel.EMAIL, hours_before(START, 2)),
    ]
    assert all(d.status == DeliveryStatus.QUEUED and d.attempts == 0 for d in reminders)
    assert len(mail.outbox) == 1  # only the confirmation so far


def test_reminders_wait_in_the_database_queue_until_their_time(book, patient, database_queue):
    appointment = book(patient)
    jobs = {
        job.args_kwargs["kwargs"]["delivery_id"]: job
        for job in DBTaskResult.objects.filter(task_path__endswith="message_delivery_send")
    }
    reminders = deliveries(appointment, purpose=Purpose.REMINDER)
    assert {jobs[d.pk].run_after for d in reminders} == {
        hours_before(START, 48),
        hours_before(START, 2),
    }
    confirmation = deliveries(appointment, purpose=Purpose.CONFIRMATION).get()
    assert jobs[confirmation.pk].task.run_after is None  # due at once
    assert all(job.status == "READY" for job in jobs.values())
    assert mail.outbox == []  # nothing runs until the worker does


def test_reminders_in_the_past_are_not_scheduled(world, clock, book, patient):
    clock.move_to(hours_before(START, 30))
    appointment = book(patient)
    reminders = deliveries(appointment, purpose=Purpose.REMINDER)
    assert [d.scheduled_for for d in reminders] == [hours_before(START, 2)]


@pytest.mark.parametrize("setting, expected", [([24], [24]), ([72, 1], [72, 1])])
def test_reminder_hours_come_from_settings(settings, book, patient, setting, expected):
    settings.REMINDER_HOURS = setting
    appointment = book(patient)
    reminders = deliveries(appointment, purpose=Purpose.REMINDER)
    assert [d.scheduled_for for d in reminders] == [hours_before(START, h) for h in expected]


def test_a_reminder_goes_out_at_its_time(clock, book, patient):
    appointment = book(patient)
    mail.outbox.clear()
    first = deliveries(appointment, purpose=Purpose.REMINDER).first()
    clock.move_to(first.scheduled_for)
    assert run(first) == DeliveryStatus.SENT
    (message,) = mail.outbox
    assert message.subject.startswith("Reminder:")
    assert manage_url(appointment) in message.body
    assert not [a for a in message.attachments if a.get_content_type() == "text/calendar"]


def test_a_reminder_after_cancelling_is_skipped(
    clock, book, patient, django_capture_on_commit_callbacks
):
    appointment = book(patient)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment, reason="Unwell", now=NOW)

    (notice,) = mail.outbox
    assert notice.subject.startswith("Cancelled:")
    assert invitation(notice).method == "CANCEL"
    assert str(invitation(notice).events[0]["UID"]) == f"{appointment.public_id}@needlepoint"
    reminders = list(deliveries(appointment, purpose=Purpose.REMINDER))
    assert {(d.status, d.skip_reason) for d in reminders} == {
        (DeliveryStatus.SKIPPED, SkipReason.APPOINTMENT_CANCELLED)
    }
    clock.move_to(reminders[0].scheduled_for)
    mail.outbox.clear()
    run(reminders[0])
    assert mail.outbox == []


def test_the_job_itself_skips_a_reminder_of_a_cancelled_appointment(clock, book, patient):
    """Even when nothing told messaging (a cancel written some other way)."""
    appointment = book(patient)
    Appointment.objects.filter(pk=appointment.pk).update(status=AppointmentStatus.CANCELLED)
    reminder = deliveries(appointment, purpose=Purpose.REMINDER).first()
    clock.move_to(reminder.scheduled_for)
    mail.outbox.clear()
    assert run(reminder) == DeliveryStatus.SKIPPED
    reminder.refresh_from_db()
    assert reminder.skip_reason == SkipReason.APPOINTMENT_CANCELLED
    assert mail.outbox == []


def test_rescheduling_skips_old_reminders_and_confirms_the_new_time(
    world, clock, book, patient, django_capture_on_commit_callbacks
):
    appointment = book(patient)
    old = list(deliveries(appointment, purpose=Purpose.REMINDER))
    mail.outbox.clear()
    new_start = at(2027, 1, 12, 14)
    with django_capture_on_commit_callbacks(execute=True):
        appointment_reschedule(appointment=appointment, start=new_start, now=NOW)

    for delivery in old:
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SKIPPED
        assert delivery.skip_reason == SkipReason.APPOINTMENT_CHANGED
    (message,) = mail.outbox
    assert "2:00 PM" in message.subject
    (event,) = invitation(message).events
    assert event.start == new_start
    assert event["SEQUENCE"] == 1  # the calendar replaces the first invitation
    new = deliveries(appointment, purpose=Purpose.REMINDER, status=DeliveryStatus.QUEUED)
    assert [d.scheduled_for for d in new] == [
        hours_before(new_start, 48),
        hours_before(new_start, 2),
    ]
    clock.move_to(old[-1].scheduled_for)
    mail.outbox.clear()
    run(old[-1])
    assert mail.outbox == []


def test_the_job_itself_skips_a_reminder_of_a_moved_appointment(clock, book, patient):
    appointment = book(patient)
    moved = START + timedelta(days=1)
    Appointment.objects.filter(pk=appointment.pk).update(
        starts_at=moved, ends_at=moved + timedelta(minutes=90)
    )
    reminder = deliveries(appointment, purpose=Purpose.REMINDER).last()
    clock.move_to(reminder.scheduled_for)
    mail.outbox.clear()
    assert run(reminder) == DeliveryStatus.SKIPPED
    reminder.refresh_from_db()
    assert reminder.skip_reason == SkipReason.APPOINTMENT_CHANGED
    assert mail.outbox == []


def test_a_late_reminder_is_not_sent_after_the_start(clock, book, patient):
    appointment = book(patient)
    reminder = deliveries(appointment, purpose=Purpose.REMINDER).last()
    clock.move_to(START + timedelta(minutes=5))  # the worker was down
    mail.outbox.clear()
    assert run(reminder) == DeliveryStatus.SKIPPED
    reminder.refresh_from_db()
    assert reminder.skip_reason == SkipReason.TOO_LATE


def test_an_sms_patient_gets_text_reminders_and_no_reminder_email(clock, book, patient, texts):
    patient.reminder_channel = ReminderChannel.SMS
    patient.save()
    appointment = book(patient)

    # The booking confirmation still goes by email (asked for), and by text too.
    assert [m.subject for m in mail.outbox] and len(mail.outbox) == 1
    (confirmation_text,) = texts
    assert confirmation_text.to == "+15055550199"
    reminders = list(deliveries(appointment, purpose=Purpose.REMINDER))
    assert {d.channel for d in reminders} == {Channel.SMS}
    assert len(reminders) == 2

    mail.outbox.clear()
    clock.move_to(reminders[0].scheduled_for)
    assert run(reminders[0]) == DeliveryStatus.SENT
    assert mail.outbox == []
    reminder_text = texts[-1]
    body = reminder_text.body
    assert "Mon Jan 11 at 10:00 AM MST" in body
    assert manage_url(appointment) in body
    assert "STOP" in body
    # A treatment name is health information: never in a text, nor the patient's name.
    assert "Face" not in body and "face" not in body
    assert PLANTED_FIRST not in body and PLANTED_LAST not in body


@pytest.mark.parametrize(
    "channel, reminder_channels",
    [
        (ReminderChannel.EMAIL, {Channel.EMAIL}),
        (ReminderChannel.BOTH, {Channel.EMAIL, Channel.SMS}),
        (ReminderChannel.NONE, set()),
    ],
)
def test_reminder_channels_follow_the_patient(book, patient, texts, channel, reminder_channels):
    patient.reminder_channel = channel
    patient.save()
    appointment = book(patient)
    reminders = deliveries(appointment, purpose=Purpose.REMINDER)
    assert {d.channel for d in reminders} == reminder_channels
    confirmations = deliveries(appointment, purpose=Purpose.CONFIRMATION)
    assert Channel.EMAIL in {d.channel for d in confirmations}


def test_a_patient_without_email_is_logged_as_no_address(book, patient):
    patient.email = ""
    patient.save()
    appointment = book(patient)
    confirmation = deliveries(appointment, purpose=Purpose.CONFIRMATION).get()
    assert confirmation.status == DeliveryStatus.SKIPPED
    assert confirmation.skip_reason == SkipReason.NO_ADDRESS
    assert mail.outbox == []


@pytest.mark.parametrize(
    "booked_at, start, zone_name, utc_offset, reminder_hour",
    [
        # DST starts March 14, 2027: 48 elapsed hours before 10:00 MDT is 09:00 MST.
        (at(2027, 3, 10, 8), at(2027, 3, 15, 10), "MDT", -6, 9),
        # DST ends November 7, 2027: 48 elapsed hours before 10:00 MST is 11:00 MDT.
        (at(2027, 11, 3, 8), at(2027, 11, 8, 10), "MST", -7, 11),
    ],
)
def test_invitations_and_reminders_across_daylight_saving_switches(
    clock, book, patient, booked_at, start, zone_name, utc_offset, reminder_hour
):
    clock.move_to(booked_at)
    appointment = book(patient, start=start, now=booked_at)
    (event,) = invitation(mail.outbox[0]).events
    assert event.start == start
    assert event.start.utcoffset() == timedelta(hours=utc_offset)
    assert f"10:00 AM {zone_name}" in mail.outbox[0].subject
    first_reminder = deliveries(appointment, purpose=Purpose.REMINDER).first()
    assert first_reminder.scheduled_for == hours_before(start, 48)
    assert first_reminder.scheduled_for.astimezone(DENVER).hour == reminder_hour


def test_cancelling_a_past_appointment_tells_nobody(
    clock, book, patient, django_capture_on_commit_callbacks
):
    appointment = book(patient)
    mail.outbox.clear()
    clock.move_to(START + timedelta(hours=3))
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(appointment=appointment, reason="Tidy-up")
    assert mail.outbox == []
    assert not deliveries(appointment, purpose=Purpose.CANCELLATION).exists()


def test_a_silent_booking_schedules_nothing(
    world, clock, patient, django_capture_on_commit_callbacks
):
    """Demo data and imports book with notify=False."""
    from needlepoint.scheduling.services import appointment_book

    with django_capture_on_commit_callbacks(execute=True):
        appointment = appointment_book(
            location=world.location,
            service=world.face,
            start=START,
            patient=patient,
            source="phone",
            now=NOW,
            notify=False,
        )
    assert not deliveries(appointment).exists()
    assert mail.outbox == []
