"""Recall search by product lot (anaesthetic, serum…) beside the cartridge lot search: the
page, the CSV, the audit rows, and nothing from another clinic."""

from __future__ import annotations

import csv
import io

import pytest
from django.utils import timezone

from needlepoint.clinical.models import CartridgeLot, CartridgeUse, ProductUse, TreatmentRecord
from needlepoint.clinical.selectors import product_recall_list, recall_hits
from needlepoint.core.models import AuditAction, AuditEvent
from needlepoint.scheduling.services import appointment_book
from tests.support import factories
from tests.support.clinical_support import BOOKED_AT, VISIT, record_charted
from tests.support.personas import sign_in
from tests.support.scheduling_world import at

RECALL = "/staff/clinical/recall/"


def _use(record: TreatmentRecord, product, lot_number: str, **extra) -> ProductUse:
    lot = factories.ProductLotFactory(product=product, lot_number=lot_number)
    return ProductUse.objects.create(record=record, product=product, lot=lot, **extra)


@pytest.fixture
def charted(cast, time_machine):
    """Paloma (10:00) and Ramona (13:00) charted on Jan 11, 2027 with lot LC-27 of two
    products, and a struck-through entry of that lot."""
    time_machine.move_to(at(2027, 1, 11, 11), tick=False)  # charted on the day
    staff = cast.practitioner.staff_profile
    paloma = record_charted(cast.clinic, cast.patient, VISIT, staff)
    ramona_visit = appointment_book(
        location=paloma.appointment.location,
        service=paloma.appointment.service,
        start=at(2027, 1, 11, 13),
        patient=cast.other_patient,
        source="phone",
        now=BOOKED_AT,
    )
    ramona = TreatmentRecord.objects.create(
        organization=cast.clinic,
        appointment=ramona_visit,
        patient=cast.other_patient,
        started_by=staff,
        started_at=timezone.now(),
    )
    numbing = factories.ProductFactory(
        organization=cast.clinic, name="Numbing cream 23/7", kind="anaesthetic"
    )
    serum = factories.ProductFactory(organization=cast.clinic, name="HA serum", kind="serum")
    _use(paloma, numbing, "LC-27")
    _use(ramona, serum, "lc-27")  # the same number, another product
    _use(ramona, numbing, "OTHER-1")
    mistaken = factories.ProductFactory(organization=cast.clinic, name="Wrong gel", kind="glide")
    _use(paloma, mistaken, "LC-27", voided_at=timezone.now())
    return paloma, ramona


@pytest.fixture
def outsider_use(cast):
    """A record in the outsider clinic with a product of lot LC-27 (built by hand: one
    scheduling world per test)."""
    from needlepoint.scheduling.models import Appointment

    location = factories.LocationFactory(organization=cast.outsider_clinic)
    service = factories.ServiceFactory(organization=cast.outsider_clinic)
    appointment = Appointment.objects.create(
        organization=cast.outsider_clinic,
        location=location,
        service=service,
        patient=cast.outsider_patient,
        starts_at=VISIT,
        ends_at=at(2027, 1, 11, 11),
        status="booked",
        source="phone",
    )
    record = TreatmentRecord.objects.create(
        organization=cast.outsider_clinic,
        appointment=appointment,
        patient=cast.outsider_patient,
        started_by=cast.outsider.staff_profile,
        started_at=VISIT,
    )
    product = factories.ProductFactory(organization=cast.outsider_clinic, name="Their numbing")
    return _use(record, product, "LC-27")


def test_a_product_lot_finds_every_patient_whatever_its_case_or_spaces(
    cast, charted, outsider_use, django_assert_num_queries
):
    with django_assert_num_queries(1):
        hits = recall_hits(organization=cast.clinic, kind="product", lot="  lc-27 ")
        rows = [
            (h.patient.record_number, h.item, h.lot, h.location_name, h.at.isoformat())
            for h in hits
        ]
    location = charted[0].appointment.location.name
    assert rows == [
        (cast.patient.record_number, "Numbing cream 23/7", "LC-27", location,
         "2027-01-11T10:00:00-07:00"),
        (cast.other_patient.record_number, "HA serum", "lc-27", location,
         "2027-01-11T13:00:00-07:00"),
    ]  # fmt: skip
    assert outsider_use.lot.lot_number == "LC-27"  # theirs exists, and is not found


def test_struck_through_and_other_clinics_uses_are_left_out(cast, charted, outsider_use):
    products = {u.product.name for u in product_recall_list(organization=cast.clinic, lot="LC-27")}
    assert products == {"Numbing cream 23/7", "HA serum"}
    theirs = product_recall_list(organization=cast.outsider_clinic, lot="lc-27")
    assert [u.product.name for u in theirs] == ["Their numbing"]


def test_the_page_lists_product_lot_patients_and_audits_each(client, cast, charted, outsider_use):
    sign_in(client, cast.director)
    page = client.get(RECALL, {"kind": "product", "lot": "lc-27"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "2 uses of product lot" in body
    assert cast.patient.record_number in body and cast.other_patient.record_number in body
    assert "Numbing cream 23/7" in body and "HA serum" in body
    assert "Jan 11, 2027 10:00 AM" in body and "Jan 11, 2027 1:00 PM" in body
    assert "Wrong gel" not in body
    assert cast.outsider_patient.record_number not in body and "Oscar" not in body
    listed = AuditEvent.objects.filter(action=AuditAction.LIST, object_type="clinical.productuse")
    assert sorted(e.patient_ref for e in listed) == sorted(
        [str(cast.patient.public_id), str(cast.other_patient.public_id)]
    )
    assert all(e.detail["recall_product_lot"] in {"LC-27", "lc-27"} for e in listed)
    assert "kind=product&amp;lot=lc-27&amp;format=csv" in body


def test_the_product_csv_has_one_row_per_use_and_is_audited(client, cast, charted, outsider_use):
    cast.other_patient.first_name = "=HYPERLINK(1)"
    cast.other_patient.save()
    sign_in(client, cast.owner)
    response = client.get(RECALL, {"kind": "product", "lot": "LC-27", "format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="recall-product-lc-27.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["product", "lot", "visit_at", "location", "record_number", "patient"]
    assert [row[:3] for row in rows[1:]] == [
        ["Numbing cream 23/7", "LC-27", "2027-01-11T10:00-07:00"],
        ["HA serum", "lc-27", "2027-01-11T13:00-07:00"],
    ]
    assert rows[2][5] == "'=HYPERLINK(1) Begay"  # no formula from a name
    assert cast.outsider_patient.record_number not in response.content.decode()
    exported = AuditEvent.objects.filter(action=AuditAction.EXPORT)
    assert [e.object_type for e in exported] == ["clinical.productuse"] * 2


def test_the_cartridge_search_is_still_the_default(client, cast, charted):
    paloma = charted[0]
    lot = CartridgeLot.objects.create(organization=cast.clinic, lot="LC-27")
    CartridgeUse.objects.create(
        organization=cast.clinic,
        treatment_record=paloma,
        lot=lot,
        serial="SN-9",
        used_at=VISIT,
        used_by=cast.practitioner.staff_profile,
    )
    sign_in(client, cast.director)
    for query in ({"lot": "lc-27"}, {"lot": "lc-27", "kind": "nonsense"}):
        body = client.get(RECALL, query).content.decode()
        assert "1 cartridge of lot" in body and "SN-9" in body
        assert "HA serum" not in body
    csv_body = client.get(RECALL, {"lot": "LC-27", "format": "csv"}).content.decode()
    assert csv_body.splitlines()[1].startswith("LC-27,SN-9,2027-01-11T10:00-07:00,")


def test_nothing_found_says_so(client, cast, charted):
    sign_in(client, cast.director)
    body = client.get(RECALL, {"kind": "product", "lot": "NOPE"}).content.decode()
    assert "No product of lot NOPE has been charted." in body


@pytest.mark.parametrize("persona", ["frontdesk", "practitioner"])
def test_product_recall_is_for_leadership(client, cast, charted, persona):
    sign_in(client, cast.user(persona))
    response = client.get(RECALL, {"kind": "product", "lot": "LC-27", "format": "csv"})
    assert response.status_code == 403
