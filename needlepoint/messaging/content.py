"""What appointment messages say. Built when the message is sent, from the records as they
are then, so nothing has to be stored and a moved appointment never gets old details.

What each message may contain (docs/security-targets.md D6; docs/messaging.md): the clinic's name,
the day and time, the location and the manage link. Emails also name the service, since an email is
addressed to the patient alone and the invitation needs it; texts never do, as a treatment name is
health information and lock screens show texts to anyone nearby. No message carries the patient's
name or date of birth."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from needlepoint.catalog.models import ServiceKind
from needlepoint.intake.links import questionnaire_link
from needlepoint.messaging.ics import appointment_invitation
from needlepoint.messaging.models import MessageDelivery, Purpose
from needlepoint.scheduling.links import manage_url
from needlepoint.scheduling.models import Appointment

STOP_HINT = "Reply STOP to opt out of texts."

TREATMENT_EXPECTATIONS = [
    "Come with clean skin and no make-up, about 10 minutes early.",
    "We start with a numbing cream, which takes about 30 minutes to work.",
    "Afterwards your skin will be red and tight, like a mild sunburn, for a day or two. "
    "That is expected.",
    "For 72 hours afterwards: no sweaty exercise, sauna or hot tub, and stay out of the sun.",
    "Please call us before your visit if you have a cold sore, a skin infection, or have "
    "started a new skin medicine.",
]
CONSULTATION_EXPECTATIONS = [
    "A conversation about your skin and what you would like to change; no needling that day "
    "unless you and your practitioner agree.",
    "Bring a list of the skin products and medicines you use.",
]


@dataclass(frozen=True)
class EmailContent:
    subject: str
    text: str
    html: str
    calendar: bytes | None = None
    calendar_method: str = "REQUEST"


def when(moment: datetime, appointment: Appointment, *, short: bool = False) -> str:
    """'Monday, January 11, 2027 at 10:00 AM MST' in the location's own time."""
    local = moment.astimezone(appointment.location.zone)
    clock = local.strftime("%I:%M %p").lstrip("0")
    if short:
        return f"{local:%a} {local:%b} {local.day} at {clock} {local.tzname()}"
    return f"{local:%A, %B} {local.day}, {local.year} at {clock} {local.tzname()}"


def expectations(appointment: Appointment) -> list[str]:
    if appointment.service.kind == ServiceKind.CONSULTATION:
        return CONSULTATION_EXPECTATIONS
    return TREATMENT_EXPECTATIONS


def _book_again_url() -> str:
    return f"{settings.SITE_URL.rstrip('/')}{reverse('site:home')}"


def invitation_description(appointment: Appointment, link: str) -> str:
    lines = [
        f"{appointment.service.name} at {appointment.location.name}, "
        f"{appointment.location.organization.name}.",
        f"Change or cancel: {link}",
        "",
        "What to expect:",
        *(f"- {line}" for line in expectations(appointment)),
    ]
    if appointment.location.phone:
        lines += ["", f"Questions? Call {appointment.location.phone}."]
    return "\n".join(lines)


def _sequence(delivery: MessageDelivery) -> int:
    """Each new invitation for one appointment must carry a higher SEQUENCE."""
    if delivery.appointment_id is None:
        return 0
    return MessageDelivery.objects.filter(
        appointment_id=delivery.appointment_id,
        channel=delivery.channel,
        purpose__in=[Purpose.CONFIRMATION, Purpose.RESCHEDULE, Purpose.CANCELLATION],
        id__lt=delivery.id,
    ).count()


def appointment_email(delivery: MessageDelivery, *, to: str, now: datetime) -> EmailContent:
    appointment = delivery.appointment
    assert appointment is not None  # noqa: S101 - appointment purposes always have one
    clinic = appointment.location.organization.name
    link = manage_url(appointment)
    start = when(appointment.starts_at, appointment)
    purpose = delivery.purpose
    cancelled = purpose == Purpose.CANCELLATION
    subjects = {
        Purpose.CONFIRMATION: f"You're booked at {clinic}: {start}",
        Purpose.RESCHEDULE: f"Your appointment at {clinic} has moved to {start}",
        Purpose.REMINDER: f"Reminder: your appointment at {clinic}, {start}",
        Purpose.CANCELLATION: f"Cancelled: your appointment at {clinic}, {start}",
    }
    headlines = {
        Purpose.CONFIRMATION: "You're booked.",
        Purpose.RESCHEDULE: "Your appointment has a new time.",
        Purpose.REMINDER: "See you soon.",
        Purpose.CANCELLATION: "Your appointment is cancelled.",
    }
    context = {
        "headline": headlines[Purpose(purpose)],
        "clinic": clinic,
        "service": appointment.service.name,
        "when": start,
        "location": appointment.location,
        "manage_url": link,
        "book_again_url": _book_again_url(),
        "cancelled": cancelled,
        "expectations": [] if cancelled else expectations(appointment),
        "with_invitation": purpose != Purpose.REMINDER,
        "questionnaire_url": None
        if cancelled
        else questionnaire_link(appointment, only_unanswered=True),
    }
    calendar = None
    if purpose != Purpose.REMINDER:
        calendar = appointment_invitation(
            appointment=appointment,
            description=invitation_description(appointment, link),
            sequence=_sequence(delivery),
            attendee_email=to,
            cancelled=cancelled,
            now=now,
        )
    return EmailContent(
        subject=subjects[Purpose(purpose)],
        text=render_to_string("messaging/email/appointment.txt", context),
        html=render_to_string("messaging/email/appointment.html", context),
        calendar=calendar,
        calendar_method="CANCEL" if cancelled else "REQUEST",
    )


def appointment_sms(delivery: MessageDelivery) -> str:
    """Short, and without the treatment: clinic, time, place, link."""
    appointment = delivery.appointment
    assert appointment is not None  # noqa: S101
    clinic = appointment.location.organization.name
    start = when(appointment.starts_at, appointment, short=True)
    place = f"{appointment.location.name}, {appointment.location.address_line1}"
    link = manage_url(appointment)
    texts = {
        Purpose.CONFIRMATION: f"{clinic}: you're booked for {start} at {place}. "
        f"Change or cancel: {link}",
        Purpose.RESCHEDULE: f"{clinic}: your appointment has moved to {start} at {place}. "
        f"Change or cancel: {link}",
        Purpose.REMINDER: f"{clinic}: a reminder of your appointment {start} at {place}. "
        f"Change or cancel: {link}",
        Purpose.CANCELLATION: f"{clinic}: your appointment on {start} is cancelled. "
        f"To book another time: {_book_again_url()}",
    }
    return f"{texts[Purpose(delivery.purpose)]} {STOP_HINT}"
