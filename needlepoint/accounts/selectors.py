"""Reads for staff accounts and their API tokens."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, timedelta

from allauth.mfa.models import Authenticator
from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404

from needlepoint.accounts.models import ApiToken, ScopeRule, StaffProfile
from needlepoint.accounts.roles import Role
from needlepoint.accounts.scope import Licence, Procedure, scope_refusal
from needlepoint.accounts.services import api_token_hash, default_scope_rules
from needlepoint.core.models import Organization
from needlepoint.core.tenancy import get_scoped_or_404


def api_token_authenticate(*, secret: str) -> ApiToken | None:
    """The token with this secret, if it may be used now: not revoked, its user active and still
    staff. Read afresh on every request, so revoking, deactivating or removing the staff profile
    takes effect on the next one (docs/security-targets.md A5)."""
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


def scope_table(*, organization_id: int) -> dict[str, frozenset[Procedure]]:
    """The clinic's scope-of-practice table: licence type → procedures it allows. A clinic
    with no table yet reads the New Mexico defaults it would be seeded with."""
    table = {
        rule.licence_type: rule.procedures
        for rule in ScopeRule.objects.filter(organization_id=organization_id)
    }
    if table:
        return table
    return {
        row["licence_type"]: frozenset(p for p in Procedure if row[p.value])
        for row in default_scope_rules()
    }


def staff_licence(staff: StaffProfile) -> Licence:
    return Licence(
        name=staff.user.get_full_name() or staff.user.get_username(),
        licence_type=staff.licence_type,
        expires_on=staff.licence_expires_on,
        competencies=frozenset(staff.competencies.values_list("code", flat=True)),
    )


def staff_scope_refusal(
    *, staff: StaffProfile, procedures: Iterable[Procedure], on: date
) -> str | None:
    """Why `staff` may not do `procedures` on `on` (licence, expiry, competency), or None."""
    procedures = list(procedures)
    if not procedures:
        return None
    return scope_refusal(
        staff_licence(staff),
        procedures,
        permitted=scope_table(organization_id=staff.organization_id),
        on=on,
    )


def staff_count_by_role(*, organization: Organization) -> dict[str, int]:
    """Active staff per role, by the role's label, every role listed."""
    counts = dict(
        StaffProfile.objects.filter(organization=organization, user__is_active=True)
        .values_list("role")
        .annotate(n=Count("id"))
    )
    return {role.label: counts.get(role.value, 0) for role in Role}


def licences_expiring(
    *, organization: Organization, today: date, within_days: int = 60
) -> list[StaffProfile]:
    """Active staff whose licence has expired or expires within `within_days`."""
    return list(
        StaffProfile.objects.filter(
            organization=organization,
            user__is_active=True,
            licence_expires_on__lte=today + timedelta(days=within_days),
        )
        .select_related("user")
        .order_by("licence_expires_on")
    )
