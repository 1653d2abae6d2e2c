"""Where a patient stands: each signature's status, the documents a visit still needs,
the overview of a visit's consents, a patient's signatures and upcoming visits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import models

from needlepoint.catalog.models import Service
from needlepoint.core.dates import local_day
from needlepoint.intake.consents.documents import consent_documents_current, consents_required
from needlepoint.intake.consents.errors import ConsentNotConfigured
from needlepoint.intake.consents.integrity import consent_verify, consent_zone
from needlepoint.intake.models import (
    ConsentDocument,
    ConsentKind,
    ConsentSignature,
    ConsentWithdrawal,
)
from needlepoint.patients.models import Patient
from needlepoint.scheduling.models import Appointment, AppointmentStatus

# Visits a patient may still sign for.
SIGNABLE_STATUSES = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


class ConsentStatus(models.TextChoices):
    VALID = "valid", "Valid"
    EXPIRED = "expired", "Expired"
    SUPERSEDED = "superseded", "Superseded by a newer version"
    WITHDRAWN = "withdrawn", "Withdrawn"


def consent_signature_status(
    signature: ConsentSignature, *, current_ids: set[int], on: date
) -> ConsentStatus:
    """Withdrawn, else superseded (a newer version exists), else expired on `on`, else valid."""
    if signature_withdrawal(signature) is not None:
        return ConsentStatus.WITHDRAWN
    if signature.document_id not in current_ids:
        return ConsentStatus.SUPERSEDED
    if signature.expires_on <= on:
        return ConsentStatus.EXPIRED
    return ConsentStatus.VALID


def signature_withdrawal(signature: ConsentSignature) -> ConsentWithdrawal | None:
    try:
        return signature.withdrawal
    except ConsentWithdrawal.DoesNotExist:
        return None


def consent_missing(*, patient: Patient, service: Service, on: date) -> list[ConsentDocument]:
    """The documents the patient must still sign before `service` on day `on`: the latest
    published version of each required kind without a signature that counts on `on` (for
    that version, not expired, not withdrawn). Raises ConsentNotConfigured when the clinic
    has no published document of a required kind, so a check-in fails closed."""
    kinds = consents_required(service=service)
    if not kinds:
        return []
    current = consent_documents_current(organization_id=patient.organization_id, kinds=kinds)
    unpublished = [kind for kind in kinds if kind not in current]
    if unpublished:
        labels = ", ".join(ConsentKind(kind).label for kind in unpublished)
        raise ConsentNotConfigured(
            f"The clinic has no published consent form for: {labels}. "
            "The medical director needs to publish one."
        )
    # A record merged into this one keeps its signatures (they never change, C4); they
    # still count for the person.
    signers = [
        patient.pk,
        *Patient.objects.filter(merged_into=patient).values_list("pk", flat=True),
    ]
    signed = set(
        ConsentSignature.objects.filter(
            patient_id__in=signers,
            document__in=[current[kind] for kind in kinds],
            expires_on__gt=on,
            withdrawal__isnull=True,
        ).values_list("document_id", flat=True)
    )
    return [current[kind] for kind in kinds if current[kind].pk not in signed]


@dataclass(frozen=True)
class ConsentItem:
    """One document a visit asks for: the signature that counts on the visit's day, or
    else the status of the patient's latest earlier signature (None: never signed)."""

    document: ConsentDocument
    required: bool
    signature: ConsentSignature | None
    status: ConsentStatus | None


def consent_overview(*, appointment: Appointment) -> list[ConsentItem]:
    """The visit's required documents, then the optional marketing authorization (when
    the clinic has published one), each with where the patient stands."""
    on = appointment.starts_at.astimezone(consent_zone(appointment)).date()
    required = consents_required(service=appointment.service)
    current = consent_documents_current(
        organization_id=appointment.organization_id,
        kinds=[*required, ConsentKind.MARKETING_PHOTOS],
    )
    unpublished = [kind for kind in required if kind not in current]
    if unpublished:
        labels = ", ".join(ConsentKind(kind).label for kind in unpublished)
        raise ConsentNotConfigured(f"The clinic has no published consent form for: {labels}.")
    kinds = [kind for kind in ConsentKind if kind in current]
    current_ids = {document.pk for document in current.values()}
    signatures = (
        ConsentSignature.objects.filter(patient=appointment.patient, document__kind__in=kinds)
        .select_related("document", "withdrawal")
        .defer("signature_png", "document_text")
        .order_by("-signed_at", "-pk")
    )
    counting: dict[str, ConsentSignature] = {}
    latest: dict[str, ConsentSignature] = {}
    for signature in signatures:
        kind = signature.document.kind
        latest.setdefault(kind, signature)
        if (
            consent_signature_status(signature, current_ids=current_ids, on=on)
            == ConsentStatus.VALID
        ):
            counting.setdefault(kind, signature)
    items = []
    for kind in kinds:
        counts, earlier = counting.get(kind), latest.get(kind)
        standing: ConsentStatus | None = None
        if counts is not None:
            standing = ConsentStatus.VALID
        elif earlier is not None:
            standing = consent_signature_status(earlier, current_ids=current_ids, on=on)
        items.append(ConsentItem(current[kind], kind in required, counts, standing))
    return items


@dataclass(frozen=True)
class SignatureRow:
    signature: ConsentSignature
    status: ConsentStatus
    verified: bool


def consent_signatures_for_patient(*, patient: Patient, on: date) -> list[SignatureRow]:
    """Every signature of the patient, newest first, with its status on `on` and whether
    its hash recomputes equal."""
    current_ids = {
        document.pk
        for document in consent_documents_current(organization_id=patient.organization_id).values()
    }
    signatures = (
        ConsentSignature.objects.filter(patient=patient)
        .select_related("document", "appointment__service", "withdrawal__staff__user")
        .order_by("-signed_at", "-pk")
    )
    rows = []
    for signature in signatures:
        signature.patient = patient
        rows.append(
            SignatureRow(
                signature,
                consent_signature_status(signature, current_ids=current_ids, on=on),
                consent_verify(signature),
            )
        )
    return rows


def consent_upcoming_visits(
    *, patient: Patient, now: datetime, limit: int = 5
) -> list[tuple[Appointment, list[ConsentDocument]]]:
    """The patient's next booked visits, each with the documents still to sign."""
    visits = (
        Appointment.objects.filter(
            patient=patient, status__in=SIGNABLE_STATUSES, starts_at__gte=now
        )
        .select_related("service", "location")
        .order_by("starts_at")[:limit]
    )
    result = []
    for visit in visits:
        on = local_day(visit.starts_at, visit.location.zone)
        result.append((visit, consent_missing(patient=patient, service=visit.service, on=on)))
    return result
