"""factory_boy factories for Needlepoint's models."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import factory
from django.contrib.auth.models import User

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import Role
from needlepoint.catalog.models import Product, ProductLot, Service, ServicePhase
from needlepoint.core.models import Organization
from needlepoint.patients.models import Patient
from needlepoint.resources.models import Device, DeviceKind, Location, OpeningHours, Room

TEST_PASSWORD = "correct horse battery staple 42"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Clinic {n}")
    slug = factory.Sequence(lambda n: f"clinic-{n}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organization = factory.SubFactory(OrganizationFactory)
    slug = factory.Sequence(lambda n: f"location-{n}")
    name = factory.Sequence(lambda n: f"Location {n}")
    address_line1 = "100 Central Ave SW"
    city = "Albuquerque"
    state = "NM"
    postal_code = "87102"
    phone = "(505) 555-0100"


class OpeningHoursFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OpeningHours

    location = factory.SubFactory(LocationFactory)
    weekday = 0
    opens = time(9, 0)
    closes = time(17, 0)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    location = factory.SubFactory(LocationFactory)
    organization = factory.SelfAttribute("location.organization")
    kind = DeviceKind.PEN
    name = factory.Sequence(lambda n: f"Pen {n}")
    make = "Crown Aesthetics"
    model = "SkinPen Precision"
    serial_number = factory.Sequence(lambda n: f"SN-{n:05d}")
    regulatory_number = "DEN160029"
    max_depth_mm = Decimal("2.50")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"User{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def licence_for(role: str) -> str:
    """The licence a test's staff member holds by role: the director is a physician,
    practitioners are nurses, the desk and the owner hold none."""
    return {Role.MEDICAL_DIRECTOR: "md", Role.PRACTITIONER: "rn"}.get(role, "none")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.PRACTITIONER
    licence_type = factory.LazyAttribute(lambda o: licence_for(o.role))


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    organization = factory.SubFactory(OrganizationFactory)
    record_number = factory.Sequence(lambda n: f"NP-{n + 1:06d}")
    first_name = factory.Sequence(lambda n: f"Patient{n}")
    last_name = "Testcase"
    date_of_birth = date(1988, 4, 12)
    email = factory.Sequence(lambda n: f"patient{n}@example.com")
    phone = "(505) 555-0199"


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    organization = factory.SubFactory(OrganizationFactory)
    slug = factory.Sequence(lambda n: f"service-{n}")
    name = factory.Sequence(lambda n: f"Micro-needling {n}")
    kind = "treatment"
    summary = "Micro-needling for the face."
    price = Decimal("325.00")


class ServicePhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePhase

    service = factory.SubFactory(ServiceFactory)
    position = factory.Sequence(lambda n: n)
    kind = "treatment"
    duration_minutes = 45
    needs_practitioner = True


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Serum {n}")
    kind = "serum"
    manufacturer = "Test Labs"


class ProductLotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductLot

    product = factory.SubFactory(ProductFactory)
    lot_number = factory.Sequence(lambda n: f"LOT{n:04d}")
    expires_on = date(2030, 1, 1)
