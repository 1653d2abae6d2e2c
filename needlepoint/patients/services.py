"""Writes to the patient record. Every write is atomic and audited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest

from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction, Organization
from needlepoint.patients.models import Patient

MRN_PREFIX = "NP-"


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
    request: HttpRequest | None = None,
    **fields: Any,
) -> Patient:
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
        request=request,
        organization=organization,
        obj=patient,
        patient=patient,
    )
    return patient


@transaction.atomic
def patient_find_or_register(
    *,
    organization: Organization,
    first_name: str,
    last_name: str,
    email: str,
    date_of_birth: date,
    phone: str = "",
    request: HttpRequest | None = None,
) -> Patient:
    """The patient with this email and date of birth, or a new record.

    Used by online booking: a returning patient keeps one record. Matching needs both the
    email and the date of birth; names typed differently do not create a second record.
    Nothing about the existing record is revealed to the person booking.
    """
    email = email.strip().lower()
    # Two first bookings with the same email at once must not make two records: PostgreSQL
    # serializes them on the address; SQLite's IMMEDIATE transaction already does.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"patient-email:{organization.pk}:{email}"],
            )
    existing = (
        Patient.objects.filter(
            organization=organization,
            email__iexact=email,
            date_of_birth=date_of_birth,
            is_archived=False,
        )
        .order_by("pk")
        .first()
    )
    if existing is not None:
        if phone and not existing.phone:
            existing.phone = phone
            existing.save(update_fields=["phone", "updated_at"])
        return existing
    return patient_register(
        organization=organization,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        email=email,
        phone=phone,
        request=request,
    )
