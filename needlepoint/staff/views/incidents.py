"""The clinic's safety events for the medical director and the owner: identity mismatches,
wrong-tube scans, adverse events and screening overrides, newest first."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.accounts.roles import role_may
from needlepoint.clinical.selectors import incident_list
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.staff.forms.incidents import IncidentFilterForm

PAGE_SIZE = 50


@staff_required("clinical.incidents")
def incident_list_view(request: StaffRequest) -> HttpResponse:
    """Filtered by kind and date range (GET); a bad filter is a 400 with its message."""
    organization = request.organization
    form = IncidentFilterForm(request.GET)
    context: dict[str, object] = {
        "form": form,
        "can_chart": role_may(request.staff.role, "clinical.chart"),
    }
    if not form.is_valid():
        return render(request, "clinical/incident_list.html", context, status=400)
    since, until = form.bounds(ZoneInfo(organization.default_timezone))
    kind = form.cleaned_data["kind"] or None
    rows = incident_list(organization=organization, kind=kind, since=since, until=until)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_record(
        action=AuditAction.LIST,
        request=request,
        detail={"incidents": len(rows), "kind": kind or "all", "page": page.number},
    )
    context["page"] = page
    return render(request, "clinical/incident_list.html", context)
