"""Treatment records and the PRP chain of custody. Clinical rows are never deleted."""

from __future__ import annotations

from django.db import models

from needlepoint.clinical.custody import State, Step
from needlepoint.core.models import OrganizationScopedModel


class TreatmentRecord(OrganizationScopedModel):
    """The chart of one visit (DOMAIN.md §10): started once per appointment."""

    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="treatment_record"
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Treatment record {self.public_id}"


class PrpSample(OrganizationScopedModel):
    """One tube of the patient's blood, from the draw to its discard (ID1–ID8)."""

    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="prp_samples"
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey("resources.Location", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(
        max_length=12, help_text="Short code on the tube label's barcode (scanned at each step)."
    )
    drawn_at = models.DateTimeField()
    drawn_by = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.PROTECT, related_name="+"
    )
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=12, choices=[(s.value, s.value) for s in State])

    class Meta:
        indexes = [models.Index(fields=["location", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="prp_sample_code_unique")
        ]

    def __str__(self) -> str:
        return f"PRP sample {self.public_id}"


class PrpEvent(models.Model):
    """One step of a sample (ID7): who, when, and the step's figures. Append-only."""

    sample = models.ForeignKey(PrpSample, on_delete=models.PROTECT, related_name="events")
    step = models.CharField(max_length=10, choices=[(s.value, s.value) for s in Step])
    at = models.DateTimeField()
    by = models.ForeignKey("accounts.StaffProfile", on_delete=models.PROTECT, related_name="+")
    identity_check = models.CharField(
        max_length=10, blank=True, help_text="scan or witness, for an application"
    )
    witness = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    g_force = models.PositiveIntegerField(null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    volume_ml = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    area = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.step} at {self.at:%Y-%m-%d %H:%M}"


class IncidentKind(models.TextChoices):
    PATIENT_MISMATCH = "patient_mismatch", "Identifiers did not match"


class Incident(OrganizationScopedModel):
    """A safety event to follow up (ID8). Ids only: no patient details in `detail`."""

    kind = models.CharField(max_length=30, choices=IncidentKind.choices)
    appointment = models.ForeignKey(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="+"
    )
    sample = models.ForeignKey(
        PrpSample, on_delete=models.PROTECT, null=True, blank=True, related_name="incidents"
    )
    reported_by = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField()
    detail = models.CharField(max_length=300)

    class Meta:
        ordering = ["-occurred_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.occurred_at:%Y-%m-%d %H:%M})"


class CartridgeLot(OrganizationScopedModel):
    """A manufacturing lot of single-use needle cartridges: registered on first use (with
    its expiry when given); a recalled lot is refused from then on."""

    lot = models.CharField(max_length=60)
    expires_on = models.DateField(null=True, blank=True)
    recalled_on = models.DateField(null=True, blank=True)
    recall_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["lot"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "lot"], name="cartridge_lot_unique")
        ]

    def __str__(self) -> str:
        return f"Cartridge lot {self.lot}"


class CartridgeUse(OrganizationScopedModel):
    """One single-use cartridge on one treatment record. Its serial is unique in the
    clinic forever: a cartridge is never used twice (the 2024 NM cluster, S27)."""

    treatment_record = models.ForeignKey(
        TreatmentRecord, on_delete=models.PROTECT, related_name="cartridges"
    )
    lot = models.ForeignKey(CartridgeLot, on_delete=models.PROTECT, related_name="uses")
    serial = models.CharField(max_length=60)
    used_at = models.DateTimeField()
    used_by = models.ForeignKey("accounts.StaffProfile", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["used_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "serial"], name="cartridge_serial_single_use"
            )
        ]

    def __str__(self) -> str:
        return f"Cartridge {self.serial}"
