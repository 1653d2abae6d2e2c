"""Measured what-ifs for the engine's hot spots (evidence for the report's recommendations).

Nothing under needlepoint/ is edited: each variant swaps one function of
`needlepoint.scheduling.selectors` for the duration of its own call, and every variant
must return the same start times as the engine.

* `busy_epoch`: `_busy_by_key` lets the database compute whole minutes since the epoch
  (`EpochMinute` below, floor for starts and ceiling for ends, as the engine rounds) and
  drops the model's default ordering, instead of building an aware datetime per column
  per row and converting it back.
* `lean_slots`: `find_slots` without planning holds (first-fit room and device units,
  merged hold tuples) for every offered start; a list needs the starts and a practitioner,
  the booking service plans the holds of the one start it books anyway (`_offer_at`).
* `static_reads`: the eight configuration reads of `availability_get` (closures, opening
  hours, phases, competencies, eligible staff, rooms, devices, working hours) replayed on
  their own: what a per-location cache would save. `estimate_ms` = both variants minus it.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from datetime import date, timedelta

from django.db.models import Func, IntegerField

from bench import queries as q
from bench.dataset import FIRST_QUERY_DAY, PROJECTION_SUFFIX


class EpochMinute(Func):
    """Whole minutes since the Unix epoch of a datetime column, rounded down (or up with
    `ceiling=True`), computed by the database."""

    output_field = IntegerField()

    def __init__(self, expression, *, ceiling: bool = False) -> None:
        super().__init__(expression)
        self.ceiling = ceiling

    def _template(self, seconds: str) -> str:
        return f"(({seconds} + 59) / 60)" if self.ceiling else f"({seconds} / 60)"

    def as_sqlite(self, compiler, connection, **extra):
        # %%%% survives Func's template formatting and the cursor's %-placeholder pass.
        seconds = "CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)"
        return self.as_sql(compiler, connection, template=self._template(seconds), **extra)

    def as_postgresql(self, compiler, connection, **extra):
        seconds = "CAST(CEIL(EXTRACT(EPOCH FROM %(expressions)s)) AS bigint)"
        if not self.ceiling:
            seconds = "CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS bigint)"
        return self.as_sql(compiler, connection, template=self._template(seconds), **extra)


def busy_by_key_epoch(keys, start, end):
    from needlepoint.scheduling.models import Hold

    busy: dict[str, list[tuple[int, int]]] = defaultdict(list)
    rows = (
        Hold.objects.filter(
            is_active=True, resource_key__in=keys, starts_at__lt=end, ends_at__gt=start
        )
        .order_by()
        .annotate(a=EpochMinute("starts_at"), b=EpochMinute("ends_at", ceiling=True))
        .values_list("resource_key", "a", "b")
    )
    for key, a, b in rows:
        busy[key].append((a, b))
    return busy


def find_slots_lean(query, *, practitioners, rooms, devices=(), one_per_start=True):
    """The engine's `find_slots` for `one_per_start`, without planning holds per start."""
    from needlepoint.scheduling import availability as av

    if not one_per_start:
        return av.find_slots(
            query, practitioners=practitioners, rooms=rooms, devices=devices, one_per_start=False
        )
    total = sum(phase.minutes for phase in query.phases)
    if total <= 0 or query.latest < query.earliest:
        return []
    staff_segments, room_segment, device_segments = av._segments(query)
    window = [(query.earliest, query.latest + 1)]
    common = window
    if room_segment is not None:
        common = av.intersect(
            common, av.union(*(av._feasible(r.free(), [room_segment]) for r in rooms))
        )
    for kind, segment in device_segments:
        units = (av._feasible(d.free(), [segment]) for d in devices if d.kind == kind)
        common = av.intersect(common, av.union(*units))
    if not common:
        return []
    if staff_segments:
        options = [
            (p.id, av._feasible(p.free(), staff_segments))
            for p in practitioners
            if query.practitioner_id is None or p.id == query.practitioner_id
        ]
    else:
        options = [(None, window)]
    anyone = av.union(*(starts for _, starts in options))
    return [
        av.Slot(
            start,
            start + total,
            next(sid for sid, starts in options if av.contains(starts, start)),
            None,
        )
        for start in av._grid(av.intersect(common, anyone), query.step)
    ]


@contextlib.contextmanager
def patched(*, epoch: bool = False, lean: bool = False):
    from needlepoint.scheduling import selectors

    saved = (selectors._busy_by_key, selectors.find_slots)
    if epoch:
        selectors._busy_by_key = busy_by_key_epoch
    if lean:
        selectors.find_slots = find_slots_lean
    try:
        yield
    finally:
        selectors._busy_by_key, selectors.find_slots = saved


def static_reads(location, service, first_day: date, last_day: date) -> None:
    """The configuration reads of availability_get, as it makes them."""
    from needlepoint.resources.models import Device, DeviceStatus, Room
    from needlepoint.scheduling.models import WorkingHours
    from needlepoint.scheduling.selectors import eligible_practitioners, service_phases

    list(location.closures.filter(starts_on__lte=last_day, ends_on__gte=first_day))
    list(location.opening_hours.values_list("weekday", "opens", "closes"))
    phases = service_phases(service)
    staff = list(eligible_practitioners(location=location, service=service))
    list(Room.objects.filter(location=location, is_active=True).order_by("sort_order"))
    kinds = {p.device_kind for p in phases if p.device_kind}
    list(
        Device.objects.filter(
            location=location, status=DeviceStatus.IN_SERVICE, kind__in=kinds
        ).order_by("name")
    )
    list(
        WorkingHours.objects.filter(location=location, staff__in=staff).values_list(
            "staff_id", "weekday", "starts", "ends"
        )
    )


def measure(world: q.World, spec: q.QuerySpec, slug: str, runs: int) -> dict:
    """Every variant of one query, interleaved, with the bound alongside."""
    location = world.locations[0]
    first_day = FIRST_QUERY_DAY
    last_day = first_day + timedelta(days=spec.days - 1)
    who = world.subjects[spec.subject] if spec.subject else None

    def engine():
        return world.engine_starts(location, slug, first_day, last_day, who)

    def variant(epoch: bool, lean: bool):
        def call():
            with patched(epoch=epoch, lean=lean):
                return engine()

        return call

    calls = {
        "baseline": engine,
        "busy_epoch": variant(True, False),
        "lean_slots": variant(False, True),
        "both": variant(True, True),
        "static_reads": lambda: static_reads(location, world.services[slug], first_day, last_day),
        "bound": lambda: world.bound_starts(location, slug, first_day, last_day, who),
    }
    expected = engine()
    equal = all(calls[k]() == expected for k in ("busy_epoch", "lean_slots", "both"))
    medians = {k: q.summarize(v)[0] for k, v in q.interleave(calls, runs).items()}
    estimate = max(medians["both"] - medians["static_reads"], 0.0)
    return {
        "size": world.sidecar["size"],
        "query": spec.name,
        "service": slug,
        **{f"{k}_ms": round(v, 3) for k, v in medians.items()},
        "estimate_ms": round(estimate, 3),
        "baseline_over_bound": round(medians["baseline"] / medians["bound"], 2),
        "estimate_over_bound": round(estimate / medians["bound"], 2),
        "same_starts": equal,
    }


def run(world: q.World, runs: int) -> list[dict]:
    out = []
    for spec in q.QUERIES:
        out.append(measure(world, spec, spec.service, runs))
        if spec.subject:  # the projection django-appointment is compared on
            out.append(measure(world, spec, spec.service + PROJECTION_SUFFIX, runs))
    return out
