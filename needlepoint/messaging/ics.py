"""iCalendar (RFC 5545) documents: the invitation attached to a patient's email and a
practitioner's subscription feed. Built with `icalendar`; times carry the location's zone
(TZID plus its VTIMEZONE), so calendars show the right wall-clock time on both sides of a
daylight-saving switch."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from icalendar import Calendar, Event, vCalAddress, vText

from needlepoint.messaging.policy import initials
from needlepoint.scheduling.models import Appointment

PRODID = "-//Needlepoint//Appointments//EN"
UID_DOMAIN = "needlepoint"


def appointment_uid(appointment: Appointment) -> str:
    return f"{appointment.public_id}@{UID_DOMAIN}"


def _calendar(method: str | None = None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def _finish(calendar: Calendar, starts: Iterable[datetime]) -> bytes:
    moments = list(starts)
    if moments:
        # Only the years the events need, not the 1970–2038 default (keeps emails small).
        first = min(moments).date() - timedelta(days=366)
        last = max(moments).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def appointment_invitation(
    *,
    appointment: Appointment,
    description: str,
    sequence: int,
    attendee_email: str,
    cancelled: bool = False,
    now: datetime,
) -> bytes:
    """METHOD:REQUEST for a booking or a new time (same UID, higher SEQUENCE, so calendars
    update the event), METHOD:CANCEL when it is called off."""
    location = appointment.location
    zone = location.zone
    calendar = _calendar("CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", sequence)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("dtstart", appointment.starts_at.astimezone(zone))
    event.add("dtend", appointment.ends_at.astimezone(zone))
    event.add("summary", f"{appointment.service.name} at {location.organization.name}")
    event.add("location", f"{location.name}, {location.address}")
    event.add("description", description)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{location.email or _from_address()}")
    organizer.params["cn"] = vText(location.organization.name)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("ACCEPTED")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee)
    calendar.add_component(event)
    return _finish(calendar, [appointment.starts_at.astimezone(zone)])


def practitioner_feed(
    *, name: str, appointments: Iterable[Appointment], now: datetime
) -> tuple[bytes, int]:
    """A practitioner's appointments for a calendar subscription: service and patient
    initials only, never a patient's name (the feed leaves Needlepoint's protection once a
    calendar app stores it). Returns the document and the number of events."""
    calendar = _calendar("PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", timedelta(minutes=15))
    calendar.add("refresh-interval", timedelta(minutes=15), parameters={"VALUE": "DURATION"})
    starts = []
    for appointment in appointments:
        zone = appointment.location.zone
        event = Event()
        event.add("uid", f"staff-{appointment.public_id}@{UID_DOMAIN}")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", appointment.starts_at.astimezone(zone))
        event.add("dtend", appointment.ends_at.astimezone(zone))
        who = initials(appointment.patient.first_name, appointment.patient.last_name)
        event.add(
            "summary", f"{appointment.service.name} — {who}" if who else appointment.service.name
        )
        place = [appointment.room.name] if appointment.room else []
        event.add("location", ", ".join([*place, appointment.location.name]))
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
        starts.append(appointment.starts_at.astimezone(zone))
    return _finish(calendar, starts), len(starts)


def _from_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "clinic@needlepoint.local"
