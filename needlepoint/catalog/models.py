"""What the clinic sells and the clinical reference data behind it."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from needlepoint.core.models import OrganizationScopedModel


class TreatmentArea(OrganizationScopedModel):
    """A body zone with its depth defaults (docs/clinical-rules.md §1). Above `max_default_mm` a
    chart needs the medical director's order; the device's own maximum is the hard limit."""

    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    min_depth_mm = models.DecimalField(max_digits=3, decimal_places=2)
    max_default_mm = models.DecimalField(max_digits=3, decimal_places=2)
    order_max_mm = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Deepest depth allowed even with an order; blank means the device maximum.",
    )
    is_face = models.BooleanField(default=False)
    is_perioral = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True)
    source_ids = models.CharField(
        max_length=100, help_text="docs/clinical-rules.md source ids, e.g. S40, S7."
    )
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="area_code_unique"),
            models.CheckConstraint(
                condition=Q(max_default_mm__gte=F("min_depth_mm")), name="area_depth_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Indication(OrganizationScopedModel):
    """A reason for treatment with its series and interval defaults (docs/clinical-rules.md §2)."""

    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    series_min = models.PositiveSmallIntegerField()
    series_max = models.PositiveSmallIntegerField()
    interval_default_days = models.PositiveSmallIntegerField(default=28)
    interval_min_days = models.PositiveSmallIntegerField(default=28)
    depth_hint = models.CharField(max_length=200, blank=True)
    source_ids = models.CharField(max_length=100)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="indication_code_unique"),
            models.CheckConstraint(
                condition=Q(series_max__gte=F("series_min")), name="indication_series_order"
            ),
            models.CheckConstraint(
                condition=Q(interval_default_days__gte=F("interval_min_days")),
                name="indication_interval_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Competency(OrganizationScopedModel):
    """A skill a service requires and a staff member has on record (e.g. PRP phlebotomy)."""

    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "competencies"
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="competency_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ServiceKind(models.TextChoices):
    TREATMENT = "treatment", "Treatment"
    CONSULTATION = "consultation", "Consultation"
    ADD_ON = "add_on", "Add-on"


class Service(OrganizationScopedModel):
    slug = models.SlugField()
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=ServiceKind.choices)
    summary = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )
    uses_prp = models.BooleanField(default=False)
    areas = models.ManyToManyField(TreatmentArea, blank=True, related_name="services")
    indications = models.ManyToManyField(Indication, blank=True, related_name="services")
    required_competencies = models.ManyToManyField(Competency, blank=True, related_name="+")
    min_interval_days = models.PositiveSmallIntegerField(
        default=28,
        help_text="Minimum days between sessions of a series (docs/clinical-rules.md §2).",
    )
    requires_prior_consultation = models.BooleanField(
        default=False,
        help_text="New patients need a consultation before their first session (e.g. PRP).",
    )
    is_active = models.BooleanField(default=True)
    bookable_online = models.BooleanField(default=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="service_slug_unique"),
            models.CheckConstraint(condition=Q(price__gte=0), name="service_price_non_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def duration_minutes(self) -> int:
        return sum(phase.duration_minutes for phase in self.phases.all())


class PhaseKind(models.TextChoices):
    CONSULTATION = "consultation", "Consultation"
    PRP_DRAW = "prp_draw", "Blood draw"
    NUMBING = "numbing", "Numbing"
    PRP_SPIN = "prp_spin", "PRP spin"
    TREATMENT = "treatment", "Treatment"
    CLEANING = "cleaning", "Room cleaning"


class ServicePhase(models.Model):
    """One consecutive part of a visit and the resources it occupies. The patient numbs in
    the room while the practitioner is free; the room is cleaned after the patient leaves."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=20, choices=PhaseKind.choices)
    duration_minutes = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    needs_practitioner = models.BooleanField(default=False)
    needs_room = models.BooleanField(default=True)
    device_kind = models.CharField(
        max_length=20,
        blank=True,
        choices=[("pen", "Micro-needling pen"), ("centrifuge", "Centrifuge")],
    )

    class Meta:
        ordering = ["service", "position"]
        constraints = [
            models.UniqueConstraint(fields=["service", "position"], name="phase_position_unique"),
            models.CheckConstraint(condition=Q(duration_minutes__gte=1), name="phase_duration"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.duration_minutes} min"


class ProductKind(models.TextChoices):
    SERUM = "serum", "Serum"
    ANAESTHETIC = "anaesthetic", "Topical anaesthetic"
    GLIDE = "glide", "Glide medium"
    AFTERCARE = "aftercare", "Aftercare product"
    ANTISEPTIC = "antiseptic", "Antiseptic"


class Product(OrganizationScopedModel):
    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=ProductKind.choices)
    manufacturer = models.CharField(max_length=150)
    strength = models.CharField(max_length=50, blank=True, help_text="e.g. lidocaine 4%.")
    labelled_for_intradermal_use = models.BooleanField(
        default=False,
        help_text="docs/clinical-rules.md MN27: products not so labelled need review (S12).",
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="product_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class ProductLot(models.Model):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    lot_number = models.CharField(max_length=60)
    expires_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)
    is_recalled = models.BooleanField(default=False)

    class Meta:
        ordering = ["expires_on"]
        constraints = [
            models.UniqueConstraint(fields=["product", "lot_number"], name="product_lot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} lot {self.lot_number}"
