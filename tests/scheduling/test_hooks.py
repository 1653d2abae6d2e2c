"""Scheduling's seams (scheduling/hooks.py): the apps above it register, and a missing
required check stops start-up rather than letting bookings skip it."""

from __future__ import annotations

from needlepoint.intake.services import appointment_screen_on_file, screening_refusal
from needlepoint.messaging.services import appointment_messages_schedule
from needlepoint.scheduling import hooks
from needlepoint.scheduling.checks import booking_checks_registered


def test_intake_and_messaging_register_at_start_up():
    assert hooks._booking_checks["screening"] == ("screening_blocked", screening_refusal)
    assert appointment_screen_on_file in hooks._write_steps[hooks.AppointmentEvent.BOOKED]
    assert appointment_messages_schedule in hooks._notifications[hooks.AppointmentEvent.BOOKED]
    assert booking_checks_registered() == []


def test_a_missing_screening_check_is_a_start_up_error(monkeypatch):
    monkeypatch.setattr(hooks, "_booking_checks", {})
    (error,) = booking_checks_registered()
    assert error.id == "scheduling.E001"
    assert "screening" in error.msg
