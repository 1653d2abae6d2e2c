from datetime import date

import pytest
from django.urls import reverse

from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.patients.models import Patient
from needlepoint.patients.selectors import patient_list
from needlepoint.patients.services import patient_register
from tests.support import factories
from tests.support.personas import sign_in


def test_it_assigns_increasing_record_numbers_per_organization(db):
    clinic, other = factories.OrganizationFactory(), factories.OrganizationFactory()
    first = patient_register(
        organization=clinic, first_name=" Ana ", last_name="Garcia", date_of_birth=date(1990, 1, 2)
    )
    second = patient_register(
        organization=clinic, first_name="Ben", last_name="Tso", date_of_birth=date(1985, 5, 6)
    )
    elsewhere = patient_register(
        organization=other, first_name="Cy", last_name="Roe", date_of_birth=date(1970, 7, 8)
    )
    assert (first.record_number, second.record_number) == ("NP-000001", "NP-000002")
    assert elsewhere.record_number == "NP-000001"
    assert first.first_name == "Ana"


def test_it_audits_registration_without_names(db):
    clinic = factories.OrganizationFactory()
    patient = patient_register(
        organization=clinic,
        first_name="Xochitl",
        last_name="Zamora",
        date_of_birth=date(1990, 1, 2),
    )
    event = AuditEvent.objects.get(action=AuditAction.CREATE)
    assert event.patient_ref == str(patient.public_id)
    assert "Xochitl" not in repr(event.__dict__)


def test_it_refuses_a_patient_with_an_invalid_skin_type_and_writes_nothing(db):
    clinic = factories.OrganizationFactory()
    with pytest.raises(Exception, match="fitzpatrick_type"):
        patient_register(
            organization=clinic,
            first_name="Dee",
            last_name="Vee",
            date_of_birth=date(1990, 1, 2),
            fitzpatrick_type=9,
        )
    assert not Patient.objects.exists()
    assert not AuditEvent.objects.exists()


def test_patient_records_are_never_hard_deleted(db):
    patient = factories.PatientFactory()
    with pytest.raises(PermissionError):
        patient.delete()
    with pytest.raises(PermissionError):
        Patient.objects.all().delete()
    assert Patient.objects.filter(pk=patient.pk).exists()


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("quintana", ["Paloma"]),
        ("pal quin", ["Paloma"]),
        ("NP-", ["Paloma", "Ramona"]),
        ("1988-04-12", ["Paloma", "Ramona"]),
        ("nobody", []),
        ("", ["Paloma", "Ramona"]),
    ],
)
def test_patient_search_matches_every_word(cast, search, expected):
    found = [p.first_name for p in patient_list(organization=cast.clinic, search=search)]
    assert sorted(found) == expected


def test_patient_search_finds_by_phone_digits(cast):
    cast.other_patient.phone = "(505) 555-0177"
    cast.other_patient.save()
    found = patient_list(organization=cast.clinic, search="0177")
    assert [p.first_name for p in found] == ["Ramona"]


def test_archived_patients_leave_the_list(cast):
    cast.other_patient.is_archived = True
    cast.other_patient.save()
    assert [p.first_name for p in patient_list(organization=cast.clinic)] == ["Paloma"]


def test_patient_list_page_uses_a_fixed_number_of_queries(
    client, cast, django_assert_max_num_queries
):
    for _ in range(30):
        factories.PatientFactory(organization=cast.clinic, preferred_location=cast.location)
    sign_in(client, cast.frontdesk)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("patients:patient-list"))
    assert response.status_code == 200
    assert "Page 1 of 2" in response.content.decode()


def test_live_search_returns_only_the_results_fragment(client, cast):
    sign_in(client, cast.frontdesk)
    response = client.get(
        reverse("patients:patient-list"), {"q": "Quintana"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "Quintana" in body
    assert "<html" not in body
    assert "Begay" not in body


def test_patient_detail_shows_demographics(client, cast):
    sign_in(client, cast.frontdesk)
    url = reverse("patients:patient-detail", kwargs={"public_id": cast.patient.public_id})
    body = client.get(url).content.decode()
    assert cast.patient.record_number in body
    assert "Paloma Quintana" in body
    assert "Access history" not in body
