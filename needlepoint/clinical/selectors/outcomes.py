"""Reads for outcome scores and the progress page (docs/clinical-rules.md §7)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.db.models import QuerySet

from needlepoint.catalog.models import Indication
from needlepoint.clinical.models import Outcome, TreatmentRecord
from needlepoint.clinical.progress import SCALES, score_cells
from needlepoint.patients.models import Patient


def patient_zone(patient: Patient) -> ZoneInfo:
    """Where "today" is for a patient outside any visit: their preferred location's zone,
    else the clinic's default."""
    if patient.preferred_location is not None:
        return patient.preferred_location.zone
    return ZoneInfo(patient.organization.default_timezone)


def outcome_list(*, patient: Patient, indication: Indication | None = None) -> QuerySet[Outcome]:
    """A patient's outcome scores, oldest assessment first, optionally for one indication."""
    outcomes = Outcome.objects.filter(organization_id=patient.organization_id, patient=patient)
    if indication is not None:
        outcomes = outcomes.filter(indication=indication)
    return outcomes.select_related(
        "indication", "record__appointment__location", "recorded_by__user"
    ).order_by("assessed_on", "recorded_at", "pk")


def outcome_rows(outcomes: list[Outcome]) -> list[tuple[Outcome, list[str]]]:
    """Each outcome with its scores as words, one cell per scale in `progress.SCALES`."""
    return [
        (outcome, score_cells({s.code: getattr(outcome, s.code) for s in SCALES}))
        for outcome in outcomes
    ]


def outcome_indications(*, patient: Patient) -> QuerySet[Indication]:
    """The indications a patient's outcomes were scored for (the progress page's filter)."""
    scored = Outcome.objects.filter(patient=patient, indication__isnull=False)
    return Indication.objects.filter(
        organization_id=patient.organization_id, pk__in=scored.values("indication_id")
    )


def patient_session_dates(*, patient: Patient, indication: Indication | None = None) -> list[date]:
    """The local dates of a patient's charted sessions, oldest first; with an indication,
    only sessions that treated it (a line for it that was not struck through)."""
    records = TreatmentRecord.objects.filter(
        organization_id=patient.organization_id, patient=patient
    )
    if indication is not None:
        records = records.filter(lines__indication=indication, lines__voided_at=None)
    starts = records.values_list("appointment__starts_at", "appointment__location__timezone")
    return sorted({start.astimezone(ZoneInfo(name)).date() for start, name in starts})
