"""Reads for the chart."""

from __future__ import annotations

from needlepoint.clinical.models import PrpSample, TreatmentRecord
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
