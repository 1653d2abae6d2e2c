"""Billing writes (billing/services.py): a sale's lines with their tax, payments, closing,
refunds with the owner's limit, and the ledger that must always agree with the rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from needlepoint.billing.models import LedgerEntry, LineKind, Payment, SaleStatus, TaxRate
from needlepoint.billing.selectors import ledger_balance, sale_balance
from needlepoint.billing.services import (
    BillingRefused,
    payment_take,
    refund_record,
    sale_close,
    sale_line_add,
    sale_open,
)
from needlepoint.core.models import AuditEvent
from needlepoint.scheduling.models import AppointmentSource
from needlepoint.scheduling.services import appointment_book
from tests.support.personas import make_cast
from tests.support.scheduling_world import at, make_world

D = Decimal


@pytest.fixture
def desk(cast):
    return cast.frontdesk.staff_profile


@pytest.fixture
def sale(cast, desk):
    TaxRate.objects.create(
        organization=cast.clinic,
        location=cast.location,
        line_kind=LineKind.PRODUCT,
        name="NM gross receipts tax",
        rate=D("0.07875"),
    )
    return sale_open(location=cast.location, patient=cast.patient, staff=desk)


def refused(code, call, **kwargs):
    with pytest.raises(BillingRefused) as caught:
        call(**kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def test_a_sale_is_numbered_and_a_service_is_not_taxed_where_a_product_is(cast, desk, sale):
    second = sale_open(location=cast.location, staff=desk)
    assert (sale.number, second.number) == (1, 2)
    service = sale_line_add(
        sale=sale, kind="service", description="Micro-needling: face", unit_price="300.00"
    )
    serum = sale_line_add(sale=sale, kind="product", description="Serum", unit_price="40.00")
    assert (service.tax, service.total) == (D("0.00"), D("300.00"))
    assert (serum.tax_name, serum.tax, serum.total) == (
        "NM gross receipts tax",
        D("3.15"),
        D("43.15"),
    )
    assert sale_balance(sale=sale) == ledger_balance(sale=sale) == D("343.15")
    assert AuditEvent.objects.filter(object_id=str(sale.public_id)).count() == 3


def test_a_discount_needs_its_reason(sale):
    error = refused("invalid", sale_line_add, sale=sale, kind="service", description="Face",
                    unit_price="300.00", discount="50.00")  # fmt: skip
    assert (error.field, error.status) == ("discount_reason", 422)
    line = sale_line_add(sale=sale, kind="service", description="Face", unit_price="300.00",
                         discount="50.00", discount_reason="Series discount")  # fmt: skip
    assert line.total == D("250.00")
    too_much = refused("invalid", sale_line_add, sale=sale, kind="service", description="Face",
                       unit_price="30.00", discount="50.00", discount_reason="Oops")  # fmt: skip
    assert too_much.field == "discount"


@pytest.mark.parametrize("price", ["abc", "1.005", "NaN", "-5.00"])
def test_bad_amounts_are_refused_in_words(sale, price):
    error = refused(
        "invalid", sale_line_add, sale=sale, kind="product", description="Serum", unit_price=price
    )
    assert error.status == 422


def test_split_tender_pays_the_sale_and_it_closes(sale, desk):
    sale_line_add(sale=sale, kind="service", description="Face", unit_price="300.00")
    refused("balance_due", sale_close, sale=sale)
    payment_take(
        sale=sale, method="card_terminal", amount="200.00", staff=desk, reference="slip 4411"
    )
    error = refused(
        "amount_exceeds_balance",
        payment_take,
        sale=sale,
        method="cash",
        amount="150.00",
        staff=desk,
    )
    assert error.status == 422
    payment_take(sale=sale, method="cash", amount="100.00", staff=desk)
    assert sale_close(sale=sale).status == SaleStatus.PAID
    refused(
        "sale_closed",
        sale_line_add,
        sale=sale,
        kind="product",
        description="Serum",
        unit_price="40.00",
    )
    assert ledger_balance(sale=sale) == D("0.00")


def test_only_desk_methods_are_taken_for_now(sale, desk):
    sale_line_add(sale=sale, kind="service", description="Face", unit_price="300.00")
    error = refused(
        "method_not_available",
        payment_take,
        sale=sale,
        method="gift_card",
        amount="10.00",
        staff=desk,
    )
    assert error.status == 422


def test_the_same_idempotency_key_takes_a_payment_once(sale, desk):
    sale_line_add(sale=sale, kind="service", description="Face", unit_price="300.00")
    first = payment_take(
        sale=sale, method="cash", amount="50.00", staff=desk, idempotency_key="k-1"
    )
    again = payment_take(
        sale=sale, method="cash", amount="50.00", staff=desk, idempotency_key="k-1"
    )
    assert again.pk == first.pk and Payment.objects.count() == 1
    refused("idempotency_conflict", payment_take, sale=sale, method="cash", amount="60.00",
            staff=desk, idempotency_key="k-1")  # fmt: skip


def test_a_refund_goes_back_to_its_payment_and_the_owner_holds_the_large_ones(cast, sale, desk):
    sale_line_add(sale=sale, kind="service", description="Face", unit_price="300.00")
    card = payment_take(sale=sale, method="card_terminal", amount="300.00", staff=desk)
    refused("invalid", refund_record, payment=card, amount="20.00", reason="", staff=desk)
    error = refused(
        "owner_required", refund_record, payment=card, amount="150.00", reason="Unhappy", staff=desk
    )
    assert error.status == 403
    owner = cast.owner.staff_profile
    refund_record(payment=card, amount="150.00", reason="Unhappy with the result", staff=owner)
    refund_record(payment=card, amount="50.00", reason="Goodwill", staff=desk)
    refused(
        "refund_exceeds_payment",
        refund_record,
        payment=card,
        amount="100.01",
        reason="x",
        staff=owner,
    )
    entry = LedgerEntry.objects.filter(sale=sale, kind="refund").first()
    assert entry.method == "card_terminal"
    assert sale_balance(sale=sale) == ledger_balance(sale=sale) == D("200.00")


def test_a_visit_has_one_sale(cast, desk, time_machine):
    time_machine.move_to(at(2027, 1, 4, 8), tick=False)
    world = make_world(clinic=cast.clinic)
    visit = appointment_book(
        location=world.location, service=world.consultation, start=at(2027, 1, 11, 10),
        patient=cast.patient, source=AppointmentSource.PHONE,
    )  # fmt: skip
    first = sale_open(location=world.location, appointment=visit, staff=desk)
    assert sale_open(location=world.location, appointment=visit, staff=desk) == first
    assert first.patient == cast.patient
    refused("invalid", sale_open, location=cast.location, appointment=visit, staff=desk)


@pytest.mark.parametrize(
    "table", ["billing_ledgerentry", "billing_payment", "billing_refund", "billing_saleline"]
)
def test_money_rows_never_change(sale, desk, table):
    sale_line_add(sale=sale, kind="service", description="Face", unit_price="300.00")
    payment = payment_take(sale=sale, method="cash", amount="300.00", staff=desk)
    refund_record(payment=payment, amount="10.00", reason="Goodwill", staff=desk)
    from django.db import connection

    # The table names are the test's own constants, not input.
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):  # noqa: S608
        with (
            pytest.raises(Exception, match=r"append-only|refused"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)


class LedgerAgreesWithTheRows(HypothesisTestCase):
    """Whatever the desk does, the ledger's sum is the sale's balance: no amount moves
    without its ledger row."""

    @classmethod
    def setUpTestData(cls):
        cls.cast = make_cast()

    @settings(max_examples=25, deadline=None)
    @given(
        steps=st.lists(
            st.tuples(
                st.sampled_from(["line", "pay", "refund"]),
                st.decimals(min_value=D("0.01"), max_value=D("400"), places=2),
            ),
            max_size=12,
        )
    )
    def test_the_ledger_sums_to_the_balance(self, steps):
        cast = self.cast
        desk = cast.owner.staff_profile
        sale = sale_open(location=cast.location, patient=cast.patient, staff=desk)
        payments = []
        for step, amount in steps:
            try:
                if step == "line":
                    sale_line_add(sale=sale, kind="product", description="Serum", unit_price=amount)
                elif step == "pay":
                    payments.append(
                        payment_take(sale=sale, method="cash", amount=amount, staff=desk)
                    )
                elif payments:
                    refund_record(payment=payments[-1], amount=amount, reason="r", staff=desk)
            except BillingRefused:
                pass
            assert ledger_balance(sale=sale) == sale_balance(sale=sale)


def test_a_ledger_row_must_say_what_it_records(sale):
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            organization_id=sale.organization_id, sale=sale, kind="payment", amount=D("1"),
            recorded_at=sale.created_at,
        )  # fmt: skip
