"""docs/security-targets.md F1: schemathesis over the whole OpenAPI document, 0 server errors.

The Django WSGI application runs in-process against the test database. Every operation gets
schemathesis' examples, coverage and fuzzing phases (positive and negative data, up to
100 fuzzed cases, a fixed seed); staff operations carry a real token. The clinic is bookable,
and a share of the generated cases is steered to real slugs, ids and free start times, so
the happy paths (201 bookings, 200 cancels and moves) are exercised too: the test checks that
every operation answered at least once with a success, and never with a 5xx.

The seeded values are fixed (ids from uuid5, a fixed "now"), so the steering hooks are plain
constants and every run generates the same cases.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta

import hypothesis.strategies as st
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.services import api_token_create
from needlepoint.clinical.custody import Identity
from needlepoint.clinical.models import PrpSample, TreatmentRecord
from needlepoint.clinical.services import prp_sample_draw
from needlepoint.intake.services import intake_seed_rules
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Location
from needlepoint.scheduling.models import Appointment
from needlepoint.scheduling.services import appointment_book
from needlepoint.wsgi import application
from tests.support import factories
from tests.support.api_support import NOW
from tests.support.clinical_support import chart_ready
from tests.support.personas import make_cast
from tests.support.scheduling_world import DENVER, make_world

SEED = 20270111
MAX_EXAMPLES = 100

# --- Fixed seed data ------------------------------------------------------------------

NAMESPACE = uuid.UUID("6e656564-6c65-706f-696e-742d66757a7a")
LOCATION = "fuzz-clinic"
SERVICES = ["face", "consultation", "prp-face"]
PRACTITIONERS = [str(uuid.uuid5(NAMESPACE, f"practitioner-{n}")) for n in range(2)]
SEEDED_DAYS = [date(2027, 1, 11), date(2027, 1, 18)]  # Mondays with consultations booked


def _ids(kind: str, count: int) -> list[str]:
    return [str(uuid.uuid5(NAMESPACE, f"{kind}-{n}")) for n in range(count)]


# A consultation with each practitioner every hour from 09:00 on each seeded Monday.
SEEDED_STARTS = [
    datetime.combine(day, time(9), tzinfo=DENVER) + timedelta(hours=slot)
    for day in SEEDED_DAYS
    for slot in range(4)
]
APPOINTMENTS = _ids("appointment", len(SEEDED_STARTS) * 2)
# Reading, cancelling and moving draw from separate bookings, so each keeps some to work on.
TO_READ, TO_CANCEL, TO_MOVE = APPOINTMENTS[:5], APPOINTMENTS[5:10], APPOINTMENTS[10:]
PATIENTS = _ids("patient", len(APPOINTMENTS))
# Free quarter-hour starts for the face treatment (90 minutes) from Tuesday to Saturday.
FREE_STARTS = [
    (datetime.combine(date(2027, 1, 12) + timedelta(days=d), time(9), tzinfo=DENVER)
     + timedelta(minutes=15 * q)).isoformat()
    for d in range(5)
    for q in range(27)
]  # fmt: skip
DAYS = [d.isoformat() for d in [*SEEDED_DAYS, date(2027, 1, 12), date(2027, 1, 16)]]
# PRP samples drawn for the first bookings to read; patient n is "Fuzz{n} Patient".
SAMPLES = _ids("sample", 3)
RECORD = _ids("record", 1)[0]
PHOTO_VIEWS = ["frontal", "left_oblique", "right_oblique", "left_lateral", "right_lateral",
               "close_up"]  # fmt: skip
PHOTO_STAGES = ["before", "after", "follow_up"]
BORN = "1980-01-01"


def seed(time_machine) -> str:
    """The personas' clinic made bookable under fixed ids, then, on the first seeded
    Monday, its first visits checked in and charted with PRP drawn; returns the director's
    API token."""
    cast = make_cast()
    world = make_world(clinic=cast.clinic)
    Location.objects.filter(pk=world.location.pk).update(slug=LOCATION)
    world.location.slug = LOCATION
    for profile, public_id in zip([world.ana, world.ben], PRACTITIONERS, strict=True):
        StaffProfile.objects.filter(pk=profile.pk).update(public_id=public_id)
        profile.refresh_from_db()
    ids = iter(zip(APPOINTMENTS, PATIENTS, strict=True))
    for start in SEEDED_STARTS:
        for practitioner in [world.ana, world.ben]:
            appointment_id, patient_id = next(ids)
            patient = factories.PatientFactory(organization=cast.clinic, public_id=patient_id)
            appointment = appointment_book(
                location=world.location,
                service=world.consultation,
                start=start,
                patient=patient,
                practitioner=practitioner,
                source="phone",
                now=NOW,
            )
            Appointment.objects.filter(pk=appointment.pk).update(public_id=appointment_id)
    assert Patient.objects.filter(public_id__in=PATIENTS).count() == len(PATIENTS)
    for n, patient_id in enumerate(PATIENTS):
        Patient.objects.filter(public_id=patient_id).update(
            first_name=f"Fuzz{n}", last_name="Patient", date_of_birth=date(1980, 1, 1)
        )
    time_machine.move_to(datetime.combine(SEEDED_DAYS[0], time(8, 45), tzinfo=DENVER))
    for n, _sample_id in enumerate(SAMPLES):
        record = chart_ready(
            Appointment.objects.get(public_id=APPOINTMENTS[n]), staff=cast.director.staff_profile
        )
        if n == 0:
            TreatmentRecord.objects.filter(pk=record.pk).update(public_id=RECORD)
    for n, sample_id in enumerate(SAMPLES):
        appointment = Appointment.objects.get(public_id=APPOINTMENTS[n])
        drawn = prp_sample_draw(
            appointment=appointment,
            identity=Identity(f"Fuzz{n} Patient", date(1980, 1, 1)),
            staff=cast.director.staff_profile,
        )
        PrpSample.objects.filter(pk=drawn.sample.pk).update(public_id=sample_id)
    intake_seed_rules(organization=cast.clinic)
    # The medical director may do everything the API offers (screening is clinical only).
    return api_token_create(staff=cast.director.staff_profile, name="fuzz")[1]


# --- Steering -------------------------------------------------------------------------


def _sometimes(original, good: st.SearchStrategy) -> st.SearchStrategy:
    return good if original is None else st.one_of(st.just(original), good)


def _patient_body() -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {
            "first_name": st.sampled_from(["Rosa", "Ana María", "Lê"]),
            "last_name": st.sampled_from(["Tafoya", "O'Neil", "Nguyễn"]),
            "email": st.integers(1, 10**9).map(lambda n: f"fuzz{n}@example.com"),
            "phone": st.just("(505) 555-0142"),
            "date_of_birth": st.just("1987-06-02"),
        }
    )


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "with-security-parameters": False,
            "database": "none",
        },
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "suppress-health-check": ["all"],
    }
)
# Loading the document is one anonymous request that touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    path = context.operation.path
    if path.endswith("/cancel"):
        good = st.fixed_dictionaries({"appointment_id": st.sampled_from(TO_CANCEL)})
    elif path.endswith("/reschedule"):
        good = st.fixed_dictionaries({"appointment_id": st.sampled_from(TO_MOVE)})
    elif "{appointment_id}" in path:
        good = st.fixed_dictionaries({"appointment_id": st.sampled_from(TO_READ)})
    elif "{record_id}" in path:
        good = st.fixed_dictionaries({"record_id": st.just(RECORD)})
    elif "{sample_id}" in path:
        good = st.fixed_dictionaries({"sample_id": st.sampled_from(SAMPLES)})
    elif "{patient_id}" in path:
        good = st.fixed_dictionaries({"patient_id": st.sampled_from(PATIENTS)})
    else:
        return st.just(path_parameters)
    return _sometimes(path_parameters, good)


@schema.hook
def flatmap_query(context, query):
    path = context.operation.path
    if path.endswith("/availability"):
        day = st.sampled_from(DAYS)
        good = st.fixed_dictionaries(
            {"location": st.just(LOCATION), "service": st.sampled_from(SERVICES),
             "start": day, "end": day},
            optional={"practitioner": st.sampled_from(PRACTITIONERS)},
        )  # fmt: skip
    elif path.endswith("/appointments"):
        good = st.fixed_dictionaries({"location": st.just(LOCATION), "date": st.sampled_from(DAYS)})
    elif path.endswith("/patients"):
        good = st.fixed_dictionaries({"search": st.sampled_from(["", "Patient", "NP-0"])})
    else:
        return st.just(query)
    return _sometimes(query, good)


@schema.hook
def flatmap_body(context, body):
    path = context.operation.path
    if path.endswith("/bookings"):
        good = st.fixed_dictionaries(
            {"location": st.just(LOCATION), "service": st.just("face"),
             "start": st.sampled_from(FREE_STARTS), "patient": _patient_body()},
            optional={"practitioner": st.sampled_from(PRACTITIONERS)},
        )  # fmt: skip
    elif path.endswith("/reschedule"):
        good = st.fixed_dictionaries({"start": st.sampled_from(FREE_STARTS)})
    elif path.endswith("/prp-samples"):
        good = st.sampled_from(range(len(TO_READ))).map(
            lambda n: {
                "appointment": APPOINTMENTS[n],
                "patient": {"full_name": f"Fuzz{n} Patient", "date_of_birth": BORN},
            }
        )
    elif path.endswith("/photos"):
        from tests.support.images import jpeg

        good = st.fixed_dictionaries(
            {"view": st.sampled_from(PHOTO_VIEWS), "stage": st.sampled_from(PHOTO_STAGES),
             "file": st.sampled_from([jpeg((64, 48)), jpeg((48, 64))])},
        )  # fmt: skip
    elif path.endswith("/cartridges"):
        good = st.integers(1, 10**9).map(lambda n: {"lot": "FUZZ-LOT", "serial": f"SN{n}"})
    elif path.endswith("/check-in"):
        good = st.just({"nothing_changed": True})
    elif path.endswith("/identity-check"):
        good = st.just({"full_name": "Fuzz0 Patient", "date_of_birth": BORN})
    elif path.endswith("/events"):
        good = st.just({"type": "spin", "g_force": 300, "minutes": 10})
    elif path.endswith("/screening/evaluate"):
        good = st.fixed_dictionaries(
            {"service": st.sampled_from(SERVICES), "on": st.sampled_from(DAYS),
             "answers": st.sampled_from([{}, {"isotretinoin_last_dose": "2027-01-04"},
                                         {"pregnant_or_breastfeeding": True}])},
        )  # fmt: skip
    else:
        return st.just(body)
    return _sometimes(body, good)


# --- The run --------------------------------------------------------------------------


@pytest.fixture
def keep_test_connection():
    """Django's WSGI handler closes "old" connections around each request, which would end
    the test's transaction; Django's test client steps around it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, time_machine, settings, tmp_path, keep_test_connection):
    time_machine.move_to(NOW, tick=True)
    settings.MEDIA_ROOT = tmp_path / "media"  # uploaded photos, never into var/
    settings.NEEDLEPOINT_API_PUBLIC_RATE = (10**9, 60)  # the fuzzer is a single address
    return seed(time_machine)


@pytest.fixture
def statuses():
    """What one operation's run answered: never a 5xx, at least one success, and (for an
    operation that takes parameters) at least MAX_EXAMPLES cases."""
    seen: Counter[int] = Counter()
    operation: list = []
    yield seen, operation
    assert seen, "the operation was not exercised"
    assert not [s for s in seen if s >= 500], seen
    assert any(200 <= s < 300 for s in seen), f"the happy path was never reached: {seen}"
    takes_input = any(
        len(params) for params in [operation[0].path_parameters, operation[0].query,
                                   operation[0].body]
    )  # fmt: skip
    if takes_input:
        assert sum(seen.values()) >= MAX_EXAMPLES, seen


# Beyond F1's "no 5xx": the answers match the document (statuses, shapes, media types), so
# what integrators read in /api/v1/docs is what they get.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]


@schema.parametrize()
def test_no_server_errors(case, token, statuses):
    seen, operation = statuses
    operation[:] = [case.operation]
    headers = {"Authorization": f"Bearer {token}"} if "staff" in case.operation.tags else {}
    response = case.call(headers=headers)
    seen.update([response.status_code])
    case.validate_response(response, checks=CHECKS, headers=headers)
