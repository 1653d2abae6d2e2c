"""The staff API (Bearer tokens): the day's appointments, one appointment, cancel,
reschedule, patients; tenancy (A2), token refusals (401), role checks read afresh (A5) and
an audit row for every read of a patient's data (C1)."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import PERMISSIONS, Role
from needlepoint.accounts.services import api_token_revoke
from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.scheduling.models import Appointment, AppointmentStatus, Hold
from needlepoint.scheduling.services import appointment_book
from tests.support import factories
from tests.support.api_support import MONDAY, NOW, get, make_api_world, post
from tests.support.personas import sign_in
from tests.support.scheduling_world import at


@pytest.fixture
def aw(cast, time_machine):
    time_machine.move_to(NOW, tick=False)
    return make_api_world(cast)


def reads(action: AuditAction, patient) -> int:
    return AuditEvent.objects.filter(action=action, patient_ref=str(patient.public_id)).count()


def day_list(client, aw, persona="frontdesk", **params):
    params.setdefault("location", aw.world.location.slug)
    params.setdefault("date", MONDAY.isoformat())
    return get(client, "/appointments", token=aw.token(persona), **params)


def test_the_day_list_shows_patient_service_practitioner_room_and_status(client, aw):
    other = appointment_book(
        location=aw.world.location,
        service=aw.world.consultation,
        start=at(2027, 1, 11, 9),
        patient=aw.cast.other_patient,
        source="phone",
        now=NOW,
    )
    response = day_list(client, aw)
    assert response.status_code == 200
    rows = response.json()
    assert [r["id"] for r in rows] == [str(other.public_id), str(aw.appointment.public_id)]
    row = rows[1]
    appointment = aw.appointment
    assert row["patient"] == {
        "id": str(aw.cast.patient.public_id),
        "name": "Paloma Quintana",
        "record_number": aw.cast.patient.record_number,
    }
    assert row["service"] == {"slug": "face", "name": "Face"}
    assert row["practitioner"]["id"] == str(appointment.practitioner.public_id)
    assert row["room"] == {"id": str(appointment.room.public_id), "name": appointment.room.name}
    assert row["status"] == "booked"
    assert row["start"] == "2027-01-11T10:00:00-07:00"
    assert row["location"] == aw.world.location.slug


def test_the_day_list_audits_each_listed_patient(client, aw):
    day_list(client, aw)
    assert reads(AuditAction.LIST, aw.cast.patient) == 1
    event = AuditEvent.objects.filter(patient_ref=str(aw.cast.patient.public_id)).latest("id")
    assert event.actor == aw.cast.frontdesk
    assert event.organization == aw.cast.clinic
    assert event.detail == {"via": "api"}
    assert "Paloma" not in str(event.detail) and event.path == "/api/v1/appointments"


def test_the_day_list_query_count(client, aw, django_assert_num_queries):
    # The token with its user and clinic, its last-used time, the location, the list with
    # everything it shows, a savepoint around the audit rows; then per listed patient one
    # audit row (savepoint, chain read, insert, and on PostgreSQL the chain's lock).
    per_row = 5 if connection.vendor == "postgresql" else 4
    with django_assert_num_queries(6 + per_row):
        assert day_list(client, aw).status_code == 200


def test_another_day_is_empty_and_date_defaults_to_today(client, aw):
    assert day_list(client, aw, date="2027-01-12").json() == []
    response = get(
        client, "/appointments", token=aw.token("owner"), location=aw.world.location.slug
    )
    assert response.status_code == 200
    assert response.json() == []  # today is January 4


def test_one_appointment(client, aw):
    response = get(
        client, f"/appointments/{aw.appointment.public_id}", token=aw.token("practitioner")
    )
    assert response.status_code == 200
    assert response.json()["id"] == str(aw.appointment.public_id)
    assert response.json()["cancel_reason"] == ""
    assert reads(AuditAction.VIEW, aw.cast.patient) == 1


def test_cancelling_frees_every_resource(client, aw):
    url = f"/appointments/{aw.appointment.public_id}/cancel"
    response = post(client, url, {"reason": "Patient has a cold"}, token=aw.token("frontdesk"))
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancel_reason"] == "Patient has a cold"
    assert response.json()["cancelled_at"].endswith("-07:00")
    assert not Hold.objects.filter(appointment=aw.appointment, is_active=True).exists()
    update = AuditEvent.objects.filter(action=AuditAction.UPDATE).latest("id")
    assert update.actor == aw.cast.frontdesk  # the token's user, not a session's
    # Cancelling again changes nothing.
    again = post(client, url, {"reason": "again"}, token=aw.token("frontdesk"))
    assert again.status_code == 200
    assert again.json()["cancel_reason"] == "Patient has a cold"


def test_a_completed_appointment_cannot_be_cancelled(client, aw):
    aw.appointment.status = AppointmentStatus.COMPLETED
    aw.appointment.save()
    url = f"/appointments/{aw.appointment.public_id}/cancel"
    response = post(client, url, {"reason": ""}, token=aw.token("owner"))
    assert response.status_code == 409
    assert response.json()["code"] == "not_cancellable"


def test_cancel_needs_a_reason_field(client, aw):
    url = f"/appointments/{aw.appointment.public_id}/cancel"
    response = post(client, url, {}, token=aw.token("owner"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"


def test_rescheduling_moves_the_booking_and_its_holds(client, aw):
    url = f"/appointments/{aw.appointment.public_id}/reschedule"
    body = {"start": "2027-01-12T13:00:00-07:00", "practitioner": str(aw.world.ben.public_id)}
    response = post(client, url, body, token=aw.token("frontdesk"))
    assert response.status_code == 200, response.content
    assert response.json()["start"] == "2027-01-12T13:00:00-07:00"
    assert response.json()["practitioner"]["id"] == str(aw.world.ben.public_id)
    active = Hold.objects.filter(appointment=aw.appointment, is_active=True)
    assert {h.starts_at.date().isoformat() for h in active} == {"2027-01-12"}


def test_rescheduling_onto_a_taken_time_is_slot_unavailable(client, aw):
    appointment_book(
        location=aw.world.location,
        service=aw.world.face,
        start=at(2027, 1, 12, 13),
        patient=aw.cast.other_patient,
        source="phone",
        now=NOW,
    )
    url = f"/appointments/{aw.appointment.public_id}/reschedule"
    response = post(client, url, {"start": "2027-01-12T13:00:00-07:00"}, token=aw.token("owner"))
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"
    assert response.json()["alternatives"]
    aw.appointment.refresh_from_db()
    assert aw.appointment.starts_at == at(2027, 1, 11, 10)  # the original booking stands


@pytest.mark.parametrize("start", ["2027-01-10T10:00:00-07:00", "9999-12-31T23:00:00-12:00"])
def test_rescheduling_to_a_time_that_never_existed_is_slot_unavailable(client, aw, start):
    url = f"/appointments/{aw.appointment.public_id}/reschedule"
    response = post(client, url, {"start": start}, token=aw.token("owner"))
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"


def test_rescheduling_a_cancelled_appointment_is_refused_by_the_rule(client, aw):
    post(client, f"/appointments/{aw.appointment.public_id}/cancel", {"reason": ""},
         token=aw.token("owner"))  # fmt: skip
    url = f"/appointments/{aw.appointment.public_id}/reschedule"
    response = post(client, url, {"start": "2027-01-12T13:00:00-07:00"}, token=aw.token("owner"))
    assert response.status_code == 422
    assert response.json()["code"] == "not_active"


def test_patients_search_and_audit_each_listed_patient(client, aw):
    response = get(client, "/patients", token=aw.token("frontdesk"), search="paloma")
    assert response.status_code == 200
    assert [p["id"] for p in response.json()] == [str(aw.cast.patient.public_id)]
    assert response.json()[0]["date_of_birth"] == "1988-04-12"
    assert reads(AuditAction.LIST, aw.cast.patient) == 1
    assert reads(AuditAction.LIST, aw.cast.other_patient) == 0


def test_patients_page_with_limit_and_offset(client, aw):
    everyone = get(client, "/patients", token=aw.token("owner")).json()
    assert [p["last_name"] for p in everyone] == ["Begay", "Quintana"]
    second = get(client, "/patients", token=aw.token("owner"), limit=1, offset=1).json()
    assert [p["last_name"] for p in second] == ["Quintana"]
    assert get(client, "/patients", token=aw.token("owner"), limit=0).status_code == 422


def test_a_search_with_control_characters_is_invalid(client, aw):
    response = get(client, "/patients", token=aw.token("owner"), search="pal\x00oma")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "search"


def test_one_patient_is_read_and_audited(client, aw):
    response = get(client, f"/patients/{aw.cast.patient.public_id}", token=aw.token("frontdesk"))
    assert response.status_code == 200
    body = response.json()
    assert body["first_name"] == "Paloma"
    assert body["has_portal_account"] is True
    assert reads(AuditAction.VIEW, aw.cast.patient) == 1


# --- Tenancy (A2) ---------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["frontdesk", "practitioner", "director", "owner"])
def test_another_organizations_objects_are_not_found(client, aw, persona):
    elsewhere = aw.cast.outsider_clinic
    foreign = Appointment.objects.create(
        organization=elsewhere,
        location=factories.LocationFactory(organization=elsewhere),
        service=factories.ServiceFactory(organization=elsewhere),
        patient=aw.cast.outsider_patient,
        starts_at=at(2027, 1, 11, 10),
        ends_at=at(2027, 1, 11, 11),
        source="phone",
    )
    token = aw.token(persona)
    for response in [
        get(client, f"/appointments/{foreign.public_id}", token=token),
        post(client, f"/appointments/{foreign.public_id}/cancel", {"reason": ""}, token=token),
        post(
            client,
            f"/appointments/{foreign.public_id}/reschedule",
            {"start": "2027-01-12T13:00:00-07:00"},
            token=token,
        ),
        get(client, f"/patients/{aw.cast.outsider_patient.public_id}", token=token),
        get(client, f"/patients/{uuid.uuid4()}", token=token),
        get(client, "/appointments", token=token, location=foreign.location.slug),
    ]:
        assert response.status_code == 404, response.request
        assert response.json()["code"] == "not_found"
    foreign.refresh_from_db()
    assert foreign.status == AppointmentStatus.BOOKED


@pytest.mark.parametrize(
    "method,path",
    [
        ("get", "/appointments/{id}"),
        ("post", "/appointments/{id}/cancel"),
        ("post", "/appointments/{id}/reschedule"),
    ],
)
def test_an_outsider_cannot_reach_our_appointment(client, aw, method, path):
    url = path.format(id=aw.appointment.public_id)
    token = aw.token("outsider")
    if method == "get":
        response = get(client, url, token=token)
    else:
        body = {"reason": "x"} if url.endswith("cancel") else {"start": "2027-01-12T13:00:00-07:00"}
        response = post(client, url, body, token=token)
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No such record."}
    aw.appointment.refresh_from_db()
    assert aw.appointment.status == AppointmentStatus.BOOKED
    assert aw.appointment.starts_at == at(2027, 1, 11, 10)


def test_an_outsider_sees_neither_our_location_nor_our_patients(client, aw):
    assert day_list(client, aw, "outsider").status_code == 404
    names = [p["last_name"] for p in get(client, "/patients", token=aw.token("outsider")).json()]
    assert names == ["Elsewhere"]


def test_a_practitioner_from_another_organization_is_not_found_on_reschedule(client, aw):
    url = f"/appointments/{aw.appointment.public_id}/reschedule"
    body = {"start": "2027-01-12T13:00:00-07:00", "practitioner": str(
        aw.cast.outsider.staff_profile.public_id)}  # fmt: skip
    assert post(client, url, body, token=aw.token("owner")).status_code == 404


# --- Tokens and roles -----------------------------------------------------------------


def test_no_token_is_unauthorized(client, aw):
    response = day_list(client, aw, persona="none")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "header",
    ["Bearer np_not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "np_x", "Bearer " + "x" * 500],
)
def test_a_bad_token_is_unauthorized(client, aw, header):
    response = client.get("/api/v1/patients", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_a_refused_token_is_audited(client, aw):
    get(client, "/patients", token="np_guessing")
    event = AuditEvent.objects.filter(action=AuditAction.DENIED).latest("id")
    assert event.detail["reason"] == "api token refused"
    assert "np_guessing" not in str(event.detail)


def test_a_revoked_token_is_unauthorized_on_the_next_request(client, aw):
    token = aw.cast.frontdesk.staff_profile.api_tokens.get()
    assert get(client, "/patients", token=aw.token("frontdesk")).status_code == 200
    api_token_revoke(token=token)
    assert get(client, "/patients", token=aw.token("frontdesk")).status_code == 401
    event = AuditEvent.objects.filter(action=AuditAction.DENIED).latest("id")
    assert event.organization == aw.cast.clinic  # filed under the token's clinic


def test_a_deactivated_user_is_unauthorized_on_the_next_request(client, aw):
    aw.cast.practitioner.is_active = False
    aw.cast.practitioner.save()
    assert get(client, "/patients", token=aw.token("practitioner")).status_code == 401


def test_removing_the_staff_profile_ends_the_token(client, aw):
    StaffProfile.objects.filter(user=aw.cast.director).delete()
    assert get(client, "/patients", token=aw.token("director")).status_code == 401


def test_a_role_change_takes_effect_on_the_next_request(client, aw, monkeypatch):
    assert get(client, "/patients", token=aw.token("frontdesk")).status_code == 200
    monkeypatch.setitem(PERMISSIONS, "patients.list", frozenset({Role.OWNER}))
    response = get(client, "/patients", token=aw.token("frontdesk"))
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    denied = AuditEvent.objects.filter(action=AuditAction.DENIED).latest("id")
    assert denied.detail["reason"] == "role lacks patients.list"
    # Promoted to owner: allowed on the next request.
    StaffProfile.objects.filter(user=aw.cast.frontdesk).update(role=Role.OWNER)
    assert get(client, "/patients", token=aw.token("frontdesk")).status_code == 200


def test_a_signed_in_session_is_not_an_api_credential(client, aw):
    sign_in(client, aw.cast.owner)
    assert get(client, "/patients").status_code == 401


def test_a_token_wins_over_a_session_of_someone_else(client, aw):
    sign_in(client, aw.cast.owner)
    get(client, f"/patients/{aw.cast.patient.public_id}", token=aw.token("frontdesk"))
    event = AuditEvent.objects.filter(action=AuditAction.VIEW).latest("id")
    assert event.actor == aw.cast.frontdesk


def test_malformed_ids_are_invalid(client, aw):
    response = get(client, "/appointments/not-a-uuid", token=aw.token("owner"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "appointment_id"


def test_guessing_tokens_is_throttled_without_flooding_the_audit_log(client, aw):
    for n in range(20):
        assert get(client, "/patients", token=f"np_guess{n}").status_code == 401
    denied = AuditEvent.objects.filter(action=AuditAction.DENIED).count()
    response = get(client, "/patients", token="np_guess-again")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    assert AuditEvent.objects.filter(action=AuditAction.DENIED).count() == denied
    # A valid token from the same address still works.
    assert get(client, "/patients", token=aw.token("owner")).status_code == 200


def test_staff_answers_are_not_cached_and_set_no_cookie(client, aw):
    response = get(client, f"/patients/{aw.cast.patient.public_id}", token=aw.token("owner"))
    assert response["Cache-Control"].startswith("no-store")
    assert not response.cookies
    assert response["X-Content-Type-Options"] == "nosniff"
