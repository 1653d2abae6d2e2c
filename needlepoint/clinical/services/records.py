"""The treatment record itself: starting it for a visit, its own fields while it is open
(pre-care times, the pen, tolerance, post-care), the topical anaesthetic, and the adverse
events of the session.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Product
from needlepoint.catalog.models import ProductKind as CatalogProductKind
from needlepoint.clinical.chart import ChartRefused
from needlepoint.clinical.custody import CustodyRefused
from needlepoint.clinical.gate import visit_require
from needlepoint.clinical.models import AdverseEvent, TreatmentRecord
from needlepoint.clinical.readiness import Stage
from needlepoint.clinical.services.guards import OPEN_VISIT, record_audit, record_for_write
from needlepoint.clinical.services.supplies import product_use_add
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.resources.models import DeviceKind, DeviceStatus
from needlepoint.scheduling.models import Appointment

NEEDLING_DEVICES = (DeviceKind.PEN, DeviceKind.ROLLER)


def treatment_record_start(
    *,
    appointment: Appointment,
    staff: StaffProfile,
    by: Actor | None = None,
    now: datetime | None = None,
) -> tuple[TreatmentRecord, bool]:
    """The visit's record, started now if it has none; returns (record, created). Only for
    a checked-in visit on its day, by a clinician whose licence permits the service (the
    readiness gate's pre-care stage)."""
    with transaction.atomic():
        Appointment.objects.select_for_update().filter(pk=appointment.pk).first()
        existing = TreatmentRecord.objects.filter(appointment=appointment).first()
        if existing is not None:
            return existing, False
        if appointment.status not in OPEN_VISIT:
            raise CustodyRefused("not_active", "Only a booked or checked-in visit can be charted.")
        visit_require(appointment=appointment, performer=staff, stage=Stage.PRE_CARE, now=now)
        record = TreatmentRecord.objects.create(
            organization_id=appointment.organization_id,
            appointment=appointment,
            patient=appointment.patient,
            started_by=staff,
            started_at=now or timezone.now(),
        )
        audit_record(
            action=AuditAction.CREATE,
            by=by,
            organization=appointment.organization,
            obj=record,
            patient=appointment.patient,
        )
    return record, True


RECORD_FIELDS = frozenset(
    {
        "no_anaesthetic",
        "anaesthetic_applied_at",
        "anaesthetic_removed_at",
        "device",
        "sheath_used",
        "pain_vas",
        "immediate_response",
        "aftercare_version",
        "waste_disposed",
    }
)


def record_update(
    *,
    record: TreatmentRecord,
    staff: StaffProfile,
    changes: dict[str, object],
    by: Actor | None = None,
    now: datetime | None = None,
) -> TreatmentRecord:
    """Change the record's own fields while it is open (pre-care times, pen, tolerance,
    post-care). Audited by field name."""
    unknown = set(changes) - RECORD_FIELDS
    if unknown:
        raise ValueError(f"not record fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = record_for_write(record)
        visit_require(appointment=locked.appointment, performer=staff, now=now)
        for name, value in changes.items():
            setattr(locked, name, value)
        applied, removed = locked.anaesthetic_applied_at, locked.anaesthetic_removed_at
        if applied and removed and removed < applied:
            raise ChartRefused("invalid", "The anaesthetic was removed before it was applied?")
        device = locked.device
        if device is not None and (
            device.location_id != locked.appointment.location_id
            or device.kind not in NEEDLING_DEVICES
            or device.status != DeviceStatus.IN_SERVICE
        ):
            raise ChartRefused("invalid", "Choose an active pen of this location.")
        if "device" in changes and device is not None:
            deepest = locked.lines.filter(voided_at=None).order_by("-depth_mm").first()
            if (
                deepest is not None
                and device.max_depth_mm
                and deepest.depth_mm > device.max_depth_mm
            ):
                raise ChartRefused(
                    "depth_over_device",
                    f"An area is charted at {deepest.depth_mm} mm, deeper than this pen's "
                    f"maximum of {device.max_depth_mm} mm.",
                )
        locked.save(update_fields=[*changes, "updated_at"])
        record_audit(locked, locked, AuditAction.UPDATE, by, fields=sorted(changes))
    return locked


def anaesthetic_record(
    *,
    record: TreatmentRecord,
    staff: StaffProfile,
    none_used: bool,
    product: Product | None = None,
    lot_number: str = "",
    lot_expires_on: date | None = None,
    applied_at: datetime | None = None,
    removed_at: datetime | None = None,
    by: Actor | None = None,
    now: datetime | None = None,
) -> TreatmentRecord:
    """The topical anaesthetic of the pre-care checklist (§6), in one transaction: the
    product and its lot (charted once; a first-seen lot registered with its expiry) with
    the times it was applied and removed, or that none was used."""
    if not none_used and not (product or applied_at or removed_at):
        raise ChartRefused("invalid", "Choose the anaesthetic, or tick that none was used.")
    if product is not None and product.kind != CatalogProductKind.ANAESTHETIC:
        raise ChartRefused("invalid", "Choose one of the clinic's anaesthetics.", field="product")
    if product is not None and not lot_number.strip():
        raise ChartRefused("invalid", "Scan or type the lot number.", field="lot_number")
    changes: dict[str, object] = {"no_anaesthetic": none_used}
    if applied_at is not None:
        changes["anaesthetic_applied_at"] = applied_at
    if removed_at is not None:
        changes["anaesthetic_removed_at"] = removed_at
    with transaction.atomic():
        charted = (
            product is not None
            and record.products.filter(
                voided_at=None, product=product, lot__lot_number__iexact=lot_number.strip()
            ).exists()
        )
        if product is not None and not charted:
            product_use_add(
                record=record,
                product=product,
                lot_number=lot_number,
                expires_on=lot_expires_on,
                staff=staff,
                by=by,
                now=now,
            )
        return record_update(record=record, staff=staff, changes=changes, by=by, now=now)


def adverse_event_add(
    *,
    record: TreatmentRecord,
    kind: str,
    severity: str,
    action: str,
    staff: StaffProfile,
    by: Actor | None = None,
    now: datetime | None = None,
) -> AdverseEvent:
    """An adverse event at the session (§10.9); after signing, use an addendum."""
    if not kind.strip() or not action.strip():
        raise ChartRefused("invalid", "Say what happened and what was done.")
    with transaction.atomic():
        locked = record_for_write(record)
        event = AdverseEvent.objects.create(
            record=locked,
            kind=kind.strip(),
            severity=severity,
            action=action.strip(),
            at=now or timezone.now(),
            by=staff,
        )
        record_audit(locked, event, AuditAction.CREATE, by, severity=severity)
    return event
