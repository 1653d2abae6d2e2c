"""The treated areas of a record: the depth orders that allow deeper work (§1), the lines
charted at the chair, striking one through, and copying the previous session's forward.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import CLINICAL
from needlepoint.accounts.scope import Procedure
from needlepoint.accounts.selectors import staff_scope_refusal
from needlepoint.catalog.models import Indication, TreatmentArea
from needlepoint.clinical.chart import AreaDepths, ChartRefused, depth_check
from needlepoint.clinical.gate import visit_require
from needlepoint.clinical.models import DepthOrder, TreatmentLine, TreatmentRecord
from needlepoint.clinical.selectors import record_previous
from needlepoint.clinical.services.guards import record_audit, record_for_write, record_visit_day
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_today
from needlepoint.core.models import AuditAction
from needlepoint.patients.models import Patient


def depth_order_add(
    *,
    patient: Patient,
    area: TreatmentArea,
    max_depth_mm: Decimal,
    reason: str,
    valid_until: date,
    staff: StaffProfile,
    by: Actor | None = None,
) -> DepthOrder:
    """A clinician whose licence may order (the scope table: physicians and APRNs) orders
    a deeper depth for one area of one patient (§1)."""
    if staff.role not in CLINICAL:
        raise ChartRefused("forbidden", "Only a clinician orders a deeper depth.")
    refusal = staff_scope_refusal(
        staff=staff,
        procedures=[Procedure.ORDER_DEPTH],
        on=local_today(staff.organization.default_timezone),
    )
    if refusal:
        raise ChartRefused("out_of_scope", refusal)
    if max_depth_mm <= area.max_default_mm:
        raise ChartRefused(
            "invalid",
            f"{area.name} may go to {area.max_default_mm} mm without an order; "
            "an order is for deeper than that.",
        )
    if area.order_max_mm is not None and max_depth_mm > area.order_max_mm:
        raise ChartRefused(
            "depth_over_area", f"{area.name} allows at most {area.order_max_mm} mm, even ordered."
        )
    if valid_until < local_today(staff.organization.default_timezone):
        raise ChartRefused("invalid", "The order's end date is in the past.")
    if not reason.strip():
        raise ChartRefused("invalid", "Give the reason for the deeper depth.")
    with transaction.atomic():
        order = DepthOrder.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            area=area,
            max_depth_mm=max_depth_mm,
            reason=reason.strip(),
            ordered_by=staff,
            ordered_at=timezone.now(),
            valid_until=valid_until,
        )
        audit_record(
            action=AuditAction.CREATE,
            by=by,
            organization=patient.organization,
            obj=order,
            patient=patient,
            detail={"area": area.code, "max_depth_mm": str(max_depth_mm)},
        )
    return order


def treatment_line_add(
    *,
    record: TreatmentRecord,
    area: TreatmentArea,
    depth_mm: Decimal,
    passes: int,
    technique: str,
    staff: StaffProfile,
    endpoint_reached: bool = False,
    indication: Indication | None = None,
    speed: str = "",
    by: Actor | None = None,
    now: datetime | None = None,
) -> tuple[TreatmentLine, str | None]:
    """Chart one treated area. The depth is checked against the area's defaults, the
    medical director's order for deeper work, and the pen's maximum (§1, §8). Returns the
    line and a note (a depth below the area's usual range)."""
    with transaction.atomic():
        locked = record_for_write(record)
        visit_require(appointment=locked.appointment, performer=staff, now=now)
        if locked.device is None:
            raise ChartRefused(
                "device_missing", "Choose the pen first: its maximum depth limits the chart."
            )
        order = (
            DepthOrder.objects.filter(
                patient_id=locked.patient_id, area=area, valid_until__gte=record_visit_day(locked)
            )
            .order_by("-max_depth_mm")
            .first()
        )
        note = depth_check(
            depth_mm,
            area=AreaDepths(area.name, area.min_depth_mm, area.max_default_mm, area.order_max_mm),
            device_max=locked.device.max_depth_mm,
            ordered_max=order.max_depth_mm if order else None,
        )
        line = TreatmentLine.objects.create(
            record=locked,
            area=area,
            indication=indication,
            depth_mm=depth_mm,
            passes=passes,
            technique=technique,
            endpoint_reached=endpoint_reached,
            speed=speed.strip(),
            order=order if depth_mm > area.max_default_mm else None,
        )
        record_audit(locked, line, AuditAction.CREATE, by, area=area.code)
    return line, note


def treatment_line_void(
    *, record: TreatmentRecord, line: TreatmentLine, by: Actor | None = None
) -> None:
    """Strike a mistaken line through on an open record; it stays on the chart."""
    with transaction.atomic():
        locked = record_for_write(record)
        TreatmentLine.objects.filter(pk=line.pk, record=locked, voided_at=None).update(
            voided_at=timezone.now()
        )
        record_audit(locked, line, AuditAction.UPDATE, by, voided=True)


@dataclass(frozen=True)
class CopiedForward:
    copied: int
    skipped: list[str]


def record_copy_forward(
    *, record: TreatmentRecord, staff: StaffProfile, by: Actor | None = None
) -> CopiedForward:
    """Start this session's areas from the previous session's (depth, passes, technique,
    indication, speed); each line is checked again as if typed, so one that needs an order
    that has lapsed is left out with the reason. Products are not copied: lots change."""
    visit_require(appointment=record.appointment, performer=staff)
    previous = record_previous(record)
    if previous is None:
        raise ChartRefused("invalid", "There is no earlier signed session to copy from.")
    if record.lines.filter(voided_at=None).exists():
        raise ChartRefused("invalid", "Areas are already charted for this session.")
    copied, skipped = 0, []
    for line in previous.lines.filter(voided_at=None).select_related("area", "indication"):
        try:
            treatment_line_add(
                record=record,
                area=line.area,
                depth_mm=line.depth_mm,
                passes=line.passes,
                technique=line.technique,
                indication=line.indication,
                speed=line.speed,
                staff=staff,
                by=by,
            )
        except ChartRefused as refused:
            if refused.code in ("record_locked", "device_missing"):
                raise
            skipped.append(f"{line.area.name}: {refused.message}")
        else:
            copied += 1
    with transaction.atomic():
        TreatmentRecord.objects.filter(pk=record.pk).update(copied_from=previous)
    record.copied_from = previous
    return CopiedForward(copied, skipped)
