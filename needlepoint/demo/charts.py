"""The demo clinic's charts: today's visits at each open location and months of signed
sessions before them, made by the same services the chair uses. Every visit takes the
honest path through the readiness gate (answers → consents → check-in → chart → identity
→ … → sign), each step at its own moment (`now`), so the rows are what the product makes.

- **Today**, at each location open today: a visit checked in and ready to chart (PRP when
  someone trained for it works there today), one whose screening waits for the medical
  director's review (not checked in), and one charted and signed earlier in the day.
- **History**: a few patients' series, sessions about four weeks apart, with photos,
  outcomes, cartridge and product lots, co-signatures (the latest RN-signed session of each
  series still waits for one), and the incidents a clinic meets: identifiers that did not
  match, a tube of an earlier visit scanned at a chart, adverse events, and the medical
  director's approval of a screening that needed review.

Imported by `demo.loader`, which gives the clinic, its staff and patients first.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFilter

from needlepoint.accounts.models import StaffProfile
from needlepoint.catalog.models import Product, ProductKind, ProductLot, Service, TreatmentArea
from needlepoint.clinical.chart import AFTERCARE_VERSION, ChartRefused
from needlepoint.clinical.custody import CustodyRefused, Identity, Step
from needlepoint.clinical.gate import appointment_check_in
from needlepoint.clinical.models import PrpSample, Technique, TreatmentRecord
from needlepoint.clinical.services import (
    adverse_event_add,
    anaesthetic_record,
    cartridge_use,
    outcome_record,
    photo_add,
    product_use_add,
    prp_sample_draw,
    prp_step_by_scan,
    record_cosign,
    record_identity_check,
    record_sign,
    record_update,
    treatment_line_add,
    treatment_record_start,
)
from needlepoint.core.models import Organization
from needlepoint.intake.consents import consent_missing, consent_sign
from needlepoint.intake.models import ReviewScope, ScreeningStatus
from needlepoint.intake.selectors import questionnaire_current, screening_current
from needlepoint.intake.services import (
    default_questionnaire,
    questionnaire_submit,
    screening_decide,
)
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Closure, Device, DeviceKind, DeviceStatus, Location
from needlepoint.scheduling.availability import DEVICE
from needlepoint.scheduling.models import HOLDING_STATUSES, Appointment
from needlepoint.scheduling.selectors import SlotOffer, availability_get
from needlepoint.scheduling.services import BookingRuleError, SlotUnavailable, appointment_book

CHARTS_RANDOM_SEED = 2027
TREATED_AREAS = ("acne_scar_targets", "cheeks", "forehead", "neck", "jawline_chin", "perioral")
"""The areas a demo session charts, the first three its service treats."""
PRP_LABS = {"platelet_count_per_ul": 245_000, "hemoglobin_g_dl": 13.6}
"""Recent lab values in range, as the clinic enters them for a PRP visit (PRP03, PRP07)."""


# --- Answers and signatures --------------------------------------------------------------


def healthy_answers(rng: random.Random, *, fitzpatrick: int | None = None) -> dict[str, object]:
    """A patient with nothing any rule picks up."""
    answers: dict[str, object] = {}
    for section in default_questionnaire()["sections"]:
        for question in section["questions"]:
            kind = question["kind"]
            answers[question["code"]] = {
                "yes_no": False,
                "date_or_never": "never",
                "choice": "none",
                "fitzpatrick": fitzpatrick or rng.choice([2, 3, 3, 4]),
            }[kind]
    answers["accepts_prp_risks"] = True
    return answers


def scribble(rng: random.Random) -> bytes:
    """A drawn signature for the demo's signed consents."""
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    points = [(30 + 60 * n, rng.randint(50, 160)) for n in range(10)]
    ImageDraw.Draw(image).line(points, fill=(20, 24, 31, 255), width=4)
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


# --- Photos --------------------------------------------------------------------------------

SKIN_TONES = {
    1: (246, 222, 205),
    2: (236, 201, 176),
    3: (214, 172, 138),
    4: (184, 137, 102),
    5: (141, 97, 66),
    6: (96, 64, 44),
}


def face_photo(*, fitzpatrick: int, view: str, stage: str, session: int, seed: int) -> bytes:
    """A plain drawn face against a studio backdrop: skin tone by Fitzpatrick type, the
    features turned for an oblique view, fewer marks each session, and the even redness of
    a just-needled face on an "after" photo. JPEG, as a tablet camera sends it."""
    rng = random.Random(seed)  # noqa: S311 - demo drawing, not security
    width, height = 480, 600
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):  # backdrop: a soft blue-grey gradient
        shade = 196 - y * 40 // height
        draw.line([(0, y), (width, y)], fill=(shade - 12, shade - 4, shade + 8))
    turn = {"left_oblique": -48, "right_oblique": 48}.get(view, 0)
    cx, cy = width // 2 + turn // 3, height // 2 - 10
    skin = SKIN_TONES.get(fitzpatrick, SKIN_TONES[3])
    draw.rectangle([cx - 70, cy + 170, cx + 70, height], fill=tuple(c - 18 for c in skin))
    draw.ellipse([cx - 150, cy - 200, cx + 150, cy + 200], fill=skin)
    draw.chord([cx - 160, cy - 230, cx + 160, cy + 10], 180, 360, fill=(58, 40, 30))  # hair
    for side in (-1, 1):
        ex = cx + turn + side * (62 if turn == 0 else 52 + side * turn // 4)
        draw.ellipse([ex - 24, cy - 32, ex + 24, cy - 12], fill=(250, 250, 248))
        draw.ellipse([ex - 9, cy - 31, ex + 9, cy - 13], fill=(70, 52, 40))
        draw.line([(ex - 30, cy - 54), (ex + 28, cy - 58)], fill=(70, 50, 38), width=5)
    nose = cx + turn
    draw.line(
        [(nose, cy - 10), (nose + turn // 6 - 8, cy + 52), (nose + 10, cy + 56)],
        fill=tuple(c - 40 for c in skin),
        width=4,
    )
    draw.arc([nose - 52, cy + 70, nose + 52, cy + 120], 15, 165, fill=(150, 70, 70), width=6)
    marks = max(3, 26 - 6 * session)  # scars and spots fade over the series
    for _ in range(marks):
        mx = cx + rng.randint(-110, 110)
        my = cy + rng.randint(-10, 140)
        r = rng.randint(3, 6)
        draw.ellipse([mx - r, my - r, mx + r, my + r], fill=tuple(c - 35 for c in skin))
    if stage == "after":
        flush = Image.new("RGB", image.size, (222, 84, 84))
        mask = Image.new("L", image.size, 0)
        ImageDraw.Draw(mask).ellipse([cx - 140, cy - 120, cx + 140, cy + 190], fill=70)
        image = Image.composite(flush, image, mask.filter(ImageFilter.GaussianBlur(18)))
    out = BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


# --- Lots ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Lot:
    """A lot as the demo charts it: in stock from `received_days_ago`, expiring after
    `expires_in_days` (negative: expired since, used while it was good)."""

    number: str
    received_days_ago: int
    expires_in_days: int


# Cartridges by pen make: older lots for older sessions, registered at their first use.
CARTRIDGE_LOTS: dict[str, tuple[Lot, ...]] = {
    "Crown Aesthetics": (
        Lot("SPC-2505-0318", 400, -12),
        Lot("SPC-2508-0744", 110, 240),
        Lot("SPC-2510-1021", 40, 420),
    ),
    "Rejuvapen": (Lot("RJC-25-0417", 400, 60), Lot("RJC-25-0932", 75, 380)),
}
# Product lots older than the demo's current stock (`demo.loader.PRODUCTS`), registered the
# first time a chart uses them, with their expiry.
EARLIER_PRODUCT_LOTS: dict[str, tuple[Lot, ...]] = {
    "Hyaluronic acid serum (sterile, single-use vial)": (Lot("HA-25-0688", 400, -20),),
    "BLT numbing cream (benzocaine 20%, lidocaine 6%, tetracaine 4%)": (
        Lot("DCC-BLT-2503", 400, -35),
    ),
    "Lidocaine 4% cream": (Lot("L4C-24102", 400, 30),),
}


def _lot_for(product: Product, day: date, today: date) -> tuple[str, date | None]:
    """The lot on the shelf on `day`: the most recently received one that was in stock,
    not expired and not recalled; returns its number and, for a lot the clinic has not
    registered yet, its expiry."""
    shelf: list[tuple[date, str, date, bool]] = [
        (lot.received_on or today, lot.lot_number, lot.expires_on, True)
        for lot in ProductLot.objects.filter(product=product, is_recalled=False)
    ]
    shelf += [
        (
            today - timedelta(days=lot.received_days_ago),
            lot.number,
            today + timedelta(days=lot.expires_in_days),
            False,
        )
        for lot in EARLIER_PRODUCT_LOTS.get(product.name, ())
        if not ProductLot.objects.filter(product=product, lot_number=lot.number).exists()
    ]
    usable = [row for row in shelf if row[0] <= day <= row[2]] or [
        row for row in shelf if row[2] >= day
    ]
    _received, number, expires, registered = max(usable)
    return number, None if registered else expires


def _cartridge_lot(pen: Device, day: date, today: date) -> tuple[str, date]:
    lots = CARTRIDGE_LOTS.get(pen.make) or CARTRIDGE_LOTS["Crown Aesthetics"]
    usable = [
        lot
        for lot in lots
        if today - timedelta(days=lot.received_days_ago)
        <= day
        <= today + timedelta(days=lot.expires_in_days)
    ]
    lot = max(usable or lots, key=lambda lot: -lot.received_days_ago)
    return lot.number, today + timedelta(days=lot.expires_in_days)


# --- One session at the chair ------------------------------------------------------------


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


@dataclass
class Cast:
    """The demo's staff by username."""

    staff: dict[str, StaffProfile]

    def __getitem__(self, username: str) -> StaffProfile:
        return self.staff[username]

    def desk_at(self, location: Location, fallback: StaffProfile) -> StaffProfile:
        desk = self.staff.get("frontdesk")
        if desk is not None and desk.locations.filter(pk=location.pk).exists():
            return desk
        return fallback


def _cast(organization: Organization) -> Cast:
    profiles = StaffProfile.objects.filter(organization=organization).select_related("user")
    return Cast({profile.user.username: profile for profile in profiles})


def _local(appointment: Appointment) -> datetime:
    return appointment.starts_at.astimezone(appointment.location.zone)


def _full_name(patient: Patient) -> str:
    return f"{patient.first_name} {patient.last_name}"


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


def screening_ready(
    appointment: Appointment,
    *,
    rng: random.Random,
    answered_at: datetime,
    director: StaffProfile,
    extra: dict[str, object] | None = None,
    approve: bool = True,
) -> None:
    """Health answers on file for the visit (unless the ones on file already screen it),
    and every consent the service needs signed; a screening that needs review is approved
    by the medical director for the series, unless `approve` is off."""
    patient = appointment.patient
    if screening_current(appointment=appointment) is None or extra:
        answers = healthy_answers(rng, fitzpatrick=min(patient.fitzpatrick_type or 3, 4))
        if appointment.service.uses_prp:
            answers.update(PRP_LABS)
        answers.update(extra or {})
        questionnaire_submit(
            patient=patient,
            questionnaire=questionnaire_current(organization=appointment.organization),
            answers=answers,
            channel="link",
            appointment=appointment,
            now=answered_at,
        )
    screening = screening_current(appointment=appointment)
    if approve and screening is not None and screening.status == ScreeningStatus.NEEDS_REVIEW:
        screening_decide(
            screening=screening,
            staff=director,
            approve=True,
            reason="Went through the answers with the patient by phone: nothing that rules "
            "the treatment out. Go ahead at standard depths; screen again if anything changes.",
            scope=ReviewScope.SERIES,
            now=answered_at + timedelta(hours=1),
        )
    day = _local(appointment).date()
    for document in consent_missing(patient=patient, service=appointment.service, on=day):
        consent_sign(
            patient=patient,
            document=document,
            typed_name=_full_name(patient),
            signature_png=scribble(rng),
            appointment=appointment,
            now=answered_at + timedelta(minutes=5),  # by the link, with the answers
            notify=False,
        )


def check_in(appointment: Appointment, *, desk: StaffProfile, at: datetime) -> Appointment:
    return appointment_check_in(appointment=appointment, answers_unchanged=True, staff=desk, now=at)


CAMERA = {
    "source": "camera",
    "camera_label": "Treatment room tablet, rear camera",
    "facing_mode": "environment",
    "track_width": 480,
    "track_height": 600,
}


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
    lot, expires = _lot_for(product, at.date(), today)
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
    t0 = _local(appointment)
    patient, service = appointment.patient, appointment.service
    organization = appointment.organization

    def at(minutes: int) -> datetime:
        return t0 + timedelta(minutes=minutes)

    record, _ = treatment_record_start(appointment=appointment, staff=performer, now=at(0))
    if session.mismatch_at_chair:  # the patient in the chair is not the one on the chart
        with contextlib.suppress(ChartRefused):  # refused; the incident is recorded
            record_identity_check(
                record=record,
                full_name=_full_name(patient),
                date_of_birth=patient.date_of_birth + timedelta(days=365),
                staff=performer,
                now=at(1),
            )
    record_identity_check(
        record=record,
        full_name=_full_name(patient),
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
        identity = Identity(_full_name(patient), patient.date_of_birth)
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
    lot, expires = _lot_for(anaesthetic, t0.date(), today)
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
    lot, expires = _cartridge_lot(pen, t0.date(), today)
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


# --- Booking -------------------------------------------------------------------------------


def _night_before(day: date, location: Location) -> datetime:
    return datetime.combine(day - timedelta(days=1), clock(18), tzinfo=location.zone)


def _offers(
    location: Location, service: Service, day: date, practitioner: StaffProfile | None
) -> list[SlotOffer]:
    return availability_get(
        location=location,
        service=service,
        first_day=day,
        last_day=day,
        now=_night_before(day, location),
        practitioner=practitioner,
    )


def book(
    *,
    location: Location,
    service: Service,
    patient: Patient,
    offer: SlotOffer,
    source: str = "phone",
    key: str = "",
) -> Appointment | None:
    """Book an offer the evening before its day, as the front desk would (`key`: the
    booking's idempotency key)."""
    day = offer.start.astimezone(location.zone).date()
    try:
        return appointment_book(
            location=location,
            service=service,
            start=offer.start,
            patient=patient,
            practitioner=offer.practitioner,
            source=source,
            idempotency_key=key,
            now=_night_before(day, location),
            notify=False,
        )
    except (SlotUnavailable, BookingRuleError):
        return None


def _open_on(location: Location, day: date) -> bool:
    closed = Closure.objects.filter(location=location, starts_on__lte=day, ends_on__gte=day)
    return location.opening_hours.filter(weekday=day.weekday()).exists() and not closed.exists()


# --- History -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesSpec:
    """One patient's series: where, what, by whom, and what happened at which session."""

    location: str
    service: str
    performer: str
    indication: str
    scale: str  # the outcome scale the series follows besides GAIS and satisfaction
    sessions: int = 3
    ends_days_ago: int = 6  # the latest session, days before today
    anaesthetic: str = "BLT numbing cream (benzocaine 20%, lidocaine 6%, tetracaine 4%)"
    isotretinoin_stopped_days_before: int | None = None
    mismatch_at_chair: tuple[int, ...] = ()
    mismatch_at_draw: tuple[int, ...] = ()
    wrong_tube: tuple[int, ...] = ()  # sessions at which the previous visit's tube is scanned
    adverse: dict[int, Adverse] = field(default_factory=dict)


SERIES: tuple[SeriesSpec, ...] = (
    SeriesSpec(
        "northeast-heights",
        "micro-needling-prp-face",
        "practitioner",
        "acne_scars",
        "goodman_baron",
        mismatch_at_draw=(2,),
        wrong_tube=(1,),
        adverse={
            1: Adverse(
                "Vasovagal episode after the blood draw (pale, light-headed, no loss of "
                "consciousness)",
                "moderate",
                "Reclined with legs raised, water given; recovered in 5 minutes and the "
                "session went ahead.",
            )
        },
    ),
    SeriesSpec(
        "nob-hill",
        "micro-needling-face-neck",
        "sam",
        "fine_lines",
        "",
        ends_days_ago=13,
        mismatch_at_chair=(1,),
        adverse={
            2: Adverse(
                "Pinpoint bleeding on the neck beyond the expected endpoint",
                "mild",
                "Pressure with sterile gauze; settled within 10 minutes. Neck depth kept at "
                "the lower setting next time.",
            )
        },
    ),
    SeriesSpec(
        "northeast-heights",
        "micro-needling-acne-scars",
        "priya",
        "acne_scars",
        "goodman_baron",
        ends_days_ago=47,
        anaesthetic="Lidocaine 4% cream",
    ),
    SeriesSpec(
        "nob-hill",
        "micro-needling-face",
        "director",
        "fine_lines",
        "",
        ends_days_ago=20,
        isotretinoin_stopped_days_before=130,
    ),
)
SERIES_GAP_DAYS = 29
"""Sessions about four weeks apart: just over the services' 28-day minimum interval."""


def _scores(spec: SeriesSpec, index: int) -> dict[str, int]:
    """Outcomes that improve over the series; the first session is the baseline."""
    scores: dict[str, int] = {}
    if spec.scale == "goodman_baron":
        scores["goodman_baron"] = max(2, 3 - index // 2)
    if index > 0:
        scores["gais_clinician"] = max(1, 4 - index)
        scores["gais_subject"] = max(1, 4 - index + (index == 1))
        scores["satisfaction"] = min(10, 5 + 2 * index)
    return scores


def _history_patients(organization: Organization, today: date, count: int) -> list[Patient]:
    """Patients with no visit of any kind yet, registered long enough ago for a series."""
    return list(
        Patient.objects.filter(
            organization=organization,
            is_archived=False,
            merged_into__isnull=True,
            created_at__date__lte=today - timedelta(days=100),
        )
        .exclude(pk__in=Appointment.objects.values("patient_id"))
        .order_by("created_at", "pk")[:count]
    )


def load_history(organization: Organization, today: date, *, now: datetime) -> None:
    """Months of signed sessions for a few patients (once per database)."""
    if TreatmentRecord.objects.filter(
        organization=organization, appointment__starts_at__date__lt=today
    ).exists():
        return
    rng = random.Random(CHARTS_RANDOM_SEED)  # noqa: S311 - demo data, not security
    cast = _cast(organization)
    locations = {loc.slug: loc for loc in Location.objects.filter(organization=organization)}
    services = {s.slug: s for s in Service.objects.filter(organization=organization)}
    patients = _history_patients(organization, today, len(SERIES))
    for spec, patient in zip(SERIES, patients, strict=False):
        location, service = locations[spec.location], services[spec.service]
        performer = cast[spec.performer]
        first = max(
            patient.created_at.astimezone(location.zone).date() + timedelta(days=7),
            today - timedelta(days=spec.ends_days_ago + SERIES_GAP_DAYS * (spec.sessions - 1)),
        )
        extra: dict[str, object] = {}
        if spec.isotretinoin_stopped_days_before is not None:
            stopped = first - timedelta(days=spec.isotretinoin_stopped_days_before)
            extra["isotretinoin_last_dose"] = stopped.isoformat()
        records: list[TreatmentRecord] = []
        day, previous_tube = first, ""
        for index in range(spec.sessions):
            appointment = _book_first_open(location, service, patient, performer, day, today)
            if appointment is None:
                break
            t0 = _local(appointment)
            screening_ready(
                appointment,
                rng=rng,
                answered_at=_night_before(t0.date(), location) + timedelta(hours=1),
                director=cast["director"],
                extra=extra if index == 0 else None,
            )
            appointment = check_in(
                appointment,
                desk=cast.desk_at(location, performer),
                at=t0 - timedelta(minutes=10),
            )
            session = Session(
                index=index,
                mismatch_at_chair=index in spec.mismatch_at_chair,
                mismatch_at_draw=index in spec.mismatch_at_draw,
                wrong_tube=previous_tube if index in spec.wrong_tube else "",
                adverse=spec.adverse.get(index),
                anaesthetic=spec.anaesthetic,
                outcomes=_scores(spec, index),
                indication=spec.indication,
            )
            records.append(
                chart_session(appointment, performer=performer, session=session, today=today)
            )
            tube = PrpSample.objects.filter(appointment=appointment).first()
            previous_tube = tube.code if tube else ""
            day = t0.date() + timedelta(days=SERIES_GAP_DAYS)
        # The director co-signs all but the latest of a nurse's sessions.
        for record in records[:-1]:
            record.refresh_from_db()
            cosign_at = record.signed_at + timedelta(days=2)
            if record.cosign_required and cosign_at < now:
                record_cosign(record=record, staff=cast["director"], now=cosign_at)
        if records and records[-1].signed_at:
            follow_up = records[-1].signed_at.astimezone(location.zone).date() + timedelta(days=30)
            if follow_up < today:
                outcome_record(
                    patient=patient,
                    staff=performer,
                    assessed_on=follow_up,
                    gais_subject=1,
                    satisfaction=9,
                    note="One-month follow-up by phone and portal photos.",
                    now=datetime.combine(follow_up, clock(11), tzinfo=location.zone),
                )


def _book_first_open(
    location: Location,
    service: Service,
    patient: Patient,
    performer: StaffProfile,
    day: date,
    today: date,
) -> Appointment | None:
    """The first morning slot with the performer on or after `day` (before today)."""
    while day < today:
        if _open_on(location, day):
            for offer in _offers(location, service, day, performer)[:6]:
                appointment = book(location=location, service=service, patient=patient, offer=offer)
                if appointment is not None:
                    return appointment
        day += timedelta(days=1)
    return None


# --- Today ---------------------------------------------------------------------------------

ISOTRETINOIN_STOPPED_DAYS_AGO = 90
"""Today's visit that waits for review: isotretinoin stopped three months ago (MN10)."""


def _busy_patient_ids(organization: Organization, today: date) -> set[int]:
    """Patients with a treatment within the series interval of today, or any visit ahead:
    booking today would clash, or their answers would screen other visits."""
    window = Q(
        starts_at__date__gt=today - timedelta(days=35),
        starts_at__date__lt=today + timedelta(days=35),
        service__kind="treatment",
    )
    return set(
        Appointment.objects.filter(organization=organization, status__in=HOLDING_STATUSES)
        .filter(window | Q(starts_at__date__gte=today))
        .values_list("patient_id", flat=True)
    )


def _today_patients(organization: Organization, today: date) -> list[Patient]:
    """Patients free today: newest first (new patients come for a first treatment)."""
    busy = _busy_patient_ids(organization, today)
    return list(
        Patient.objects.filter(
            organization=organization,
            is_archived=False,
            merged_into__isnull=True,
            created_at__date__lt=today,
        )
        .exclude(pk__in=busy)
        .order_by("-created_at", "-pk")
    )


def _prefer(offers: Iterable[SlotOffer], staff: StaffProfile | None) -> list[SlotOffer]:
    offers = list(offers)
    return [o for o in offers if staff and o.practitioner == staff] or offers


def load_today(organization: Organization, today: date, *, now: datetime) -> None:
    """Three visits at each location open today (once a day: their idempotency keys name
    the day and the location): one signed earlier, one checked in and ready to chart, one
    whose screening waits for the medical director's review."""
    rng = random.Random(CHARTS_RANDOM_SEED + today.toordinal())  # noqa: S311 - demo data
    cast = _cast(organization)
    services = {s.slug: s for s in Service.objects.filter(organization=organization)}
    face, prp = services["micro-needling-face"], services["micro-needling-prp-face"]
    patients = _today_patients(organization, today)
    for location in Location.objects.filter(organization=organization).order_by("slug"):
        if not _open_on(location, today):
            continue
        key = f"demo-day:{today.isoformat()}:{location.slug}:"
        if Appointment.objects.filter(
            organization=organization, idempotency_key__startswith=key
        ).exists():
            continue
        # Signed earlier today: the day's first slot.
        offers = _prefer(_offers(location, face, today, None), cast.staff.get("practitioner"))
        done = _book_from(offers[:1], location, face, patients, key=f"{key}signed")
        if done is not None:
            performer = done.practitioner
            screening_ready(
                done,
                rng=rng,
                answered_at=_night_before(today, location) + timedelta(hours=2),
                director=cast["director"],
            )
            done = check_in(
                done,
                desk=cast.desk_at(location, performer),
                at=_local(done) - timedelta(minutes=10),
            )
            chart_session(
                done,
                performer=performer,
                session=Session(outcomes={"satisfaction": 8}, indication="fine_lines"),
                today=today,
            )
        # Ready to chart: PRP when someone who may draw blood works here today, at the
        # first slot from now on (any slot today once the day is over).
        service = prp if _offers(location, prp, today, None) else face
        offers = _prefer(_offers(location, service, today, None), cast.staff.get("practitioner"))
        upcoming = [o for o in offers if o.start >= now] or offers[::-1]
        ready = _book_from(upcoming[:4], location, service, patients, key=f"{key}ready")
        if ready is not None:
            screening_ready(
                ready,
                rng=rng,
                answered_at=_night_before(today, location) + timedelta(hours=2),
                director=cast["director"],
            )
            arrived = min(_local(ready) - timedelta(minutes=10), now)  # never ahead of now
            check_in(ready, desk=cast.desk_at(location, ready.practitioner), at=arrived)
        # Waiting for the medical director's review: not checked in.
        offers = _offers(location, face, today, None)
        waiting = _book_from(offers[::-1][:4], location, face, patients, key=f"{key}review")
        if waiting is not None:
            stopped = today - timedelta(days=ISOTRETINOIN_STOPPED_DAYS_AGO)
            screening_ready(
                waiting,
                rng=rng,
                answered_at=_night_before(today, location) + timedelta(hours=2),
                director=cast["director"],
                extra={"isotretinoin_last_dose": stopped.isoformat()},
                approve=False,
            )


def _book_from(
    offers: list[SlotOffer],
    location: Location,
    service: Service,
    patients: list[Patient],
    *,
    key: str,
) -> Appointment | None:
    """Book the first offer that takes the next free patient; the patient is used up."""
    for offer in offers:
        if not patients:
            return None
        appointment = book(
            location=location,
            service=service,
            patient=patients[0],
            offer=offer,
            source="online",
            key=key,
        )
        if appointment is not None:
            patients.pop(0)
            return appointment
    return None


def demo_now(today: date, zone: Any) -> datetime:
    """The moment the demo is loaded: now when `today` is today, else noon of `today`."""
    now = timezone.now()
    if now.astimezone(zone).date() == today:
        return now
    return datetime.combine(today, clock(12), tzinfo=zone)
