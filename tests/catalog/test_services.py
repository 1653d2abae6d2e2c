from decimal import Decimal

from needlepoint.catalog.models import Competency, Indication, TreatmentArea
from needlepoint.catalog.services import catalog_seed_defaults, clinical_defaults
from tests.support import factories


def test_it_seeds_every_domain_area_with_its_sources(db):
    clinic = factories.OrganizationFactory()
    catalog_seed_defaults(organization=clinic)
    areas = {a.code: a for a in TreatmentArea.objects.filter(organization=clinic)}
    assert set(areas) == {a["code"] for a in clinical_defaults()["areas"]}
    assert areas["cheeks"].min_depth_mm == Decimal("0.50")
    assert areas["cheeks"].max_default_mm == Decimal("1.00")
    assert areas["periorbital"].max_default_mm == Decimal("0.30")
    assert areas["shoulders_back"].max_default_mm == Decimal("1.50")
    assert all(a.source_ids for a in areas.values())
    acne = Indication.objects.get(organization=clinic, code="acne_scars")
    assert (acne.interval_default_days, acne.interval_min_days) == (28, 14)
    assert Competency.objects.filter(organization=clinic, code="prp_phlebotomy").exists()


def test_reseeding_keeps_the_medical_directors_edits(db):
    clinic = factories.OrganizationFactory()
    catalog_seed_defaults(organization=clinic)
    TreatmentArea.objects.filter(organization=clinic, code="neck").update(
        max_default_mm=Decimal("0.75")
    )
    count = TreatmentArea.objects.count()
    catalog_seed_defaults(organization=clinic)
    assert TreatmentArea.objects.count() == count
    assert TreatmentArea.objects.get(organization=clinic, code="neck").max_default_mm == Decimal(
        "0.75"
    )


def test_each_clinic_owns_its_copy(db):
    first, second = factories.OrganizationFactory(), factories.OrganizationFactory()
    catalog_seed_defaults(organization=first)
    catalog_seed_defaults(organization=second)
    TreatmentArea.objects.filter(organization=first, code="forehead").update(
        max_default_mm=Decimal("0.40")
    )
    assert TreatmentArea.objects.get(organization=second, code="forehead").max_default_mm == (
        Decimal("0.50")
    )


def test_service_duration_is_the_sum_of_its_phases(db):
    service = factories.ServiceFactory()
    for minutes in (30, 45, 15):
        factories.ServicePhaseFactory(service=service, duration_minutes=minutes)
    assert service.duration_minutes == 90
