"""Charting at the chair (Bearer token, clinical roles): start a visit's treatment record, and the
PRP chain of custody from the draw to the discard (docs/clinical-rules.md §5)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.urls import reverse
from ninja import File, Form, Router, UploadedFile
from ninja.responses import Status

from needlepoint.accounts.access import StaffRequest
from needlepoint.accounts.roles import CLINICAL
from needlepoint.accounts.services import Credential
from needlepoint.api.auth import staff_auth, token_organization
from needlepoint.api.errors import invalid
from needlepoint.api.schemas import (
    FIRST_DAY,
    LAST_DAY,
    BlockerOut,
    CartridgeIn,
    CartridgeOut,
    CheckInIn,
    CheckInOut,
    Error,
    IdentityCheckIn,
    PhotoOut,
    PhotoStageName,
    PhotoViewName,
    PrpEventIn,
    PrpEventOut,
    PrpSampleIn,
    PrpSampleOut,
    ReadinessOut,
    TreatmentRecordOut,
)
from needlepoint.clinical.custody import Identity, Step
from needlepoint.clinical.gate import appointment_check_in, visit_readiness
from needlepoint.clinical.photos import MAX_BYTES, MAX_PIXELS, photo_check_size
from needlepoint.clinical.readiness import Stage
from needlepoint.clinical.selectors import prp_sample_get, treatment_record_get
from needlepoint.clinical.services import (
    cartridge_use,
    photo_add,
    prp_sample_draw,
    prp_sample_step,
    record_identity_check,
    treatment_record_start,
)
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.scheduling.models import AppointmentStatus
from needlepoint.scheduling.selectors import appointment_get

router = Router()
REFUSALS = {400: Error, 401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


@router.get(
    "/appointments/{appointment_id}/readiness",
    auth=staff_auth("appointments.view"),
    response={200: ReadinessOut, **REFUSALS},
    operation_id="appointment_readiness",
    url_name="appointment_readiness",
    summary="Whether the visit is ready for treatment, and what is missing",
    description=(
        "For a booked visit, what check-in still needs; for a checked-in one, what the "
        "chart's treatment steps still need, for the calling clinician (or, for the front "
        "desk, the booked practitioner). Codes: `not_visit_day`, `not_checked_in`, "
        "`screening_not_clear`, `consent_missing`, `identity_not_confirmed`, `out_of_scope`."
    ),
)
def appointment_readiness_view(request: StaffRequest, appointment_id: uuid.UUID):
    appointment = appointment_get(
        organization=token_organization(request), public_id=str(appointment_id)
    )
    staff = request.staff
    checked_in = appointment.status == AppointmentStatus.CHECKED_IN
    performer = staff if checked_in and staff.role in CLINICAL else appointment.practitioner
    readiness = visit_readiness(
        appointment=appointment,
        performer=performer,
        stage=Stage.TREATMENT if checked_in else Stage.CHECK_IN,
    )
    audit_record(
        action=AuditAction.VIEW,
        request=request,
        obj=appointment,
        patient=appointment.patient,
        detail={"readiness": True},
    )
    return ReadinessOut(
        ready=readiness.ready,
        checked_in=readiness.checked_in,
        blockers=[BlockerOut(code=b.code.value, message=b.message) for b in readiness.blockers],
    )


@router.post(
    "/appointments/{appointment_id}/check-in",
    auth=staff_auth("appointments.manage"),
    response={200: CheckInOut, **REFUSALS},
    operation_id="appointment_check_in",
    url_name="appointment_check_in",
    summary="Check the patient in",
    description=(
        "Only on the visit's day, with the screening clear or approved for this visit, every "
        "consent valid and the booked practitioner in scope; otherwise 409 with the first "
        "blocker's code. `nothing_changed` is the patient's word that their health answers "
        "still hold (409 `answers_unconfirmed` without it); 409 `not_booked` for a visit "
        "that is not booked."
    ),
)
def appointment_check_in_view(request: StaffRequest, appointment_id: uuid.UUID, body: CheckInIn):
    appointment = appointment_get(
        organization=token_organization(request), public_id=str(appointment_id)
    )
    checked = appointment_check_in(
        appointment=appointment,
        answers_unchanged=body.nothing_changed,
        staff=request.staff,
        by=request.actor,
    )
    return CheckInOut(status=checked.status)


@router.post(
    "/treatment-records/{record_id}/identity-check",
    auth=staff_auth("clinical.chart"),
    response={200: TreatmentRecordOut, **REFUSALS},
    operation_id="record_identity_check",
    url_name="record_identity_check",
    summary="Confirm the patient's identity with two identifiers",
    description=(
        "The full name with the date of birth or the record number, as the patient states "
        "them (ID1). A mismatch is 409 `patient_mismatch` with an incident recorded; the "
        "treatment steps answer 409 `identity_not_confirmed` until this succeeds."
    ),
)
def record_identity_check_view(request: StaffRequest, record_id: uuid.UUID, body: IdentityCheckIn):
    record = treatment_record_get(
        organization=token_organization(request), public_id=str(record_id)
    )
    record_identity_check(
        record=record,
        full_name=body.full_name,
        date_of_birth=body.date_of_birth,
        record_number=body.record_number,
        staff=request.staff,
        by=request.actor,
    )
    return TreatmentRecordOut(id=record.public_id)


@router.post(
    "/appointments/{appointment_id}/treatment-record",
    auth=staff_auth("clinical.chart"),
    response={200: TreatmentRecordOut, 201: TreatmentRecordOut, **REFUSALS},
    operation_id="treatment_record_start",
    url_name="treatment_record_start",
    summary="Start the chart of a visit",
    description="201 with the new record's id, or 200 with the existing one's.",
)
def treatment_record_start_view(request: StaffRequest, appointment_id: uuid.UUID):
    appointment = appointment_get(
        organization=token_organization(request), public_id=str(appointment_id)
    )
    record, created = treatment_record_start(
        appointment=appointment,
        staff=request.staff,
        by=request.actor,
    )
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
def prp_sample_draw_view(request: StaffRequest, body: PrpSampleIn):
    appointment = appointment_get(
        organization=token_organization(request), public_id=str(body.appointment)
    )
    drawn = prp_sample_draw(
        appointment=appointment,
        identity=Identity(body.patient.full_name, body.patient.date_of_birth),
        staff=request.staff,
        by=request.actor,
    )
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
        "`apply` needs `scanned_patient` (identifiers scanned from the patient) and an "
        "`area`, or a `witness_credential` (a second clinician's own username and password, "
        "403 `witness_not_verified` when wrong); a spin needs `g_force` (100-2000) and "
        "`minutes` (3-20), else 422 `invalid`; extraction before the spin's end is 409 "
        "`spin_not_finished`; identifiers that do not match are 409 "
        "`patient_mismatch` with an incident recorded. After expiry: 409 `sample_expired`; "
        "out of order: 409 `invalid_sequence`; after a discard: 409 `sample_discarded`."
    ),
)
def prp_sample_event_view(request: StaffRequest, sample_id: uuid.UUID, body: PrpEventIn):
    organization = token_organization(request)
    sample = prp_sample_get(organization=organization, public_id=str(sample_id))
    step = Step(body.type)
    credential = body.witness_credential
    witness = Credential(credential.username, credential.password) if credential else None
    scanned = body.scanned_patient
    event = prp_sample_step(
        sample=sample,
        step=step,
        staff=request.staff,
        scanned=Identity(scanned.full_name, scanned.date_of_birth) if scanned else None,
        witness=witness,
        g_force=body.g_force,
        minutes=body.minutes,
        volume_ml=Decimal(str(body.volume_ml)) if body.volume_ml is not None else None,
        area=body.area or "",
        by=request.actor,
    )
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
def cartridge_use_view(request: StaffRequest, record_id: uuid.UUID, body: CartridgeIn):
    if body.expires_on is not None and not FIRST_DAY <= body.expires_on <= LAST_DAY:
        raise invalid("expires_on", "Give an expiry date between 1900 and 2199.")
    record = treatment_record_get(
        organization=token_organization(request), public_id=str(record_id)
    )
    use = cartridge_use(
        record=record,
        lot=body.lot,
        serial=body.serial,
        expires_on=body.expires_on,
        staff=request.staff,
        by=request.actor,
    )
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
    request: StaffRequest,
    record_id: uuid.UUID,
    view: Form[PhotoViewName],
    stage: Form[PhotoStageName],
    file: File[UploadedFile],
):
    record = treatment_record_get(
        organization=token_organization(request), public_id=str(record_id)
    )
    photo_check_size(file.size or 0)
    photo = photo_add(
        record=record,
        view=view,
        stage=stage,
        data=file.read(),
        staff=request.staff,
        capture={"source": "api"},
        by=request.actor,
    )
    return Status(
        201,
        PhotoOut(
            id=photo.public_id,
            url=request.build_absolute_uri(
                reverse("clinical:photo-image", kwargs={"public_id": photo.public_id})
            ),
        ),
    )
