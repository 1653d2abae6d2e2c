"""Recall search: which patients received a cartridge lot or a product lot."""

from __future__ import annotations

import csv

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.text import slugify

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.clinical.selectors import RecallHit, recall_hits
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction

CARTRIDGE, PRODUCT = "cartridge", "product"
KINDS = {CARTRIDGE: "Cartridge lot", PRODUCT: "Product lot"}


@staff_required("clinical.recall")
def cartridge_recall(request: StaffRequest) -> HttpResponse:
    """Which patients received cartridges of a lot, or a product of a lot (anaesthetic,
    serum…), on screen or as CSV (every listed patient audited)."""
    kind = request.GET.get("kind", CARTRIDGE)
    kind = kind if kind in KINDS else CARTRIDGE
    lot = request.GET.get("lot", "").strip()[:60]
    organization = request.organization
    hits = recall_hits(organization=organization, kind=kind, lot=lot) if lot else []
    export = request.GET.get("format") == "csv"
    for hit in hits:
        audit_record(
            action=AuditAction.EXPORT if export else AuditAction.LIST,
            request=request,
            obj=hit.source,
            patient=hit.patient,
            detail={"recall_product_lot" if kind == PRODUCT else "recall_lot": hit.lot},
        )
    if export:
        return _csv(kind, lot, hits)
    return render(
        request,
        "clinical/recall.html",
        {"lot": lot, "kind": kind, "kinds": KINDS, "hits": hits},
    )


def _csv(kind: str, lot: str, hits: list[RecallHit]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"recall-{slugify(lot)}" if kind == CARTRIDGE else f"recall-product-{slugify(lot)}"
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    writer = csv.writer(response)
    if kind == CARTRIDGE:
        writer.writerow(["lot", "serial", "used_at", "location", "record_number", "patient"])
    else:
        writer.writerow(["product", "lot", "visit_at", "location", "record_number", "patient"])
    for hit in hits:
        what = (hit.lot, hit.serial) if kind == CARTRIDGE else (hit.item, hit.lot)
        writer.writerow(
            [
                *map(_cell, what),
                hit.at.isoformat(timespec="minutes"),
                _cell(hit.location_name),
                _cell(hit.patient.record_number),
                _cell(f"{hit.patient.first_name} {hit.patient.last_name}"),
            ]
        )
    return response


def _cell(value: str) -> str:
    """No spreadsheet formulas from a name (CSV injection)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value
