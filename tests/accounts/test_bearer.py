"""The photo `url` and PRP `label_url` the API returns open with the Bearer token alone, with the
same role check, clinic scoping and audit rows as the signed-in path (docs/security-targets.md A1,
A2, C1, D5); the token is never taken from the query string."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from needlepoint.accounts.models import ApiToken
from needlepoint.accounts.roles import Role
from needlepoint.accounts.services import api_token_create, api_token_revoke
from needlepoint.clinical.services import photo_add
from needlepoint.core.models import AuditAction, AuditEvent
from tests.support.api_support import bearer, make_api_world, post
from tests.support.clinical_support import chart_ready
from tests.support.personas import make_staff
from tests.support.scheduling_world import at


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def aw(cast, time_machine):
    """The API world, plus a practitioner of the outsider clinic with a token."""
    time_machine.move_to(at(2027, 1, 11, 10), tick=False)
    world = make_api_world(cast)
    elsewhere = make_staff(cast.outsider_clinic, Role.PRACTITIONER, "elsewhere-prac")
    world.tokens["outsider"] = api_token_create(staff=elsewhere.staff_profile, name="t")[1]
    return world


def a_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 160, 140)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def photo_url(aw):
    record = chart_ready(aw.appointment, staff=aw.cast.director.staff_profile)
    photo = photo_add(
        record=record,
        view="frontal",
        stage="before",
        data=a_jpeg(),
        staff=aw.cast.director.staff_profile,
    )
    return reverse("clinical:photo-image", kwargs={"public_id": photo.public_id})


@pytest.fixture
def label_url(aw):
    """The `label_url` of a sample drawn through the API, as an integrator receives it."""
    patient = aw.cast.patient
    chart_ready(aw.appointment, staff=aw.cast.practitioner.staff_profile)
    body = {
        "appointment": str(aw.appointment.public_id),
        "patient": {
            "full_name": f"{patient.first_name} {patient.last_name}",
            "date_of_birth": patient.date_of_birth.isoformat(),
        },
    }
    response = post(Client(), "/prp-samples", body, token=aw.token("practitioner"))
    assert response.status_code == 201, response.content
    return response.json()["label_url"].replace("http://testserver", "")


def get(url: str, aw=None, persona: str | None = None, **extra):
    secret = aw.token(persona) if persona else None
    return Client().get(url, **bearer(secret), **extra)


# --- The photo ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["practitioner", "director"])
def test_a_clinicians_token_opens_the_photo_and_is_audited(aw, photo_url, persona):
    response = get(photo_url, aw, persona)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert "sessionid" not in response.cookies
    event = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("id")
    assert event.actor == aw.cast.user(persona)
    assert event.organization == aw.cast.clinic
    assert event.patient_ref == str(aw.cast.patient.public_id)


def test_a_token_download_is_audited_as_an_export(aw, photo_url):
    response = get(f"{photo_url}?download=1", aw, "practitioner")

    assert response.status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, actor=aw.cast.practitioner, path=photo_url
    ).exists()


@pytest.mark.parametrize("persona", ["frontdesk", "owner"])
def test_a_non_clinical_token_is_refused_as_the_signed_in_path_is(aw, photo_url, persona):
    response = get(photo_url, aw, persona)

    assert response.status_code == 403
    denied = AuditEvent.objects.get(action=AuditAction.DENIED)
    assert denied.actor == aw.cast.user(persona)
    assert denied.detail["via"] == "bearer"
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_another_clinics_token_finds_no_photo(aw, photo_url):
    assert get(photo_url, aw, "outsider").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW).exists()


def test_without_any_credential_the_photo_is_still_not_found(aw, photo_url):
    assert get(photo_url).status_code == 404


def test_a_token_in_the_query_string_is_ignored(aw, photo_url):
    secret = aw.token("practitioner")
    for name in ("token", "access_token", "bearer"):
        assert get(f"{photo_url}?{name}={secret}").status_code == 404


@pytest.mark.parametrize("header", ["Bearer np_not-a-real-token", "Bearer "])
def test_an_unknown_token_is_unauthorized_and_audited(aw, photo_url, header):
    response = Client().get(photo_url, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    if header.strip() != "Bearer":
        assert AuditEvent.objects.get(action=AuditAction.DENIED).detail["via"] == "bearer"


def test_a_revoked_token_no_longer_opens_the_photo(aw, photo_url):
    token = ApiToken.objects.get(staff=aw.cast.practitioner.staff_profile)
    api_token_revoke(token=token)

    assert get(photo_url, aw, "practitioner").status_code == 401


def test_another_authorization_scheme_is_treated_as_no_credential(aw, photo_url):
    response = Client().get(photo_url, HTTP_AUTHORIZATION="Basic cHJhYzpwYXNz")

    assert response.status_code == 404


# --- The PRP label --------------------------------------------------------------------------


def test_a_practitioners_token_opens_the_label_and_is_audited(aw, label_url):
    response = get(label_url, aw, "practitioner")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("id")
    assert event.actor == aw.cast.practitioner
    assert event.detail == {"label": True}


@pytest.mark.parametrize("persona", ["frontdesk", "owner"])
def test_a_non_clinical_token_gets_no_label(aw, label_url, persona):
    assert get(label_url, aw, persona).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_another_clinics_token_finds_no_label(aw, label_url):
    assert get(label_url, aw, "outsider").status_code == 404


def test_without_any_credential_the_label_sends_to_sign_in_as_before(aw, label_url):
    response = get(label_url)

    assert response.status_code == 302
    assert "/login/" in response["Location"]
