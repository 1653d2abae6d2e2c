"""Incidents the owner and the medical director can see: identity mismatches, wrong-tube
scans, adverse events and screening overrides, newest first, filtered and paginated."""

from __future__ import annotations

import re
from datetime import timedelta
from uuid import uuid4

import pytest
from django.urls import reverse

from needlepoint.clinical.custody import CustodyRefused, Identity, Step
from needlepoint.clinical.gate import appointment_check_in
from needlepoint.clinical.models import AdverseEvent, Incident, IncidentKind
from needlepoint.clinical.selectors import (
    IncidentListKind,
    IncidentRow,
    incident_list,
    incident_rows_merge,
)
from needlepoint.clinical.services import (
    adverse_event_add,
    prp_sample_draw,
    prp_step_by_scan,
)
from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.intake.selectors import questionnaire_current
from needlepoint.intake.services import (
    intake_seed_questionnaire,
    intake_seed_rules,
    questionnaire_submit,
    screening_decide,
)
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Location
from needlepoint.scheduling.models import Appointment
from needlepoint.scheduling.services import appointment_book
from tests.support import factories
from tests.support.clinical_support import chart_ready, clinic_seeded, consents_signed
from tests.support.personas import sign_in
from tests.support.scheduling_world import at, make_world

URL = "/staff/clinical/incidents/"
NOW = at(2027, 1, 4, 8)
VISIT = at(2027, 1, 11, 10)
# When each event happens (America/Denver), oldest first.
OVERRIDE_AT = at(2027, 1, 5, 9, 15)
MISMATCH_AT = at(2027, 1, 11, 10, 5)
WRONG_TUBE_AT = at(2027, 1, 11, 13, 20)
ADVERSE_AT = at(2027, 1, 12, 11, 40)


# --- The pure merge -----------------------------------------------------------------------


def _row(key: str, when, kind: str = IncidentListKind.ADVERSE_EVENT) -> IncidentRow:
    return IncidentRow(
        at=when,
        kind=kind,
        kind_label="",
        patient=Patient(first_name="A", last_name="B", record_number="NP-1"),
        appointment_public_id=uuid4(),
        record_public_id=None,
        service_name="Face",
        visit_at=when,
        by_name="Ana",
        description="",
        key=key,
    )


def test_the_merge_lists_every_source_newest_first_with_stable_ties():
    first = [_row("incident:a", at(2027, 1, 3, 9)), _row("incident:b", at(2027, 1, 1, 9))]
    second = [_row("adverse_event:1", at(2027, 1, 2, 9))]
    third = [_row("screening_override:z", at(2027, 1, 3, 9))]
    merged = incident_rows_merge(first, second, third)
    assert [row.key for row in merged] == [
        "screening_override:z",
        "incident:a",
        "adverse_event:1",
        "incident:b",
    ]
    assert incident_rows_merge() == []


def test_the_merge_compares_times_across_zones():
    from zoneinfo import ZoneInfo

    denver = _row("a", at(2027, 1, 3, 9))  # 16:00 UTC
    new_york = _row("b", at(2027, 1, 3, 10).astimezone(ZoneInfo("America/New_York")))
    assert [row.key for row in incident_rows_merge([denver], [new_york])] == ["b", "a"]


# --- A clinic with one event of each kind --------------------------------------------------


def _book(world, patient, start, clinic_now=NOW):
    return appointment_book(
        location=world.location,
        service=world.face,
        start=start,
        patient=patient,
        source="phone",
        now=clinic_now,
        notify=False,
    )


@pytest.fixture
def events(cast, time_machine):
    """Paloma's visit with a screening override, an identity mismatch at the draw, a wrong
    tube scanned at her chart and an adverse event; one incident in the outsider clinic."""
    time_machine.move_to(NOW, tick=False)
    world = make_world(clinic=cast.clinic)
    intake_seed_rules(organization=cast.clinic)
    intake_seed_questionnaire(organization=cast.clinic)
    mine = _book(world, cast.patient, VISIT)
    theirs = _book(world, cast.other_patient, at(2027, 1, 11, 13))
    director = cast.director.staff_profile

    time_machine.move_to(OVERRIDE_AT, tick=False)
    _, screenings = questionnaire_submit(
        patient=cast.patient,
        questionnaire=questionnaire_current(organization=cast.clinic),
        answers={"bleeding_disorder": None},
        channel="staff",
        appointment=mine,
    )
    (screening,) = screenings
    assert screening.status == "needs_review"
    screening_decide(
        screening=screening,
        staff=director,
        approve=True,
        reason="Haematology letter on file",
    )

    time_machine.move_to(MISMATCH_AT, tick=False)
    clinic_seeded(cast.clinic)
    consents_signed(mine)
    appointment_check_in(appointment=mine, answers_unchanged=True)
    record = chart_ready(mine, staff=world.ana)
    with pytest.raises(CustodyRefused):
        prp_sample_draw(
            appointment=mine, identity=Identity("Rosa Tafoya", cast.patient.date_of_birth),
            staff=world.ana,
        )  # fmt: skip

    time_machine.move_to(WRONG_TUBE_AT, tick=False)
    other = cast.other_patient
    chart_ready(theirs, staff=world.ana)
    tube = prp_sample_draw(
        appointment=theirs,
        identity=Identity(f"{other.first_name} {other.last_name}", other.date_of_birth),
        staff=world.ana,
    ).sample
    with pytest.raises(CustodyRefused):
        prp_step_by_scan(record=record, code=tube.code, step=Step.SPIN, staff=world.ana)

    time_machine.move_to(ADVERSE_AT, tick=False)
    adverse_event_add(
        record=record,
        kind="Vasovagal episode",
        severity="moderate",
        action="Reclined, fluids, observed 20 minutes",
        staff=world.ana,
    )

    elsewhere = cast.outsider_clinic
    far = Appointment.objects.create(
        organization=elsewhere, location=factories.LocationFactory(organization=elsewhere),
        service=factories.ServiceFactory(organization=elsewhere), patient=cast.outsider_patient,
        starts_at=VISIT, ends_at=VISIT + timedelta(hours=1), source="phone",
    )  # fmt: skip
    Incident.objects.create(
        organization=elsewhere, kind=IncidentKind.PATIENT_MISMATCH, appointment=far,
        reported_by=cast.outsider.staff_profile, occurred_at=MISMATCH_AT,
        detail="Elsewhere's own mismatch.",
    )  # fmt: skip
    time_machine.move_to(at(2027, 1, 20, 9), tick=False)
    world.record, world.screening, world.mine, world.tube = record, screening, mine, tube
    return world


def test_the_wrong_tube_scan_records_its_own_kind(events):
    incident = Incident.objects.get(sample=events.tube)
    assert incident.kind == IncidentKind.WRONG_TUBE
    assert incident.appointment == events.mine
    assert Incident.objects.get(sample=None, organization=events.clinic).kind == (
        IncidentKind.PATIENT_MISMATCH
    )


def test_every_source_is_listed_newest_first_with_its_kind(events, cast):
    rows = incident_list(organization=cast.clinic)
    assert [row.kind for row in rows] == [
        IncidentListKind.ADVERSE_EVENT,
        IncidentListKind.WRONG_TUBE,
        IncidentListKind.PATIENT_MISMATCH,
        IncidentListKind.SCREENING_OVERRIDE,
    ]
    assert {row.patient for row in rows} == {cast.patient}
    assert [row.at for row in rows] == [ADVERSE_AT, WRONG_TUBE_AT, MISMATCH_AT, OVERRIDE_AT]
    adverse, wrong_tube, mismatch, override = rows
    assert adverse.description == (
        "Vasovagal episode; moderate. Action: Reclined, fluids, observed 20 minutes"
    )
    assert adverse.record_public_id == events.record.public_id
    assert events.tube.code in wrong_tube.description
    assert "at the draw" in mismatch.description
    codes = sorted({f["rule"] for f in events.screening.findings if f["outcome"] == "review"})
    assert codes
    assert override.description.startswith("Approved (this appointment only): Haematology")
    assert f"Needed review: {', '.join(codes)}." in override.description
    assert override.by_name == cast.director.staff_profile.display_name


def test_a_carried_over_or_declined_screening_is_not_an_override(events, cast):
    from needlepoint.intake.models import Screening

    events.screening.__class__.objects.filter(pk=events.screening.pk).update(status="declined")
    assert not incident_list(organization=cast.clinic, kind="screening_override")
    Screening.objects.filter(pk=events.screening.pk).update(
        status="approved", carried_from=events.screening
    )
    assert not incident_list(organization=cast.clinic, kind="screening_override")


def test_the_page_shows_each_row_in_the_locations_zone(client, events, cast):
    # The location moves to New York: times follow it, not the clinic's default zone.
    Location.objects.filter(pk=events.location.pk).update(timezone="America/New_York")
    sign_in(client, cast.director)
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    for words in ("Adverse event", "Wrong tube scanned", "Identifiers did not match",
                  "Screening override"):  # fmt: skip
        assert words in body
    assert "Jan 11, 2027 12:05 PM" in body  # 10:05 in Denver
    assert "<caption" in body and '<th scope="col">Patient</th>' in body
    assert cast.patient.record_number in body
    assert reverse("patients:patient-detail", args=[cast.patient.public_id]) in body
    # The director charts: the visit links to its chart.
    assert reverse("clinical:record-detail", args=[events.record.public_id]) in body
    assert "Elsewhere" not in body
    assert AuditEvent.objects.filter(action=AuditAction.LIST, path=URL).count() == 1


def test_the_owner_gets_the_appointment_not_the_chart(client, events, cast):
    sign_in(client, cast.owner)
    body = client.get(URL).content.decode()
    assert reverse("scheduling:appointment-detail", args=[events.mine.public_id]) in body
    assert reverse("clinical:record-detail", args=[events.record.public_id]) not in body


@pytest.mark.parametrize(
    ("query", "kinds"),
    [
        ("kind=wrong_tube", ["Wrong tube scanned"]),
        ("kind=patient_mismatch", ["Identifiers did not match"]),
        ("kind=adverse_event", ["Adverse event"]),
        ("kind=screening_override", ["Screening override"]),
        ("since=2027-01-11&until=2027-01-11", ["Wrong tube scanned", "Identifiers did not match"]),
        ("since=2027-01-12", ["Adverse event"]),
        ("until=2027-01-05", ["Screening override"]),
        ("kind=adverse_event&until=2027-01-11", []),
    ],
)
def test_filters_narrow_the_list(client, events, cast, query, kinds):
    sign_in(client, cast.owner)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    body = response.content.decode()
    shown = re.findall(r'<td><span class="badge[^"]*">([^<]+)</span></td>', body)
    assert shown == kinds


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=9999-12-31", "between 1900-01-01 and 2999-12-31"),
        ("until=9999-12-31", "between 1900-01-01 and 2999-12-31"),
        ("since=0001-01-01", "between 1900-01-01 and 2999-12-31"),
        ("since=abc", "start date as YYYY-MM-DD"),
        ("until=2027-02-30", "end date as YYYY-MM-DD"),
        ("since=2027-02-01&until=2027-01-01", "start date is after the end date"),
        ("kind=everything", "Choose a kind from the list"),
    ],
)
def test_a_bad_filter_is_a_400_with_a_message(client, cast, query, message):
    sign_in(client, cast.director)
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not AuditEvent.objects.filter(action=AuditAction.LIST).exists()


def test_the_widest_dates_are_fine(client, cast):
    sign_in(client, cast.director)
    assert client.get(f"{URL}?since=1900-01-01&until=2999-12-31").status_code == 200


def test_another_organizations_incidents_never_show(client, events, cast):
    sign_in(client, cast.outsider)
    body = client.get(URL).content.decode()
    assert "Elsewhere&#x27;s own mismatch." in body
    assert cast.patient.record_number not in body and "Quintana" not in body
    assert [row.kind for row in incident_list(organization=cast.outsider_clinic)] == [
        IncidentListKind.PATIENT_MISMATCH
    ]


def test_fifty_a_page(client, events, cast):
    for minute in range(50):
        AdverseEvent.objects.create(
            record=events.record, kind="Erythema", severity="mild", action="Cool compress",
            at=at(2027, 1, 13, 9, minute), by=events.ana,
        )  # fmt: skip
    sign_in(client, cast.director)
    first = client.get(f"{URL}?kind=adverse_event").content.decode()
    assert first.count("<tr>") == 51  # the header and 50 rows
    assert "Page 1 of 2" in first
    assert "?kind=adverse_event&amp;page=2" in first
    second = client.get(f"{URL}?kind=adverse_event&page=2").content.decode()
    assert second.count("<tr>") == 2 and "Vasovagal" in second
    assert client.get(f"{URL}?page=nope").status_code == 200


def test_the_list_takes_a_bounded_number_of_queries(client, events, cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, cast.director)
    client.get(URL)  # warm the session and the caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL).status_code == 200
        return len(captured)

    few = queries()
    for minute in range(20):
        AdverseEvent.objects.create(
            record=events.record, kind="Erythema", severity="mild", action="Cool compress",
            at=at(2027, 1, 13, 9, minute), by=events.ana,
        )  # fmt: skip
        Incident.objects.create(
            organization=cast.clinic, kind=IncidentKind.PATIENT_MISMATCH,
            appointment=events.mine, reported_by=events.ana,
            occurred_at=at(2027, 1, 13, 10, minute), detail="Mismatch at the chair.",
        )  # fmt: skip
    assert queries() == few <= 20  # one query per source, whatever the number of rows
    assert client.get(URL).content.decode().count("<tr>") == 45


# --- Who may see it -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("director", 200), ("owner", 200), ("practitioner", 403), ("frontdesk", 403)],
)
def test_only_the_director_and_the_owner_see_incidents(client, cast, persona, status):
    sign_in(client, cast.user(persona))
    assert client.get(URL).status_code == status
    nav = client.get(reverse("core:dashboard")).content.decode()
    assert (f'href="{URL}" class="nav-link' in nav) is (status == 200)


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize("persona", ["director", "owner"])
def test_the_dashboard_counts_the_last_30_days(client, events, cast, persona, time_machine):
    sign_in(client, cast.user(persona))
    body = client.get(reverse("core:dashboard")).content.decode()
    assert "Incidents in the last 30 days" in body
    assert re.search(r'id="incidents-30-days">4<', body)
    # Thirty days after the visit, the mismatch, the tube and the override have aged out.
    time_machine.move_to(MISMATCH_AT + timedelta(days=31), tick=False)
    sign_in(client, cast.user(persona))
    body = client.get(reverse("core:dashboard")).content.decode()
    assert re.search(r'id="incidents-30-days">1<', body)


@pytest.mark.parametrize("persona", ["frontdesk", "practitioner"])
def test_the_dashboard_count_is_not_for_other_roles(client, events, cast, persona):
    sign_in(client, cast.user(persona))
    body = client.get(reverse("core:dashboard")).content.decode()
    assert "Incidents in the last 30 days" not in body
