"""Cached availability set-ups: fewer queries per read, and never a stale answer after an
edit, in this process or (through the shared version) another one."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.core.cache import cache

from needlepoint.resources.models import Closure, Room
from needlepoint.scheduling import setup
from needlepoint.scheduling.models import Hold, WorkingHours
from needlepoint.scheduling.selectors import availability_get
from needlepoint.scheduling.services import appointment_book
from tests.support import factories
from tests.support.scheduling_world import at, make_world

MONDAY = date(2027, 1, 11)
NOW = at(2027, 1, 4, 8)


@pytest.fixture
def world(db):
    return make_world()


def starts(world, service=None, **kwargs):
    return [
        o.start
        for o in availability_get(
            location=world.location,
            service=service or world.face,
            first_day=MONDAY,
            last_day=MONDAY,
            now=NOW,
            **kwargs,
        )
    ]


def test_a_second_read_reuses_the_set_up(world, django_assert_num_queries):
    first = starts(world)
    # The shared version, the holds, the time off: nothing else.
    with django_assert_num_queries(3):
        assert starts(world) == first


def test_an_edit_in_this_process_shows_at_once(world):
    assert starts(world)
    Closure.objects.create(
        location=world.location, starts_on=MONDAY, ends_on=MONDAY, reason="Inventory"
    )
    assert starts(world) == []


def test_an_edit_committed_by_another_process_shows_at_once(world):
    assert starts(world)
    # Another process edits without our signals, then commits, which replaces the version.
    WorkingHours.objects.filter(location=world.location).update(starts=time(15))
    assert starts(world)[0].hour < 14
    cache.set(setup.VERSION_KEY, "another process committed")
    assert starts(world)[0] == at(2027, 1, 11, 14, 30)  # numbing starts before the practitioner


def test_a_committed_edit_replaces_the_shared_version(world, django_capture_on_commit_callbacks):
    starts(world)
    before = cache.get(setup.VERSION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        Room.objects.filter(pk=world.rooms[0].pk).first().save()
    assert cache.get(setup.VERSION_KEY) != before


def test_a_snapshot_expires_even_without_a_signal(world, monkeypatch):
    assert starts(world)[0].hour < 14
    WorkingHours.objects.filter(location=world.location).update(starts=time(15))
    later = setup.clock.monotonic() + setup.MAX_AGE + 1
    monkeypatch.setattr(setup.clock, "monotonic", lambda: later)
    assert starts(world)[0] == at(2027, 1, 11, 14, 30)


def test_a_booking_reads_the_set_up_fresh(world):
    """A room switched off behind the cache's back is never booked."""
    offers = availability_get(
        location=world.location, service=world.face, first_day=MONDAY, last_day=MONDAY, now=NOW
    )
    assert offers[0].room == world.rooms[0]
    Room.objects.filter(pk=world.rooms[0].pk).update(is_active=False)
    appointment = appointment_book(
        location=world.location,
        service=world.face,
        start=offers[0].start,
        patient=factories.PatientFactory(organization=world.clinic),
        source="staff",
        now=NOW,
    )
    assert appointment.room == world.rooms[1]
    assert not Hold.objects.filter(resource_key=f"room:{world.rooms[0].pk}").exists()


def test_leaving_a_location_takes_a_practitioner_off_its_slots(world):
    assert {o.practitioner for o in _offers(world)} == {world.ana, world.ben}
    world.ben.locations.remove(world.location)
    assert {o.practitioner for o in _offers(world)} == {world.ana}


def test_a_deactivated_user_offers_no_slots(world):
    assert world.ben in {o.practitioner for o in _offers(world)}
    world.ben.user.is_active = False
    world.ben.user.save(update_fields=["is_active"])
    assert world.ben not in {o.practitioner for o in _offers(world)}


def _offers(world):
    return availability_get(
        location=world.location,
        service=world.face,
        first_day=MONDAY,
        last_day=MONDAY,
        now=NOW,
        one_per_start=False,
    )
