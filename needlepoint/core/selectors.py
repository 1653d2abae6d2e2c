"""Reads of the organization itself."""

from __future__ import annotations

from needlepoint.core.models import Organization


def public_organization() -> Organization | None:
    """The clinic that public pages and the public API serve: the install's first
    organization (a single-tenant install)."""
    return Organization.objects.order_by("id").first()
