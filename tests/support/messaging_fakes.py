"""Fakes at the providers' edge for the messaging tests, selected through settings
(`SMS_BACKEND`, `EMAIL_BACKEND`), plus the fixtures the messaging test modules share."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django_tasks import task_backends

from needlepoint.messaging.sms import SmsError
from needlepoint.patients.models import ReminderChannel
from needlepoint.scheduling.services import appointment_book
from tests.support import factories
from tests.support.scheduling_world import at, make_world

MONDAY = date(2027, 1, 11)
NOW = at(2027, 1, 4, 8)  # a week before
START = at(2027, 1, 11, 10)
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Planted in the patient record: none of it may show up in logs, texts or the staff feed.
PLANTED_FIRST = "Zebedee"
PLANTED_LAST = "Quillfeather"
PLANTED_EMAIL = "zebedee.quillfeather@example.com"


@dataclass
class Text:
    to: str
    body: str


class RecordingSmsBackend:
    outbox: list[Text] = []

    def send(self, to: str, body: str) -> str:
        self.outbox.append(Text(to, body))
        return f"SM{len(self.outbox):032d}"


class FailingSmsBackend:
    calls = 0

    def send(self, to: str, body: str) -> str:
        FailingSmsBackend.calls += 1
        raise SmsError("Twilio answered 503")


class RefusingEmailBackend(BaseEmailBackend):
    """An SMTP server that refuses the recipient, quoting the address back (as they do)."""

    def send_messages(self, email_messages):
        address = email_messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({address: (550, f"<{address}> unknown".encode())})


@pytest.fixture
def texts(settings):
    settings.SMS_BACKEND = "tests.support.messaging_fakes.RecordingSmsBackend"
    RecordingSmsBackend.outbox = []
    return RecordingSmsBackend.outbox


@pytest.fixture
def database_queue(settings):
    """Tests default to the immediate backend; this uses the production queue."""
    settings.TASKS = DATABASE_QUEUE
    assert type(task_backends["default"]).__name__ == "DatabaseBackend"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def patient(world):
    return factories.PatientFactory(
        organization=world.clinic,
        first_name=PLANTED_FIRST,
        last_name=PLANTED_LAST,
        email=PLANTED_EMAIL,
        phone="(505) 555-0199",
        reminder_channel=ReminderChannel.EMAIL,
    )


@pytest.fixture
def book(world, clock, django_capture_on_commit_callbacks):
    """Book through the real service at NOW, running what it leaves for after the commit."""

    def _book(patient, start: datetime = START, service=None, now: datetime = NOW):
        with django_capture_on_commit_callbacks(execute=True):
            return appointment_book(
                location=world.location,
                service=service or world.face,
                start=start,
                patient=patient,
                source="phone",
                now=now,
            )

    return _book


def hours_before(start: datetime, hours: int) -> datetime:
    """Elapsed hours (in UTC), not wall-clock ones: they differ across a DST switch."""
    return start.astimezone(UTC) - timedelta(hours=hours)
