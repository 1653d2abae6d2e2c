"""The slot a write takes, recomputed inside its transaction, and the next free slots a
refusal offers instead."""

from __future__ import annotations

from datetime import datetime, timedelta

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Service
from needlepoint.core.dates import local_day
from needlepoint.resources.models import Location
from needlepoint.scheduling.selectors import SlotOffer, availability_get
from needlepoint.scheduling.services.errors import NotOffered, SlotUnavailable


def next_offers(
    *,
    location: Location,
    service: Service,
    after: datetime,
    now: datetime,
    practitioner: StaffProfile | None = None,
    count: int = 3,
    days: int = 14,
) -> list[SlotOffer]:
    """The first free starts after `after`, for a 409's "try one of these"."""
    first = local_day(after, location.zone)
    offers = availability_get(
        location=location,
        service=service,
        first_day=first,
        last_day=first + timedelta(days=days),
        now=now,
        practitioner=practitioner,
    )
    return [o for o in offers if o.start > after][:count]


def slot_offer_at(
    location: Location,
    service: Service,
    start: datetime,
    day,
    now: datetime,
    practitioner: StaffProfile | None,
    ignore_lead_time: bool,
) -> SlotOffer:
    """The offer that starts exactly at `start` on `day`, or `NotOffered`."""
    offers = availability_get(
        location=location,
        service=service,
        first_day=day,
        last_day=day,
        now=now,
        practitioner=practitioner,
        ignore_lead_time=ignore_lead_time,
        at=start,
    )
    for offer in offers:
        if offer.start == start:
            return offer
    raise NotOffered


def slot_unavailable(
    location: Location,
    service: Service,
    start: datetime,
    now: datetime,
    practitioner: StaffProfile | None,
) -> SlotUnavailable:
    """The refusal of a time that was taken or never free, with the next free offers."""
    return SlotUnavailable(
        "That time was just taken.",
        next_offers(
            location=location, service=service, after=start, now=now, practitioner=practitioner
        ),
    )
