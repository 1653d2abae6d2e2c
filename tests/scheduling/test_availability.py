"""The availability engine against a brute-force reference (docs/security-targets.md F2).

The reference tries every start on the grid, every practitioner, room and device unit, and
checks every minute; the engine must find exactly the same starts, and every slot it
returns must be free of every existing hold.
"""

from __future__ import annotations

from datetime import date, datetime, time
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from needlepoint.scheduling.availability import (
    Phase,
    Query,
    Resource,
    find_slots,
    from_minute,
    local_ranges_to_utc,
    to_minute,
)
from needlepoint.scheduling.intervals import intersect, normalize, subtract, union

HORIZON = 240  # minutes of timeline in the generated cases
GRAIN = 5


@st.composite
def interval_lists(draw, *, min_size: int, max_size: int, longest: int):
    raw = draw(
        st.lists(
            st.tuples(st.integers(0, HORIZON // GRAIN), st.integers(1, longest)),
            min_size=min_size,
            max_size=max_size,
        )
    )
    return tuple((a * GRAIN, min(HORIZON, (a + n) * GRAIN)) for a, n in raw)


@st.composite
def resources(draw, prefix: str, kinds: tuple[str, ...] = ("",), max_size: int = 2):
    """Mostly-available resources with a few busy stretches, so that most cases have
    slots and their edges (where mistakes hide) decide the answer."""
    count = draw(st.integers(1 if prefix != "d" else 0, max_size))
    return [
        Resource(
            id=f"{prefix}{i}",
            available=draw(interval_lists(min_size=1, max_size=2, longest=40)),
            busy=draw(interval_lists(min_size=0, max_size=2, longest=8)),
            kind=draw(st.sampled_from(kinds)),
        )
        for i in range(count)
    ]


@st.composite
def queries(draw):
    phases = tuple(
        Phase(
            minutes=draw(st.integers(1, 6)) * GRAIN,
            practitioner=draw(st.booleans()),
            room=draw(st.booleans()),
            device_kind=draw(st.sampled_from(["", "", "pen", "centrifuge"])),
        )
        for _ in range(draw(st.integers(1, 3)))
    )
    earliest = draw(st.integers(0, HORIZON // GRAIN // 2)) * GRAIN
    return Query(
        phases=phases,
        earliest=earliest,
        latest=earliest + draw(st.integers(0, HORIZON // GRAIN)) * GRAIN,
        step=draw(st.sampled_from([5, 10, 15])),
        buffer_before=draw(st.sampled_from([0, 5])),
        buffer_after=draw(st.sampled_from([0, 10])),
    )


def _free_minutes(resource: Resource) -> set[int]:
    free = set()
    for a, b in resource.available:
        free.update(range(a, b))
    for a, b in resource.busy:
        free.difference_update(range(a, b))
    return free


def _covers(free: set[int], start: int, end: int) -> bool:
    return all(m in free for m in range(start, end))


def reference(query, practitioners, rooms, devices):
    """Every (start, practitioner) pair, found the slow and obvious way."""
    before, after = query.buffer_before, query.buffer_after
    offsets, offset = [], 0
    for phase in query.phases:
        offsets.append(offset)
        offset += phase.minutes
    free = {r.id: _free_minutes(r) for r in [*practitioners, *rooms, *devices]}
    room_phases = [i for i, p in enumerate(query.phases) if p.room]
    needs_staff = any(p.practitioner for p in query.phases)
    staff_choices = [p.id for p in practitioners] if needs_staff else [None]
    found = set()
    for start in range(query.earliest, query.latest + 1):
        if start % query.step:
            continue
        for staff in staff_choices:
            ok = True
            if staff is not None:
                ok = all(
                    _covers(free[staff], start + o - before, start + o + p.minutes + after)
                    for o, p in zip(offsets, query.phases, strict=True)
                    if p.practitioner
                )
            if ok and room_phases:
                lo = start + offsets[room_phases[0]] - before
                last = room_phases[-1]
                hi = start + offsets[last] + query.phases[last].minutes + after
                ok = any(_covers(free[r.id], lo, hi) for r in rooms)
            for o, p in zip(offsets, query.phases, strict=True):
                if ok and p.device_kind:
                    ok = any(
                        _covers(free[d.id], start + o - before, start + o + p.minutes + after)
                        for d in devices
                        if d.kind == p.device_kind
                    )
            if ok:
                found.add((start, staff))
    return found


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    query=queries(),
    practitioners=resources("p"),
    rooms=resources("r"),
    devices=resources("d", kinds=("pen", "centrifuge"), max_size=3),
)
def test_engine_finds_exactly_the_reference_slots(query, practitioners, rooms, devices):
    expected = reference(query, practitioners, rooms, devices)
    per_practitioner = find_slots(
        query, practitioners=practitioners, rooms=rooms, devices=devices, one_per_start=False
    )
    assert {(s.start, s.practitioner_id) for s in per_practitioner} == expected
    any_practitioner = find_slots(query, practitioners=practitioners, rooms=rooms, devices=devices)
    assert [s.start for s in any_practitioner] == sorted({start for start, _ in expected})


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    query=queries(),
    practitioners=resources("p"),
    rooms=resources("r"),
    devices=resources("d", kinds=("pen", "centrifuge"), max_size=3),
)
def test_no_slot_uses_a_resource_while_it_is_busy_or_unavailable(
    query, practitioners, rooms, devices
):
    by_key = {f"staff:{p.id}": p for p in practitioners}
    by_key |= {f"room:{r.id}": r for r in rooms}
    by_key |= {f"device:{d.id}": d for d in devices}
    for slot in find_slots(
        query, practitioners=practitioners, rooms=rooms, devices=devices, one_per_start=False
    ):
        own: dict[str, list[tuple[int, int]]] = {}
        for hold in slot.holds:
            own.setdefault(hold.resource_key, []).append((hold.start, hold.end))
        for ranges in own.values():  # a booking's own holds never overlap each other
            ordered = sorted(ranges)
            assert all(a[1] < b[0] for a, b in pairwise(ordered))
        for hold in slot.holds:
            resource = by_key[hold.resource_key]
            assert _covers(_free_minutes(resource), hold.start, hold.end)
        assert slot.end - slot.start == sum(p.minutes for p in query.phases)


def test_a_prp_visit_books_practitioner_room_pen_and_centrifuge_together():
    phases = (
        Phase(10, practitioner=True),  # blood draw
        Phase(15, device_kind="centrifuge"),  # spin while the patient numbs
        Phase(15),  # numbing continues
        Phase(45, practitioner=True, device_kind="pen"),  # treatment
        Phase(15),  # cleaning
    )
    day = [(540, 1020)]  # 09:00–17:00 as minutes of one day
    query = Query(phases=phases, earliest=540, latest=1020, step=15)
    slots = find_slots(
        query,
        practitioners=[Resource("ana", tuple(day), busy=((540, 600),))],
        rooms=[Resource("r1", tuple(day))],
        devices=[
            Resource("pen1", tuple(day), kind="pen"),
            Resource("cf", tuple(day), busy=((600, 640),), kind="centrifuge"),
        ],
    )
    first = slots[0]
    # 09:00–10:00 Ana is busy; the 10:00 draw would spin at 10:10, but the centrifuge is busy
    # until 10:40: the first start is 10:30 (spin 10:40–10:55).
    assert first.start == 630
    assert first.end == 630 + 100
    assert {h.resource_key for h in first.holds} == {
        "staff:ana",
        "room:r1",
        "device:pen1",
        "device:cf",
    }
    # The room must be clean by 17:00: the last quarter-hour start that leaves 100 minutes
    # is 15:15 (16:40 would be 15:20, off the grid).
    assert slots[-1].start == 915


def test_the_practitioner_is_free_while_the_patient_numbs():
    """Two patients can overlap when one numbs while the other is treated."""
    phases = (Phase(30), Phase(30, practitioner=True))
    day = ((0, 240),)
    query = Query(phases=phases, earliest=0, latest=240, step=30)
    slots = find_slots(
        query,
        practitioners=[Resource("ana", day, busy=((30, 60),))],
        rooms=[Resource("r1", day), Resource("r2", day)],
    )
    assert 0 not in [s.start for s in slots]  # treatment 30–60 clashes
    assert 30 in [s.start for s in slots]  # numbs 30–60 while Ana is busy, treated 60–90


def test_interval_helpers():
    assert normalize([(5, 7), (1, 3), (2, 4), (7, 8), (9, 9)]) == [(1, 4), (5, 8)]
    assert intersect([(0, 10), (20, 30)], [(5, 25)]) == [(5, 10), (20, 25)]
    assert subtract([(0, 10), (20, 30)], [(2, 3), (8, 22), (29, 40)]) == [
        (0, 2),
        (3, 8),
        (22, 29),
    ]
    assert union([(0, 2)], [(2, 4)], [(6, 7)]) == [(0, 4), (6, 7)]


# --- daylight saving in America/Denver ---------------------------------------------------

DENVER = ZoneInfo("America/Denver")
NINE_TO_FIVE = {d: [(time(9), time(17))] for d in range(7)}


def _local_hours(day: date) -> list[tuple[str, str]]:
    (interval,) = local_ranges_to_utc([day], NINE_TO_FIVE, DENVER)
    start, end = (from_minute(m, DENVER).strftime("%H:%M") for m in interval)
    return [(start, end)]


def test_working_hours_stay_on_the_wall_clock_across_both_switches():
    for day in [date(2027, 3, 13), date(2027, 3, 14), date(2027, 3, 15), date(2027, 11, 7)]:
        assert _local_hours(day) == [("09:00", "17:00")], day
    spring = local_ranges_to_utc([date(2027, 3, 14)], NINE_TO_FIVE, DENVER)
    fall = local_ranges_to_utc([date(2027, 11, 7)], NINE_TO_FIVE, DENVER)
    # 09:00 MDT is 15:00 UTC after the spring switch; 09:00 MST is 16:00 UTC after the fall.
    assert from_minute(spring[0][0], ZoneInfo("UTC")).hour == 15
    assert from_minute(fall[0][0], ZoneInfo("UTC")).hour == 16


def test_slots_on_switch_days_are_on_the_local_quarter_hours():
    for day in [date(2027, 3, 14), date(2027, 11, 7)]:
        hours = local_ranges_to_utc([day], NINE_TO_FIVE, DENVER)
        query = Query(phases=(Phase(60, practitioner=True),), earliest=0, latest=10**9, step=15)
        slots = find_slots(
            query,
            practitioners=[Resource("ana", tuple(hours))],
            rooms=[Resource("r", tuple(hours))],
        )
        local = [from_minute(s.start, DENVER) for s in slots]
        assert local[0].strftime("%H:%M") == "09:00"
        assert local[-1].strftime("%H:%M") == "16:00"
        assert len(slots) == 29  # 09:00 … 16:00 every 15 minutes


def test_a_range_starting_in_the_skipped_hour_begins_after_it():
    night = {6: [(time(2, 30), time(4, 0))]}  # Sunday 02:30–04:00
    (interval,) = local_ranges_to_utc([date(2027, 3, 14)], night, DENVER)
    assert from_minute(interval[0], DENVER).strftime("%H:%M") == "03:30"
    assert interval[1] - interval[0] == 30


def test_closed_days_have_no_hours():
    assert (
        local_ranges_to_utc([date(2026, 11, 26)], NINE_TO_FIVE, DENVER, closed=[date(2026, 11, 26)])
        == []
    )


def test_minutes_round_trip():
    moment = datetime(2027, 11, 7, 1, 30, tzinfo=DENVER)
    assert from_minute(to_minute(moment), DENVER) == moment


small_intervals = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=6).map(
    lambda pairs: normalize((min(a, b), max(a, b)) for a, b in pairs)
)


def _points(intervals) -> set[int]:
    return {m for a, b in intervals for m in range(a, b)}


@settings(max_examples=300, deadline=None, derandomize=True)
@given(a=small_intervals, b=small_intervals)
def test_interval_operations_match_set_arithmetic(a, b):
    assert _points(intersect(a, b)) == _points(a) & _points(b)
    assert _points(subtract(a, b)) == _points(a) - _points(b)
    assert _points(union(a, b)) == _points(a) | _points(b)
    for result in (intersect(a, b), subtract(a, b), union(a, b)):
        assert result == normalize(result)
