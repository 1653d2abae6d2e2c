"""The pure money arithmetic (billing/money.py): cents, tax per line, balances."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.billing.money import MoneyError, balance, cents, line_amounts

D = Decimal


def test_a_line_is_taxed_after_its_discount_and_rounded_to_the_cent():
    amounts = line_amounts(
        quantity=2, unit_price=D("45.00"), discount=D("10.00"), tax_rate=D("0.07875")
    )
    assert (amounts.gross, amounts.net, amounts.tax, amounts.total) == (
        D("90.00"),
        D("80.00"),
        D("6.30"),
        D("86.30"),
    )


def test_half_a_cent_rounds_up():
    assert cents(D("0.005")) == D("0.01")
    assert line_amounts(
        quantity=1, unit_price=D("10.00"), discount=D("0"), tax_rate=D("0.0625")
    ).tax == D("0.63")


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "rate"),
    [
        (0, "1", "0", "0"),
        (1, "-1", "0", "0"),
        (1, "5", "6", "0"),
        (1, "5", "-1", "0"),
        (1, "5", "0", "1"),
    ],
)
def test_nonsense_amounts_are_refused(quantity, price, discount, rate):
    with pytest.raises(MoneyError):
        line_amounts(quantity=quantity, unit_price=D(price), discount=D(discount), tax_rate=D(rate))


money = st.decimals(min_value=0, max_value=5000, places=2)


@given(
    quantity=st.integers(1, 20),
    price=money,
    rate=st.decimals(min_value=0, max_value=D("0.2"), places=5),
)
def test_a_line_adds_up(quantity, price, rate):
    amounts = line_amounts(quantity=quantity, unit_price=price, discount=D("0"), tax_rate=rate)
    assert amounts.total == amounts.net + amounts.tax
    assert amounts.tax == cents(amounts.tax) and amounts.tax >= 0


def test_the_balance_is_charges_less_payments_plus_refunds():
    assert balance(
        charges=[D("86.30"), D("20")], payments=[D("50"), D("56.30")], refunds=[D("20")]
    ) == D("20.00")
