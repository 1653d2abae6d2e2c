"""Merging two records of one person (docs/security-targets.md A8).

Everything that points at the merged record moves to the survivor, found from the model graph rather
than a list, so a table added later is not forgotten. Nothing is deleted: the merged record is
archived and points at the survivor. Signed consents are the exception: they are append-only
(database triggers refuse any UPDATE, docs/security-targets.md C4), so they stay with the record
that signed them, which the survivor's page reaches through the merge."""

from __future__ import annotations

from django.db import models, transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.core.refusals import Refusal
from needlepoint.patients.models import DuplicateCandidate, DuplicateStatus, Patient

# Rows that are never changed after they are written: they keep their patient.
KEPT_WITH_SIGNER = frozenset({"intake.consentsignature"})
# Rows about the records themselves, not about the person: the merge decides them below.
NOT_MOVED = frozenset({"patients.patient", "patients.duplicatecandidate"})


class MergeRefused(Refusal):
    """The two records cannot be merged; `message` says why in words for the desk."""

    def __init__(self, message: str) -> None:
        super().__init__("merge_refused", message)


def patient_references() -> list[models.ForeignObject]:
    """Every foreign key to Patient in the project, except the records' own bookkeeping."""
    return [
        relation.field
        for relation in Patient._meta.get_fields(include_hidden=True)
        if isinstance(relation, models.ForeignObjectRel)
        and relation.field.model._meta.label_lower not in NOT_MOVED
    ]


def _check(survivor: Patient, merged: Patient) -> None:
    if survivor.pk == merged.pk:
        raise MergeRefused("A record cannot be merged into itself.")
    if survivor.organization_id != merged.organization_id:
        raise MergeRefused("Records of two clinics are never merged.")
    if merged.merged_into_id is not None or survivor.merged_into_id is not None:
        raise MergeRefused("One of these records was already merged into another.")
    if survivor.user_id and merged.user_id:
        raise MergeRefused("Both records have a portal login; ask the owner to merge them.")


def _move_rows(survivor: Patient, merged: Patient) -> dict[str, int]:
    moved: dict[str, int] = {}
    for field in patient_references():
        label = field.model._meta.label_lower
        if label in KEPT_WITH_SIGNER:
            continue
        count = field.model._base_manager.filter(**{field.name: merged}).update(
            **{field.name: survivor}
        )
        if count:
            moved[f"{label}.{field.name}"] = count
    return moved


def _close_candidates(merged: Patient, staff: StaffProfile | None, reason: str, now) -> None:
    """The merged record's open candidates are decided: its visits now belong to the
    survivor, which the booking rules join to them through the merge pointer."""
    DuplicateCandidate.objects.filter(
        models.Q(patient=merged) | models.Q(other=merged), status=DuplicateStatus.OPEN
    ).update(
        status=DuplicateStatus.MERGED,
        decided_by=staff,
        decided_at=now,
        note=reason.strip()[:300],
        updated_at=now,
    )


@transaction.atomic
def patient_merge(
    *,
    survivor: Patient,
    merged: Patient,
    staff: StaffProfile | None,
    reason: str,
    by: Actor | None = None,
) -> Patient:
    """Merge `merged` into `survivor`: its visits, answers, charts, photos, samples,
    outcomes, orders and messages move; it is archived with a pointer to the survivor.
    `staff` is None when the patient proved it through the one-time link. Audited once,
    naming both records; the `reason` is kept on the candidate, not in the audit row."""
    survivor = Patient.objects.select_for_update().get(pk=survivor.pk)
    merged = Patient.objects.select_for_update().get(pk=merged.pk)
    _check(survivor, merged)
    now = timezone.now()
    moved = _move_rows(survivor, merged)
    if merged.user_id and not survivor.user_id:
        survivor.user, merged.user = merged.user, None
        merged.save(update_fields=["user"])
        survivor.save(update_fields=["user", "updated_at"])
    merged.is_archived, merged.merged_into = True, survivor
    merged.save(update_fields=["is_archived", "merged_into", "updated_at"])
    _close_candidates(merged, staff, reason, now)
    audit_record(
        action=AuditAction.UPDATE,
        by=by,
        actor=staff.user if staff is not None else None,
        actor_label="" if staff is not None else "patient (this-was-me link)",
        organization=survivor.organization,
        obj=merged,
        patient=survivor,
        detail={
            "merge": True,
            "survivor": str(survivor.public_id),
            "merged": str(merged.public_id),
            "moved": moved,
            "reason_given": bool(reason.strip()),
        },
    )
    return survivor


@transaction.atomic
def duplicate_claim(*, candidate: DuplicateCandidate, by: Actor | None = None) -> Patient:
    """The owner of the email on file says the new booking was theirs (the one-time link):
    the new record is merged into the record it resembled. Refused once the candidate is
    decided, so the link works once."""
    locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.status != DuplicateStatus.OPEN:
        raise MergeRefused("This link has been used already.")
    return patient_merge(
        survivor=locked.other,
        merged=locked.patient,
        staff=None,
        reason="Confirmed by the patient through the one-time link.",
        by=by,
    )
