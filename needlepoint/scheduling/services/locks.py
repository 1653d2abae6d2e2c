"""The concurrency-safe core of every booking and move: locks on resources and patients,
and the claim of an appointment's holds.

PostgreSQL: transaction-level advisory locks on the sorted resource keys (the pattern pretix
documents), with the re-check and insert in one call; SQLite: the IMMEDIATE transaction
already holds the database's write lock. See docs/booking-concurrency.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection

from needlepoint.patients.models import Patient
from needlepoint.patients.selectors import patient_group_ids
from needlepoint.scheduling.availability import Hold as PlannedHold
from needlepoint.scheduling.availability import from_minute
from needlepoint.scheduling.models import Appointment
from needlepoint.scheduling.services.errors import LostRace

ATTEMPTS = 3
LOCK_TIMEOUT = "5s"


def _hold_lock_keys(holds: Sequence[PlannedHold]) -> list[str]:
    """One lock per resource and UTC day a hold touches: bookings of the same pen on
    different days never wait for each other, while any two holds that could overlap share
    at least one key. The exclusion constraint stays the backstop."""
    minutes_per_day = 24 * 60
    return [
        f"{hold.resource_key}@{day}"
        for hold in holds
        for day in range(hold.start // minutes_per_day, (hold.end - 1) // minutes_per_day + 1)
    ]


def resources_lock(keys: Sequence[str]) -> None:
    """Transaction-level advisory locks on the keys, in one round trip and in the order of
    their lock ids, so two bookings never wait for each other in a cycle (migration 0004)."""
    if connection.vendor != "postgresql":
        return  # SQLite: the IMMEDIATE transaction holds the only write lock already.
    with connection.cursor() as cursor:
        cursor.execute("SELECT needlepoint_lock_resources(%s, %s)", [list(keys), LOCK_TIMEOUT])


def holds_claim(*, appointment: Appointment, holds: Sequence[PlannedHold]) -> None:
    """Lock, re-check and write an appointment's holds, inside the caller's transaction:
    the concurrency-safe core of every booking and move. Raises `LostRace` when another
    booking holds any of the resources at any of the times.

    The holds are inserted only if none overlaps an active hold of another appointment,
    checked on a snapshot taken after the locks were granted. PostgreSQL does locks,
    check and insert in one call (`needlepoint_claim_holds`, migration 0004); SQLite,
    already serialized by its IMMEDIATE transaction, runs the same insert-if-free."""
    if not holds:
        return
    zone = appointment.location.zone
    keys = [hold.resource_key for hold in holds]
    starts = [from_minute(hold.start, zone) for hold in holds]
    ends = [from_minute(hold.end, zone) for hold in holds]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT needlepoint_claim_holds(%s, %s, %s, %s, %s, %s, %s)",
                [
                    appointment.pk,
                    appointment.location_id,
                    keys,
                    starts,
                    ends,
                    _hold_lock_keys(holds),
                    LOCK_TIMEOUT,
                ],
            )
            claimed = cursor.fetchone()[0]
        else:
            cursor.execute(
                _sqlite_claim(len(holds)), _sqlite_claim_params(appointment, holds, zone)
            )
            claimed = cursor.rowcount
    if claimed != len(holds):
        raise LostRace


def _sqlite_claim(count: int) -> str:
    values = ", ".join(["(%s, %s, %s)"] * count)
    # The only interpolation is a row of placeholders per hold.
    return (
        "INSERT INTO scheduling_hold "  # noqa: S608
        "(appointment_id, location_id, resource_key, starts_at, ends_at, is_active) "
        "SELECT %s, %s, wanted.column1, wanted.column2, wanted.column3, 1 "
        f"FROM (VALUES {values}) AS wanted "
        f"WHERE NOT EXISTS (SELECT 1 FROM scheduling_hold AS held, (VALUES {values}) AS asked "
        "WHERE held.is_active AND held.resource_key = asked.column1 "
        "AND held.starts_at < asked.column3 AND held.ends_at > asked.column2 "
        "AND held.appointment_id <> %s)"
    )


def _sqlite_claim_params(appointment: Appointment, holds: Sequence[PlannedHold], zone) -> list:
    ops = connection.ops
    ranges: list[object] = []
    for hold in holds:
        ranges += [
            hold.resource_key,
            ops.adapt_datetimefield_value(from_minute(hold.start, zone)),
            ops.adapt_datetimefield_value(from_minute(hold.end, zone)),
        ]
    return [appointment.pk, appointment.location_id, *ranges, *ranges, appointment.pk]


def patient_lock_keys(patient: Patient) -> list[str]:
    """One lock per record of the person, so that two bookings on two records of one
    person cannot both pass the interval rule at once."""
    return [f"patient:{pk}" for pk in sorted(patient_group_ids(patient=patient))]
