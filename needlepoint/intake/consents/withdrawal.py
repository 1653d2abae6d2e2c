"""The marketing-photo authorization (docs/security-targets.md I2): withdrawing it, and whether it
is in force."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.intake.consents.documents import consent_documents_current
from needlepoint.intake.consents.errors import ConsentError
from needlepoint.intake.models import ConsentKind, ConsentSignature, ConsentWithdrawal
from needlepoint.patients.models import Patient


def consent_withdraw(
    *,
    signature: ConsentSignature,
    by_patient: bool,
    staff: StaffProfile | None = None,
    reason: str = "",
    by: Actor | None = None,
) -> ConsentWithdrawal:
    """Withdraw a marketing-photo authorization, at once (docs/security-targets.md I2): the
    patient's every marketing signature still in force is withdrawn with it, so a link from an older
    email ends a newer authorization too. Signature rows are left as they were; withdrawing twice
    returns the first withdrawal."""
    if signature.document.kind != ConsentKind.MARKETING_PHOTOS:
        raise ConsentError(
            "Only the marketing-photo authorization can be withdrawn here. To stop treatment "
            "or change a treatment consent, please talk to the clinic."
        )
    reason = reason.strip()[:1000]
    if not by_patient:
        if staff is None or staff.organization_id != signature.organization_id:
            raise ConsentError("A member of this clinic's staff must record the withdrawal.")
        if not reason:
            raise ConsentError(
                "Please give a reason, for example how the patient asked (in person, by phone).",
                field="reason",
            )
    with transaction.atomic():
        in_force = list(
            ConsentSignature.objects.select_for_update(of=("self",))
            .filter(
                patient_id=signature.patient_id,
                document__kind=ConsentKind.MARKETING_PHOTOS,
                withdrawal__isnull=True,
            )
            .defer("signature_png", "document_text")
            .order_by("pk")
        )
        existing = ConsentWithdrawal.objects.filter(signature=signature).first()
        now = timezone.now()
        for row in in_force:
            made = ConsentWithdrawal.objects.create(
                organization_id=row.organization_id,
                signature=row,
                withdrawn_at=now,
                by_patient=by_patient,
                staff=None if by_patient else staff,
                reason=reason,
            )
            audit_record(
                action=AuditAction.CREATE,
                by=by,
                actor_label="patient (withdrawal link)" if by_patient else "",
                organization=signature.organization,
                obj=made,
                patient=signature.patient,
                detail={"kind": ConsentKind.MARKETING_PHOTOS.value, "by_patient": by_patient},
            )
            if row.pk == signature.pk:
                existing = made
    assert existing is not None  # noqa: S101 - the signature was in force or withdrawn before
    return existing


def marketing_photos_authorized(*, patient: Patient, on: date) -> bool:
    """Whether the patient's photos may be used for marketing on `on`: a signature on the latest
    marketing document, not expired and not withdrawn. A withdrawal counts from the moment it is
    recorded (docs/security-targets.md I2)."""
    current = consent_documents_current(
        organization_id=patient.organization_id, kinds=[ConsentKind.MARKETING_PHOTOS]
    ).get(ConsentKind.MARKETING_PHOTOS)
    if current is None:
        return False
    return ConsentSignature.objects.filter(
        patient=patient, document=current, expires_on__gt=on, withdrawal__isnull=True
    ).exists()
