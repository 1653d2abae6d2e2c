"""What a record uses up and a recall traces: single-use cartridges (serial and lot) and
products (lot). A lot seen for the first time is registered; an expired or recalled one is
refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Product, ProductLot
from needlepoint.catalog.models import ProductKind as CatalogProductKind
from needlepoint.clinical.chart import ChartRefused
from needlepoint.clinical.custody import CustodyRefused
from needlepoint.clinical.gate import visit_require
from needlepoint.clinical.models import CartridgeLot, CartridgeUse, ProductUse, TreatmentRecord
from needlepoint.clinical.services.guards import (
    record_audit,
    record_for_write,
    record_visit_day,
    refuse_if_signed,
)
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_day
from needlepoint.core.models import AuditAction


def cartridge_use(
    *,
    record: TreatmentRecord,
    lot: str,
    serial: str,
    staff: StaffProfile,
    expires_on: date | None = None,
    by: Actor | None = None,
    now: datetime | None = None,
) -> CartridgeUse:
    """Record a single-use cartridge on a treatment record, scanned or typed. A lot seen
    for the first time is registered (with its expiry when given). Refused: a serial used
    before on any record (`cartridge_already_used`), an expired or recalled lot
    (`cartridge_unusable`)."""
    now = now or timezone.now()
    refuse_if_signed(record)
    visit_require(appointment=record.appointment, performer=staff, now=now)
    lot, serial = lot.strip().upper(), serial.strip().upper()
    today = local_day(now, record.appointment.location.zone)
    if CartridgeUse.objects.filter(organization_id=record.organization_id, serial=serial).exists():
        raise _used_before(serial)
    try:
        with transaction.atomic():
            registered, _ = CartridgeLot.objects.get_or_create(
                organization_id=record.organization_id,
                lot=lot,
                defaults={"expires_on": expires_on},
            )
            if registered.recalled_on is not None and registered.recalled_on <= today:
                raise CustodyRefused(
                    "cartridge_unusable", f"Lot {lot} is recalled: do not use its cartridges."
                )
            if registered.expires_on is not None and registered.expires_on < today:
                raise CustodyRefused(
                    "cartridge_unusable",
                    f"Lot {lot} expired on {registered.expires_on:%Y-%m-%d}: take another.",
                )
            use = CartridgeUse.objects.create(
                organization_id=record.organization_id,
                treatment_record=record,
                lot=registered,
                serial=serial,
                used_at=now,
                used_by=staff,
            )
            audit_record(
                action=AuditAction.CREATE,
                by=by,
                organization=record.appointment.organization,
                obj=use,
                patient=record.patient,
                detail={"lot": lot},
            )
    except IntegrityError:  # the same serial, scanned at the same moment elsewhere
        raise _used_before(serial) from None
    return use


def _used_before(serial: str) -> CustodyRefused:
    return CustodyRefused(
        "cartridge_already_used",
        f"Cartridge {serial} was used before. Cartridges are single-use: take a new one.",
    )


@dataclass(frozen=True)
class ProductCharted:
    use: ProductUse
    warnings: list[str]


def product_use_add(
    *,
    record: TreatmentRecord,
    product: Product,
    lot_number: str,
    staff: StaffProfile,
    expires_on: date | None = None,
    areas: str = "",
    by: Actor | None = None,
    now: datetime | None = None,
) -> ProductCharted:
    """A product and the lot used (recall). A lot seen for the first time is registered
    with its expiry; an expired or recalled lot is refused. A serum not labelled for
    intradermal use (MN27) is charted with a warning and needs the director's review."""
    lot_number = lot_number.strip().upper()
    if not lot_number:
        raise ChartRefused("invalid", "Scan or type the lot number.")
    if product.organization_id != record.organization_id:
        raise ChartRefused("invalid", "Choose a product of this clinic.")
    today = record_visit_day(record)
    with transaction.atomic():
        locked = record_for_write(record)
        visit_require(appointment=locked.appointment, performer=staff, now=now)
        lot = ProductLot.objects.filter(product=product, lot_number__iexact=lot_number).first()
        if lot is None:
            if expires_on is None:
                raise ChartRefused(
                    "invalid", f"Lot {lot_number} is new here: enter its expiry date too."
                )
            lot = ProductLot.objects.create(
                product=product, lot_number=lot_number, expires_on=expires_on, received_on=today
            )
        if lot.is_recalled:
            raise ChartRefused(
                "product_unusable",
                f"{product.name} lot {lot.lot_number} is recalled: do not use it.",
            )
        if lot.expires_on < today:
            raise ChartRefused(
                "product_unusable",
                f"{product.name} lot {lot.lot_number} expired on {lot.expires_on:%Y-%m-%d}.",
            )
        use = ProductUse.objects.create(
            record=locked, product=product, lot=lot, areas=areas.strip()
        )
        record_audit(locked, use, AuditAction.CREATE, by, lot=lot.lot_number)
    warnings = []
    if product.kind == CatalogProductKind.SERUM and not product.labelled_for_intradermal_use:
        warnings.append(
            f"MN27: {product.name} is not labelled for intradermal use. Needling drives it into "
            "the skin (granuloma risk): the medical director reviews this chart."
        )
    return ProductCharted(use, warnings)


def product_use_void(*, record: TreatmentRecord, use: ProductUse, by: Actor | None = None) -> None:
    """Strike a mistaken product through on an open record; it stays on the chart."""
    with transaction.atomic():
        locked = record_for_write(record)
        ProductUse.objects.filter(pk=use.pk, record=locked, voided_at=None).update(
            voided_at=timezone.now()
        )
        record_audit(locked, use, AuditAction.UPDATE, by, voided=True)
