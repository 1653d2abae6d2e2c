"""One session at the chair: a checked-in visit charted from the identity check to the
signature (photos, PRP, anaesthetic, pen and cartridge, areas, outcome)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Product, ProductKind, TreatmentArea
from needlepoint.clinical.chart import AFTERCARE_VERSION, ChartRefused
from needlepoint.clinical.custody import CustodyRefused, Identity, Step
from needlepoint.clinical.models import Technique, TreatmentRecord
from needlepoint.clinical.services import (
    adverse_event_add,
    anaesthetic_record,
    cartridge_use,
    outcome_record,
    photo_add,
    product_use_add,
    prp_sample_draw,
    prp_step_by_scan,
    record_identity_check,
    record_sign,
    record_update,
    treatment_line_add,
    treatment_record_start,
)
from needlepoint.demo.charts.common import full_name, local_start
from needlepoint.demo.charts.lots import cartridge_lot, lot_for
from needlepoint.demo.charts.photos import CAMERA, face_photo
from needlepoint.resources.models import Device, DeviceKind, DeviceStatus
from needlepoint.scheduling.availability import DEVICE
from needlepoint.scheduling.models import Appointment

TREATED_AREAS = ("acne_scar_targets", "cheeks", "forehead", "neck", "jawline_chin", "perioral")
"""The areas a demo session charts, the first three its service treats."""


@dataclass(frozen=True)
class Adverse:
    kind: str
    severity: str
    action: str


@dataclass
class Session:
    """What happens at one visit besides the routine: the incidents, and the scores."""

    index: int = 0  # which session of the series (0: the first)
    mismatch_at_chair: bool = False
    mismatch_at_draw: bool = False
    wrong_tube: str = ""  # the code of an earlier visit's tube, scanned here by mistake
    adverse: Adverse | None = None
    anaesthetic: str = "BLT numbing cream (benzocaine 20%, lidocaine 6%, tetracaine 4%)"
    outcomes: dict[str, int] = field(default_factory=dict)
    indication: str = ""


def _held_pen(appointment: Appointment) -> Device:
    """The pen the booking held, else the location's first pen in service."""
    keys = appointment.holds.filter(
        is_active=True, resource_key__startswith=f"{DEVICE}:"
    ).values_list("resource_key", flat=True)
    pens = Device.objects.filter(
        location=appointment.location, kind=DeviceKind.PEN, status=DeviceStatus.IN_SERVICE
    )
    held = pens.filter(pk__in=[int(key.split(":", 1)[1]) for key in keys]).first()
    return held or pens.order_by("name").first()  # type: ignore[return-value]


def _depth(area: TreatmentArea, session: int) -> Decimal:
    """A little deeper each session, within the area's defaults (no order needed)."""
    span = area.max_default_mm - area.min_depth_mm
    step = min(Decimal("1"), Decimal("0.5") + Decimal("0.25") * session)
    depth = area.min_depth_mm + span * step
    return (depth / Decimal("0.05")).quantize(Decimal("1")) * Decimal("0.05")


def _photo(record: TreatmentRecord, stage: str, session: Session, staff: StaffProfile,
           at: datetime) -> None:  # fmt: skip
    patient = record.patient
    photo_add(
        record=record,
        view="frontal",
        stage=stage,
        data=face_photo(
            fitzpatrick=patient.fitzpatrick_type or 3,
            view="frontal",
            stage=stage,
            session=session.index,
            seed=patient.pk,
        ),
        staff=staff,
        capture=CAMERA,
        now=at,
    )


def _product(record: TreatmentRecord, product: Product, staff: StaffProfile, at: datetime,
             today: date) -> None:  # fmt: skip
    lot, expires = lot_for(product, at.date(), today)
    product_use_add(
        record=record, product=product, lot_number=lot, expires_on=expires, staff=staff, now=at
    )


def chart_session(
    appointment: Appointment, *, performer: StaffProfile, session: Session, today: date
) -> TreatmentRecord:
    """Chart a checked-in visit from start to signature, each step at its minute of the
    visit, the way the chart page would: identity, a baseline photo, (the blood drawn and
    spun), the anaesthetic and its lot, the pen and a scanned cartridge, a few areas, (the
    PRP applied, or a serum), the after photo, post-care, an outcome, the signature."""
    t0 = local_start(appointment)
    patient, service = appointment.patient, appointment.service
    organization = appointment.organization

    def at(minutes: int) -> datetime:
        return t0 + timedelta(minutes=minutes)

    record, _ = treatment_record_start(appointment=appointment, staff=performer, now=at(0))
    if session.mismatch_at_chair:  # the patient in the chair is not the one on the chart
        with contextlib.suppress(ChartRefused):  # refused; the incident is recorded
            record_identity_check(
                record=record,
                full_name=full_name(patient),
                date_of_birth=patient.date_of_birth + timedelta(days=365),
                staff=performer,
                now=at(1),
            )
    record_identity_check(
        record=record,
        full_name=full_name(patient),
        date_of_birth=patient.date_of_birth,
        staff=performer,
        now=at(2),
    )
    record.refresh_from_db()
    _photo(record, "before", session, performer, at(3))
    start = 0
    if service.uses_prp:
        if session.mismatch_at_draw:  # a label printed for someone else: caught, not drawn
            with contextlib.suppress(CustodyRefused):
                prp_sample_draw(
                    appointment=appointment,
                    identity=Identity(f"Maria {patient.last_name}", patient.date_of_birth),
                    staff=performer,
                    now=at(4),
                )
        identity = Identity(full_name(patient), patient.date_of_birth)
        sample = prp_sample_draw(
            appointment=appointment, identity=identity, staff=performer, now=at(5)
        ).sample
        spin = {"step": Step.SPIN, "g_force": 1500, "minutes": 10}
        if session.wrong_tube:  # an earlier visit's tube picked up by mistake: a hard stop
            with contextlib.suppress(CustodyRefused):
                prp_step_by_scan(
                    record=record, code=session.wrong_tube, staff=performer, now=at(9), **spin
                )
        prp_step_by_scan(record=record, code=sample.code, staff=performer, now=at(10), **spin)
        prp_step_by_scan(
            record=record,
            code=sample.code,
            step=Step.EXTRACT,
            staff=performer,
            volume_ml=Decimal("4.5"),
            now=at(21),
        )
        start = 25
    anaesthetic = Product.objects.get(organization=organization, name=session.anaesthetic)
    lot, expires = lot_for(anaesthetic, t0.date(), today)
    anaesthetic_record(
        record=record,
        staff=performer,
        none_used=False,
        product=anaesthetic,
        lot_number=lot,
        lot_expires_on=expires,
        applied_at=at(start + 4),
        removed_at=at(start + 32),
        now=at(start + 33),
    )
    t = start + 34
    pen = _held_pen(appointment)
    record_update(
        record=record, staff=performer, changes={"device": pen, "sheath_used": True}, now=at(t)
    )
    lot, expires = cartridge_lot(pen, t0.date(), today)
    cartridge_use(
        record=record,
        lot=lot,
        serial=f"{lot[:3]}{appointment.pk:05d}{record.pk:04d}",
        expires_on=expires,
        staff=performer,
        now=at(t + 1),
    )
    indication = service.indications.filter(code=session.indication).first()
    areas = {area.code: area for area in service.areas.all()}
    treated = [areas[code] for code in TREATED_AREAS if code in areas][:3]
    for number, area in enumerate(treated):
        treatment_line_add(
            record=record,
            area=area,
            depth_mm=_depth(area, session.index),
            passes=3,
            technique=Technique.STAMP if area.code == "acne_scar_targets" else Technique.GLIDE,
            endpoint_reached=True,
            indication=indication,
            speed="10",
            staff=performer,
            now=at(t + 5 + 8 * number),
        )
    t += 6 + 8 * len(treated)
    if service.uses_prp:
        prp_step_by_scan(
            record=record,
            code=sample.code,
            step=Step.APPLY,
            staff=performer,
            identity_stated=True,
            area="Whole face, after the last pass",
            now=at(t),
        )
    else:
        serum = Product.objects.filter(
            organization=organization, kind=ProductKind.SERUM, labelled_for_intradermal_use=True
        ).first()
        if serum is not None:
            _product(record, serum, performer, at(t), today)
    if session.adverse is not None:
        adverse_event_add(
            record=record,
            kind=session.adverse.kind,
            severity=session.adverse.severity,
            action=session.adverse.action,
            staff=performer,
            now=at(t + 2),
        )
    _photo(record, "after", session, performer, at(t + 4))
    record_update(
        record=record,
        staff=performer,
        changes={
            "pain_vas": 3 + session.index % 2,
            "immediate_response": "Even erythema; pinpoint bleeding at the endpoint only.",
            "aftercare_version": AFTERCARE_VERSION,
            "waste_disposed": True,
        },
        now=at(t + 6),
    )
    if session.outcomes:
        outcome_record(
            patient=patient,
            staff=performer,
            assessed_on=t0.date(),
            indication=indication,
            record=record,
            now=at(t + 7),
            **session.outcomes,
        )
    return record_sign(record=record, staff=performer, now=at(t + 8))
