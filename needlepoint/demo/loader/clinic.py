"""Who the demo clinic is (name, slug, time zone), the seed its made-up data grows
from, and the reference-row lookup the staff and catalogue loaders share."""

from __future__ import annotations

import zoneinfo
from typing import Any

from needlepoint.catalog.models import Competency, Indication, TreatmentArea
from needlepoint.core.models import Organization

DEMO_TIMEZONE = "America/Denver"
DENVER = zoneinfo.ZoneInfo(DEMO_TIMEZONE)
DEMO_ORGANIZATION_SLUG = "sandia-skin"
DEMO_ORGANIZATION_NAME = "Sandia Skin Studio"
DEMO_RANDOM_SEED = 2026


def by_code(
    model: type[TreatmentArea] | type[Indication] | type[Competency],
    organization: Organization,
    codes: tuple[str, ...],
) -> list[Any]:
    rows = {row.code: row for row in model.objects.filter(organization=organization)}
    missing = [code for code in codes if code not in rows]
    if missing:
        raise LookupError(f"{model.__name__} codes missing from the seed: {missing}")
    return [rows[code] for code in codes]
