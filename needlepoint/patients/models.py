"""The patient record: identity, contacts and communication preferences."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from needlepoint.core.models import OrganizationScopedModel


class ReminderChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"
    BOTH = "both", "Email and text"
    NONE = "none", "No reminders"


class PatientQuerySet(models.QuerySet["Patient"]):
    def delete(self):
        raise PermissionError("Patient records are never deleted; archive them instead.")


class Patient(OrganizationScopedModel):
    """A clinic's patient. Clinical records are never hard-deleted: archive instead."""

    record_number = models.CharField(max_length=20, help_text="Medical record number (MRN).")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    pronouns = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    address_line1 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    emergency_contact_name = models.CharField(max_length=150, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True)
    fitzpatrick_type = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(6)],
        help_text="Fitzpatrick skin phototype I–VI (docs/clinical-rules.md §4, S35).",
    )
    preferred_location = models.ForeignKey(
        "resources.Location", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminder_channel = models.CharField(
        max_length=10, choices=ReminderChannel.choices, default=ReminderChannel.EMAIL
    )
    aftercare_messages = models.BooleanField(default=True)
    marketing_email = models.BooleanField(default=False)
    marketing_sms = models.BooleanField(default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patient",
        help_text="Portal login, when the patient has one.",
    )
    is_archived = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_records",
        help_text="The record this one was merged into (it is archived, never deleted).",
    )

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "record_number"], name="patient_mrn_unique"
            ),
            models.CheckConstraint(
                condition=Q(fitzpatrick_type__isnull=True)
                | Q(fitzpatrick_type__gte=1, fitzpatrick_type__lte=6),
                name="patient_fitzpatrick_range",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "last_name", "first_name"]),
            models.Index(fields=["organization", "date_of_birth"]),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.record_number})"

    def delete(self, *args, **kwargs):
        raise PermissionError("Patient records are never deleted; archive them instead.")

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def fitzpatrick_label(self) -> str:
        numerals = ["I", "II", "III", "IV", "V", "VI"]
        return numerals[self.fitzpatrick_type - 1] if self.fitzpatrick_type else "Not recorded"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class DuplicateReason(models.TextChoices):
    EMAIL_DOB = "email_dob", "Same email and date of birth"
    NAME_DOB = "name_dob", "Same name and date of birth"
    PHONE = "phone", "Same phone number"


class DuplicateStatus(models.TextChoices):
    OPEN = "open", "Waiting for the desk"
    MERGED = "merged", "Merged"
    DISMISSED = "dismissed", "Not the same person"


class DuplicateCandidate(OrganizationScopedModel):
    """Two records that may be one person: `patient` is the newer record, `other` the one it
    resembles. While open (and once merged) the booking rules treat both as one person; the desk
    merges them or says they are two people (docs/security-targets.md A8)."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    other = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=20, choices=DuplicateReason.choices)
    status = models.CharField(
        max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN
    )
    decided_by = models.ForeignKey(
        "accounts.StaffProfile", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why the desk decided as it did (kept out of the audit log).",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "other"], name="duplicate_pair_unique"),
            models.CheckConstraint(
                condition=~Q(patient=models.F("other")), name="duplicate_not_self"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return f"Possible duplicate {self.public_id}"

    def delete(self, *args, **kwargs):
        raise PermissionError("Duplicate decisions are kept; dismiss instead of deleting.")
