"""The medical director's screening review: the queue, a screening with its answers, and
its two writes (lab values the patient cannot give, and the decision)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.core.refusals import refusal_form_error
from needlepoint.intake.answers import CATALOGUE, AnswerError
from needlepoint.intake.models import ReviewScope, Screening, ScreeningStatus
from needlepoint.intake.selectors import (
    review_queue,
    screening_answer_rows,
    screening_current,
    screening_get,
)
from needlepoint.intake.services import (
    ReviewError,
    response_add_clinician_answers,
    screening_decide,
)
from needlepoint.staff.forms.screening import ClinicianAnswersForm, DecisionForm


@staff_required("screening.review")
def review_list(request: StaffRequest) -> HttpResponse:
    queue = list(review_queue(organization=request.organization))
    for screening in queue:
        audit_record(
            action=AuditAction.LIST,
            request=request,
            obj=screening,
            patient=screening.appointment.patient,
        )
    return render(request, "intake/review_list.html", {"queue": queue})


def _clinician_questions(screening: Screening) -> list[dict]:
    """Number questions for clinicians that this visit's service makes relevant."""
    uses_prp = screening.appointment.service.uses_prp
    return [
        q
        for q in screening.response.questionnaire.questions.get("clinician", [])
        if q["kind"] == "number" and q["code"] in CATALOGUE and (uses_prp or not q.get("prp_only"))
    ]


@staff_required("screening.review")
@require_GET
def review_detail(request: StaffRequest, public_id: str) -> HttpResponse:
    screening = _screening(request, public_id)
    audit_record(
        action=AuditAction.VIEW,
        request=request,
        obj=screening,
        patient=screening.appointment.patient,
    )
    return _review_page(request, screening)


@staff_required("screening.review")
@require_POST
def review_clinician_answers(request: StaffRequest, public_id: str) -> HttpResponse:
    """Lab values the patient cannot give; the visit is screened again with them."""
    screening = _screening(request, public_id)
    labs = ClinicianAnswersForm(request.POST, questions=_clinician_questions(screening))
    if labs.is_valid():
        try:
            response_add_clinician_answers(
                response=screening.response,
                answers=labs.answers(),
                staff=request.staff,
                by=request.actor,
            )
        except (ReviewError, AnswerError) as refused:
            labs.add_error(None, refused.message)
        else:
            messages.success(request, "Recorded; the visit is screened again.")
            current = screening_current(appointment=screening.appointment)
            if current is not None and current.status == ScreeningStatus.NEEDS_REVIEW:
                return redirect("intake:review-detail", public_id=current.public_id)
            return redirect("intake:review-list")
    return _review_page(request, screening, labs=labs, status=422)


@staff_required("screening.review")
@require_POST
def review_decision(request: StaffRequest, public_id: str) -> HttpResponse:
    """Approve or decline, with the reason that goes into the chart."""
    screening = _screening(request, public_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            screening_decide(
                screening=screening,
                staff=request.staff,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
                scope=form.cleaned_data["scope"],
                by=request.actor,
            )
        except ReviewError as refused:
            refusal_form_error(form, refused)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("intake:review-list")
    return _review_page(request, screening, form=form, status=422)


def _screening(request: StaffRequest, public_id: str) -> Screening:
    return screening_get(organization=request.organization, public_id=public_id)


def _review_page(
    request: StaffRequest,
    screening: Screening,
    *,
    form: DecisionForm | None = None,
    labs: ClinicianAnswersForm | None = None,
    status: int = 200,
) -> HttpResponse:
    questions = _clinician_questions(screening)
    if labs is None:
        labs = ClinicianAnswersForm(questions=questions)
    if form is None:
        form = DecisionForm(initial={"scope": ReviewScope.APPOINTMENT})
    return render(
        request,
        "intake/review_detail.html",
        {
            "screening": screening,
            "answers": screening_answer_rows(screening),
            "form": form,
            "labs": labs if questions else None,
            "start": screening.appointment.starts_at.astimezone(
                screening.appointment.location.zone
            ),
        },
        status=status,
    )
