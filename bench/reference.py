"""The lower bound, and the reference the engine is checked against: one bounded, indexed
range fetch of the busy intervals, then a NumPy bitmap kernel on a 5-minute grid.

Per location, the static configuration (opening hours, closures, each practitioner's
working hours, the rooms and device units) is expanded once into boolean arrays over the
whole dataset (`Calendar`, not timed: a deployment would cache it). Per query, the timed
part is:

1. one SQL statement: the active holds of the resources involved plus the practitioners'
   time off, overlapping the window (UNION ALL; served by the partial index on holds);
2. the kernel: busy bitmaps from the rows (difference arrays and a cumulative sum),
   free = available & ~busy, and for each segment of the visit a sliding "all bins free"
   test through prefix sums. A practitioner must cover every practitioner segment; the
   room pool (one room for the whole visit) and each device pool (one unit per device
   phase) are counted: a start is feasible when at least one unit of every pool fits every
   bin of its segment.

It shares no code with the engine: its own wall-clock conversion, its own fetch, its own
feasibility rule, so agreement means something. Every length in the benchmark data is a
multiple of 5 minutes, which makes the bitmap exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

BIN = 5


def minute(moment: datetime) -> int:
    return int(moment.timestamp()) // 60


def _local(day: date, clock: time, zone: ZoneInfo) -> int:
    return minute(datetime.combine(day, clock, tzinfo=zone))


@dataclass(frozen=True)
class Segment:
    offset: int  # bins from the start
    length: int  # bins


@dataclass(frozen=True)
class Plan:
    """A service as segments on the grid."""

    total: int
    staff: tuple[Segment, ...]
    room: Segment | None
    devices: tuple[tuple[str, Segment], ...]

    @classmethod
    def from_phases(cls, phases) -> Plan:
        """`phases`: (minutes, needs_practitioner, needs_room, device_kind) in order."""
        staff, devices, offset = [], [], 0
        room_first = room_last = None
        for minutes, practitioner, room, kind in phases:
            if minutes % BIN:
                raise ValueError("the reference needs phases in whole 5-minute bins")
            seg = Segment(offset // BIN, minutes // BIN)
            if practitioner:
                staff.append(seg)
            if kind:
                devices.append((kind, seg))
            if room:
                room_first = offset if room_first is None else room_first
                room_last = offset + minutes
            offset += minutes
        room_seg = None
        if room_first is not None:
            room_seg = Segment(room_first // BIN, (room_last - room_first) // BIN)
        return cls(offset // BIN, tuple(staff), room_seg, tuple(devices))


class Calendar:
    """One location's availability, expanded to bins from `first` to `last` (local dates)."""

    def __init__(self, location, first: date, last: date) -> None:
        from needlepoint.accounts.models import StaffProfile
        from needlepoint.resources.models import Device, DeviceStatus, Room
        from needlepoint.scheduling.models import WorkingHours

        self.zone = location.zone
        self.origin = minute(datetime.combine(first, time.min, tzinfo=self.zone)) // BIN
        end = minute(datetime.combine(last + timedelta(days=1), time.min, tzinfo=self.zone))
        self.size = end // BIN - self.origin + 1
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        closed = set()
        for closure in location.closures.all():
            day = closure.starts_on
            while day <= closure.ends_on:
                closed.add(day)
                day += timedelta(days=1)
        opening: dict[int, list[tuple[time, time]]] = {}
        for row in location.opening_hours.all():
            opening.setdefault(row.weekday, []).append((row.opens, row.closes))
        self.open = self._expand(days, opening, closed)
        staff = StaffProfile.objects.filter(locations=location)
        hours: dict[int, dict[int, list[tuple[time, time]]]] = {s.pk: {} for s in staff}
        for row in WorkingHours.objects.filter(location=location):
            hours.setdefault(row.staff_id, {}).setdefault(row.weekday, []).append(
                (row.starts, row.ends)
            )
        self.work = {
            pk: self._expand(days, weekly, closed) & self.open for pk, weekly in hours.items()
        }
        self.rooms = [
            r.pk for r in Room.objects.filter(location=location, is_active=True).order_by("pk")
        ]
        self.units: dict[str, list[int]] = {}
        for device in Device.objects.filter(
            location=location, status=DeviceStatus.IN_SERVICE
        ).order_by("pk"):
            self.units.setdefault(device.kind, []).append(device.pk)

    def _expand(self, days, weekly, closed) -> np.ndarray:
        out = np.zeros(self.size, dtype=bool)
        for day in days:
            if day in closed:
                continue
            for opens, closes in weekly.get(day.weekday(), ()):
                a = _local(day, opens, self.zone) // BIN - self.origin
                b = _local(day, closes, self.zone) // BIN - self.origin
                out[a:b] = True
        return out


FETCH_SQL = (
    "SELECT resource_key, {starts}, {ends} FROM scheduling_hold "
    "WHERE is_active AND resource_key IN ({keys}) AND starts_at < %s AND ends_at > %s "
    "UNION ALL SELECT {staff_key}, {starts}, {ends} FROM scheduling_timeoff "
    "WHERE staff_id IN ({staff}) AND starts_at < %s AND ends_at > %s"
)


@dataclass
class Prepared:
    """What one (location, service, practitioners) query needs, prepared once."""

    calendar: Calendar
    plan: Plan
    staff: list[int]
    keys: list[str]
    rows: dict[str, int]
    sql: str
    availability_rows: list[np.ndarray]


def prepare(calendar: Calendar, plan: Plan, staff: list[int], vendor: str) -> Prepared:
    keys = [f"staff:{pk}" for pk in staff]
    if plan.room is not None:
        keys += [f"room:{pk}" for pk in calendar.rooms]
    kinds = sorted({kind for kind, _ in plan.devices})
    for kind in kinds:
        keys += [f"device:{pk}" for pk in calendar.units.get(kind, [])]
    rows = {key: n for n, key in enumerate(keys)}
    if vendor == "postgresql":
        epoch = "(EXTRACT(EPOCH FROM {})::bigint / 60)"
        staff_key = "'staff:' || staff_id::text"
    else:
        epoch = "(CAST(strftime('%%s', {}) AS INTEGER) / 60)"  # %% for Django's cursor
        staff_key = "'staff:' || staff_id"
    marks = ", ".join(["%s"] * len(keys))
    staff_marks = ", ".join(["%s"] * len(staff)) or "NULL"
    # Only placeholders and fixed SQL fragments are interpolated.
    sql = FETCH_SQL.format(
        starts=epoch.format("starts_at"),
        ends=epoch.format("ends_at"),
        keys=marks,
        staff_key=staff_key,
        staff=staff_marks,
    )
    availability = [calendar.work[pk] for pk in staff]
    availability += [calendar.open] * (len(keys) - len(staff))
    return Prepared(calendar, plan, staff, keys, rows, sql, availability)


def fetch(prepared: Prepared, start: datetime, end: datetime) -> list[tuple[str, int, int]]:
    """The one range fetch: (resource key, start minute, end minute) of every busy interval."""
    from django.db import connection

    ops = connection.ops
    lo, hi = ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(end)
    params = [*prepared.keys, hi, lo, *prepared.staff, hi, lo]
    with connection.cursor() as cursor:
        cursor.execute(prepared.sql, params)
        return cursor.fetchall()


def _fits(prefix: np.ndarray, rows: slice | list[int], seg: Segment, count: int) -> np.ndarray:
    """(units, count) bool: the unit is free on every bin of `seg` for each start 0..count-1."""
    a = seg.offset
    b = seg.offset + seg.length
    return prefix[rows, b : b + count] == prefix[rows, a : a + count]


def slots(
    prepared: Prepared,
    *,
    first_day: date,
    last_day: date,
    earliest: int,
    latest: int,
    step: int,
) -> list[int]:
    """Feasible starts (UTC minutes) in [earliest, latest] on the step grid, sorted."""
    cal, plan = prepared.calendar, prepared.plan
    zone = cal.zone
    window_start = datetime.combine(first_day, time.min, tzinfo=zone)
    window_end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone)
    fetch_start = window_start - timedelta(hours=2)
    fetch_end = window_end + timedelta(minutes=plan.total * BIN + 120)
    busy_rows = fetch(prepared, fetch_start, fetch_end)

    b0 = minute(window_start) // BIN - cal.origin
    count = (minute(window_end) - minute(window_start)) // BIN  # candidate start bins
    width = count + plan.total
    avail = np.stack([row[b0 : b0 + width] for row in prepared.availability_rows])
    if avail.shape[1] < width:  # the window reaches past the calendar: nothing there
        avail = np.pad(avail, ((0, 0), (0, width - avail.shape[1])))
    if busy_rows:
        index = prepared.rows
        keys, starts, ends = zip(*busy_rows, strict=True)
        r = np.fromiter((index[k] for k in keys), dtype=np.int64, count=len(keys))
        origin = (b0 + cal.origin) * BIN
        s = np.clip((np.asarray(starts, dtype=np.int64) - origin) // BIN, 0, width)
        e = np.clip(-((origin - np.asarray(ends, dtype=np.int64)) // BIN), 0, width)
        diff = np.zeros((len(prepared.keys), width + 1), dtype=np.int32)
        np.add.at(diff, (r, s), 1)
        np.add.at(diff, (r, e), -1)
        avail &= np.cumsum(diff[:, :width], axis=1) == 0
    prefix = np.zeros((avail.shape[0], width + 1), dtype=np.int32)
    np.cumsum(~avail, axis=1, out=prefix[:, 1:])

    n_staff = len(prepared.staff)
    ok = np.zeros(count, dtype=bool)
    if plan.staff:
        person = np.ones((n_staff, count), dtype=bool)
        for seg in plan.staff:
            person &= _fits(prefix, slice(0, n_staff), seg, count)
        ok = person.any(axis=0)
    else:
        ok[:] = True
    row = n_staff
    if plan.room is not None:
        n_rooms = len(cal.rooms)
        ok &= _fits(prefix, slice(row, row + n_rooms), plan.room, count).sum(axis=0) >= 1
        row += n_rooms
    pools: dict[str, slice] = {}
    for kind in sorted({kind for kind, _ in plan.devices}):
        n_units = len(cal.units.get(kind, []))
        pools[kind] = slice(row, row + n_units)
        row += n_units
    for kind, seg in plan.devices:
        ok &= _fits(prefix, pools[kind], seg, count).sum(axis=0) >= 1

    first_minute = (b0 + cal.origin) * BIN
    starts = first_minute + BIN * np.flatnonzero(ok)
    starts = starts[(starts >= earliest) & (starts <= latest) & (starts % step == 0)]
    return starts.tolist()


def holds_free(prepared: Prepared, holds, window_start: datetime, window_end: datetime) -> bool:
    """Whether every planned hold (resource key, start minute, end minute) lies in its
    resource's available time and overlaps none of its busy intervals: checks the
    engine's room, pen and practitioner assignments, not only its start times."""
    cal = prepared.calendar
    busy: dict[str, list[tuple[int, int]]] = {}
    for key, a, b in fetch(prepared, window_start, window_end):
        busy.setdefault(key, []).append((a, b))
    for key, a, b in holds:
        if key not in prepared.rows:
            return False
        row = prepared.availability_rows[prepared.rows[key]]
        lo, hi = a // BIN - cal.origin, -(-b // BIN) - cal.origin
        if lo < 0 or hi > row.size or not row[lo:hi].all():
            return False
        if any(x < b and a < y for x, y in busy.get(key, ())):
            return False
    return True


def utc_minute(moment: datetime) -> int:
    return minute(moment.astimezone(UTC))
