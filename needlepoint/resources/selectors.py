"""Reads of locations, always within one organization."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from needlepoint.core.models import Organization
from needlepoint.resources.models import Location


def location_list(*, organization: Organization, active_only: bool = True) -> QuerySet[Location]:
    locations = Location.objects.filter(organization=organization)
    if active_only:
        locations = locations.filter(is_active=True)
    return locations.order_by("name", "pk")


def location_get(*, organization: Organization, slug: str, active_only: bool = True) -> Location:
    """A location by its slug; another organization's (or an unknown one) is a 404."""
    location = location_list(organization=organization, active_only=active_only).filter(slug=slug)
    found = location.select_related("organization").first()
    if found is None:
        raise Http404("No such location.")
    return found
