"""Reads of sales: balances from their rows and from the ledger."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from needlepoint.billing.models import LedgerEntry, Payment, Refund, Sale
from needlepoint.billing.money import ZERO, balance, cents
from needlepoint.core.models import Organization
from needlepoint.core.tenancy import get_scoped_or_404


def sale_get(*, organization: Organization, public_id: str) -> Sale:
    return get_scoped_or_404(
        Sale.objects.select_related("location", "patient", "appointment"),
        organization=organization,
        public_id=public_id,
    )


def sale_balance(*, sale: Sale) -> Decimal:
    """What is owed, from the sale's own lines, payments and refunds."""
    return balance(
        charges=sale.lines.values_list("total", flat=True),
        payments=Payment.objects.filter(sale=sale).values_list("amount", flat=True),
        refunds=Refund.objects.filter(payment__sale=sale).values_list("amount", flat=True),
    )


def ledger_balance(*, sale: Sale) -> Decimal:
    """What is owed, from the ledger alone: the two must always agree."""
    # Summed in Python: SQLite would add the decimals as floats.
    return cents(sum(LedgerEntry.objects.filter(sale=sale).values_list("amount", flat=True), ZERO))


def unrefunded(*, payment: Payment) -> Decimal:
    return payment.amount - sum(payment.refunds.values_list("amount", flat=True), ZERO)


def patient_sales(*, patient_id: int) -> QuerySet[Sale]:
    return Sale.objects.filter(patient_id=patient_id).order_by("-created_at")
