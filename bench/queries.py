"""Availability queries Q1–Q4 (Q5 with XL): contenders interleaved on the same data, after a
correctness gate.

Contenders, per query:

* `engine`: `needlepoint.scheduling.selectors.availability_get` on the real service
  (practitioner, room, pen, centrifuge);
* `engine_projection`: the same call on the practitioner-only projection of the service
  (one phase as long as the practitioner's span, no room, no device): the work
  django-appointment does, so `peer_over_engine` compares like with like;
* `api`: `GET /api/v1/availability` through Django's test Client (every middleware, the
  URL resolver, django-ninja's parsing and the JSON), when the API is installed;
* `peer`: django-appointment 3.12.0, `get_available_slots_for_staff` day by day after the
  same day-off and working-day checks its `get_available_slots_ajax` view makes (and for
  Q4 the loop of its `get_next_available_date_ajax`), on the projection;
* `bound`: bench/reference.py, one range fetch plus a NumPy kernel.

Clock: everything runs with the clock at the benchmark's NOW (time-machine), so
django-appointment's "not before now" and the API's "today" agree with the `now` the
engine is given.
"""

from __future__ import annotations

import contextlib
import gc
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np

from bench import reference
from bench.dataset import DST_DAY, FIRST_QUERY_DAY, NOW, PROJECTION_SUFFIX
from needlepoint.scheduling.setup import forget

WARMUPS = 3


@dataclass(frozen=True)
class QuerySpec:
    name: str
    title: str
    service: str
    subject: str | None  # a key of the dataset's subjects, or None for every practitioner
    days: int
    first_only: bool = False  # "next available slot": the first start in the window
    locations: int = 1  # Q5: this many locations, one query each


QUERIES = (
    QuerySpec("Q1", "one service, one practitioner, one day", "face", "q1_q2", 1),
    QuerySpec("Q2", "one service, one practitioner, 30 days", "face", "q1_q2", 30),
    QuerySpec("Q3_1d", "one service, all practitioners of a location, 1 day", "prp-face", None, 1),
    QuerySpec("Q3_7d", "one service, all practitioners of a location, 7 days", "prp-face", None, 7),
    QuerySpec("Q4", "next available slot within 90 days", "face", "q4", 90, first_only=True),
)
Q5 = QuerySpec(
    "Q5", "first free slot per location, all locations, 7 days", "face", None, 7, True, 50
)


@contextlib.contextmanager
def frozen_now():
    """The clock at NOW for django-appointment and the API (the engine is given `now`)."""
    try:
        import time_machine
    except ImportError:  # without it the real clock must be before NOW (true until 2027)
        yield
        return
    with time_machine.travel(NOW, tick=True):
        yield


def summarize(samples: list[float]) -> tuple[float, float]:
    ms = np.asarray(samples) * 1000
    return float(np.median(ms)), float(np.percentile(ms, 95))


def interleave(contenders: dict[str, Callable[[], object]], runs: int) -> dict[str, list[float]]:
    """Run every contender once per round, rotating the order each round, so drift and
    noise on a shared machine fall on all of them alike. The first rounds are warm-ups."""
    names = list(contenders)
    samples: dict[str, list[float]] = {n: [] for n in names}
    gc.collect()
    for round_ in range(WARMUPS + runs):
        k = round_ % len(names)
        for name in names[k:] + names[:k]:
            started = clock.perf_counter()
            contenders[name]()
            elapsed = clock.perf_counter() - started
            if round_ >= WARMUPS:
                samples[name].append(elapsed)
    return samples


def count_queries(call: Callable[[], object]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


class World:
    """The loaded dataset as the contenders see it."""

    def __init__(self, sidecar: dict) -> None:
        from appointment.models import Service as PeerService
        from appointment.models import StaffMember

        from needlepoint.accounts.models import StaffProfile
        from needlepoint.catalog.models import Service
        from needlepoint.resources.models import Location

        self.sidecar = sidecar
        self.locations = list(Location.objects.filter(slug__startswith="bench-").order_by("pk"))
        self.services = {s.slug: s for s in Service.objects.all()}
        self.subjects = {
            key: StaffProfile.objects.select_related("user").get(user__username=username)
            for key, username in sidecar["subjects"].items()
        }
        self.peer_services = {s.name: s for s in PeerService.objects.all()}
        self.peer_staff = {
            m.user.username: m for m in StaffMember.objects.select_related("user").all()
        }
        first = date.fromisoformat(sidecar["first_day"])
        # Weekly hours recur past the last booked day; Q4 may look beyond it.
        last = max(date.fromisoformat(sidecar["last_day"]), FIRST_QUERY_DAY + timedelta(days=120))
        self.calendars = {loc.pk: reference.Calendar(loc, first, last) for loc in self.locations}
        self._prepared: dict[tuple, reference.Prepared] = {}
        self._staff: dict[tuple, tuple[int, ...]] = {}
        self._client = None
        self.api_note = api_available()

    # --- helpers shared by the contenders ---------------------------------------------

    def phases(self, slug: str):
        return [
            (p.duration_minutes, p.needs_practitioner, p.needs_room, p.device_kind)
            for p in self.services[slug].phases.all()
        ]

    def eligible(self, location, slug: str) -> list:
        from needlepoint.scheduling.setup import eligible_practitioners

        return list(eligible_practitioners(location=location, service=self.services[slug]))

    def prepared(self, location, slug: str, staff_pks: tuple[int, ...]) -> reference.Prepared:
        key = (location.pk, slug, staff_pks)
        if key not in self._prepared:
            from django.db import connection

            self._prepared[key] = reference.prepare(
                self.calendars[location.pk],
                reference.Plan.from_phases(self.phases(slug)),
                list(staff_pks),
                connection.vendor,
            )
        return self._prepared[key]

    def bounds(self, location, first_day: date, last_day: date, now: datetime) -> tuple[int, int]:
        """The engine's earliest and latest start for a window (lead time, horizon)."""
        zone = location.zone
        start = datetime.combine(first_day, time.min, tzinfo=zone)
        end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=zone)
        earliest = max(start, now + timedelta(minutes=location.booking_lead_minutes))
        latest = min(
            end - timedelta(minutes=1), now + timedelta(days=location.booking_horizon_days)
        )
        return -(-int(earliest.timestamp()) // 60), int(latest.timestamp()) // 60

    # --- contenders -------------------------------------------------------------------

    def engine(self, location, slug, first_day, last_day, practitioner=None):
        from needlepoint.scheduling.selectors import availability_get

        return availability_get(
            location=location,
            service=self.services[slug],
            first_day=first_day,
            last_day=last_day,
            now=NOW,
            practitioner=practitioner,
        )

    def planned_holds(self, location, slug, offer, practitioner=None) -> list | None:
        """The holds a booking of a listed offer would write (lists plan none): the
        selector asked about that one start, as the booking service asks. None when the
        start is not offered again, or with another practitioner or room."""
        from needlepoint.scheduling.selectors import availability_get

        again = availability_get(
            location=location,
            service=self.services[slug],
            first_day=offer.start.date(),
            last_day=offer.start.date(),
            now=NOW,
            practitioner=practitioner,
            at=offer.start,
        )
        if [(o.start, o.practitioner, o.room) for o in again] != [
            (offer.start, offer.practitioner, offer.room)
        ] or not again[0].slot.holds:
            return None
        return [(h.resource_key, h.start, h.end) for h in again[0].slot.holds]

    def engine_stepwise(self, location, slug, first_day, days: int, practitioner=None):
        """Next free start through the public selector in growing windows (1, 7, 30, 90
        days): what a "next available" selector could do instead of one 90-day call."""
        done = 0
        for upto in (1, 7, 30, days):
            upto = min(upto, days)
            if upto <= done:
                continue
            offers = self.engine(
                location,
                slug,
                first_day + timedelta(days=done),
                first_day + timedelta(days=upto - 1),
                practitioner,
            )
            if offers:
                return offers[:1]
            done = upto
        return []

    def engine_starts(self, *args, **kwargs) -> list[int]:
        return [reference.utc_minute(o.start) for o in self.engine(*args, **kwargs)]

    def staff_pks(self, location, slug, practitioner=None) -> tuple[int, ...]:
        """Static configuration for the bound: looked up once, not per call."""
        key = (location.pk, slug, practitioner.pk if practitioner else None)
        if key not in self._staff:
            self._staff[key] = (
                (practitioner.pk,)
                if practitioner is not None
                else tuple(s.pk for s in self.eligible(location, slug))
            )
        return self._staff[key]

    def bound_starts(self, location, slug, first_day, last_day, practitioner=None) -> list[int]:
        staff = self.staff_pks(location, slug, practitioner)
        earliest, latest = self.bounds(location, first_day, last_day, NOW)
        return reference.slots(
            self.prepared(location, slug, staff),
            first_day=first_day,
            last_day=last_day,
            earliest=earliest,
            latest=latest,
            step=location.slot_step_minutes,
        )

    def api_call(self, location, slug, first_day, last_day, practitioner=None):
        if self._client is None:
            from django.test import Client

            # One client for every call: its handler loads the middleware chain once, as a
            # server process does.
            self._client = Client()
        params = {
            "location": location.slug,
            "service": slug,
            "start": first_day.isoformat(),
            "end": last_day.isoformat(),
        }
        if practitioner is not None:
            params["practitioner"] = str(practitioner.public_id)
        return self._client.get("/api/v1/availability", params)

    @staticmethod
    def api_starts(response) -> list[int]:
        if response.status_code != 200:
            raise RuntimeError(f"API answered {response.status_code}: {response.content[:300]!r}")
        return [
            reference.utc_minute(datetime.fromisoformat(s["start"]))
            for s in response.json()["slots"]
        ]

    def peer_day(self, member, service, day: date) -> list[datetime]:
        """What django-appointment's get_available_slots_ajax view computes for one day,
        after its form: day off? working day? then the slots."""
        from appointment.services import get_available_slots_for_staff
        from appointment.utils.db_helpers import (
            check_day_off_for_staff,
            get_weekday_num_from_date,
            is_working_day,
        )

        if check_day_off_for_staff(staff_member=member, date=day):
            return []
        weekday = get_weekday_num_from_date(day)
        if not is_working_day(staff_member=member, day=weekday):
            return []
        return get_available_slots_for_staff(day, member, weekday, service=service)

    def peer_next(self, member, service, first_day: date, days: int) -> list[datetime]:
        """get_next_available_date_ajax's loop, from `first_day`: the first day with slots."""
        from appointment.services import get_available_slots_for_staff
        from appointment.utils.db_helpers import get_weekday_num_from_date

        for offset in range(days):
            day = first_day + timedelta(days=offset)
            weekday = get_weekday_num_from_date(day)
            found = get_available_slots_for_staff(day, member, weekday, service=service)
            if found:
                return found[:1]
        return []

    def peer_starts(self, slug, practitioner, first_day: date, days: int, first_only=False):
        member = self.peer_staff[practitioner.user.username]
        service = self.peer_services[slug + PROJECTION_SUFFIX]
        if first_only:
            found = self.peer_next(member, service, first_day, days)
        else:
            found = [
                slot
                for n in range(days)
                for slot in self.peer_day(member, service, first_day + timedelta(days=n))
            ]
        zone = NOW.tzinfo
        return [reference.utc_minute(s.replace(tzinfo=zone)) for s in found]


def api_available() -> str | None:
    """None when GET /api/v1/availability is served; otherwise why the API is skipped."""
    import importlib.util

    from django.urls import Resolver404, resolve

    if importlib.util.find_spec("needlepoint.api") is None:
        return "needlepoint.api does not exist yet"
    try:
        resolve("/api/v1/availability")
    except Resolver404:
        return "/api/v1/availability is not routed"
    return None


def _first(starts: list[int]) -> list[int]:
    return starts[:1]


def run_query(world: World, spec: QuerySpec, runs: int) -> dict:
    location = world.locations[0]
    first_day = FIRST_QUERY_DAY
    last_day = first_day + timedelta(days=spec.days - 1)
    who = world.subjects[spec.subject] if spec.subject else None
    slug = spec.service
    projection = slug + PROJECTION_SUFFIX

    def pick(starts):
        return _first(starts) if spec.first_only else starts

    def engine_cold():
        # As after a configuration edit: this query's set-up is read again.
        forget(location=location, service=world.services[slug])
        return world.engine(location, slug, first_day, last_day, who)

    calls: dict[str, Callable[[], object]] = {
        "engine": lambda: world.engine(location, slug, first_day, last_day, who),
        "engine_cold": engine_cold,
        "bound": lambda: world.bound_starts(location, slug, first_day, last_day, who),
    }
    if who is not None:
        calls["engine_projection"] = lambda: world.engine(
            location, projection, first_day, last_day, who
        )
        calls["peer"] = lambda: world.peer_starts(slug, who, first_day, spec.days, spec.first_only)
    if spec.first_only:
        calls["engine_stepwise"] = lambda: world.engine_stepwise(
            location, slug, first_day, spec.days, who
        )
    api_note = world.api_note
    if api_note is None and spec.days > 62:
        api_note = "the API serves at most 62 days per call"
    if api_note is None:
        calls["api"] = lambda: world.api_call(location, slug, first_day, last_day, who)

    # --- correctness gate (before any timing counts) ---
    gate: dict[str, object] = {}
    offers = world.engine(location, slug, first_day, last_day, who)
    engine = pick([reference.utc_minute(o.start) for o in offers])
    bound = pick(world.bound_starts(location, slug, first_day, last_day, who))
    gate["engine_equals_bound"] = engine == bound
    staff = world.staff_pks(location, slug, who)
    prepared = world.prepared(location, slug, staff)
    zone = location.zone
    fetch_from = datetime.combine(first_day, time.min, tzinfo=zone) - timedelta(hours=3)
    fetch_to = datetime.combine(last_day, time.min, tzinfo=zone) + timedelta(days=1, hours=5)
    gate["assignments_free"] = all(
        (holds := world.planned_holds(location, slug, o, who)) is not None
        and reference.holds_free(prepared, holds, fetch_from, fetch_to)
        for o in offers
    )
    if "peer" in calls:
        projected = pick(world.engine_starts(location, projection, first_day, last_day, who))
        peer = world.peer_starts(slug, who, first_day, spec.days, spec.first_only)
        gate["projection_equals_peer"] = projected == peer
        gate["projection_slots"] = len(projected)
        if projected != peer:
            gate["projection_only_engine"] = sorted(set(projected) - set(peer))[:5]
            gate["projection_only_peer"] = sorted(set(peer) - set(projected))[:5]
    if "engine_stepwise" in calls:
        stepwise = [reference.utc_minute(o.start) for o in calls["engine_stepwise"]()]
        gate["stepwise_equals_engine"] = stepwise == engine
    if "api" in calls:
        try:
            api = pick(world.api_starts(calls["api"]()))
            gate["api_equals_engine"] = api == engine
        except Exception as exc:  # the API is being written: report, do not time it
            api_note = f"API call failed: {exc}"
            calls.pop("api")
    if not gate["engine_equals_bound"]:
        gate["only_engine"] = sorted(set(engine) - set(bound))[:5]
        gate["only_bound"] = sorted(set(bound) - set(engine))[:5]
    checks = [
        v
        for k, v in gate.items()
        if k.endswith(("_equals_bound", "_free", "_equals_peer", "_equals_engine"))
    ]
    slots_equal = all(checks)

    # --- timing ---
    queries = {name: count_queries(call) for name, call in calls.items()}
    samples = interleave(calls, runs)
    stats = {name: summarize(values) for name, values in samples.items()}
    engine_ms, engine_p95 = stats["engine"]
    bound_ms = stats["bound"][0]
    peer_ms = stats["peer"][0] if "peer" in stats else None
    projection_ms = stats["engine_projection"][0] if "engine_projection" in stats else None
    row = {
        "size": world.sidecar["size"],
        "query": spec.name,
        "title": spec.title,
        "service": slug,
        "days": spec.days,
        "practitioners": 1 if who else len(staff),
        "engine_ms": round(engine_ms, 3),
        "engine_p95_ms": round(engine_p95, 3),
        "engine_cold_ms": round(stats["engine_cold"][0], 3),
        "bound_ms": round(bound_ms, 3),
        "bound_p95_ms": round(stats["bound"][1], 3),
        "peer_ms": round(peer_ms, 3) if peer_ms is not None else None,
        "peer_p95_ms": round(stats["peer"][1], 3) if peer_ms is not None else None,
        "engine_projection_ms": round(projection_ms, 3) if projection_ms is not None else None,
        "api_ms": round(stats["api"][0], 3) if "api" in stats else None,
        "engine_stepwise_ms": (
            round(stats["engine_stepwise"][0], 3) if "engine_stepwise" in stats else None
        ),
        "api_p95_ms": round(stats["api"][1], 3) if "api" in stats else None,
        "engine_over_bound": round(engine_ms / bound_ms, 2),
        "peer_over_engine": round(peer_ms / projection_ms, 1)
        if peer_ms and projection_ms
        else None,
        "peer_over_engine_full": round(peer_ms / engine_ms, 1) if peer_ms else None,
        "queries_per_call": queries["engine"],
        "queries_per_call_by_contender": queries,
        "engine_slots": len(engine),
        "slots_equal": slots_equal,
        "gate": gate,
        "runs": runs,
        "api_note": api_note,
    }
    return row


def run_q5(world: World, runs: int) -> dict:
    """Q5 (XL): the first free start of a service at every location within 7 days."""
    spec = Q5
    slug = spec.service
    first_day, last_day = FIRST_QUERY_DAY, FIRST_QUERY_DAY + timedelta(days=spec.days - 1)
    locations = world.locations[: spec.locations]

    def engine():
        return [world.engine_starts(loc, slug, first_day, last_day)[:1] for loc in locations]

    def bound():
        return [world.bound_starts(loc, slug, first_day, last_day)[:1] for loc in locations]

    equal = engine() == bound()
    queries = {"engine": count_queries(engine), "bound": count_queries(bound)}
    samples = interleave({"engine": engine, "bound": bound}, runs)
    (engine_ms, engine_p95), (bound_ms, bound_p95) = (
        summarize(samples["engine"]),
        summarize(samples["bound"]),
    )
    return {
        "size": world.sidecar["size"],
        "query": spec.name,
        "title": spec.title,
        "service": slug,
        "days": spec.days,
        "practitioners": None,
        "engine_ms": round(engine_ms, 3),
        "engine_p95_ms": round(engine_p95, 3),
        "bound_ms": round(bound_ms, 3),
        "bound_p95_ms": round(bound_p95, 3),
        "peer_ms": None,
        "peer_p95_ms": None,
        "engine_projection_ms": None,
        "api_ms": None,
        "api_p95_ms": None,
        "engine_over_bound": round(engine_ms / bound_ms, 2),
        "peer_over_engine": None,
        "peer_over_engine_full": None,
        "queries_per_call": queries["engine"],
        "queries_per_call_by_contender": queries,
        "engine_slots": None,
        "slots_equal": equal,
        "gate": {"engine_equals_bound": equal},
        "runs": runs,
        "api_note": "one API call per location; not timed",
    }


def sweep(world: World, *, peer_practitioners: int | None) -> dict:
    """The broader gate: every service at every location, every eligible practitioner,
    7 days around the spring-forward Sunday, engine against the reference; and every
    practitioner (or the first `peer_practitioners` per location) on the practitioner-only
    projection of every service, engine against django-appointment."""
    from needlepoint.catalog.models import Service

    first_day = DST_DAY - timedelta(days=4)
    last_day = first_day + timedelta(days=6)
    slugs = [
        s.slug
        for s in Service.objects.filter(slug__in=world.services).order_by("sort_order")
        if not s.slug.endswith(PROJECTION_SUFFIX)
    ]
    cases = mismatches = assignment_failures = slots = 0
    peer_cases = peer_mismatches = peer_slots = 0
    examples: list[dict] = []
    zone = NOW.tzinfo
    fetch_from = datetime.combine(first_day, time.min, tzinfo=zone) - timedelta(hours=3)
    fetch_to = datetime.combine(last_day, time.min, tzinfo=zone) + timedelta(days=1, hours=5)
    for location in world.locations[:5]:  # XL: the first five of fifty
        for slug in slugs:
            staff = world.eligible(location, slug)
            for who in [None, *staff]:
                offers = world.engine(location, slug, first_day, last_day, who)
                engine = [reference.utc_minute(o.start) for o in offers]
                bound = world.bound_starts(location, slug, first_day, last_day, who)
                cases += 1
                slots += len(engine)
                if engine != bound:
                    mismatches += 1
                    if len(examples) < 5:
                        examples.append(
                            {
                                "kind": "engine_vs_bound",
                                "location": location.slug,
                                "service": slug,
                                "practitioner": who.user.username if who else None,
                                "only_engine": sorted(set(engine) - set(bound))[:3],
                                "only_bound": sorted(set(bound) - set(engine))[:3],
                            }
                        )
                pks = (who.pk,) if who else tuple(s.pk for s in staff)
                prepared = world.prepared(location, slug, pks)
                if not all(
                    (holds := world.planned_holds(location, slug, o, who)) is not None
                    and reference.holds_free(prepared, holds, fetch_from, fetch_to)
                    for o in offers
                ):
                    assignment_failures += 1
            limit = peer_practitioners if peer_practitioners is not None else len(staff)
            for who in staff[:limit]:
                projection = slug + PROJECTION_SUFFIX
                engine = world.engine_starts(location, projection, first_day, last_day, who)
                peer = world.peer_starts(slug, who, first_day, 7)
                peer_cases += 1
                peer_slots += len(engine)
                if engine != peer:
                    peer_mismatches += 1
                    if len(examples) < 10:
                        examples.append(
                            {
                                "kind": "projection_vs_peer",
                                "location": location.slug,
                                "service": projection,
                                "practitioner": who.user.username,
                                "only_engine": sorted(set(engine) - set(peer))[:3],
                                "only_peer": sorted(set(peer) - set(engine))[:3],
                            }
                        )
    return {
        "window": [first_day.isoformat(), last_day.isoformat()],
        "engine_vs_bound_cases": cases,
        "engine_vs_bound_mismatches": mismatches,
        "engine_vs_bound_slots": slots,
        "assignment_failures": assignment_failures,
        "projection_vs_peer_cases": peer_cases,
        "projection_vs_peer_mismatches": peer_mismatches,
        "projection_vs_peer_slots": peer_slots,
        "examples": examples,
        "passed": mismatches == 0 and assignment_failures == 0 and peer_mismatches == 0,
    }


def run_size(sidecar: dict, *, runs: int, q5: bool) -> dict:
    """Every query for one loaded dataset, then the sweep."""
    world = World(sidecar)
    started = clock.perf_counter()
    with frozen_now():
        rows = [run_query(world, spec, runs) for spec in QUERIES]
        if q5 and len(world.locations) >= Q5.locations:
            rows.append(run_q5(world, runs))
        timed = clock.perf_counter()
        gate = sweep(world, peer_practitioners=None if len(world.locations) == 1 else 3)
    return {
        "queries": rows,
        "gate_sweep": {**gate, "seconds": round(clock.perf_counter() - timed, 1)},
        "seconds": round(timed - started, 1),
        "api_note": world.api_note,
    }
