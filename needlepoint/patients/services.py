"""Writes to the patient record. Every write is atomic and audited."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction, Organization
from needlepoint.patients.models import (
    DuplicateCandidate,
    DuplicateReason,
    DuplicateStatus,
    Patient,
)

MRN_PREFIX = "NP-"

UNPROVEN_REFUSAL = (
    "We could not book this online. Please call the clinic and we will help you find a time."
)
"""What a booker hears when a booking rule refuses because of another record's visits or health
answers: nothing about them, not even a date (docs/security-targets.md A8)."""


def _next_record_number(organization: Organization) -> str:
    # Serialize MRN assignment per organization: PostgreSQL locks the organization row;
    # SQLite's IMMEDIATE transaction already holds the database write lock.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    last = (
        Patient.objects.filter(organization=organization, record_number__startswith=MRN_PREFIX)
        .order_by("-record_number")
        .values_list("record_number", flat=True)
        .first()
    )
    highest = int(last.removeprefix(MRN_PREFIX)) if last else 0
    return f"{MRN_PREFIX}{highest + 1:06d}"


@transaction.atomic
def patient_register(
    *,
    organization: Organization,
    first_name: str,
    last_name: str,
    date_of_birth: date,
    by: Actor | None = None,
    **fields: Any,
) -> Patient:
    """A new record with the next MRN. Records that look like the same person are flagged
    for the desk (`duplicates_flag`), never joined: typed details prove nothing."""
    patient = Patient(
        organization=organization,
        record_number=_next_record_number(organization),
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        date_of_birth=date_of_birth,
        **fields,
    )
    patient.full_clean()
    patient.save()
    audit_record(
        action=AuditAction.CREATE,
        by=by,
        organization=organization,
        obj=patient,
        patient=patient,
    )
    duplicates_flag(patient=patient, by=by)
    return patient


# --- Possible duplicates (docs/security-targets.md A8) --------------------------------------------


def name_key(first_name: str, last_name: str) -> str:
    """A name as compared for duplicates: case, accents, punctuation and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", f"{first_name} {last_name}")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


def phone_key(phone: str) -> str:
    """The last ten digits of a phone number ("" when too short to compare)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return digits[-10:] if len(digits) >= 7 else ""


def _resemblance(patient: Patient, other: Patient) -> DuplicateReason | None:
    """Why two records may be one person, strongest reason first, or None."""
    same_birth = patient.date_of_birth == other.date_of_birth
    if same_birth and patient.email and patient.email.lower() == other.email.lower():
        return DuplicateReason.EMAIL_DOB
    same_name = name_key(patient.first_name, patient.last_name) == name_key(
        other.first_name, other.last_name
    )
    if same_birth and same_name:
        return DuplicateReason.NAME_DOB
    if phone_key(patient.phone) and phone_key(patient.phone) == phone_key(other.phone):
        return DuplicateReason.PHONE
    return None


def _lookalikes(patient: Patient) -> QuerySet[Patient]:
    """Records of the organization that might resemble `patient` (narrowed in Python)."""
    near = Q(date_of_birth=patient.date_of_birth)
    if phone_key(patient.phone):
        near |= Q(phone__contains=phone_key(patient.phone)[-4:])
    return (
        Patient.objects.filter(near, organization_id=patient.organization_id, is_archived=False)
        .exclude(pk=patient.pk)
        .order_by("pk")
    )


@transaction.atomic
def duplicates_flag(*, patient: Patient, by: Actor | None = None) -> list[DuplicateCandidate]:
    """Flag every existing record that may be the same person as `patient` (same
    normalized name and date of birth, same phone, or same email and date of birth).
    A pair the desk already decided is not flagged again."""
    flagged = []
    for other in _lookalikes(patient):
        reason = _resemblance(patient, other)
        decided = DuplicateCandidate.objects.filter(
            Q(patient=patient, other=other) | Q(patient=other, other=patient)
        ).exists()
        if reason is None or decided:
            continue
        candidate = DuplicateCandidate.objects.create(
            organization_id=patient.organization_id, patient=patient, other=other, reason=reason
        )
        audit_record(
            action=AuditAction.CREATE,
            by=by,
            organization=patient.organization,
            obj=candidate,
            patient=patient,
            detail={"reason": reason, "other": str(other.public_id)},
        )
        flagged.append(candidate)
    return flagged


@transaction.atomic
def duplicate_dismiss(
    *, candidate: DuplicateCandidate, staff: StaffProfile, by: Actor | None = None
) -> DuplicateCandidate:
    """The desk says the two records are two people: the booking rules keep them apart."""
    locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.status != DuplicateStatus.OPEN:
        return locked
    locked.status = DuplicateStatus.DISMISSED
    locked.decided_by, locked.decided_at = staff, timezone.now()
    locked.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit_record(
        action=AuditAction.UPDATE,
        by=by,
        organization=locked.organization,
        obj=locked,
        patient=locked.patient,
        detail={"duplicate": "dismissed", "other": str(locked.other.public_id)},
    )
    return locked
