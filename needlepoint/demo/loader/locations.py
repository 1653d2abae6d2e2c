"""The two Albuquerque locations: address, opening hours, holiday closures and rooms."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from datetime import time as clock

from needlepoint.core.models import Organization
from needlepoint.demo.loader.clinic import DEMO_TIMEZONE
from needlepoint.resources.models import Closure, Location, OpeningHours, Room


@dataclass(frozen=True)
class LocationSpec:
    slug: str
    name: str
    address_line1: str
    postal_code: str
    phone: str
    email: str
    hours: tuple[tuple[int, str, str], ...]  # weekday (0 = Monday), opens, closes
    rooms: int


def _weekdays(days: range, opens: str, closes: str) -> tuple[tuple[int, str, str], ...]:
    return tuple((day, opens, closes) for day in days)


LOCATIONS: tuple[LocationSpec, ...] = (
    LocationSpec(
        slug="nob-hill",
        name="Nob Hill",
        address_line1="3500 Central Ave SE",
        postal_code="87106",
        phone="(505) 555-0140",
        email="nobhill@sandiaskin.example",
        # Tuesday to Friday with a lunch closure, Saturday mornings; shut Sunday and Monday.
        hours=(
            *_weekdays(range(1, 5), "09:00", "12:30"),
            *_weekdays(range(1, 5), "13:30", "18:00"),
            (5, "09:00", "14:00"),
        ),
        rooms=3,
    ),
    LocationSpec(
        slug="northeast-heights",
        name="Northeast Heights",
        address_line1="8200 Montgomery Blvd NE",
        postal_code="87109",
        phone="(505) 555-0160",
        email="heights@sandiaskin.example",
        hours=(*_weekdays(range(5), "08:30", "17:00"), (5, "10:00", "15:00")),
        rooms=4,
    ),
)

CLOSURES: tuple[tuple[date, date, str], ...] = (
    (date(2026, 11, 26), date(2026, 11, 27), "Thanksgiving"),
    (date(2026, 12, 24), date(2026, 12, 26), "Christmas"),
    (date(2027, 1, 1), date(2027, 1, 1), "New Year's Day"),
)


def _clock(text: str) -> clock:
    hours, minutes = text.split(":")
    return clock(int(hours), int(minutes))


def load_locations(organization: Organization, new: Counter[str]) -> dict[str, Location]:
    locations = {}
    for spec in LOCATIONS:
        location, created = Location.objects.get_or_create(
            organization=organization,
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "address_line1": spec.address_line1,
                "city": "Albuquerque",
                "state": "NM",
                "postal_code": spec.postal_code,
                "phone": spec.phone,
                "email": spec.email,
                "timezone": DEMO_TIMEZONE,
                "booking_horizon_days": 180,
            },
        )
        locations[spec.slug] = location
        new["locations"] += created
        if created:
            for weekday, opens, closes in spec.hours:
                OpeningHours.objects.create(
                    location=location, weekday=weekday, opens=_clock(opens), closes=_clock(closes)
                )
                new["opening_hours"] += 1
            for starts_on, ends_on, reason in CLOSURES:
                Closure.objects.create(
                    location=location, starts_on=starts_on, ends_on=ends_on, reason=reason
                )
                new["closures"] += 1
        for number in range(1, spec.rooms + 1):
            _, created = Room.objects.get_or_create(
                location=location, name=f"Room {number}", defaults={"sort_order": number}
            )
            new["rooms"] += created
    return locations
