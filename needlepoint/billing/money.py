"""Money arithmetic for sales, pure: `Decimal` in, `Decimal` out, no ORM, no floats.

Amounts are rounded to the cent half up, line by line (what a receipt prints is what is
added up). A line's tax is its rate times its net amount after the discount.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


class MoneyError(ValueError):
    """Amounts that make no sense (a negative price, a discount above the line); `field`
    names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def line_amounts(
    *, quantity: int, unit_price: Decimal, discount: Decimal, tax_rate: Decimal
) -> LineAmounts:
    """What one sale line costs: gross, discount, net, tax and total, each to the cent."""
    if quantity < 1:
        raise MoneyError("quantity", "The quantity must be at least 1.")
    if unit_price < 0:
        raise MoneyError("unit_price", "A price cannot be negative.")
    if discount < 0:
        raise MoneyError("discount", "A discount cannot be negative.")
    if tax_rate < 0 or tax_rate >= 1:
        raise MoneyError("tax_rate", "A tax rate is a fraction between 0 and 1.")
    gross = cents(unit_price * quantity)
    discount = cents(discount)
    if discount > gross:
        raise MoneyError("discount", "The discount is more than the line.")
    net = gross - discount
    tax = cents(net * tax_rate)
    return LineAmounts(gross=gross, discount=discount, net=net, tax=tax, total=net + tax)


def balance(
    *, charges: Iterable[Decimal], payments: Iterable[Decimal], refunds: Iterable[Decimal]
) -> Decimal:
    """What is still owed: the lines' totals, less what was paid, plus what was given back."""
    return cents(sum(charges, ZERO) - sum(payments, ZERO) + sum(refunds, ZERO))
