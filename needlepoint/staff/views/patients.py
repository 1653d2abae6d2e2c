"""Staff pages for the patient record. Every view of a patient is audited."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.accounts.roles import role_may
from needlepoint.clinical.selectors import patient_records
from needlepoint.core.audit import audit_events_for_patient, audit_record
from needlepoint.core.models import AuditAction
from needlepoint.patients.merge import MergeRefused, patient_merge
from needlepoint.patients.selectors import (
    duplicate_get,
    duplicate_list,
    patient_get,
    patient_list,
    patient_merges,
)
from needlepoint.patients.services import duplicate_dismiss


@staff_required("patients.list")
def patient_list_view(request: StaffRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    patients = patient_list(organization=request.organization, search=search)
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
    )
    return render(request, template, context)


@staff_required("patients.view")
def patient_detail(request: StaffRequest, public_id: str) -> HttpResponse:
    patient = patient_get(organization=request.organization, public_id=public_id)
    audit_record(action=AuditAction.VIEW, request=request, obj=patient, patient=patient)
    show_history = role_may(request.staff.role, "patients.view_access_history")
    history = (
        audit_events_for_patient(
            organization=request.organization,
            patient_ref=str(patient.public_id),
        )
        if show_history
        else []
    )
    show_clinical = role_may(request.staff.role, "clinical.view")
    return render(
        request,
        "patients/patient_detail.html",
        {
            "patient": patient,
            "history": history,
            "show_history": show_history,
            "show_clinical": show_clinical,
            "records": list(patient_records(patient=patient)) if show_clinical else [],
            "merged_here": patient_merges(patient=patient),
        },
    )


# --- Possible duplicates: the desk's queue (docs/security-targets.md A8) --------------------------


@staff_required("patients.merge")
def duplicate_list_view(request: StaffRequest) -> HttpResponse:
    """Open candidates with both records side by side, to merge or to keep apart."""
    candidates = list(duplicate_list(organization=request.organization)[:50])
    audit_record(
        action=AuditAction.LIST,
        request=request,
        detail={"duplicates": len(candidates)},
    )
    return render(request, "patients/duplicate_list.html", {"candidates": candidates})


@staff_required("patients.merge")
@require_POST
def duplicate_merge(request: StaffRequest, public_id: str) -> HttpResponse:
    """Merge the pair; the form names the record that survives."""
    candidate = duplicate_get(organization=request.organization, public_id=public_id)
    pair = {
        str(candidate.patient.public_id): candidate.patient,
        str(candidate.other.public_id): candidate.other,
    }
    survivor = pair.get(request.POST.get("survivor", ""))
    if survivor is None:
        raise Http404("Choose one of the two records.")
    merged = candidate.other if survivor == candidate.patient else candidate.patient
    try:
        patient_merge(
            survivor=survivor,
            merged=merged,
            staff=request.staff,
            reason=request.POST.get("reason", "")[:300] or "Same person (desk).",
            by=request.actor,
        )
    except MergeRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(
            request, f"Merged: {merged.record_number} now lives on in {survivor.record_number}."
        )
    return redirect("patients:duplicate-list")


@staff_required("patients.merge")
@require_POST
def duplicate_dismiss_view(request: StaffRequest, public_id: str) -> HttpResponse:
    """Not the same person: the booking rules keep the two records apart from now on."""
    candidate = duplicate_get(organization=request.organization, public_id=public_id)
    duplicate_dismiss(candidate=candidate, staff=request.staff, by=request.actor)
    messages.success(request, "Kept apart: the two records are two people.")
    return redirect("patients:duplicate-list")
