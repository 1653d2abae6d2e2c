"""Writes for the catalog."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction

from needlepoint.catalog.models import Competency, Indication, TreatmentArea
from needlepoint.core.models import Organization

DEFAULTS_FILE = Path(__file__).parent / "data" / "clinical_defaults.json"


@cache
def clinical_defaults() -> dict[str, Any]:
    return json.loads(DEFAULTS_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def catalog_seed_defaults(*, organization: Organization) -> None:
    """Give an organization its own copy of the docs/clinical-rules.md defaults.

    Rows that exist already are left alone: once seeded, the numbers belong to the
    clinic's medical director, and re-running never overwrites their edits.
    """
    data = clinical_defaults()
    for position, area in enumerate(data["areas"]):
        TreatmentArea.objects.get_or_create(
            organization=organization,
            code=area["code"],
            defaults={
                "name": area["name"],
                "min_depth_mm": Decimal(area["min_depth_mm"]),
                "max_default_mm": Decimal(area["max_default_mm"]),
                "order_max_mm": Decimal(area["order_max_mm"]) if area["order_max_mm"] else None,
                "is_face": area["is_face"],
                "is_perioral": area["is_perioral"],
                "note": area["note"],
                "source_ids": area["source_ids"],
                "sort_order": position,
            },
        )
    for position, indication in enumerate(data["indications"]):
        fields = {k: v for k, v in indication.items() if k != "code"}
        Indication.objects.get_or_create(
            organization=organization,
            code=indication["code"],
            defaults={**fields, "sort_order": position},
        )
    for competency in data["competencies"]:
        Competency.objects.get_or_create(
            organization=organization,
            code=competency["code"],
            defaults={"name": competency["name"]},
        )
