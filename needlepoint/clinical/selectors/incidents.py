"""Incidents: the clinic's safety events, newest first (identity mismatches, wrong-tube
scans, adverse events and screening overrides).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db import models
from django.db.models import F, Q

from needlepoint.clinical.models import AdverseEvent, Incident, IncidentKind
from needlepoint.core.models import Organization
from needlepoint.intake.models import Screening, ScreeningStatus
from needlepoint.patients.models import Patient


class IncidentListKind(models.TextChoices):
    """What the incidents page lists: the two `Incident` kinds, adverse events charted at
    the session, and the medical director's approvals of screenings that needed review."""

    PATIENT_MISMATCH = IncidentKind.PATIENT_MISMATCH.value, IncidentKind.PATIENT_MISMATCH.label
    WRONG_TUBE = IncidentKind.WRONG_TUBE.value, IncidentKind.WRONG_TUBE.label
    ADVERSE_EVENT = "adverse_event", "Adverse event"
    SCREENING_OVERRIDE = "screening_override", "Screening override"


@dataclass(frozen=True)
class IncidentRow:
    """One safety event as the incidents page lists it; times in the location's zone."""

    at: datetime
    kind: str
    kind_label: str
    patient: Patient
    appointment_public_id: UUID
    record_public_id: UUID | None  # the visit's chart, when there is one
    service_name: str
    visit_at: datetime
    by_name: str
    description: str
    key: str  # "<source>:<public id or pk>": unique, and the tie-break of the order


def incident_rows_merge(*sources: Iterable[IncidentRow]) -> list[IncidentRow]:
    """Rows of every source in one list, newest first (ties by key, so pages are stable)."""
    rows = [row for source in sources for row in source]
    rows.sort(key=lambda row: row.key, reverse=True)
    rows.sort(key=lambda row: row.at, reverse=True)
    return rows


def _between(field: str, since: datetime | None, until: datetime | None) -> Q:
    query = Q()
    if since is not None:
        query &= Q(**{f"{field}__gte": since})
    if until is not None:
        query &= Q(**{f"{field}__lt": until})
    return query


def _review_codes(findings: list[dict[str, object]]) -> list[str]:
    return sorted({str(f.get("rule", "")) for f in findings if f.get("outcome") == "review"})


def _incident_rows(
    *, organization: Organization, kinds: list[str], since: datetime | None, until: datetime | None
) -> list[IncidentRow]:
    incidents = (
        Incident.objects.filter(
            _between("occurred_at", since, until), organization=organization, kind__in=kinds
        )
        .select_related(
            "appointment__patient",
            "appointment__service",
            "appointment__location",
            "reported_by__user",
            "sample",
        )
        .annotate(record_public_id=F("appointment__treatment_record__public_id"))
    )
    rows = []
    for incident in incidents:
        visit = incident.appointment
        zone = visit.location.zone
        detail = incident.detail
        if incident.sample is not None:
            detail = f"{detail} Tube {incident.sample.code}."
        rows.append(
            IncidentRow(
                at=incident.occurred_at.astimezone(zone),
                kind=incident.kind,
                kind_label=incident.get_kind_display(),
                patient=visit.patient,
                appointment_public_id=visit.public_id,
                record_public_id=incident.record_public_id,
                service_name=visit.service.name,
                visit_at=visit.starts_at.astimezone(zone),
                by_name=incident.reported_by.display_name,
                description=detail,
                key=f"incident:{incident.public_id}",
            )
        )
    return rows


def _adverse_event_rows(
    *, organization: Organization, since: datetime | None, until: datetime | None
) -> list[IncidentRow]:
    events = AdverseEvent.objects.filter(
        _between("at", since, until), record__organization=organization
    ).select_related(
        "record__patient",
        "record__appointment__service",
        "record__appointment__location",
        "by__user",
    )
    rows = []
    for event in events:
        visit = event.record.appointment
        zone = visit.location.zone
        rows.append(
            IncidentRow(
                at=event.at.astimezone(zone),
                kind=IncidentListKind.ADVERSE_EVENT,
                kind_label=IncidentListKind.ADVERSE_EVENT.label,
                patient=event.record.patient,
                appointment_public_id=visit.public_id,
                record_public_id=event.record.public_id,
                service_name=visit.service.name,
                visit_at=visit.starts_at.astimezone(zone),
                by_name=event.by.display_name,
                description=f"{event.kind}; {event.get_severity_display().lower()}. "
                f"Action: {event.action}",
                key=f"adverse_event:{event.pk:012d}",
            )
        )
    return rows


def _screening_override_filter(
    organization: Organization, since: datetime | None, until: datetime | None
) -> Q:
    """Approvals the medical director gave herself: carried-over approvals are left out."""
    return _between("decided_at", since, until) & Q(
        organization=organization,
        status=ScreeningStatus.APPROVED,
        decided_by__isnull=False,
        decided_at__isnull=False,
        carried_from__isnull=True,
    )


def _screening_override_rows(
    *, organization: Organization, since: datetime | None, until: datetime | None
) -> list[IncidentRow]:
    screenings = (
        Screening.objects.filter(_screening_override_filter(organization, since, until))
        .select_related(
            "appointment__patient",
            "appointment__service",
            "appointment__location",
            "decided_by__user",
        )
        .annotate(record_public_id=F("appointment__treatment_record__public_id"))
    )
    rows = []
    for screening in screenings:
        visit = screening.appointment
        zone = visit.location.zone
        codes = _review_codes(screening.findings)
        needed = f" Needed review: {', '.join(codes)}." if codes else ""
        scope = screening.get_scope_display()
        rows.append(
            IncidentRow(
                at=screening.decided_at.astimezone(zone),  # type: ignore[union-attr]
                kind=IncidentListKind.SCREENING_OVERRIDE,
                kind_label=IncidentListKind.SCREENING_OVERRIDE.label,
                patient=visit.patient,
                appointment_public_id=visit.public_id,
                record_public_id=screening.record_public_id,
                service_name=visit.service.name,
                visit_at=visit.starts_at.astimezone(zone),
                by_name=screening.decided_by.display_name,  # type: ignore[union-attr]
                description=f"Approved{f' ({scope.lower()})' if scope else ''}: "
                f"{screening.decision_reason}{needed}",
                key=f"screening_override:{screening.public_id}",
            )
        )
    return rows


def incident_list(
    *,
    organization: Organization,
    kind: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[IncidentRow]:
    """The clinic's safety events, newest first: identity mismatches and wrong-tube scans
    (`Incident`), adverse events, and screening overrides. `kind` is an
    `IncidentListKind` value (None: all); `since` and `until` bound the event's time
    (`since` included, `until` not). One query per source listed."""
    sources: list[list[IncidentRow]] = []
    incident_kinds = [k for k in IncidentKind.values if kind in (None, k)]
    if incident_kinds:
        sources.append(
            _incident_rows(
                organization=organization, kinds=incident_kinds, since=since, until=until
            )
        )
    if kind in (None, IncidentListKind.ADVERSE_EVENT):
        sources.append(_adverse_event_rows(organization=organization, since=since, until=until))
    if kind in (None, IncidentListKind.SCREENING_OVERRIDE):
        sources.append(
            _screening_override_rows(organization=organization, since=since, until=until)
        )
    return incident_rows_merge(*sources)


def incident_count(*, organization: Organization, since: datetime) -> int:
    """How many safety events of every kind since a time (the dashboards' figure)."""
    return (
        Incident.objects.filter(organization=organization, occurred_at__gte=since).count()
        + AdverseEvent.objects.filter(record__organization=organization, at__gte=since).count()
        + Screening.objects.filter(_screening_override_filter(organization, since, None)).count()
    )
