"""Writes for a PRP sample's chain of custody (ID1-ID8): the draw, each later step, and a
step at the chart with the tube identified by scanning its label. `clinical.custody` holds
the rules these apply.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import CLINICAL
from needlepoint.accounts.scope import Procedure
from needlepoint.accounts.services import Credential, staff_credential_check
from needlepoint.clinical.chart import ChartRefused
from needlepoint.clinical.custody import (
    IN_PROCESS,
    CustodyRefused,
    Identity,
    State,
    Step,
    expires_at,
    next_state,
    spin_ends,
    step_values_check,
)
from needlepoint.clinical.gate import visit_require
from needlepoint.clinical.models import IncidentKind, PrpEvent, PrpSample, TreatmentRecord
from needlepoint.clinical.services.guards import OPEN_VISIT, refuse_if_signed
from needlepoint.clinical.services.identity import incident_record, patient_identity
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.scheduling.models import Appointment

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
    by: Actor | None = None,
    now: datetime | None = None,
) -> Drawn:
    """A tube drawn after two identifiers matched the visit's patient (ID1). A mismatch
    is refused as `patient_mismatch` with an incident recorded. Warns when another
    patient's blood is still in process at the location (ID6)."""
    now = now or timezone.now()
    if appointment.status not in OPEN_VISIT:
        raise CustodyRefused("not_active", "Blood is drawn only for a booked or checked-in visit.")
    record = TreatmentRecord.objects.filter(appointment=appointment).first()
    if record is not None:
        refuse_if_signed(record)
    visit_require(
        appointment=appointment,
        performer=staff,
        procedures=[Procedure.PRP_PHLEBOTOMY],
        now=now,
    )
    if not patient_identity(appointment.patient).matches(identity):
        incident_record(
            appointment=appointment,
            staff=staff,
            detail="Identifiers given at the draw did not match the visit's patient.",
            by=by,
            now=now,
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
            by=by,
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
    witness: Credential | None = None,
    g_force: int | None = None,
    minutes: int | None = None,
    volume_ml: Decimal | None = None,
    area: str = "",
    by: Actor | None = None,
    now: datetime | None = None,
) -> PrpEvent:
    """Record one step of a sample (ID7). Application needs the patient's identifiers
    from a scan matching the sample's patient, or a second clinician who confirms with
    their own username and password (ID5)."""
    now = now or timezone.now()
    second = None
    if witness is not None and step is Step.APPLY:
        second = staff_credential_check(organization=staff.organization, credential=witness, by=by)
        if second.pk == staff.pk or second.role not in CLINICAL:
            raise CustodyRefused(
                "invalid", "The second check must be by another clinician.", field="witness"
            )
    area = area.strip()
    step_values_check(step, g_force=g_force, minutes=minutes, volume_ml=volume_ml, area=area)
    with transaction.atomic():
        locked = PrpSample.objects.select_for_update().select_related("patient").get(pk=sample.pk)
        if step is not Step.DISCARD:  # a tube may always be discarded
            visit_require(appointment=locked.appointment, performer=staff, now=now)
        if step is Step.EXTRACT:
            _refuse_if_spinning(locked, now)
        checked: bool | None = None
        mismatch: CustodyRefused | None = None
        how = ""
        if step is Step.APPLY:
            if scanned is not None:
                checked, how = patient_identity(locked.patient).matches(scanned), "scan"
            elif second is not None:
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
                witness=second if how == "witness" else None,
                g_force=g_force,
                minutes=minutes,
                volume_ml=volume_ml,
                area=area,
            )
            audit_record(
                action=AuditAction.UPDATE,
                by=by,
                organization=locked.appointment.organization,
                obj=locked,
                patient=locked.patient,
                detail={"step": step.value, "state": state.value},
            )
    if mismatch is not None:
        incident_record(
            appointment=sample.appointment,
            staff=staff,
            sample=sample,
            detail="Identifiers scanned before application did not match the sample's patient.",
            by=by,
            now=now,
        )
        raise mismatch
    return event


def _refuse_if_spinning(sample: PrpSample, now: datetime) -> None:
    """Plasma is extracted only after the latest spin has run its minutes (§5, ID7)."""
    ends = spin_ends(
        [
            (at, minutes or 0)
            for at, minutes in sample.events.filter(step=Step.SPIN).values_list("at", "minutes")
        ]
    )
    if ends is not None and now < ends:
        zone = sample.location.zone
        raise CustodyRefused(
            "spin_not_finished",
            f"The spin runs until {ends.astimezone(zone):%H:%M}: extract after it has finished.",
        )


def prp_step_by_scan(
    *,
    record: TreatmentRecord,
    code: str,
    step: Step,
    staff: StaffProfile,
    witness: Credential | None = None,
    identity_stated: bool = False,
    g_force: int | None = None,
    minutes: int | None = None,
    volume_ml: Decimal | None = None,
    area: str = "",
    by: Actor | None = None,
    now: datetime | None = None,
) -> PrpEvent:
    """A step of a PRP sample at this patient's chart, the tube identified by scanning its
    label (ID4). A tube of anybody else is a hard stop with an incident (ID8); at
    application the scan on the identity-checked chart is the second check (ID5) once the
    patient has stated their name and date of birth against the label
    (`identity_stated`), unless a second clinician confirms with their own credential."""
    refuse_if_signed(record)
    sample = (
        PrpSample.objects.select_related("patient", "appointment__organization")
        .filter(organization_id=record.organization_id, code=code.strip().upper())
        .first()
    )
    if sample is None:
        raise ChartRefused(
            "sample_unknown", "No sample has this code: scan the tube's label again."
        )
    if sample.appointment_id != record.appointment_id:
        incident_record(
            appointment=record.appointment,
            staff=staff,
            sample=sample,
            detail="A tube drawn for another visit was scanned at this chart.",
            by=by,
            kind=IncidentKind.WRONG_TUBE,
            now=now,
        )
        raise CustodyRefused(
            "patient_mismatch",
            "STOP: this tube was not drawn for this patient's visit. Do not use it; set it "
            "aside for discard. An incident is recorded.",
        )
    if step is Step.APPLY and record.identity_checked_at is None:
        raise ChartRefused(
            "identity_unchecked", "Check the patient's identity on this chart before applying."
        )
    if step is Step.APPLY and witness is None and not identity_stated:
        raise ChartRefused(
            "identity_unchecked",
            "Before applying, ask the patient's name and date of birth and compare them with "
            "the tube's label, or have a second clinician confirm.",
        )
    scanned = patient_identity(record.patient) if step is Step.APPLY and witness is None else None
    return prp_sample_step(
        sample=sample,
        step=step,
        staff=staff,
        scanned=scanned,
        witness=witness,
        g_force=g_force,
        minutes=minutes,
        volume_ml=volume_ml,
        area=area,
        by=by,
        now=now,
    )
