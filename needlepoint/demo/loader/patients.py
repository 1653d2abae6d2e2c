"""About fifty made-up patients (a mix that reflects Albuquerque), the portal login of
one of them, and a look-alike booking flagged as a possible duplicate."""

from __future__ import annotations

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any

from django.contrib.auth import get_user_model

from needlepoint.catalog.models import Service, ServiceKind
from needlepoint.core.models import Organization
from needlepoint.demo.loader.clinic import DEMO_RANDOM_SEED, DENVER
from needlepoint.demo.loader.credentials import DEMO_PASSWORD, DEMO_PATIENT_USERNAME
from needlepoint.patients.models import DuplicateCandidate, Patient, ReminderChannel
from needlepoint.patients.services import patient_register
from needlepoint.resources.models import Location
from needlepoint.scheduling.online import Booker, appointment_book_online
from needlepoint.scheduling.selectors import availability_get

DEMO_PATIENT_TARGET = 50

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


def load_patients(
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


def load_portal_user(organization: Organization, new: Counter[str]) -> None:
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


def load_look_alike(organization: Organization, today: date, *, now: datetime) -> None:
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
