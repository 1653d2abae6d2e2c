"""Reads of treatment records and PRP samples: one by its public id, a visit's lines and
samples, the previous session, the depth orders in force, the co-signature queue and a
patient's records.
"""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from needlepoint.clinical.chart import LineValues
from needlepoint.clinical.models import (
    DepthOrder,
    PrpSample,
    RecordStatus,
    TreatmentLine,
    TreatmentRecord,
)
from needlepoint.core.models import Organization
from needlepoint.core.tenancy import get_scoped_or_404
from needlepoint.patients.models import Patient


def prp_sample_get(*, organization: Organization, public_id: str) -> PrpSample:
    """One PRP sample of the organization; another's (or none) is a 404."""
    return get_scoped_or_404(
        PrpSample.objects.select_related(
            "patient", "location", "appointment__organization", "drawn_by__user"
        ),
        organization=organization,
        public_id=public_id,
    )


def treatment_record_get(*, organization: Organization, public_id: str) -> TreatmentRecord:
    """One treatment record of the organization; another's (or none) is a 404."""
    return get_scoped_or_404(
        TreatmentRecord.objects.select_related(
            "patient", "appointment__location", "appointment__organization"
        ),
        organization=organization,
        public_id=public_id,
    )


def record_chart_get(*, organization: Organization, public_id: str) -> TreatmentRecord:
    """One treatment record with what its chart page shows at once; another's is a 404."""
    return get_scoped_or_404(
        TreatmentRecord.objects.select_related(
            "patient",
            "appointment__location",
            "appointment__organization",
            "appointment__service",
            "appointment__practitioner__user",
            "device",
            "identity_checked_by__user",
            "signed_by__user",
            "cosigned_by__user",
            "copied_from__appointment",
        ),
        organization=organization,
        public_id=public_id,
    )


def record_previous(record: TreatmentRecord) -> TreatmentRecord | None:
    """The patient's latest signed session before this one (what copy-forward and the
    differences compare with)."""
    return (
        TreatmentRecord.objects.filter(
            patient_id=record.patient_id,
            appointment__starts_at__lt=record.appointment.starts_at,
        )
        .exclude(status=RecordStatus.OPEN)
        .exclude(pk=record.pk)
        .select_related("appointment__location")
        .order_by("-appointment__starts_at")
        .first()
    )


def record_lines(record: TreatmentRecord) -> list[TreatmentLine]:
    return list(record.lines.select_related("area", "indication", "order__ordered_by__user"))


def line_values(lines: list[TreatmentLine]) -> list[LineValues]:
    return [
        LineValues(
            area=line.area.code,
            depth=line.depth_mm,
            passes=line.passes,
            technique=line.technique,
            indication=line.indication.code if line.indication else "",
            speed=line.speed,
        )
        for line in lines
        if line.voided_at is None
    ]


def record_samples(record: TreatmentRecord) -> list[PrpSample]:
    return list(
        PrpSample.objects.filter(appointment_id=record.appointment_id)
        .select_related("drawn_by__user")
        .prefetch_related("events__by__user", "events__witness__user")
        .order_by("drawn_at")
    )


def depth_orders_active(*, patient: Patient, on: date) -> QuerySet[DepthOrder]:
    return DepthOrder.objects.filter(patient=patient, valid_until__gte=on).select_related(
        "area", "ordered_by__user"
    )


def cosign_queue(*, organization: Organization) -> QuerySet[TreatmentRecord]:
    """Signed records waiting for the medical director, oldest first."""
    return (
        TreatmentRecord.objects.filter(
            organization=organization, status=RecordStatus.SIGNED, cosign_required=True
        )
        .select_related(
            "patient", "appointment__service", "appointment__location", "signed_by__user"
        )
        .order_by("signed_at")
    )


def patient_records(*, patient: Patient) -> QuerySet[TreatmentRecord]:
    """A patient's treatment records, newest first."""
    return (
        TreatmentRecord.objects.filter(patient=patient)
        .select_related("appointment__service", "appointment__location", "signed_by__user")
        .order_by("-appointment__starts_at")
    )
