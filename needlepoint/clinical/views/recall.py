"""Recall search: which patients received a lot."""

from __future__ import annotations

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from needlepoint.accounts.access import staff_required
from needlepoint.clinical.selectors import cartridge_recall_list
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction


@staff_required("clinical.recall")
def cartridge_recall(request: HttpRequest) -> HttpResponse:
    """Which patients received cartridges of a lot, on screen or as CSV (both audited)."""
    lot = request.GET.get("lot", "").strip()[:60]
    organization = request.organization  # type: ignore[attr-defined]
    uses = list(cartridge_recall_list(organization=organization, lot=lot)) if lot else []
    export = request.GET.get("format") == "csv"
    for use in uses:
        audit_record(
            action=AuditAction.EXPORT if export else AuditAction.LIST,
            request=request,
            obj=use,
            patient=use.treatment_record.patient,
            detail={"recall_lot": use.lot.lot},
        )
    if export:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="recall-{slugify(lot)}.csv"'
        writer = csv.writer(response)
        writer.writerow(["lot", "serial", "used_at", "location", "record_number", "patient"])
        for use in uses:
            patient = use.treatment_record.patient
            location = use.treatment_record.appointment.location
            writer.writerow(
                [
                    use.lot.lot,
                    use.serial,
                    use.used_at.astimezone(location.zone).isoformat(timespec="minutes"),
                    location.name,
                    patient.record_number,
                    _cell(f"{patient.first_name} {patient.last_name}"),
                ]
            )
        return response
    return render(request, "clinical/recall.html", {"lot": lot, "uses": uses})


def _cell(value: str) -> str:
    """No spreadsheet formulas from a name (CSV injection)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value
