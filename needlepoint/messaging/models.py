"""Messages to patients and the staff calendar feed.

A `MessageDelivery` is one message on one channel (a confirmation email, a reminder text):
when it is due, what became of it, how many attempts it took. The log never stores the
message body or the address it went to: bodies name treatments and times (PHI), and both
are rebuilt from the records when the message is sent.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

from needlepoint.core.models import OrganizationScopedModel


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class Purpose(models.TextChoices):
    CONFIRMATION = "confirmation", "Booking confirmation"
    REMINDER = "reminder", "Appointment reminder"
    CANCELLATION = "cancellation", "Cancellation notice"
    RESCHEDULE = "reschedule", "New time confirmation"
    WAITLIST_OFFER = "waitlist_offer", "Waitlist offer"


# Purposes about an upcoming appointment: pointless once it is cancelled or moved.
APPOINTMENT_BOUND = frozenset({Purpose.CONFIRMATION, Purpose.REMINDER, Purpose.RESCHEDULE})


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class SkipReason(models.TextChoices):
    OPTED_OUT = "opted_out", "Patient opted out of this channel"
    NO_ADDRESS = "no_address", "No email address or mobile number"
    APPOINTMENT_CANCELLED = "appointment_cancelled", "Appointment was cancelled"
    APPOINTMENT_CHANGED = "appointment_changed", "Appointment was moved or changed"
    TOO_LATE = "too_late", "The appointment had already started"


class MessageDelivery(OrganizationScopedModel):
    """One message on one channel, from queued to sent, failed or skipped."""

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="message_deliveries"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="message_deliveries",
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    scheduled_for = models.DateTimeField()
    appointment_starts_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The appointment's start when this was scheduled; a moved appointment "
        "no longer matches and the message is skipped.",
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    skip_reason = models.CharField(max_length=30, choices=SkipReason.choices, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(
        max_length=200, blank=True, help_text="Error class and provider code; never PHI."
    )
    provider_message_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-scheduled_for", "-id"]
        verbose_name_plural = "message deliveries"
        constraints = [
            models.CheckConstraint(
                condition=Q(status=DeliveryStatus.SKIPPED) | Q(skip_reason=""),
                name="message_delivery_skip_reason_only_when_skipped",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "scheduled_for"]),
            models.Index(fields=["organization", "-scheduled_for"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} by {self.get_channel_display()} ({self.status})"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A practitioner's private iCalendar subscription URL. The token is the only
    credential a calendar app can send, so it is long, random, and can be rotated or
    revoked; a revoked or rotated token answers 404."""

    staff = models.OneToOneField(
        "accounts.StaffProfile", on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.staff}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
