"""Every money write: open a sale, add a line, take a payment, close the sale, refund.

Each write locks its sale, checks the rules, saves, writes the ledger row and the audit row
in the same transaction. Refusals carry the codes of docs/api-contract.md's billing section.
Payments here are what the desk takes by hand (cash, the clinic's card terminal); card on
file, gift cards, packages and credit come with their providers.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import role_may
from needlepoint.billing.models import (
    LedgerEntry,
    LedgerKind,
    LineKind,
    Payment,
    PaymentMethod,
    Refund,
    Sale,
    SaleLine,
    SaleStatus,
    TaxRate,
)
from needlepoint.billing.money import MoneyError, cents, line_amounts
from needlepoint.billing.selectors import sale_balance, unrefunded
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction, Organization
from needlepoint.core.refusals import Refusal
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Location
from needlepoint.scheduling.models import Appointment

DESK_METHODS = (PaymentMethod.CASH, PaymentMethod.CARD_TERMINAL)


class BillingRefused(Refusal):
    """A money write the rules refuse; 409 unless the code says otherwise."""


def _invalid(field: str, message: str) -> BillingRefused:
    return BillingRefused("invalid", message, field=field)


def _money(value: Decimal | str, field: str) -> Decimal:
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise _invalid(field, "Give an amount such as 45.00.") from None
    if not amount.is_finite() or amount != cents(amount):
        raise _invalid(field, "Give an amount in dollars and cents, such as 45.00.")
    return amount


def _locked(sale: Sale) -> Sale:
    return Sale.objects.select_for_update().get(pk=sale.pk)


def _refuse_unless_open(sale: Sale) -> None:
    if sale.status != SaleStatus.OPEN:
        raise BillingRefused(
            "sale_closed", "This sale is paid and closed: a correction is a refund."
        )


def sale_open(
    *,
    location: Location,
    staff: StaffProfile,
    patient: Patient | None = None,
    appointment: Appointment | None = None,
    by: Actor | None = None,
) -> Sale:
    """A new sale, numbered after the clinic's last one. A visit has one sale: opening it
    again returns the one it has."""
    if appointment is not None:
        patient = appointment.patient
        if appointment.location_id != location.pk:
            raise _invalid("location", "The visit is at another location.")
    if patient is not None and patient.organization_id != location.organization_id:
        raise _invalid("patient", "That patient is not this clinic's.")
    with transaction.atomic():
        Organization.objects.select_for_update().get(pk=location.organization_id)
        if appointment is not None:
            existing = Sale.objects.filter(appointment=appointment).first()
            if existing is not None:
                return existing
        last = Sale.objects.filter(organization_id=location.organization_id).aggregate(
            n=Max("number")
        )["n"]
        sale = Sale.objects.create(
            organization_id=location.organization_id,
            number=(last or 0) + 1,
            location=location,
            patient=patient,
            appointment=appointment,
            opened_by=staff,
        )
        audit_record(action=AuditAction.CREATE, by=by, obj=sale, patient=patient)
    return sale


def _tax(sale: Sale, kind: str) -> tuple[str, Decimal]:
    """The location's own rate for this kind of line, else the clinic-wide one, else none."""
    rates = {
        rate.location_id: rate
        for rate in TaxRate.objects.filter(
            Q(location_id=sale.location_id) | Q(location__isnull=True),
            organization_id=sale.organization_id,
            line_kind=kind,
        )
    }
    rate = rates.get(sale.location_id) or rates.get(None)
    return (rate.name, rate.rate) if rate is not None else ("", Decimal("0"))


def sale_line_add(
    *,
    sale: Sale,
    kind: str,
    description: str,
    unit_price: Decimal | str,
    quantity: int = 1,
    ref: str = "",
    discount: Decimal | str = "0.00",
    discount_reason: str = "",
    by: Actor | None = None,
    now: datetime | None = None,
) -> SaleLine:
    """Add a line with its tax for the sale's location; a discount needs its reason."""
    if kind not in LineKind.values:
        raise _invalid("kind", f"A line is one of: {', '.join(LineKind.values)}.")
    if not description.strip():
        raise _invalid("description", "Say what is sold.")
    price, off = _money(unit_price, "unit_price"), _money(discount, "discount")
    if off and not discount_reason.strip():
        raise _invalid("discount_reason", "Say why there is a discount.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(sale)
        _refuse_unless_open(locked)
        tax_name, tax_rate = _tax(locked, kind)
        try:
            amounts = line_amounts(
                quantity=quantity, unit_price=price, discount=off, tax_rate=tax_rate
            )
        except MoneyError as error:
            raise _invalid(error.field, str(error)) from None
        line = SaleLine.objects.create(
            sale=locked,
            kind=kind,
            ref=ref[:100],
            description=description.strip()[:200],
            quantity=quantity,
            unit_price=price,
            discount=amounts.discount,
            discount_reason=discount_reason.strip()[:200],
            tax_name=tax_name,
            tax_rate=tax_rate,
            net=amounts.net,
            tax=amounts.tax,
            total=amounts.total,
            added_at=now,
        )
        LedgerEntry.objects.create(
            organization_id=locked.organization_id,
            sale=locked,
            kind=LedgerKind.CHARGE,
            amount=amounts.total,
            line=line,
            recorded_at=now,
        )
        audit_record(
            action=AuditAction.UPDATE,
            by=by,
            obj=locked,
            patient=locked.patient,
            detail={"line": kind, "total": str(amounts.total)},
        )
    return line


def payment_take(
    *,
    sale: Sale,
    method: str,
    amount: Decimal | str,
    staff: StaffProfile,
    reference: str = "",
    idempotency_key: str | None = None,
    by: Actor | None = None,
    now: datetime | None = None,
) -> Payment:
    """Take a payment towards the balance. The same idempotency key with the same method
    and amount returns the first payment instead of taking it twice."""
    if not role_may(staff.role, "billing.take_payment"):
        raise BillingRefused("forbidden", "Your role may not take payments.", status=403)
    if method not in DESK_METHODS:
        raise BillingRefused(
            "method_not_available",
            "This payment method is not set up yet: take cash or the card terminal.",
            field="method",
            status=422,
        )
    paid = _money(amount, "amount")
    if paid <= 0:
        raise _invalid("amount", "A payment is more than zero.")
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked(sale)
        if idempotency_key:
            earlier = Payment.objects.filter(sale=locked, idempotency_key=idempotency_key).first()
            if earlier is not None:
                if (earlier.method, earlier.amount) != (method, paid):
                    raise BillingRefused(
                        "idempotency_conflict",
                        "This Idempotency-Key was already used with a different payment.",
                    )
                return earlier
        _refuse_unless_open(locked)
        owed = sale_balance(sale=locked)
        if paid > owed:
            raise BillingRefused(
                "amount_exceeds_balance",
                f"That is more than the balance of {owed}.",
                field="amount",
                status=422,
            )
        payment = Payment.objects.create(
            sale=locked,
            method=method,
            amount=paid,
            reference=reference.strip()[:100],
            idempotency_key=idempotency_key or None,
            taken_by=staff,
            taken_at=now,
        )
        LedgerEntry.objects.create(
            organization_id=locked.organization_id,
            sale=locked,
            kind=LedgerKind.PAYMENT,
            amount=-paid,
            payment=payment,
            method=method,
            recorded_at=now,
        )
        audit_record(
            action=AuditAction.CREATE,
            by=by,
            obj=locked,
            patient=locked.patient,
            detail={"payment": method, "amount": str(paid)},
        )
    return payment


def sale_close(*, sale: Sale, by: Actor | None = None, now: datetime | None = None) -> Sale:
    """Mark the sale paid; refused while anything is still owed."""
    with transaction.atomic():
        locked = _locked(sale)
        if locked.status == SaleStatus.PAID:
            return locked
        owed = sale_balance(sale=locked)
        if owed != 0:
            raise BillingRefused("balance_due", f"A balance of {owed} is still due.")
        locked.status = SaleStatus.PAID
        locked.closed_at = now or timezone.now()
        locked.save(update_fields=["status", "closed_at"])
        audit_record(
            action=AuditAction.UPDATE,
            by=by,
            obj=locked,
            patient=locked.patient,
            detail={"paid": True},
        )
    return locked


def refund_record(
    *,
    payment: Payment,
    amount: Decimal | str,
    reason: str,
    staff: StaffProfile,
    by: Actor | None = None,
    now: datetime | None = None,
) -> Refund:
    """Give money back against one payment, by its own method. Above the desk's limit only
    the owner refunds."""
    back = _money(amount, "amount")
    if back <= 0:
        raise _invalid("amount", "A refund is more than zero.")
    if not reason.strip():
        raise _invalid("reason", "Say why the money is given back.")
    if back > Decimal(settings.DESK_REFUND_LIMIT) and not role_may(
        staff.role, "billing.refund_above_limit"
    ):
        raise BillingRefused(
            "owner_required",
            f"Refunds above {settings.DESK_REFUND_LIMIT} need the clinic owner.",
            status=403,
        )
    now = now or timezone.now()
    with transaction.atomic():
        sale = _locked(payment.sale)
        left = unrefunded(payment=payment)
        if back > left:
            raise BillingRefused(
                "refund_exceeds_payment",
                f"Only {left} of this payment is left to refund.",
                field="amount",
            )
        refund = Refund.objects.create(
            payment=payment,
            amount=back,
            reason=reason.strip()[:300],
            refunded_by=staff,
            refunded_at=now,
        )
        LedgerEntry.objects.create(
            organization_id=sale.organization_id,
            sale=sale,
            kind=LedgerKind.REFUND,
            amount=back,
            refund=refund,
            method=payment.method,
            recorded_at=now,
        )
        audit_record(
            action=AuditAction.CREATE,
            by=by,
            obj=sale,
            patient=sale.patient,
            detail={"refund": payment.method, "amount": str(back)},
        )
    return refund
