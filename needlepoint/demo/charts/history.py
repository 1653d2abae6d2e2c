"""Months of signed sessions: a few patients' series, with their incidents, adverse
events, co-signatures and follow-ups."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Service
from needlepoint.clinical.models import PrpSample, TreatmentRecord
from needlepoint.clinical.services import outcome_record, record_cosign
from needlepoint.core.dates import local_day
from needlepoint.core.models import Organization
from needlepoint.demo.charts.booking import book, night_before, offers_on, open_on
from needlepoint.demo.charts.common import CHARTS_RANDOM_SEED, cast_of, local_start
from needlepoint.demo.charts.readiness import check_in, screening_ready
from needlepoint.demo.charts.records import Adverse, Session, chart_session
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Location
from needlepoint.scheduling.models import Appointment


@dataclass(frozen=True)
class SeriesSpec:
    """One patient's series: where, what, by whom, and what happened at which session."""

    location: str
    service: str
    performer: str
    indication: str
    scale: str  # the outcome scale the series follows besides GAIS and satisfaction
    sessions: int = 3
    ends_days_ago: int = 6  # the latest session, days before today
    anaesthetic: str = "BLT numbing cream (benzocaine 20%, lidocaine 6%, tetracaine 4%)"
    isotretinoin_stopped_days_before: int | None = None
    mismatch_at_chair: tuple[int, ...] = ()
    mismatch_at_draw: tuple[int, ...] = ()
    wrong_tube: tuple[int, ...] = ()  # sessions at which the previous visit's tube is scanned
    adverse: dict[int, Adverse] = field(default_factory=dict)


SERIES: tuple[SeriesSpec, ...] = (
    SeriesSpec(
        "northeast-heights",
        "micro-needling-prp-face",
        "practitioner",
        "acne_scars",
        "goodman_baron",
        mismatch_at_draw=(2,),
        wrong_tube=(1,),
        adverse={
            1: Adverse(
                "Vasovagal episode after the blood draw (pale, light-headed, no loss of "
                "consciousness)",
                "moderate",
                "Reclined with legs raised, water given; recovered in 5 minutes and the "
                "session went ahead.",
            )
        },
    ),
    SeriesSpec(
        "nob-hill",
        "micro-needling-face-neck",
        "sam",
        "fine_lines",
        "",
        ends_days_ago=13,
        mismatch_at_chair=(1,),
        adverse={
            2: Adverse(
                "Pinpoint bleeding on the neck beyond the expected endpoint",
                "mild",
                "Pressure with sterile gauze; settled within 10 minutes. Neck depth kept at "
                "the lower setting next time.",
            )
        },
    ),
    SeriesSpec(
        "northeast-heights",
        "micro-needling-acne-scars",
        "priya",
        "acne_scars",
        "goodman_baron",
        ends_days_ago=47,
        anaesthetic="Lidocaine 4% cream",
    ),
    SeriesSpec(
        "nob-hill",
        "micro-needling-face",
        "director",
        "fine_lines",
        "",
        ends_days_ago=20,
        isotretinoin_stopped_days_before=130,
    ),
)
SERIES_GAP_DAYS = 29
"""Sessions about four weeks apart: just over the services' 28-day minimum interval."""


def _scores(spec: SeriesSpec, index: int) -> dict[str, int]:
    """Outcomes that improve over the series; the first session is the baseline."""
    scores: dict[str, int] = {}
    if spec.scale == "goodman_baron":
        scores["goodman_baron"] = max(2, 3 - index // 2)
    if index > 0:
        scores["gais_clinician"] = max(1, 4 - index)
        scores["gais_subject"] = max(1, 4 - index + (index == 1))
        scores["satisfaction"] = min(10, 5 + 2 * index)
    return scores


def _history_patients(organization: Organization, today: date, count: int) -> list[Patient]:
    """Patients with no visit of any kind yet, registered long enough ago for a series."""
    return list(
        Patient.objects.filter(
            organization=organization,
            is_archived=False,
            merged_into__isnull=True,
            created_at__date__lte=today - timedelta(days=100),
        )
        .exclude(pk__in=Appointment.objects.values("patient_id"))
        .order_by("created_at", "pk")[:count]
    )


def load_history(organization: Organization, today: date, *, now: datetime) -> None:
    """Months of signed sessions for a few patients (once per database)."""
    if TreatmentRecord.objects.filter(
        organization=organization, appointment__starts_at__date__lt=today
    ).exists():
        return
    rng = random.Random(CHARTS_RANDOM_SEED)  # noqa: S311 - demo data, not security
    cast = cast_of(organization)
    locations = {loc.slug: loc for loc in Location.objects.filter(organization=organization)}
    services = {s.slug: s for s in Service.objects.filter(organization=organization)}
    patients = _history_patients(organization, today, len(SERIES))
    for spec, patient in zip(SERIES, patients, strict=False):
        location, service = locations[spec.location], services[spec.service]
        performer = cast[spec.performer]
        first = max(
            local_day(patient.created_at, location.zone) + timedelta(days=7),
            today - timedelta(days=spec.ends_days_ago + SERIES_GAP_DAYS * (spec.sessions - 1)),
        )
        extra: dict[str, object] = {}
        if spec.isotretinoin_stopped_days_before is not None:
            stopped = first - timedelta(days=spec.isotretinoin_stopped_days_before)
            extra["isotretinoin_last_dose"] = stopped.isoformat()
        records: list[TreatmentRecord] = []
        day, previous_tube = first, ""
        for index in range(spec.sessions):
            appointment = _book_first_open(location, service, patient, performer, day, today)
            if appointment is None:
                break
            t0 = local_start(appointment)
            screening_ready(
                appointment,
                rng=rng,
                answered_at=night_before(t0.date(), location) + timedelta(hours=1),
                director=cast["director"],
                extra=extra if index == 0 else None,
            )
            appointment = check_in(
                appointment,
                desk=cast.desk_at(location, performer),
                at=t0 - timedelta(minutes=10),
            )
            session = Session(
                index=index,
                mismatch_at_chair=index in spec.mismatch_at_chair,
                mismatch_at_draw=index in spec.mismatch_at_draw,
                wrong_tube=previous_tube if index in spec.wrong_tube else "",
                adverse=spec.adverse.get(index),
                anaesthetic=spec.anaesthetic,
                outcomes=_scores(spec, index),
                indication=spec.indication,
            )
            records.append(
                chart_session(appointment, performer=performer, session=session, today=today)
            )
            tube = PrpSample.objects.filter(appointment=appointment).first()
            previous_tube = tube.code if tube else ""
            day = t0.date() + timedelta(days=SERIES_GAP_DAYS)
        # The director co-signs all but the latest of a nurse's sessions.
        for record in records[:-1]:
            record.refresh_from_db()
            cosign_at = record.signed_at + timedelta(days=2)
            if record.cosign_required and cosign_at < now:
                record_cosign(record=record, staff=cast["director"], now=cosign_at)
        if records and records[-1].signed_at:
            follow_up = local_day(records[-1].signed_at, location.zone) + timedelta(days=30)
            if follow_up < today:
                outcome_record(
                    patient=patient,
                    staff=performer,
                    assessed_on=follow_up,
                    gais_subject=1,
                    satisfaction=9,
                    note="One-month follow-up by phone and portal photos.",
                    now=datetime.combine(follow_up, clock(11), tzinfo=location.zone),
                )


def _book_first_open(
    location: Location,
    service: Service,
    patient: Patient,
    performer: StaffProfile,
    day: date,
    today: date,
) -> Appointment | None:
    """The first morning slot with the performer on or after `day` (before today)."""
    while day < today:
        if open_on(location, day):
            for offer in offers_on(location, service, day, performer)[:6]:
                appointment = book(location=location, service=service, patient=patient, offer=offer)
                if appointment is not None:
                    return appointment
        day += timedelta(days=1)
    return None
