"""The service menu: a consultation, six micro-needling treatments (one with PRP) and
an add-on, each with its phases, treatment areas, indications and competencies."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from needlepoint.catalog.models import (
    Competency,
    Indication,
    PhaseKind,
    Service,
    ServiceKind,
    ServicePhase,
    TreatmentArea,
)
from needlepoint.core.models import Organization
from needlepoint.demo.loader.clinic import by_code

FACE_AREAS = ("forehead", "cheeks", "nose", "perioral", "jawline_chin", "periorbital")
PEN = "pen"


@dataclass(frozen=True)
class PhaseSpec:
    kind: str
    minutes: int
    practitioner: bool = False
    room: bool = True
    device: str = ""


def _needling(treatment_minutes: int, *, cleaning: int = 15) -> tuple[PhaseSpec, ...]:
    return (
        PhaseSpec(PhaseKind.NUMBING, 30),
        PhaseSpec(PhaseKind.TREATMENT, treatment_minutes, practitioner=True, device=PEN),
        PhaseSpec(PhaseKind.CLEANING, cleaning),
    )


@dataclass(frozen=True)
class ServiceSpec:
    slug: str
    name: str
    kind: str
    price: Decimal
    summary: str
    description: str
    phases: tuple[PhaseSpec, ...]
    areas: tuple[str, ...] = ()
    indications: tuple[str, ...] = ()
    competencies: tuple[str, ...] = ("micro_needling",)
    uses_prp: bool = False
    min_interval_days: int = 28
    sort_order: int = 0


SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        slug="consultation",
        name="Skin consultation",
        kind=ServiceKind.CONSULTATION,
        price=Decimal("0.00"),
        summary="A free half-hour visit to look at your skin, talk through your goals and "
        "check whether micro-needling suits you.",
        description="Your practitioner goes through your health history and medicines, looks "
        "at the areas you would like treated and explains what results are realistic. If "
        "micro-needling is a good fit you leave with a suggested plan, number of sessions and "
        "price; if it is not, we will tell you. There is no treatment at this visit.",
        phases=(PhaseSpec(PhaseKind.CONSULTATION, 30, practitioner=True),),
        competencies=("consultation",),
        min_interval_days=0,
        sort_order=0,
    ),
    ServiceSpec(
        slug="micro-needling-face",
        name="Micro-needling: face",
        kind=ServiceKind.TREATMENT,
        price=Decimal("325.00"),
        summary="Collagen-induction micro-needling for the whole face to soften fine lines, "
        "refine pores and even out skin tone.",
        description="After numbing cream has worked for about half an hour, your practitioner "
        "passes a sterile, single-use needle cartridge over your face, setting the depth for "
        "each area. Expect redness like a mild sunburn for a day or two and some dryness or "
        "flaking for a few days. Most people have a series of three to four sessions about "
        "four weeks apart, and results build gradually over the following months.",
        phases=_needling(45),
        areas=FACE_AREAS,
        indications=("fine_lines", "wrinkles", "enlarged_pores", "pigmentation"),
        sort_order=10,
    ),
    ServiceSpec(
        slug="micro-needling-face-neck",
        name="Micro-needling: face and neck",
        kind=ServiceKind.TREATMENT,
        price=Decimal("395.00"),
        summary="Micro-needling for the face and neck together, for fine lines, neck creases "
        "and uneven tone.",
        description="The same treatment as for the face, continued down the neck, where the "
        "skin is thinner and treated more gently. Expect redness for a day or two and some "
        "tightness or flaking for a few days. A series of three to four sessions about four "
        "weeks apart is typical.",
        phases=_needling(60),
        areas=(*FACE_AREAS, "neck"),
        indications=("fine_lines", "wrinkles", "pigmentation", "enlarged_pores"),
        sort_order=20,
    ),
    ServiceSpec(
        slug="micro-needling-acne-scars",
        name="Micro-needling for acne scars",
        kind=ServiceKind.TREATMENT,
        price=Decimal("375.00"),
        summary="Targeted micro-needling for rolling and boxcar acne scars on the face.",
        description="After numbing, your practitioner treats the whole area and then works "
        "more deeply over individual scars; we do not treat skin with an active breakout. "
        "Expect redness for a day or two and sometimes pinpoint scabbing. Most people need "
        "three to six sessions about four weeks apart, and deep, narrow 'ice-pick' scars "
        "improve less than broad, rolling ones.",
        phases=_needling(45),
        areas=("acne_scar_targets", "cheeks"),
        indications=("acne_scars", "acne"),
        sort_order=30,
    ),
    ServiceSpec(
        slug="micro-needling-decollete",
        name="Micro-needling: décolleté and chest",
        kind=ServiceKind.TREATMENT,
        price=Decimal("350.00"),
        summary="Micro-needling for the chest to soften crepey texture, fine lines and sun spots.",
        description="The chest is numbed and treated at a shallow depth, because the skin "
        "there is thin. Expect redness for a day or two; wear sunscreen and avoid low-cut "
        "tops in strong sun while it heals. Plan on three to four sessions about four weeks "
        "apart.",
        phases=_needling(40),
        areas=("decollete",),
        indications=("fine_lines", "wrinkles", "pigmentation"),
        sort_order=40,
    ),
    ServiceSpec(
        slug="micro-needling-back",
        name="Micro-needling: shoulders and back",
        kind=ServiceKind.TREATMENT,
        price=Decimal("425.00"),
        summary="Micro-needling for the shoulders and upper back, most often for acne scarring.",
        description="After numbing, the shoulders and upper back are treated in sections; "
        "the skin is thicker here, so slightly deeper settings are used. Expect redness and "
        "tenderness for a day or two, so loose clothing helps. Most people need three to six "
        "sessions about four weeks apart.",
        phases=_needling(60),
        areas=("shoulders_back",),
        indications=("acne_scars", "acne"),
        sort_order=50,
    ),
    ServiceSpec(
        slug="micro-needling-stretch-marks",
        name="Micro-needling for stretch marks",
        kind=ServiceKind.TREATMENT,
        price=Decimal("400.00"),
        summary="Micro-needling to soften the texture and colour of stretch marks on the "
        "abdomen, hips, thighs or arms.",
        description="Stretch marks are numbed and treated more deeply than the face; the "
        "area looks red and feels tender for a day or two. Improvement is gradual and "
        "partial, usually over one to five sessions about four weeks apart, and newer, "
        "pinker marks respond better than older, silvery ones.",
        phases=_needling(60),
        areas=("stretch_marks",),
        indications=("stretch_marks",),
        sort_order=60,
    ),
    ServiceSpec(
        slug="micro-needling-prp-face",
        name="Micro-needling with PRP: face",
        kind=ServiceKind.TREATMENT,
        price=Decimal("650.00"),
        summary="Micro-needling for the face with platelet-rich plasma prepared from a small "
        "sample of your own blood.",
        description="We draw a small amount of blood, label the tube in front of you and spin "
        "it in a centrifuge while your numbing cream works; the plasma is applied during "
        "needling and is used only for you, on the day. Expect redness and mild swelling for "
        "a day or two and perhaps a small bruise where the blood was drawn. A series of three "
        "to four sessions about four weeks apart is typical.",
        phases=(
            PhaseSpec(PhaseKind.PRP_DRAW, 10, practitioner=True),
            # The centrifuge spins while the patient starts numbing in the room.
            PhaseSpec(PhaseKind.PRP_SPIN, 15, device="centrifuge"),
            PhaseSpec(PhaseKind.NUMBING, 15),
            PhaseSpec(PhaseKind.TREATMENT, 45, practitioner=True, device=PEN),
            PhaseSpec(PhaseKind.CLEANING, 15),
        ),
        areas=FACE_AREAS,
        indications=("acne_scars", "fine_lines", "wrinkles", "pigmentation"),
        competencies=("micro_needling", "prp_phlebotomy"),
        uses_prp=True,
        sort_order=70,
    ),
    ServiceSpec(
        slug="hyaluronic-serum-add-on",
        name="Hyaluronic serum infusion add-on",
        kind=ServiceKind.ADD_ON,
        price=Decimal("75.00"),
        summary="A sterile hyaluronic acid serum applied during your micro-needling session "
        "for extra hydration.",
        description="Booked together with a micro-needling treatment, not on its own: your "
        "practitioner applies a sterile, single-use vial of hyaluronic acid serum labelled for "
        "use on treated skin. It adds about ten minutes and can make skin feel less tight and "
        "dry in the first days. It does not change how many sessions you need.",
        phases=(PhaseSpec(PhaseKind.TREATMENT, 10, practitioner=True),),
        min_interval_days=0,
        sort_order=80,
    ),
)


def load_services(organization: Organization, new: Counter[str]) -> None:
    for spec in SERVICES:
        service, created = Service.objects.get_or_create(
            organization=organization,
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "kind": spec.kind,
                "summary": spec.summary,
                "description": spec.description,
                "price": spec.price,
                "uses_prp": spec.uses_prp,
                "min_interval_days": spec.min_interval_days,
                "sort_order": spec.sort_order,
            },
        )
        if not created:
            continue
        new["services"] += 1
        for position, phase in enumerate(spec.phases):
            ServicePhase.objects.create(
                service=service,
                position=position,
                kind=phase.kind,
                duration_minutes=phase.minutes,
                needs_practitioner=phase.practitioner,
                needs_room=phase.room,
                device_kind=phase.device,
            )
            new["service_phases"] += 1
        service.areas.add(*by_code(TreatmentArea, organization, spec.areas))
        service.indications.add(*by_code(Indication, organization, spec.indications))
        service.required_competencies.add(*by_code(Competency, organization, spec.competencies))
