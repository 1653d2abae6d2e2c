"""Outcome scores (docs/clinical-rules.md §7): added at a visit from the chart, or at a follow-up
from the patient's progress page, which draws each scale over time with the sessions marked."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.accounts.roles import role_may
from needlepoint.clinical.models import Outcome, TreatmentRecord
from needlepoint.clinical.progress import (
    SCALES,
    OutcomePoint,
    follow_up_windows,
    progress_charts,
)
from needlepoint.clinical.selectors import (
    outcome_indications,
    outcome_list,
    outcome_rows,
    patient_session_dates,
    patient_zone,
    treatment_record_get,
)
from needlepoint.clinical.services import outcome_record
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_day, local_today
from needlepoint.core.models import AuditAction
from needlepoint.patients.models import Patient
from needlepoint.patients.selectors import patient_get
from needlepoint.staff.forms.outcomes import OutcomeForm

NO_INDICATION = "Not specified"


def _chart_url(record: TreatmentRecord) -> str:
    """The record's chart page, at its outcome panel."""
    return reverse("clinical:record-detail", kwargs={"public_id": record.public_id}) + "#outcomes"


@staff_required("clinical.chart")
def record_outcome_add(request: StaffRequest, public_id: str) -> HttpResponse:
    """POST: scores at this visit, back to the chart. Refused input shows the form again
    with the reasons (400)."""
    record = treatment_record_get(
        organization=request.organization,
        public_id=public_id,
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    zone = record.appointment.location.zone
    form = OutcomeForm(
        request.POST, organization_id=record.organization_id, today=local_today(zone)
    )
    if form.is_valid():
        try:
            outcome_record(
                patient=record.patient,
                staff=request.staff,
                record=record,
                by=request.actor,
                **form.outcome(),
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, "Outcome recorded.")
            return redirect(_chart_url(record))
    # The page names the patient: a read of the record like any other.
    audit_record(action=AuditAction.VIEW, request=request, obj=record, patient=record.patient)
    context = {
        "record": record,
        "patient": record.patient,
        "visit_on": record.appointment.starts_at.astimezone(zone),
        "form": form,
        "action": reverse("clinical:record-outcome-add", kwargs={"public_id": record.public_id}),
        "back_url": _chart_url(record),
    }
    return render(request, "clinical/outcome_add.html", context, status=400)


@staff_required("clinical.view")
def patient_progress(request: StaffRequest, public_id: str) -> HttpResponse:
    """Each outcome scale over time for one patient, per indication, with the sessions
    marked and a form for a follow-up assessment (1 and 3–6 months after the last
    session)."""
    patient = patient_get(
        organization=request.organization,
        public_id=public_id,
    )
    return _progress_page(request, patient, form=None)


@staff_required("clinical.chart")
def patient_outcome_add(request: StaffRequest, public_id: str) -> HttpResponse:
    """POST: a follow-up assessment, tied to no visit; back to the progress page."""
    patient = patient_get(
        organization=request.organization,
        public_id=public_id,
    )
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = OutcomeForm(
        request.POST,
        organization_id=patient.organization_id,
        today=local_today(patient_zone(patient)),
    )
    if form.is_valid():
        try:
            outcome = outcome_record(
                patient=patient,
                staff=request.staff,
                by=request.actor,
                **form.outcome(),
            )
        except ValidationError as refused:
            form.add_error(None, refused)
        else:
            messages.success(request, "Follow-up outcome recorded.")
            url = reverse("clinical:patient-progress", kwargs={"public_id": patient.public_id})
            if outcome.indication is not None:
                url += f"?indication={outcome.indication.code}"
            return redirect(url)
    return _progress_page(request, patient, form=form, status=400)


def _progress_page(
    request: StaffRequest, patient: Patient, *, form: OutcomeForm | None, status: int = 200
) -> HttpResponse:
    indications = list(outcome_indications(patient=patient))
    code = request.GET.get("indication", "")
    indication = next((i for i in indications if i.code == code), None)
    outcomes = list(outcome_list(patient=patient, indication=indication))
    sessions = patient_session_dates(patient=patient, indication=indication)
    audit_record(
        action=AuditAction.VIEW,
        request=request,
        obj=patient,
        patient=patient,
        detail={"progress": True},
    )
    today = local_today(patient_zone(patient))
    charts = progress_charts(
        [_point(outcome, grouped=indication is None) for outcome in outcomes], sessions=sessions
    )
    if form is None:
        form = OutcomeForm(
            organization_id=patient.organization_id,
            today=today,
            initial={"assessed_on": today, "indication": indication},
        )
    context = {
        "patient": patient,
        "indications": indications,
        "indication": indication,
        "rows": outcome_rows(outcomes),
        "scales": SCALES,
        "charts": charts,
        "sessions": sessions,
        "follow_ups": (
            follow_up_windows(sessions[-1], assessed=[o.assessed_on for o in outcomes])
            if sessions
            else []
        ),
        "form": form,
        "can_add": role_may(request.staff.role, "clinical.chart"),
        "action": reverse("clinical:patient-outcome-add", kwargs={"public_id": patient.public_id}),
    }
    return render(request, "clinical/patient_progress.html", context, status=status)


def _point(outcome: Outcome, *, grouped: bool) -> OutcomePoint:
    group = ""
    if grouped:
        group = outcome.indication.name if outcome.indication else NO_INDICATION
    return OutcomePoint(
        on=outcome.assessed_on,
        scores={scale.code: getattr(outcome, scale.code) for scale in SCALES},
        group=group,
    )


def record_outcomes_context(record: TreatmentRecord) -> dict[str, object]:
    """What the chart page's outcome panel shows (`clinical/_chart_outcomes.html`): the
    scores recorded at this visit, and a form to add some (outcomes are separate rows, so
    a signed record takes them too). Every key starts with `outcome` to keep clear of the
    chart's own context."""
    zone = record.appointment.location.zone
    today = local_today(zone)
    visit_day = local_day(record.appointment.starts_at, zone)
    treated_for = (
        record.lines.filter(voided_at=None, indication__isnull=False)
        .values_list("indication_id", flat=True)
        .first()
    )
    outcomes = list(
        record.outcomes.select_related("indication", "recorded_by__user").order_by(
            "assessed_on", "recorded_at", "pk"
        )
    )
    return {
        "outcome_rows": outcome_rows(outcomes),
        "outcome_scales": SCALES,
        "outcome_form": OutcomeForm(
            organization_id=record.organization_id,
            today=today,
            initial={"assessed_on": min(visit_day, today), "indication": treated_for},
        ),
        "outcome_add_url": reverse(
            "clinical:record-outcome-add", kwargs={"public_id": record.public_id}
        ),
        "outcome_progress_url": reverse(
            "clinical:patient-progress", kwargs={"public_id": record.patient.public_id}
        ),
    }
