"""The availability engine: which start times can a service be booked at, and with what.

Pure computation: plain data in, plain data out, no ORM and no clock. Times are whole
minutes since the Unix epoch in UTC; `local_ranges_to_utc` turns a location's wall-clock
opening or working hours into such minutes, one local date at a time, so both
daylight-saving switches come out right.

A visit is a sequence of phases (numbing, PRP spin, treatment, cleaning…). Each phase may
need the practitioner, the room and one unit of a device kind. The patient keeps one room
for the whole visit; one practitioner does every practitioner phase; each device phase uses
one unit of its kind. Instead of testing every candidate start against every resource, the
engine turns each resource's free time into the *set of starts* it can accept (intervals
again), intersects and unites those sets, and only then walks the step grid. The cost grows
with the number of free intervals, not with the number of minutes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from needlepoint.scheduling.intervals import (
    Interval,
    Intervals,
    contains,
    intersect,
    normalize,
    starts_fitting,
    subtract,
    union,
)

# Resource-key prefixes: a hold's `resource_key` is e.g. "staff:12", "room:3", "device:7".
STAFF, ROOM, DEVICE = "staff", "room", "device"


@dataclass(frozen=True)
class Phase:
    minutes: int
    practitioner: bool = False
    room: bool = True
    device_kind: str = ""


@dataclass(frozen=True)
class Resource:
    """A practitioner, room or device unit: when it can be used at all (`available`: working
    hours, opening hours) and when it is already taken (`busy`: holds, time off)."""

    id: str
    available: tuple[Interval, ...]
    busy: tuple[Interval, ...] = ()
    kind: str = ""

    def free(self) -> Intervals:
        return subtract(normalize(self.available), normalize(self.busy))


@dataclass(frozen=True)
class Query:
    phases: tuple[Phase, ...]
    earliest: int
    """First allowed start (now plus the lead time, or the start of the day asked for)."""
    latest: int
    """Last allowed start (the booking horizon, or the end of the day asked for)."""
    step: int = 15
    practitioner_id: str | None = None
    buffer_before: int = 0
    buffer_after: int = 0
    """Extra minutes each resource must be free before and after its own use."""


@dataclass(frozen=True)
class Hold:
    resource_key: str
    start: int
    end: int


@dataclass(frozen=True)
class Slot:
    start: int
    end: int
    practitioner_id: str | None
    room_id: str | None
    holds: tuple[Hold, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class _Segment:
    """A stretch of the visit, relative to its start, that one resource must cover."""

    offset: int
    minutes: int


def _segments(query: Query) -> tuple[list[_Segment], _Segment | None, list[tuple[str, _Segment]]]:
    before, after = query.buffer_before, query.buffer_after
    practitioner: list[_Segment] = []
    devices: list[tuple[str, _Segment]] = []
    room_start: int | None = None
    room_end = 0
    offset = 0
    for phase in query.phases:
        padded = _Segment(offset - before, phase.minutes + before + after)
        if phase.practitioner:
            practitioner.append(padded)
        if phase.device_kind:
            devices.append((phase.device_kind, padded))
        if phase.room:
            room_start = offset if room_start is None else room_start
            room_end = offset + phase.minutes
        offset += phase.minutes
    room = None
    if room_start is not None:
        room = _Segment(room_start - before, room_end - room_start + before + after)
    return practitioner, room, devices


def _feasible(free: Sequence[Interval], segments: Iterable[_Segment]) -> Intervals:
    """Starts at which the resource covers every segment (intersection over segments)."""
    result: Intervals | None = None
    for segment in segments:
        fits = starts_fitting(free, segment.offset, segment.minutes)
        result = fits if result is None else intersect(result, fits)
        if not result:
            return []
    return result if result is not None else []


def _first_containing(options: Sequence[tuple[str, Intervals]], start: int) -> str | None:
    for resource_id, starts in options:
        if contains(starts, start):
            return resource_id
    return None


@dataclass(frozen=True)
class _Plan:
    """Per-query work done once: the segments and, per room and device unit, its starts."""

    total: int
    practitioner_segments: list[_Segment]
    room_segment: _Segment | None
    device_segments: list[tuple[str, _Segment]]
    room_options: list[tuple[str, Intervals]]
    device_options: list[list[tuple[str, Intervals]]]

    plan_holds: bool = True

    def slot(self, start: int, staff_id: str | None) -> Slot:
        room_id = None
        if self.room_segment is not None:
            room_id = _first_containing(self.room_options, start)
        if not self.plan_holds:
            return Slot(start, start + self.total, staff_id, room_id)
        holds: list[Hold] = []
        if self.room_segment is not None:
            holds.append(_hold(ROOM, room_id, start, self.room_segment))
        if staff_id is not None:
            holds.extend(_hold(STAFF, staff_id, start, s) for s in self.practitioner_segments)
        for units, (_, segment) in zip(self.device_options, self.device_segments, strict=True):
            holds.append(_hold(DEVICE, _first_containing(units, start), start, segment))
        return Slot(start, start + self.total, staff_id, room_id, _merge_holds(holds))


def find_slots(
    query: Query,
    *,
    practitioners: Sequence[Resource],
    rooms: Sequence[Resource],
    devices: Sequence[Resource] = (),
    one_per_start: bool = True,
    plan_holds: bool = True,
) -> list[Slot]:
    """Every bookable start in [query.earliest, query.latest] on the step grid, sorted.

    With `one_per_start`, a start appears once, with the first practitioner (in the order
    given) who can take it; otherwise once per practitioner who can. Rooms and device
    units are assigned first-fit in the order given. `plan_holds=False` leaves each
    slot's holds empty: a list of times needs none, a booking plans its one start.
    """
    total = sum(phase.minutes for phase in query.phases)
    if total <= 0 or query.latest < query.earliest:
        return []
    practitioner_segments, room_segment, device_segments = _segments(query)
    window: Intervals = [(query.earliest, query.latest + 1)]

    # Rooms and device kinds: a start works when at least one unit can take it.
    common = window
    room_options: list[tuple[str, Intervals]] = []
    if room_segment is not None:
        room_options = [(r.id, _feasible(r.free(), [room_segment])) for r in rooms]
        common = intersect(common, union(*(starts for _, starts in room_options)))
    device_options: list[list[tuple[str, Intervals]]] = []
    for kind, segment in device_segments:
        units = [(d.id, _feasible(d.free(), [segment])) for d in devices if d.kind == kind]
        device_options.append(units)
        common = intersect(common, union(*(starts for _, starts in units)))
    if not common:
        return []
    plan = _Plan(
        total,
        practitioner_segments,
        room_segment,
        device_segments,
        room_options,
        device_options,
        plan_holds,
    )

    # Practitioners: one person covers every practitioner phase.
    staff_options: list[tuple[str | None, Intervals]]
    if practitioner_segments:
        staff_options = [
            (p.id, _feasible(p.free(), practitioner_segments))
            for p in practitioners
            if query.practitioner_id is None or p.id == query.practitioner_id
        ]
    else:
        staff_options = [(None, window)]

    if one_per_start:
        anyone = union(*(starts for _, starts in staff_options))
        return [
            plan.slot(start, next(sid for sid, starts in staff_options if contains(starts, start)))
            for start in _grid(intersect(common, anyone), query.step)
        ]
    slots = [
        plan.slot(start, staff_id)
        for staff_id, starts in staff_options
        for start in _grid(intersect(common, starts), query.step)
    ]
    slots.sort(key=lambda slot: (slot.start, slot.practitioner_id or ""))
    return slots


def _grid(starts: Sequence[Interval], step: int) -> Iterable[int]:
    """Step-aligned minutes inside the intervals. Aligning to UTC multiples of the step is
    aligning to the local wall clock in every zone whose offset is a multiple of the step."""
    for low, high in starts:
        first = -(-low // step) * step
        yield from range(first, high, step)


def _merge_holds(holds: Sequence[Hold]) -> tuple[Hold, ...]:
    """One hold per resource and continuous stretch: consecutive phases on the same pen, or
    buffers that meet, must not become overlapping holds of one booking."""
    by_key: dict[str, list[Interval]] = {}
    for hold in holds:
        by_key.setdefault(hold.resource_key, []).append((hold.start, hold.end))
    return tuple(
        Hold(key, start, end) for key, ranges in by_key.items() for start, end in normalize(ranges)
    )


def _hold(prefix: str, resource_id: str | None, start: int, segment: _Segment) -> Hold:
    assert resource_id is not None, "a feasible start always has a unit"  # noqa: S101
    begin = start + segment.offset
    return Hold(f"{prefix}:{resource_id}", begin, begin + segment.minutes)


# --- Wall-clock edges -----------------------------------------------------------------


def to_minute(moment: datetime) -> int:
    """An aware datetime as whole minutes since the epoch (seconds are dropped)."""
    return int(moment.timestamp()) // 60


def from_minute(minute: int, zone: ZoneInfo) -> datetime:
    return datetime.fromtimestamp(minute * 60, tz=UTC).astimezone(zone)


def local_ranges_to_utc(
    days: Iterable[date],
    weekly: Mapping[int, Sequence[tuple[time, time]]],
    zone: ZoneInfo,
    *,
    closed: Iterable[date] = (),
) -> Intervals:
    """Expand weekly wall-clock ranges (weekday 0 = Monday) into UTC minute intervals.

    Each local date is converted on its own, so a 09:00–17:00 day is eight hours in
    January, on the spring-forward Sunday and on the fall-back Sunday alike. A range that
    starts in the skipped hour is moved past it; one in the repeated hour takes its first
    occurrence (zoneinfo's fold=0).
    """
    shut = set(closed)
    out: list[Interval] = []
    for day in days:
        if day in shut:
            continue
        for opens, closes in weekly.get(day.weekday(), ()):
            start = to_minute(_wall(day, opens, zone))
            end = to_minute(_wall(day, closes, zone))
            if end > start:
                out.append((start, end))
    return normalize(out)


def _wall(day: date, moment: time, zone: ZoneInfo) -> datetime:
    local = datetime.combine(day, moment, tzinfo=zone)
    # A wall time in the spring-forward gap does not exist: round-trip through UTC to land
    # on the real instant after the gap.
    return local.astimezone(UTC).astimezone(zone)
