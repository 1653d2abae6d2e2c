"""What every write on a chart checks first: the visit is open, the record is not signed
(and is locked for the transaction); and the audit line a chart write leaves.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from needlepoint.clinical.chart import ChartRefused
from needlepoint.clinical.models import TreatmentRecord
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_day
from needlepoint.scheduling.models import AppointmentStatus

OPEN_VISIT = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


def refuse_if_signed(record: TreatmentRecord) -> None:
    if record.is_locked:
        raise ChartRefused(
            "record_locked", "This record is signed and locked: add an addendum instead."
        )


def record_for_write(record: TreatmentRecord) -> TreatmentRecord:
    """The record, locked for this transaction; refused once it is signed."""
    locked = TreatmentRecord.objects.select_for_update().get(pk=record.pk)
    refuse_if_signed(locked)
    return locked


def record_audit(
    record: TreatmentRecord, obj: object, action: str, by: Actor | None, **detail: Any
) -> None:
    audit_record(
        action=action,
        by=by,
        organization=record.appointment.organization,
        obj=obj,
        patient=record.patient,
        detail=detail or None,
    )


def record_visit_day(record: TreatmentRecord) -> date:
    return local_day(record.appointment.starts_at, record.appointment.location.zone)
