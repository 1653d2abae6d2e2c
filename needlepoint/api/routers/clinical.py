"""Charting at the chair (Bearer token, clinical roles): start a visit's treatment record,
and the PRP chain of custody from the draw to the discard (DOMAIN.md §5)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Router, UploadedFile
from ninja.responses import Status

from needlepoint.accounts.selectors import staff_get
from needlepoint.api.auth import staff_auth, token_organization
from needlepoint.api.errors import ApiError, invalid
from needlepoint.api.schemas import (
    FIRST_DAY,
    LAST_DAY,
    CartridgeIn,
    CartridgeOut,
    Error,
    PhotoOut,
    PhotoStageName,
    PhotoViewName,
    PrpEventIn,
    PrpEventOut,
    PrpSampleIn,
    PrpSampleOut,
    TreatmentRecordOut,
)
from needlepoint.clinical.custody import CustodyRefused, Identity, Step
from needlepoint.clinical.photos import MAX_BYTES, MAX_PIXELS, photo_check_size, refusal_status
from needlepoint.clinical.selectors import prp_sample_get, treatment_record_get
from needlepoint.clinical.services import (
    cartridge_use,
    photo_add,
    prp_sample_draw,
    prp_sample_step,
    treatment_record_start,
)
from needlepoint.scheduling.selectors import appointment_get

router = Router()
REFUSALS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


def _refused(refusal: CustodyRefused) -> ApiError:
    status = 422 if refusal.code in ("invalid", "identity_unchecked") else 409
    return ApiError(status, refusal.code, refusal.message)


@router.post(
    "/appointments/{appointment_id}/treatment-record",
    auth=staff_auth("clinical.chart"),
    response={200: TreatmentRecordOut, 201: TreatmentRecordOut, **REFUSALS},
    operation_id="treatment_record_start",
    url_name="treatment_record_start",
    summary="Start the chart of a visit",
    description="201 with the new record's id, or 200 with the existing one's.",
)
def treatment_record_start_view(request: HttpRequest, appointment_id: uuid.UUID):
    appointment = appointment_get(
        organization=token_organization(request), public_id=str(appointment_id)
    )
    try:
        record, created = treatment_record_start(
            appointment=appointment,
            staff=request.staff,  # type: ignore[attr-defined]
            request=request,
        )
    except CustodyRefused as refusal:
        raise _refused(refusal) from None
    return Status(201 if created else 200, TreatmentRecordOut(id=record.public_id))


@router.post(
    "/prp-samples",
    auth=staff_auth("clinical.chart"),
    response={201: PrpSampleOut, **REFUSALS},
    operation_id="prp_sample_draw",
    url_name="prp_sample_draw",
    summary="Record a PRP draw after checking two identifiers",
    description=(
        "The name and date of birth must match the appointment's patient (ID1), else 409 "
        "`patient_mismatch` and an incident is recorded. The label (PDF with the sample id "
        "as a barcode) is at `label_url`; the sample expires 4 hours after the draw. "
        "`warnings` says when another patient's blood is in process at the location (ID6)."
    ),
)
def prp_sample_draw_view(request: HttpRequest, body: PrpSampleIn):
    appointment = appointment_get(
        organization=token_organization(request), public_id=str(body.appointment)
    )
    try:
        drawn = prp_sample_draw(
            appointment=appointment,
            identity=Identity(body.patient.full_name, body.patient.date_of_birth),
            staff=request.staff,  # type: ignore[attr-defined]
            request=request,
        )
    except CustodyRefused as refusal:
        raise _refused(refusal) from None
    sample = drawn.sample
    return Status(
        201,
        PrpSampleOut(
            id=sample.public_id,
            code=sample.code,
            label_url=request.build_absolute_uri(
                reverse("clinical:prp-label", kwargs={"public_id": sample.public_id})
            ),
            drawn_at=sample.drawn_at.astimezone(appointment.location.zone),
            expires_at=sample.expires_at.astimezone(appointment.location.zone),
            warnings=drawn.warnings,
        ),
    )


@router.post(
    "/prp-samples/{sample_id}/events",
    auth=staff_auth("clinical.chart"),
    response={201: PrpEventOut, **REFUSALS},
    operation_id="prp_sample_event",
    url_name="prp_sample_event",
    summary="Record a step of a PRP sample: spin, extract, apply or discard",
    description=(
        "`apply` needs `scanned_patient` (identifiers scanned from the patient) or a "
        "`witness` (a second clinician's id); identifiers that do not match are 409 "
        "`patient_mismatch` with an incident recorded. After expiry: 409 `sample_expired`; "
        "out of order: 409 `invalid_sequence`; after a discard: 409 `sample_discarded`."
    ),
)
def prp_sample_event_view(request: HttpRequest, sample_id: uuid.UUID, body: PrpEventIn):
    organization = token_organization(request)
    sample = prp_sample_get(organization=organization, public_id=str(sample_id))
    step = Step(body.type)
    if step is Step.SPIN and (body.g_force is None or body.minutes is None):
        raise invalid("g_force", "A spin records its g-force and minutes (not rpm).")
    witness = (
        staff_get(organization=organization, public_id=str(body.witness)) if body.witness else None
    )
    scanned = body.scanned_patient
    try:
        event = prp_sample_step(
            sample=sample,
            step=step,
            staff=request.staff,  # type: ignore[attr-defined]
            scanned=Identity(scanned.full_name, scanned.date_of_birth) if scanned else None,
            witness=witness,
            g_force=body.g_force,
            minutes=body.minutes,
            volume_ml=Decimal(str(body.volume_ml)) if body.volume_ml is not None else None,
            area=body.area or "",
            request=request,
        )
    except CustodyRefused as refusal:
        raise _refused(refusal) from None
    sample.refresh_from_db(fields=["state"])
    return Status(
        201,
        PrpEventOut(
            sample=sample.public_id,
            type=event.step,
            state=sample.state,
            at=event.at.astimezone(sample.location.zone),
        ),
    )


@router.post(
    "/treatment-records/{record_id}/cartridges",
    auth=staff_auth("clinical.chart"),
    response={201: CartridgeOut, **REFUSALS},
    operation_id="cartridge_use",
    url_name="cartridge_use",
    summary="Record a single-use cartridge on a treatment record",
    description=(
        "`lot` and `serial` as scanned or typed. A lot not seen before is registered, with "
        "`expires_on` when given. A serial already used on any record is 409 "
        "`cartridge_already_used`; an expired or recalled lot is 409 `cartridge_unusable`."
    ),
)
def cartridge_use_view(request: HttpRequest, record_id: uuid.UUID, body: CartridgeIn):
    if body.expires_on is not None and not FIRST_DAY <= body.expires_on <= LAST_DAY:
        raise invalid("expires_on", "Give an expiry date between 1900 and 2199.")
    record = treatment_record_get(
        organization=token_organization(request), public_id=str(record_id)
    )
    try:
        use = cartridge_use(
            record=record,
            lot=body.lot,
            serial=body.serial,
            expires_on=body.expires_on,
            staff=request.staff,  # type: ignore[attr-defined]
            request=request,
        )
    except CustodyRefused as refusal:
        raise _refused(refusal) from None
    return Status(
        201,
        CartridgeOut(
            id=use.public_id, lot=use.lot.lot, serial=use.serial, expires_on=use.lot.expires_on
        ),
    )


@router.post(
    "/treatment-records/{record_id}/photos",
    auth=staff_auth("clinical.chart"),
    response={201: PhotoOut, 413: Error, **REFUSALS},
    operation_id="photo_add",
    url_name="photo_add",
    summary="Add a standardized photo to a treatment record",
    description=(
        "Multipart: `view`, `stage` and `file` (JPEG, PNG or WebP). The image is decoded, "
        "turned upright by its EXIF orientation and stored re-encoded as a JPEG without "
        "EXIF, GPS or XMP; `url` serves it to signed-in clinical staff only. Refused: a file "
        "that is not a decodable image, 422 `invalid_image`; over "
        f"{MAX_PIXELS // 1_000_000} megapixels, 422 `image_too_large`; over "
        f"{MAX_BYTES // 1024 // 1024} MB, 413 `file_too_large`; a signed (locked) record, "
        "409 `record_locked`; a view or stage not listed, 422 `invalid`."
    ),
)
def photo_add_view(
    request: HttpRequest,
    record_id: uuid.UUID,
    view: Form[PhotoViewName],
    stage: Form[PhotoStageName],
    file: File[UploadedFile],
):
    record = treatment_record_get(
        organization=token_organization(request), public_id=str(record_id)
    )
    try:
        photo_check_size(file.size or 0)
        photo = photo_add(
            record=record,
            view=view,
            stage=stage,
            data=file.read(),
            staff=request.staff,  # type: ignore[attr-defined]
            capture={"source": "api"},
            request=request,
        )
    except CustodyRefused as refusal:
        raise ApiError(refusal_status(refusal), refusal.code, refusal.message) from None
    return Status(
        201,
        PhotoOut(
            id=photo.public_id,
            url=request.build_absolute_uri(
                reverse("clinical:photo-image", kwargs={"public_id": photo.public_id})
            ),
        ),
    )
