"""The job that sends one message, run by the job worker (`manage.py db_worker`).

Each run re-reads the delivery, the patient and the appointment and decides afresh: a
message for an appointment that was cancelled or moved since it was scheduled is skipped,
and so is one on a channel the patient has opted out of (a STOP reply stops texts at once,
even those already queued). A provider failure is retried by enqueueing the job again with
`run_after` (2 and then 10 minutes later); the third failure marks the delivery failed.

Only ids travel through the queue for appointment messages; their text is built at send
time. Generic messages (`message_send`) carry their text in the job's arguments.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email.mime.text import MIMEText
from email.utils import make_msgid
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from needlepoint.messaging import content as appointment_content
from needlepoint.messaging import policy
from needlepoint.messaging.models import (
    APPOINTMENT_BOUND,
    Channel,
    DeliveryStatus,
    MessageDelivery,
    SkipReason,
)
from needlepoint.messaging.sms import SmsError, sms_backend
from needlepoint.scheduling.models import AppointmentStatus

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
RETRY_DELAYS = (timedelta(minutes=2), timedelta(minutes=10))
# Failures worth another try: the mail server or SMS provider refused or was unreachable.
TRANSIENT = (smtplib.SMTPException, OSError, SmsError)


@task()
def message_delivery_send(
    *, delivery_id: int, attempt: int = 1, message: dict[str, Any] | None = None
) -> str:
    """Send one delivery (or skip it). Returns its status; duplicates answer "duplicate"."""
    delivery = (
        MessageDelivery.objects.select_related(
            "patient",
            "appointment__service",
            "appointment__location__organization",
        )
        .filter(pk=delivery_id)
        .first()
    )
    if delivery is None or delivery.status != DeliveryStatus.QUEUED:
        return "duplicate"
    if delivery.attempts >= attempt:
        return "duplicate"  # this attempt already ran (the job was enqueued twice)
    now = timezone.now()
    reason = skip_reason(delivery, now=now)
    if reason:
        MessageDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SKIPPED, skip_reason=reason, updated_at=now
        )
        return DeliveryStatus.SKIPPED
    # Claim the attempt: of two copies of one job, only one gets past this update.
    claimed = MessageDelivery.objects.filter(
        pk=delivery.pk, status=DeliveryStatus.QUEUED, attempts=attempt - 1
    ).update(attempts=F("attempts") + 1, updated_at=now)
    if not claimed:
        return "duplicate"
    try:
        provider_id = _send(delivery, message=message, now=now)
    except TRANSIENT as exc:
        return _failed(
            delivery, attempt=attempt, error=safe_error(exc), retry=True, message=message
        )
    except Exception as exc:  # a bug, not the provider: record it, do not retry
        # The class only: an exception's text may quote a record (no PHI in logs).
        logger.error("Message %s could not be sent: %s", delivery.public_id, type(exc).__name__)
        return _failed(delivery, attempt=attempt, error=type(exc).__name__, retry=False)
    MessageDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENT,
        sent_at=timezone.now(),
        provider_message_id=provider_id[:200],
        last_error="",
        updated_at=timezone.now(),
    )
    return DeliveryStatus.SENT


def skip_reason(delivery: MessageDelivery, *, now: datetime) -> str:
    """Why this delivery should not go out now, or "" if it should."""
    appointment = delivery.appointment
    if appointment is not None and delivery.purpose in APPOINTMENT_BOUND:
        if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED):
            return SkipReason.APPOINTMENT_CANCELLED
        if appointment.status != AppointmentStatus.BOOKED or (
            delivery.appointment_starts_at is not None
            and appointment.starts_at != delivery.appointment_starts_at
        ):
            return SkipReason.APPOINTMENT_CHANGED
        if appointment.starts_at <= now:
            return SkipReason.TOO_LATE
    patient = delivery.patient
    if not policy.allowed(
        reminder_channel=patient.reminder_channel,
        purpose=delivery.purpose,
        channel=delivery.channel,
    ):
        return SkipReason.OPTED_OUT
    if delivery.channel == Channel.EMAIL and not patient.email:
        return SkipReason.NO_ADDRESS
    if delivery.channel == Channel.SMS and policy.phone_e164(patient.phone) is None:
        return SkipReason.NO_ADDRESS
    return ""


def safe_error(exc: BaseException) -> str:
    """The error's class and code, never its text: SMTP answers repeat addresses."""
    if isinstance(exc, SmsError):
        return str(exc)[:200]
    code = getattr(exc, "smtp_code", None) or getattr(exc, "errno", None)
    return f"{type(exc).__name__}{f' ({code})' if code else ''}"[:200]


def _failed(
    delivery: MessageDelivery,
    *,
    attempt: int,
    error: str,
    retry: bool,
    message: dict[str, Any] | None = None,
) -> str:
    if retry and attempt < MAX_ATTEMPTS:
        MessageDelivery.objects.filter(pk=delivery.pk).update(
            last_error=error, updated_at=timezone.now()
        )
        delivery_enqueue(
            delivery_id=delivery.pk,
            attempt=attempt + 1,
            run_after=timezone.now() + RETRY_DELAYS[attempt - 1],
            message=message,
        )
        return "retrying"
    MessageDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, last_error=error, updated_at=timezone.now()
    )
    logger.warning("Message %s failed after %d attempts: %s", delivery.public_id, attempt, error)
    return DeliveryStatus.FAILED


def delivery_enqueue(
    *,
    delivery_id: int,
    run_after: datetime | None = None,
    attempt: int = 1,
    message: dict[str, Any] | None = None,
) -> bool:
    """Queue the job, deferred to `run_after` when that is in the future.

    A backend that cannot defer (the immediate backend tests use) runs a retry at once and
    leaves a future first attempt queued, for `manage.py messaging_send_due` to pick up.
    Returns whether a job was enqueued.
    """
    job = message_delivery_send
    if run_after is not None and run_after > timezone.now():
        if job.get_backend().supports_defer:
            job = job.using(run_after=run_after)
        elif attempt == 1:
            return False
    job.enqueue(delivery_id=delivery_id, attempt=attempt, message=message)
    return True


def _send(delivery: MessageDelivery, *, message: dict[str, Any] | None, now: datetime) -> str:
    patient = delivery.patient
    if delivery.channel == Channel.SMS:
        to = policy.phone_e164(patient.phone) or ""
        if message is not None:
            body = message["sms_text"]
        else:
            body = appointment_content.appointment_sms(delivery)
        return sms_backend().send(to, body)
    if message is not None:
        email = appointment_content.EmailContent(
            subject=message["subject"], text=message["text"], html=message.get("html") or ""
        )
    else:
        email = appointment_content.appointment_email(delivery, to=patient.email, now=now)
    return _send_email(delivery, email, to=patient.email)


def _send_email(
    delivery: MessageDelivery, email: appointment_content.EmailContent, *, to: str
) -> str:
    location = delivery.appointment.location if delivery.appointment else None
    message_id = make_msgid(domain="needlepoint")
    mail = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[location.email] if location is not None and location.email else None,
        headers={"Message-ID": message_id},
    )
    if email.html:
        mail.attach_alternative(email.html, "text/html")
    if email.calendar:
        invitation = MIMEText(email.calendar.decode(), "calendar", "utf-8")
        invitation.set_param("method", email.calendar_method)
        invitation.add_header("Content-Disposition", "attachment", filename="appointment.ics")
        mail.attach(invitation)
    mail.send(fail_silently=False)
    return message_id
