"""Reads of the patient record, always within one organization."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Q, QuerySet

from needlepoint.core.models import Organization
from needlepoint.core.tenancy import get_scoped_or_404
from needlepoint.patients.models import DuplicateCandidate, DuplicateStatus, Patient


def patient_list(*, organization: Organization, search: str = "") -> QuerySet[Patient]:
    """Active patients, optionally matching a name, MRN, email, phone or date of birth.

    Every word of the search must match somewhere, so "ana gar" finds Ana Garcia.
    """
    patients = Patient.objects.filter(organization=organization, is_archived=False)
    for word in search.split()[:5]:
        match = (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(record_number__icontains=word)
            | Q(email__icontains=word)
        )
        digits = "".join(ch for ch in word if ch.isdigit())
        if len(digits) >= 4:
            match |= Q(phone__contains=digits[-4:])
        with contextlib.suppress(ValueError):
            match |= Q(date_of_birth=date.fromisoformat(word))
        patients = patients.filter(match)
    return patients.select_related("preferred_location").order_by("last_name", "first_name")


def patient_get(*, organization: Organization, public_id: str) -> Patient:
    return get_scoped_or_404(
        Patient.objects.select_related("preferred_location"),
        organization=organization,
        public_id=public_id,
    )


# --- Possible duplicates (docs/security-targets.md A8) --------------------------------------------

# Open candidates, and merges, join records into one person for the booking rules.
GROUPING = (DuplicateStatus.OPEN, DuplicateStatus.MERGED)
MAX_GROUP = 20


def patient_group_ids(*, patient: Patient) -> set[int]:
    """The records that count as one person for the booking rules: this one, and every
    record linked to it by an open or merged duplicate candidate or by a merge, however
    many links away (up to a sane size)."""
    group = {patient.pk}
    frontier = {patient.pk}
    while frontier and len(group) < MAX_GROUP:
        pairs = list(
            DuplicateCandidate.objects.filter(status__in=GROUPING)
            .filter(Q(patient_id__in=frontier) | Q(other_id__in=frontier))
            .values_list("patient_id", "other_id")
        )
        pairs += Patient.objects.filter(
            Q(merged_into_id__in=frontier) | Q(pk__in=frontier, merged_into__isnull=False)
        ).values_list("pk", "merged_into_id")
        frontier = {pk for pair in pairs for pk in pair} - group
        group |= frontier
    return group


def patients_flagged(*, patient_ids: Iterable[int]) -> set[int]:
    """Which of these records have an open duplicate candidate (calendar flags), one query."""
    wanted = set(patient_ids)
    if not wanted:
        return set()
    pairs = DuplicateCandidate.objects.filter(status=DuplicateStatus.OPEN).filter(
        Q(patient_id__in=wanted) | Q(other_id__in=wanted)
    )
    return {pk for pair in pairs.values_list("patient_id", "other_id") for pk in pair} & wanted


def duplicate_list(*, organization: Organization) -> QuerySet[DuplicateCandidate]:
    """Open candidates for the desk, oldest first, with both records and their visit counts."""
    return (
        DuplicateCandidate.objects.filter(organization=organization, status=DuplicateStatus.OPEN)
        .select_related("patient", "other")
        .annotate(
            patient_visits=Count("patient__appointments", distinct=True),
            other_visits=Count("other__appointments", distinct=True),
        )
        .order_by("created_at", "pk")
    )


def duplicate_open_count(*, organization: Organization) -> int:
    return DuplicateCandidate.objects.filter(
        organization=organization, status=DuplicateStatus.OPEN
    ).count()


def duplicate_get(*, organization: Organization, public_id: str) -> DuplicateCandidate:
    return get_scoped_or_404(
        DuplicateCandidate.objects.select_related("patient", "other"),
        organization=organization,
        public_id=public_id,
    )


def patient_merges(*, patient: Patient) -> list[Patient]:
    """The records merged into this one (for the line on the patient page)."""
    return list(Patient.objects.filter(merged_into=patient).order_by("pk"))


def patient_counts(*, organization: Organization, today: date) -> tuple[int, int]:
    """Active patients, and how many of them joined in the 30 days before `today`."""
    patients = Patient.objects.filter(organization=organization, is_archived=False)
    since = datetime.combine(
        today - timedelta(days=30), time.min, tzinfo=ZoneInfo(organization.default_timezone)
    )
    return patients.count(), patients.filter(created_at__gte=since).count()
