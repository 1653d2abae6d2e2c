"""Writes for the chart: starting a visit's record, and each step of a PRP sample.

Every write is atomic and audited; a refused step writes nothing but, for a patient
mismatch, the incident that ID8 asks for.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import CLINICAL, Role
from needlepoint.accounts.scope import Procedure
from needlepoint.accounts.selectors import staff_scope_refusal
from needlepoint.accounts.services import Credential, staff_credential_check
from needlepoint.catalog.models import Indication, Product, ProductLot, TreatmentArea
from needlepoint.catalog.models import ProductKind as CatalogProductKind
from needlepoint.clinical.chart import AreaDepths, ChartRefused, depth_check, sign_blockers
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
from needlepoint.clinical.models import (
    Addendum,
    AdverseEvent,
    CartridgeLot,
    CartridgeUse,
    DepthOrder,
    Incident,
    IncidentKind,
    Outcome,
    Photo,
    PhotoStage,
    PhotoView,
    ProductUse,
    PrpEvent,
    PrpSample,
    RecordStatus,
    TreatmentLine,
    TreatmentRecord,
)
from needlepoint.clinical.photos import PhotoRefused, capture_clean, photo_process
from needlepoint.clinical.progress import SCALES_BY_CODE, long_date
from needlepoint.clinical.readiness import Stage
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import local_today
from needlepoint.core.models import AuditAction
from needlepoint.patients.models import Patient
from needlepoint.resources.models import DeviceKind, DeviceStatus
from needlepoint.scheduling.models import Appointment, AppointmentStatus

OPEN_VISIT = (AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN)
NEEDLING_DEVICES = (DeviceKind.PEN, DeviceKind.ROLLER)


def treatment_record_start(
    *,
    appointment: Appointment,
    staff: StaffProfile,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> tuple[TreatmentRecord, bool]:
    """The visit's record, started now if it has none; returns (record, created). Only for
    a checked-in visit on its day, by a clinician whose licence permits the service (the
    readiness gate's pre-care stage)."""
    with transaction.atomic():
        Appointment.objects.select_for_update().filter(pk=appointment.pk).first()
        existing = TreatmentRecord.objects.filter(appointment=appointment).first()
        if existing is not None:
            return existing, False
        if appointment.status not in OPEN_VISIT:
            raise CustodyRefused("not_active", "Only a booked or checked-in visit can be charted.")
        visit_require(appointment=appointment, performer=staff, stage=Stage.PRE_CARE, now=now)
        record = TreatmentRecord.objects.create(
            organization_id=appointment.organization_id,
            appointment=appointment,
            patient=appointment.patient,
            started_by=staff,
            started_at=now or timezone.now(),
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
    kind: IncidentKind = IncidentKind.PATIENT_MISMATCH,
    now: datetime | None = None,
) -> None:
    """Recorded in its own transaction, so the refusal that follows cannot roll it back."""
    with transaction.atomic():
        incident = Incident.objects.create(
            organization_id=appointment.organization_id,
            kind=kind,
            appointment=appointment,
            sample=sample,
            reported_by=staff,
            occurred_at=now or timezone.now(),
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
    record = TreatmentRecord.objects.filter(appointment=appointment).first()
    if record is not None:
        _refuse_if_signed(record)
    visit_require(
        appointment=appointment,
        performer=staff,
        procedures=[Procedure.PRP_PHLEBOTOMY],
        now=now,
    )
    if not _identity(appointment.patient).matches(identity):
        _incident(
            appointment=appointment,
            staff=staff,
            detail="Identifiers given at the draw did not match the visit's patient.",
            request=request,
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
    witness: Credential | None = None,
    g_force: int | None = None,
    minutes: int | None = None,
    volume_ml: Decimal | None = None,
    area: str = "",
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> PrpEvent:
    """Record one step of a sample (ID7). Application needs the patient's identifiers
    from a scan matching the sample's patient, or a second clinician who confirms with
    their own username and password (ID5)."""
    now = now or timezone.now()
    second = None
    if witness is not None and step is Step.APPLY:
        second = staff_credential_check(
            organization=staff.organization, credential=witness, request=request
        )
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
                checked, how = _identity(locked.patient).matches(scanned), "scan"
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
    _refuse_if_signed(record)
    visit_require(appointment=record.appointment, performer=staff, now=now)
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


# --- The chart at the chair ----------------------------------------------------------------


def _refuse_if_signed(record: TreatmentRecord) -> None:
    if record.is_locked:
        raise ChartRefused(
            "record_locked", "This record is signed and locked: add an addendum instead."
        )


def _locked(record: TreatmentRecord) -> TreatmentRecord:
    """The record, locked for this transaction; refused once it is signed."""
    locked = TreatmentRecord.objects.select_for_update().get(pk=record.pk)
    _refuse_if_signed(locked)
    return locked


def _audit(record: TreatmentRecord, obj: object, action: str, request, **detail) -> None:
    audit_record(
        action=action,
        request=request,
        organization=record.appointment.organization,
        obj=obj,
        patient=record.patient,
        detail=detail or None,
    )


def record_identity_check(
    *,
    record: TreatmentRecord,
    full_name: str,
    staff: StaffProfile,
    date_of_birth: date | None = None,
    record_number: str = "",
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> None:
    """Two identifiers (ID1): the full name with the date of birth or the record number
    (MRN), as the patient states them, against the chart. A mismatch is an incident."""
    patient = record.patient
    _refuse_if_signed(record)
    visit_require(appointment=record.appointment, performer=staff, stage=Stage.PRE_CARE, now=now)
    same_name = Identity(full_name, patient.date_of_birth).matches(_identity(patient))
    if date_of_birth is not None:
        matched = same_name and date_of_birth == patient.date_of_birth
    elif record_number.strip():
        matched = same_name and record_number.strip().upper() == patient.record_number.upper()
    else:
        raise ChartRefused("invalid", "Give the date of birth or the record number with the name.")
    if not matched:
        _incident(
            appointment=record.appointment,
            staff=staff,
            detail="Identifiers stated at the chair did not match the chart's patient.",
            request=request,
            now=now,
        )
        raise ChartRefused(
            "patient_mismatch",
            "These identifiers do not match this chart's patient. Stop and check who the "
            "patient is before going on. An incident is recorded.",
        )
    with transaction.atomic():
        locked = _locked(record)
        locked.identity_checked_at = now or timezone.now()
        locked.identity_checked_by = staff
        locked.save(update_fields=["identity_checked_at", "identity_checked_by", "updated_at"])
        _audit(locked, locked, AuditAction.UPDATE, request, identity_checked=True)


RECORD_FIELDS = frozenset(
    {
        "no_anaesthetic",
        "anaesthetic_applied_at",
        "anaesthetic_removed_at",
        "device",
        "sheath_used",
        "pain_vas",
        "immediate_response",
        "aftercare_version",
        "waste_disposed",
    }
)


def record_update(
    *,
    record: TreatmentRecord,
    staff: StaffProfile,
    changes: dict[str, object],
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> TreatmentRecord:
    """Change the record's own fields while it is open (pre-care times, pen, tolerance,
    post-care). Audited by field name."""
    unknown = set(changes) - RECORD_FIELDS
    if unknown:
        raise ValueError(f"not record fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = _locked(record)
        visit_require(appointment=locked.appointment, performer=staff, now=now)
        for name, value in changes.items():
            setattr(locked, name, value)
        applied, removed = locked.anaesthetic_applied_at, locked.anaesthetic_removed_at
        if applied and removed and removed < applied:
            raise ChartRefused("invalid", "The anaesthetic was removed before it was applied?")
        device = locked.device
        if device is not None and (
            device.location_id != locked.appointment.location_id
            or device.kind not in NEEDLING_DEVICES
            or device.status != DeviceStatus.IN_SERVICE
        ):
            raise ChartRefused("invalid", "Choose an active pen of this location.")
        if "device" in changes and device is not None:
            deepest = locked.lines.filter(voided_at=None).order_by("-depth_mm").first()
            if (
                deepest is not None
                and device.max_depth_mm
                and deepest.depth_mm > device.max_depth_mm
            ):
                raise ChartRefused(
                    "depth_over_device",
                    f"An area is charted at {deepest.depth_mm} mm, deeper than this pen's "
                    f"maximum of {device.max_depth_mm} mm.",
                )
        locked.save(update_fields=[*changes, "updated_at"])
        _audit(locked, locked, AuditAction.UPDATE, request, fields=sorted(changes))
    return locked


def anaesthetic_record(
    *,
    record: TreatmentRecord,
    staff: StaffProfile,
    none_used: bool,
    product: Product | None = None,
    lot_number: str = "",
    lot_expires_on: date | None = None,
    applied_at: datetime | None = None,
    removed_at: datetime | None = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> TreatmentRecord:
    """The topical anaesthetic of the pre-care checklist (§6), in one transaction: the
    product and its lot (charted once; a first-seen lot registered with its expiry) with
    the times it was applied and removed, or that none was used."""
    if not none_used and not (product or applied_at or removed_at):
        raise ChartRefused("invalid", "Choose the anaesthetic, or tick that none was used.")
    if product is not None and product.kind != CatalogProductKind.ANAESTHETIC:
        raise ChartRefused("invalid", "Choose one of the clinic's anaesthetics.", field="product")
    if product is not None and not lot_number.strip():
        raise ChartRefused("invalid", "Scan or type the lot number.", field="lot_number")
    changes: dict[str, object] = {"no_anaesthetic": none_used}
    if applied_at is not None:
        changes["anaesthetic_applied_at"] = applied_at
    if removed_at is not None:
        changes["anaesthetic_removed_at"] = removed_at
    with transaction.atomic():
        charted = (
            product is not None
            and record.products.filter(
                voided_at=None, product=product, lot__lot_number__iexact=lot_number.strip()
            ).exists()
        )
        if product is not None and not charted:
            product_use_add(
                record=record,
                product=product,
                lot_number=lot_number,
                expires_on=lot_expires_on,
                staff=staff,
                request=request,
                now=now,
            )
        return record_update(record=record, staff=staff, changes=changes, request=request, now=now)


def depth_order_add(
    *,
    patient: Patient,
    area: TreatmentArea,
    max_depth_mm: Decimal,
    reason: str,
    valid_until: date,
    staff: StaffProfile,
    request: HttpRequest | None = None,
) -> DepthOrder:
    """A clinician whose licence may order (the scope table: physicians and APRNs) orders
    a deeper depth for one area of one patient (§1)."""
    if staff.role not in CLINICAL:
        raise ChartRefused("forbidden", "Only a clinician orders a deeper depth.")
    refusal = staff_scope_refusal(
        staff=staff,
        procedures=[Procedure.ORDER_DEPTH],
        on=local_today(staff.organization.default_timezone),
    )
    if refusal:
        raise ChartRefused("out_of_scope", refusal)
    if max_depth_mm <= area.max_default_mm:
        raise ChartRefused(
            "invalid",
            f"{area.name} may go to {area.max_default_mm} mm without an order; "
            "an order is for deeper than that.",
        )
    if area.order_max_mm is not None and max_depth_mm > area.order_max_mm:
        raise ChartRefused(
            "depth_over_area", f"{area.name} allows at most {area.order_max_mm} mm, even ordered."
        )
    if valid_until < local_today(staff.organization.default_timezone):
        raise ChartRefused("invalid", "The order's end date is in the past.")
    if not reason.strip():
        raise ChartRefused("invalid", "Give the reason for the deeper depth.")
    with transaction.atomic():
        order = DepthOrder.objects.create(
            organization_id=patient.organization_id,
            patient=patient,
            area=area,
            max_depth_mm=max_depth_mm,
            reason=reason.strip(),
            ordered_by=staff,
            ordered_at=timezone.now(),
            valid_until=valid_until,
        )
        audit_record(
            action=AuditAction.CREATE,
            request=request,
            organization=patient.organization,
            obj=order,
            patient=patient,
            detail={"area": area.code, "max_depth_mm": str(max_depth_mm)},
        )
    return order


def _visit_day(record: TreatmentRecord) -> date:
    return record.appointment.starts_at.astimezone(record.appointment.location.zone).date()


def treatment_line_add(
    *,
    record: TreatmentRecord,
    area: TreatmentArea,
    depth_mm: Decimal,
    passes: int,
    technique: str,
    staff: StaffProfile,
    endpoint_reached: bool = False,
    indication: Indication | None = None,
    speed: str = "",
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> tuple[TreatmentLine, str | None]:
    """Chart one treated area. The depth is checked against the area's defaults, the
    medical director's order for deeper work, and the pen's maximum (§1, §8). Returns the
    line and a note (a depth below the area's usual range)."""
    with transaction.atomic():
        locked = _locked(record)
        visit_require(appointment=locked.appointment, performer=staff, now=now)
        if locked.device is None:
            raise ChartRefused(
                "device_missing", "Choose the pen first: its maximum depth limits the chart."
            )
        order = (
            DepthOrder.objects.filter(
                patient_id=locked.patient_id, area=area, valid_until__gte=_visit_day(locked)
            )
            .order_by("-max_depth_mm")
            .first()
        )
        note = depth_check(
            depth_mm,
            area=AreaDepths(area.name, area.min_depth_mm, area.max_default_mm, area.order_max_mm),
            device_max=locked.device.max_depth_mm,
            ordered_max=order.max_depth_mm if order else None,
        )
        line = TreatmentLine.objects.create(
            record=locked,
            area=area,
            indication=indication,
            depth_mm=depth_mm,
            passes=passes,
            technique=technique,
            endpoint_reached=endpoint_reached,
            speed=speed.strip(),
            order=order if depth_mm > area.max_default_mm else None,
        )
        _audit(locked, line, AuditAction.CREATE, request, area=area.code)
    return line, note


def treatment_line_void(
    *, record: TreatmentRecord, line: TreatmentLine, request: HttpRequest | None = None
) -> None:
    """Strike a mistaken line through on an open record; it stays on the chart."""
    with transaction.atomic():
        locked = _locked(record)
        TreatmentLine.objects.filter(pk=line.pk, record=locked, voided_at=None).update(
            voided_at=timezone.now()
        )
        _audit(locked, line, AuditAction.UPDATE, request, voided=True)


@dataclass(frozen=True)
class ProductCharted:
    use: ProductUse
    warnings: list[str]


def product_use_add(
    *,
    record: TreatmentRecord,
    product: Product,
    lot_number: str,
    staff: StaffProfile,
    expires_on: date | None = None,
    areas: str = "",
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> ProductCharted:
    """A product and the lot used (recall). A lot seen for the first time is registered
    with its expiry; an expired or recalled lot is refused. A serum not labelled for
    intradermal use (MN27) is charted with a warning and needs the director's review."""
    lot_number = lot_number.strip().upper()
    if not lot_number:
        raise ChartRefused("invalid", "Scan or type the lot number.")
    if product.organization_id != record.organization_id:
        raise ChartRefused("invalid", "Choose a product of this clinic.")
    today = _visit_day(record)
    with transaction.atomic():
        locked = _locked(record)
        visit_require(appointment=locked.appointment, performer=staff, now=now)
        lot = ProductLot.objects.filter(product=product, lot_number__iexact=lot_number).first()
        if lot is None:
            if expires_on is None:
                raise ChartRefused(
                    "invalid", f"Lot {lot_number} is new here: enter its expiry date too."
                )
            lot = ProductLot.objects.create(
                product=product, lot_number=lot_number, expires_on=expires_on, received_on=today
            )
        if lot.is_recalled:
            raise ChartRefused(
                "product_unusable",
                f"{product.name} lot {lot.lot_number} is recalled: do not use it.",
            )
        if lot.expires_on < today:
            raise ChartRefused(
                "product_unusable",
                f"{product.name} lot {lot.lot_number} expired on {lot.expires_on:%Y-%m-%d}.",
            )
        use = ProductUse.objects.create(
            record=locked, product=product, lot=lot, areas=areas.strip()
        )
        _audit(locked, use, AuditAction.CREATE, request, lot=lot.lot_number)
    warnings = []
    if product.kind == CatalogProductKind.SERUM and not product.labelled_for_intradermal_use:
        warnings.append(
            f"MN27: {product.name} is not labelled for intradermal use. Needling drives it into "
            "the skin (granuloma risk): the medical director reviews this chart."
        )
    return ProductCharted(use, warnings)


def product_use_void(
    *, record: TreatmentRecord, use: ProductUse, request: HttpRequest | None = None
) -> None:
    """Strike a mistaken product through on an open record; it stays on the chart."""
    with transaction.atomic():
        locked = _locked(record)
        ProductUse.objects.filter(pk=use.pk, record=locked, voided_at=None).update(
            voided_at=timezone.now()
        )
        _audit(locked, use, AuditAction.UPDATE, request, voided=True)


def adverse_event_add(
    *,
    record: TreatmentRecord,
    kind: str,
    severity: str,
    action: str,
    staff: StaffProfile,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> AdverseEvent:
    """An adverse event at the session (§10.9); after signing, use an addendum."""
    if not kind.strip() or not action.strip():
        raise ChartRefused("invalid", "Say what happened and what was done.")
    with transaction.atomic():
        locked = _locked(record)
        event = AdverseEvent.objects.create(
            record=locked,
            kind=kind.strip(),
            severity=severity,
            action=action.strip(),
            at=now or timezone.now(),
            by=staff,
        )
        _audit(locked, event, AuditAction.CREATE, request, severity=severity)
    return event


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
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> PrpEvent:
    """A step of a PRP sample at this patient's chart, the tube identified by scanning its
    label (ID4). A tube of anybody else is a hard stop with an incident (ID8); at
    application the scan on the identity-checked chart is the second check (ID5) once the
    patient has stated their name and date of birth against the label
    (`identity_stated`), unless a second clinician confirms with their own credential."""
    _refuse_if_signed(record)
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
        _incident(
            appointment=record.appointment,
            staff=staff,
            sample=sample,
            detail="A tube drawn for another visit was scanned at this chart.",
            request=request,
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
    scanned = _identity(record.patient) if step is Step.APPLY and witness is None else None
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
        request=request,
        now=now,
    )


def record_sign(
    *,
    record: TreatmentRecord,
    staff: StaffProfile,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> TreatmentRecord:
    """The performer signs and locks the record once nothing is missing, and the visit is
    complete. A performer whose licence may not sign alone (the scope table: RNs work on
    the LIP's order, §8) leaves it waiting for the medical director's co-signature."""
    from needlepoint.clinical.selectors import record_sign_facts

    if staff.role not in CLINICAL:
        raise ChartRefused("forbidden", "Only a clinician signs a treatment record.")
    with transaction.atomic():
        locked = _locked(record)
        now = now or timezone.now()
        visit_require(appointment=locked.appointment, performer=staff, now=now)
        missing = sign_blockers(record_sign_facts(locked))
        if missing:
            raise ChartRefused("record_incomplete", " ".join(missing))
        locked.status = RecordStatus.SIGNED
        locked.signed_at = now
        locked.signed_by = staff
        locked.cosign_required = (
            staff_scope_refusal(
                staff=staff, procedures=[Procedure.SIGN_ALONE], on=_visit_day(locked)
            )
            is not None
        )
        locked.save(
            update_fields=["status", "signed_at", "signed_by", "cosign_required", "updated_at"]
        )
        Appointment.objects.filter(
            pk=locked.appointment_id, status=AppointmentStatus.CHECKED_IN
        ).update(status=AppointmentStatus.COMPLETED)
        _audit(locked, locked, AuditAction.UPDATE, request, signed=True)
    return locked


def record_cosign(
    *,
    record: TreatmentRecord,
    staff: StaffProfile,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> TreatmentRecord:
    """The medical director co-signs a signed record that needs it."""
    if staff.role != Role.MEDICAL_DIRECTOR:
        raise ChartRefused("forbidden", "Only the medical director co-signs.")
    with transaction.atomic():
        locked = TreatmentRecord.objects.select_for_update().get(pk=record.pk)
        if locked.status != RecordStatus.SIGNED or not locked.cosign_required:
            raise ChartRefused("invalid", "This record is not waiting for a co-signature.")
        if locked.signed_by_id == staff.pk:
            raise ChartRefused("invalid", "The performer cannot co-sign their own record.")
        locked.status = RecordStatus.COSIGNED
        locked.cosigned_at = now or timezone.now()
        locked.cosigned_by = staff
        locked.save(update_fields=["status", "cosigned_at", "cosigned_by", "updated_at"])
        _audit(locked, locked, AuditAction.UPDATE, request, cosigned=True)
    return locked


def addendum_add(
    *,
    record: TreatmentRecord,
    text: str,
    staff: StaffProfile,
    request: HttpRequest | None = None,
) -> Addendum:
    """A dated note on a signed record; the record itself stays as signed."""
    text = text.strip()
    if not text:
        raise ChartRefused("invalid", "Write the addendum first.")
    if len(text) > 2000:
        raise ChartRefused("invalid", "Keep an addendum under 2,000 characters.")
    with transaction.atomic():
        locked = TreatmentRecord.objects.select_for_update().get(pk=record.pk)
        if not locked.is_locked:
            raise ChartRefused("invalid", "The record is still open: change it directly.")
        addendum = Addendum.objects.create(record=locked, text=text, by=staff, at=timezone.now())
        _audit(locked, addendum, AuditAction.CREATE, request)
    return addendum


@dataclass(frozen=True)
class CopiedForward:
    copied: int
    skipped: list[str]


def record_copy_forward(
    *, record: TreatmentRecord, staff: StaffProfile, request: HttpRequest | None = None
) -> CopiedForward:
    """Start this session's areas from the previous session's (depth, passes, technique,
    indication, speed); each line is checked again as if typed, so one that needs an order
    that has lapsed is left out with the reason. Products are not copied: lots change."""
    from needlepoint.clinical.selectors import record_previous

    visit_require(appointment=record.appointment, performer=staff)
    previous = record_previous(record)
    if previous is None:
        raise ChartRefused("invalid", "There is no earlier signed session to copy from.")
    if record.lines.filter(voided_at=None).exists():
        raise ChartRefused("invalid", "Areas are already charted for this session.")
    copied, skipped = 0, []
    for line in previous.lines.filter(voided_at=None).select_related("area", "indication"):
        try:
            treatment_line_add(
                record=record,
                area=line.area,
                depth_mm=line.depth_mm,
                passes=line.passes,
                technique=line.technique,
                indication=line.indication,
                speed=line.speed,
                staff=staff,
                request=request,
            )
        except ChartRefused as refused:
            if refused.code in ("record_locked", "device_missing"):
                raise
            skipped.append(f"{line.area.name}: {refused.message}")
        else:
            copied += 1
    with transaction.atomic():
        TreatmentRecord.objects.filter(pk=record.pk).update(copied_from=previous)
    record.copied_from = previous
    return CopiedForward(copied, skipped)


# --- Outcomes (DOMAIN.md §7) ------------------------------------------------------------------


OUTCOME_NOTE_MAX = 300  # Outcome.note's max_length


def _outcome_zone(patient: Patient, record: TreatmentRecord | None) -> ZoneInfo:
    """Where "today" is: the visit's location, else the patient's preferred location,
    else the clinic's default zone."""
    from needlepoint.clinical.selectors import patient_zone

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
    request: HttpRequest | None = None,
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
            request=request,
            organization=staff.organization,
            obj=outcome,
            patient=patient,
            detail={"record": str(record.public_id)} if record else {"follow_up": True},
        )
    return outcome


# --- Photos (DOMAIN.md §7; SECURITY.md D3-D5, I2) -----------------------------------------


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
    request: HttpRequest | None = None,
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
                request=request,
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
    request: HttpRequest | None = None,
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
                request=request,
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
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> Photo:
    """Mark a photo fit for marketing, only while the patient's own marketing-photo
    authorization is in force (SECURITY.md I2: separate from treatment consent). The
    marketing list checks the authorization again on every read, so a withdrawal ends
    the photo's marketing use at once."""
    from needlepoint.intake.consents import marketing_photos_authorized

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
            request=request,
            organization=staff.organization,
            obj=locked,
            patient=photo.patient,
            detail={"marketing": "approved"},
        )
    photo.marketing_approved_at = now
    return photo
