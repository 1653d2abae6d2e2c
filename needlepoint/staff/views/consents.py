"""A patient's consents for staff: their status, the signed PDFs, and recording a withdrawal
on the patient's request. Every page that shows them writes an audit row. Patients sign on
the public pages (`site/views/consents.py`)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.core.refusals import refusal_form_error
from needlepoint.core.tenancy import get_scoped_or_404
from needlepoint.intake.consents import (
    ConsentError,
    ConsentNotConfigured,
    consent_pdf,
    consent_sign_url,
    consent_signatures_for_patient,
    consent_upcoming_visits,
    consent_withdraw,
)
from needlepoint.intake.models import ConsentSignature
from needlepoint.patients.models import Patient
from needlepoint.patients.selectors import patient_get
from needlepoint.staff.forms.consents import StaffWithdrawForm

PATIENT_LINK = "patient (consent link)"


# --- Patients, by signed link ------------------------------------------------------------


def _patient(request: StaffRequest, public_id: str) -> Patient:
    return patient_get(organization=request.organization, public_id=public_id)


def _signature(request: StaffRequest, patient: Patient, signature_id: str) -> ConsentSignature:
    signature = get_scoped_or_404(
        ConsentSignature.objects.filter(patient=patient).select_related(
            "document",
            "organization",
            "appointment__service",
            "appointment__location",
            "withdrawal",
        ),
        organization=request.organization,
        public_id=signature_id,
    )
    signature.patient = patient
    return signature


def _patient_consents_page(
    request: StaffRequest,
    patient: Patient,
    *,
    withdraw_form: StaffWithdrawForm | None = None,
    withdraw_target: str = "",
    status: int = 200,
) -> HttpResponse:
    now = timezone.now()
    today = now.astimezone(ZoneInfo(request.organization.default_timezone)).date()
    rows = consent_signatures_for_patient(patient=patient, on=today)
    setup_error = ""
    try:
        upcoming = consent_upcoming_visits(patient=patient, now=now)
    except ConsentNotConfigured as refused:
        upcoming, setup_error = [], refused.message
    visits = [
        {
            "appointment": visit,
            "start": visit.starts_at.astimezone(visit.location.zone),
            "missing": missing,
            "sign_url": consent_sign_url(visit, absolute=False),
        }
        for visit, missing in upcoming
    ]
    audit_record(
        action=AuditAction.LIST,
        request=request,
        patient=patient,
        detail={"consents": len(rows)},
    )
    return render(
        request,
        "intake/consent_patient.html",
        {
            "patient": patient,
            "rows": rows,
            "visits": visits,
            "setup_error": setup_error,
            "withdraw_form": withdraw_form or StaffWithdrawForm(),
            "withdraw_target": withdraw_target,
        },
        status=status,
    )


@staff_required("consents.view")
@require_GET
def patient_consents(request: StaffRequest, public_id: str) -> HttpResponse:
    """A patient's signatures with their status, PDFs, and the next visits' missing forms."""
    return _patient_consents_page(request, _patient(request, public_id))


@staff_required("consents.view")
@require_GET
def consent_pdf_download(request: StaffRequest, public_id: str, signature_id: str) -> HttpResponse:
    patient = _patient(request, public_id)
    signature = _signature(request, patient, signature_id)
    pdf = consent_pdf(signature)
    audit_record(
        action=AuditAction.EXPORT,
        request=request,
        obj=signature,
        patient=patient,
        detail={"format": "pdf"},
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name carries no name or date of birth (docs/security-targets.md D6).
    response["Content-Disposition"] = f'attachment; filename="consent-{signature.public_id}.pdf"'
    return response


@staff_required("consents.view")
@require_POST
def consent_withdraw_by_staff(
    request: StaffRequest, public_id: str, signature_id: str
) -> HttpResponse:
    """Record the withdrawal of a marketing authorization on the patient's request."""
    patient = _patient(request, public_id)
    signature = _signature(request, patient, signature_id)
    form = StaffWithdrawForm(request.POST)
    if form.is_valid():
        try:
            consent_withdraw(
                signature=signature,
                by_patient=False,
                staff=request.staff,
                reason=form.cleaned_data["reason"],
                by=request.actor,
            )
        except ConsentError as refused:
            refusal_form_error(form, refused)
        else:
            messages.success(request, "The marketing-photo authorization is withdrawn.")
            return redirect("intake:patient-consents", public_id=patient.public_id)
    return _patient_consents_page(
        request,
        patient,
        withdraw_form=form,
        withdraw_target=str(signature.public_id),
        status=422,
    )
