"""One deterministic generator for every benchmark dataset (bench/spec.md, "Datasets").

`generate(size)` is pure: a fixed seed in, plain tuples out, and a SHA-256 of those tuples
(the dataset hash every report carries). `load(dataset)` writes them with `bulk_create`
into Needlepoint's tables and, projected onto a practitioner-only world, into
django-appointment's (whose `save()` refuses past dates).

The clinic: locations in America/Denver open Monday–Friday 08:00–19:00 and Saturday
09:00–15:00 (the first location also Sunday 10:00–16:00, so that the spring-forward Sunday
2027-03-14 inside every horizon is a working day); practitioners on varying shifts with
lunch breaks, vacations and a few hours off; rooms, pens, one centrifuge per location.
Services of 30–120 minutes: numbing (room only), treatment (practitioner, room, pen), PRP
draw and spin (centrifuge, 15 minutes) and cleaning (room only). Every length is a
multiple of 5 minutes, so a 5-minute bitmap represents the data exactly.

Bookings: each location-day is first filled to saturation (practitioners in turn, earliest
free start on the 15-minute grid, rooms and devices first-fit), then thinned at random
until the busiest resource class (practitioners, rooms or pens) is at a target drawn from
60–85 %. Some thinned bookings stay as cancelled rows with inactive holds; a few past ones
become no-shows.
"""

from __future__ import annotations

import hashlib
import heapq
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

SEED = 20270314
DENVER = ZoneInfo("America/Denver")
# The benchmark's "now": a Monday morning. Queries start the next day.
NOW = datetime(2027, 3, 1, 8, 0, tzinfo=DENVER)
FIRST_QUERY_DAY = date(2027, 3, 2)
DST_DAY = date(2027, 3, 14)
BIN = 5  # minutes per bitmap bin
DAY_BINS = 24 * 60 // BIN
STEP_BINS = 15 // BIN  # bookings start on the 15-minute grid (the locations' slot step)
GAPS = (0, 0, 0, 3, 3, 6, 9)  # bins a practitioner idles before the next booking


@dataclass(frozen=True)
class Size:
    name: str
    locations: int
    practitioners_per_location: int
    rooms: tuple[int, int]
    pens: tuple[int, int]
    history_days: int
    future_days: int
    patients: int


SIZES = {
    "XS": Size("XS", 1, 5, (3, 3), (2, 2), 90, 60, 400),
    # bench/spec.md gives rooms and pens for XL only; M uses the same ranges.
    "M": Size("M", 5, 10, (3, 6), (2, 4), 365, 90, 4000),
    "XL": Size("XL", 50, 10, (3, 6), (2, 4), 730, 90, 40000),
}


@dataclass(frozen=True)
class PhaseSpec:
    kind: str
    minutes: int
    practitioner: bool = False
    device: str = ""


@dataclass(frozen=True)
class ServiceSpec:
    slug: str
    name: str
    kind: str
    phases: tuple[PhaseSpec, ...]
    competencies: tuple[str, ...]
    weight: int
    uses_prp: bool = False

    @property
    def minutes(self) -> int:
        return sum(p.minutes for p in self.phases)

    def segments(self) -> tuple[list[tuple[int, int]], list[tuple[str, int, int]]]:
        """Practitioner segments and device segments as (offset, length) in minutes."""
        staff, devices, offset = [], [], 0
        for phase in self.phases:
            if phase.practitioner:
                staff.append((offset, phase.minutes))
            if phase.device:
                devices.append((phase.device, offset, phase.minutes))
            offset += phase.minutes
        return staff, devices

    @property
    def practitioner_span(self) -> tuple[int, int]:
        """(offset, minutes) from the practitioner's first minute to their last."""
        staff, _ = self.segments()
        first = staff[0][0]
        return first, staff[-1][0] + staff[-1][1] - first


P = PhaseSpec
SERVICES = (
    ServiceSpec(
        "consultation",
        "Consultation",
        "consultation",
        (P("consultation", 30, practitioner=True),),
        ("consultation",),
        weight=2,
    ),
    ServiceSpec(
        "face",
        "Face micro-needling",
        "treatment",
        (P("numbing", 30), P("treatment", 45, True, "pen"), P("cleaning", 15)),
        ("micro_needling",),
        weight=5,
    ),
    ServiceSpec(
        "neck",
        "Neck and décolletage",
        "treatment",
        (P("numbing", 20), P("treatment", 30, True, "pen"), P("cleaning", 10)),
        ("micro_needling",),
        weight=3,
    ),
    ServiceSpec(
        "scars",
        "Acne scars, body",
        "treatment",
        (P("numbing", 30), P("treatment", 60, True, "pen"), P("cleaning", 15)),
        ("micro_needling",),
        weight=2,
    ),
    ServiceSpec(
        "prp-face",
        "PRP face",
        "treatment",
        (
            P("prp_draw", 10, practitioner=True),
            P("prp_spin", 15, device="centrifuge"),
            P("numbing", 15),
            P("treatment", 45, True, "pen"),
            P("cleaning", 15),
        ),
        ("micro_needling", "prp_phlebotomy"),
        weight=2,
        uses_prp=True,
    ),
    ServiceSpec(
        "prp-scalp",
        "PRP scalp",
        "treatment",
        (
            P("prp_draw", 10, practitioner=True),
            P("prp_spin", 15, device="centrifuge"),
            P("numbing", 10),
            P("treatment", 30, True, "pen"),
            P("cleaning", 10),
        ),
        ("micro_needling", "prp_phlebotomy"),
        weight=1,
        uses_prp=True,
    ),
)
SERVICE_INDEX = {s.slug: i for i, s in enumerate(SERVICES)}
PROJECTION_SUFFIX = "-practitioner-only"
COMPETENCIES = (
    ("consultation", "Consultation"),
    ("micro_needling", "Micro-needling"),
    ("prp_phlebotomy", "PRP phlebotomy"),
)


def _t(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return (int(hours) * 60 + int(minutes)) // BIN


# Shifts as bins since local midnight: (start, lunch starts, lunch ends, end).
WEEKDAY_SHIFTS = (
    (_t("08:00"), _t("12:00"), _t("12:30"), _t("16:30")),
    (_t("09:00"), _t("13:00"), _t("13:45"), _t("17:30")),
    (_t("10:30"), _t("14:00"), _t("14:45"), _t("19:00")),
)
SATURDAY_SHIFT = (_t("09:00"), _t("12:00"), _t("12:30"), _t("15:00"))
SUNDAY_SHIFT = (_t("10:00"), _t("12:30"), _t("13:00"), _t("16:00"))
OPENING = {**{d: (_t("08:00"), _t("19:00")) for d in range(5)}, 5: (_t("09:00"), _t("15:00"))}
SUNDAY_OPENING = (_t("10:00"), _t("16:00"))
HOLIDAYS = (
    (date(2025, 12, 25), "Christmas Day"),
    (date(2026, 1, 1), "New Year's Day"),
    (date(2026, 5, 25), "Memorial Day"),
    (date(2026, 7, 3), "Independence Day (observed)"),
    (date(2026, 9, 7), "Labor Day"),
    (date(2026, 11, 26), "Thanksgiving"),
    (date(2026, 12, 25), "Christmas Day"),
    (date(2027, 1, 1), "New Year's Day"),
    (date(2027, 3, 19), "Staff training"),
    (date(2027, 5, 31), "Memorial Day"),
)
FIRST_NAMES = (
    "Ana",
    "Ben",
    "Carla",
    "Dev",
    "Elena",
    "Farah",
    "Gus",
    "Hana",
    "Ivan",
    "Jo",
    "Kai",
    "Lena",
    "Mo",
    "Nia",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sam",
    "Tess",
    "Uma",
    "Vic",
    "Wren",
    "Xena",
    "Yuri",
    "Zoe",
)
LAST_NAMES = (
    "Abbott",
    "Baker",
    "Chavez",
    "Diaz",
    "Ellis",
    "Flores",
    "Garcia",
    "Hughes",
    "Ibarra",
    "Jensen",
    "Kim",
    "Lopez",
    "Martinez",
    "Nguyen",
    "Ortiz",
    "Patel",
    "Quintana",
    "Reyes",
    "Santos",
    "Torres",
    "Udall",
    "Vigil",
    "Walker",
    "Young",
    "Zamora",
)


@dataclass(frozen=True)
class LocationSpec:
    slug: str
    name: str
    rooms: int
    pens: int
    sunday: bool


@dataclass(frozen=True)
class PractitionerSpec:
    location: int
    username: str
    first_name: str
    last_name: str
    role: str
    prp: bool
    hours: tuple[tuple[int, tuple[int, int, int, int]], ...]
    """(weekday, shift) pairs, weekday 0 = Monday."""


@dataclass(frozen=True)
class TimeOffSpec:
    practitioner: int
    first: date
    last: date
    start_bin: int = 0
    end_bin: int = DAY_BINS
    """Whole days when start_bin is 0 and end_bin DAY_BINS; otherwise hours on one day."""

    @property
    def whole_days(self) -> bool:
        return self.start_bin == 0 and self.end_bin == DAY_BINS


@dataclass(frozen=True)
class Booking:
    location: int
    day: date
    start_bin: int
    service: int
    practitioner: int
    room: int
    devices: tuple[int, ...]
    """Unit index (within its kind at the location) for each device phase, in order."""
    patient: int
    status: str


@dataclass
class Dataset:
    size: Size
    first_day: date
    last_day: date
    locations: list[LocationSpec]
    practitioners: list[PractitionerSpec]
    time_off: list[TimeOffSpec]
    closures: list[tuple[int, date, str]]
    bookings: list[Booking]
    subjects: dict[str, str]
    stats: dict[str, float] = field(default_factory=dict)
    sha256: str = ""


@dataclass(frozen=True)
class _Compiled:
    """A service as bit masks relative to a start bin."""

    index: int
    total: int
    staff: tuple[int, ...]
    staff_bins: int
    first_staff: int
    last_staff: int
    room: int
    devices: tuple[tuple[str, int, int], ...]
    """(kind, mask, bins) per device phase."""


def _mask(offset: int, length: int) -> int:
    return ((1 << length) - 1) << offset


def _compile(index: int, service: ServiceSpec) -> _Compiled:
    staff, devices = service.segments()
    for minutes in [service.minutes, *(m for _, m in staff), *(m for *_, m in devices)]:
        assert minutes % BIN == 0, "every length is a multiple of the bitmap bin"  # noqa: S101
    return _Compiled(
        index=index,
        total=service.minutes // BIN,
        staff=tuple(_mask(o // BIN, m // BIN) for o, m in staff),
        staff_bins=sum(m for _, m in staff) // BIN,
        first_staff=staff[0][0] // BIN,
        last_staff=(staff[-1][0] + staff[-1][1]) // BIN,
        room=_mask(0, service.minutes // BIN),
        devices=tuple((k, _mask(o // BIN, m // BIN), m // BIN) for k, o, m in devices),
    )


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _practitioners(rng: random.Random, size: Size, locations: list[LocationSpec]):
    out: list[PractitionerSpec] = []
    for loc_index, location in enumerate(locations):
        for n in range(size.practitioners_per_location):
            weekdays = sorted(rng.sample(range(5), rng.choice((4, 5))))
            hours = [(d, rng.choice(WEEKDAY_SHIFTS)) for d in weekdays]
            if rng.random() < 0.4:
                hours.append((5, SATURDAY_SHIFT))
            # The first practitioner of a Sunday location always works Sundays: the Q1/Q2
            # subject, whose 30 days include the spring-forward Sunday.
            if location.sunday and (n == 0 or rng.random() < 0.4):
                hours.append((6, SUNDAY_SHIFT))
            number = len(out)
            out.append(
                PractitionerSpec(
                    location=loc_index,
                    username=f"bench-p{number:04d}",
                    first_name=FIRST_NAMES[number % len(FIRST_NAMES)],
                    last_name=f"{LAST_NAMES[(number // len(FIRST_NAMES)) % len(LAST_NAMES)]}"
                    f"-{number:04d}",
                    role="medical_director" if n == 0 else "practitioner",
                    prp=n % 5 != 4 and rng.random() < 0.75,
                    hours=tuple(hours),
                )
            )
    return out


def _time_off(rng: random.Random, dataset_days: list[date], practitioners, subjects):
    q2_window = (FIRST_QUERY_DAY, FIRST_QUERY_DAY + timedelta(days=29))
    out: list[TimeOffSpec] = []
    span = len(dataset_days)
    for index, practitioner in enumerate(practitioners):
        working = {d for d, _ in practitioner.hours}
        for _ in range(max(1, round(span / 120))):
            length = rng.randint(2, 7)
            first = dataset_days[rng.randrange(0, span - length)]
            last = first + timedelta(days=length - 1)
            if index == subjects["q1_q2"] and first <= q2_window[1] and last >= q2_window[0]:
                continue  # keep the Q1/Q2 subject at work for the whole window
            out.append(TimeOffSpec(index, first, last))
        for _ in range(max(1, span // 30)):
            day = dataset_days[rng.randrange(span)]
            if day.weekday() not in working:
                continue
            start = rng.randrange(_t("09:00"), _t("15:00"), STEP_BINS)
            out.append(TimeOffSpec(index, day, day, start, start + rng.choice((12, 18, 24))))
    # The Q4 subject is away for the first 16 days, so "next free slot" has to look ahead.
    q4 = subjects["q4"]
    out.append(TimeOffSpec(q4, FIRST_QUERY_DAY, FIRST_QUERY_DAY + timedelta(days=15)))
    out.sort(key=lambda t: (t.practitioner, t.first, t.start_bin))
    return out


def generate(size_name: str, seed: int = SEED) -> Dataset:
    size = SIZES[size_name]
    rng = random.Random(f"{seed}-{size_name}")  # noqa: S311 -- reproducible, not secret
    first_day = NOW.date() - timedelta(days=size.history_days)
    last_day = NOW.date() + timedelta(days=size.future_days - 1)
    assert first_day <= DST_DAY <= last_day  # noqa: S101
    days = _days(first_day, last_day)
    locations = [
        LocationSpec(
            slug=f"bench-{n + 1}",
            name=f"Bench clinic {n + 1}",
            rooms=rng.randint(*size.rooms),
            pens=rng.randint(*size.pens),
            sunday=n == 0,
        )
        for n in range(size.locations)
    ]
    practitioners = _practitioners(rng, size, locations)
    at_first = [i for i, p in enumerate(practitioners) if p.location == 0]
    subjects = {"q1_q2": at_first[0], "q4": at_first[-1]}
    time_off = _time_off(rng, days, practitioners, subjects)
    closures = [
        (n, day, reason)
        for n in range(len(locations))
        for day, reason in HOLIDAYS
        if first_day <= day <= last_day
    ]
    bookings, stats = _book(rng, size, days, locations, practitioners, time_off, closures)
    dataset = Dataset(
        size=size,
        first_day=first_day,
        last_day=last_day,
        locations=locations,
        practitioners=practitioners,
        time_off=time_off,
        closures=closures,
        bookings=bookings,
        subjects={k: practitioners[v].username for k, v in subjects.items()},
        stats=stats,
    )
    dataset.sha256 = dataset_hash(dataset)
    return dataset


def dataset_hash(dataset: Dataset) -> str:
    digest = hashlib.sha256()
    for part in (
        repr(SERVICES),
        repr(dataset.size),
        repr(dataset.locations),
        repr(dataset.practitioners),
        repr(dataset.time_off),
        repr(dataset.closures),
        repr(sorted(dataset.subjects.items())),
    ):
        digest.update(part.encode())
    for booking in dataset.bookings:
        digest.update(repr(booking).encode())
    return digest.hexdigest()


def _book(rng, size, days, locations, practitioners, time_off, closures):
    compiled = [_compile(i, s) for i, s in enumerate(SERVICES)]
    closed = {(loc, day) for loc, day, _ in closures}
    off_days: dict[tuple[int, date], int] = defaultdict(int)  # busy mask of hours off
    away: set[tuple[int, date]] = set()
    for t in time_off:
        for day in _days(t.first, t.last):
            if t.whole_days:
                away.add((t.practitioner, day))
            else:
                off_days[(t.practitioner, day)] |= _mask(t.start_bin, t.end_bin - t.start_bin)
    by_location: dict[int, list[int]] = defaultdict(list)
    for index, p in enumerate(practitioners):
        by_location[p.location].append(index)
    eligible = {
        index: [c for c in compiled if p.prp or not SERVICES[c.index].uses_prp]
        for index, p in enumerate(practitioners)
    }
    weights = {
        index: [SERVICES[c.index].weight for c in services] for index, services in eligible.items()
    }
    consultation = compiled[SERVICE_INDEX["consultation"]]

    bookings: list[Booking] = []
    totals = defaultdict(float)
    for day in days:
        weekday = day.weekday()
        for loc_index, location in enumerate(locations):
            opening = SUNDAY_OPENING if weekday == 6 and location.sunday else OPENING.get(weekday)
            if opening is None or (loc_index, day) in closed:
                continue
            open_mask = _mask(opening[0], opening[1] - opening[0])
            work: dict[int, int] = {}
            for index in by_location[loc_index]:
                shift = dict(practitioners[index].hours).get(weekday)
                if shift is None or (index, day) in away:
                    continue
                start, lunch, back, end = shift
                mask = (_mask(start, lunch - start) | _mask(back, end - back)) & open_mask
                work[index] = mask & ~off_days.get((index, day), 0)
            if not work:
                continue
            day_bookings = _fill_day(
                rng, loc_index, location, day, open_mask, work, eligible, weights, consultation
            )
            # Thin at random down to a target occupancy of the busiest resource class.
            target = rng.uniform(0.60, 0.85)
            caps = (
                sum(m.bit_count() for m in work.values()),
                location.rooms * open_mask.bit_count(),
                location.pens * open_mask.bit_count(),
            )
            used = [0, 0, 0]
            for b in day_bookings:
                for n, value in enumerate(_usage(compiled[b.service])):
                    used[n] += value
            rng.shuffle(day_bookings)
            kept = day_bookings
            dropped: list[Booking] = []
            while kept and max(u / c for u, c in zip(used, caps, strict=True)) > target:
                dropped.append(kept.pop())
                for n, value in enumerate(_usage(compiled[dropped[-1].service])):
                    used[n] -= value
            staff_cap, room_cap, pen_cap = caps
            staff_occ, room_occ, pen_occ = (u / c for u, c in zip(used, caps, strict=True))
            totals["staff"] += staff_occ * staff_cap
            totals["staff_cap"] += staff_cap
            totals["rooms"] += room_occ * room_cap
            totals["room_cap"] += room_cap
            totals["pens"] += pen_occ * pen_cap
            totals["pen_cap"] += pen_cap
            past = day < NOW.date()
            for booking in sorted(kept, key=lambda b: (b.start_bin, b.practitioner)):
                status = "completed" if past else "booked"
                if past and rng.random() < 0.02:
                    status = "no_show"
                bookings.append(_with(booking, status, rng, size))
            for booking in dropped:
                if rng.random() < 0.15:
                    bookings.append(_with(booking, "cancelled", rng, size))
    stats = {
        "occupancy_practitioners": round(totals["staff"] / totals["staff_cap"], 3),
        "occupancy_rooms": round(totals["rooms"] / totals["room_cap"], 3),
        "occupancy_pens": round(totals["pens"] / totals["pen_cap"], 3),
        "appointments": len(bookings),
        "active_appointments": sum(b.status in ("booked", "completed") for b in bookings),
    }
    return bookings, stats


def _usage(service: _Compiled) -> tuple[int, int, int]:
    """Bins of practitioner, room and pen time one booking of `service` takes."""
    return (
        service.staff_bins,
        service.total,
        sum(n for kind, _, n in service.devices if kind == "pen"),
    )


def _with(booking: Booking, status: str, rng: random.Random, size: Size) -> Booking:
    return Booking(
        booking.location,
        booking.day,
        booking.start_bin,
        booking.service,
        booking.practitioner,
        booking.room,
        booking.devices,
        rng.randrange(size.patients),
        status,
    )


def _fill_day(rng, loc_index, location, day, open_mask, work, eligible, weights, consultation):
    """Fill one location-day to saturation: the practitioner whose last booking ends first
    books next, at the earliest start (after a random idle gap) where they, a room and a
    unit of each device kind are free."""
    staff_busy = dict.fromkeys(work, 0)
    rooms = [0] * location.rooms
    units = {"pen": [0] * location.pens, "centrifuge": [0]}
    queue = [((work[i] & -work[i]).bit_length() - 1, i) for i in sorted(work)]
    heapq.heapify(queue)
    out: list[Booking] = []
    while queue:
        cursor, index = heapq.heappop(queue)
        free = work[index] & ~staff_busy[index]
        choice = rng.choices(eligible[index], weights[index])[0]
        gap = rng.choice(GAPS)
        placed = None
        for service in (choice, consultation) if choice is not consultation else (choice,):
            earliest = max(0, cursor + gap - service.first_staff)
            first = -(-earliest // STEP_BINS) * STEP_BINS
            for start in range(first, DAY_BINS - service.total + 1, STEP_BINS):
                if any((free >> start) & m != m for m in service.staff):
                    continue
                need = service.room << start
                room = next((r for r, b in enumerate(rooms) if open_mask & ~b & need == need), None)
                if room is None:
                    continue
                chosen = []
                for kind, mask, _ in service.devices:
                    need = mask << start
                    pool = units[kind]
                    unit = next(
                        (u for u, b in enumerate(pool) if open_mask & ~b & need == need), None
                    )
                    if unit is None:
                        break
                    chosen.append(unit)
                else:
                    placed = (service, start, room, tuple(chosen))
                    break
            if placed:
                break
        if placed is None:
            continue  # nothing more fits for this practitioner today
        service, start, room, chosen = placed
        for mask in service.staff:
            staff_busy[index] |= mask << start
        rooms[room] |= service.room << start
        for (kind, mask, _), unit in zip(service.devices, chosen, strict=True):
            units[kind][unit] |= mask << start
        out.append(Booking(loc_index, day, start, service.index, index, room, chosen, 0, ""))
        heapq.heappush(queue, (start + service.last_staff, index))
    return out


# --------------------------------------------------------------------------------------
# Loading into the database
# --------------------------------------------------------------------------------------


def local(day: date, minutes: int) -> datetime:
    """The aware instant of `minutes` after local midnight, by the wall clock."""
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=DENVER)


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def planned_holds(service: ServiceSpec, start_utc: datetime, staff: str, room: str, units):
    """The holds a booking writes, as the engine plans them: one per resource key and
    continuous stretch (touching phases on one unit merge)."""
    spans: dict[str, list[tuple[int, int]]] = defaultdict(list)
    spans[room].append((0, service.minutes))
    offset, device_n = 0, 0
    for phase in service.phases:
        if phase.practitioner:
            spans[staff].append((offset, offset + phase.minutes))
        if phase.device:
            spans[units[device_n]].append((offset, offset + phase.minutes))
            device_n += 1
        offset += phase.minutes
    out = []
    for key, ranges in spans.items():
        merged: list[list[int]] = []
        for a, b in sorted(ranges):
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        out += [
            (key, start_utc + timedelta(minutes=a), start_utc + timedelta(minutes=b))
            for a, b in merged
        ]
    return out


def load(dataset: Dataset, *, batch: int = 5000) -> dict[str, object]:
    """Write the dataset into the (empty, migrated) default database."""
    from django.contrib.auth.models import User

    from needlepoint.accounts.models import StaffProfile
    from needlepoint.catalog.models import Competency, Service, ServicePhase
    from needlepoint.core.models import Organization
    from needlepoint.patients.models import Patient
    from needlepoint.resources.models import (
        Closure,
        Device,
        DeviceKind,
        Location,
        OpeningHours,
        Room,
    )
    from needlepoint.scheduling.models import Appointment, Hold, TimeOff, WorkingHours

    rng = random.Random(f"{SEED}-ids-{dataset.size.name}")  # noqa: S311
    org = Organization.objects.create(
        name="Needlepoint benchmark clinic", slug="bench-clinic", public_id=_uuid(rng)
    )
    competencies = {
        code: Competency.objects.create(
            organization=org, code=code, name=name, public_id=_uuid(rng)
        )
        for code, name in COMPETENCIES
    }
    services: dict[str, Service] = {}
    for position, spec in enumerate(SERVICES):
        span = spec.practitioner_span[1]
        for slug, phases, online in (
            (spec.slug, spec.phases, True),
            # The practitioner-only projection: one phase as long as the practitioner's span.
            (spec.slug + PROJECTION_SUFFIX, (P("consultation", span, practitioner=True),), False),
        ):
            service = Service.objects.create(
                organization=org,
                public_id=_uuid(rng),
                slug=slug,
                name=spec.name if online else f"{spec.name} (practitioner only)",
                kind=spec.kind,
                summary=spec.name,
                price=Decimal("250.00"),
                uses_prp=spec.uses_prp and online,
                min_interval_days=0,
                requires_prior_consultation=False,
                bookable_online=online,
                sort_order=position,
            )
            ServicePhase.objects.bulk_create(
                ServicePhase(
                    service=service,
                    position=n,
                    kind=phase.kind,
                    duration_minutes=phase.minutes,
                    needs_practitioner=phase.practitioner,
                    needs_room=online,
                    device_kind=phase.device,
                )
                for n, phase in enumerate(phases)
            )
            service.required_competencies.set([competencies[c] for c in spec.competencies])
            services[slug] = service

    locations, rooms, devices = [], [], []
    for spec in dataset.locations:
        location = Location.objects.create(
            organization=org,
            public_id=_uuid(rng),
            slug=spec.slug,
            name=spec.name,
            address_line1="100 Central Ave SW",
            city="Albuquerque",
            state="NM",
            postal_code="87102",
            phone="(505) 555-0100",
            timezone="America/Denver",
            booking_horizon_days=365,
            booking_lead_minutes=120,
            slot_step_minutes=15,
        )
        hours = [(d, o) for d, o in OPENING.items()]
        if spec.sunday:
            hours.append((6, SUNDAY_OPENING))
        OpeningHours.objects.bulk_create(
            OpeningHours(
                location=location,
                weekday=d,
                opens=_clock(o[0]),
                closes=_clock(o[1]),
            )
            for d, o in hours
        )
        rooms.append(
            Room.objects.bulk_create(
                Room(location=location, name=f"Room {n + 1}", sort_order=n, public_id=_uuid(rng))
                for n in range(spec.rooms)
            )
        )
        units = {"pen": [], "centrifuge": []}
        for kind, count in (("pen", spec.pens), ("centrifuge", 1)):
            for n in range(count):
                units[kind].append(
                    Device.objects.create(
                        organization=org,
                        public_id=_uuid(rng),
                        location=location,
                        kind=DeviceKind(kind),
                        name=f"{kind.title()} {n + 1}",
                        make="Bench",
                        model="Bench",
                        serial_number=f"{spec.slug}-{kind}-{n + 1}",
                        max_depth_mm=Decimal("2.50") if kind == "pen" else None,
                    )
                )
        devices.append(units)
        locations.append(location)
    Closure.objects.bulk_create(
        Closure(location=locations[n], starts_on=day, ends_on=day, reason=reason)
        for n, day, reason in dataset.closures
    )

    users = User.objects.bulk_create(
        User(
            username=p.username,
            first_name=p.first_name,
            last_name=p.last_name,
            email=f"{p.username}@bench.invalid",
            password="!",  # noqa: S106 -- an unusable password
        )
        for p in dataset.practitioners
    )
    # Licensed for everything they are booked for (the scope-of-practice table lets a
    # physician and a registered nurse needle), so the reference bound and the peer, which
    # know nothing of licences, offer the same slots.
    staff = StaffProfile.objects.bulk_create(
        StaffProfile(
            organization=org,
            user=user,
            role=p.role,
            licence_type="md" if p.role == "medical_director" else "rn",
            public_id=_uuid(rng),
        )
        for user, p in zip(users, dataset.practitioners, strict=True)
    )
    StaffProfile.locations.through.objects.bulk_create(
        StaffProfile.locations.through(staffprofile_id=s.pk, location_id=locations[p.location].pk)
        for s, p in zip(staff, dataset.practitioners, strict=True)
    )
    StaffProfile.competencies.through.objects.bulk_create(
        StaffProfile.competencies.through(staffprofile_id=s.pk, competency_id=competencies[c].pk)
        for s, p in zip(staff, dataset.practitioners, strict=True)
        for c in ("consultation", "micro_needling", *(("prp_phlebotomy",) if p.prp else ()))
    )
    WorkingHours.objects.bulk_create(
        WorkingHours(staff=s, location=locations[p.location], weekday=d, starts=a, ends=b)
        for s, p in zip(staff, dataset.practitioners, strict=True)
        for d, (start, lunch, back, end) in p.hours
        for a, b in ((_clock(start), _clock(lunch)), (_clock(back), _clock(end)))
    )
    TimeOff.objects.bulk_create(
        (
            TimeOff(
                staff=staff[t.practitioner],
                public_id=_uuid(rng),
                starts_at=local(t.first, t.start_bin * BIN)
                if not t.whole_days
                else local(t.first, 0),
                ends_at=local(t.last, t.end_bin * BIN)
                if not t.whole_days
                else local(t.last + timedelta(days=1), 0),
                reason="Vacation" if t.whole_days else "Appointment",
            )
            for t in dataset.time_off
        ),
        batch_size=batch,
    )
    patients = Patient.objects.bulk_create(
        (
            Patient(
                organization=org,
                public_id=_uuid(rng),
                record_number=f"B{n:07d}",
                first_name=FIRST_NAMES[n % len(FIRST_NAMES)],
                last_name=LAST_NAMES[(n // 7) % len(LAST_NAMES)],
                date_of_birth=date(1960 + n % 40, 1 + n % 12, 1 + n % 28),
                email=f"patient{n}@bench.invalid",
            )
            for n in range(dataset.size.patients)
        ),
        batch_size=batch,
    )

    # Appointments, then their holds (bulk_create returns the primary keys).
    specs = SERVICES
    active_statuses = {"booked", "completed"}
    staff_holds: list[tuple[int, int, datetime, datetime]] = []  # for the projection
    for chunk_start in range(0, len(dataset.bookings), batch):
        chunk = dataset.bookings[chunk_start : chunk_start + batch]
        rows, plans = [], []
        for b in chunk:
            spec = specs[b.service]
            start = local(b.day, b.start_bin * BIN).astimezone(UTC)
            end = start + timedelta(minutes=spec.minutes)
            location = locations[b.location]
            kinds = [p.device for p in spec.phases if p.device]
            unit_keys = [
                f"device:{devices[b.location][kind][u].pk}"
                for kind, u in zip(kinds, b.devices, strict=True)
            ]
            rows.append(
                Appointment(
                    organization=org,
                    public_id=_uuid(rng),
                    location=location,
                    service=services[spec.slug],
                    patient=patients[b.patient],
                    practitioner=staff[b.practitioner],
                    room=rooms[b.location][b.room],
                    starts_at=start,
                    ends_at=end,
                    status=b.status,
                    source="online",
                )
            )
            plans.append(
                planned_holds(
                    spec,
                    start,
                    f"staff:{staff[b.practitioner].pk}",
                    f"room:{rooms[b.location][b.room].pk}",
                    unit_keys,
                )
            )
        created = Appointment.objects.bulk_create(rows)
        holds = []
        for appointment, b, plan in zip(created, chunk, plans, strict=True):
            active = b.status in active_statuses
            for key, start, end in plan:
                holds.append(
                    Hold(
                        appointment_id=appointment.pk,
                        location_id=appointment.location_id,
                        resource_key=key,
                        starts_at=start,
                        ends_at=end,
                        is_active=active,
                    )
                )
                if active and key.startswith("staff:"):
                    staff_holds.append((b.practitioner, b.service, start, end))
        Hold.objects.bulk_create(holds, batch_size=batch)

    peer = _load_peer(dataset, users, staff_holds, batch)
    return {"organization": org.slug, **peer}


def _clock(bins: int) -> time:
    minutes = bins * BIN
    return time(minutes // 60, minutes % 60)


def _load_peer(dataset: Dataset, users, staff_holds, batch: int) -> dict[str, object]:
    """django-appointment's projection: one StaffMember per practitioner, one service per
    Needlepoint service (as long as its practitioner span), one WorkingHours row per
    weekday (its model allows one), each lunch break and each few hours off as an
    Unavailability on its date, vacations and closures as DayOff, and one Appointment per
    active practitioner hold (a PRP visit's draw and treatment are two)."""
    from appointment.models import Appointment as PeerAppointment
    from appointment.models import AppointmentRequest, Config, DayOff, StaffMember, Unavailability
    from appointment.models import Service as PeerService
    from appointment.models import WorkingHours as PeerHours

    Config(
        slot_duration=15,
        lead_time=time(8),
        finish_time=time(19),
        appointment_buffer_time=0,
        website_name="Needlepoint benchmark",
        default_to_service_duration=True,
    ).save()
    peer_services = PeerService.objects.bulk_create(
        PeerService(
            name=spec.slug + PROJECTION_SUFFIX,
            duration=timedelta(minutes=spec.practitioner_span[1]),
            price=Decimal("250.00"),
            background_color="#336699",
            use_service_duration_as_slot=True,
        )
        for spec in SERVICES
    )
    members = StaffMember.objects.bulk_create(
        StaffMember(
            user=user,
            slot_duration=15,
            appointment_buffer_time=0,
            slot_gap_time=0,
            work_on_saturday=any(d == 5 for d, _ in p.hours),
            work_on_sunday=any(d == 6 for d, _ in p.hours),
        )
        for user, p in zip(users, dataset.practitioners, strict=True)
    )
    StaffMember.services_offered.through.objects.bulk_create(
        StaffMember.services_offered.through(staffmember_id=m.pk, service_id=s.pk)
        for m, p in zip(members, dataset.practitioners, strict=True)
        for spec, s in zip(SERVICES, peer_services, strict=True)
        if p.prp or not spec.uses_prp
    )
    PeerHours.objects.bulk_create(
        PeerHours(
            staff_member=m,
            day_of_week=(d + 1) % 7,  # django-appointment counts from Sunday = 0
            start_time=_clock(start),
            end_time=_clock(end),
        )
        for m, p in zip(members, dataset.practitioners, strict=True)
        for d, (start, _lunch, _back, end) in p.hours
    )
    days = _days(dataset.first_day, dataset.last_day)
    unavailable = [
        Unavailability(
            staff_member=m,
            date=day,
            start_time=_clock(dict(p.hours)[day.weekday()][1]),
            end_time=_clock(dict(p.hours)[day.weekday()][2]),
            description="Lunch",
        )
        for m, p in zip(members, dataset.practitioners, strict=True)
        for day in days
        if day.weekday() in dict(p.hours)
    ]
    unavailable += [
        Unavailability(
            staff_member=members[t.practitioner],
            date=t.first,
            start_time=_clock(t.start_bin),
            end_time=_clock(t.end_bin),
            description="Appointment",
        )
        for t in dataset.time_off
        if not t.whole_days
    ]
    Unavailability.objects.bulk_create(unavailable, batch_size=batch)
    days_off = [
        DayOff(staff_member=members[t.practitioner], start_date=t.first, end_date=t.last)
        for t in dataset.time_off
        if t.whole_days
    ]
    days_off += [
        DayOff(staff_member=m, start_date=day, end_date=day, description=reason)
        for loc, day, reason in dataset.closures
        for m, p in zip(members, dataset.practitioners, strict=True)
        if p.location == loc
    ]
    DayOff.objects.bulk_create(days_off, batch_size=batch)
    for chunk_start in range(0, len(staff_holds), batch):
        chunk = staff_holds[chunk_start : chunk_start + batch]
        requests = AppointmentRequest.objects.bulk_create(
            AppointmentRequest(
                date=start.astimezone(DENVER).date(),
                start_time=start.astimezone(DENVER).time(),
                end_time=end.astimezone(DENVER).time(),
                service=peer_services[service],
                staff_member=members[practitioner],
                id_request=f"bench-{chunk_start + n}",
            )
            for n, (practitioner, service, start, end) in enumerate(chunk)
        )
        PeerAppointment.objects.bulk_create(
            PeerAppointment(appointment_request=r, id_request=r.id_request, amount_to_pay=0)
            for r in requests
        )
    return {
        "peer_appointments": len(staff_holds),
        "peer_unavailabilities": len(unavailable),
        "peer_days_off": len(days_off),
    }
