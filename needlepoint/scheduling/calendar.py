"""Reads for the staff calendar: a day laid out per practitioner, room and device, a week
in brief, and conflicts explained in words."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Service
from needlepoint.core.dates import local_day
from needlepoint.resources.models import Device, DeviceStatus, Location, Room
from needlepoint.scheduling.models import Appointment, Hold, TimeOff, WorkingHours
from needlepoint.scheduling.setup import eligible_practitioners, service_phases

ROW_MINUTES = 5


@dataclass
class Block:
    appointment: Appointment | None
    start: datetime
    end: datetime
    label: str
    detail: str = ""

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


@dataclass
class Cell:
    """One table cell of a column: a block starting here (with its row span), a stretch
    covered by a block above (rendered as nothing), or free time."""

    block: Block | None = None
    rowspan: int = 1
    covered: bool = False
    working: bool = True


@dataclass
class Column:
    key: str
    title: str
    kind: str
    cells: list[Cell] = field(default_factory=list)


@dataclass
class CalendarDay:
    location: Location
    day: date
    rows: list[datetime]
    columns: list[Column]
    appointments: list[Appointment]

    def table(self) -> list[tuple[datetime, list[Cell]]]:
        return [(moment, [c.cells[i] for c in self.columns]) for i, moment in enumerate(self.rows)]


def _day_bounds(location: Location, day: date) -> tuple[datetime, datetime]:
    hours = [h for h in location.opening_hours.all() if h.weekday == day.weekday()]
    opens = min((h.opens for h in hours), default=time(8))
    closes = max((h.closes for h in hours), default=time(18))
    zone = location.zone
    start = datetime.combine(day, opens, tzinfo=zone).astimezone(zone)
    end = datetime.combine(day, closes, tzinfo=zone).astimezone(zone)
    return start, end


def _label(appointment: Appointment) -> tuple[str, str]:
    patient = appointment.patient
    return f"{patient.first_name} {patient.last_name}", appointment.service.name


def calendar_day(*, location: Location, day: date) -> CalendarDay:
    """The day's holds at a location, one column per working practitioner, room and device."""
    zone = location.zone
    start, end = _day_bounds(location, day)
    holds = list(
        Hold.objects.filter(
            location=location, is_active=True, starts_at__lt=end, ends_at__gt=start
        ).select_related("appointment__patient", "appointment__service", "appointment__room")
    )
    appointments = {h.appointment_id: h.appointment for h in holds}
    # Devices in use show which room they are in, so a pen can be found.
    by_key: dict[str, list[Hold]] = defaultdict(list)
    for hold in holds:
        by_key[hold.resource_key].append(hold)

    working = WorkingHours.objects.filter(location=location, weekday=day.weekday())
    staff_ids = set(working.values_list("staff_id", flat=True)) | {
        int(key.split(":")[1]) for key in by_key if key.startswith("staff:")
    }
    staff = list(
        StaffProfile.objects.filter(pk__in=staff_ids)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )
    hours_by_staff: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for row in working:
        hours_by_staff[row.staff_id].append((row.starts, row.ends))
    time_off: dict[int, list[TimeOff]] = defaultdict(list)
    for off in TimeOff.objects.filter(staff__in=staff, starts_at__lt=end, ends_at__gt=start):
        time_off[off.staff_id].append(off)

    rows = []
    moment = start
    while moment < end:
        rows.append(moment)
        moment += timedelta(minutes=ROW_MINUTES)

    columns: list[Column] = []
    for profile in staff:
        blocks = [_block(h, zone) for h in by_key.get(f"staff:{profile.pk}", [])]
        blocks += [
            Block(None, off.starts_at.astimezone(zone), off.ends_at.astimezone(zone), "Time off")
            for off in time_off[profile.pk]
        ]
        column = Column(f"staff:{profile.pk}", profile.display_name, "practitioner")
        column.cells = _cells(rows, blocks, hours_by_staff[profile.pk], zone)
        columns.append(column)
    for room in Room.objects.filter(location=location, is_active=True).order_by("sort_order"):
        column = Column(f"room:{room.pk}", room.name, "room")
        column.cells = _cells(rows, [_block(h, zone) for h in by_key.get(f"room:{room.pk}", [])])
        columns.append(column)
    for device in Device.objects.filter(location=location, status=DeviceStatus.IN_SERVICE):
        column = Column(f"device:{device.pk}", device.name, "device")
        column.cells = _cells(
            rows, [_block(h, zone, where=True) for h in by_key.get(f"device:{device.pk}", [])]
        )
        columns.append(column)
    ordered = sorted(appointments.values(), key=lambda a: a.starts_at)
    return CalendarDay(location, day, rows, columns, ordered)


def _block(hold: Hold, zone, *, where: bool = False) -> Block:
    appointment = hold.appointment
    name, service = _label(appointment)
    detail = service
    if where and appointment.room is not None:
        detail = f"{service} · {appointment.room.name}"
    return Block(
        appointment,
        hold.starts_at.astimezone(zone),
        hold.ends_at.astimezone(zone),
        name,
        detail,
    )


def _cells(
    rows: list[datetime],
    blocks: list[Block],
    hours: list[tuple[time, time]] | None = None,
    zone=None,
) -> list[Cell]:
    cells = [Cell() for _ in rows]
    if hours is not None:
        for i, moment in enumerate(rows):
            local = moment.astimezone(zone).time()
            cells[i].working = any(a <= local < b for a, b in hours)
    taken = [False] * len(rows)
    for block in sorted(blocks, key=lambda b: b.start):
        first = next(
            (i for i, m in enumerate(rows) if m + timedelta(minutes=ROW_MINUTES) > block.start),
            None,
        )
        if first is None:
            continue
        last = max((i for i, m in enumerate(rows) if m < block.end), default=first)
        if any(taken[first : last + 1]):
            continue  # time off drawn over an earlier booking: the booking stays visible
        cells[first].block, cells[first].rowspan = block, last - first + 1
        for i in range(first + 1, last + 1):
            cells[i].covered = True
        for i in range(first, last + 1):
            taken[i] = True
    return cells


def calendar_week(*, location: Location, first_day: date) -> list[tuple[date, list[Appointment]]]:
    zone = location.zone
    start = datetime.combine(first_day, time.min, tzinfo=zone)
    end = start + timedelta(days=7)
    by_day: dict[date, list[Appointment]] = {first_day + timedelta(days=n): [] for n in range(7)}
    appointments = (
        Appointment.objects.filter(location=location, starts_at__gte=start, starts_at__lt=end)
        .select_related("patient", "service", "practitioner__user", "room")
        .order_by("starts_at")
    )
    for appointment in appointments:
        by_day[local_day(appointment.starts_at, zone)].append(appointment)
    return list(by_day.items())


def _until(moment: datetime, zone) -> str:
    return moment.astimezone(zone).strftime("%H:%M")


def explain_conflicts(
    *,
    location: Location,
    service: Service,
    start: datetime,
    practitioner: StaffProfile | None = None,
) -> list[str]:
    """Why `service` cannot start at `start`, in words staff can act on, e.g.
    "Pen 2 is in Room 3 until 10:40." Empty when nothing stands in the way."""
    zone = location.zone
    local = start.astimezone(zone)
    phases = service_phases(service)
    total = sum(p.minutes for p in phases)
    end = start + timedelta(minutes=total)
    reasons: list[str] = []

    open_ranges = [
        (h.opens, h.closes) for h in location.opening_hours.all() if h.weekday == local.weekday()
    ]
    closed = location.closures.filter(
        starts_on__lte=local.date(), ends_on__gte=local.date()
    ).first()
    if closed is not None:
        reasons.append(f"{location.name} is closed that day ({closed.reason}).")
    elif not any(a <= local.time() and end.astimezone(zone).time() <= b for a, b in open_ranges):
        if open_ranges:
            hours = ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in open_ranges)
            reasons.append(
                f"The visit would run {local:%H:%M}–{end.astimezone(zone):%H:%M}, outside "
                f"{location.name}'s hours ({hours})."
            )
        else:
            reasons.append(f"{location.name} is closed on {local:%A}s.")
    if reasons:
        return reasons  # nobody works when the location is shut: that says it all

    def busy(key: str, a: datetime, b: datetime) -> Hold | None:
        return (
            Hold.objects.filter(resource_key=key, is_active=True, starts_at__lt=b, ends_at__gt=a)
            .select_related("appointment__room", "appointment__location")
            .order_by("-ends_at")
            .first()
        )

    offset = 0
    windows: list[tuple[object, datetime, datetime]] = []
    for phase in phases:
        a = start + timedelta(minutes=offset)
        b = a + timedelta(minutes=phase.minutes)
        windows.append((phase, a, b))
        offset += phase.minutes

    staff_windows = [(a, b) for phase, a, b in windows if phase.practitioner]  # type: ignore[attr-defined]
    if staff_windows:
        candidates = (
            [practitioner]
            if practitioner is not None
            else list(eligible_practitioners(location=location, service=service))
        )
        if practitioner is not None and practitioner not in eligible_practitioners(
            location=location, service=service
        ):
            reasons.append(f"{practitioner.display_name} is not set up for {service.name} here.")
        for person in candidates:
            hours = list(
                WorkingHours.objects.filter(
                    staff=person, location=location, weekday=local.weekday()
                ).values_list("starts", "ends")
            )
            if not any(
                all(
                    s <= x.astimezone(zone).time() and y.astimezone(zone).time() <= e
                    for x, y in staff_windows
                )
                for s, e in hours
            ):
                reasons.append(
                    f"{person.display_name} does not work at {location.name} then."
                    if hours
                    else f"{person.display_name} does not work at {location.name} on {local:%A}s."
                )
                continue
            for a, b in staff_windows:
                hold = busy(f"staff:{person.pk}", a, b)
                if hold is not None:
                    reasons.append(
                        f"{person.display_name} is with another patient until "
                        f"{_until(hold.ends_at, zone)}."
                    )
                    break
                off = TimeOff.objects.filter(staff=person, starts_at__lt=b, ends_at__gt=a).first()
                if off is not None:
                    reasons.append(
                        f"{person.display_name} is off until {_until(off.ends_at, zone)}."
                    )
                    break

    room_windows = [(a, b) for phase, a, b in windows if phase.room]  # type: ignore[attr-defined]
    if room_windows:
        a, b = room_windows[0][0], room_windows[-1][1]
        rooms = list(Room.objects.filter(location=location, is_active=True).order_by("sort_order"))
        taken = [(room, busy(f"room:{room.pk}", a, b)) for room in rooms]
        if rooms and all(hold is not None for _, hold in taken):
            parts = ", ".join(
                f"{room.name} until {_until(hold.ends_at, zone)}" for room, hold in taken if hold
            )
            reasons.append(f"Every room is in use ({parts}).")
    for phase, a, b in windows:
        kind = phase.device_kind  # type: ignore[attr-defined]
        if not kind:
            continue
        units = list(Device.objects.filter(location=location, kind=kind).order_by("name"))
        in_service = [u for u in units if u.status == DeviceStatus.IN_SERVICE]
        if not in_service:
            reasons.append(f"No {kind} at {location.name} is in service.")
            continue
        taken_units = [(unit, busy(f"device:{unit.pk}", a, b)) for unit in in_service]
        if all(hold is not None for _, hold in taken_units):
            for unit, hold in taken_units:
                room = hold.appointment.room if hold is not None else None
                where = f" in {room.name}" if room is not None else ""
                reasons.append(f"{unit.name} is{where} until {_until(hold.ends_at, zone)}.")  # type: ignore[union-attr]
    return list(dict.fromkeys(reasons))
