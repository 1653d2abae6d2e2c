"""Rules of the chart at the chair (docs/clinical-rules.md §1, §6, §8, §10). Pure: plain values in,
a verdict, a list of what is missing, or the differences from last time out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from needlepoint.clinical.custody import CustodyRefused


class ChartRefused(CustodyRefused):
    """A chart entry the rules do not allow; `code` names the rule for tests and the API.
    A kind of custody refusal, so the API and the chart page answer both alike."""


@dataclass(frozen=True)
class AreaDepths:
    """An area's defaults (§1): `max_default` is the deepest without an order;
    `order_max`, when set, the deepest even with one."""

    name: str
    minimum: Decimal
    max_default: Decimal
    order_max: Decimal | None = None


def depth_check(
    depth: Decimal,
    *,
    area: AreaDepths,
    device_max: Decimal | None,
    ordered_max: Decimal | None,
) -> str | None:
    """Refuse a depth the device or area forbids; return a note for a shallow one.

    Above the area default the medical director's order must cover the depth
    (`ordered_max` is the deepest a valid order allows, None without one); the device's
    maximum is a hard limit nobody can order past.
    """
    if depth <= 0:
        raise ChartRefused("depth_invalid", "Enter the depth in millimetres, above 0.")
    if device_max is not None and depth > device_max:
        raise ChartRefused(
            "depth_over_device",
            f"{depth} mm is deeper than this pen's maximum of {device_max} mm.",
        )
    if area.order_max is not None and depth > area.order_max:
        raise ChartRefused(
            "depth_over_area",
            f"{depth} mm is deeper than {area.name} allows even with an order "
            f"({area.order_max} mm).",
        )
    if depth > area.max_default and (ordered_max is None or depth > ordered_max):
        raise ChartRefused(
            "depth_needs_order",
            f"{depth} mm is above the {area.name} default of {area.max_default} mm: it needs "
            "the medical director's order for this patient"
            + (f" (the current order allows {ordered_max} mm)." if ordered_max else "."),
        )
    if depth < area.minimum:
        return f"{depth} mm is below the usual {area.name} range ({area.minimum} mm and up)."
    return None


@dataclass(frozen=True)
class SignFacts:
    """What the chart holds when the performer asks to sign."""

    identity_checked: bool
    screening_ok: bool
    consents_ok: bool
    before_photos: int
    anaesthetic_done: bool
    lines: int
    needling_device: bool
    cartridges: int
    uses_prp: bool
    prp_applied: int
    prp_in_process: int
    aftercare_given: bool
    waste_disposed: bool


def sign_blockers(facts: SignFacts) -> list[str]:
    """What still stops signing, in the order of the session (§6 checklist, §10)."""
    missing = []
    if not facts.identity_checked:
        missing.append("Check the patient's identity with two identifiers.")
    if not facts.screening_ok:
        missing.append("Health screening is not clear or approved for this visit.")
    if not facts.consents_ok:
        missing.append("A required consent is missing or expired.")
    if facts.before_photos == 0:
        missing.append("Take the baseline (before) photos.")
    if not facts.anaesthetic_done:
        missing.append(
            "Record the anaesthetic (product, lot, applied and removed times), "
            "or that none was used."
        )
    if facts.lines == 0:
        missing.append("Chart at least one treated area.")
    if not facts.needling_device:
        missing.append("Choose the pen used.")
    elif facts.cartridges == 0:
        missing.append("Scan or type the cartridge used.")
    if facts.uses_prp and facts.prp_applied == 0:
        missing.append("Apply the PRP (scan the tube) or chart why it was not used.")
    if facts.prp_in_process:
        missing.append("A PRP sample is still in process: apply it or discard it.")
    if not facts.aftercare_given:
        missing.append("Record the aftercare instructions given.")
    if not facts.waste_disposed:
        missing.append("Confirm sharps and biohazard waste are disposed of.")
    return missing


@dataclass(frozen=True)
class LineValues:
    """One treated area as compared between sessions."""

    area: str
    depth: Decimal
    passes: int
    technique: str
    indication: str = ""
    speed: str = ""


COMPARED = ("depth", "passes", "technique", "indication", "speed")


@dataclass
class LineDiff:
    """For a line this time: the fields that differ from last time, with last time's value
    (`new` when the area was not treated last time)."""

    new: bool = False
    was: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class SessionDiff:
    lines: list[LineDiff]
    dropped: list[str]
    """Areas treated last time and not this time."""


def session_diff(previous: list[LineValues], current: list[LineValues]) -> SessionDiff:
    """How this session's areas differ from the previous session's, area by area (an
    area charted twice is matched in order)."""
    remaining: dict[str, list[LineValues]] = {}
    for line in previous:
        remaining.setdefault(line.area, []).append(line)
    diffs = []
    for line in current:
        earlier = remaining.get(line.area)
        if not earlier:
            diffs.append(LineDiff(new=True))
            continue
        before = earlier.pop(0)
        diffs.append(
            LineDiff(
                was={
                    name: getattr(before, name)
                    for name in COMPARED
                    if getattr(before, name) != getattr(line, name)
                }
            )
        )
    dropped = [line.area for lines in remaining.values() for line in lines]
    return SessionDiff(diffs, dropped)


@dataclass(frozen=True)
class ScannedCartridge:
    lot: str = ""
    serial: str = ""
    expires_on: date | None = None


_GS1_FIXED = {"01": 14, "17": 6, "11": 6}
_GS1_VARIABLE = ("10", "21")
GS = "\x1d"


def cartridge_scan_parse(text: str) -> ScannedCartridge | None:
    """Lot, serial and expiry from a cartridge box's GS1 barcode, as a scanner types it:
    with brackets, "(01)…(17)YYMMDD(10)LOT(21)SERIAL", or raw, with the group separator
    (or a symbology prefix like "]d2") between variable-length fields. None when the text
    is not a GS1 string (the caller then treats it as a typed serial)."""
    text = text.strip()
    if text[:3] in ("]d2", "]C1", "]Q3"):
        text = text[3:]
    if text.startswith("("):
        parts = dict(re.findall(r"\((\d{2})\)([^(]*)", text))
    elif re.fullmatch(r"01\d{14}.*", text):
        parts = _gs1_raw(text)
    else:
        return None
    if not parts or not ({"10", "21"} & parts.keys()):
        return None
    expires = _gs1_date(parts.get("17", ""))
    return ScannedCartridge(
        lot=parts.get("10", "").strip(), serial=parts.get("21", "").strip(), expires_on=expires
    )


def _gs1_raw(text: str) -> dict[str, str]:
    parts: dict[str, str] = {}
    rest = text
    while rest:
        ai = rest[:2]
        if ai in _GS1_FIXED:
            length = _GS1_FIXED[ai]
            parts[ai], rest = rest[2 : 2 + length], rest[2 + length :]
        elif ai in _GS1_VARIABLE:
            value, _, rest = rest[2:].partition(GS)
            parts[ai] = value
        else:
            break
        rest = rest.lstrip(GS)
    return parts


def _gs1_date(value: str) -> date | None:
    """GS1 YYMMDD; a day of 00 means the month's last day."""
    if not re.fullmatch(r"\d{6}", value):
        return None
    year, month, day = 2000 + int(value[:2]), int(value[2:4]), int(value[4:])
    if not 1 <= month <= 12:
        return None
    if day == 0:
        following = date(year + month // 12, month % 12 + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    try:
        return date(year, month, day)
    except ValueError:
        return None


AFTERCARE_VERSION = "aftercare 2026.1"
"""The written aftercare instructions (docs/clinical-rules.md §6) a patient takes home; a new
wording gets a new version, so a chart says which one the patient was given."""
