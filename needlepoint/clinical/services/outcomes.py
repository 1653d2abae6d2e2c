"""Outcome scores at a visit or a follow-up (docs/clinical-rules.md §7)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import CLINICAL
from needlepoint.catalog.models import Indication
from needlepoint.clinical.models import Outcome, TreatmentRecord
from needlepoint.clinical.progress import SCALES_BY_CODE, long_date
from needlepoint.clinical.selectors import patient_zone
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.patients.models import Patient

OUTCOME_NOTE_MAX = 300  # Outcome.note's max_length


def _outcome_zone(patient: Patient, record: TreatmentRecord | None) -> ZoneInfo:
    """Where "today" is: the visit's location, else the patient's preferred location,
    else the clinic's default zone."""
    return record.appointment.location.zone if record is not None else patient_zone(patient)


def outcome_record(
    *,
    patient: Patient,
    staff: StaffProfile,
    assessed_on: date,
    indication: Indication | None = None,
    record: TreatmentRecord | None = None,
    gais_clinician: int | None = None,
    gais_subject: int | None = None,
    goodman_baron: int | None = None,
    satisfaction: int | None = None,
    note: str = "",
    by: Actor | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Record outcome scores at a visit (`record`) or at a follow-up (no record): at least
    one score, each within its scale, assessed today or earlier in the clinic's zone.

    A locked record takes outcomes too: they are rows of their own, never edits of the
    record. Nothing is locked first: a new outcome changes no other row and no rule
    compares it with others. Refusals are a `ValidationError` keyed by field name (or
    `__all__`), which a form shows next to its fields."""
    now = now or timezone.now()
    if staff.organization_id != patient.organization_id or staff.role not in CLINICAL:
        raise PermissionDenied("Only the clinic's clinicians record outcomes.")
    scores = {
        "gais_clinician": gais_clinician,
        "gais_subject": gais_subject,
        "goodman_baron": goodman_baron,
        "satisfaction": satisfaction,
    }
    errors: dict[str, list[str]] = {}
    for code, value in scores.items():
        scale = SCALES_BY_CODE[code]
        if value is not None and not scale.contains(value):
            errors[code] = [
                f"{scale.name} runs from {scale.label(scale.low)} to {scale.label(scale.high)}."
            ]
    if all(value is None for value in scores.values()):
        errors[NON_FIELD_ERRORS] = ["Give at least one score."]
    if record is not None and (
        record.patient_id != patient.pk or record.organization_id != patient.organization_id
    ):
        errors.setdefault(NON_FIELD_ERRORS, []).append("That visit is not this patient's.")
    if indication is not None and indication.organization_id != patient.organization_id:
        errors["indication"] = ["Choose one of this clinic's indications."]
    today = now.astimezone(_outcome_zone(patient, record)).date()
    if assessed_on > today:
        errors["assessed_on"] = [f"That date is in the future: today is {long_date(today)}."]
    note = note.strip()
    if len(note) > OUTCOME_NOTE_MAX:
        errors["note"] = [f"Keep the note to {OUTCOME_NOTE_MAX} characters."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        outcome = Outcome.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            record=record,
            indication=indication,
            assessed_on=assessed_on,
            recorded_at=now,
            recorded_by=staff,
            note=note,
            **scores,
        )
        audit_record(
            action=AuditAction.CREATE,
            by=by,
            organization=staff.organization,
            obj=outcome,
            patient=patient,
            detail={"record": str(record.public_id)} if record else {"follow_up": True},
        )
    return outcome
