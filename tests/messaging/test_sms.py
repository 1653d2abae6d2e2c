"""Text messages: the Twilio backend against a fake Twilio on 127.0.0.1, replies to texts (STOP opts
out at once, START opts back in; docs/security-targets.md I3) and the webhook's signature."""

# ruff: noqa: F811 - the fixtures imported from tests.support.messaging_fakes are redefined as arguments
from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from django.urls import reverse

from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.messaging import policy
from needlepoint.messaging.models import Channel, DeliveryStatus, MessageDelivery, Purpose
from needlepoint.messaging.sms import SmsError, TwilioSmsBackend, twilio_signature
from needlepoint.messaging.tasks import message_delivery_send
from needlepoint.patients.models import ReminderChannel
from tests.support import factories
from tests.support.messaging_fakes import (  # noqa: F401 - fixtures
    PLANTED_FIRST,
    book,
    clock,
    patient,
    texts,
    world,
)

SID = "AC" + "0" * 32
TOKEN = "twilio-test-auth-token"
INBOUND = "/messaging/sms/inbound"


class FakeTwilio(BaseHTTPRequestHandler):
    requests: list[dict] = []
    status = 201
    answer: dict = {}
    delay = 0.0

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        FakeTwilio.requests.append(
            {
                "path": self.path,
                "authorization": self.headers["Authorization"],
                "form": {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()},
            }
        )
        time.sleep(FakeTwilio.delay)
        body = json.dumps(FakeTwilio.answer).encode()
        self.send_response(FakeTwilio.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep test output quiet
        pass


@pytest.fixture
def twilio(settings):
    FakeTwilio.requests = []
    FakeTwilio.status, FakeTwilio.answer, FakeTwilio.delay = 201, {"sid": "SM123"}, 0.0
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeTwilio)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_BACKEND = "needlepoint.messaging.sms.TwilioSmsBackend"
    settings.TWILIO_ACCOUNT_SID = SID
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.TWILIO_FROM_NUMBER = "+15055550100"
    settings.TWILIO_API_BASE = f"http://127.0.0.1:{server.server_port}"
    yield FakeTwilio
    server.shutdown()
    server.server_close()


def test_the_twilio_backend_posts_the_message_with_basic_auth(twilio):
    assert TwilioSmsBackend().send("+15055550199", "See you Monday.") == "SM123"
    (request,) = twilio.requests
    assert request["path"] == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert (
        request["authorization"] == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    )
    assert request["form"] == {
        "To": "+15055550199",
        "From": "+15055550100",
        "Body": "See you Monday.",
    }


def test_a_twilio_refusal_is_an_sms_error_with_its_code_but_not_the_number(twilio):
    twilio.status = 400
    twilio.answer = {"code": 21211, "message": "The 'To' number +15055550199 is not valid."}
    with pytest.raises(SmsError) as refused:
        TwilioSmsBackend().send("+15055550199", "Hello")
    assert str(refused.value) == "Twilio answered 400 (error 21211)"


def test_a_slow_twilio_times_out_as_an_sms_error(twilio):
    twilio.delay = 1.0
    with pytest.raises(SmsError, match="unreachable"):
        TwilioSmsBackend(timeout=0.2).send("+15055550199", "Hello")


def test_an_answer_without_a_message_id_is_an_error(twilio):
    twilio.answer = {"status": "queued"}
    with pytest.raises(SmsError, match="without a message id"):
        TwilioSmsBackend().send("+15055550199", "Hello")


def test_a_reminder_text_goes_through_twilio(clock, book, patient, twilio):
    patient.reminder_channel = ReminderChannel.SMS
    patient.save()
    appointment = book(patient)
    reminder = MessageDelivery.objects.filter(
        appointment=appointment, purpose=Purpose.REMINDER
    ).first()
    clock.move_to(reminder.scheduled_for)
    assert message_delivery_send.call(delivery_id=reminder.pk) == DeliveryStatus.SENT
    reminder.refresh_from_db()
    assert reminder.provider_message_id == "SM123"
    _confirmation, reminder_request = twilio.requests
    assert reminder_request["form"]["To"] == "+15055550199"
    assert "reminder" in reminder_request["form"]["Body"]
    assert appointment.service.name not in reminder_request["form"]["Body"]
    assert PLANTED_FIRST not in reminder_request["form"]["Body"]


def reply(client, body: str, sender: str = "+15055550199", **headers):
    return client.post(INBOUND, {"From": sender, "To": "+15055550100", "Body": body}, **headers)


@pytest.mark.parametrize("word", [*sorted(policy.STOP_WORDS), "stop", "  Stop \n"])
def test_stop_opts_every_patient_with_that_number_out_of_texts(settings, client, world, word):
    settings.TWILIO_AUTH_TOKEN = ""
    both = factories.PatientFactory(
        organization=world.clinic, phone="(505) 555-0199", reminder_channel=ReminderChannel.BOTH,
        marketing_sms=True,
    )  # fmt: skip
    sms_only = factories.PatientFactory(
        organization=world.clinic, phone="505.555.0199", reminder_channel=ReminderChannel.SMS
    )
    elsewhere = factories.PatientFactory(phone="+1 505 555 0199", reminder_channel="sms")
    stranger = factories.PatientFactory(
        organization=world.clinic, phone="(505) 555-0142", reminder_channel=ReminderChannel.SMS
    )
    response = reply(client, word)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    for record, channel in [(both, "email"), (sms_only, "none"), (elsewhere, "none")]:
        record.refresh_from_db()
        assert (record.reminder_channel, record.marketing_sms) == (channel, False)
    stranger.refresh_from_db()
    assert stranger.reminder_channel == ReminderChannel.SMS
    events = AuditEvent.objects.filter(action=AuditAction.UPDATE, detail__sms="opt_out")
    assert {e.patient_ref for e in events} == {
        str(p.public_id) for p in (both, sms_only, elsewhere)
    }
    assert all(e.path == INBOUND and "555" not in json.dumps(e.detail) for e in events)


def test_after_stop_nothing_is_texted_and_start_brings_texts_back(
    settings, client, clock, book, patient, texts
):
    settings.TWILIO_AUTH_TOKEN = ""
    patient.reminder_channel = ReminderChannel.BOTH
    patient.save()
    appointment = book(patient)
    first, second = MessageDelivery.objects.filter(
        appointment=appointment, purpose=Purpose.REMINDER, channel=Channel.SMS
    ).order_by("scheduled_for")
    texts.clear()

    reply(client, "STOP")
    clock.move_to(first.scheduled_for)
    assert message_delivery_send.call(delivery_id=first.pk) == DeliveryStatus.SKIPPED
    first.refresh_from_db()
    assert first.skip_reason == "opted_out"
    assert texts == []
    # Email reminders carry on.
    email = MessageDelivery.objects.get(
        appointment=appointment, channel=Channel.EMAIL, scheduled_for=first.scheduled_for
    )
    assert message_delivery_send.call(delivery_id=email.pk) == DeliveryStatus.SENT

    reply(client, "START")
    patient.refresh_from_db()
    assert patient.reminder_channel == ReminderChannel.BOTH
    assert patient.marketing_sms is False  # marketing needs a fresh yes
    clock.move_to(second.scheduled_for)
    assert message_delivery_send.call(delivery_id=second.pk) == DeliveryStatus.SENT
    assert len(texts) == 1


def test_other_replies_change_nothing(settings, client, patient):
    settings.TWILIO_AUTH_TOKEN = ""
    patient.reminder_channel = ReminderChannel.SMS
    patient.save()
    assert reply(client, "Running 10 min late, sorry").status_code == 200
    patient.refresh_from_db()
    assert patient.reminder_channel == ReminderChannel.SMS
    assert not AuditEvent.objects.filter(detail__has_key="sms").exists()


def test_a_signed_reply_is_accepted(settings, client, patient):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.SITE_URL = "https://clinic.example.com"
    patient.reminder_channel = ReminderChannel.SMS
    patient.save()
    params = {"From": "+15055550199", "To": "+15055550100", "Body": "STOP"}
    signature = twilio_signature(f"https://clinic.example.com{INBOUND}", params, TOKEN)
    response = client.post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=signature)
    assert response.status_code == 200
    patient.refresh_from_db()
    assert patient.reminder_channel == ReminderChannel.NONE


@pytest.mark.parametrize("signature", [None, "", "bm90LXRoZS1zaWduYXR1cmU=", "wrong-url"])
def test_an_unsigned_or_forged_reply_is_refused(settings, client, patient, signature):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    patient.reminder_channel = ReminderChannel.SMS
    patient.save()
    params = {"From": "+15055550199", "To": "+15055550100", "Body": "STOP"}
    headers = {}
    if signature == "wrong-url":
        headers["HTTP_X_TWILIO_SIGNATURE"] = twilio_signature(
            "https://evil.example.com/messaging/sms/inbound", params, TOKEN
        )
    elif signature is not None:
        headers["HTTP_X_TWILIO_SIGNATURE"] = signature
    assert client.post(INBOUND, params, **headers).status_code == 403
    patient.refresh_from_db()
    assert patient.reminder_channel == ReminderChannel.SMS


def test_without_a_twilio_token_replies_are_refused_in_production(settings, client, patient):
    settings.TWILIO_AUTH_TOKEN = ""
    settings.DEBUG = False
    settings.TESTING = False
    assert reply(client, "STOP").status_code == 403


def test_the_webhook_needs_no_csrf_token_but_only_accepts_post(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(INBOUND, {"From": "+15055550199", "Body": "hi"}).status_code == 200
    assert client.get(INBOUND).status_code == 405
    assert reverse("webhooks:sms-inbound") == INBOUND


@pytest.mark.parametrize(
    "typed, e164",
    [
        ("(505) 555-0199", "+15055550199"),
        ("505.555.0199", "+15055550199"),
        ("1-505-555-0199", "+15055550199"),
        ("+1 505 555 0199", "+15055550199"),
        ("+44 20 7946 0958", "+442079460958"),
        ("505-555-0199 ext. 12", "+15055550199"),
        ("555-0199", None),
        ("", None),
    ],
)
def test_phone_numbers_normalize_to_e164(typed, e164):
    assert policy.phone_e164(typed) == e164


def test_the_twilio_signature_matches_twilios_documented_example():
    """The worked example of Twilio's signature-validation snippets (TwilioDevEd/api-snippets:
    security/signature_validation)."""
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675310",
        "Digits": "1234",
        "From": "+14158675310",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature(url, params, "12345") == "GvWf1cFY/Q7PnoempGyD5oXAezc="
