"""Booking races (bench/spec.md): many clients with their own connections behind a barrier.

Scenarios, each in its own fresh clinic in a fresh database (SQLite file under
bench/results/, or the throwaway PostgreSQL of scripts/with_postgres.py):

* R1: 50 clients race for one slot (one practitioner, one start): exactly one winner,
  49 "slot unavailable", no errors.
* R2: 2,000 random attempts (50 clients × 40) over one day range of a location with
  10 practitioners sharing 4 rooms and 2 pens; any practitioner.
* R3: 10 practitioners sharing one centrifuge: 50 clients × 4 PRP attempts, each for its
  practitioner, at one of 16 starts 15 minutes apart (spins never overlap across starts,
  so at most one winner per start).
* W: throughput without conflicts: 50 clients, each its own practitioner and day, 12
  bookings each. Safe bookings per second, against:
* RAW: the write ceiling: the same 50 clients inserting one booking's holds (3 rows) per
  transaction into the hold table, no checks (distinct keys, so PostgreSQL's exclusion
  constraint is maintained but never refuses).
* UNSAFE: the control: check-then-insert with no lock, no transaction and no constraint
  (a plain copy of the hold table), 50 clients for one slot. It must produce overlaps,
  or the harness could not see a race.

After every scenario a self-join counts overlapping active holds per resource, and a
sweep counts 5-minute bins where a pool (rooms, pens, centrifuges) holds more than it has.
"""

from __future__ import annotations

import logging
import random
import threading
import time as clock
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import numpy as np

from bench.dataset import DENVER, NOW

CLIENTS = 50
RACE_DAY = date(2027, 3, 8)  # a Monday after NOW
UNSAFE_TABLE = "bench_unsafe_hold"


@dataclass
class RaceWorld:
    location: object
    staff: list
    services: dict
    patients: list


def make_world(tag: str, *, practitioners: int, rooms: int, pens: int, patients: int) -> RaceWorld:
    from django.contrib.auth.models import User

    from needlepoint.accounts.models import StaffProfile
    from needlepoint.catalog.models import Competency, Service, ServicePhase
    from needlepoint.core.models import Organization
    from needlepoint.patients.models import Patient
    from needlepoint.resources.models import Device, Location, OpeningHours, Room
    from needlepoint.scheduling.models import WorkingHours

    org = Organization.objects.create(name=f"Race {tag}", slug=f"race-{tag.lower()}")
    location = Location.objects.create(
        organization=org,
        slug=f"race-{tag.lower()}",
        name=f"Race {tag}",
        address_line1="1 Race St",
        city="Denver",
        state="CO",
        postal_code="80202",
        phone="(303) 555-0100",
        booking_lead_minutes=0,
        booking_horizon_days=365,
        slot_step_minutes=15,
    )
    OpeningHours.objects.bulk_create(
        OpeningHours(location=location, weekday=d, opens=time(8), closes=time(19)) for d in range(6)
    )
    Room.objects.bulk_create(
        Room(location=location, name=f"Room {n + 1}", sort_order=n) for n in range(rooms)
    )
    for kind, count in (("pen", pens), ("centrifuge", 1)):
        for n in range(count):
            Device.objects.create(
                organization=org,
                location=location,
                kind=kind,
                name=f"{kind} {n + 1}",
                make="Bench",
                model="Bench",
                serial_number=f"{tag}-{kind}-{n}",
                max_depth_mm=Decimal("2.50") if kind == "pen" else None,
            )
    skills = [
        Competency.objects.create(organization=org, code=code, name=code)
        for code in ("micro_needling", "prp_phlebotomy")
    ]
    services = {}
    for slug, phases in (
        ("consultation", [("consultation", 30, True, "")]),
        (
            "face",
            [
                ("numbing", 30, False, ""),
                ("treatment", 45, True, "pen"),
                ("cleaning", 15, False, ""),
            ],
        ),
        (
            "neck",
            [
                ("numbing", 20, False, ""),
                ("treatment", 30, True, "pen"),
                ("cleaning", 10, False, ""),
            ],
        ),
        (
            "prp-face",
            [
                ("prp_draw", 10, True, ""),
                ("prp_spin", 15, False, "centrifuge"),
                ("numbing", 15, False, ""),
                ("treatment", 45, True, "pen"),
                ("cleaning", 15, False, ""),
            ],
        ),
    ):
        service = Service.objects.create(
            organization=org,
            slug=slug,
            name=slug,
            kind="consultation" if slug == "consultation" else "treatment",
            summary=slug,
            price=Decimal("100"),
            uses_prp=slug.startswith("prp"),
            min_interval_days=0,
        )
        ServicePhase.objects.bulk_create(
            ServicePhase(
                service=service,
                position=n,
                kind=kind,
                duration_minutes=minutes,
                needs_practitioner=staff,
                needs_room=True,
                device_kind=device,
            )
            for n, (kind, minutes, staff, device) in enumerate(phases)
        )
        services[slug] = service
    staff = []
    for n in range(practitioners):
        user = User.objects.create(
            username=f"race-{tag.lower()}-{n:02d}",
            last_name=f"{tag}{n:02d}",
            password="!",  # noqa: S106
        )
        profile = StaffProfile.objects.create(
            user=user, organization=org, role="practitioner", licence_type="rn"
        )
        profile.locations.add(location)
        profile.competencies.add(*skills)
        WorkingHours.objects.bulk_create(
            WorkingHours(staff=profile, location=location, weekday=d, starts=time(8), ends=time(19))
            for d in range(6)
        )
        staff.append(profile)
    people = Patient.objects.bulk_create(
        Patient(
            organization=org,
            record_number=f"R{tag}{n:05d}",
            first_name="Race",
            last_name=f"Patient {n}",
            date_of_birth=date(1980, 1, 1),
            email=f"race-{tag.lower()}-{n}@bench.invalid",
        )
        for n in range(patients)
    )
    return RaceWorld(location, staff, services, people)


@dataclass(frozen=True)
class Attempt:
    service: str
    start: datetime
    practitioner: int | None  # index into world.staff
    patient: int


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    outcomes: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    won: list[Attempt] = field(default_factory=list)


class HookFailures(logging.Handler):
    """Collects what Django logs when a robust on_commit hook raises (the booking itself
    is committed by then), instead of letting the traceback reach the console."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []
        self.logger = logging.getLogger("django.db.backends.base")

    def emit(self, record: logging.LogRecord) -> None:
        exc = record.exc_info[1] if record.exc_info else None
        self.messages.append(f"{record.getMessage()[:120]} {exc!r}"[:300])

    def __enter__(self) -> HookFailures:
        self.propagate = self.logger.propagate
        self.logger.addHandler(self)
        self.logger.propagate = False
        return self

    def __exit__(self, *exc) -> None:
        self.logger.removeHandler(self)
        self.logger.propagate = self.propagate


class Probe:
    """Counts and times what happens inside `appointment_book` without changing it:
    transaction attempts (each recomputes the slot once), lost races seen by the re-check,
    constraint violations caught on insert, and the wall time spent in each step (with one
    client, the service time of a booking by step)."""

    STEPS = (
        ("resources_lock", "patient_lock"),
        ("booking_rules_check", "rules"),
        ("slot_offer_at", "availability_recompute"),
        ("holds_claim", "claim_holds"),
        ("audit_record", "audit"),
        ("slot_unavailable", "refusal_alternatives"),
    )

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counts: Counter = Counter()
        self.seconds: Counter = Counter()
        self._saved: list[tuple[object, str, object]] = []

    def _wrap(self, module, name: str, step: str) -> None:
        from django.db import IntegrityError

        original = getattr(module, name)

        def wrapper(*args, **kwargs):
            if name == "slot_offer_at":  # every call, offered or not: one per transaction attempt
                self.bump("transaction_attempts")
            started = clock.perf_counter()
            try:
                result = original(*args, **kwargs)
            except IntegrityError:
                if name == "holds_claim":
                    self.bump("constraint_violations")
                raise
            except Exception as exc:
                if type(exc).__name__ == "LostRace":
                    self.bump("lost_races_at_recheck")
                raise
            finally:
                self.add(step, clock.perf_counter() - started)
            return result

        self._saved.append((module, name, original))
        setattr(module, name, wrapper)

    def __enter__(self) -> Probe:
        from needlepoint.scheduling.services import booking

        for name, step in self.STEPS:
            self._wrap(booking, name, step)
        try:  # the after-commit hook imports this at call time
            from needlepoint.messaging import services as messaging
        except ImportError:
            return self
        if hasattr(messaging, "appointment_messages_schedule"):
            self._wrap(messaging, "appointment_messages_schedule", "messages_after_commit")
        return self

    def bump(self, key: str) -> None:
        with self.lock:
            self.counts[key] += 1

    def add(self, step: str, seconds: float) -> None:
        with self.lock:
            self.seconds[step] += seconds

    def __exit__(self, *exc) -> None:
        for module, name, original in reversed(self._saved):
            setattr(module, name, original)


def _book(world: RaceWorld, attempt: Attempt, result: Outcome, lock: threading.Lock) -> None:
    from needlepoint.scheduling.services import (
        BookingRuleError,
        SlotUnavailable,
        appointment_book,
    )

    started = clock.perf_counter()
    try:
        appointment_book(
            location=world.location,
            service=world.services[attempt.service],
            start=attempt.start,
            patient=world.patients[attempt.patient],
            source="api",
            practitioner=world.staff[attempt.practitioner]
            if attempt.practitioner is not None
            else None,
            now=NOW,
        )
        outcome = "booked"
    except SlotUnavailable:
        outcome = "slot_unavailable"
    except BookingRuleError as exc:
        outcome = f"rule:{exc.code}"
    except Exception as exc:  # anything else is an error of the system under test
        outcome = f"error:{type(exc).__name__}"
        with lock:
            result.errors.append(repr(exc)[:300])
    elapsed = clock.perf_counter() - started
    with lock:
        result.latencies.append(elapsed)
        result.outcomes[outcome] += 1
        if outcome == "booked":
            result.won.append(attempt)


def run_clients(per_client: list[list[object]], work: Callable[[object], None]) -> float:
    """One thread (and so one database connection) per client, released together by a
    barrier; each closes its connection. Returns the wall time from release to the end."""
    from django.db import connection

    barrier = threading.Barrier(len(per_client) + 1)

    def client(items):
        try:
            barrier.wait()
            for item in items:
                work(item)
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(items,)) for items in per_client]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = clock.perf_counter()
    for thread in threads:
        thread.join()
    return clock.perf_counter() - started


def overlaps(location_id: int | None = None, table: str = "scheduling_hold") -> int:
    """Pairs of active holds of one resource that overlap (a self-join)."""
    from django.db import connection

    where = "AND a.location_id = %s" if location_id is not None else ""
    params = [location_id] if location_id is not None else []
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {table} a JOIN {table} b "  # noqa: S608 -- fixed names
            "ON a.resource_key = b.resource_key AND a.id < b.id "
            "AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at "
            f"WHERE a.is_active AND b.is_active {where}",
            params,
        )
        return int(cursor.fetchone()[0])


def over_capacity_bins(world: RaceWorld) -> int:
    """5-minute bins where a pool (rooms, pens, centrifuges, each practitioner) holds more
    active ranges at once than it has units."""
    from needlepoint.resources.models import Device, Room
    from needlepoint.scheduling.models import Hold

    pools: dict[str, str] = {
        f"room:{r.pk}": "rooms" for r in Room.objects.filter(location=world.location)
    }
    for device in Device.objects.filter(location=world.location):
        pools[f"device:{device.pk}"] = device.kind
    capacity = Counter(pools.values())
    rows = list(
        Hold.objects.filter(location=world.location, is_active=True).values_list(
            "resource_key", "starts_at", "ends_at"
        )
    )
    if not rows:
        return 0
    origin = min(int(r[1].timestamp()) for r in rows) // 300
    width = max(-(-int(r[2].timestamp()) // 300) for r in rows) - origin + 1
    names = sorted({pools.get(key, key) for key, _, _ in rows})
    index = {name: n for n, name in enumerate(names)}
    diff = np.zeros((len(names), width + 1), dtype=np.int32)
    for key, start, end in rows:
        row = index[pools.get(key, key)]
        diff[row, int(start.timestamp()) // 300 - origin] += 1
        diff[row, -(-int(end.timestamp()) // 300) - origin] -= 1
    load = np.cumsum(diff, axis=1)
    limits = np.array([capacity.get(name, 1) for name in names])[:, None]
    return int((load > limits).sum())


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}
    ms = np.asarray(values) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
    }


def booking_race(name: str, world: RaceWorld, per_client: list[list[Attempt]], vendor: str):
    result = Outcome()
    lock = threading.Lock()
    with Probe() as probe, HookFailures() as hooks:
        seconds = run_clients(per_client, lambda a: _book(world, a, result, lock))
    attempts = sum(len(items) for items in per_client)
    winners = result.outcomes.get("booked", 0)
    transactions = probe.counts.get("transaction_attempts", 0)
    row = {
        "db": vendor,
        "scenario": name,
        "clients": len(per_client),
        "attempts": attempts,
        "winners": winners,
        "overlaps": overlaps(world.location.pk),
        "over_capacity_bins": over_capacity_bins(world),
        "errors": sum(n for k, n in result.outcomes.items() if k.startswith("error:")),
        "attempts_per_s": round(attempts / seconds, 1),
        "bookings_per_s": round(winners / seconds, 1),
        **percentiles(result.latencies),
        "seconds": round(seconds, 2),
        "outcomes": dict(sorted(result.outcomes.items())),
        "retries": max(0, transactions - attempts),
        "lost_races_at_recheck": probe.counts.get("lost_races_at_recheck", 0),
        "constraint_violations": probe.counts.get("constraint_violations", 0),
        "error_examples": result.errors[:3],
        "step_ms_per_attempt": {
            step: round(1000 * total / attempts, 2) for step, total in probe.seconds.items()
        },
        "after_commit_hook_failures": len(hooks.messages),
        "after_commit_hook_examples": hooks.messages[:2],
    }
    return row, result


def _grid(day: date, first: time, count: int, step: int = 15) -> list[datetime]:
    start = datetime.combine(day, first, tzinfo=DENVER)
    return [start + timedelta(minutes=step * n) for n in range(count)]


def r1(vendor: str) -> dict:
    world = make_world("R1", practitioners=3, rooms=2, pens=2, patients=CLIENTS)
    start = datetime.combine(RACE_DAY, time(10), tzinfo=DENVER)
    per_client = [[Attempt("face", start, 0, n)] for n in range(CLIENTS)]
    row, _ = booking_race("R1", world, per_client, vendor)
    row["expected"] = "1 winner, 49 slot_unavailable, 0 errors, 0 overlaps"
    row["passed"] = (
        row["winners"] == 1
        and row["outcomes"].get("slot_unavailable", 0) == CLIENTS - 1
        and row["errors"] == 0
        and row["overlaps"] == 0
        and row["over_capacity_bins"] == 0
    )
    return row


def r2(vendor: str, rng: random.Random, per_client_attempts: int = 40) -> dict:
    total = CLIENTS * per_client_attempts
    world = make_world("R2", practitioners=10, rooms=4, pens=2, patients=total)
    days = [RACE_DAY + timedelta(days=n) for n in range(3)]
    starts = [s for day in days for s in _grid(day, time(8), 39)]  # 08:00–17:30
    services = ["face", "face", "neck", "consultation", "prp-face"]
    attempts = [Attempt(rng.choice(services), rng.choice(starts), None, n) for n in range(total)]
    per_client = [attempts[n::CLIENTS] for n in range(CLIENTS)]
    row, _ = booking_race("R2", world, per_client, vendor)
    row["expected"] = "0 errors, 0 overlaps, 0 over-capacity bins"
    row["passed"] = row["errors"] == 0 and row["overlaps"] == 0 and row["over_capacity_bins"] == 0
    return row


def r3(vendor: str, rng: random.Random) -> dict:
    world = make_world("R3", practitioners=10, rooms=10, pens=10, patients=CLIENTS * 4)
    starts = _grid(RACE_DAY, time(9), 16)
    attempts = [
        Attempt("prp-face", rng.choice(starts), n % 10, n * 4 + k)
        for n in range(CLIENTS)
        for k in range(4)
    ]
    per_client = [attempts[n * 4 : n * 4 + 4] for n in range(CLIENTS)]
    row, result = booking_race("R3", world, per_client, vendor)
    per_start = Counter(a.start for a in result.won)
    row["max_winners_per_start"] = max(per_start.values(), default=0)
    row["starts_won"] = len(per_start)
    row["expected"] = "at most 1 winner per centrifuge slot, 0 errors, 0 overlaps"
    row["passed"] = (
        row["max_winners_per_start"] <= 1
        and row["errors"] == 0
        and row["overlaps"] == 0
        and row["over_capacity_bins"] == 0
    )
    return row


def w(vendor: str, clients: int = CLIENTS, days_each: int = 1) -> dict:
    """Bookings that never conflict: each client has its own practitioner and its own
    days, 12 face treatments a day, 45 minutes apart. W1 (one client, ten days) gives the
    uncontended service time; W (50 clients) the throughput under concurrency."""
    per = 12
    name = "W" if clients == CLIENTS else f"W{clients}"
    total = clients * days_each * per
    world = make_world(name, practitioners=clients, rooms=3, pens=1, patients=total)
    days, day = [], RACE_DAY
    while len(days) < clients * days_each:
        if day.weekday() < 6:
            days.append(day)
        day += timedelta(days=1)
    per_client: list[list[Attempt]] = [[] for _ in range(clients)]
    for n in range(clients):
        for d in days[n * days_each : (n + 1) * days_each]:
            for start in _grid(d, time(8), per, step=45):
                per_client[n].append(Attempt("face", start, n, sum(map(len, per_client))))
    row, _ = booking_race(name, world, per_client, vendor)
    row["expected"] = "every attempt books (no conflicts by construction)"
    row["passed"] = (
        row["winners"] == row["attempts"] and row["errors"] == 0 and row["overlaps"] == 0
    )
    return row


def _anchor(tag: str):
    """A clinic and one appointment for the hold-only scenarios' rows to point at."""
    from needlepoint.scheduling.models import Appointment

    world = make_world(tag, practitioners=1, rooms=1, pens=1, patients=1)
    anchor = Appointment.objects.create(
        organization=world.location.organization,
        location=world.location,
        service=world.services["face"],
        patient=world.patients[0],
        starts_at=NOW,
        ends_at=NOW + timedelta(hours=1),
        source="api",
    )
    return world, anchor


# One booking's worth of holds, as minutes from its start: room for the whole visit,
# practitioner and pen for the treatment.
BOOKING_SHAPE = (("staff", 30, 75), ("room", 0, 90), ("device", 30, 75))


def claim(vendor: str, per_client: int = 40) -> dict:
    """The booking service's concurrency-safe core alone (`holds_claim`: advisory locks on
    the resource-days, the overlap re-check, the insert under the exclusion constraint),
    on the same rows as RAW: what the safety itself costs against the write ceiling."""
    from django.db import transaction

    from needlepoint.scheduling.availability import Hold as PlannedHold
    from needlepoint.scheduling.availability import to_minute
    from needlepoint.scheduling.services import holds_claim

    world, anchor = _anchor("CLAIM")
    latencies: list[float] = []
    lock = threading.Lock()

    def claim_one(item):
        client, k = item
        start = to_minute(NOW) + 90 * k
        holds = [
            PlannedHold(f"{kind}:claim{client}", start + a, start + b)
            for kind, a, b in BOOKING_SHAPE
        ]
        began = clock.perf_counter()
        with transaction.atomic():
            holds_claim(appointment=anchor, holds=holds)
        with lock:
            latencies.append(clock.perf_counter() - began)

    per = [[(c, k) for k in range(per_client)] for c in range(CLIENTS)]
    seconds = run_clients(per, claim_one)
    count = CLIENTS * per_client
    return {
        "db": vendor,
        "scenario": "CLAIM",
        "clients": CLIENTS,
        "attempts": count,
        "winners": len(latencies),
        "overlaps": overlaps(world.location.pk),
        "errors": count - len(latencies),
        "attempts_per_s": round(count / seconds, 1),
        "bookings_per_s": round(len(latencies) / seconds, 1),
        "holds_per_s": round(3 * len(latencies) / seconds, 1),
        **percentiles(latencies),
        "seconds": round(seconds, 2),
        "expected": "every claim succeeds (distinct resources), 0 overlaps",
        "passed": len(latencies) == count,
    }


def raw(vendor: str, per_client: int = 40) -> dict:
    """The write ceiling: one transaction per booking-worth of holds (3 rows), no checks."""
    from django.db import connection, transaction

    world, anchor = _anchor("RAW")
    sql = (
        "INSERT INTO scheduling_hold (appointment_id, location_id, resource_key, starts_at, "
        "ends_at, is_active) VALUES (%s, %s, %s, %s, %s, %s), (%s, %s, %s, %s, %s, %s), "
        "(%s, %s, %s, %s, %s, %s)"
    )
    ops = connection.ops
    latencies: list[float] = []
    lock = threading.Lock()

    def insert(item):
        client, k = item
        start = NOW + timedelta(minutes=90 * k)
        params = []
        for kind, a, b in BOOKING_SHAPE:
            params += [
                anchor.pk,
                world.location.pk,
                f"{kind}:raw{client}",
                ops.adapt_datetimefield_value(start + timedelta(minutes=a)),
                ops.adapt_datetimefield_value(start + timedelta(minutes=b)),
                True,
            ]
        began = clock.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
        with lock:
            latencies.append(clock.perf_counter() - began)

    per = [[(c, k) for k in range(per_client)] for c in range(CLIENTS)]
    seconds = run_clients(per, insert)
    count = CLIENTS * per_client
    return {
        "db": vendor,
        "scenario": "RAW",
        "clients": CLIENTS,
        "attempts": count,
        "winners": count,
        "overlaps": overlaps(world.location.pk),
        "errors": 0,
        "attempts_per_s": round(count / seconds, 1),
        "bookings_per_s": round(count / seconds, 1),
        "holds_per_s": round(3 * count / seconds, 1),
        **percentiles(latencies),
        "seconds": round(seconds, 2),
        "expected": "the ceiling: 3 hold rows per transaction, no reads, no locks",
        "passed": True,
    }


def unsafe(vendor: str) -> dict:
    """Check-then-insert without lock, transaction or constraint: must show overlaps."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {UNSAFE_TABLE}")
        if vendor == "postgresql":
            # LIKE … INCLUDING DEFAULTS copies columns and defaults, not the exclusion
            # constraint (that would take INCLUDING INDEXES or CONSTRAINTS).
            cursor.execute(f"CREATE TABLE {UNSAFE_TABLE} (LIKE scheduling_hold INCLUDING DEFAULTS)")
        else:
            cursor.execute(
                f"CREATE TABLE {UNSAFE_TABLE} AS SELECT * FROM scheduling_hold WHERE 0"  # noqa: S608
            )
    ops = connection.ops
    start = NOW + timedelta(days=7)
    lo = ops.adapt_datetimefield_value(start)
    hi = ops.adapt_datetimefield_value(start + timedelta(minutes=45))
    key = "staff:unsafe"
    outcomes: Counter = Counter()
    lock = threading.Lock()

    def check_then_insert(client):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COUNT(*) FROM {UNSAFE_TABLE} WHERE resource_key = %s "  # noqa: S608
                "AND is_active AND starts_at < %s AND ends_at > %s",
                [key, hi, lo],
            )
            if cursor.fetchone()[0]:
                outcome = "refused"
            else:
                clock.sleep(0.02)  # the window every real check-then-insert has, widened so
                # the control overlaps even on a loaded machine
                cursor.execute(
                    f"INSERT INTO {UNSAFE_TABLE} (id, appointment_id, location_id, "  # noqa: S608
                    "resource_key, starts_at, ends_at, is_active) "
                    "VALUES (%s, 0, 0, %s, %s, %s, %s)",
                    [client + 1, key, lo, hi, True],
                )
                outcome = "inserted"
        with lock:
            outcomes[outcome] += 1

    seconds = run_clients([[n] for n in range(CLIENTS)], check_then_insert)
    found = overlaps(table=UNSAFE_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {UNSAFE_TABLE}")
    return {
        "db": vendor,
        "scenario": "UNSAFE",
        "clients": CLIENTS,
        "attempts": CLIENTS,
        "winners": outcomes.get("inserted", 0),
        "overlaps": found,
        "errors": 0,
        "attempts_per_s": round(CLIENTS / seconds, 1),
        "p50_ms": None,
        "p95_ms": None,
        "seconds": round(seconds, 2),
        "expected": "overlaps > 0: the harness can see a race",
        "passed": found > 0,
    }


def run_all(vendor: str, *, r2_attempts: int = 40) -> list[dict]:
    rng = random.Random(20270308)  # noqa: S311 -- reproducible scenario, not a secret
    rows = []
    for name, scenario in (
        ("UNSAFE", lambda: unsafe(vendor)),
        ("R1", lambda: r1(vendor)),
        ("R2", lambda: r2(vendor, rng, r2_attempts)),
        ("R3", lambda: r3(vendor, rng)),
        ("W", lambda: w(vendor)),
        ("W1", lambda: w(vendor, clients=1, days_each=10)),
        ("RAW", lambda: raw(vendor)),
        ("CLAIM", lambda: claim(vendor)),
    ):
        started = clock.perf_counter()
        row = scenario()
        print(
            f"  {vendor:10} {name:6} {row['attempts']:5} attempts {row['winners']:5} won "
            f"{row['overlaps']:3} overlaps {row['errors']:3} errors "
            f"{row['attempts_per_s']:8.1f}/s  {'ok' if row['passed'] else 'FAILED'} "
            f"({clock.perf_counter() - started:.1f} s)",
            flush=True,
        )
        rows.append(row)
    return rows
