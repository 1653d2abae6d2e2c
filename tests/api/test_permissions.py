"""docs/security-targets.md A1/A2 for the API: every operation × every persona has an expected
status, and a meta-test fails when an operation of the OpenAPI document is missing here.

Staff personas call with their own token; the patient with a signed-in session (the API
takes no sessions); the outsider with a token of another clinic, which finds nothing of ours.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from needlepoint.api.api import api
from needlepoint.core.models import AuditEvent
from tests.support.api_support import API, NOW, ApiWorld, booking_body, make_api_world
from tests.support.personas import PERSONAS, sign_in
from tests.support.scheduling_world import at

OUTSIDER = "outsider"
ON_THE_DAY = at(2027, 1, 11, 9, 30)
ALL = [*PERSONAS, OUTSIDER]


def expect(anonymous, patient, frontdesk, practitioner, director, owner, outsider):
    return dict(zip(ALL, [anonymous, patient, frontdesk, practitioner, director, owner, outsider],
                    strict=True))  # fmt: skip


PUBLIC = expect(200, 200, 200, 200, 200, 200, 200)
CREATED = expect(201, 201, 201, 201, 201, 201, 201)
STAFF = expect(401, 401, 200, 200, 200, 200, 200)
STAFF_OURS = expect(401, 401, 200, 200, 200, 200, 404)


@dataclass
class Multipart:
    """A POST body sent as multipart/form-data (file uploads) instead of JSON."""

    fields: dict[str, Any]


Request = tuple[str, dict[str, Any] | Multipart | None]  # path (with query) and body for POST


# Charting: clinical roles only; the outsider (an owner elsewhere) is refused by role first.
CLINICAL_OURS = expect(401, 401, 403, 201, 201, 403, 403)


def _identifiers(aw: ApiWorld) -> dict[str, str]:
    patient = aw.cast.patient
    return {
        "full_name": f"{patient.first_name} {patient.last_name}",
        "date_of_birth": patient.date_of_birth.isoformat(),
    }


def _answered(aw: ApiWorld) -> ApiWorld:
    """Paloma's health answers on file and her consents signed: ready for check-in."""
    from tests.support.clinical_support import answers_harmless, clinic_seeded, consents_signed

    clinic_seeded(aw.cast.clinic)
    answers_harmless(aw.appointment)
    consents_signed(aw.appointment)
    return aw


def _checked_in(aw: ApiWorld) -> ApiWorld:
    from tests.support.clinical_support import visit_ready

    visit_ready(aw.appointment)
    aw.appointment.refresh_from_db()
    return aw


def _charted(aw: ApiWorld):
    """Paloma checked in and identified at the chair by the medical director."""
    from tests.support.clinical_support import chart_ready

    return chart_ready(aw.appointment, staff=aw.cast.director.staff_profile)


def _sample(aw: ApiWorld) -> str:
    """A sample drawn for Paloma's visit by the medical director."""
    from needlepoint.clinical.custody import Identity
    from needlepoint.clinical.services import prp_sample_draw

    _charted(aw)
    ids = _identifiers(aw)
    drawn = prp_sample_draw(
        appointment=aw.appointment,
        identity=Identity(ids["full_name"], date.fromisoformat(ids["date_of_birth"])),
        staff=aw.cast.director.staff_profile,
    )
    return str(drawn.sample.public_id)


def _record(aw: ApiWorld) -> str:
    """Paloma's visit's treatment record, started by the medical director."""
    return str(_charted(aw).public_id)


def _photo_form() -> Multipart:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.support.images import jpeg

    photo = SimpleUploadedFile("photo.jpg", jpeg(), content_type="image/jpeg")
    return Multipart({"view": "frontal", "stage": "before", "file": photo})


def _appointment(aw: ApiWorld, suffix: str = "") -> str:
    return f"/appointments/{aw.appointment.public_id}{suffix}"


# (method, OpenAPI path) -> (how to build the request, expected status per persona)
MATRIX: dict[tuple[str, str], tuple[Callable[[ApiWorld], Request], dict[str, int]]] = {
    ("get", "/api/v1/locations"): (lambda aw: ("/locations", None), PUBLIC),
    ("get", "/api/v1/services"): (lambda aw: ("/services", None), PUBLIC),
    ("get", "/api/v1/availability"): (
        lambda aw: (
            f"/availability?location={aw.world.location.slug}&service=face"
            "&start=2027-01-11&end=2027-01-17",
            None,
        ),
        PUBLIC,
    ),
    ("post", "/api/v1/bookings"): (
        lambda aw: ("/bookings", booking_body(aw.world, at(2027, 1, 12, 10))),
        CREATED,
    ),
    ("get", "/api/v1/appointments"): (
        lambda aw: (f"/appointments?location={aw.world.location.slug}&date=2027-01-11", None),
        STAFF_OURS,
    ),
    ("get", "/api/v1/appointments/{appointment_id}"): (
        lambda aw: (_appointment(aw), None),
        STAFF_OURS,
    ),
    ("post", "/api/v1/appointments/{appointment_id}/cancel"): (
        lambda aw: (_appointment(aw, "/cancel"), {"reason": "Unwell"}),
        STAFF_OURS,
    ),
    ("post", "/api/v1/appointments/{appointment_id}/reschedule"): (
        lambda aw: (_appointment(aw, "/reschedule"), {"start": "2027-01-13T14:00:00-07:00"}),
        STAFF_OURS,
    ),
    ("post", "/api/v1/screening/evaluate"): (
        lambda aw: (
            "/screening/evaluate",
            {"service": "face", "on": "2027-01-11", "answers": {"metal_allergy": True}},
        ),
        expect(401, 401, 403, 200, 200, 403, 403),  # clinical staff (the outsider is an owner)
    ),
    ("post", "/api/v1/appointments/{appointment_id}/treatment-record"): (
        lambda aw: (_appointment(_checked_in(aw), "/treatment-record"), {}),
        CLINICAL_OURS,
    ),
    ("get", "/api/v1/appointments/{appointment_id}/readiness"): (
        lambda aw: (_appointment(aw, "/readiness"), None),
        STAFF_OURS,
    ),
    ("post", "/api/v1/appointments/{appointment_id}/check-in"): (
        lambda aw: (_appointment(_answered(aw), "/check-in"), {"nothing_changed": True}),
        STAFF_OURS,
    ),
    ("post", "/api/v1/treatment-records/{record_id}/identity-check"): (
        lambda aw: (f"/treatment-records/{_record(aw)}/identity-check", _identifiers(aw)),
        expect(401, 401, 403, 200, 200, 403, 403),
    ),
    ("post", "/api/v1/prp-samples"): (
        lambda aw: (
            "/prp-samples",
            {"appointment": str(_charted(aw).appointment.public_id), "patient": _identifiers(aw)},
        ),
        CLINICAL_OURS,
    ),
    ("post", "/api/v1/prp-samples/{sample_id}/events"): (
        lambda aw: (
            f"/prp-samples/{_sample(aw)}/events",
            {"type": "spin", "g_force": 300, "minutes": 10},
        ),
        CLINICAL_OURS,
    ),
    ("post", "/api/v1/treatment-records/{record_id}/cartridges"): (
        lambda aw: (f"/treatment-records/{_record(aw)}/cartridges", {"lot": "L1", "serial": "S1"}),
        CLINICAL_OURS,
    ),
    ("post", "/api/v1/treatment-records/{record_id}/photos"): (
        lambda aw: (f"/treatment-records/{_record(aw)}/photos", _photo_form()),
        CLINICAL_OURS,
    ),
    ("get", "/api/v1/patients"): (lambda aw: ("/patients?search=a", None), STAFF),
    ("get", "/api/v1/patients/{patient_id}"): (
        lambda aw: (f"/patients/{aw.cast.patient.public_id}", None),
        STAFF_OURS,
    ),
}


# Staff operations that read no patient's record, so leave no audit row: screening
# evaluates the answers in the request body and stores nothing.
NO_RECORD_READ = {("post", "/api/v1/screening/evaluate")}


def _operations() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix=f"{API.strip('/')}/")
    return {(method, path) for path, methods in schema["paths"].items() for method in methods}


def test_every_api_operation_is_in_the_matrix():
    operations = _operations()
    assert operations, "no operations found: is the API mounted?"
    missing = operations - set(MATRIX)
    stale = set(MATRIX) - operations
    assert not missing, f"add these API operations to MATRIX: {sorted(missing)}"
    assert not stale, f"these MATRIX entries match no API operation: {sorted(stale)}"


def test_every_staff_operation_names_a_permission():
    for path_view in [view for router in api._get_bound_routers() for view in
                      router.path_operations.values()]:  # fmt: skip
        for operation in path_view.operations:
            if "staff" in (operation.tags or []):
                permissions = [getattr(a, "permission", None) for a in operation.auth_callbacks]
                assert permissions and all(permissions), operation.operation_id


@pytest.fixture
def aw(cast, time_machine, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # photos uploaded here, never into var/
    time_machine.move_to(NOW, tick=False)
    aw = make_api_world(cast)
    time_machine.move_to(ON_THE_DAY, tick=False)  # charting happens on the visit's day
    return aw


@pytest.mark.parametrize("persona", ALL)
@pytest.mark.parametrize("operation", sorted(MATRIX), ids=lambda op: f"{op[0].upper()} {op[1]}")
def test_api_role_matrix(client, aw, operation, persona):
    build, expected = MATRIX[operation]
    path, body = build(aw)
    headers = {}
    if persona == "patient":
        sign_in(client, aw.cast.patient_user)
    elif aw.token(persona):
        headers["HTTP_AUTHORIZATION"] = f"Bearer {aw.token(persona)}"
    if operation[0] == "get":
        response = client.get(f"{API}{path}", **headers)
    elif isinstance(body, Multipart):
        response = client.post(f"{API}{path}", body.fields, **headers)
    else:
        response = client.post(f"{API}{path}", body, content_type="application/json", **headers)
    assert response.status_code == expected[persona], (operation, persona, response.content)
    assert response["Content-Type"].startswith("application/json")
    if response.status_code >= 400:
        assert set(response.json()) >= {"code", "message"}
    elif expected is not PUBLIC and expected is not CREATED and operation not in NO_RECORD_READ:
        # C1: every successful staff call reads patient data and leaves an audit row,
        # filed under the caller, with ids only.
        user = aw.cast.outsider if persona == OUTSIDER else aw.cast.user(persona)
        rows = AuditEvent.objects.filter(actor=user, path=response.wsgi_request.path)
        assert rows.exclude(patient_ref="").exists(), (operation, persona)
        assert "Paloma" not in str(list(rows.values_list("detail", flat=True)))


def test_the_document_describes_every_operation():
    schema = api.get_openapi_schema(path_prefix=f"{API.strip('/')}/")
    assert schema["info"]["title"] == "Needlepoint API"
    assert schema["components"]["securitySchemes"] == {
        "BearerToken": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "np_…",
            "description": schema["components"]["securitySchemes"]["BearerToken"]["description"],
        }
    }
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            label = f"{method.upper()} {path}"
            assert operation["summary"] and operation["description"], label
            assert operation["tags"] in (["public"], ["staff"]), label
            secured = operation.get("security") == [{"BearerToken": []}]
            assert secured == (operation["tags"] == ["staff"]), label
            assert any(str(code).startswith("2") for code in operation["responses"]), label
