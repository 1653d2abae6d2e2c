"""docs/security-targets.md G1: of many simultaneous requests for one slot exactly one wins, the
rest get "slot unavailable", and nothing else goes wrong. Each client has its own connection; runs
on SQLite (file database) and, in the PostgreSQL pass, on PostgreSQL."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from needlepoint.scheduling.models import Appointment, Hold
from needlepoint.scheduling.services import SlotUnavailable, appointment_book
from tests.support import factories
from tests.support.scheduling_world import at, make_world

CLIENTS = 24
NOW = at(2027, 1, 4, 8)


def _race(world, service, start, patients) -> tuple[list, list, list]:
    barrier = threading.Barrier(len(patients))
    winners, refused, errors = [], [], []

    def client(patient):
        try:
            barrier.wait()
            winners.append(
                appointment_book(
                    location=world.location,
                    service=service,
                    start=start,
                    patient=patient,
                    source="online",
                    now=NOW,
                )
            )
        except SlotUnavailable:
            refused.append(patient)
        except Exception as exc:  # every other outcome is a failure of the test
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(p,)) for p in patients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return winners, refused, errors


def _overlaps() -> int:
    """Active holds of one resource that start before an earlier one of it has ended."""
    overlaps, reach = 0, {}
    for hold in Hold.objects.filter(is_active=True).order_by("resource_key", "starts_at"):
        if hold.resource_key in reach and hold.starts_at < reach[hold.resource_key]:
            overlaps += 1
        reach[hold.resource_key] = max(reach.get(hold.resource_key, hold.ends_at), hold.ends_at)
    return overlaps


@pytest.mark.django_db(transaction=True)
def test_exactly_one_of_many_simultaneous_bookings_wins():
    world = make_world()
    patients = [factories.PatientFactory(organization=world.clinic) for _ in range(CLIENTS)]
    winners, refused, errors = _race(world, world.face, at(2027, 1, 11, 10), patients)
    assert errors == []
    assert len(winners) == 1
    assert len(refused) == CLIENTS - 1
    assert Appointment.objects.count() == 1
    assert _overlaps() == 0


@pytest.mark.django_db(transaction=True)
def test_racing_for_different_rooms_but_one_pen_never_overlaps_the_pen():
    """Two rooms and two practitioners are free at 10:00 and 10:15, but only one pen: at
    most one of the two overlapping treatments can be held."""
    world = make_world()
    patients = [factories.PatientFactory(organization=world.clinic) for _ in range(CLIENTS)]
    half = CLIENTS // 2
    barrier_groups = [
        (at(2027, 1, 11, 10), patients[:half]),
        (at(2027, 1, 11, 10, 15), patients[half:]),
    ]
    results = []
    threads = [
        threading.Thread(
            target=lambda s=start, g=group: results.append(_race(world, world.face, s, g))
        )
        for start, group in barrier_groups
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    winners = [w for result in results for w in result[0]]
    errors = [e for result in results for e in result[2]]
    assert errors == []
    assert len(winners) == 1
    assert _overlaps() == 0
