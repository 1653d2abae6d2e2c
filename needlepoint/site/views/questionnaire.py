"""The health questionnaire, for patients by signed link or on the front-desk tablet
(`?kiosk=1`), and the page that says what happens next. The medical director's review is a
staff page (`staff/views/screening.py`)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from needlepoint.core.dates import local_today
from needlepoint.intake.answers import AnswerError
from needlepoint.intake.consents import consent_sign_url
from needlepoint.intake.links import appointment_from_questionnaire_token
from needlepoint.intake.models import AnswerChannel, ScreeningStatus
from needlepoint.intake.selectors import questionnaire_current, screening_current, screens_needed
from needlepoint.intake.services import questionnaire_submit
from needlepoint.scheduling.links import manage_url
from needlepoint.scheduling.models import Appointment, AppointmentStatus
from needlepoint.site.forms.questionnaire import QuestionnaireForm, patient_sections


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
                by=request.actor,
            )
        except AnswerError as refused:  # a clinic's question that does not fit its code
            form.add_error(None, refused.message)
        else:
            done = redirect("site:questionnaire-done", token=token)
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
        return redirect("site:questionnaire", token=token)
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
        consent_url = consent_sign_url(appointment, absolute=False)
        if _kiosk(request):
            consent_url += "?kiosk=1"

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
