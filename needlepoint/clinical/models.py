"""Treatment records and the PRP chain of custody. Clinical rows are never deleted."""

from __future__ import annotations

from django.db import models

from needlepoint.clinical.custody import State, Step
from needlepoint.core.models import OrganizationScopedModel


class RecordStatus(models.TextChoices):
    OPEN = "open", "Open"
    SIGNED = "signed", "Signed and locked"
    COSIGNED = "cosigned", "Co-signed"


class TreatmentRecord(OrganizationScopedModel):
    """The chart of one visit (docs/clinical-rules.md §10): started once per appointment, filled at
    the chair, signed and locked by the performer; after locking only addenda are added."""

    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.PROTECT, related_name="treatment_record"
    )
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    started_by = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    copied_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The earlier session whose areas and products were copied forward.",
    )
    # Pre-care (§6): identity, skin preparation, topical anaesthetic.
    identity_checked_at = models.DateTimeField(null=True, blank=True)
    identity_checked_by = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The anaesthetic and antiseptic themselves (product, lot) are `ProductUse` rows.
    no_anaesthetic = models.BooleanField(default=False)
    anaesthetic_applied_at = models.DateTimeField(null=True, blank=True)
    anaesthetic_removed_at = models.DateTimeField(null=True, blank=True)
    # Device (§8): the pen used; its cartridges are `CartridgeUse` rows.
    device = models.ForeignKey(
        "resources.Device", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sheath_used = models.BooleanField(default=False)
    # Tolerance and post-care (§10.9–11).
    pain_vas = models.PositiveSmallIntegerField(null=True, blank=True)
    immediate_response = models.CharField(max_length=300, blank=True)
    aftercare_version = models.CharField(max_length=40, blank=True)
    waste_disposed = models.BooleanField(default=False)
    # Sign-off (§10.12).
    status = models.CharField(
        max_length=10, choices=RecordStatus.choices, default=RecordStatus.OPEN
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cosign_required = models.BooleanField(default=False)
    cosigned_at = models.DateTimeField(null=True, blank=True)
    cosigned_by = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["organization", "status", "cosign_required"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(pain_vas__isnull=True) | models.Q(pain_vas__lte=10),
                name="record_pain_vas_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Treatment record {self.public_id}"

    @property
    def is_locked(self) -> bool:
        return self.status != RecordStatus.OPEN


class Technique(models.TextChoices):
    GLIDE = "glide", "Glide"
    STAMP = "stamp", "Stamp"


class DepthOrder(OrganizationScopedModel):
    """The medical director's order to needle one area of one patient deeper than the area's default
    (docs/clinical-rules.md §1), up to `max_depth_mm`, until `valid_until`."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    area = models.ForeignKey("catalog.TreatmentArea", on_delete=models.PROTECT, related_name="+")
    max_depth_mm = models.DecimalField(max_digits=3, decimal_places=2)
    reason = models.CharField(max_length=300)
    ordered_by = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.PROTECT, related_name="+"
    )
    ordered_at = models.DateTimeField()
    valid_until = models.DateField()

    class Meta:
        ordering = ["-ordered_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_depth_mm__gt=0, max_depth_mm__lte=5),
                name="depth_order_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Order: {self.area} to {self.max_depth_mm} mm"


class TreatmentLine(models.Model):
    """One treated area (§10.7): depth, passes, technique, endpoint. A mistaken line on an
    open record is voided (struck through), never deleted."""

    record = models.ForeignKey(TreatmentRecord, on_delete=models.PROTECT, related_name="lines")
    area = models.ForeignKey("catalog.TreatmentArea", on_delete=models.PROTECT, related_name="+")
    indication = models.ForeignKey(
        "catalog.Indication", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    depth_mm = models.DecimalField(max_digits=3, decimal_places=2)
    passes = models.PositiveSmallIntegerField()
    technique = models.CharField(max_length=10, choices=Technique.choices)
    endpoint_reached = models.BooleanField(default=False)
    speed = models.CharField(max_length=20, blank=True, help_text="The pen's speed setting.")
    order = models.ForeignKey(
        DepthOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="lines"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(
        null=True, blank=True, help_text="Struck through on an open record: kept, not counted."
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(depth_mm__gt=0, depth_mm__lte=5), name="line_depth_range"
            ),
            models.CheckConstraint(
                condition=models.Q(passes__gte=1, passes__lte=12), name="line_passes_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.area} at {self.depth_mm} mm"


class ProductUse(models.Model):
    """A catalog product applied at the visit (anaesthetic, antiseptic, glide, serum,
    aftercare) with the lot used, for recall. A serum not labelled for intradermal use
    (MN27) needs the medical director's review, which the co-signature gives. A mistaken
    entry on an open record is voided (struck through), never deleted."""

    record = models.ForeignKey(TreatmentRecord, on_delete=models.PROTECT, related_name="products")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey("catalog.ProductLot", on_delete=models.PROTECT, related_name="uses")
    areas = models.CharField(max_length=200, blank=True, help_text="Where it went; blank: all.")
    created_at = models.DateTimeField(auto_now_add=True)
    voided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.product} lot {self.lot.lot_number}"


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SEVERE = "severe", "Severe"


class AdverseEvent(models.Model):
    """An adverse event during or right after the session (§10.9): type, severity, action."""

    record = models.ForeignKey(
        TreatmentRecord, on_delete=models.PROTECT, related_name="adverse_events"
    )
    kind = models.CharField(max_length=100)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    action = models.CharField(max_length=300)
    at = models.DateTimeField()
    by = models.ForeignKey("accounts.StaffProfile", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.severity})"


class Addendum(models.Model):
    """A note added to a locked record: the record itself never changes after signing."""

    record = models.ForeignKey(TreatmentRecord, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField(max_length=2000)
    by = models.ForeignKey("accounts.StaffProfile", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Addendum {self.at:%Y-%m-%d %H:%M}"


class PhotoView(models.TextChoices):
    FRONTAL = "frontal", "Frontal"
    LEFT_OBLIQUE = "left_oblique", "Left oblique (45°)"
    RIGHT_OBLIQUE = "right_oblique", "Right oblique (45°)"
    LEFT_LATERAL = "left_lateral", "Left lateral (90°)"
    RIGHT_LATERAL = "right_lateral", "Right lateral (90°)"
    CLOSE_UP = "close_up", "Close-up"


class PhotoStage(models.TextChoices):
    BEFORE = "before", "Before"
    AFTER = "after", "After"
    FOLLOW_UP = "follow_up", "Follow-up"


def _photo_path(photo: Photo, filename: str) -> str:
    return f"photos/{photo.organization_id}/{photo.public_id}.jpg"


class Photo(OrganizationScopedModel):
    """A standardized photo (§7), re-encoded without metadata and stored privately; only a
    permission-checked view serves it (docs/security-targets.md D3–D5). Retired, never deleted."""

    record = models.ForeignKey(TreatmentRecord, on_delete=models.PROTECT, related_name="photos")
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    view = models.CharField(max_length=20, choices=PhotoView.choices)
    stage = models.CharField(max_length=10, choices=PhotoStage.choices)
    image = models.FileField(upload_to=_photo_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    capture = models.JSONField(
        default=dict, blank=True, help_text="How it was taken: source, camera, resolution."
    )
    taken_at = models.DateTimeField()
    taken_by = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.PROTECT, related_name="+"
    )
    marketing_approved_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["taken_at", "pk"]
        indexes = [models.Index(fields=["patient", "view", "stage"])]

    def __str__(self) -> str:
        return f"{self.get_view_display()} photo, {self.get_stage_display().lower()}"


class Outcome(OrganizationScopedModel):
    """Outcome scores at a visit or follow-up (§7): GAIS by clinician and patient,
    Goodman & Baron qualitative grade, satisfaction 0–10."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    record = models.ForeignKey(
        TreatmentRecord, on_delete=models.PROTECT, null=True, blank=True, related_name="outcomes"
    )
    indication = models.ForeignKey(
        "catalog.Indication", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_on = models.DateField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        "accounts.StaffProfile", on_delete=models.PROTECT, related_name="+"
    )
    gais_clinician = models.PositiveSmallIntegerField(null=True, blank=True)
    gais_subject = models.PositiveSmallIntegerField(null=True, blank=True)
    goodman_baron = models.PositiveSmallIntegerField(null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["assessed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    (models.Q(gais_clinician__isnull=True) | models.Q(gais_clinician__range=(1, 5)))
                    & (models.Q(gais_subject__isnull=True) | models.Q(gais_subject__range=(1, 5)))
                    & (models.Q(goodman_baron__isnull=True) | models.Q(goodman_baron__range=(1, 4)))
                    & (models.Q(satisfaction__isnull=True) | models.Q(satisfaction__lte=10))
                ),
                name="outcome_scale_ranges",
            ),
        ]

    def __str__(self) -> str:
        return f"Outcome {self.assessed_on:%Y-%m-%d}"


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
    WRONG_TUBE = "wrong_tube", "Wrong tube scanned"


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
