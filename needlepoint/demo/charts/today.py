"""Today's three visits at each open location: one signed, one ready to chart, one
waiting for the medical director's review."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from django.db.models import Q
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Service
from needlepoint.core.dates import local_day
from needlepoint.core.models import Organization
from needlepoint.demo.charts.booking import book, night_before, offers_on, open_on
from needlepoint.demo.charts.common import CHARTS_RANDOM_SEED, cast_of, local_start
from needlepoint.demo.charts.readiness import check_in, screening_ready
from needlepoint.demo.charts.records import Session, chart_session
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Location
from needlepoint.scheduling.models import HOLDING_STATUSES, Appointment
from needlepoint.scheduling.selectors import SlotOffer

ISOTRETINOIN_STOPPED_DAYS_AGO = 90
"""Today's visit that waits for review: isotretinoin stopped three months ago (MN10)."""


def _busy_patient_ids(organization: Organization, today: date) -> set[int]:
    """Patients with a treatment within the series interval of today, or any visit ahead:
    booking today would clash, or their answers would screen other visits."""
    window = Q(
        starts_at__date__gt=today - timedelta(days=35),
        starts_at__date__lt=today + timedelta(days=35),
        service__kind="treatment",
    )
    return set(
        Appointment.objects.filter(organization=organization, status__in=HOLDING_STATUSES)
        .filter(window | Q(starts_at__date__gte=today))
        .values_list("patient_id", flat=True)
    )


def _today_patients(organization: Organization, today: date) -> list[Patient]:
    """Patients free today: newest first (new patients come for a first treatment)."""
    busy = _busy_patient_ids(organization, today)
    return list(
        Patient.objects.filter(
            organization=organization,
            is_archived=False,
            merged_into__isnull=True,
            created_at__date__lt=today,
        )
        .exclude(pk__in=busy)
        .order_by("-created_at", "-pk")
    )


def _prefer(offers: Iterable[SlotOffer], staff: StaffProfile | None) -> list[SlotOffer]:
    offers = list(offers)
    return [o for o in offers if staff and o.practitioner == staff] or offers


def load_today(organization: Organization, today: date, *, now: datetime) -> None:
    """Three visits at each location open today (once a day: their idempotency keys name
    the day and the location): one signed earlier, one checked in and ready to chart, one
    whose screening waits for the medical director's review."""
    rng = random.Random(CHARTS_RANDOM_SEED + today.toordinal())  # noqa: S311 - demo data
    cast = cast_of(organization)
    services = {s.slug: s for s in Service.objects.filter(organization=organization)}
    face, prp = services["micro-needling-face"], services["micro-needling-prp-face"]
    patients = _today_patients(organization, today)
    for location in Location.objects.filter(organization=organization).order_by("slug"):
        if not open_on(location, today):
            continue
        key = f"demo-day:{today.isoformat()}:{location.slug}:"
        if Appointment.objects.filter(
            organization=organization, idempotency_key__startswith=key
        ).exists():
            continue
        # Signed earlier today: the day's first slot.
        offers = _prefer(offers_on(location, face, today, None), cast.staff.get("practitioner"))
        done = _book_from(offers[:1], location, face, patients, key=f"{key}signed")
        if done is not None:
            performer = done.practitioner
            screening_ready(
                done,
                rng=rng,
                answered_at=night_before(today, location) + timedelta(hours=2),
                director=cast["director"],
            )
            done = check_in(
                done,
                desk=cast.desk_at(location, performer),
                at=local_start(done) - timedelta(minutes=10),
            )
            chart_session(
                done,
                performer=performer,
                session=Session(outcomes={"satisfaction": 8}, indication="fine_lines"),
                today=today,
            )
        # Ready to chart: PRP when someone who may draw blood works here today, at the
        # first slot from now on (any slot today once the day is over).
        service = prp if offers_on(location, prp, today, None) else face
        offers = _prefer(offers_on(location, service, today, None), cast.staff.get("practitioner"))
        upcoming = [o for o in offers if o.start >= now] or offers[::-1]
        ready = _book_from(upcoming[:4], location, service, patients, key=f"{key}ready")
        if ready is not None:
            screening_ready(
                ready,
                rng=rng,
                answered_at=night_before(today, location) + timedelta(hours=2),
                director=cast["director"],
            )
            arrived = min(local_start(ready) - timedelta(minutes=10), now)  # never ahead of now
            check_in(ready, desk=cast.desk_at(location, ready.practitioner), at=arrived)
        # Waiting for the medical director's review: not checked in.
        offers = offers_on(location, face, today, None)
        waiting = _book_from(offers[::-1][:4], location, face, patients, key=f"{key}review")
        if waiting is not None:
            stopped = today - timedelta(days=ISOTRETINOIN_STOPPED_DAYS_AGO)
            screening_ready(
                waiting,
                rng=rng,
                answered_at=night_before(today, location) + timedelta(hours=2),
                director=cast["director"],
                extra={"isotretinoin_last_dose": stopped.isoformat()},
                approve=False,
            )


def _book_from(
    offers: list[SlotOffer],
    location: Location,
    service: Service,
    patients: list[Patient],
    *,
    key: str,
) -> Appointment | None:
    """Book the first offer that takes the next free patient; the patient is used up."""
    for offer in offers:
        if not patients:
            return None
        appointment = book(
            location=location,
            service=service,
            patient=patients[0],
            offer=offer,
            source="online",
            key=key,
        )
        if appointment is not None:
            patients.pop(0)
            return appointment
    return None


def demo_now(today: date, zone: Any) -> datetime:
    """The moment the demo is loaded: now when `today` is today, else noon of `today`."""
    now = timezone.now()
    if local_day(now, zone) == today:
        return now
    return datetime.combine(today, clock(12), tzinfo=zone)
