"""Sales, their lines, payments, refunds and the ledger that records every money movement.

A sale is open while lines and payments are added, and paid once its balance is zero; a
paid sale never changes (a correction is a refund). Payments, refunds and ledger rows are
append-only: database triggers refuse UPDATE and DELETE (`core/append_only.py`).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models

from needlepoint.accounts.models import StaffProfile
from needlepoint.core import append_only
from needlepoint.core.models import OrganizationScopedModel
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Location
from needlepoint.scheduling.models import Appointment


class LineKind(models.TextChoices):
    SERVICE = "service", "Service"
    PRODUCT = "product", "Retail product"
    FEE = "fee", "Fee"
    PACKAGE = "package", "Package"
    GIFT_CARD = "gift_card", "Gift card"
    MEMBERSHIP = "membership", "Membership"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Cash"
    CARD_TERMINAL = "card_terminal", "Card (clinic terminal)"
    CARD_ON_FILE = "card_on_file", "Card on file"
    GIFT_CARD = "gift_card", "Gift card"
    PACKAGE = "package", "Package session"
    CREDIT = "credit", "Account credit"


class SaleStatus(models.TextChoices):
    OPEN = "open", "Open"
    PAID = "paid", "Paid"


class TaxRate(OrganizationScopedModel):
    """The tax on a kind of line, for one location or (no location) all of them: New
    Mexico's gross receipts tax is set per location; a kind with no row is not taxed."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT, null=True, blank=True)
    line_kind = models.CharField(max_length=20, choices=LineKind.choices)
    name = models.CharField(max_length=100, help_text="As printed on receipts.")
    rate = models.DecimalField(
        max_digits=6, decimal_places=5, help_text="A fraction: 0.07875 is 7.875 %."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "location", "line_kind"], name="billing_taxrate_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(rate__gte=0, rate__lt=1), name="billing_taxrate_fraction"
            ),
        ]


class Sale(OrganizationScopedModel):
    """A visit's checkout or a counter purchase."""

    number = models.PositiveIntegerField(help_text="The clinic's running sale number.")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, null=True, blank=True, related_name="sales"
    )
    appointment = models.ForeignKey(
        Appointment, on_delete=models.PROTECT, null=True, blank=True, related_name="sales"
    )
    status = models.CharField(max_length=10, choices=SaleStatus.choices, default=SaleStatus.OPEN)
    currency = models.CharField(max_length=3, default="USD")
    opened_by = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="billing_sale_number"),
            models.UniqueConstraint(
                fields=["appointment"],
                condition=models.Q(appointment__isnull=False),
                name="billing_sale_one_per_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"Sale {self.number}"


class SaleLine(models.Model):
    """One thing sold, with its amounts worked out once, when it was added."""

    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="lines")
    kind = models.CharField(max_length=20, choices=LineKind.choices)
    ref = models.CharField(max_length=100, blank=True, help_text="The service or product slug.")
    description = models.CharField(max_length=200)
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    discount = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    discount_reason = models.CharField(max_length=200, blank=True)
    tax_name = models.CharField(max_length=100, blank=True)
    tax_rate = models.DecimalField(max_digits=6, decimal_places=5, default=Decimal("0"))
    net = models.DecimalField(max_digits=10, decimal_places=2)
    tax = models.DecimalField(max_digits=10, decimal_places=2)
    total = models.DecimalField(max_digits=10, decimal_places=2)
    added_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.quantity} × {self.description}"


class Payment(models.Model):
    """Money taken for a sale, by one method; never changed (refunds are their own rows)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reference = models.CharField(max_length=100, blank=True, help_text="Terminal slip, etc.")
    # NULL, not "", for "no key": the unique constraint ignores NULLs only.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    taken_by = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["sale", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="billing_payment_idempotency",
            ),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="billing_payment_pos"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"


class Refund(models.Model):
    """Money given back against one payment, by the payment's own method."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reason = models.CharField(max_length=300)
    refunded_by = models.ForeignKey(StaffProfile, on_delete=models.PROTECT, related_name="+")
    refunded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="billing_refund_pos")
        ]

    def __str__(self) -> str:
        return f"Refund {self.amount}"


class LedgerKind(models.TextChoices):
    CHARGE = "charge", "Charge"
    PAYMENT = "payment", "Payment"
    REFUND = "refund", "Refund"


class LedgerEntry(models.Model):
    """One money movement on a sale, written in the same transaction as the row it records.
    `amount` is signed from the patient's side: a charge adds to what is owed, a payment
    takes away, a refund adds back. The sum of a sale's entries is its balance."""

    organization = models.ForeignKey(
        "core.Organization", on_delete=models.PROTECT, related_name="+"
    )
    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField(max_length=10, choices=LedgerKind.choices)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    line = models.ForeignKey(SaleLine, on_delete=models.PROTECT, null=True, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, related_name="+")
    refund = models.ForeignKey(Refund, on_delete=models.PROTECT, null=True, related_name="+")
    method = models.CharField(max_length=20, choices=PaymentMethod.choices, blank=True)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="charge", line__isnull=False)
                    | models.Q(kind="payment", payment__isnull=False)
                    | models.Q(kind="refund", refund__isnull=False)
                ),
                name="billing_ledger_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount}"


for _model, _what in (
    (LedgerEntry, "ledger entries"),
    (Payment, "payments"),
    (Refund, "refunds"),
    (SaleLine, "sale lines"),
):
    append_only.register(_model._meta.db_table, _what)
