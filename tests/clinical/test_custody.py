"""PRP chain of custody (docs/clinical-rules.md §5 ID1–ID8) and the charting API
(docs/api-contract.md)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from needlepoint.clinical.custody import (
    CustodyRefused,
    Identity,
    State,
    Step,
    expires_at,
    next_state,
)
from needlepoint.clinical.models import Incident, PrpEvent, PrpSample
from needlepoint.core.models import AuditAction, AuditEvent
from tests.support.api_support import NOW, make_api_world, post
from tests.support.clinical_support import chart_ready, visit_ready
from tests.support.factories import TEST_PASSWORD
from tests.support.scheduling_world import at

DRAWN = datetime(2027, 1, 11, 17, tzinfo=UTC)


# --- The pure rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "same"),
    [
        ("Paloma Quintana", True),
        ("  paloma   QUINTANA ", True),
        ("Palóma Quintana", True),
        ("Paloma Quintano", False),
        ("Quintana Paloma", False),
    ],
)
def test_two_identifiers_match_whatever_the_case_or_accents(given, same):
    patient = Identity("Paloma Quintana", date(1987, 6, 2))
    assert patient.matches(Identity(given, date(1987, 6, 2))) is same
    assert not patient.matches(Identity("Paloma Quintana", date(1987, 6, 3)))


def test_a_sample_goes_draw_spin_extract_apply_discard():
    expires = expires_at(DRAWN)
    state = State.DRAWN
    for step in (Step.SPIN, Step.SPIN, Step.EXTRACT):
        state = next_state(state, step, now=DRAWN, expires=expires)
    state = next_state(state, Step.APPLY, now=DRAWN, expires=expires, identity_checked=True)
    state = next_state(state, Step.APPLY, now=DRAWN, expires=expires, identity_checked=True)
    assert state is State.APPLIED
    assert next_state(state, Step.DISCARD, now=DRAWN, expires=expires) is State.DISCARDED


@pytest.mark.parametrize(
    ("state", "step", "code"),
    [
        (State.DRAWN, Step.EXTRACT, "invalid_sequence"),
        (State.DRAWN, Step.APPLY, "invalid_sequence"),
        (State.SPUN, Step.APPLY, "invalid_sequence"),
        (State.EXTRACTED, Step.SPIN, "invalid_sequence"),
        (State.DISCARDED, Step.DISCARD, "sample_discarded"),
        (State.DISCARDED, Step.SPIN, "sample_discarded"),
    ],
)
def test_out_of_order_steps_are_refused(state, step, code):
    with pytest.raises(CustodyRefused) as refused:
        next_state(state, step, now=DRAWN, expires=expires_at(DRAWN), identity_checked=True)
    assert refused.value.code == code


def test_an_expired_sample_takes_nothing_but_its_discard():
    expires = expires_at(DRAWN)
    assert expires == DRAWN + timedelta(hours=4)
    with pytest.raises(CustodyRefused, match="past its expiry"):
        next_state(State.EXTRACTED, Step.APPLY, now=expires, expires=expires, identity_checked=True)
    assert next_state(State.EXTRACTED, Step.DISCARD, now=expires, expires=expires) is (
        State.DISCARDED
    )


@pytest.mark.parametrize(
    ("checked", "code"), [(False, "patient_mismatch"), (None, "identity_unchecked")]
)
def test_application_needs_a_matching_check(checked, code):
    with pytest.raises(CustodyRefused) as refused:
        next_state(
            State.EXTRACTED,
            Step.APPLY,
            now=DRAWN,
            expires=expires_at(DRAWN),
            identity_checked=checked,
        )
    assert refused.value.code == code


# --- Through the API ----------------------------------------------------------------------


@pytest.fixture
def aw(cast, time_machine):
    """The API world on the visit's morning, Paloma checked in and identified at the chair."""
    time_machine.move_to(at(2027, 1, 11, 9, 45), tick=False)
    aw = make_api_world(cast)
    chart_ready(aw.appointment, staff=cast.practitioner.staff_profile)
    return aw


def ours(aw):
    patient = aw.cast.patient
    return {"full_name": f"{patient.first_name} {patient.last_name}",
            "date_of_birth": patient.date_of_birth.isoformat()}  # fmt: skip


def draw(client, aw, patient=None, persona="practitioner"):
    body = {"appointment": str(aw.appointment.public_id), "patient": patient or ours(aw)}
    return post(client, "/prp-samples", body, token=aw.token(persona))


def step(client, aw, sample_id, persona="practitioner", **body):
    return post(client, f"/prp-samples/{sample_id}/events", body, token=aw.token(persona))


def spun_and_extracted(client, aw, sample_id, time_machine):
    """A 10-minute spin, run to its end, then the plasma extracted."""
    assert step(client, aw, sample_id, type="spin", g_force=300, minutes=10).status_code == 201
    time_machine.shift(timedelta(minutes=10))
    assert step(client, aw, sample_id, type="extract", volume_ml=4).status_code == 201


def test_a_draw_checks_two_identifiers_and_prints_a_label(client, aw):
    from tests.support.personas import sign_in

    response = draw(client, aw)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["expires_at"] == "2027-01-11T13:45:00-07:00"  # four hours after the draw
    sample = PrpSample.objects.get(public_id=body["id"])
    assert sample.state == State.DRAWN
    sign_in(client, aw.cast.practitioner)
    label = client.get(body["label_url"].replace("http://testserver", ""))
    assert label.status_code == 200 and label.content.startswith(b"%PDF")
    assert len(body["code"]) == 8 and sample.code == body["code"]
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=body["id"]).exists()
    sign_in(client, aw.cast.frontdesk)
    assert client.get(body["label_url"].replace("http://testserver", "")).status_code == 403


def test_a_draw_for_someone_else_is_refused_and_recorded(client, aw):
    response = draw(client, aw, {"full_name": "Rosa Tafoya", "date_of_birth": "1987-06-02"})
    assert (response.status_code, response.json()["code"]) == (409, "patient_mismatch")
    assert not PrpSample.objects.exists()
    assert Incident.objects.get().kind == "patient_mismatch"


def test_the_whole_chain_with_a_scan_at_application(client, aw, time_machine):
    sample_id = draw(client, aw).json()["id"]
    assert step(client, aw, sample_id, type="spin", g_force=300, minutes=10).status_code == 201
    time_machine.shift(timedelta(minutes=10))
    assert step(client, aw, sample_id, type="spin", g_force=700, minutes=15).status_code == 201
    early = step(client, aw, sample_id, type="extract", volume_ml=4.5)
    assert (early.status_code, early.json()["code"]) == (409, "spin_not_finished")
    time_machine.shift(timedelta(minutes=15))
    assert step(client, aw, sample_id, type="extract", volume_ml=4.5).status_code == 201
    applied = step(client, aw, sample_id, type="apply", area="cheeks", scanned_patient=ours(aw))
    assert (applied.status_code, applied.json()["state"]) == (201, "applied")
    assert step(client, aw, sample_id, type="discard").json()["state"] == "discarded"
    events = PrpEvent.objects.filter(sample__public_id=sample_id)
    assert [e.step for e in events] == ["spin", "spin", "extract", "apply", "discard"]
    assert events.get(step="apply").identity_check == "scan"


def test_another_patients_blood_cannot_be_applied(client, aw, time_machine):
    sample_id = draw(client, aw).json()["id"]
    spun_and_extracted(client, aw, sample_id, time_machine)
    other = {"full_name": "Rosa Tafoya", "date_of_birth": "1987-06-02"}
    response = step(client, aw, sample_id, type="apply", area="cheeks", scanned_patient=other)
    assert (response.status_code, response.json()["code"]) == (409, "patient_mismatch")
    assert PrpSample.objects.get(public_id=sample_id).state == State.EXTRACTED
    assert Incident.objects.get().sample.public_id.hex == sample_id.replace("-", "")


def test_apply_before_extract_is_out_of_order(client, aw):
    sample_id = draw(client, aw).json()["id"]
    response = step(client, aw, sample_id, type="apply", area="cheeks", scanned_patient=ours(aw))
    assert (response.status_code, response.json()["code"]) == (409, "invalid_sequence")


def test_a_sample_expires_four_hours_after_the_draw(client, aw, time_machine):
    sample_id = draw(client, aw).json()["id"]
    spun_and_extracted(client, aw, sample_id, time_machine)
    time_machine.move_to(at(2027, 1, 11, 14), tick=False)
    response = step(client, aw, sample_id, type="apply", area="cheeks", scanned_patient=ours(aw))
    assert (response.status_code, response.json()["code"]) == (409, "sample_expired")
    assert step(client, aw, sample_id, type="discard").status_code == 201


def test_a_discarded_sample_accepts_nothing(client, aw):
    sample_id = draw(client, aw).json()["id"]
    step(client, aw, sample_id, type="discard")
    response = step(client, aw, sample_id, type="spin", g_force=300, minutes=10)
    assert (response.status_code, response.json()["code"]) == (409, "sample_discarded")


def test_a_second_clinician_confirms_with_their_own_credential(client, aw, time_machine):
    sample_id = draw(client, aw).json()["id"]
    spun_and_extracted(client, aw, sample_id, time_machine)
    alone = step(client, aw, sample_id, type="apply", area="cheeks")
    assert (alone.status_code, alone.json()["code"]) == (422, "identity_unchecked")

    def witnessed(user, password=TEST_PASSWORD):
        credential = {"username": user.username, "password": password}
        return step(client, aw, sample_id, type="apply", area="cheeks",
                    witness_credential=credential)  # fmt: skip

    assert witnessed(aw.cast.practitioner).json()["code"] == "invalid"  # not a second person
    assert witnessed(aw.cast.frontdesk).json()["code"] == "invalid"  # not a clinician
    wrong = witnessed(aw.cast.director, password="not-her-password")
    assert (wrong.status_code, wrong.json()["code"]) == (403, "witness_not_verified")
    assert witnessed(aw.cast.director).status_code == 201
    event = PrpEvent.objects.get(step="apply")
    assert (event.identity_check, event.witness) == ("witness", aw.cast.director.staff_profile)


def test_a_witness_is_never_picked_by_id(client, aw, time_machine):
    sample_id = draw(client, aw).json()["id"]
    spun_and_extracted(client, aw, sample_id, time_machine)
    director = str(aw.cast.director.staff_profile.public_id)
    response = step(client, aw, sample_id, type="apply", area="cheeks", witness=director)
    assert (response.status_code, response.json()["code"]) == (422, "identity_unchecked")


def test_a_spin_records_g_force_and_minutes(client, aw):
    sample_id = draw(client, aw).json()["id"]
    response = step(client, aw, sample_id, type="spin")
    assert response.status_code == 422


def test_a_second_patients_blood_in_process_is_a_warning(client, aw, cast):
    from needlepoint.scheduling.services import appointment_book
    from tests.support import factories

    assert draw(client, aw).json()["warnings"] == []
    rosa = factories.PatientFactory(organization=cast.clinic)
    other = appointment_book(
        location=aw.world.location,
        service=aw.world.face,
        start=at(2027, 1, 11, 13),
        patient=rosa,
        source="phone",
        now=NOW,
    )
    chart_ready(other, staff=cast.practitioner.staff_profile)
    body = {
        "appointment": str(other.public_id),
        "patient": {"full_name": f"{rosa.first_name} {rosa.last_name}",
                    "date_of_birth": rosa.date_of_birth.isoformat()},
    }  # fmt: skip
    response = post(client, "/prp-samples", body, token=aw.token("practitioner"))
    assert response.status_code == 201
    assert "Another patient's blood" in response.json()["warnings"][0]


def test_the_treatment_record_starts_once(client, aw, cast):
    from needlepoint.scheduling.services import appointment_book
    from tests.support import factories

    later = appointment_book(
        location=aw.world.location,
        service=aw.world.face,
        start=at(2027, 1, 11, 13),
        patient=factories.PatientFactory(organization=cast.clinic),
        source="phone",
        now=NOW,
    )
    visit_ready(later)
    path = f"/appointments/{later.public_id}/treatment-record"
    first = post(client, path, {}, token=aw.token("practitioner"))
    again = post(client, path, {}, token=aw.token("director"))
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert post(client, path, {}, token=aw.token("frontdesk")).status_code == 403


# --- Cartridges -------------------------------------------------------------------------


def _record(client, aw) -> str:
    path = f"/appointments/{aw.appointment.public_id}/treatment-record"
    return post(client, path, {}, token=aw.token("practitioner")).json()["id"]


def cartridge(client, aw, record_id, **body):
    path = f"/treatment-records/{record_id}/cartridges"
    return post(client, path, body, token=aw.token("practitioner"))


def test_a_cartridge_is_single_use_across_every_record(client, aw):
    record_id = _record(client, aw)
    first = cartridge(
        client, aw, record_id, lot="lot-2027a", serial="sn-0001", expires_on="2028-01-31"
    )
    assert first.status_code == 201, first.content
    assert first.json() | {"id": None} == {
        "id": None,
        "lot": "LOT-2027A",
        "serial": "SN-0001",
        "expires_on": "2028-01-31",
    }
    again = cartridge(client, aw, record_id, lot="LOT-2027A", serial="sn-0001")
    assert (again.status_code, again.json()["code"]) == (409, "cartridge_already_used")


def test_an_expired_or_recalled_lot_is_refused(client, aw):
    from needlepoint.clinical.models import CartridgeLot, CartridgeUse

    record_id = _record(client, aw)
    expired = cartridge(client, aw, record_id, lot="OLD", serial="A1", expires_on="2026-12-31")
    assert (expired.status_code, expired.json()["code"]) == (409, "cartridge_unusable")
    assert not CartridgeLot.objects.filter(lot="OLD").exists()  # nothing half-written
    assert cartridge(client, aw, record_id, lot="NEW", serial="A2").status_code == 201
    CartridgeLot.objects.filter(lot="NEW").update(recalled_on=date(2027, 1, 10))
    recalled = cartridge(client, aw, record_id, lot="NEW", serial="A3")
    assert (recalled.status_code, recalled.json()["code"]) == (409, "cartridge_unusable")
    assert CartridgeUse.objects.count() == 1


def test_another_clinics_record_is_a_404(client, aw, cast):
    from tests.support import factories

    other = factories.OrganizationFactory()
    from needlepoint.clinical.models import TreatmentRecord

    record = TreatmentRecord.objects.get(public_id=_record(client, aw))
    TreatmentRecord.objects.filter(pk=record.pk).update(organization=other)
    assert cartridge(client, aw, record.public_id, lot="L", serial="S").status_code == 404


def test_the_recall_search_finds_the_patient_by_cartridge_lot(client, aw):
    from tests.support.personas import sign_in

    record_id = _record(client, aw)
    cartridge(client, aw, record_id, lot="LOT-77", serial="SN-1")
    sign_in(client, aw.cast.director)
    page = client.get("/staff/clinical/recall/", {"lot": "lot-77"})
    assert aw.cast.patient.record_number.encode() in page.content
    assert AuditEvent.objects.filter(
        action=AuditAction.LIST, patient_ref=str(aw.cast.patient.public_id)
    ).exists()
    csv = client.get("/staff/clinical/recall/", {"lot": "LOT-77", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "lot,serial,used_at,location,record_number,patient"
    assert lines[1].startswith("LOT-77,SN-1,2027-01-11T09:45-07:00,")
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    sign_in(client, aw.cast.frontdesk)
    assert client.get("/staff/clinical/recall/", {"lot": "LOT-77"}).status_code == 403
