"""Staff pages for the patient record. Every view of a patient is audited."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from needlepoint.accounts.access import staff_required
from needlepoint.accounts.roles import role_may
from needlepoint.clinical.selectors import patient_records
from needlepoint.core.audit import audit_events_for_patient, audit_record
from needlepoint.core.models import AuditAction
from needlepoint.patients.selectors import patient_get, patient_list


@staff_required("patients.list")
def patient_list_view(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    patients = patient_list(organization=request.organization, search=search)  # type: ignore[attr-defined]
    page = Paginator(patients, 25).get_page(request.GET.get("page"))
    # The list shows names and dates of birth: it is a PHI read too (ids only in the row).
    audit_record(
        action=AuditAction.LIST,
        request=request,
        detail={"count": len(page.object_list), "searched": bool(search)},
    )
    context = {"page": page, "q": search}
    template = (
        "patients/patient_list.html#results" if request.htmx else "patients/patient_list.html"
    )  # type: ignore[attr-defined]
    return render(request, template, context)


@staff_required("patients.view")
def patient_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    patient = patient_get(organization=request.organization, public_id=public_id)  # type: ignore[attr-defined]
    audit_record(action=AuditAction.VIEW, request=request, obj=patient, patient=patient)
    show_history = role_may(request.staff.role, "patients.view_access_history")  # type: ignore[attr-defined]
    history = (
        audit_events_for_patient(
            organization=request.organization,  # type: ignore[attr-defined]
            patient_ref=str(patient.public_id),
        )
        if show_history
        else []
    )
    show_clinical = role_may(request.staff.role, "clinical.view")  # type: ignore[attr-defined]
    return render(
        request,
        "patients/patient_detail.html",
        {
            "patient": patient,
            "history": history,
            "show_history": show_history,
            "show_clinical": show_clinical,
            "records": list(patient_records(patient=patient)) if show_clinical else [],
        },
    )
