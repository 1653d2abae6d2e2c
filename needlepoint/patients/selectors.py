"""Reads of the patient record, always within one organization."""

from __future__ import annotations

import contextlib
from datetime import date

from django.db.models import Q, QuerySet

from needlepoint.core.models import Organization
from needlepoint.core.tenancy import get_scoped_or_404
from needlepoint.patients.models import Patient


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
