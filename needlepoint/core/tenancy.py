"""Organization scoping helpers: the only way views fetch an object by its public id.

Anything outside the caller's organization is a 404, exactly like something that does not exist, so
ids from another clinic reveal nothing (docs/security-targets.md A2)."""

from __future__ import annotations

import uuid
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from needlepoint.core.models import Organization

M = TypeVar("M", bound=Model)


def get_scoped_or_404(queryset: QuerySet[M], *, organization: Organization, public_id: str) -> M:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404("No such record.") from exc
    obj = queryset.filter(organization=organization, public_id=key).first()
    if obj is None:
        raise Http404("No such record.")
    return obj
