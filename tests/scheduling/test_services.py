"""Booking write path: holds for every resource, rules, idempotency, cancel, reschedule."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from needlepoint.clinical.gate import appointment_check_in
from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.core.refusals import Refusal
from needlepoint.scheduling.models import Appointment, AppointmentStatus, Hold
from needlepoint.scheduling.selectors import availability_get
from needlepoint.scheduling.services import (
    BookingRuleError,
    IdempotencyConflict,
    SlotUnavailable,
    appointment_book,
    appointment_cancel,
    appointment_mark_no_show,
    appointment_reschedule,
)
from tests.support import factories
from tests.support.scheduling_world import at, make_world

MONDAY = date(2027, 1, 11)
NOW = at(2027, 1, 4, 8)  # a week before


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def patient(world):
    return factories.PatientFactory(organization=world.clinic)


def offers(world, service, day=MONDAY, **kwargs):
    return availability_get(
        location=world.location, service=service, first_day=day, last_day=day, now=NOW, **kwargs
    )


def book(world, service, start, patient, **kwargs):
    return appointment_book(
        location=world.location,
        service=service,
        start=start,
        patient=patient,
        source="phone",
        now=NOW,
        **kwargs,
    )


def test_a_day_offers_quarter_hour_starts_inside_opening_hours(world):
    starts = [o.start for o in offers(world, world.face)]
    assert starts[0] == at(2027, 1, 11, 9)
    assert starts[-1] == at(2027, 1, 11, 15, 30)  # 90 minutes end at 17:00
    assert all(o.start.minute % 15 == 0 for o in offers(world, world.face))


def test_booking_holds_practitioner_room_and_pen(world, patient):
    appointment = book(world, world.face, at(2027, 1, 11, 10), patient)
    holds = {h.resource_key: (h.starts_at, h.ends_at) for h in appointment.holds.all()}
    assert holds[f"room:{appointment.room_id}"] == (at(2027, 1, 11, 10), at(2027, 1, 11, 11, 30))
    assert holds[f"staff:{appointment.practitioner_id}"] == (
        at(2027, 1, 11, 10, 30),
        at(2027, 1, 11, 11, 15),
    )
    assert holds[f"device:{world.pen.pk}"] == (at(2027, 1, 11, 10, 30), at(2027, 1, 11, 11, 15))
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(appointment.public_id)
    )


def test_the_only_pen_limits_parallel_treatments(world):
    first = book(
        world, world.face, at(2027, 1, 11, 10), factories.PatientFactory(organization=world.clinic)
    )
    # Second room and second practitioner are free, but the pen is in use 10:30–11:15.
    starts = [o.start for o in offers(world, world.face)]
    assert at(2027, 1, 11, 9, 30) not in starts  # its treatment 10:00–10:45 needs the pen
    assert at(2027, 1, 11, 9, 15) in starts  # treatment 09:45–10:30 just fits
    assert first.room is not None


def test_a_taken_slot_is_a_slot_unavailable_with_alternatives(world):
    start = at(2027, 1, 11, 10)
    book(world, world.face, start, factories.PatientFactory(organization=world.clinic))
    with pytest.raises(SlotUnavailable) as refused:
        book(world, world.face, start, factories.PatientFactory(organization=world.clinic))
    assert refused.value.alternatives
    assert all(o.start > start for o in refused.value.alternatives)
    assert Appointment.objects.count() == 1


def test_a_time_that_never_existed_is_unavailable(world, patient):
    with pytest.raises(SlotUnavailable):
        book(world, world.face, at(2027, 1, 10, 10), patient)  # a Sunday: closed
    with pytest.raises(SlotUnavailable):
        book(world, world.face, at(2027, 1, 11, 10, 7), patient)  # off the grid


def test_cancelling_frees_every_resource(world, patient):
    start = at(2027, 1, 11, 10)
    appointment = book(world, world.face, start, patient)
    appointment_cancel(appointment=appointment, reason="Patient is unwell", now=NOW)
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert not Hold.objects.filter(is_active=True).exists()
    other = factories.PatientFactory(organization=world.clinic)
    assert book(world, world.face, start, other).starts_at == start


def test_a_patient_cancelling_inside_the_window_is_a_late_cancel(world, patient):
    appointment = book(world, world.face, at(2027, 1, 11, 10), patient)
    appointment_cancel(appointment=appointment, reason="", by_patient=True, now=at(2027, 1, 10, 12))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.LATE_CANCELLED


def test_sessions_on_the_same_skin_keep_their_interval(world, patient):
    book(world, world.face, at(2027, 1, 11, 10), patient)
    with pytest.raises(BookingRuleError) as refused:
        book(world, world.face, at(2027, 1, 25, 10), patient)
    assert refused.value.code == "series_interval"
    assert "February 8, 2027" in refused.value.message
    assert book(world, world.face, at(2027, 2, 8, 10), patient)


def test_prp_needs_a_consultation_first(world, patient):
    with pytest.raises(BookingRuleError) as refused:
        book(world, world.prp, at(2027, 1, 12, 11), patient)
    assert refused.value.code == "consultation_required"
    book(world, world.consultation, at(2027, 1, 12, 9), patient)
    appointment = book(world, world.prp, at(2027, 1, 12, 11), patient)
    assert appointment.practitioner == world.ana  # only Ana draws blood
    keys = {h.resource_key for h in appointment.holds.all()}
    assert f"device:{world.centrifuge.pk}" in keys and f"device:{world.pen.pk}" in keys


def test_the_same_idempotency_key_returns_the_first_booking(world, patient):
    first = book(
        world, world.face, at(2027, 1, 11, 10), patient, idempotency_key="k1", fingerprint="a"
    )
    again = book(
        world, world.face, at(2027, 1, 11, 10), patient, idempotency_key="k1", fingerprint="a"
    )
    assert again.pk == first.pk
    assert Appointment.objects.count() == 1
    with pytest.raises(IdempotencyConflict):
        book(world, world.face, at(2027, 1, 11, 13), patient, idempotency_key="k1", fingerprint="b")


def test_reschedule_moves_the_holds(world, patient):
    appointment = book(world, world.face, at(2027, 1, 11, 10), patient)
    moved = appointment_reschedule(appointment=appointment, start=at(2027, 1, 11, 10, 15), now=NOW)
    assert moved.starts_at == at(2027, 1, 11, 10, 15)
    active = Hold.objects.filter(appointment=appointment, is_active=True)
    assert min(h.starts_at for h in active) == at(2027, 1, 11, 10, 15)
    assert Hold.objects.filter(appointment=appointment, is_active=False).count() == 3


def test_a_failed_reschedule_keeps_the_original_booking(world, patient):
    appointment = book(world, world.face, at(2027, 1, 11, 10), patient)
    book(
        world, world.face, at(2027, 1, 11, 13), factories.PatientFactory(organization=world.clinic)
    )
    # The pen is in use at 13:30, so 13:00 for a second treatment cannot be held.
    with pytest.raises(SlotUnavailable):
        appointment_reschedule(appointment=appointment, start=at(2027, 1, 11, 13), now=NOW)
    appointment.refresh_from_db()
    assert appointment.starts_at == at(2027, 1, 11, 10)
    assert Hold.objects.filter(appointment=appointment, is_active=True).count() == 3


def test_check_in_and_no_show(world, patient):
    # A consultation: treatments also need screening and consent
    # (tests/intake/test_questionnaire.py).
    appointment = book(world, world.consultation, at(2027, 1, 11, 10), patient)
    with pytest.raises(BookingRuleError):
        appointment_mark_no_show(appointment=appointment, now=at(2027, 1, 11, 9))
    appointment_check_in(appointment=appointment, now=at(2027, 1, 11, 9, 55))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CHECKED_IN
    with pytest.raises(Refusal) as refused:
        appointment_check_in(appointment=appointment, now=at(2027, 1, 11, 9, 56))
    assert refused.value.code == "not_booked"

    other = book(
        world, world.face, at(2027, 1, 12, 10), factories.PatientFactory(organization=world.clinic)
    )
    appointment_mark_no_show(appointment=other, now=at(2027, 1, 12, 10, 20))
    other.refresh_from_db()
    assert other.status == AppointmentStatus.NO_SHOW
    assert not other.holds.filter(is_active=True).exists()


def test_time_off_and_lead_time_remove_slots(world):
    from needlepoint.scheduling.models import TimeOff

    for staff in (world.ana, world.ben):
        TimeOff.objects.create(
            staff=staff, starts_at=at(2027, 1, 11, 9), ends_at=at(2027, 1, 11, 12)
        )
    starts = [o.start for o in offers(world, world.face)]
    assert starts[0] == at(2027, 1, 11, 11, 30)  # treatment from 12:00
    world.location.booking_lead_minutes = 24 * 60
    later = availability_get(
        location=world.location,
        service=world.face,
        first_day=MONDAY,
        last_day=MONDAY,
        now=at(2027, 1, 10, 14),
    )
    assert later[0].start == at(2027, 1, 11, 14)


def test_a_chosen_practitioner_gets_only_their_slots(world, patient):
    book(world, world.consultation, at(2027, 1, 11, 9), patient, practitioner=world.ben)
    for_ben = [o.start for o in offers(world, world.consultation, practitioner=world.ben)]
    for_anyone = [o.start for o in offers(world, world.consultation)]
    assert at(2027, 1, 11, 9) not in for_ben
    assert at(2027, 1, 11, 9) in for_anyone


@pytest.mark.parametrize(
    ("day", "first", "last"),
    [(date(2027, 3, 15), (9, 0), (15, 30)), (date(2027, 11, 8), (9, 0), (15, 30))],
)
def test_slots_after_both_daylight_saving_switches_follow_the_wall_clock(world, day, first, last):
    found = availability_get(
        location=world.location,
        service=world.face,
        first_day=day,
        last_day=day,
        now=at(day.year, day.month, day.day - 7, 12),
    )
    starts = [o.start for o in found]
    assert (starts[0].hour, starts[0].minute) == first
    assert (starts[-1].hour, starts[-1].minute) == last
    assert len(starts) == 27
    # 09:00 is 15:00 UTC in March (MDT) and 16:00 UTC in November (MST).
    assert starts[0].utcoffset() == timedelta(hours=-6 if day.month == 3 else -7)


def test_moving_a_session_keeps_the_interval_to_the_others(world, patient):
    book(world, world.face, at(2027, 1, 11, 10), patient)
    later = book(world, world.face, at(2027, 2, 15, 10), patient)
    with pytest.raises(BookingRuleError):
        appointment_reschedule(appointment=later, start=at(2027, 1, 25, 10), now=NOW)
    moved = appointment_reschedule(appointment=later, start=at(2027, 2, 15, 11), now=NOW)
    assert moved.starts_at == at(2027, 2, 15, 11)  # a move of its own never clashes


def test_claiming_holds_is_all_or_nothing(world, patient):
    """The safe core of every booking: one taken resource refuses the whole claim."""
    from django.db import transaction

    from needlepoint.scheduling.availability import Hold as Planned
    from needlepoint.scheduling.availability import to_minute
    from needlepoint.scheduling.services import LostRace, holds_claim

    book(world, world.face, at(2027, 1, 11, 10), patient)
    other = factories.PatientFactory(organization=world.clinic)
    second = Appointment.objects.create(
        organization=world.clinic,
        location=world.location,
        service=world.face,
        patient=other,
        starts_at=at(2027, 1, 11, 11),
        ends_at=at(2027, 1, 11, 12),
        source="phone",
    )
    minute = to_minute(at(2027, 1, 11, 11))
    free = Planned(f"room:{world.rooms[1].pk}", minute, minute + 60)
    taken = Planned(f"device:{world.pen.pk}", minute, minute + 15)  # the pen is busy to 11:15
    with pytest.raises(LostRace), transaction.atomic():
        holds_claim(appointment=second, holds=[free, taken])
    assert not second.holds.exists()
    with transaction.atomic():
        holds_claim(appointment=second, holds=[free])
    assert second.holds.count() == 1
