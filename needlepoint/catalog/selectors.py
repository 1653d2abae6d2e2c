"""Reads of the clinic's services, always within one organization."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import Q, QuerySet
from django.http import Http404

from needlepoint.catalog.models import ProductLot, Service
from needlepoint.core.models import Organization


def service_list(*, organization: Organization, bookable_online: bool = True) -> QuerySet[Service]:
    """Active services (those patients may book online, unless told otherwise), with their
    phases, areas and indications prefetched."""
    services = Service.objects.filter(organization=organization, is_active=True)
    if bookable_online:
        services = services.filter(bookable_online=True)
    return services.prefetch_related("phases", "areas", "indications").order_by(
        "sort_order", "name", "pk"
    )


def service_get(*, organization: Organization, slug: str, bookable_online: bool = True) -> Service:
    """A service by its slug; another organization's (or an unknown one) is a 404."""
    found = service_list(organization=organization, bookable_online=bookable_online).filter(
        slug=slug
    )
    service = found.first()
    if service is None:
        raise Http404("No such service.")
    return service


def lots_needing_attention(
    *, organization: Organization, today: date, within_days: int = 30
) -> list[ProductLot]:
    """Lots of active products that are recalled or expire within `within_days`."""
    return list(
        ProductLot.objects.filter(product__organization=organization, product__is_active=True)
        .filter(Q(is_recalled=True) | Q(expires_on__lte=today + timedelta(days=within_days)))
        .select_related("product")
        .order_by("expires_on")
    )
