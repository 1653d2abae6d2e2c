"""The patient's identity (ID1, ID8): two identifiers checked against the chart, and the
incident a mismatch records in its own transaction, so the refusal that follows cannot roll
it back.
"""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.clinical.chart import ChartRefused
from needlepoint.clinical.custody import Identity
from needlepoint.clinical.gate import visit_require
from needlepoint.clinical.models import Incident, IncidentKind, PrpSample, TreatmentRecord
from needlepoint.clinical.readiness import Stage
from needlepoint.clinical.services.guards import record_audit, record_for_write, refuse_if_signed
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.patients.models import Patient
from needlepoint.scheduling.models import Appointment


def patient_identity(patient: Patient) -> Identity:
    return Identity(f"{patient.first_name} {patient.last_name}", patient.date_of_birth)


def incident_record(
    *,
    appointment: Appointment,
    staff: StaffProfile,
    detail: str,
    sample: PrpSample | None = None,
    by: Actor | None = None,
    kind: IncidentKind = IncidentKind.PATIENT_MISMATCH,
    now: datetime | None = None,
) -> None:
    """Recorded in its own transaction, so the refusal that follows cannot roll it back."""
    with transaction.atomic():
        incident = Incident.objects.create(
            organization_id=appointment.organization_id,
            kind=kind,
            appointment=appointment,
            sample=sample,
            reported_by=staff,
            occurred_at=now or timezone.now(),
            detail=detail,
        )
        audit_record(
            action=AuditAction.CREATE,
            by=by,
            organization=appointment.organization,
            obj=incident,
            patient=appointment.patient,
            detail={"kind": incident.kind},
        )


def record_identity_check(
    *,
    record: TreatmentRecord,
    full_name: str,
    staff: StaffProfile,
    date_of_birth: date | None = None,
    record_number: str = "",
    by: Actor | None = None,
    now: datetime | None = None,
) -> None:
    """Two identifiers (ID1): the full name with the date of birth or the record number
    (MRN), as the patient states them, against the chart. A mismatch is an incident."""
    patient = record.patient
    refuse_if_signed(record)
    visit_require(appointment=record.appointment, performer=staff, stage=Stage.PRE_CARE, now=now)
    same_name = Identity(full_name, patient.date_of_birth).matches(patient_identity(patient))
    if date_of_birth is not None:
        matched = same_name and date_of_birth == patient.date_of_birth
    elif record_number.strip():
        matched = same_name and record_number.strip().upper() == patient.record_number.upper()
    else:
        raise ChartRefused("invalid", "Give the date of birth or the record number with the name.")
    if not matched:
        incident_record(
            appointment=record.appointment,
            staff=staff,
            detail="Identifiers stated at the chair did not match the chart's patient.",
            by=by,
            now=now,
        )
        raise ChartRefused(
            "patient_mismatch",
            "These identifiers do not match this chart's patient. Stop and check who the "
            "patient is before going on. An incident is recorded.",
        )
    with transaction.atomic():
        locked = record_for_write(record)
        locked.identity_checked_at = now or timezone.now()
        locked.identity_checked_by = staff
        locked.save(update_fields=["identity_checked_at", "identity_checked_by", "updated_at"])
        record_audit(locked, locked, AuditAction.UPDATE, by, identity_checked=True)
