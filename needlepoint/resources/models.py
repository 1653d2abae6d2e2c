"""Where treatments happen and with what: locations, rooms and devices."""

from __future__ import annotations

import zoneinfo
from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from needlepoint.core.models import OrganizationScopedModel, TimeStampedModel


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value} is not an IANA time zone (for example America/Denver).")


class Location(OrganizationScopedModel):
    """A clinic site. Times are stored in UTC and shown in the location's zone."""

    slug = models.SlugField()
    name = models.CharField(max_length=200)
    address_line1 = models.CharField(max_length=200)
    address_line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=50)
    postal_code = models.CharField(max_length=20)
    phone = models.CharField(max_length=30)
    email = models.EmailField(blank=True)
    timezone = models.CharField(
        max_length=64, default="America/Denver", validators=[validate_timezone]
    )
    booking_horizon_days = models.PositiveIntegerField(default=180)
    booking_lead_minutes = models.PositiveIntegerField(
        default=120, help_text="How soon before a start online booking closes."
    )
    slot_step_minutes = models.PositiveSmallIntegerField(
        default=15, help_text="Offer starts every this many minutes (5, 10, 15, 20, 30 or 60)."
    )
    cancellation_window_hours = models.PositiveIntegerField(
        default=24, help_text="Cancelling later than this before the start is a late cancel."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="location_slug_unique"),
            models.CheckConstraint(
                condition=Q(booking_horizon_days__gte=1, booking_horizon_days__lte=730),
                name="location_horizon_range",
            ),
            models.CheckConstraint(
                condition=Q(slot_step_minutes__in=[5, 10, 15, 20, 30, 60]),
                name="location_slot_step_choices",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def address(self) -> str:
        street = ", ".join(p for p in [self.address_line1, self.address_line2] if p)
        return f"{street}, {self.city}, {self.state} {self.postal_code}"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class OpeningHours(models.Model):
    """One opening range on a weekday, in the location's local time. Several ranges a day
    are allowed (a midday closure is two ranges)."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(condition=Q(closes__gt=F("opens")), name="opening_range_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Closure(models.Model):
    """Days a location is shut (holidays, training days), inclusive of both ends."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="closures")
    starts_on = models.DateField()
    ends_on = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="closure_range_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.starts_on}–{self.ends_on})"

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


class Room(TimeStampedModel):
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["location", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="room_name_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.location.name})"


class DeviceKind(models.TextChoices):
    PEN = "pen", "Micro-needling pen"
    ROLLER = "roller", "Roller"
    CENTRIFUGE = "centrifuge", "Centrifuge"


class DeviceStatus(models.TextChoices):
    IN_SERVICE = "in_service", "In service"
    MAINTENANCE = "maintenance", "In maintenance"
    RETIRED = "retired", "Retired"


class Device(OrganizationScopedModel):
    """A pen, roller or centrifuge. Its maximum depth is the hard limit a chart may use."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="devices")
    kind = models.CharField(max_length=20, choices=DeviceKind.choices)
    name = models.CharField(max_length=100, help_text="What staff call it, e.g. Pen 2.")
    make = models.CharField(max_length=100)
    model = models.CharField(max_length=100)
    serial_number = models.CharField(max_length=100)
    regulatory_number = models.CharField(
        max_length=50,
        blank=True,
        help_text="FDA 510(k) or De Novo number (docs/clinical-rules.md §8, S2).",
    )
    max_depth_mm = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=DeviceStatus.choices, default=DeviceStatus.IN_SERVICE
    )
    last_maintained_on = models.DateField(null=True, blank=True)
    next_maintenance_due = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["location", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "serial_number"], name="device_serial_unique"
            ),
            models.CheckConstraint(
                condition=Q(max_depth_mm__isnull=True) | Q(max_depth_mm__gt=0, max_depth_mm__lte=5),
                name="device_max_depth_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.make} {self.model})"

    def clean(self) -> None:
        if self.kind in {DeviceKind.PEN, DeviceKind.ROLLER} and self.max_depth_mm is None:
            raise ValidationError({"max_depth_mm": "Needling devices need a maximum depth."})


class MaintenanceRecord(models.Model):
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="maintenance")
    performed_on = models.DateField()
    performed_by = models.CharField(max_length=200)
    summary = models.CharField(max_length=300)

    class Meta:
        ordering = ["-performed_on"]

    def __str__(self) -> str:
        return f"{self.device} {self.performed_on}: {self.summary}"
