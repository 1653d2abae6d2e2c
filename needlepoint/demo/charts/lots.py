"""Cartridge and product lots as the charts use them: the lot on the shelf on the day
of a session, older ones registered at their first use."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from needlepoint.catalog.models import Product, ProductLot
from needlepoint.resources.models import Device


@dataclass(frozen=True)
class Lot:
    """A lot as the demo charts it: in stock from `received_days_ago`, expiring after
    `expires_in_days` (negative: expired since, used while it was good)."""

    number: str
    received_days_ago: int
    expires_in_days: int


# Cartridges by pen make: older lots for older sessions, registered at their first use.
CARTRIDGE_LOTS: dict[str, tuple[Lot, ...]] = {
    "Crown Aesthetics": (
        Lot("SPC-2505-0318", 400, -12),
        Lot("SPC-2508-0744", 110, 240),
        Lot("SPC-2510-1021", 40, 420),
    ),
    "Rejuvapen": (Lot("RJC-25-0417", 400, 60), Lot("RJC-25-0932", 75, 380)),
}
# Product lots older than the demo's current stock (`demo.loader.products.PRODUCTS`),
# registered the first time a chart uses them, with their expiry.
EARLIER_PRODUCT_LOTS: dict[str, tuple[Lot, ...]] = {
    "Hyaluronic acid serum (sterile, single-use vial)": (Lot("HA-25-0688", 400, -20),),
    "BLT numbing cream (benzocaine 20%, lidocaine 6%, tetracaine 4%)": (
        Lot("DCC-BLT-2503", 400, -35),
    ),
    "Lidocaine 4% cream": (Lot("L4C-24102", 400, 30),),
}


def lot_for(product: Product, day: date, today: date) -> tuple[str, date | None]:
    """The lot on the shelf on `day`: the most recently received one that was in stock,
    not expired and not recalled; returns its number and, for a lot the clinic has not
    registered yet, its expiry."""
    shelf: list[tuple[date, str, date, bool]] = [
        (lot.received_on or today, lot.lot_number, lot.expires_on, True)
        for lot in ProductLot.objects.filter(product=product, is_recalled=False)
    ]
    shelf += [
        (
            today - timedelta(days=lot.received_days_ago),
            lot.number,
            today + timedelta(days=lot.expires_in_days),
            False,
        )
        for lot in EARLIER_PRODUCT_LOTS.get(product.name, ())
        if not ProductLot.objects.filter(product=product, lot_number=lot.number).exists()
    ]
    usable = [row for row in shelf if row[0] <= day <= row[2]] or [
        row for row in shelf if row[2] >= day
    ]
    _received, number, expires, registered = max(usable)
    return number, None if registered else expires


def cartridge_lot(pen: Device, day: date, today: date) -> tuple[str, date]:
    lots = CARTRIDGE_LOTS.get(pen.make) or CARTRIDGE_LOTS["Crown Aesthetics"]
    usable = [
        lot
        for lot in lots
        if today - timedelta(days=lot.received_days_ago)
        <= day
        <= today + timedelta(days=lot.expires_in_days)
    ]
    lot = max(usable or lots, key=lambda lot: -lot.received_days_ago)
    return lot.number, today + timedelta(days=lot.expires_in_days)
