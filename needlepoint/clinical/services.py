"""Writes for the chart: starting a visit's record, and each step of a PRP sample.

Every write is atomic and audited; a refused step writes nothing but, for a patient
mismatch, the incident that ID8 asks for.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import CLINICAL
from needlepoint.clinical.custody import (
    IN_PROCESS,
    CustodyRefused,
    Identity,
    State,
    Step,
    expires_at,
    next_state,
)
from needlepoint.clinical.models import (
    CartridgeLot,
    CartridgeUse,
    Incident,
    IncidentKind,
    PrpEvent,
    PrpSample,
    TreatmentRecord,
)
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.patients.models import Patient
from needlepoint.scheduling.models import Appointment, AppointmentStatus

OPEN_VISIT = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)


def treatment_record_start(
    *, appointment: Appointment, staff: StaffProfile, request: HttpRequest | None = None
) -> tuple[TreatmentRecord, bool]:
    """The visit's record, started now if it has none; returns (record, created)."""
    with transaction.atomic():
        Appointment.objects.select_for_update().filter(pk=appointment.pk).first()
        existing = TreatmentRecord.objects.filter(appointment=appointment).first()
        if existing is not None:
            return existing, False
        if appointment.status not in OPEN_VISIT:
            raise CustodyRefused("not_active", "Only a booked or checked-in visit can be charted.")
        record = TreatmentRecord.objects.create(
            organization_id=appointment.organization_id,
            appointment=appointment,
            patient=appointment.patient,
            started_by=staff,
            started_at=timezone.now(),
        )
        audit_record(
            action=AuditAction.CREATE,
            request=request,
            organization=appointment.organization,
            obj=record,
            patient=appointment.patient,
        )
    return record, True


def _identity(patient: Patient) -> Identity:
    return Identity(f"{patient.first_name} {patient.last_name}", patient.date_of_birth)


def _incident(
    *,
    appointment: Appointment,
    staff: StaffProfile,
    detail: str,
    sample: PrpSample | None = None,
    request: HttpRequest | None = None,
) -> None:
    """Recorded in its own transaction, so the refusal that follows cannot roll it back."""
    with transaction.atomic():
        incident = Incident.objects.create(
            organization_id=appointment.organization_id,
            kind=IncidentKind.PATIENT_MISMATCH,
            appointment=appointment,
            sample=sample,
            reported_by=staff,
            occurred_at=timezone.now(),
            detail=detail,
        )
        audit_record(
            action=AuditAction.CREATE,
            request=request,
            organization=appointment.organization,
            obj=incident,
            patient=appointment.patient,
            detail={"kind": incident.kind},
        )


CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O or 1/I to misread


def _new_code(organization_id: int) -> str:
    """A short, unguessable sample code for the label's barcode (8 characters, 40 bits),
    unique within the clinic."""
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
        if not PrpSample.objects.filter(organization_id=organization_id, code=code).exists():
            return code


@dataclass(frozen=True)
class Drawn:
    sample: PrpSample
    warnings: list[str]


def prp_sample_draw(
    *,
    appointment: Appointment,
    identity: Identity,
    staff: StaffProfile,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> Drawn:
    """A tube drawn after two identifiers matched the visit's patient (ID1). A mismatch
    is refused as `patient_mismatch` with an incident recorded. Warns when another
    patient's blood is still in process at the location (ID6)."""
    now = now or timezone.now()
    if appointment.status not in OPEN_VISIT:
        raise CustodyRefused("not_active", "Blood is drawn only for a booked or checked-in visit.")
    if not _identity(appointment.patient).matches(identity):
        _incident(
            appointment=appointment,
            staff=staff,
            detail="Identifiers given at the draw did not match the visit's patient.",
            request=request,
        )
        raise CustodyRefused(
            "patient_mismatch",
            "The name and date of birth do not match this visit's patient. Do not draw: "
            "check the patient's identity again. An incident is recorded.",
        )
    with transaction.atomic():
        others = (
            PrpSample.objects.filter(location=appointment.location, state__in=IN_PROCESS)
            .exclude(patient=appointment.patient)
            .filter(expires_at__gt=now)
            .exists()
        )
        sample = PrpSample.objects.create(
            organization_id=appointment.organization_id,
            code=_new_code(appointment.organization_id),
            appointment=appointment,
            patient=appointment.patient,
            location=appointment.location,
            drawn_at=now,
            drawn_by=staff,
            expires_at=expires_at(now),
            state=State.DRAWN,
        )
        audit_record(
            action=AuditAction.CREATE,
            request=request,
            organization=appointment.organization,
            obj=sample,
            patient=appointment.patient,
            detail={"step": "draw"},
        )
    warnings = []
    if others:
        warnings.append(
            "Another patient's blood is still in process here: keep one patient's samples "
            "at a time in the preparation area, and balance the centrifuge with a blank tube."
        )
    return Drawn(sample, warnings)


def prp_sample_step(
    *,
    sample: PrpSample,
    step: Step,
    staff: StaffProfile,
    scanned: Identity | None = None,
    witness: StaffProfile | None = None,
    g_force: int | None = None,
    minutes: int | None = None,
    volume_ml: Decimal | None = None,
    area: str = "",
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> PrpEvent:
    """Record one step of a sample (ID7). Application needs the patient's identifiers
    from a scan matching the sample's patient, or a second clinician as witness (ID5)."""
    now = now or timezone.now()
    if witness is not None and (witness.pk == staff.pk or witness.role not in CLINICAL):
        raise CustodyRefused("invalid", "The second check must be by another clinician.")
    with transaction.atomic():
        locked = PrpSample.objects.select_for_update().select_related("patient").get(pk=sample.pk)
        checked: bool | None = None
        mismatch: CustodyRefused | None = None
        how = ""
        if step is Step.APPLY:
            if scanned is not None:
                checked, how = _identity(locked.patient).matches(scanned), "scan"
            elif witness is not None:
                checked, how = True, "witness"
        try:
            state = next_state(
                State(locked.state),
                step,
                now=now,
                expires=locked.expires_at,
                identity_checked=checked,
            )
        except CustodyRefused as refused:
            if refused.code != "patient_mismatch":
                raise
            mismatch = refused  # nothing of the step is kept; the incident is, below
        else:
            locked.state = state
            locked.save(update_fields=["state", "updated_at"])
            event = PrpEvent.objects.create(
                sample=locked,
                step=step,
                at=now,
                by=staff,
                identity_check=how,
                witness=witness if how == "witness" else None,
                g_force=g_force,
                minutes=minutes,
                volume_ml=volume_ml,
                area=area,
            )
            audit_record(
                action=AuditAction.UPDATE,
                request=request,
                organization=locked.appointment.organization,
                obj=locked,
                patient=locked.patient,
                detail={"step": step.value, "state": state.value},
            )
    if mismatch is not None:
        _incident(
            appointment=sample.appointment,
            staff=staff,
            sample=sample,
            detail="Identifiers scanned before application did not match the sample's patient.",
            request=request,
        )
        raise mismatch
    return event


def cartridge_use(
    *,
    record: TreatmentRecord,
    lot: str,
    serial: str,
    staff: StaffProfile,
    expires_on: date | None = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> CartridgeUse:
    """Record a single-use cartridge on a treatment record, scanned or typed. A lot seen
    for the first time is registered (with its expiry when given). Refused: a serial used
    before on any record (`cartridge_already_used`), an expired or recalled lot
    (`cartridge_unusable`)."""
    now = now or timezone.now()
    lot, serial = lot.strip().upper(), serial.strip().upper()
    today = now.astimezone(record.appointment.location.zone).date()
    if CartridgeUse.objects.filter(organization_id=record.organization_id, serial=serial).exists():
        raise _used_before(serial)
    try:
        with transaction.atomic():
            registered, _ = CartridgeLot.objects.get_or_create(
                organization_id=record.organization_id,
                lot=lot,
                defaults={"expires_on": expires_on},
            )
            if registered.recalled_on is not None and registered.recalled_on <= today:
                raise CustodyRefused(
                    "cartridge_unusable", f"Lot {lot} is recalled: do not use its cartridges."
                )
            if registered.expires_on is not None and registered.expires_on < today:
                raise CustodyRefused(
                    "cartridge_unusable",
                    f"Lot {lot} expired on {registered.expires_on:%Y-%m-%d}: take another.",
                )
            use = CartridgeUse.objects.create(
                organization_id=record.organization_id,
                treatment_record=record,
                lot=registered,
                serial=serial,
                used_at=now,
                used_by=staff,
            )
            audit_record(
                action=AuditAction.CREATE,
                request=request,
                organization=record.appointment.organization,
                obj=use,
                patient=record.patient,
                detail={"lot": lot},
            )
    except IntegrityError:  # the same serial, scanned at the same moment elsewhere
        raise _used_before(serial) from None
    return use


def _used_before(serial: str) -> CustodyRefused:
    return CustodyRefused(
        "cartridge_already_used",
        f"Cartridge {serial} was used before. Cartridges are single-use: take a new one.",
    )
