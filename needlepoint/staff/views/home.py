"""The staff home: the dashboard and the audit log."""

from __future__ import annotations

from datetime import timedelta

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.accounts.roles import role_may
from needlepoint.clinical.selectors import incident_count
from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.staff.dashboard import dashboard_get


@staff_required("dashboard.view")
def dashboard(request: StaffRequest) -> HttpResponse:
    role = request.staff.role
    organization = request.organization
    context = {
        "dashboard": dashboard_get(organization=organization),
        "show_clinical_stock": role_may(role, "clinical.view") or role_may(role, "audit.view"),
        "show_licences": role_may(role, "audit.view"),
        # The owner's and the medical director's: safety events of the last 30 days.
        "incidents_30_days": (
            incident_count(organization=organization, since=timezone.now() - timedelta(days=30))
            if role_may(role, "clinical.incidents")
            else None
        ),
    }
    return render(request, "core/dashboard.html", context)


@staff_required("audit.view")
def audit_log(request: StaffRequest) -> HttpResponse:
    events = AuditEvent.objects.filter(organization=request.organization).select_related("actor")
    action = request.GET.get("action", "")
    if action in AuditAction.values:
        events = events.filter(action=action)
    page = Paginator(events.order_by("-id"), 50).get_page(request.GET.get("page"))
    context = {"page": page, "actions": AuditAction.choices, "selected_action": action}
    template = "core/audit_log.html"
    if request.htmx:
        template += "#audit-rows"
    return render(request, template, context)
