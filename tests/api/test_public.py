"""The public API: locations, services, availability and booking (docs/api-contract.md), with its
error codes, idempotency and the per-address rate limit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.patients.models import DuplicateCandidate, Patient
from needlepoint.scheduling.models import Appointment, AppointmentSource, Hold
from tests.support import factories
from tests.support.api_support import MONDAY, NOW, booking_body, get, post
from tests.support.scheduling_world import at, make_world


@pytest.fixture
def world(db, time_machine):
    time_machine.move_to(NOW, tick=False)
    return make_world()


# Another person altogether: no name, date of birth, phone or email in common with Rosa.
SOMEONE_ELSE = {
    "first_name": "Lena",
    "last_name": "Ortiz",
    "email": "someone.else@example.com",
    "phone": "(505) 555-0199",
    "date_of_birth": "1990-03-04",
}


def availability(client, world, first: date, last: date, **params):
    return get(
        client,
        "/availability",
        location=world.location.slug,
        service=params.pop("service", world.face.slug),
        start=first.isoformat(),
        end=last.isoformat(),
        **params,
    )


def test_it_lists_the_clinics_active_locations(client, world):
    factories.LocationFactory(organization=world.clinic, name="Closed site", is_active=False)
    response = get(client, "/locations")
    assert response.status_code == 200
    assert response.json() == [
        {
            "slug": world.location.slug,
            "name": world.location.name,
            "timezone": "America/Denver",
            "address": "100 Central Ave SW, Albuquerque, NM 87102",
            "phone": "(505) 555-0100",
        }
    ]


def test_it_lists_bookable_services_with_duration_price_and_areas(client, world):
    world.consultation.bookable_online = False
    world.consultation.save()
    response = get(client, "/services")
    assert response.status_code == 200
    services = {s["slug"]: s for s in response.json()}
    assert set(services) == {"face", "prp-face"}
    face = services["face"]
    assert face["duration_minutes"] == 90
    assert face["price"] == "300.00"
    assert face["uses_prp"] is False and services["prp-face"]["uses_prp"] is True
    assert face["areas"] == [{"code": "cheeks", "name": "Cheeks"}]
    assert face["indications"] == []


def test_lists_are_empty_before_any_clinic_exists(client, db):
    assert get(client, "/locations").json() == []
    assert get(client, "/services").json() == []


def test_availability_lists_sorted_starts_with_the_locations_offset(client, world):
    response = availability(client, world, MONDAY, MONDAY)
    assert response.status_code == 200
    body = response.json()
    assert body["location"] == world.location.slug
    assert body["service"] == "face"
    assert body["timezone"] == "America/Denver"
    slots = body["slots"]
    assert slots[0]["start"] == "2027-01-11T09:00:00-07:00"
    assert slots[0]["end"] == "2027-01-11T10:30:00-07:00"
    assert slots[-1]["start"] == "2027-01-11T15:30:00-07:00"
    assert [s["start"] for s in slots] == sorted(s["start"] for s in slots)
    assert len({s["start"] for s in slots}) == len(slots)  # any practitioner: one per start
    names = {str(p.public_id): p.display_name for p in (world.ana, world.ben)}
    assert all(names[s["practitioner"]["id"]] == s["practitioner"]["name"] for s in slots)


def test_availability_crosses_the_spring_forward_switch_with_the_right_offsets(client, world):
    # US daylight saving time starts on Sunday, March 14, 2027.
    slots = availability(client, world, date(2027, 3, 13), date(2027, 3, 15)).json()["slots"]
    saturday = [s["start"] for s in slots if s["start"].startswith("2027-03-13")]
    monday = [s["start"] for s in slots if s["start"].startswith("2027-03-15")]
    assert saturday[0] == "2027-03-13T09:00:00-07:00"
    assert monday[0] == "2027-03-15T09:00:00-06:00"
    assert not [s for s in slots if s["start"].startswith("2027-03-14")]  # closed on Sundays


def test_availability_for_one_practitioner(client, world):
    slots = availability(
        client, world, MONDAY, MONDAY, practitioner=str(world.ben.public_id)
    ).json()["slots"]
    assert slots
    assert {s["practitioner"]["id"] for s in slots} == {str(world.ben.public_id)}


def test_a_practitioner_who_cannot_give_the_service_is_not_found(client, world):
    # Only Ana draws blood for PRP.
    response = availability(
        client, world, MONDAY, MONDAY, service="prp-face", practitioner=str(world.ben.public_id)
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_more_than_62_days_is_range_too_long(client, world):
    assert availability(client, world, MONDAY, MONDAY + timedelta(days=62)).status_code == 200
    response = availability(client, world, MONDAY, MONDAY + timedelta(days=63))
    assert response.status_code == 422
    assert response.json()["code"] == "range_too_long"
    assert response.json()["errors"][0]["field"] == "end"


def test_an_end_before_the_start_is_invalid(client, world):
    response = availability(client, world, MONDAY, MONDAY - timedelta(days=1))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"] == [
        {
            "field": "end",
            "message": "end must be the same day as start or later.",
            "type": "invalid",
        }
    ]


def test_missing_and_malformed_parameters_are_invalid_with_field_errors(client, world):
    response = get(client, "/availability", location=world.location.slug, start="2027-13-01")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"]
    assert {e["field"] for e in body["errors"]} == {"service", "start", "end"}
    assert "2027-13-01" not in response.content.decode()  # input is not echoed


def test_unknown_location_or_service_is_not_found(client, world):
    response = get(
        client, "/availability", location="nowhere", service="face", start="2027-01-11",
        end="2027-01-11",
    )  # fmt: skip
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No such location."}
    other = factories.LocationFactory(organization=factories.OrganizationFactory())
    response = availability(client, world, MONDAY, MONDAY, service="botox")
    assert response.json()["code"] == "not_found"
    response = get(
        client, "/availability", location=other.slug, service="face", start="2027-01-11",
        end="2027-01-11",
    )  # fmt: skip
    assert response.status_code == 404  # another organization's location


def test_days_in_the_past_or_far_away_have_no_slots_and_no_error(client, world):
    for first, last in [
        (date(2026, 12, 1), date(2026, 12, 31)),
        (date(9999, 12, 1), date(9999, 12, 31)),
        (date(1, 1, 1), date(1, 1, 2)),
    ]:
        response = availability(client, world, first, last)
        assert response.status_code == 200, (first, response.content)
        assert response.json()["slots"] == []


def test_a_booking_is_created_with_every_field(client, world):
    response = post(client, "/bookings", booking_body(world, at(2027, 1, 11, 10)))
    assert response.status_code == 201, response.content
    body = response.json()
    appointment = Appointment.objects.get()
    assert body["id"] == str(appointment.public_id)
    assert body["status"] == "booked"
    assert body["start"] == "2027-01-11T10:00:00-07:00"
    assert body["end"] == "2027-01-11T11:30:00-07:00"
    assert body["location"] == world.location.slug
    assert body["service"] == "face"
    assert body["practitioner"]["id"] == str(appointment.practitioner.public_id)
    assert "/book/manage/" in body["manage_url"]
    assert appointment.source == AppointmentSource.API
    patient = appointment.patient
    assert (patient.first_name, patient.email) == ("Rosa", "rosa.tafoya@example.com")
    assert Hold.objects.filter(appointment=appointment, is_active=True).count() == 3
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, patient_ref=patient.public_id)


def test_the_manage_url_opens_the_booking(client, world):
    body = post(client, "/bookings", booking_body(world, at(2027, 1, 11, 10))).json()
    path = body["manage_url"].split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}").status_code == 200


def test_a_booking_with_a_chosen_practitioner(client, world):
    body = booking_body(world, at(2027, 1, 11, 10), practitioner=str(world.ben.public_id))
    response = post(client, "/bookings", body)
    assert response.status_code == 201
    assert response.json()["practitioner"] == {
        "id": str(world.ben.public_id),
        "name": world.ben.display_name,
    }


def test_a_returning_patient_books_on_a_new_record_flagged_for_the_desk(client, world):
    """Typed details never open an existing record (docs/security-targets.md A8)."""
    post(client, "/bookings", booking_body(world, at(2027, 1, 11, 10)))
    again = booking_body(
        world,
        at(2027, 2, 15, 10),
        patient={"first_name": "Rosita", "email": "ROSA.tafoya@example.com"},
    )
    assert post(client, "/bookings", again).status_code == 201
    first, second = Patient.objects.order_by("pk")
    assert Appointment.objects.filter(patient=first).count() == 1
    assert DuplicateCandidate.objects.get(patient=second).other == first


def test_a_taken_slot_is_slot_unavailable_with_alternatives(client, world):
    start = at(2027, 1, 11, 10)
    # Both practitioners busy at 10:00 (the single pen limits it anyway).
    assert post(client, "/bookings", booking_body(world, start)).status_code == 201
    response = post(client, "/bookings", booking_body(world, start, patient=SOMEONE_ELSE))
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "slot_unavailable"
    assert body["message"]
    assert body["alternatives"]
    first = body["alternatives"][0]
    assert set(first) == {"start", "end", "practitioner"}
    assert first["start"] > "2027-01-11T10:00:00-07:00"
    assert Appointment.objects.count() == 1
    assert Patient.objects.count() == 1  # the refused booking left no patient behind


@pytest.mark.parametrize(
    "start",
    [
        at(2027, 1, 10, 10),  # a Sunday: closed
        at(2027, 1, 11, 10, 7),  # off the quarter-hour grid
        at(2026, 12, 1, 10),  # in the past
        at(2030, 1, 7, 10),  # beyond the booking horizon
    ],
)
def test_a_time_that_never_existed_is_slot_unavailable(client, world, start):
    response = post(client, "/bookings", booking_body(world, start))
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("start", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_absurd_times_are_slot_unavailable_not_errors(client, world, start):
    body = booking_body(world, at(2027, 1, 11, 10))
    body["start"] = start
    response = post(client, "/bookings", body)
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"


def test_a_time_without_an_offset_is_invalid(client, world):
    body = booking_body(world, at(2027, 1, 11, 10))
    body["start"] = "2027-01-11T10:00:00"
    response = post(client, "/bookings", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "start"


def test_an_invalid_body_lists_every_field_error(client, world):
    body = booking_body(
        world,
        at(2027, 1, 11, 10),
        location="not a slug!",
        patient={"email": "nope", "phone": "12", "date_of_birth": "2090-01-01", "last_name": " "},
    )
    del body["patient"]["first_name"]
    response = post(client, "/bookings", body)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert {e["field"] for e in body["errors"]} == {
        "location",
        "patient.first_name",
        "patient.last_name",
        "patient.email",
        "patient.phone",
        "patient.date_of_birth",
    }
    assert not Patient.objects.exists()


def test_control_characters_are_refused(client, world):
    body = booking_body(world, at(2027, 1, 11, 10), patient={"first_name": "Ro\x00sa"})
    response = post(client, "/bookings", body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "patient.first_name"


def test_a_body_that_is_not_json_is_a_bad_request(client, world):
    response = post(client, "/bookings", "{not json")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"


def test_booking_rules_answer_with_their_own_code(client, world):
    assert post(client, "/bookings", booking_body(world, at(2027, 1, 11, 10))).status_code == 201
    response = post(client, "/bookings", booking_body(world, at(2027, 1, 25, 10)))
    assert response.status_code == 422
    assert response.json()["code"] == "series_interval"
    # The clash is on the other (flagged) record: the booker hears nothing of its dates.
    assert "January" not in response.json()["message"]
    assert "call the clinic" in response.json()["message"]

    prp = booking_body(world, at(2027, 1, 12, 11), service="prp-face", patient=SOMEONE_ELSE)
    response = post(client, "/bookings", prp)
    assert response.status_code == 422
    assert response.json()["code"] == "consultation_required"


def test_the_same_idempotency_key_and_body_return_the_first_booking(client, world):
    body = booking_body(world, at(2027, 1, 11, 10))
    key = {"Idempotency-Key": "3f1c2a9e-booking-1"}
    first = post(client, "/bookings", body, headers=key)
    # The same body with keys in another order and the time written another way.
    reordered = dict(reversed(list(body.items())))
    reordered["start"] = "2027-01-11T17:00:00+00:00"
    again = post(client, "/bookings", reordered, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Appointment.objects.count() == 1
    assert Patient.objects.count() == 1


def test_the_same_idempotency_key_with_another_body_is_a_conflict(client, world):
    key = {"Idempotency-Key": "k-1"}
    post(client, "/bookings", booking_body(world, at(2027, 1, 11, 10)), headers=key)
    other = booking_body(world, at(2027, 1, 11, 13), patient=SOMEONE_ELSE)
    response = post(client, "/bookings", other, headers=key)
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_conflict"
    assert Appointment.objects.count() == 1
    assert Patient.objects.count() == 1  # the conflicting request registered nobody


def test_a_malformed_idempotency_key_is_invalid(client, world):
    body = booking_body(world, at(2027, 1, 11, 10))
    response = post(client, "/bookings", body, headers={"Idempotency-Key": "x" * 101})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"


def test_public_endpoints_are_rate_limited_per_address_and_family(client, world, settings):
    settings.NEEDLEPOINT_API_PUBLIC_RATE = (3, 60)
    for _ in range(3):
        assert get(client, "/locations").status_code == 200
    limited = get(client, "/services")  # the same family: the catalog
    assert limited.status_code == 429
    assert limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) > 0
    # Another family, and another address, are counted apart.
    assert availability(client, world, MONDAY, MONDAY).status_code == 200
    assert client.get("/api/v1/locations", REMOTE_ADDR="198.51.100.7").status_code == 200


def test_the_limit_resets_in_the_next_window(client, world, settings, time_machine):
    settings.NEEDLEPOINT_API_PUBLIC_RATE = (1, 60)
    assert get(client, "/locations").status_code == 200
    assert get(client, "/locations").status_code == 429
    time_machine.shift(timedelta(seconds=61))
    assert get(client, "/locations").status_code == 200


def test_the_schema_and_docs_are_public(client, db):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "Needlepoint API"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"swagger-ui-bundle.js" in docs.content
    assert b"cdn." not in docs.content  # served from our own static files (CSP 'self')


def test_a_body_over_the_upload_limit_is_a_bad_request(client, world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = booking_body(world, at(2027, 1, 11, 10), patient={"last_name": "x" * 2000})
    response = post(client, "/bookings", body)
    assert response.status_code == 400
    assert response.json()["code"] == "bad_request"
