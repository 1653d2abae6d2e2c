"""Appointments and the holds that reserve practitioners, rooms and devices for them.

An appointment writes one Hold per resource and continuous time range ("staff:12",
"room:3", "device:7"). Holds are what double-booking protection works on: on PostgreSQL an
exclusion constraint refuses two active holds of one resource that overlap (installed by
migration, see docs/booking-concurrency.md); on both databases the booking service locks
and re-checks before it inserts.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from needlepoint.core.models import OrganizationScopedModel, TimeStampedModel
from needlepoint.resources.models import Weekday


class WorkingHours(models.Model):
    """A practitioner's weekly hours at one location, in the location's wall-clock time.
    Several ranges a day make breaks (09:00–12:30 and 13:30–17:00)."""

    staff = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.CASCADE, related_name="working_hours"
    )
    location = models.ForeignKey(
        "resources.Location", on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["staff", "weekday", "starts"]
        verbose_name_plural = "working hours"
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="working_range_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class TimeOff(TimeStampedModel):
    staff = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.CASCADE, related_name="time_off"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="time_off_range_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.staff} off {self.starts_at:%Y-%m-%d %H:%M}"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CHECKED_IN = "checked_in", "Checked in"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    LATE_CANCELLED = "late_cancelled", "Cancelled late"
    NO_SHOW = "no_show", "No-show"


# Statuses whose holds keep their resources reserved.
HOLDING_STATUSES = (
    AppointmentStatus.BOOKED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.COMPLETED,
)


class AppointmentSource(models.TextChoices):
    ONLINE = "online", "Online booking"
    PHONE = "phone", "Phone"
    WALK_IN = "walk_in", "Walk-in"
    API = "api", "API"


class Appointment(OrganizationScopedModel):
    location = models.ForeignKey(
        "resources.Location", on_delete=models.PROTECT, related_name="appointments"
    )
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="appointments"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="appointments"
    )
    practitioner = models.ForeignKey(
        "accounts.StaffProfile",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    room = models.ForeignKey(
        "resources.Room", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    source = models.CharField(max_length=10, choices=AppointmentSource.choices)
    idempotency_key = models.CharField(max_length=100, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.CharField(max_length=300, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="appointment_range_order"
            ),
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="appointment_idempotency_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["location", "starts_at"]),
            models.Index(fields=["patient", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_holding(self) -> bool:
        return self.status in HOLDING_STATUSES


class Hold(models.Model):
    """One resource reserved for one continuous range by one appointment."""

    appointment = models.ForeignKey(Appointment, on_delete=models.PROTECT, related_name="holds")
    location = models.ForeignKey("resources.Location", on_delete=models.PROTECT, related_name="+")
    resource_key = models.CharField(max_length=40)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="hold_range_order"
            ),
        ]
        indexes = [
            models.Index(
                fields=["resource_key", "starts_at", "ends_at"],
                condition=Q(is_active=True),
                name="hold_active_resource_idx",
            ),
            models.Index(
                fields=["location", "starts_at"],
                condition=Q(is_active=True),
                name="hold_active_location_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource_key} {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M}"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered a time"
    CLOSED = "closed", "Closed"


class WaitlistEntry(OrganizationScopedModel):
    """Someone who asked for a day with no free time. When a booking on that day is
    cancelled, the first waiting person for whom the service now fits is emailed."""

    location = models.ForeignKey("resources.Location", on_delete=models.PROTECT, related_name="+")
    service = models.ForeignKey("catalog.Service", on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    first_name = models.CharField(max_length=100)
    email = models.EmailField()
    status = models.CharField(
        max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    offered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "waitlist entries"
        indexes = [models.Index(fields=["location", "day", "status"])]

    def __str__(self) -> str:
        return f"Waitlist {self.day} ({self.get_status_display()})"
