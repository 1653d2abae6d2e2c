"""Writes for patient messages: appointment confirmations, reminders and notices, the
generic send, STOP/START replies, and practitioners' calendar feed tokens.

Scheduling a message writes `MessageDelivery` rows and queues their jobs after the
transaction commits (`tasks.message_delivery_send`); the job decides at send time whether
the message still applies. Logs and audit rows carry ids, never names or numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.links import absolute
from needlepoint.core.models import AuditAction
from needlepoint.messaging import policy
from needlepoint.messaging.models import (
    APPOINTMENT_BOUND,
    CalendarFeed,
    Channel,
    DeliveryStatus,
    MessageDelivery,
    Purpose,
    SkipReason,
    new_feed_token,
)
from needlepoint.messaging.tasks import delivery_enqueue
from needlepoint.patients.links import claim_token
from needlepoint.patients.models import DuplicateCandidate, Patient
from needlepoint.scheduling.models import Appointment, AppointmentStatus

SMS_MAX_CHARACTERS = 1600  # Twilio's limit for one message (it splits into segments)


def _reload(appointment: Appointment) -> Appointment:
    """The appointment as committed, whatever copy the caller holds."""
    return Appointment.objects.select_related("patient", "service", "location__organization").get(
        pk=appointment.pk
    )


def _queue(
    *,
    patient: Patient,
    purpose: Purpose,
    channels: Iterable[Channel],
    scheduled_for: datetime,
    appointment: Appointment | None = None,
    message: dict[str, Any] | None = None,
    sms_message: dict[str, Any] | None = None,
) -> list[MessageDelivery]:
    deliveries = []
    for channel in channels:
        delivery = MessageDelivery.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            appointment=appointment,
            appointment_starts_at=appointment.starts_at if appointment is not None else None,
            channel=channel,
            purpose=purpose,
            scheduled_for=scheduled_for,
        )
        body = sms_message if channel == Channel.SMS else message

        # A function, not a partial: robust on_commit logs the callable's __qualname__.
        def enqueue(pk: int = delivery.pk, body: dict[str, Any] | None = body) -> None:
            delivery_enqueue(delivery_id=pk, run_after=scheduled_for, message=body)

        # robust: a queue hiccup must not fail the booking that has committed.
        transaction.on_commit(enqueue, robust=True)
        deliveries.append(delivery)
    return deliveries


def _announce_and_remind(
    appointment: Appointment, purpose: Purpose, now: datetime
) -> list[MessageDelivery]:
    patient = appointment.patient
    deliveries = _queue(
        patient=patient,
        purpose=purpose,
        channels=policy.channels_for(reminder_channel=patient.reminder_channel, purpose=purpose),
        scheduled_for=now,
        appointment=appointment,
    )
    reminder_channels = policy.channels_for(
        reminder_channel=patient.reminder_channel, purpose=Purpose.REMINDER
    )
    # In UTC: arithmetic on a zoned datetime would count wall-clock hours across a DST switch.
    start = appointment.starts_at.astimezone(UTC)
    for hours in settings.REMINDER_HOURS:
        due = start - timedelta(hours=hours)
        if due <= now:
            continue  # a reminder in the past is not a reminder
        deliveries += _queue(
            patient=patient,
            purpose=Purpose.REMINDER,
            channels=reminder_channels,
            scheduled_for=due,
            appointment=appointment,
        )
    return deliveries


def _skip_pending(appointment: Appointment, reason: SkipReason) -> int:
    """Queued messages about the appointment as it was; their jobs would skip them too, but
    the delivery log should say so now."""
    return MessageDelivery.objects.filter(
        appointment=appointment, status=DeliveryStatus.QUEUED, purpose__in=APPOINTMENT_BOUND
    ).update(status=DeliveryStatus.SKIPPED, skip_reason=reason, updated_at=timezone.now())


@transaction.atomic
def appointment_messages_schedule(
    *, appointment: Appointment, now: datetime | None = None
) -> list[MessageDelivery]:
    """A new booking: a confirmation now (email with an invitation; a text too when the
    patient takes texts) and a reminder at each of `REMINDER_HOURS` before the start."""
    now = now or timezone.now()
    appointment = _reload(appointment)
    if appointment.status != AppointmentStatus.BOOKED or appointment.starts_at <= now:
        return []
    return _announce_and_remind(appointment, Purpose.CONFIRMATION, now)


@transaction.atomic
def appointment_messages_rescheduled(
    *, appointment: Appointment, now: datetime | None = None
) -> list[MessageDelivery]:
    """A moved booking: what was queued for the old time is skipped, a confirmation of the
    new time goes now and reminders are scheduled afresh."""
    now = now or timezone.now()
    appointment = _reload(appointment)
    if appointment.status != AppointmentStatus.BOOKED:
        return []
    _skip_pending(appointment, SkipReason.APPOINTMENT_CHANGED)
    if appointment.starts_at <= now:
        return []
    return _announce_and_remind(appointment, Purpose.RESCHEDULE, now)


@transaction.atomic
def appointment_messages_cancelled(
    *, appointment: Appointment, now: datetime | None = None
) -> list[MessageDelivery]:
    """A cancelled booking: pending confirmations and reminders are skipped, and the patient
    is told (unless the time has already passed)."""
    now = now or timezone.now()
    appointment = _reload(appointment)
    if appointment.status not in (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED):
        return []
    _skip_pending(appointment, SkipReason.APPOINTMENT_CANCELLED)
    if appointment.starts_at <= now:
        return []
    patient = appointment.patient
    return _queue(
        patient=patient,
        purpose=Purpose.CANCELLATION,
        channels=policy.channels_for(
            reminder_channel=patient.reminder_channel, purpose=Purpose.CANCELLATION
        ),
        scheduled_for=now,
        appointment=appointment,
    )


@transaction.atomic
def message_send(
    *,
    patient: Patient,
    purpose: Purpose | str,
    subject: str,
    text: str,
    html: str | None = None,
    appointment: Appointment | None = None,
    channels: Sequence[Channel | str] | None = None,
    sms_text: str | None = None,
    scheduled_for: datetime | None = None,
) -> list[MessageDelivery]:
    """Queue a message written by the caller (a waitlist offer, later aftercare).

    `channels` defaults to what the patient's preferences allow for `purpose`; either way
    the job checks opt-outs again when it sends. `sms_text` (default: `text`) is what a text
    message says: keep treatment names out of it. The text travels in the job's arguments
    (the queue is a table in the same database) and is not kept in the delivery log.
    """
    purpose = Purpose(purpose)
    if channels is None:
        chosen = policy.channels_for(reminder_channel=patient.reminder_channel, purpose=purpose)
    else:
        chosen = [Channel(channel) for channel in dict.fromkeys(channels)]
    if appointment is not None and appointment.patient_id != patient.pk:
        raise ValueError("The appointment belongs to another patient.")
    short = (sms_text or text).strip()
    if Channel.SMS in chosen and len(short) > SMS_MAX_CHARACTERS:
        raise ValueError(f"A text message can be at most {SMS_MAX_CHARACTERS} characters.")
    return _queue(
        patient=patient,
        purpose=purpose,
        channels=chosen,
        scheduled_for=scheduled_for or timezone.now(),
        appointment=appointment,
        message={"subject": subject, "text": text, "html": html},
        sms_message={"sms_text": short},
    )


# --- Replies to texts (docs/security-targets.md I3) -----------------------------------------------


def patients_with_phone(*, phone: str) -> list[Patient]:
    """Every patient, in any clinic, whose number is this one however it was typed. One
    sending number serves the installation, so a STOP to it covers all of them."""
    wanted = policy.phone_e164(phone)
    if wanted is None:
        return []
    candidates = Patient.objects.exclude(phone="").values_list("pk", "phone")
    matches = [pk for pk, number in candidates.iterator() if policy.phone_e164(number) == wanted]
    return list(Patient.objects.select_for_update().filter(pk__in=matches).order_by("pk"))


def _apply_reply(*, phone: str, change: str, by: Actor | None) -> int:
    changed = 0
    for patient in patients_with_phone(phone=phone):
        before = (patient.reminder_channel, patient.marketing_sms)
        if change == "opt_out":
            patient.reminder_channel = policy.after_stop(patient.reminder_channel)
            patient.marketing_sms = False
        else:
            patient.reminder_channel = policy.after_start(patient.reminder_channel)
        if (patient.reminder_channel, patient.marketing_sms) == before:
            continue
        patient.save(update_fields=["reminder_channel", "marketing_sms", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            by=by,
            actor_label="sms reply",
            organization=patient.organization,
            obj=patient,
            patient=patient,
            detail={"sms": change, "reminder_channel": patient.reminder_channel},
        )
        changed += 1
    return changed


@transaction.atomic
def sms_opt_out(*, phone: str, by: Actor | None = None) -> int:
    """STOP: no more texts of any kind (reminders stay by email if the patient had email
    reminders), no marketing texts. Returns the number of patients changed."""
    return _apply_reply(phone=phone, change="opt_out", by=by)


@transaction.atomic
def sms_opt_in(*, phone: str, by: Actor | None = None) -> int:
    """START: text reminders again (marketing texts stay off until asked for anew)."""
    return _apply_reply(phone=phone, change="opt_in", by=by)


# --- Calendar feed tokens -----------------------------------------------------------------


@transaction.atomic
def calendar_feed_rotate(
    *, staff: StaffProfile, by: Actor | None = None, now: datetime | None = None
) -> CalendarFeed:
    """Issue a feed URL, or replace the current one (the old URL stops working at once)."""
    feed = CalendarFeed.objects.select_for_update().filter(staff=staff).first()
    created = feed is None
    if feed is None:
        feed = CalendarFeed(staff=staff)
    feed.token = new_feed_token()
    feed.created_at = now or timezone.now()
    feed.revoked_at = None
    feed.save()
    audit_record(
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        by=by,
        organization=staff.organization,
        obj=feed,
        detail={"calendar_feed": "issued" if created else "rotated"},
    )
    return feed


@transaction.atomic
def calendar_feed_revoke(
    *, staff: StaffProfile, by: Actor | None = None, now: datetime | None = None
) -> bool:
    """Turn the feed URL off. Returns whether there was an active one."""
    feed = (
        CalendarFeed.objects.select_for_update()
        .filter(staff=staff, revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        return False
    feed.revoked_at = now or timezone.now()
    feed.save(update_fields=["revoked_at"])
    audit_record(
        action=AuditAction.UPDATE,
        by=by,
        organization=staff.organization,
        obj=feed,
        detail={"calendar_feed": "revoked"},
    )
    return True


def claim_url(candidate: DuplicateCandidate) -> str:
    return absolute(reverse("site:booking-claim", kwargs={"token": claim_token(candidate)}))


def claim_link_send(*, candidate: DuplicateCandidate) -> None:
    """Email the one-time "Was this you?" link to the address on file of the record the
    booking resembled. No names, dates or treatments: only the question and the link."""
    clinic = candidate.organization.name
    message_send(
        patient=candidate.other,
        purpose=Purpose.CONFIRMATION,
        channels=[Channel.EMAIL],
        subject=f"{clinic}: was this booking yours?",
        text=(
            f"Someone has just booked a visit at {clinic} with this email address and your "
            "date of birth. We have kept it apart from your record.\n\n"
            f"If it was you, link the booking to your record (the link works once, for 7 "
            f"days):\n{claim_url(candidate)}\n\n"
            "If it was not you, you need do nothing: the booking stays separate, and it "
            "cannot see or change anything of yours. You may call us if you are worried."
        ),
    )
