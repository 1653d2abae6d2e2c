"""Standardized photos on a record (docs/clinical-rules.md §7; docs/security-targets.md D3-D5, I2):
adding one, taking a mistaken one off, and approving one for marketing. `clinical.photos` holds the
pure image processing."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.clinical.custody import CustodyRefused
from needlepoint.clinical.gate import visit_require
from needlepoint.clinical.models import Photo, PhotoStage, PhotoView, TreatmentRecord
from needlepoint.clinical.photos import PhotoRefused, capture_clean, photo_process
from needlepoint.clinical.readiness import Stage
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.intake.consents import marketing_photos_authorized


def _record_locked() -> CustodyRefused:
    return CustodyRefused(
        "record_locked",
        "This record is signed and locked: its photos can no longer change. Take new photos "
        "at the next visit, or add an addendum.",
    )


def photo_add(
    *,
    record: TreatmentRecord,
    view: str,
    stage: str,
    data: bytes,
    staff: StaffProfile,
    capture: dict | None = None,
    by: Actor | None = None,
    now: datetime | None = None,
) -> Photo:
    """Store one standardized photo on an open record: decoded, turned upright and
    re-encoded without metadata (`photos.photo_process`), saved to private storage under
    `photos/<organization>/<id>.jpg`. Refused: a file that is not a usable image
    (`invalid_image`, `file_too_large`, `image_too_large`), a view or stage that is not
    standard (`invalid`), a signed record (`record_locked`). `capture` is how it was taken
    (`photos.capture_clean` keeps the known keys and a `source` of camera, file or api)."""
    now = now or timezone.now()
    if view not in PhotoView.values or stage not in PhotoStage.values:
        raise PhotoRefused(
            "invalid",
            "Choose a standard view (frontal, left or right oblique, left or right lateral, "
            "close-up) and a stage (before, after, follow-up).",
        )
    if record.is_locked:
        raise _record_locked()
    visit_require(
        appointment=record.appointment,
        performer=staff,
        stage=Stage.PRE_CARE if stage == PhotoStage.BEFORE else Stage.TREATMENT,
        now=now,
    )
    # Decoding is the slow part: done before the transaction, so no lock waits on it.
    processed = photo_process(data)
    raw = capture or {}
    facts = capture_clean(raw, source=raw.get("source"))
    facts["original"] = processed.original
    with transaction.atomic():
        locked = TreatmentRecord.objects.select_for_update().get(pk=record.pk)
        if locked.is_locked:
            raise _record_locked()
        photo = Photo(
            organization_id=locked.organization_id,
            record=locked,
            patient_id=locked.patient_id,
            view=view,
            stage=stage,
            width=processed.width,
            height=processed.height,
            sha256=processed.sha256,
            capture=facts,
            taken_at=now,
            taken_by=staff,
        )
        photo.image.save(f"{photo.public_id}.jpg", ContentFile(processed.data), save=False)
        try:
            photo.save()
            audit_record(
                action=AuditAction.CREATE,
                by=by,
                organization=staff.organization,
                obj=photo,
                patient=record.patient,
                detail={"view": view, "stage": stage, "record": str(locked.public_id)},
            )
        except BaseException:
            photo.image.storage.delete(photo.image.name)  # no file without its row
            raise
    return photo


def photo_retire(
    *,
    photo: Photo,
    staff: StaffProfile,
    by: Actor | None = None,
    now: datetime | None = None,
) -> Photo:
    """Take a mistaken photo off an open record: kept (clinical rows are never deleted),
    no longer shown, compared or used for marketing. Refused on a signed record."""
    now = now or timezone.now()
    with transaction.atomic():
        record = TreatmentRecord.objects.select_for_update().get(pk=photo.record_id)
        if record.is_locked:
            raise _record_locked()
        locked = Photo.objects.select_for_update().get(pk=photo.pk)
        if locked.retired_at is None:
            locked.retired_at = now
            locked.save(update_fields=["retired_at", "updated_at"])
            audit_record(
                action=AuditAction.UPDATE,
                by=by,
                organization=staff.organization,
                obj=locked,
                patient=photo.patient,
                detail={"retired": True},
            )
    photo.retired_at = locked.retired_at
    return photo


def photo_marketing_approve(
    *,
    photo: Photo,
    staff: StaffProfile,
    by: Actor | None = None,
    now: datetime | None = None,
) -> Photo:
    """Mark a photo fit for marketing, only while the patient's own marketing-photo authorization is
    in force (docs/security-targets.md I2: separate from treatment consent). The marketing list
    checks the authorization again on every read, so a withdrawal ends the photo's marketing use at
    once."""
    now = now or timezone.now()
    today = now.astimezone(ZoneInfo(staff.organization.default_timezone)).date()
    if photo.retired_at is not None:
        raise PhotoRefused("retired", "This photo was taken off the record.")
    if not marketing_photos_authorized(patient=photo.patient, on=today):
        raise PhotoRefused(
            "marketing_not_authorized",
            "The patient has not authorized marketing use of their photos (or withdrew it). "
            "Treatment consent does not cover marketing: ask them to sign the marketing-photo "
            "authorization first.",
        )
    with transaction.atomic():
        locked = Photo.objects.select_for_update().get(pk=photo.pk)
        locked.marketing_approved_at = now
        locked.save(update_fields=["marketing_approved_at", "updated_at"])
        audit_record(
            action=AuditAction.UPDATE,
            by=by,
            organization=staff.organization,
            obj=locked,
            patient=photo.patient,
            detail={"marketing": "approved"},
        )
    photo.marketing_approved_at = now
    return photo
