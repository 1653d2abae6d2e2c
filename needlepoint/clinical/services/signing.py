"""Closing a record: the performer's signature, the medical director's co-signature, and
the dated addenda that follow a signed record.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import CLINICAL, Role
from needlepoint.accounts.scope import Procedure
from needlepoint.accounts.selectors import staff_scope_refusal
from needlepoint.clinical.chart import ChartRefused, sign_blockers
from needlepoint.clinical.gate import visit_require
from needlepoint.clinical.models import Addendum, RecordStatus, TreatmentRecord
from needlepoint.clinical.selectors import record_sign_facts
from needlepoint.clinical.services.guards import record_audit, record_for_write, record_visit_day
from needlepoint.core.actor import Actor
from needlepoint.core.models import AuditAction
from needlepoint.scheduling.models import Appointment, AppointmentStatus


def record_sign(
    *,
    record: TreatmentRecord,
    staff: StaffProfile,
    by: Actor | None = None,
    now: datetime | None = None,
) -> TreatmentRecord:
    """The performer signs and locks the record once nothing is missing, and the visit is
    complete. A performer whose licence may not sign alone (the scope table: RNs work on
    the LIP's order, §8) leaves it waiting for the medical director's co-signature."""
    if staff.role not in CLINICAL:
        raise ChartRefused("forbidden", "Only a clinician signs a treatment record.")
    with transaction.atomic():
        locked = record_for_write(record)
        now = now or timezone.now()
        visit_require(appointment=locked.appointment, performer=staff, now=now)
        missing = sign_blockers(record_sign_facts(locked))
        if missing:
            raise ChartRefused("record_incomplete", " ".join(missing))
        locked.status = RecordStatus.SIGNED
        locked.signed_at = now
        locked.signed_by = staff
        locked.cosign_required = (
            staff_scope_refusal(
                staff=staff, procedures=[Procedure.SIGN_ALONE], on=record_visit_day(locked)
            )
            is not None
        )
        locked.save(
            update_fields=["status", "signed_at", "signed_by", "cosign_required", "updated_at"]
        )
        Appointment.objects.filter(
            pk=locked.appointment_id, status=AppointmentStatus.CHECKED_IN
        ).update(status=AppointmentStatus.COMPLETED)
        record_audit(locked, locked, AuditAction.UPDATE, by, signed=True)
    return locked


def record_cosign(
    *,
    record: TreatmentRecord,
    staff: StaffProfile,
    by: Actor | None = None,
    now: datetime | None = None,
) -> TreatmentRecord:
    """The medical director co-signs a signed record that needs it."""
    if staff.role != Role.MEDICAL_DIRECTOR:
        raise ChartRefused("forbidden", "Only the medical director co-signs.")
    with transaction.atomic():
        locked = TreatmentRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status != RecordStatus.SIGNED or not locked.cosign_required:
            raise ChartRefused("invalid", "This record is not waiting for a co-signature.")
        if locked.signed_by_id == staff.pk:
            raise ChartRefused("invalid", "The performer cannot co-sign their own record.")
        locked.status = RecordStatus.COSIGNED
        locked.cosigned_at = now or timezone.now()
        locked.cosigned_by = staff
        locked.save(update_fields=["status", "cosigned_at", "cosigned_by", "updated_at"])
        record_audit(locked, locked, AuditAction.UPDATE, by, cosigned=True)
    return locked


def addendum_add(
    *,
    record: TreatmentRecord,
    text: str,
    staff: StaffProfile,
    by: Actor | None = None,
) -> Addendum:
    """A dated note on a signed record; the record itself stays as signed."""
    text = text.strip()
    if not text:
        raise ChartRefused("invalid", "Write the addendum first.")
    if len(text) > 2000:
        raise ChartRefused("invalid", "Keep an addendum under 2,000 characters.")
    with transaction.atomic():
        locked = TreatmentRecord.objects.select_for_update().get(pk=record.pk)
        if not locked.is_locked:
            raise ChartRefused("invalid", "The record is still open: change it directly.")
        addendum = Addendum.objects.create(record=locked, text=text, by=staff, at=timezone.now())
        record_audit(locked, addendum, AuditAction.CREATE, by)
    return addendum
