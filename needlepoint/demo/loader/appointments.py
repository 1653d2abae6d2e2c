"""Months of booked visits behind today and a fortnight ahead, through the real
booking service."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from needlepoint.catalog.models import Service
from needlepoint.core.models import Organization
from needlepoint.demo.loader.clinic import DEMO_RANDOM_SEED, DENVER
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Location
from needlepoint.scheduling.models import Appointment, AppointmentStatus
from needlepoint.scheduling.selectors import availability_get
from needlepoint.scheduling.services import BookingRuleError, SlotUnavailable, appointment_book


def load_appointments(organization: Organization, today: date, new: Counter[str]) -> None:
    """A realistic history: series of sessions about five weeks apart over the last eight
    months (mostly completed, a few no-shows and cancellations), and a fortnight ahead
    partly booked. Booked through the real booking service, so holds are real."""
    if Appointment.objects.filter(organization=organization).exists():
        return
    rng = random.Random(DEMO_RANDOM_SEED)  # noqa: S311 - demo data, not security
    services = {s.slug: s for s in Service.objects.filter(organization=organization)}
    treatments = [s for s in services.values() if s.kind == "treatment" and not s.uses_prp]
    consultation = next(s for s in services.values() if s.kind == "consultation")
    locations = list(Location.objects.filter(organization=organization).order_by("slug"))
    patients = list(
        Patient.objects.filter(organization=organization, is_archived=False).order_by("pk")
    )

    def book_on(patient: Patient, service: Service, day: date, location: Location) -> Any:
        night_before = datetime.combine(day - timedelta(days=1), clock(18), tzinfo=DENVER)
        offers = availability_get(
            location=location, service=service, first_day=day, last_day=day, now=night_before
        )
        if not offers:
            return None
        offer = offers[rng.randrange(len(offers))]
        try:
            return appointment_book(
                location=location,
                service=service,
                start=offer.start,
                patient=patient,
                source=rng.choice(["online", "online", "phone", "walk_in"]),
                now=night_before,
                notify=False,
            )
        except (SlotUnavailable, BookingRuleError):
            return None

    for patient in patients[:36]:
        location = patient.preferred_location or locations[0]
        service = rng.choice(treatments)
        day = today - timedelta(days=rng.randint(150, 240))
        first = book_on(patient, consultation, day, location)
        if first is not None:
            Appointment.objects.filter(pk=first.pk).update(status=AppointmentStatus.COMPLETED)
        for _session in range(rng.randint(1, 4)):
            day += timedelta(days=rng.randint(30, 42))
            if day >= today:
                break
            appointment = book_on(patient, service, day, location)
            if appointment is None:
                continue
            outcome = rng.choices(
                [
                    AppointmentStatus.COMPLETED,
                    AppointmentStatus.NO_SHOW,
                    AppointmentStatus.CANCELLED,
                ],
                weights=[90, 5, 5],
            )[0]
            Appointment.objects.filter(pk=appointment.pk).update(status=outcome)
            if outcome != AppointmentStatus.COMPLETED:
                appointment.holds.update(is_active=False)
    for patient in patients[10:34]:
        location = patient.preferred_location or locations[0]
        day = today + timedelta(days=rng.randint(1, 14))
        book_on(patient, rng.choice(treatments), day, location)
    new["appointments"] = Appointment.objects.filter(organization=organization).count()
