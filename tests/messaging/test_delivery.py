"""The delivery job: retries with backoff through the queue, failure recording without PHI,
duplicate jobs, the generic `message_send`, and logs free of patient details."""

# ruff: noqa: F811 - the fixtures imported from tests.support.messaging_fakes are redefined as arguments
from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from needlepoint.messaging.models import Channel, DeliveryStatus, MessageDelivery, Purpose
from needlepoint.messaging.services import message_send
from needlepoint.messaging.tasks import RETRY_DELAYS, message_delivery_send
from needlepoint.patients.models import ReminderChannel
from needlepoint.scheduling.services import appointment_cancel
from tests.support.messaging_fakes import (  # noqa: F401 - fixtures
    NOW,
    PLANTED_EMAIL,
    PLANTED_FIRST,
    PLANTED_LAST,
    START,
    FailingSmsBackend,
    book,
    clock,
    database_queue,
    patient,
    texts,
    world,
)


def queued_jobs():
    return list(
        DBTaskResult.objects.filter(
            task_path__endswith="message_delivery_send", status="READY"
        ).order_by("enqueued_at")
    )


@pytest.fixture
def failing_sms(settings):
    settings.SMS_BACKEND = "tests.support.messaging_fakes.FailingSmsBackend"
    FailingSmsBackend.calls = 0


def sms_delivery(patient, django_capture_on_commit_callbacks, **kwargs):
    patient.reminder_channel = ReminderChannel.SMS
    patient.save()
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = message_send(
            patient=patient,
            purpose=Purpose.WAITLIST_OFFER,
            subject="A time opened up",
            text="A time opened up on Monday. Book it at https://clinic.example/book/",
            channels=[Channel.SMS],
            **kwargs,
        )
    return delivery


def test_a_failed_text_is_retried_through_the_queue_then_marked_failed(
    clock, patient, failing_sms, database_queue, django_capture_on_commit_callbacks
):
    delivery = sms_delivery(patient, django_capture_on_commit_callbacks)
    (first,) = queued_jobs()
    assert first.args_kwargs["kwargs"]["attempt"] == 1

    now = NOW
    for attempt, delay in enumerate(RETRY_DELAYS, start=1):
        job = queued_jobs()[-1]
        assert message_delivery_send.call(**job.args_kwargs["kwargs"]) == "retrying"
        job.delete()
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.QUEUED
        assert delivery.attempts == attempt
        assert delivery.last_error == "Twilio answered 503"
        (retry,) = queued_jobs()
        assert retry.args_kwargs["kwargs"]["attempt"] == attempt + 1
        assert retry.run_after == now + delay  # backoff: 2 then 10 minutes
        now = retry.run_after
        clock.move_to(now)

    (last,) = queued_jobs()
    assert message_delivery_send.call(**last.args_kwargs["kwargs"]) == DeliveryStatus.FAILED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert delivery.sent_at is None
    assert FailingSmsBackend.calls == 3
    last.delete()
    assert queued_jobs() == []


def test_without_a_deferring_queue_retries_run_at_once(
    clock, patient, failing_sms, django_capture_on_commit_callbacks
):
    delivery = sms_delivery(patient, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert FailingSmsBackend.calls == 3


def test_a_refused_email_records_the_smtp_code_not_the_address(
    settings, clock, book, patient, caplog
):
    settings.EMAIL_BACKEND = "tests.support.messaging_fakes.RefusingEmailBackend"
    with caplog.at_level(logging.DEBUG):
        appointment = book(patient)
    confirmation = MessageDelivery.objects.get(
        appointment=appointment, purpose=Purpose.CONFIRMATION
    )
    assert confirmation.status == DeliveryStatus.FAILED
    assert confirmation.attempts == 3
    assert confirmation.last_error == "SMTPRecipientsRefused"
    assert PLANTED_EMAIL not in caplog.text


def test_a_job_enqueued_twice_sends_once(clock, book, patient):
    appointment = book(patient)
    reminder = MessageDelivery.objects.filter(
        appointment=appointment, purpose=Purpose.REMINDER
    ).first()
    clock.move_to(reminder.scheduled_for)
    mail.outbox.clear()
    assert message_delivery_send.call(delivery_id=reminder.pk) == DeliveryStatus.SENT
    assert message_delivery_send.call(delivery_id=reminder.pk) == "duplicate"
    assert len(mail.outbox) == 1


def test_message_send_follows_preferences_and_carries_the_callers_text(
    clock, patient, texts, django_capture_on_commit_callbacks
):
    patient.reminder_channel = ReminderChannel.BOTH
    patient.save()
    with django_capture_on_commit_callbacks(execute=True):
        sent = message_send(
            patient=patient,
            purpose="waitlist_offer",
            subject="A time opened up",
            text="Hello,\n\nA time opened up on Monday.",
            html="<p>A time opened up on Monday.</p>",
            sms_text="A time opened up on Monday. Reply STOP to opt out.",
        )
    assert {(d.channel, d.status) for d in sent} == {
        (Channel.EMAIL, DeliveryStatus.QUEUED),
        (Channel.SMS, DeliveryStatus.QUEUED),
    }
    assert {d.status for d in MessageDelivery.objects.all()} == {DeliveryStatus.SENT}
    (email,) = mail.outbox
    assert email.subject == "A time opened up" and email.alternatives
    assert [t.body for t in texts] == ["A time opened up on Monday. Reply STOP to opt out."]


def test_message_send_refuses_another_patients_appointment(world, patient, clock, book):
    from tests.support import factories

    other = factories.PatientFactory(organization=world.clinic)
    appointment = book(other)
    with pytest.raises(ValueError, match="another patient"):
        message_send(
            patient=patient,
            purpose=Purpose.REMINDER,
            subject="x",
            text="x",
            appointment=appointment,
        )


def test_a_scheduled_generic_message_waits_in_the_queue(
    clock, patient, database_queue, django_capture_on_commit_callbacks
):
    later = NOW + timedelta(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        (delivery,) = message_send(
            patient=patient,
            purpose=Purpose.WAITLIST_OFFER,
            subject="Later",
            text="Later.",
            scheduled_for=later,
        )
    (job,) = queued_jobs()
    assert job.run_after == later
    assert job.args_kwargs["kwargs"]["delivery_id"] == delivery.pk


def test_logs_carry_no_patient_details(
    settings, clock, book, patient, texts, caplog, django_capture_on_commit_callbacks
):
    """docs/security-targets.md D6: a whole life cycle, logged at DEBUG, never names the patient."""
    settings.DEBUG = True
    settings.SMS_BACKEND = "needlepoint.messaging.sms.ConsoleSmsBackend"
    patient.reminder_channel = ReminderChannel.BOTH
    patient.save()
    with caplog.at_level(logging.DEBUG):
        appointment = book(patient)
        for reminder in MessageDelivery.objects.filter(purpose=Purpose.REMINDER):
            clock.move_to(reminder.scheduled_for)
            message_delivery_send.call(delivery_id=reminder.pk)
        with django_capture_on_commit_callbacks(execute=True):
            appointment_cancel(appointment=appointment, reason="Unwell")
    assert "SMS to" in caplog.text  # the console backend did log
    assert MessageDelivery.objects.filter(status=DeliveryStatus.SENT).count() >= 5
    for secret in (PLANTED_FIRST, PLANTED_LAST, PLANTED_EMAIL, "555-0199", "5055550199"):
        assert secret not in caplog.text, secret
    assert appointment.service.name not in "".join(
        r.getMessage() for r in caplog.records if r.name == "needlepoint.sms"
    )


# The worker closes database connections between tasks; a transactional test lets it.
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_the_confirmation_now_and_the_reminder_at_its_time(
    clock, book, patient, database_queue
):
    appointment = book(patient)
    assert mail.outbox == []
    call_command("db_worker", max_tasks=1, no_startup_delay=True, verbosity=0, interval=0.01)
    (confirmation,) = mail.outbox
    assert confirmation.subject.startswith("You're booked")

    first = MessageDelivery.objects.filter(appointment=appointment, purpose=Purpose.REMINDER)
    first = first.order_by("scheduled_for").first()
    clock.move_to(first.scheduled_for + timedelta(seconds=1))
    call_command("db_worker", max_tasks=1, no_startup_delay=True, verbosity=0, interval=0.01)
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("Reminder:")
    first.refresh_from_db()
    assert first.status == DeliveryStatus.SENT
    assert first.sent_at < START
