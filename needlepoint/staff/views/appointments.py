"""Staff calendar and appointment pages. Every page that shows patients' names is audited."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.accounts.roles import role_may
from needlepoint.catalog.models import Service
from needlepoint.clinical.gate import appointment_check_in, visit_readiness
from needlepoint.clinical.readiness import Stage
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_today
from needlepoint.core.models import AuditAction
from needlepoint.core.refusals import Refusal
from needlepoint.core.tenancy import get_scoped_or_404
from needlepoint.intake.consents import consent_sign_url
from needlepoint.intake.links import questionnaire_url
from needlepoint.intake.selectors import (
    screening_answer_rows,
    screening_current,
    screening_flags,
    screens_needed,
)
from needlepoint.patients.selectors import patient_get, patient_list, patients_flagged
from needlepoint.patients.services import patient_register
from needlepoint.resources.models import Location
from needlepoint.scheduling.calendar import calendar_day, calendar_week, explain_conflicts
from needlepoint.scheduling.models import Appointment, AppointmentStatus
from needlepoint.scheduling.selectors import (
    availability_get,
    practitioner_find_eligible,
)
from needlepoint.scheduling.services import (
    BookingRuleError,
    SlotUnavailable,
    appointment_book,
    appointment_cancel,
    appointment_mark_no_show,
    appointment_reschedule,
)
from needlepoint.scheduling.setup import eligible_practitioners
from needlepoint.staff.forms.appointments import StaffBookingForm, StaffCancelForm


def _locations(request: StaffRequest):
    return Location.objects.filter(organization=request.organization, is_active=True)


def _location(request: StaffRequest, slug: str) -> Location:
    return get_object_or_404(_locations(request).prefetch_related("opening_hours"), slug=slug)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise Http404("No such day.") from exc


@staff_required("calendar.view")
def calendar_today(request: StaffRequest) -> HttpResponse:
    location = _locations(request).order_by("name").first()
    if location is None:
        messages.info(request, "Add a location under Configuration first.")
        return redirect("core:dashboard")
    today = local_today(location.zone)
    return redirect("scheduling:calendar-day", location_slug=location.slug, day=today.isoformat())


@staff_required("calendar.view")
def calendar_day_view(request: StaffRequest, location_slug: str, day: str) -> HttpResponse:
    location = _location(request, location_slug)
    the_day = _day(day)
    board = calendar_day(location=location, day=the_day)
    _flag_screenings(board)
    audit_record(
        action=AuditAction.LIST,
        request=request,
        detail={"calendar": location.slug, "day": day, "appointments": len(board.appointments)},
    )
    return render(
        request,
        "scheduling/calendar_day.html",
        {
            "board": board,
            "location": location,
            "locations": _locations(request),
            "day": the_day,
            "previous": the_day - timedelta(days=1),
            "next": the_day + timedelta(days=1),
            "today": local_today(location.zone),
        },
    )


@staff_required("calendar.view")
def calendar_week_view(request: StaffRequest, location_slug: str, day: str) -> HttpResponse:
    location = _location(request, location_slug)
    first = _day(day)
    first -= timedelta(days=first.weekday())
    week = calendar_week(location=location, first_day=first)
    _flag_appointments([a for _, day in week for a in day])
    audit_record(
        action=AuditAction.LIST,
        request=request,
        detail={"calendar": location.slug, "week": first.isoformat()},
    )
    return render(
        request,
        "scheduling/calendar_week.html",
        {
            "week": week,
            "location": location,
            "locations": _locations(request),
            "first": first,
            "previous": first - timedelta(days=7),
            "next": first + timedelta(days=7),
        },
    )


def _flag_screenings(board) -> None:
    """Mark the day's visits whose health screening is missing or unresolved."""
    shown = [c.block.appointment for col in board.columns for c in col.cells if c.block]
    _flag_appointments([*board.appointments, *(a for a in shown if a is not None)])


def _flag_appointments(appointments: list[Appointment]) -> None:

    flags = screening_flags(appointments)
    # Visits of a record that may be someone else's too: the desk should check (A8).
    doubtful = patients_flagged(patient_ids={a.patient_id for a in appointments})
    for appointment in appointments:
        appointment.screening_flag = flags.get(appointment.pk)  # type: ignore[attr-defined]
        appointment.duplicate_flag = appointment.patient_id in doubtful  # type: ignore[attr-defined]


def _appointment(request: StaffRequest, public_id: str) -> Appointment:
    return get_scoped_or_404(
        Appointment.objects.select_related(
            "patient", "service", "location", "practitioner__user", "room"
        ),
        organization=request.organization,
        public_id=public_id,
    )


@staff_required("appointments.manage")
@require_GET
def appointment_detail(request: StaffRequest, public_id: str) -> HttpResponse:
    appointment = _appointment(request, public_id)
    audit_record(
        action=AuditAction.VIEW, request=request, obj=appointment, patient=appointment.patient
    )
    return _detail_page(request, appointment, StaffCancelForm())


def _back(appointment: Appointment) -> HttpResponse:
    return redirect("scheduling:appointment-detail", public_id=appointment.public_id)


@staff_required("appointments.manage")
@require_POST
def appointment_check_in_view(request: StaffRequest, public_id: str) -> HttpResponse:
    appointment = _appointment(request, public_id)
    try:
        appointment_check_in(
            appointment=appointment,
            answers_unchanged=request.POST.get("answers_unchanged") == "on",
            staff=request.staff,
            by=request.actor,
        )
    except Refusal as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Checked in.")
    return _back(appointment)


@staff_required("appointments.manage")
@require_POST
def appointment_no_show_view(request: StaffRequest, public_id: str) -> HttpResponse:
    appointment = _appointment(request, public_id)
    try:
        appointment_mark_no_show(appointment=appointment, by=request.actor)
    except Refusal as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Recorded as a no-show; the rest of its time is free.")
    return _back(appointment)


@staff_required("appointments.manage")
@require_POST
def appointment_cancel_view(request: StaffRequest, public_id: str) -> HttpResponse:
    appointment = _appointment(request, public_id)
    form = StaffCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Please give a reason for cancelling.")
        return _detail_page(request, appointment, form, status=400)
    try:
        appointment_cancel(
            appointment=appointment, reason=form.cleaned_data["reason"], by=request.actor
        )
    except Refusal as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, "Cancelled; its practitioner, room and devices are free.")
    return _back(appointment)


def _detail_page(
    request: StaffRequest, appointment: Appointment, cancel_form: StaffCancelForm, status: int = 200
) -> HttpResponse:
    zone = appointment.location.zone
    return render(
        request,
        "scheduling/appointment_detail.html",
        {
            "appointment": appointment,
            "start": appointment.starts_at.astimezone(zone),
            "end": appointment.ends_at.astimezone(zone),
            "holds": appointment.holds.filter(is_active=True).order_by("starts_at"),
            "cancel_form": cancel_form,
            "can_act": appointment.status
            in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN),
            "is_booked": appointment.status == AppointmentStatus.BOOKED,
            "started": appointment.starts_at <= timezone.now(),
            "reschedule_url": reverse(
                "scheduling:appointment-move", kwargs={"public_id": appointment.public_id}
            ),
            **_readiness(request, appointment),
            **_chart(request, appointment),
        },
        status=status,
    )


def _chart(request: StaffRequest, appointment: Appointment) -> dict:
    """The visit's treatment record, for clinicians: open it, or start it."""

    if not role_may(request.staff.role, "clinical.chart"):
        return {"can_chart": False}
    record = getattr(appointment, "treatment_record", None)
    open_visit = appointment.status in (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
    blockers = (
        visit_readiness(
            appointment=appointment,
            performer=request.staff,
            stage=Stage.PRE_CARE,
        ).blockers
        if record is None and open_visit
        else []
    )
    return {
        "can_chart": record is not None or open_visit,
        "record": record,
        "chart_blockers": [blocked.message for blocked in blockers],
    }


def _readiness(request: StaffRequest, appointment: Appointment) -> dict:
    """The health screening and consent: for everyone a status and what is missing; for
    clinical roles also the findings and answers (part of the chart, audited)."""

    if not screens_needed(appointment):
        return {"screens": False}
    screening = screening_current(appointment=appointment)
    clinical = screening is not None and role_may(
        request.staff.role,
        "clinical.view",
    )
    if clinical and request.method == "GET":
        audit_record(
            action=AuditAction.VIEW,
            request=request,
            obj=screening,
            patient=appointment.patient,
        )
    return {
        "screens": True,
        "screening": screening,
        "clinical_answers": screening_answer_rows(screening) if clinical else None,
        "blockers": [
            blocked.message
            for blocked in visit_readiness(
                appointment=appointment, performer=appointment.practitioner, stage=Stage.CHECK_IN
            ).blockers
        ]
        if appointment.status == AppointmentStatus.BOOKED
        else [],
        "kiosk_questionnaire_url": questionnaire_url(appointment, absolute=False) + "?kiosk=1",
        "kiosk_consent_url": consent_sign_url(appointment, absolute=False) + "?kiosk=1",
    }


def _parse_start(value: str, location: Location) -> datetime | None:
    try:
        start = datetime.fromisoformat(value)
    except ValueError:
        return None
    return start.astimezone(location.zone) if start.tzinfo else None


@staff_required("appointments.manage")
@require_http_methods(["GET", "POST"])
def appointment_move(request: StaffRequest, public_id: str) -> HttpResponse:
    appointment = _appointment(request, public_id)
    location = appointment.location
    if request.method == "POST":
        start = _parse_start(request.POST.get("start", ""), location)
        if start is not None:
            try:
                appointment_reschedule(appointment=appointment, start=start, by=request.actor)
            except SlotUnavailable:
                for reason in explain_conflicts(
                    location=location, service=appointment.service, start=start
                ) or ["That time was just taken."]:
                    messages.error(request, reason)
            except BookingRuleError as refused:
                messages.error(request, refused.message)
            else:
                messages.success(request, "Moved.")
                return redirect("scheduling:appointment-detail", public_id=appointment.public_id)
    day = _day(request.GET.get("day", "")) if request.GET.get("day") else local_today(location.zone)
    offers = availability_get(
        location=location,
        service=appointment.service,
        first_day=day,
        last_day=day,
        now=timezone.now(),
        ignore_lead_time=True,
    )
    return render(
        request,
        "scheduling/appointment_move.html",
        {"appointment": appointment, "day": day, "offers": offers},
    )


@staff_required("appointments.manage")
@require_http_methods(["GET", "POST"])
def appointment_new(request: StaffRequest, location_slug: str) -> HttpResponse:
    """Phone and walk-in bookings: pick the service, a time (staff may book inside the
    online lead time) and the patient, or register a new one on the spot."""
    location = _location(request, location_slug)
    organization = request.organization
    form = StaffBookingForm(request.POST or None, organization=organization)
    service_id = request.GET.get("service") or request.POST.get("service")
    service = (
        Service.objects.filter(organization=organization, pk=service_id).first()
        if (service_id and service_id.isdigit())
        else None
    )
    day = _day(request.GET.get("day")) if request.GET.get("day") else local_today(location.zone)
    conflicts: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        start = _parse_start(data["start"], location)
        practitioner = (
            practitioner_find_eligible(
                location=location, service=data["service"], public_id=data["practitioner"]
            )
            if data["practitioner"]
            else None
        )
        if start is None:
            form.add_error(None, "Pick a time.")
        else:
            patient = (
                patient_get(organization=organization, public_id=data["patient"])
                if data["patient"]
                else patient_register(
                    organization=organization,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    date_of_birth=data["date_of_birth"],
                    phone=data["phone"],
                    email=data["email"],
                    by=request.actor,
                )
            )
            try:
                appointment = appointment_book(
                    location=location,
                    service=data["service"],
                    start=start,
                    patient=patient,
                    practitioner=practitioner,
                    source=data["source"],
                    ignore_lead_time=True,
                    by=request.actor,
                )
            except SlotUnavailable:
                conflicts = explain_conflicts(
                    location=location, service=data["service"], start=start,
                    practitioner=practitioner,
                ) or ["That time was just taken."]  # fmt: skip
            except BookingRuleError as refused:
                conflicts = [refused.message]
            else:
                messages.success(request, "Booked.")
                return redirect("scheduling:appointment-detail", public_id=appointment.public_id)
    offers = (
        availability_get(
            location=location,
            service=service,
            first_day=day,
            last_day=day,
            now=timezone.now(),
            ignore_lead_time=True,
            one_per_start=False,
        )
        if service is not None
        else []
    )
    search = request.GET.get("q", "").strip()[:100]
    matches = list(patient_list(organization=organization, search=search)[:10]) if search else []
    if matches:
        audit_record(action=AuditAction.LIST, request=request, detail={"count": len(matches)})
    return render(
        request,
        "scheduling/appointment_new.html",
        {
            "location": location,
            "form": form,
            "services": Service.objects.filter(organization=organization, is_active=True),
            "service": service,
            "day": day,
            "offers": offers,
            "q": search,
            "matches": matches,
            "conflicts": conflicts,
            "service_practitioners": eligible_practitioners(location=location, service=service)
            if service is not None
            else [],
        },
        status=409 if conflicts else (422 if form.errors else 200),
    )
