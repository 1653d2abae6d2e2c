"""The PRP tube label. The API's `label_url` points here, so it also opens with a staff
API token in the Authorization header (same role check, same audit row)."""

from __future__ import annotations

from django.http import HttpResponse

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.clinical.labels import prp_label_pdf
from needlepoint.clinical.selectors import prp_sample_get
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction


@staff_required("clinical.chart", bearer=True)
def prp_label(request: StaffRequest, public_id: str) -> HttpResponse:
    """The tube label as a PDF, to print at the draw (audited: it carries the name)."""
    sample = prp_sample_get(
        organization=request.organization,
        public_id=public_id,
    )
    audit_record(
        action=AuditAction.EXPORT,
        request=request,
        obj=sample,
        patient=sample.patient,
        detail={"label": True},
    )
    response = HttpResponse(prp_label_pdf(sample), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="prp-{sample.public_id}.pdf"'
    return response
