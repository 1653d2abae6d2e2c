"""What the public site shows: the clinic's locations and bookable services."""

from __future__ import annotations

from typing import Any

from needlepoint.catalog.models import Service
from needlepoint.core.selectors import public_organization
from needlepoint.resources.models import Location


def public_clinic() -> dict[str, Any]:
    """The public site serves one clinic: the install's public organization."""
    organization = public_organization()
    if organization is None:
        return {"organization": None, "locations": [], "services": []}
    return {
        "organization": organization,
        "locations": Location.objects.filter(
            organization=organization, is_active=True
        ).prefetch_related("opening_hours"),
        "services": Service.objects.filter(
            organization=organization, is_active=True, bookable_online=True
        ).prefetch_related("phases", "areas", "indications"),
    }
