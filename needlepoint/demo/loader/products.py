"""The products on the shelf and their lots: one expiring soon, one recalled."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from needlepoint.catalog.models import Product, ProductKind, ProductLot
from needlepoint.core.models import Organization


@dataclass(frozen=True)
class LotSpec:
    lot_number: str
    expires_in_days: int
    received_days_ago: int
    is_recalled: bool = False


@dataclass(frozen=True)
class ProductSpec:
    name: str
    kind: str
    manufacturer: str
    strength: str
    labelled_for_intradermal_use: bool
    lots: tuple[LotSpec, ...]


PRODUCTS: tuple[ProductSpec, ...] = (
    ProductSpec(
        "Hyaluronic acid serum (sterile, single-use vial)",
        ProductKind.SERUM,
        "Mesa Aesthetic Supply",
        "sodium hyaluronate 0.5%",
        True,
        (LotSpec("HA-25-1142", 298, 35), LotSpec("HA-25-1307", 412, 9)),
    ),
    ProductSpec(
        # Not labelled for use on needled skin: choosing it raises review MN27.
        "Vitamin C brightening serum",
        ProductKind.SERUM,
        "Bosque Botanicals",
        "L-ascorbic acid 15%",
        False,
        (LotSpec("VC-0925-B", 221, 60),),
    ),
    ProductSpec(
        "BLT numbing cream (benzocaine 20%, lidocaine 6%, tetracaine 4%)",
        ProductKind.ANAESTHETIC,
        "Duke City Compounding Pharmacy",
        "benzocaine 20%, lidocaine 6%, tetracaine 4%",
        False,
        # Expires within three weeks: shows on the dashboard's stock list.
        (LotSpec("DCC-BLT-2508", 17, 74), LotSpec("DCC-BLT-2511", 138, 12)),
    ),
    ProductSpec(
        "Lidocaine 4% cream",
        ProductKind.ANAESTHETIC,
        "Ferndale Laboratories",
        "lidocaine 4%",
        False,
        (LotSpec("L4C-24317", 356, 48),),
    ),
    ProductSpec(
        "Sterile glide gel",
        ProductKind.GLIDE,
        "Mesa Aesthetic Supply",
        "",
        False,
        # Recalled by the supplier (sterility not assured): must never be charted.
        (LotSpec("GG-25-0419", 190, 81, is_recalled=True), LotSpec("GG-25-0733", 305, 15)),
    ),
    ProductSpec(
        "Post-procedure hydrogel mask",
        ProductKind.AFTERCARE,
        "Rio Grande Dermaceuticals",
        "",
        False,
        (LotSpec("HM-2506-22", 263, 40),),
    ),
)


def load_products(organization: Organization, today: date, new: Counter[str]) -> None:
    for spec in PRODUCTS:
        product, created = Product.objects.get_or_create(
            organization=organization,
            name=spec.name,
            defaults={
                "kind": spec.kind,
                "manufacturer": spec.manufacturer,
                "strength": spec.strength,
                "labelled_for_intradermal_use": spec.labelled_for_intradermal_use,
            },
        )
        new["products"] += created
        for lot in spec.lots:
            _, created = ProductLot.objects.get_or_create(
                product=product,
                lot_number=lot.lot_number,
                defaults={
                    "expires_on": today + timedelta(days=lot.expires_in_days),
                    "received_on": today - timedelta(days=lot.received_days_ago),
                    "is_recalled": lot.is_recalled,
                },
            )
            new["product_lots"] += created
