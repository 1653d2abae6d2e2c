"""Reads for the chart."""

from __future__ import annotations

from django.db.models import QuerySet

from needlepoint.clinical.models import CartridgeUse, PrpSample, TreatmentRecord
from needlepoint.core.models import Organization
from needlepoint.core.tenancy import get_scoped_or_404


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


def cartridge_recall_list(*, organization: Organization, lot: str) -> QuerySet[CartridgeUse]:
    """Every use of a cartridge lot in the clinic, oldest first: who received it, when."""
    return (
        CartridgeUse.objects.filter(organization=organization, lot__lot=lot.strip().upper())
        .select_related(
            "lot", "treatment_record__patient", "treatment_record__appointment__location"
        )
        .order_by("used_at", "pk")
    )


def record_photos_context(record: TreatmentRecord) -> dict[str, object]:
    """What the chart page's photo panel shows (`clinical/_chart_photos.html`)."""
    return {}


def record_outcomes_context(record: TreatmentRecord) -> dict[str, object]:
    """What the chart page's outcome panel shows (`clinical/_chart_outcomes.html`)."""
    return {}
