"""Public pages and the online booking wizard. No login, no patient data on display.

Wizard: service → location → day and time (any or a chosen practitioner) → your details →
confirmation with a signed link to manage the booking. Each step is a plain page with real
links and forms; htmx only swaps the list of times when another day is picked.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Service
from needlepoint.core.dates import local_day
from needlepoint.core.ratelimit import client_key, count_within, seconds_left
from needlepoint.intake.links import questionnaire_link
from needlepoint.patients.links import candidate_from_claim_token
from needlepoint.patients.merge import MergeRefused, duplicate_claim
from needlepoint.resources.models import Location
from needlepoint.scheduling.links import appointment_from_token, manage_token
from needlepoint.scheduling.models import AppointmentStatus
from needlepoint.scheduling.online import Booker, appointment_book_online
from needlepoint.scheduling.selectors import (
    SlotOffer,
    availability_get,
    practitioner_find_eligible,
)
from needlepoint.scheduling.services import (
    BookingRuleError,
    SlotUnavailable,
    appointment_cancel,
    appointment_reschedule,
)
from needlepoint.scheduling.setup import eligible_practitioners
from needlepoint.scheduling.waitlist import waitlist_join
from needlepoint.site.forms.booking import PatientCancelForm, PatientDetailsForm, WaitlistForm
from needlepoint.site.selectors import public_clinic

DAYS_SHOWN = 14


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "site/home.html", public_clinic())


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _clinic():
    clinic = public_clinic()
    if clinic["organization"] is None:
        raise Http404("No clinic is set up yet.")
    return clinic


def _service(slug: str) -> Service:
    clinic = _clinic()
    return get_object_or_404(clinic["services"], slug=slug)


def _location(slug: str) -> Location:
    return get_object_or_404(_clinic()["locations"], slug=slug)


def booking_services(request: HttpRequest) -> HttpResponse:
    return render(request, "site/book_service.html", {**_clinic(), "step": 1})


def booking_locations(request: HttpRequest, service_slug: str) -> HttpResponse:
    service = _service(service_slug)
    locations = list(_clinic()["locations"])
    if len(locations) == 1:
        return redirect(
            "site:booking-slots", service_slug=service.slug, location_slug=locations[0].slug
        )
    return render(
        request,
        "site/book_location.html",
        {"service": service, "locations": locations, "step": 2},
    )


def _parse_day(value: str | None, fallback: date) -> date:
    try:
        return date.fromisoformat(value) if value else fallback
    except ValueError:
        return fallback


def _practitioner(location: Location, service: Service, public_id: str) -> StaffProfile | None:
    if not public_id:
        return None
    return practitioner_find_eligible(location=location, service=service, public_id=public_id)


def booking_slots(request: HttpRequest, service_slug: str, location_slug: str) -> HttpResponse:
    """Pick a day, then a time. Days with free times are shown two weeks at a time."""
    service, location = _service(service_slug), _location(location_slug)
    now = timezone.now()
    today = local_day(now, location.zone)
    first_day = max(today, _parse_day(request.GET.get("from"), today))
    last_day = min(
        first_day + timedelta(days=DAYS_SHOWN - 1),
        today + timedelta(days=location.booking_horizon_days),
    )
    chosen_id = request.GET.get("practitioner", "")
    practitioner = _practitioner(location, service, chosen_id)
    offers = (
        availability_get(
            location=location,
            service=service,
            first_day=first_day,
            last_day=last_day,
            now=now,
            practitioner=practitioner,
        )
        if first_day <= last_day
        else []
    )
    by_day: OrderedDict[date, list[SlotOffer]] = OrderedDict(
        (first_day + timedelta(days=n), []) for n in range((last_day - first_day).days + 1)
    )
    for offer in offers:
        by_day.setdefault(offer.start.date(), []).append(offer)
    default_day = next((d for d, day_offers in by_day.items() if day_offers), first_day)
    day = _parse_day(request.GET.get("day"), default_day)
    context = {
        "service": service,
        "location": location,
        "practitioners": eligible_practitioners(location=location, service=service),
        "practitioner": practitioner,
        "chosen_id": chosen_id if practitioner else "",
        "days": [(d, len(o)) for d, o in by_day.items()],
        "day": day,
        "day_offers": by_day.get(day, []),
        "earlier": first_day - timedelta(days=DAYS_SHOWN) if first_day > today else None,
        "later": last_day + timedelta(days=1)
        if last_day < today + timedelta(days=location.booking_horizon_days)
        else None,
        "first_day": first_day,
        "step": 3,
    }
    template = "site/book_slots.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#times"
    return render(request, template, context)


def _chosen_start(request: HttpRequest, location: Location) -> datetime | None:
    try:
        start = datetime.fromisoformat(
            request.GET.get("start", "") or request.POST.get("start", "")
        )
    except ValueError:
        return None
    if start.tzinfo is None:
        return None
    return start.astimezone(location.zone)


@require_http_methods(["GET", "POST"])
def booking_details(request: HttpRequest, service_slug: str, location_slug: str) -> HttpResponse:
    service, location = _service(service_slug), _location(location_slug)
    start = _chosen_start(request, location)
    if start is None:
        messages.info(request, "Please pick a time first.")
        return redirect(
            "site:booking-slots", service_slug=service.slug, location_slug=location.slug
        )
    if request.method == "POST" and not _within_booking_rate(request):
        return _too_many(request)
    chosen_id = request.GET.get("practitioner", "") or request.POST.get("practitioner", "")
    practitioner = _practitioner(location, service, chosen_id)
    form = PatientDetailsForm(request.POST or None, zone=location.zone)
    error = ""
    alternatives: list[SlotOffer] = []
    status = 422 if request.method == "POST" and not form.is_valid() else 200
    if request.method == "POST" and form.is_valid():
        try:
            appointment = appointment_book_online(
                location=location,
                service=service,
                start=start,
                booker=_booker(form.cleaned_data),
                practitioner=practitioner,
                source="online",
                by=request.actor,
            )
        except SlotUnavailable as refused:
            error = "Sorry, someone has just booked that time."
            alternatives, status = refused.alternatives, 409
        except BookingRuleError as refused:
            error, status = refused.message, 422
        else:
            return redirect("site:booking-confirmed", token=manage_token(appointment))
    return render(
        request,
        "site/book_details.html",
        {
            "service": service,
            "location": location,
            "start": start,
            "end": start + timedelta(minutes=service.duration_minutes),
            "practitioner": practitioner,
            "chosen_id": chosen_id if practitioner else "",
            "form": form,
            "error": error,
            "alternatives": alternatives,
            "step": 4,
        },
        status=status,
    )


# Booking form posts per client address per window (the public API has its own limit).
DEFAULT_BOOKING_RATE = (20, 600)


def _within_booking_rate(request: HttpRequest) -> bool:
    count, seconds = getattr(settings, "NEEDLEPOINT_BOOKING_RATE", DEFAULT_BOOKING_RATE)
    return count_within(f"np-site-booking:{client_key(request)}", int(count), int(seconds))


def _too_many(request: HttpRequest) -> HttpResponse:
    _count, seconds = getattr(settings, "NEEDLEPOINT_BOOKING_RATE", DEFAULT_BOOKING_RATE)
    response = render(request, "errors/429.html", status=429)
    response["Retry-After"] = str(seconds_left(int(seconds)))
    return response


def _booker(data: dict) -> Booker:
    return Booker(
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        date_of_birth=data["date_of_birth"],
        phone=data["phone"],
        reminders_by_text=data["reminders_by_text"],
    )


def _managed(token: str):
    appointment = appointment_from_token(token)
    if appointment is None:
        raise Http404("This link is not valid any more.")
    return appointment


def booking_confirmed(request: HttpRequest, token: str) -> HttpResponse:
    appointment = _managed(token)
    return render(
        request,
        "site/book_confirmed.html",
        {
            "appointment": appointment,
            "token": token,
            "start": appointment.starts_at.astimezone(appointment.location.zone),
            "step": 5,
            "questionnaire_url": questionnaire_link(appointment, absolute=False),
        },
    )


@require_http_methods(["GET", "POST"])
def booking_manage(request: HttpRequest, token: str) -> HttpResponse:
    """Everything a patient may do with their booking from the link in their email."""
    appointment = _managed(token)
    location = appointment.location
    now = timezone.now()
    start = appointment.starts_at.astimezone(location.zone)
    window = timedelta(hours=location.cancellation_window_hours)
    inside_window = appointment.starts_at - now < window
    active = appointment.status == AppointmentStatus.BOOKED and appointment.starts_at > now
    form = PatientCancelForm(request.POST or None)
    if request.method == "POST" and active and form.is_valid():
        appointment_cancel(
            appointment=appointment,
            reason=form.cleaned_data["reason"],
            by_patient=True,
            by=request.actor,
        )
        messages.success(request, "Your appointment is cancelled. We hope to see you another time.")
        return redirect("site:booking-manage", token=token)
    return render(
        request,
        "site/book_manage.html",
        {
            "appointment": appointment,
            "token": token,
            "start": start,
            "active": active,
            "inside_window": inside_window,
            "window_hours": location.cancellation_window_hours,
            "form": form,
            "reschedule_url": reverse("site:booking-reschedule", kwargs={"token": token}),
            "questionnaire_url": questionnaire_link(appointment, absolute=False)
            if active
            else None,
        },
    )


@require_http_methods(["GET", "POST"])
def booking_reschedule(request: HttpRequest, token: str) -> HttpResponse:
    """Pick a new time for an existing booking (outside the cancellation window)."""
    appointment = _managed(token)
    location, service = appointment.location, appointment.service
    now = timezone.now()
    too_late = appointment.starts_at - now < timedelta(hours=location.cancellation_window_hours)
    if appointment.status != AppointmentStatus.BOOKED or too_late:
        messages.info(request, "This appointment can no longer be moved online; please call us.")
        return redirect("site:booking-manage", token=token)
    if request.method == "POST":
        start = _chosen_start(request, location)
        if start is not None:
            try:
                appointment_reschedule(
                    appointment=appointment, start=start, by=request.actor, ignore_lead_time=False
                )
            except SlotUnavailable:
                messages.error(request, "Sorry, that time was just taken. Please pick another.")
            except BookingRuleError as refused:
                messages.error(request, refused.message)
            else:
                messages.success(request, "Your appointment has been moved.")
                return redirect("site:booking-manage", token=token)
    today = local_day(now, location.zone)
    day = _parse_day(request.GET.get("day"), today)
    offers = availability_get(
        location=location, service=service, first_day=day, last_day=day, now=now
    )
    return render(
        request,
        "site/book_reschedule.html",
        {
            "appointment": appointment,
            "token": token,
            "day": day,
            "days": [today + timedelta(days=n) for n in range(DAYS_SHOWN)],
            "day_offers": offers,
        },
    )


@require_http_methods(["GET", "POST"])
def booking_claim(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time "Was this you?" link from the email on file: the page asks, and only
    the button (a POST) joins the booking to the record, so a mail scanner that opens the
    link changes nothing."""
    candidate = candidate_from_claim_token(token)
    if candidate is None:
        return render(request, "site/book_claim.html", {"used": True}, status=404)
    if request.method == "POST":
        try:
            duplicate_claim(candidate=candidate, by=request.actor)
        except MergeRefused:
            return render(request, "site/book_claim.html", {"used": True}, status=404)
        return render(request, "site/book_claim.html", {"done": True})
    visits = candidate.patient.appointments.select_related("service", "location")
    shown = [(v, v.starts_at.astimezone(v.location.zone)) for v in visits.order_by("starts_at")]
    return render(
        request, "site/book_claim.html", {"clinic": candidate.organization, "visits": shown}
    )


@require_http_methods(["POST"])
def booking_waitlist(request: HttpRequest, service_slug: str, location_slug: str) -> HttpResponse:
    service, location = _service(service_slug), _location(location_slug)
    form = WaitlistForm(request.POST)
    if form.is_valid():
        waitlist_join(
            location=location,
            service=service,
            day=form.cleaned_data["day"],
            first_name=form.cleaned_data["first_name"],
            email=form.cleaned_data["email"],
        )
        messages.success(
            request,
            "You are on the waitlist. If a time opens up that day, we will email you at once.",
        )
    else:
        messages.error(request, "Please give your first name and a valid email address.")
    url = reverse(
        "site:booking-slots", kwargs={"service_slug": service.slug, "location_slug": location.slug}
    )
    return redirect(f"{url}?day={request.POST.get('day', '')}")
