"""The demo clinic: Sandia Skin Studio, two Albuquerque locations, staff, catalogue and
about fifty made-up patients.

`demo_load()` is idempotent: every row is found by its natural key before it is created,
children (opening hours, phases, maintenance records, many-to-many links) are added only
when their parent is new, and the whole load runs in one transaction. Dates that must look
"current" (maintenance due, lot expiry, licence expiry, patients' ages and sign-up dates)
are computed from today's date in America/Denver when the row is first created.

Everything here is fictional: phone numbers use the reserved 555-01xx range and e-mail
addresses the reserved example domains. Demo credentials (`DEMO_PASSWORD`,
`DEMO_TOTP_SECRETS`) are public; `manage.py load_demo` refuses to run outside DEBUG.
"""

from __future__ import annotations

import random
import time
import unicodedata
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from typing import Any

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from needlepoint.accounts.models import ScopeRule, StaffProfile
from needlepoint.accounts.roles import Role
from needlepoint.accounts.scope import LicenceType
from needlepoint.accounts.services import scope_rules_seed
from needlepoint.catalog.models import (
    Competency,
    Indication,
    PhaseKind,
    Product,
    ProductKind,
    ProductLot,
    Service,
    ServiceKind,
    ServicePhase,
    TreatmentArea,
)
from needlepoint.catalog.services import catalog_seed_defaults
from needlepoint.clinical.models import (
    AdverseEvent,
    CartridgeUse,
    Incident,
    Outcome,
    Photo,
    ProductUse,
    PrpSample,
    RecordStatus,
    TreatmentRecord,
)
from needlepoint.core.models import Organization
from needlepoint.demo.charts import (
    demo_now,
    healthy_answers,
    load_history,
    load_today,
    scribble,
)
from needlepoint.intake.consents import consent_missing, consent_sign, intake_seed_consents
from needlepoint.intake.models import (
    ConsentSignature,
    QuestionnaireResponse,
    Screening,
    ScreeningRule,
)
from needlepoint.intake.services import (
    intake_seed_questionnaire,
    intake_seed_rules,
    questionnaire_submit,
)
from needlepoint.patients.models import DuplicateCandidate, Patient, ReminderChannel
from needlepoint.patients.services import patient_register
from needlepoint.resources.models import (
    Closure,
    Device,
    DeviceKind,
    DeviceStatus,
    Location,
    MaintenanceRecord,
    OpeningHours,
    Room,
)
from needlepoint.scheduling.models import Appointment, WorkingHours
from needlepoint.scheduling.online import Booker, appointment_book_online
from needlepoint.scheduling.selectors import availability_get

DEMO_TIMEZONE = "America/Denver"
DENVER = zoneinfo.ZoneInfo(DEMO_TIMEZONE)
DEMO_ORGANIZATION_SLUG = "sandia-skin"
DEMO_ORGANIZATION_NAME = "Sandia Skin Studio"

# Shared by every demo login. Public on purpose: never load the demo into production.
DEMO_PASSWORD = "needlepoint-demo-2026"  # noqa: S105

# Fixed base32 TOTP secrets (20 random bytes each) so a newcomer can add them to an
# authenticator app, or run `manage.py demo_totp`, and sign in as any demo staff member.
DEMO_TOTP_SECRETS: dict[str, str] = {
    "owner": "QF4SNPIOPEF5XBKIJE5IPO4Q4PI6ELIJ",
    "director": "SLY4NW5U2VIGYWRFEWKLQ6SAMD4KXO44",
    "practitioner": "W6VAMGCWAJYS4JKU4JC77AMOWHUHDGIF",
    "frontdesk": "S6SHYMZG646NJ3TJBA7RT2BORJJ5BJNB",
    "priya": "HPREWMDH2JIA7PCBPYTUCO7EXY2IM5BT",
    "sam": "E3QQSNJE6SXP3E27T4MOCJHNQGOZRT77",
    "luz": "PXO4LRVKGFJDPSTZIVOWXFUD6NL56A6Q",
}
MAIN_DEMO_USERNAMES = ("owner", "director", "practitioner", "frontdesk")
DEMO_PATIENT_USERNAME = "patient"
DEMO_PATIENT_TARGET = 50
DEMO_RANDOM_SEED = 2026


def demo_totp_code(username: str, at: float | None = None) -> str:
    """The demo user's TOTP code for the 30-second step containing `at` (default: now).

    allauth refuses a code it has already accepted once in its period, so a test that
    logs the same user in twice should wait for the next step or pass `at` accordingly.
    """
    secret = DEMO_TOTP_SECRETS[username]
    moment = time.time() if at is None else at
    counter = int(moment) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def demo_totp_seconds_left(at: float | None = None) -> int:
    """Seconds until the current TOTP step ends and the next code starts."""
    moment = time.time() if at is None else at
    period = mfa_settings.TOTP_PERIOD
    return period - int(moment) % period


@dataclass(frozen=True)
class DemoSummary:
    """`counts` are the demo organization's totals after the load; `new` says how many of
    each were created by this run (all zero on a repeat run)."""

    organization: Organization
    created: bool
    counts: dict[str, int]
    new: dict[str, int] = field(default_factory=dict)


# --- Locations ------------------------------------------------------------------------


@dataclass(frozen=True)
class LocationSpec:
    slug: str
    name: str
    address_line1: str
    postal_code: str
    phone: str
    email: str
    hours: tuple[tuple[int, str, str], ...]  # weekday (0 = Monday), opens, closes
    rooms: int


def _weekdays(days: range, opens: str, closes: str) -> tuple[tuple[int, str, str], ...]:
    return tuple((day, opens, closes) for day in days)


LOCATIONS: tuple[LocationSpec, ...] = (
    LocationSpec(
        slug="nob-hill",
        name="Nob Hill",
        address_line1="3500 Central Ave SE",
        postal_code="87106",
        phone="(505) 555-0140",
        email="nobhill@sandiaskin.example",
        # Tuesday to Friday with a lunch closure, Saturday mornings; shut Sunday and Monday.
        hours=(
            *_weekdays(range(1, 5), "09:00", "12:30"),
            *_weekdays(range(1, 5), "13:30", "18:00"),
            (5, "09:00", "14:00"),
        ),
        rooms=3,
    ),
    LocationSpec(
        slug="northeast-heights",
        name="Northeast Heights",
        address_line1="8200 Montgomery Blvd NE",
        postal_code="87109",
        phone="(505) 555-0160",
        email="heights@sandiaskin.example",
        hours=(*_weekdays(range(5), "08:30", "17:00"), (5, "10:00", "15:00")),
        rooms=4,
    ),
)

CLOSURES: tuple[tuple[date, date, str], ...] = (
    (date(2026, 11, 26), date(2026, 11, 27), "Thanksgiving"),
    (date(2026, 12, 24), date(2026, 12, 26), "Christmas"),
    (date(2027, 1, 1), date(2027, 1, 1), "New Year's Day"),
)


# --- Devices --------------------------------------------------------------------------


@dataclass(frozen=True)
class DeviceModel:
    kind: str
    make: str
    model: str
    regulatory_number: str
    max_depth_mm: Decimal | None
    serviced_by: str
    service_summary: str


SKINPEN = DeviceModel(
    DeviceKind.PEN,
    "Crown Aesthetics",
    "SkinPen Precision",
    "DEN160029",
    Decimal("2.50"),
    "Crown Aesthetics field service",
    "Six-monthly check: depth calibration, motor speed and housing inspection",
)
REJUVAPEN = DeviceModel(
    DeviceKind.PEN,
    "Rejuvapen",
    "Rejuvapen NXT",
    "K230551",
    Decimal("2.50"),
    "Rejuvapen service centre",
    "Six-monthly check: depth gauge calibration and cord replacement",
)
CENTRIFUGE = DeviceModel(
    DeviceKind.CENTRIFUGE,
    "Drucker Diagnostics",
    "Horizon 24 Flex",
    "",
    None,
    "Drucker Diagnostics authorised service",
    "Annual check: tachometer speed verification and timer calibration",
)


@dataclass(frozen=True)
class DeviceSpec:
    location: str
    name: str
    model: DeviceModel
    serial_number: str
    maintained_days_ago: int
    due_in_days: int
    status: str = DeviceStatus.IN_SERVICE
    notes: str = ""


DEVICES: tuple[DeviceSpec, ...] = (
    DeviceSpec("nob-hill", "Pen 1", SKINPEN, "SP-24-01873", 64, 118),
    # Due within ten days: shows on the dashboard's maintenance list.
    DeviceSpec("nob-hill", "Pen 2", SKINPEN, "SP-24-02216", 175, 7),
    DeviceSpec("nob-hill", "Pen 3", REJUVAPEN, "RJ-NXT-23-00418", 41, 141),
    DeviceSpec("nob-hill", "Centrifuge", CENTRIFUGE, "H24F-2207-0315", 88, 277),
    DeviceSpec(
        "northeast-heights",
        "Pen 1",
        SKINPEN,
        "SP-25-00562",
        186,
        -4,
        status=DeviceStatus.MAINTENANCE,
        notes="Motor stalls intermittently at 2.0 mm; returned to Crown Aesthetics for repair.",
    ),
    DeviceSpec("northeast-heights", "Pen 2", SKINPEN, "SP-25-00977", 23, 159),
    DeviceSpec("northeast-heights", "Pen 3", REJUVAPEN, "RJ-NXT-24-01127", 57, 125),
    DeviceSpec("northeast-heights", "Centrifuge", CENTRIFUGE, "H24F-2302-1188", 132, 233),
)


# --- Staff ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffSpec:
    username: str
    first_name: str
    last_name: str
    role: str
    title: str = ""
    licence_type: str = LicenceType.NONE
    licence_number: str = ""
    licence_expires_in_days: int | None = None
    competencies: tuple[str, ...] = ()
    locations: tuple[str, ...] = ("nob-hill", "northeast-heights")

    @property
    def email(self) -> str:
        return f"{self.first_name.lower()}.{self.last_name.lower()}@sandiaskin.example"


ALL_COMPETENCIES = ("micro_needling", "prp_phlebotomy", "consultation")

STAFF: tuple[StaffSpec, ...] = (
    StaffSpec("owner", "Marisol", "Baca", Role.OWNER),
    StaffSpec(
        "director",
        "Daniel",
        "Yazzie",
        Role.MEDICAL_DIRECTOR,
        title="MD",
        licence_type=LicenceType.MD,
        licence_number="MD2014-0387",
        licence_expires_in_days=731,
        competencies=ALL_COMPETENCIES,
    ),
    StaffSpec(
        "practitioner",
        "Elena",
        "Chavez",
        Role.PRACTITIONER,
        title="RN",
        licence_type=LicenceType.RN,
        licence_number="RN-83152",
        licence_expires_in_days=402,
        competencies=ALL_COMPETENCIES,
    ),
    StaffSpec("frontdesk", "Jordan", "Lucero", Role.FRONT_DESK, locations=("nob-hill",)),
    StaffSpec(
        "priya",
        "Priya",
        "Natarajan",
        Role.PRACTITIONER,
        title="NP",
        licence_type=LicenceType.APRN,
        licence_number="CNP-40817",
        licence_expires_in_days=548,
        competencies=ALL_COMPETENCIES,
        locations=("northeast-heights",),
    ),
    StaffSpec(
        "sam",
        "Sam",
        "Ortiz",
        Role.PRACTITIONER,
        title="RN",
        licence_type=LicenceType.RN,
        licence_number="RN-91466",
        # Renewal due soon: shows on the dashboard's licence list.
        licence_expires_in_days=43,
        competencies=("micro_needling",),
        locations=("nob-hill",),
    ),
    # A licensed esthetician holding the micro-needling competency the owner once granted:
    # the scope-of-practice table still refuses her every needle (S30), so she is never
    # offered or bookable for a treatment, only for consultations.
    StaffSpec(
        "luz",
        "Luz",
        "Ortega",
        Role.PRACTITIONER,
        title="Licensed Esthetician",
        licence_type=LicenceType.ESTHETICIAN,
        licence_number="ES-22931",
        licence_expires_in_days=611,
        competencies=("micro_needling", "consultation"),
        locations=("nob-hill",),
    ),
)

# --- Catalogue ------------------------------------------------------------------------

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


@dataclass(frozen=True)
class LotSpec:
    lot_number: str
    expires_in_days: int
    received_days_ago: int
    is_recalled: bool = False


@dataclass(frozen=True)
class ProductSpec:
    name: str
    kind: str
    manufacturer: str
    strength: str
    labelled_for_intradermal_use: bool
    lots: tuple[LotSpec, ...]


PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec(
        "Hyaluronic acid serum (sterile, single-use vial)",
        ProductKind.SERUM,
        "Mesa Aesthetic Supply",
        "sodium hyaluronate 0.5%",
        True,
        (LotSpec("HA-25-1142", 298, 35), LotSpec("HA-25-1307", 412, 9)),
    ),
    ProductSpec(
        # Not labelled for use on needled skin: choosing it raises review MN27.
        "Vitamin C brightening serum",
        ProductKind.SERUM,
        "Bosque Botanicals",
        "L-ascorbic acid 15%",
        False,
        (LotSpec("VC-0925-B", 221, 60),),
    ),
    ProductSpec(
        "BLT numbing cream (benzocaine 20%, lidocaine 6%, tetracaine 4%)",
        ProductKind.ANAESTHETIC,
        "Duke City Compounding Pharmacy",
        "benzocaine 20%, lidocaine 6%, tetracaine 4%",
        False,
        # Expires within three weeks: shows on the dashboard's stock list.
        (LotSpec("DCC-BLT-2508", 17, 74), LotSpec("DCC-BLT-2511", 138, 12)),
    ),
    ProductSpec(
        "Lidocaine 4% cream",
        ProductKind.ANAESTHETIC,
        "Ferndale Laboratories",
        "lidocaine 4%",
        False,
        (LotSpec("L4C-24317", 356, 48),),
    ),
    ProductSpec(
        "Sterile glide gel",
        ProductKind.GLIDE,
        "Mesa Aesthetic Supply",
        "",
        False,
        # Recalled by the supplier (sterility not assured): must never be charted.
        (LotSpec("GG-25-0419", 190, 81, is_recalled=True), LotSpec("GG-25-0733", 305, 15)),
    ),
    ProductSpec(
        "Post-procedure hydrogel mask",
        ProductKind.AFTERCARE,
        "Rio Grande Dermaceuticals",
        "",
        False,
        (LotSpec("HM-2506-22", 263, 40),),
    ),
)


# --- Patients -------------------------------------------------------------------------

# (first name, last name, preferred name, pronouns); a mix that reflects Albuquerque.
PATIENT_NAMES: tuple[tuple[str, str, str, str], ...] = (
    ("Lucía", "Montoya", "", "she/her"),  # has the portal login "patient"
    ("Gabriel", "Sandoval", "", "he/him"),
    ("Rosa", "Trujillo", "", ""),
    ("Mateo", "Gallegos", "", ""),
    ("Adriana", "Archuleta", "", "she/her"),
    ("Guadalupe", "Martinez", "Lupe", ""),
    ("Isabel", "Romero", "", ""),
    ("Veronica", "Garcia", "", "she/her"),
    ("Diego", "Padilla", "", ""),
    ("Celeste", "Maestas", "", ""),
    ("Marisa", "Lujan", "", "she/her"),
    ("Antonio", "Vigil", "Tony", ""),
    ("Sofia", "Armijo", "", ""),  # the 20-year-old
    ("Yolanda", "Sisneros", "", ""),  # archived
    ("Alicia", "Tafoya", "", "she/her"),
    ("Daniela", "Ulibarri", "Dani", ""),
    ("Teresa", "Jaramillo", "", ""),
    ("Alejandro", "Sedillo", "Alex", "he/him"),
    ("Shandiin", "Begay", "", "she/her"),
    ("Tiana", "Tsosie", "", ""),
    ("Marcus", "Benally", "", "he/him"),
    ("Autumn", "Nez", "", ""),
    ("Kayla", "Etsitty", "", "she/her"),
    ("Jolene", "Yellowhair", "", ""),
    ("Raven", "Lente", "", "they/them"),
    ("Leandra", "Lovato", "", ""),
    ("Dion", "Shije", "", ""),
    ("Renee", "Chinana", "", "she/her"),
    ("Emily", "Harper", "", ""),
    ("Jessica", "Thompson", "Jess", "she/her"),
    ("Megan", "Sullivan", "", ""),
    ("Ryan", "Caldwell", "", "he/him"),
    ("Laura", "Whitfield", "", ""),
    ("Amanda", "Brooks", "", "she/her"),
    ("Katherine", "Dunn", "Kate", ""),
    ("Sarah", "Kowalski", "", ""),
    ("Brian", "Mitchell", "", ""),  # archived
    ("Rachel", "Greene", "", "she/her"),
    ("Lindsey", "Porter", "", ""),
    ("Morgan", "Fischer", "", "they/them"),
    ("Mai", "Nguyen", "", "she/her"),
    ("Linh", "Tran", "", ""),
    ("Grace", "Kim", "", "she/her"),
    ("Ananya", "Rao", "", ""),
    ("Hiroshi", "Tanaka", "", "he/him"),
    ("Kevin", "Chen", "", ""),
    ("Aaliyah", "Johnson", "", "she/her"),
    ("Danielle", "Washington", "", ""),
    ("Keisha", "Robinson", "", "she/her"),
    ("Candace", "Ellis", "", ""),
)
PORTAL_PATIENT_INDEX = 0
TWENTY_YEAR_OLD_INDEX = 12
ARCHIVED_INDEXES = frozenset({13, 36})

# Street, ZIP code, nearer demo location.
STREETS: tuple[tuple[str, str, str], ...] = (
    ("Lomas Blvd NE", "87110", "northeast-heights"),
    ("Central Ave NW", "87104", "nob-hill"),
    ("Rio Grande Blvd NW", "87107", "nob-hill"),
    ("Coors Blvd NW", "87120", "nob-hill"),
    ("Tramway Blvd NE", "87122", "northeast-heights"),
    ("Wyoming Blvd NE", "87111", "northeast-heights"),
    ("Juan Tabo Blvd NE", "87112", "northeast-heights"),
    ("Isleta Blvd SW", "87105", "nob-hill"),
    ("Girard Blvd NE", "87106", "nob-hill"),
    ("Carlisle Blvd NE", "87110", "northeast-heights"),
    ("Paseo del Norte NE", "87113", "northeast-heights"),
    ("Academy Rd NE", "87109", "northeast-heights"),
    ("San Mateo Blvd NE", "87108", "nob-hill"),
    ("Eubank Blvd NE", "87112", "northeast-heights"),
    ("Gibson Blvd SE", "87108", "nob-hill"),
    ("4th St NW", "87102", "nob-hill"),
    ("Montaño Rd NW", "87107", "nob-hill"),
    ("Unser Blvd NW", "87121", "nob-hill"),
    ("Zuni Rd SE", "87108", "nob-hill"),
    ("Indian School Rd NE", "87110", "northeast-heights"),
    ("Ventura St NE", "87122", "northeast-heights"),
    ("Morris St NE", "87111", "northeast-heights"),
    ("Silver Ave SE", "87106", "nob-hill"),
    ("Edith Blvd NE", "87107", "nob-hill"),
)
EMERGENCY_FIRST_NAMES = (
    "Maria",
    "José",
    "Linda",
    "Michael",
    "Ruth",
    "David",
    "Carmen",
    "James",
    "Anna",
    "Robert",
)
# Days ago that the five most recent patients registered (the dashboard's "new" count).
RECENT_SIGNUP_DAYS = (3, 8, 13, 21, 27)


@dataclass(frozen=True)
class PatientSpec:
    first_name: str
    last_name: str
    date_of_birth: date
    registered_at: datetime
    fields: dict[str, Any]

    @property
    def email(self) -> str:
        return self.fields["email"]


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def _birthday(today: date, *, age: int, rng: random.Random) -> date:
    """A date of birth that makes someone exactly `age` today."""
    year = today.year - age
    try:
        anniversary = today.replace(year=year)
    except ValueError:  # today is 29 February
        anniversary = date(year, 2, 28)
    return anniversary - timedelta(days=rng.randint(1, 360))


def demo_patient_specs(*, today: date, locations: dict[str, Location]) -> list[PatientSpec]:
    """The demo patients, oldest registration first. Same `today`, same patients."""
    rng = random.Random(DEMO_RANDOM_SEED)  # noqa: S311 - repeatable demo data, not secrets
    count = len(PATIENT_NAMES)
    phone_suffixes = rng.sample([n for n in range(100) if n not in {40, 60}], count)
    eligible_recent = [
        i
        for i in range(count)
        if i not in ARCHIVED_INDEXES and i not in {PORTAL_PATIENT_INDEX, TWENTY_YEAR_OLD_INDEX}
    ]
    recent_indexes = rng.sample(eligible_recent, len(RECENT_SIGNUP_DAYS))
    recent = dict(zip(recent_indexes, RECENT_SIGNUP_DAYS, strict=True))
    specs = []
    for index, (first, last, preferred, pronouns) in enumerate(PATIENT_NAMES):
        age = 20 if index == TWENTY_YEAR_OLD_INDEX else round(rng.triangular(22, 68, 38))
        dob = _birthday(today, age=age, rng=rng)
        if index in recent:
            days_ago = recent[index]
        elif index == PORTAL_PATIENT_INDEX:
            days_ago = 412
        elif index in ARCHIVED_INDEXES:
            days_ago = rng.randint(420, 720)
        else:
            days_ago = rng.randint(35, 725)
        registered_at = datetime.combine(
            today - timedelta(days=days_ago),
            clock(rng.randint(9, 17), rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50))),
            tzinfo=DENVER,
        )
        street, zip_code, nearer = rng.choice(STREETS)
        channel = rng.choices(list(ReminderChannel), weights=[45, 25, 22, 8])[0]
        fields: dict[str, Any] = {
            "preferred_name": preferred,
            "pronouns": pronouns,
            "email": f"{_ascii(first).lower()}.{_ascii(last).lower()}@example.com",
            "phone": f"(505) 555-01{phone_suffixes[index]:02d}",
            "address_line1": f"{rng.randint(120, 12900)} {street}",
            "city": "Albuquerque",
            "state": "NM",
            "postal_code": zip_code,
            "fitzpatrick_type": rng.choices(range(1, 7), weights=[4, 12, 30, 30, 16, 8])[0],
            "preferred_location": locations[nearer] if rng.random() < 0.85 else None,
            "reminder_channel": channel,
            "aftercare_messages": rng.random() < 0.9,
            "marketing_email": rng.random() < 0.35,
            "marketing_sms": rng.random() < 0.2,
            "is_archived": index in ARCHIVED_INDEXES,
        }
        if rng.random() < 0.6:
            fields["emergency_contact_name"] = f"{rng.choice(EMERGENCY_FIRST_NAMES)} {last}"
            fields["emergency_contact_phone"] = f"(505) 555-01{rng.randint(0, 99):02d}"
        specs.append(PatientSpec(first, last, dob, registered_at, fields))
    specs.sort(key=lambda spec: spec.registered_at)
    return specs


# --- The loader -----------------------------------------------------------------------


def _clock(text: str) -> clock:
    hours, minutes = text.split(":")
    return clock(int(hours), int(minutes))


def _by_code(
    model: type[TreatmentArea] | type[Indication] | type[Competency],
    organization: Organization,
    codes: tuple[str, ...],
) -> list[Any]:
    rows = {row.code: row for row in model.objects.filter(organization=organization)}
    missing = [code for code in codes if code not in rows]
    if missing:
        raise LookupError(f"{model.__name__} codes missing from the seed: {missing}")
    return [rows[code] for code in codes]


def _load_locations(organization: Organization, new: Counter[str]) -> dict[str, Location]:
    locations = {}
    for spec in LOCATIONS:
        location, created = Location.objects.get_or_create(
            organization=organization,
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "address_line1": spec.address_line1,
                "city": "Albuquerque",
                "state": "NM",
                "postal_code": spec.postal_code,
                "phone": spec.phone,
                "email": spec.email,
                "timezone": DEMO_TIMEZONE,
                "booking_horizon_days": 180,
            },
        )
        locations[spec.slug] = location
        new["locations"] += created
        if created:
            for weekday, opens, closes in spec.hours:
                OpeningHours.objects.create(
                    location=location, weekday=weekday, opens=_clock(opens), closes=_clock(closes)
                )
                new["opening_hours"] += 1
            for starts_on, ends_on, reason in CLOSURES:
                Closure.objects.create(
                    location=location, starts_on=starts_on, ends_on=ends_on, reason=reason
                )
                new["closures"] += 1
        for number in range(1, spec.rooms + 1):
            _, created = Room.objects.get_or_create(
                location=location, name=f"Room {number}", defaults={"sort_order": number}
            )
            new["rooms"] += created
    return locations


def _load_devices(
    organization: Organization, locations: dict[str, Location], today: date, new: Counter[str]
) -> None:
    for spec in DEVICES:
        maintained_on = today - timedelta(days=spec.maintained_days_ago)
        device, created = Device.objects.get_or_create(
            organization=organization,
            kind=spec.model.kind,
            serial_number=spec.serial_number,
            defaults={
                "location": locations[spec.location],
                "name": spec.name,
                "make": spec.model.make,
                "model": spec.model.model,
                "regulatory_number": spec.model.regulatory_number,
                "max_depth_mm": spec.model.max_depth_mm,
                "status": spec.status,
                "last_maintained_on": maintained_on,
                "next_maintenance_due": today + timedelta(days=spec.due_in_days),
                "notes": spec.notes,
            },
        )
        new["devices"] += created
        if created:
            MaintenanceRecord.objects.create(
                device=device,
                performed_on=maintained_on,
                performed_by=spec.model.serviced_by,
                summary=spec.model.service_summary,
            )
            new["maintenance_records"] += 1


def _load_staff(
    organization: Organization, locations: dict[str, Location], today: date, new: Counter[str]
) -> None:
    user_model = get_user_model()
    for spec in STAFF:
        user, created = user_model.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.first_name,
                "last_name": spec.last_name,
                "email": spec.email,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            new["users"] += 1
        expires = spec.licence_expires_in_days
        profile, created = StaffProfile.objects.get_or_create(
            user=user,
            defaults={
                "organization": organization,
                "role": spec.role,
                "title": spec.title,
                "licence_type": spec.licence_type,
                "licence_number": spec.licence_number,
                "licence_expires_on": today + timedelta(days=expires) if expires else None,
            },
        )
        if created:
            new["staff_profiles"] += 1
            profile.competencies.add(*_by_code(Competency, organization, spec.competencies))
            profile.locations.add(*(locations[slug] for slug in spec.locations))
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, DEMO_TOTP_SECRETS[spec.username])
            new["totp_authenticators"] += 1


def _load_services(organization: Organization, new: Counter[str]) -> None:
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
        service.areas.add(*_by_code(TreatmentArea, organization, spec.areas))
        service.indications.add(*_by_code(Indication, organization, spec.indications))
        service.required_competencies.add(*_by_code(Competency, organization, spec.competencies))


def _load_products(organization: Organization, today: date, new: Counter[str]) -> None:
    for spec in PRODUCTS:
        product, created = Product.objects.get_or_create(
            organization=organization,
            name=spec.name,
            defaults={
                "kind": spec.kind,
                "manufacturer": spec.manufacturer,
                "strength": spec.strength,
                "labelled_for_intradermal_use": spec.labelled_for_intradermal_use,
            },
        )
        new["products"] += created
        for lot in spec.lots:
            _, created = ProductLot.objects.get_or_create(
                product=product,
                lot_number=lot.lot_number,
                defaults={
                    "expires_on": today + timedelta(days=lot.expires_in_days),
                    "received_on": today - timedelta(days=lot.received_days_ago),
                    "is_recalled": lot.is_recalled,
                },
            )
            new["product_lots"] += created


def _load_patients(
    organization: Organization, locations: dict[str, Location], today: date, new: Counter[str]
) -> None:
    patients = Patient.objects.filter(organization=organization)
    if patients.count() >= DEMO_PATIENT_TARGET:
        return
    existing = set(patients.values_list("email", flat=True))
    for spec in demo_patient_specs(today=today, locations=locations):
        if spec.email in existing:
            continue
        patient = patient_register(
            organization=organization,
            first_name=spec.first_name,
            last_name=spec.last_name,
            date_of_birth=spec.date_of_birth,
            **spec.fields,
        )
        # created_at is auto_now_add: backdate it so the list looks like two years of work.
        Patient.objects.filter(pk=patient.pk).update(
            created_at=spec.registered_at, updated_at=spec.registered_at
        )
        new["patients"] += 1


def _load_working_hours(organization: Organization, new: Counter[str]) -> None:
    """Clinical staff work their locations' opening hours; someone at two locations works
    them on alternate weekdays, so nobody is in two places at once."""
    from needlepoint.accounts.roles import CLINICAL
    from needlepoint.scheduling.models import WorkingHours

    staff = StaffProfile.objects.filter(organization=organization, role__in=CLINICAL)
    for profile in staff.prefetch_related("locations__opening_hours"):
        if WorkingHours.objects.filter(staff=profile).exists():
            continue
        locations = sorted(profile.locations.all(), key=lambda loc: loc.slug)
        for index, location in enumerate(locations):
            for hours in location.opening_hours.all():
                if len(locations) > 1 and hours.weekday % len(locations) != index:
                    continue
                WorkingHours.objects.create(
                    staff=profile,
                    location=location,
                    weekday=hours.weekday,
                    starts=hours.opens,
                    ends=hours.closes,
                )
                new["working_hours"] += 1


def _load_appointments(organization: Organization, today: date, new: Counter[str]) -> None:
    """A realistic history: series of sessions about five weeks apart over the last eight
    months (mostly completed, a few no-shows and cancellations), and a fortnight ahead
    partly booked. Booked through the real booking service, so holds are real."""
    from needlepoint.scheduling.models import Appointment, AppointmentStatus
    from needlepoint.scheduling.selectors import availability_get
    from needlepoint.scheduling.services import BookingRuleError, SlotUnavailable, appointment_book

    if Appointment.objects.filter(organization=organization).exists():
        return
    rng = random.Random(DEMO_RANDOM_SEED)  # noqa: S311 - demo data, not security
    services = {s.slug: s for s in Service.objects.filter(organization=organization)}
    treatments = [s for s in services.values() if s.kind == "treatment" and not s.uses_prp]
    consultation = next(s for s in services.values() if s.kind == "consultation")
    locations = list(Location.objects.filter(organization=organization).order_by("slug"))
    patients = list(
        Patient.objects.filter(organization=organization, is_archived=False).order_by("pk")
    )

    def book_on(patient: Patient, service: Service, day: date, location: Location) -> Any:
        night_before = datetime.combine(day - timedelta(days=1), clock(18), tzinfo=DENVER)
        offers = availability_get(
            location=location, service=service, first_day=day, last_day=day, now=night_before
        )
        if not offers:
            return None
        offer = offers[rng.randrange(len(offers))]
        try:
            return appointment_book(
                location=location,
                service=service,
                start=offer.start,
                patient=patient,
                source=rng.choice(["online", "online", "phone", "walk_in"]),
                now=night_before,
                notify=False,
            )
        except (SlotUnavailable, BookingRuleError):
            return None

    for patient in patients[:36]:
        location = patient.preferred_location or locations[0]
        service = rng.choice(treatments)
        day = today - timedelta(days=rng.randint(150, 240))
        first = book_on(patient, consultation, day, location)
        if first is not None:
            Appointment.objects.filter(pk=first.pk).update(status=AppointmentStatus.COMPLETED)
        for _session in range(rng.randint(1, 4)):
            day += timedelta(days=rng.randint(30, 42))
            if day >= today:
                break
            appointment = book_on(patient, service, day, location)
            if appointment is None:
                continue
            outcome = rng.choices(
                [
                    AppointmentStatus.COMPLETED,
                    AppointmentStatus.NO_SHOW,
                    AppointmentStatus.CANCELLED,
                ],
                weights=[90, 5, 5],
            )[0]
            Appointment.objects.filter(pk=appointment.pk).update(status=outcome)
            if outcome != AppointmentStatus.COMPLETED:
                appointment.holds.update(is_active=False)
    for patient in patients[10:34]:
        location = patient.preferred_location or locations[0]
        day = today + timedelta(days=rng.randint(1, 14))
        book_on(patient, rng.choice(treatments), day, location)
    new["appointments"] = Appointment.objects.filter(organization=organization).count()


def _load_portal_user(organization: Organization, new: Counter[str]) -> None:
    first, last, _, _ = PATIENT_NAMES[PORTAL_PATIENT_INDEX]
    email = f"{_ascii(first).lower()}.{_ascii(last).lower()}@example.com"
    patient = Patient.objects.filter(organization=organization, email=email).first()
    if patient is None:
        return
    user, created = get_user_model().objects.get_or_create(
        username=DEMO_PATIENT_USERNAME,
        defaults={"first_name": first, "last_name": last, "email": email},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        new["users"] += 1
    if patient.user_id is None and not Patient.objects.filter(user=user).exists():
        Patient.objects.filter(pk=patient.pk).update(user=user)
        new["portal_users"] += 1


def _load_intake(organization: Organization, today: date, new: Counter[str]) -> None:
    """Health answers and consents for most booked treatments ahead: most clear and signed,
    one waiting for the medical director's review (isotretinoin stopped three months ago),
    and the last two not answered yet, so the calendar shows every flag."""
    from needlepoint.intake.models import QuestionnaireResponse
    from needlepoint.intake.selectors import questionnaire_current
    from needlepoint.scheduling.models import Appointment, AppointmentStatus

    if QuestionnaireResponse.objects.filter(organization=organization).exists():
        return
    rng = random.Random(DEMO_RANDOM_SEED + 7)  # noqa: S311 - demo data, not security
    questionnaire = questionnaire_current(organization=organization)
    ahead = list(
        Appointment.objects.filter(
            organization=organization,
            status=AppointmentStatus.BOOKED,
            service__kind="treatment",
            starts_at__date__gte=today,
        )
        .select_related("patient", "service", "location")
        .order_by("starts_at")
    )
    answered: set[int] = set()
    for number, appointment in enumerate(ahead[:-2] if len(ahead) > 2 else []):
        patient = appointment.patient
        if patient.pk in answered:
            continue  # one set of answers screens all of a patient's visits ahead
        answered.add(patient.pk)
        answers = healthy_answers(rng)
        if number == 1:
            answers["isotretinoin_last_dose"] = (today - timedelta(days=90)).isoformat()
        questionnaire_submit(
            patient=patient,
            questionnaire=questionnaire,
            answers=answers,
            channel="link",
            appointment=appointment,
        )
        new["questionnaire_responses"] += 1
        day = appointment.starts_at.astimezone(appointment.location.zone).date()
        for document in consent_missing(patient=patient, service=appointment.service, on=day):
            consent_sign(
                patient=patient,
                document=document,
                typed_name=f"{patient.first_name} {patient.last_name}",
                signature_png=scribble(rng),
                appointment=appointment,
                notify=False,
            )
            new["consent_signatures"] += 1


def _demo_rule_choices(organization: Organization) -> None:
    """Sandia's medical director's one change to the shipped rules: PRP facials go ahead
    without a platelet count or haemoglobin on file (a caution, not a review), unless the
    patient's answers call for one. Shown in the configuration site next to its source."""
    for code in ("PRP03", "PRP07"):
        rule = ScreeningRule.objects.get(organization=organization, code=code)
        if rule.definition.get("unknown") != "caution":
            rule.definition = {**rule.definition, "unknown": "caution"}
            rule.save(update_fields=["definition", "updated_at"])


def _reference_rows(organization: Organization) -> int:
    """Treatment areas, indications, competencies and the scope-of-practice table seeded
    from DOMAIN.md."""
    return sum(
        model.objects.filter(organization=organization).count()
        for model in (TreatmentArea, Indication, Competency, ScopeRule)
    )


def _totals(organization: Organization) -> dict[str, int]:
    records = TreatmentRecord.objects.filter(organization=organization)
    demo_usernames = [*DEMO_TOTP_SECRETS, DEMO_PATIENT_USERNAME]
    return {
        "reference_rows": _reference_rows(organization),
        "locations": Location.objects.filter(organization=organization).count(),
        "opening_hours": OpeningHours.objects.filter(location__organization=organization).count(),
        "closures": Closure.objects.filter(location__organization=organization).count(),
        "rooms": Room.objects.filter(location__organization=organization).count(),
        "devices": Device.objects.filter(organization=organization).count(),
        "maintenance_records": MaintenanceRecord.objects.filter(
            device__organization=organization
        ).count(),
        "staff_profiles": StaffProfile.objects.filter(organization=organization).count(),
        "totp_authenticators": Authenticator.objects.filter(
            user__username__in=demo_usernames, type=Authenticator.Type.TOTP
        ).count(),
        "services": Service.objects.filter(organization=organization).count(),
        "service_phases": ServicePhase.objects.filter(service__organization=organization).count(),
        "products": Product.objects.filter(organization=organization).count(),
        "product_lots": ProductLot.objects.filter(product__organization=organization).count(),
        "patients": Patient.objects.filter(organization=organization).count(),
        "archived_patients": Patient.objects.filter(
            organization=organization, is_archived=True
        ).count(),
        "possible_duplicates": DuplicateCandidate.objects.filter(organization=organization).count(),
        "portal_users": Patient.objects.filter(
            organization=organization, user__isnull=False
        ).count(),
        "working_hours": WorkingHours.objects.filter(staff__organization=organization).count(),
        "appointments": Appointment.objects.filter(organization=organization).count(),
        "questionnaire_responses": QuestionnaireResponse.objects.filter(
            organization=organization
        ).count(),
        "consent_signatures": ConsentSignature.objects.filter(organization=organization).count(),
        "treatment_records": records.count(),
        "signed_records": records.exclude(status=RecordStatus.OPEN).count(),
        "cosignatures": records.filter(status=RecordStatus.COSIGNED).count(),
        "photos": Photo.objects.filter(organization=organization).count(),
        "outcomes": Outcome.objects.filter(organization=organization).count(),
        "cartridge_uses": CartridgeUse.objects.filter(organization=organization).count(),
        "product_uses": ProductUse.objects.filter(record__organization=organization).count(),
        "prp_samples": PrpSample.objects.filter(organization=organization).count(),
        "adverse_events": AdverseEvent.objects.filter(record__organization=organization).count(),
        "incidents": Incident.objects.filter(organization=organization).count(),
        "screening_approvals": Screening.objects.filter(
            organization=organization, carried_from__isnull=True, status="approved"
        ).count(),
    }


def _load_look_alike(organization: Organization, today: date, *, now: datetime) -> None:
    """A returning patient books a consultation online with her work email: the booking
    goes on a record of its own, flagged for the desk as a possible duplicate of hers
    (Patients → Possible duplicates), until the desk merges them or she follows the
    one-time link sent to the email on file. Once per clinic."""
    if DuplicateCandidate.objects.filter(organization=organization).exists():
        return
    her = (
        Patient.objects.filter(organization=organization, is_archived=False, user=None)
        .exclude(email="")
        .order_by("record_number")
        .first()
    )
    consultation = Service.objects.filter(
        organization=organization, kind=ServiceKind.CONSULTATION
    ).first()
    location = Location.objects.filter(organization=organization).order_by("name").first()
    if her is None or consultation is None or location is None:
        return
    first = today + timedelta(days=7)
    offers = availability_get(
        location=location,
        service=consultation,
        first_day=first,
        last_day=first + timedelta(days=14),
        now=now,
    )
    if not offers:
        return
    appointment_book_online(
        location=location,
        service=consultation,
        start=offers[0].start,
        booker=Booker(
            first_name=her.first_name,
            last_name=her.last_name,
            email=f"{_ascii(her.first_name).lower()}.{_ascii(her.last_name).lower()}@work.example",
            date_of_birth=her.date_of_birth,
        ),
        now=now,
    )


def demo_load(*, today: date | None = None) -> DemoSummary:
    """Create the demo clinic, or complete it; a repeat run changes nothing.

    `today` (a date in America/Denver) anchors the relative dates; it defaults to now.
    """
    today = today or timezone.now().astimezone(DENVER).date()
    new: Counter[str] = Counter()
    with transaction.atomic():
        organization, created = Organization.objects.get_or_create(
            slug=DEMO_ORGANIZATION_SLUG,
            defaults={
                "name": DEMO_ORGANIZATION_NAME,
                "default_timezone": DEMO_TIMEZONE,
                "website": "https://www.sandiaskin.example",
            },
        )
        new["organizations"] += created
        before = _totals(organization)
        seeded_before = _reference_rows(organization)
        catalog_seed_defaults(organization=organization)
        scope_rules_seed(organization=organization)
        intake_seed_rules(organization=organization)
        intake_seed_questionnaire(organization=organization)
        intake_seed_consents(organization=organization)
        _demo_rule_choices(organization)
        new["reference_rows"] += _reference_rows(organization) - seeded_before
        locations = _load_locations(organization, new)
        _load_devices(organization, locations, today, new)
        _load_staff(organization, locations, today, new)
        _load_services(organization, new)
        _load_products(organization, today, new)
        _load_patients(organization, locations, today, new)
        _load_portal_user(organization, new)
        _load_working_hours(organization, new)
        _load_appointments(organization, today, new)
        _load_intake(organization, today, new)
        now = demo_now(today, DENVER)
        load_history(organization, today, now=now)
        load_today(organization, today, now=now)
        _load_look_alike(organization, today, now=now)
        counts = _totals(organization)
        for name, total in counts.items():  # what this run added, whichever loader did
            if total > before[name]:
                new[name] = total - before[name]
    return DemoSummary(
        organization=organization,
        created=any(new.values()),
        counts=counts,
        new=dict(new),
    )
