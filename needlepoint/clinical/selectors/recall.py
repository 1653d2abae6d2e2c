"""Who received an item of a recalled lot: cartridge lots and product lots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from needlepoint.clinical.models import CartridgeUse, ProductUse, TreatmentRecord
from needlepoint.core.models import Organization
from needlepoint.patients.models import Patient


def cartridge_recall_list(*, organization: Organization, lot: str) -> QuerySet[CartridgeUse]:
    """Every use of a cartridge lot in the clinic, oldest first: who received it, when."""
    return (
        CartridgeUse.objects.filter(organization=organization, lot__lot=lot.strip().upper())
        .select_related(
            "lot", "treatment_record__patient", "treatment_record__appointment__location"
        )
        .order_by("used_at", "pk")
    )


@dataclass(frozen=True)
class RecallHit:
    """One patient who received an item of a recalled lot, as the recall page lists it."""

    patient: Patient
    record: TreatmentRecord
    at: datetime  # in the location's zone: the cartridge's use, or the product's visit
    location_name: str
    item: str
    lot: str
    serial: str
    source: CartridgeUse | ProductUse  # the row the audit log names


def product_recall_list(*, organization: Organization, lot: str) -> QuerySet[ProductUse]:
    """Every charted use of a product lot in the clinic (anaesthetic, antiseptic, serum,
    aftercare…), oldest visit first. The lot number matches whatever its case or the
    spaces around it. Struck-through entries are left out: they record a mistake, not a
    use."""
    return (
        ProductUse.objects.filter(
            record__organization=organization,
            lot__lot_number__iexact=lot.strip(),
            voided_at=None,
        )
        .select_related("product", "lot", "record__patient", "record__appointment__location")
        .order_by("record__appointment__starts_at", "pk")
    )


def recall_hits(*, organization: Organization, kind: str, lot: str) -> list[RecallHit]:
    """Who received a cartridge lot (`kind` "cartridge") or a product lot ("product")."""
    if kind == "product":
        return [
            RecallHit(
                patient=use.record.patient,
                record=use.record,
                at=use.record.appointment.starts_at.astimezone(
                    use.record.appointment.location.zone
                ),
                location_name=use.record.appointment.location.name,
                item=use.product.name,
                lot=use.lot.lot_number,
                serial="",
                source=use,
            )
            for use in product_recall_list(organization=organization, lot=lot)
        ]
    return [
        RecallHit(
            patient=use.treatment_record.patient,
            record=use.treatment_record,
            at=use.used_at.astimezone(use.treatment_record.appointment.location.zone),
            location_name=use.treatment_record.appointment.location.name,
            item="Cartridge",
            lot=use.lot.lot,
            serial=use.serial,
            source=use,
        )
        for use in cartridge_recall_list(organization=organization, lot=lot)
    ]
