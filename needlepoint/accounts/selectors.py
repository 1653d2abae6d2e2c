"""Reads for staff accounts and their API tokens."""

from __future__ import annotations

import uuid

from allauth.mfa.models import Authenticator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from needlepoint.accounts.models import ApiToken, StaffProfile
from needlepoint.accounts.services import api_token_hash
from needlepoint.core.models import Organization
from needlepoint.core.tenancy import get_scoped_or_404


def api_token_authenticate(*, secret: str) -> ApiToken | None:
    """The token with this secret, if it may be used now: not revoked, its user active and
    still staff. Read afresh on every request, so revoking, deactivating or removing the
    staff profile takes effect on the next one (SECURITY.md A5)."""
    if not secret or len(secret) > 200:
        return None
    return (
        ApiToken.objects.select_related("staff__user", "staff__organization")
        .filter(
            key_hash=api_token_hash(secret),
            revoked_at__isnull=True,
            staff__user__is_active=True,
        )
        .first()
    )


def api_token_find(*, secret: str) -> ApiToken | None:
    """The token with this secret whatever its state (to file a refused use under its clinic)."""
    if not secret or len(secret) > 200:
        return None
    return (
        ApiToken.objects.select_related("staff__organization")
        .filter(key_hash=api_token_hash(secret))
        .first()
    )


def api_token_list(*, staff: StaffProfile) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(staff=staff).order_by("revoked_at", "-created_at")


def api_token_get(*, staff: StaffProfile, public_id: str) -> ApiToken:
    """One of `staff`'s own tokens; anyone else's is a 404."""
    try:
        key = uuid.UUID(str(public_id))
    except ValueError as exc:
        raise Http404("No such token.") from exc
    token = ApiToken.objects.filter(staff=staff, public_id=key).first()
    if token is None:
        raise Http404("No such token.")
    return token


def staff_get(*, organization: Organization, public_id: str) -> StaffProfile:
    return get_scoped_or_404(
        StaffProfile.objects.select_related("user"),
        organization=organization,
        public_id=public_id,
    )


def staff_list(*, organization: Organization) -> QuerySet[StaffProfile]:
    """The clinic's staff, each with `has_totp`: whether an authenticator app is enrolled."""
    totp = Authenticator.objects.filter(user_id=OuterRef("user_id"), type=Authenticator.Type.TOTP)
    return (
        StaffProfile.objects.filter(organization=organization)
        .select_related("user")
        .annotate(has_totp=Exists(totp))
        .order_by("user__last_name", "user__first_name", "user__username")
    )
