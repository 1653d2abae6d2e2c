"""Booking the charted visits the evening before, as the front desk would."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from datetime import time as clock

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Service
from needlepoint.core.dates import local_day
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Closure, Location
from needlepoint.scheduling.models import Appointment
from needlepoint.scheduling.selectors import SlotOffer, availability_get
from needlepoint.scheduling.services import BookingRuleError, SlotUnavailable, appointment_book


def night_before(day: date, location: Location) -> datetime:
    return datetime.combine(day - timedelta(days=1), clock(18), tzinfo=location.zone)


def offers_on(
    location: Location, service: Service, day: date, practitioner: StaffProfile | None
) -> list[SlotOffer]:
    return availability_get(
        location=location,
        service=service,
        first_day=day,
        last_day=day,
        now=night_before(day, location),
        practitioner=practitioner,
    )


def book(
    *,
    location: Location,
    service: Service,
    patient: Patient,
    offer: SlotOffer,
    source: str = "phone",
    key: str = "",
) -> Appointment | None:
    """Book an offer the evening before its day, as the front desk would (`key`: the
    booking's idempotency key)."""
    day = local_day(offer.start, location.zone)
    try:
        return appointment_book(
            location=location,
            service=service,
            start=offer.start,
            patient=patient,
            practitioner=offer.practitioner,
            source=source,
            idempotency_key=key,
            now=night_before(day, location),
            notify=False,
        )
    except (SlotUnavailable, BookingRuleError):
        return None


def open_on(location: Location, day: date) -> bool:
    closed = Closure.objects.filter(location=location, starts_on__lte=day, ends_on__gte=day)
    return location.opening_hours.filter(weekday=day.weekday()).exists() and not closed.exists()
