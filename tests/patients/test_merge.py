"""Merging two records of one person (docs/security-targets.md A8): every row moves, nothing is lost
or deleted, the merge is audited naming both records, and the desk decides from a queue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from needlepoint.billing.services import sale_line_add, sale_open
from needlepoint.catalog.models import TreatmentArea
from needlepoint.clinical.custody import Identity
from needlepoint.clinical.models import DepthOrder, Outcome
from needlepoint.clinical.services import photo_add, prp_sample_draw
from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.intake.consents import (
    consent_documents_current,
    consent_sign,
)
from needlepoint.intake.models import ConsentKind, ConsentSignature
from needlepoint.intake.selectors import questionnaire_current
from needlepoint.intake.services import (
    questionnaire_submit,
)
from needlepoint.messaging.services import message_send
from needlepoint.patients.merge import MergeRefused, patient_merge, patient_references
from needlepoint.patients.models import DuplicateCandidate, DuplicateStatus, Patient
from needlepoint.patients.services import patient_register
from needlepoint.scheduling.services import appointment_book
from tests.support.clinical_support import chart_ready, clinic_seeded
from tests.support.personas import sign_in
from tests.support.scheduling_world import at, make_world

NOW = at(2027, 1, 4, 8)


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(cast, time_machine):
    time_machine.move_to(NOW, tick=False)
    world = make_world(clinic=cast.clinic)
    clinic_seeded(cast.clinic)
    return world


def register(clinic, **changes) -> Patient:
    details = {
        "first_name": "Rosa",
        "last_name": "Tafoya",
        "email": "rosa.tafoya@example.com",
        "phone": "(505) 555-0142",
        "date_of_birth": date(1987, 6, 2),
        **changes,
    }
    return patient_register(organization=clinic, **details)


def full_history(world, cast, patient: Patient, time_machine) -> None:
    """A record with a row in every table that points at patients (charted on the day)."""
    director = cast.director.staff_profile
    appointment_book(
        location=world.location, service=world.consultation, start=at(2027, 1, 11, 10),
        patient=patient, source="phone", now=NOW,
    )  # fmt: skip
    visit = appointment_book(
        location=world.location, service=world.prp, start=at(2027, 1, 12, 10), patient=patient,
        source="phone", now=NOW, ignore_lead_time=True,
    )  # fmt: skip
    questionnaire_submit(
        patient=patient,
        questionnaire=questionnaire_current(organization=world.clinic),
        answers={"bleeding_disorder": None},
        channel="staff",
        appointment=visit,
    )
    document = consent_documents_current(
        organization_id=world.clinic.pk, kinds=[ConsentKind.MARKETING_PHOTOS]
    )[ConsentKind.MARKETING_PHOTOS]
    from tests.support.images import drawn_png

    consent_sign(patient=patient, document=document, typed_name=patient.full_name,
                 signature_png=drawn_png(), notify=False)  # fmt: skip
    time_machine.move_to(at(2027, 1, 12, 9, 30), tick=False)
    record = chart_ready(visit, staff=director)
    prp_sample_draw(appointment=visit, identity=Identity(patient.full_name, patient.date_of_birth),
                    staff=director)  # fmt: skip
    from tests.support.images import jpeg

    photo_add(record=record, view="frontal", stage="before", data=jpeg(), staff=director)
    sale = sale_open(location=world.location, appointment=visit, staff=director)
    sale_line_add(sale=sale, kind="service", description="PRP", unit_price="450.00")
    area = TreatmentArea.objects.filter(organization=world.clinic).first()
    DepthOrder.objects.create(
        organization=world.clinic, patient=patient, area=area, max_depth_mm="2.0",
        reason="scars", ordered_by=director, ordered_at=timezone.now(),
        valid_until=date(2027, 12, 31),
    )  # fmt: skip
    Outcome.objects.create(
        organization=world.clinic, patient=patient, record=record, assessed_on=date(2027, 1, 12),
        recorded_at=timezone.now(), recorded_by=director, satisfaction=8,
    )  # fmt: skip
    message_send(patient=patient, purpose="confirmation", subject="Hi", text="Hello",
                 channels=["email"])  # fmt: skip


def rows_by_table(*patients: Patient) -> dict[str, dict[int, int]]:
    """For every foreign key to Patient: how many rows point at each of `patients`."""
    counts = {}
    for field in patient_references():
        model = field.model
        counts[f"{model._meta.label_lower}.{field.name}"] = {
            p.pk: model._base_manager.filter(**{field.name: p}).count() for p in patients
        }
    return counts


def test_a_merge_moves_every_row_and_loses_none(world, cast, time_machine):
    rosa = register(world.clinic)
    again = register(world.clinic, first_name="Rosie", email="rosie@example.com")
    full_history(world, cast, again, time_machine)
    before = rows_by_table(rosa, again)
    assert all(sum(per.values()) for per in before.values()), "a table has no row to move"
    totals = {table: sum(per.values()) for table, per in before.items()}

    patient_merge(survivor=rosa, merged=again, staff=cast.frontdesk.staff_profile,
                  reason="Confirmed on the phone")  # fmt: skip

    after = rows_by_table(rosa, again)
    assert {table: sum(per.values()) for table, per in after.items()} == totals  # nothing lost
    for table, per in after.items():
        if table == "intake.consentsignature.patient":
            assert per == before[table]  # append-only: stays with the record that signed
        else:
            assert per[again.pk] == 0 and per[rosa.pk] == totals[table], table
    again.refresh_from_db()
    assert again.is_archived and again.merged_into == rosa
    assert Patient.objects.filter(pk=again.pk).exists()  # never deleted
    signed = before["intake.consentsignature.patient"][again.pk]
    assert ConsentSignature.objects.filter(patient=again).count() == signed  # kept where signed


def test_a_merge_is_audited_naming_both_records(world, cast):
    rosa, again = register(world.clinic), register(world.clinic, first_name="Rosie")
    patient_merge(survivor=rosa, merged=again, staff=cast.frontdesk.staff_profile,
                  reason="Rosa Tafoya confirmed")  # fmt: skip
    event = AuditEvent.objects.filter(action=AuditAction.UPDATE, detail__merge=True).get()
    assert event.patient_ref == str(rosa.public_id)
    assert event.object_id == str(again.public_id)
    assert event.detail["survivor"] == str(rosa.public_id)
    assert event.detail["merged"] == str(again.public_id)
    assert event.actor == cast.frontdesk
    assert "Tafoya" not in repr(event.detail)  # the reason stays on the candidate
    candidate = DuplicateCandidate.objects.get(patient=again)
    assert candidate.status == DuplicateStatus.MERGED
    assert candidate.note == "Rosa Tafoya confirmed"


def test_records_of_two_clinics_are_never_merged(world, cast):
    rosa = register(world.clinic)
    elsewhere = register(cast.outsider_clinic)
    with pytest.raises(MergeRefused, match="two clinics"):
        patient_merge(survivor=rosa, merged=elsewhere, staff=None, reason="")
    elsewhere.refresh_from_db()
    assert not elsewhere.is_archived


def test_a_merged_record_cannot_be_merged_again(world, cast):
    rosa, again = register(world.clinic), register(world.clinic, first_name="Rosie")
    patient_merge(survivor=rosa, merged=again, staff=None, reason="")
    with pytest.raises(MergeRefused):
        patient_merge(survivor=rosa, merged=again, staff=None, reason="")


def test_look_alikes_are_flagged_by_name_phone_or_email(world):
    rosa = register(world.clinic)
    by_name = register(world.clinic, first_name=" rósa ", email="", phone="")
    by_phone = register(world.clinic, first_name="Ana", last_name="Cruz", email="",
                        phone="505-555-0142", date_of_birth=date(1990, 1, 1))  # fmt: skip
    stranger = register(world.clinic, first_name="Ana", last_name="Cruz", email="a@x.io",
                        phone="", date_of_birth=date(1991, 1, 1))  # fmt: skip
    reasons = {c.patient_id: (c.other_id, c.reason) for c in DuplicateCandidate.objects.all()}
    assert reasons[by_name.pk] == (rosa.pk, "name_dob")
    assert reasons[by_phone.pk] == (rosa.pk, "phone")
    assert stranger.pk not in reasons


# --- The desk's queue ---------------------------------------------------------------------


def test_the_desk_sees_both_records_side_by_side(client, world, cast):
    rosa = register(world.clinic)
    again = register(world.clinic, first_name="Rosie", email="rosie@example.com")
    sign_in(client, cast.frontdesk)
    page = client.get(reverse("patients:duplicate-list")).content.decode()
    names = ("Rosa Tafoya", "Rosie Tafoya", rosa.record_number, again.record_number)
    for shown in (*names, "rosie@example.com", "(505) 555-0142", "Same phone number"):
        assert shown in page
    assert "Duplicates" in page and "1<span" in page  # the count in the navigation


def test_the_desk_merges_keeping_the_chosen_record(client, world, cast):
    rosa = register(world.clinic)
    again = register(world.clinic, first_name="Rosie")
    appointment_book(location=world.location, service=world.face, start=at(2027, 1, 12, 10),
                     patient=again, source="phone", now=NOW)  # fmt: skip
    candidate = DuplicateCandidate.objects.get()
    sign_in(client, cast.frontdesk)
    url = reverse("patients:duplicate-merge", kwargs={"public_id": candidate.public_id})
    response = client.post(url, {"survivor": str(again.public_id), "reason": "asked her"})
    assert response.status_code == 302
    rosa.refresh_from_db()
    assert rosa.merged_into == again and rosa.is_archived
    assert again.appointments.count() == 1
    survivor_page = client.get(reverse("patients:patient-detail", args=[again.public_id]))
    assert (
        f'Record <a href="/staff/patients/{rosa.public_id}/">{rosa.record_number}</a> was merged'
        in survivor_page.content.decode()
    )
    merged_page = client.get(reverse("patients:patient-detail", args=[rosa.public_id]))
    assert "Merged into" in merged_page.content.decode()


def test_a_survivor_outside_the_pair_is_refused(client, world, cast):
    register(world.clinic)
    register(world.clinic, first_name="Rosie")
    candidate = DuplicateCandidate.objects.get()
    sign_in(client, cast.frontdesk)
    url = reverse("patients:duplicate-merge", kwargs={"public_id": candidate.public_id})
    assert client.post(url, {"survivor": str(cast.patient.public_id)}).status_code == 404
    assert DuplicateCandidate.objects.get().status == DuplicateStatus.OPEN


def test_not_the_same_person_keeps_them_apart(client, world, cast):
    rosa = register(world.clinic)
    again = register(world.clinic, first_name="Rosie", email="rosie@example.com")
    appointment_book(location=world.location, service=world.face, start=at(2027, 1, 12, 10),
                     patient=rosa, source="phone", now=NOW)  # fmt: skip
    candidate = DuplicateCandidate.objects.get()
    sign_in(client, cast.frontdesk)
    url = reverse("patients:duplicate-dismiss", kwargs={"public_id": candidate.public_id})
    assert client.post(url).status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == DuplicateStatus.DISMISSED
    assert candidate.decided_by == cast.frontdesk.staff_profile
    # Two people now: her visit no longer holds back his booking a week later.
    appointment_book(location=world.location, service=world.face,
                     start=at(2027, 1, 19, 10), patient=again, source="phone", now=NOW)  # fmt: skip


def test_the_calendar_flags_visits_of_a_possible_duplicate(client, world, cast):
    rosa = register(world.clinic)
    appointment_book(location=world.location, service=world.face, start=at(2027, 1, 12, 10),
                     patient=rosa, source="phone", now=NOW)  # fmt: skip
    sign_in(client, cast.frontdesk)
    day = reverse("scheduling:calendar-day", args=[world.location.slug, "2027-01-12"])
    assert "Possible duplicate" not in client.get(day).content.decode()
    register(world.clinic, first_name="Rosie")
    assert "Possible duplicate" in client.get(day).content.decode()
    week = reverse("scheduling:calendar-week", args=[world.location.slug, "2027-01-12"])
    assert "Possible duplicate" in client.get(week).content.decode()


def test_a_merge_within_the_series_interval_is_still_possible(world, cast):
    """The rules refuse bookings, not merges: two close visits survive a merge as booked."""
    rosa, again = register(world.clinic), register(world.clinic, first_name="Rosie")
    DuplicateCandidate.objects.update(status=DuplicateStatus.DISMISSED)
    for patient, day in ((rosa, 12), (again, 13)):
        appointment_book(location=world.location, service=world.face, start=at(2027, 1, day, 10),
                         patient=patient, source="phone", now=NOW)  # fmt: skip
    patient_merge(survivor=rosa, merged=again, staff=None, reason="")
    assert rosa.appointments.count() == 2
    assert timedelta(days=1) == (
        rosa.appointments.order_by("starts_at").last().starts_at
        - rosa.appointments.order_by("starts_at").first().starts_at
    )


def test_consents_the_merged_record_signed_still_count_for_the_person(world, cast):
    from needlepoint.intake.consents import consent_missing
    from tests.support.clinical_support import consents_signed

    rosa = register(world.clinic)
    again = register(world.clinic, first_name="Rosie", email="rosie@example.com")
    visit = appointment_book(
        location=world.location, service=world.face, start=at(2027, 1, 12, 10), patient=again,
        source="phone", now=NOW,
    )  # fmt: skip
    consents_signed(visit)
    day = date(2027, 1, 12)
    assert consent_missing(patient=rosa, service=world.face, on=day)  # not yet the same person
    patient_merge(survivor=rosa, merged=again, staff=cast.frontdesk.staff_profile,
                  reason="Same person, confirmed by phone")  # fmt: skip
    assert consent_missing(patient=rosa, service=world.face, on=day) == []
