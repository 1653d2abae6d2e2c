"""Reads of sales: balances from their rows and from the ledger."""

from __future__ import annotations

from decimal import Decimal

from needlepoint.billing.models import LedgerEntry, Payment, Refund, Sale
from needlepoint.billing.money import ZERO, balance, cents


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
