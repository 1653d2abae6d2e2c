"""Health questionnaire pages (patients, by signed link or on the front-desk tablet) and
the medical director's review queue."""

from __future__ import annotations

import math

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from needlepoint.accounts.access import staff_required
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_today
from needlepoint.core.models import AuditAction
from needlepoint.intake.answers import CATALOGUE, AnswerError, AnswerType
from needlepoint.intake.forms import QuestionnaireForm, patient_sections
from needlepoint.intake.links import appointment_from_questionnaire_token
from needlepoint.intake.models import AnswerChannel, ReviewScope, ScreeningStatus
from needlepoint.intake.selectors import (
    questionnaire_current,
    review_queue,
    screening_answer_rows,
    screening_current,
    screening_get,
)
from needlepoint.intake.services import (
    ReviewError,
    questionnaire_submit,
    response_add_clinician_answers,
    screening_decide,
    screens_needed,
)
from needlepoint.scheduling.models import Appointment, AppointmentStatus


def _visit(token: str) -> Appointment:
    appointment = appointment_from_questionnaire_token(token)
    if appointment is None:
        raise Http404("This link is not valid any more.")
    return appointment


def _kiosk(request: HttpRequest) -> bool:
    return request.GET.get("kiosk") == "1"


def _closed(request: HttpRequest, appointment: Appointment) -> HttpResponse:
    return render(
        request,
        "intake/questionnaire_closed.html",
        {"appointment": appointment, "kiosk": _kiosk(request)},
        status=410,
    )


@require_http_methods(["GET", "POST"])
def questionnaire(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _visit(token)
    if (
        appointment.status != AppointmentStatus.BOOKED
        or appointment.ends_at <= timezone.now()
        or not screens_needed(appointment)
    ):
        return _closed(request, appointment)
    current = questionnaire_current(organization=appointment.organization)
    if current is None:
        raise Http404("This clinic has no questionnaire yet.")
    sections = patient_sections(current.questions, uses_prp=appointment.service.uses_prp)
    today = local_today(appointment.location.zone)
    form = QuestionnaireForm(request.POST or None, sections=sections, today=today)
    if request.method == "POST" and form.is_valid():
        try:
            questionnaire_submit(
                patient=appointment.patient,
                questionnaire=current,
                answers=form.answers(),
                channel=AnswerChannel.KIOSK if _kiosk(request) else AnswerChannel.LINK,
                appointment=appointment,
                request=request,
            )
        except AnswerError as refused:  # a clinic's question that does not fit its code
            form.add_error(None, refused.message)
        else:
            done = redirect("intake:questionnaire-done", token=token)
            if _kiosk(request):
                done["Location"] += "?kiosk=1"
            return done
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "intake/questionnaire.html",
        {
            "appointment": appointment,
            "start": appointment.starts_at.astimezone(appointment.location.zone),
            "form": form,
            "kiosk": _kiosk(request),
        },
        status=status,
    )


def questionnaire_done(request: HttpRequest, token: str) -> HttpResponse:
    """What happens next, in kind words and without medical detail (the page may be read
    over a shoulder at the front desk)."""
    appointment = _visit(token)
    screening = screening_current(appointment=appointment)
    if screening is None:
        if appointment.status != AppointmentStatus.BOOKED or not screens_needed(appointment):
            return _closed(request, appointment)
        return redirect("intake:questionnaire", token=token)
    # Only a visit that must wait needs more words than the page's own.
    notes = list(
        dict.fromkeys(
            f["patient_message"]
            for f in screening.findings
            if f["outcome"] in ("block", "block_until")
        )
    )
    consent_url = None
    if screening.may_proceed or screening.status == ScreeningStatus.NEEDS_REVIEW:
        from needlepoint.intake.consents import consent_sign_url

        consent_url = consent_sign_url(appointment, absolute=False)
        if _kiosk(request):
            consent_url += "?kiosk=1"
    from needlepoint.scheduling.links import manage_url

    return render(
        request,
        "intake/questionnaire_done.html",
        {
            "appointment": appointment,
            "screening": screening,
            "notes": notes,
            "consent_url": consent_url,
            "manage_url": manage_url(appointment, absolute=False),
            "kiosk": _kiosk(request),
        },
    )


@staff_required("screening.review")
def review_list(request: HttpRequest) -> HttpResponse:
    queue = list(review_queue(organization=request.organization))  # type: ignore[attr-defined]
    for screening in queue:
        audit_record(
            action=AuditAction.LIST,
            request=request,
            obj=screening,
            patient=screening.appointment.patient,
        )
    return render(request, "intake/review_list.html", {"queue": queue})


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve: the treatment may go ahead"), ("decline", "Decline")],
        widget=forms.RadioSelect,
    )
    scope = forms.ChoiceField(choices=ReviewScope.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Goes into the chart with your name and the time.",
    )


class ClinicianAnswersForm(forms.Form):
    """The clinician-only questions of the questionnaire (latest lab values)."""

    def __init__(self, *args, questions: list[dict], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for question in questions:
            spec = CATALOGUE[question["code"]]
            field_class = (
                forms.IntegerField if spec.type is AnswerType.INTEGER else forms.DecimalField
            )
            self.fields[question["code"]] = field_class(
                label=question["text"],
                required=False,
                min_value=spec.minimum if math.isfinite(spec.minimum) else None,
                max_value=spec.maximum if math.isfinite(spec.maximum) else None,
            )

    def answers(self) -> dict[str, object]:
        return {
            code: (float(value) if value is not None and not isinstance(value, int) else value)
            for code, value in self.cleaned_data.items()
        }


def _clinician_questions(screening) -> list[dict]:
    """Number questions for clinicians that this visit's service makes relevant."""
    uses_prp = screening.appointment.service.uses_prp
    return [
        q
        for q in screening.response.questionnaire.questions.get("clinician", [])
        if q["kind"] == "number" and q["code"] in CATALOGUE and (uses_prp or not q.get("prp_only"))
    ]


@staff_required("screening.review")
@require_http_methods(["GET", "POST"])
def review_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    screening = screening_get(
        organization=request.organization,  # type: ignore[attr-defined]
        public_id=public_id,
    )
    questions = _clinician_questions(screening)
    adding = request.method == "POST" and request.POST.get("action") == "clinician"
    labs = ClinicianAnswersForm(request.POST if adding else None, questions=questions)
    if adding and labs.is_valid():
        try:
            response_add_clinician_answers(
                response=screening.response,
                answers=labs.answers(),
                staff=request.staff,  # type: ignore[attr-defined]
                request=request,
            )
        except (ReviewError, AnswerError) as refused:
            labs.add_error(None, refused.message)
        else:
            messages.success(request, "Recorded; the visit is screened again.")
            current = screening_current(appointment=screening.appointment)
            if current is not None and current.status == ScreeningStatus.NEEDS_REVIEW:
                return redirect("intake:review-detail", public_id=current.public_id)
            return redirect("intake:review-list")
    form = DecisionForm(
        request.POST if request.method == "POST" and not adding else None,
        initial={"scope": ReviewScope.APPOINTMENT},
    )
    if request.method == "POST" and not adding and form.is_valid():
        try:
            screening_decide(
                screening=screening,
                staff=request.staff,  # type: ignore[attr-defined]
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
                scope=form.cleaned_data["scope"],
                request=request,
            )
        except ReviewError as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("intake:review-list")
    audit_record(
        action=AuditAction.VIEW,
        request=request,
        obj=screening,
        patient=screening.appointment.patient,
    )
    status = 422 if request.method == "POST" else 200
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
