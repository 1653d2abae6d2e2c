"""The seams through which the apps above scheduling take part in its writes.

Scheduling sits below intake and messaging, so it may not import them; yet a booking must
pass the health screening, a new or moved visit needs its screening on file, and patients
hear about their visits. Those apps register here, in their `AppConfig.ready()`:

- **Booking checks** run inside `booking_rules_check`, before anything is written; the first
  refusal stops the booking. Intake registers `"screening"` (the contraindication gate).
- **Write steps** run inside the booking's or move's transaction, after the appointment is
  saved, so they commit or roll back with it. Intake registers its screening on file.
- **Notifications** run after the transaction commits (`transaction.on_commit`, robust:
  a failing message never undoes a booking). Messaging registers the confirmation,
  rescheduled and cancelled messages and the "Was this you?" link.

A required check that nobody registered is a start-up error (`checks.py`), so a missing app
can never let a booking through unscreened. See docs/architecture.md.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from django.db import transaction

if TYPE_CHECKING:
    from needlepoint.catalog.models import Service
    from needlepoint.patients.models import Patient
    from needlepoint.scheduling.models import Appointment


class AppointmentEvent(StrEnum):
    BOOKED = "booked"
    MOVED = "moved"
    CANCELLED = "cancelled"
    # A booking looked like an existing patient's (same email and birth date): the record on
    # file is asked "Was this you?". The payload is the `patients.DuplicateCandidate`.
    LOOK_ALIKE_FLAGGED = "look_alike_flagged"


class BookingCheck(Protocol):
    def __call__(
        self, *, patient: Patient, service: Service, on: date, now: datetime, group: set[int]
    ) -> str:
        """The refusal in words, or "" when the booking may go ahead."""


REQUIRED_BOOKING_CHECKS = ("screening",)

_booking_checks: dict[str, tuple[str, BookingCheck]] = {}
_write_steps: dict[AppointmentEvent, list[Callable[..., None]]] = defaultdict(list)
_notifications: dict[AppointmentEvent, list[Callable[..., None]]] = defaultdict(list)


def booking_check_register(name: str, *, code: str, check: BookingCheck) -> None:
    """Run `check` on every booking; a refusal carries `code` (an error code of
    docs/api-contract.md)."""
    _booking_checks[name] = (code, check)


def write_step_register(event: AppointmentEvent, step: Callable[..., None]) -> None:
    if step not in _write_steps[event]:
        _write_steps[event].append(step)


def notification_register(event: AppointmentEvent, send: Callable[..., None]) -> None:
    if send not in _notifications[event]:
        _notifications[event].append(send)


def booking_checks_missing() -> list[str]:
    return [name for name in REQUIRED_BOOKING_CHECKS if name not in _booking_checks]


def booking_refusal(
    *, patient: Patient, service: Service, on: date, now: datetime, group: set[int]
) -> tuple[str, str]:
    """The first registered check that refuses, as (code, message); ("", "") if none."""
    for code, check in _booking_checks.values():
        message = check(patient=patient, service=service, on=on, now=now, group=group)
        if message:
            return code, message
    return "", ""


def write_steps_run(event: AppointmentEvent, *, appointment: Appointment, now: datetime) -> None:
    for step in _write_steps[event]:
        step(appointment=appointment, now=now)


def notifications_send(event: AppointmentEvent, **payload: Any) -> None:
    """Queue every notification of `event` to run once the current transaction commits."""
    for send in _notifications[event]:
        transaction.on_commit(partial(send, **payload), robust=True)
