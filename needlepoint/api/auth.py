"""Who may call the API: staff Bearer tokens for staff routes, a per-address rate limit for
public ones.

A token stands for its staff member. Its user, staff profile and role are read afresh on
every request, so revoking the token, deactivating the user, removing the staff profile or
changing the role takes effect on the next request (SECURITY.md A5). Each staff route names
one permission of `accounts/roles.py`; refusals are audited like the staff pages' (C2).
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthorizationError, Throttled
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from needlepoint.accounts.models import ApiToken
from needlepoint.accounts.roles import role_may
from needlepoint.accounts.selectors import api_token_authenticate, api_token_find
from needlepoint.accounts.services import api_token_mark_used
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction, Organization
from needlepoint.core.ratelimit import client_key, count_within


class BearerToken(HttpBearer):
    """`Authorization: Bearer np_…`, a staff member's API token. The class name is the
    security scheme's name in the OpenAPI document."""

    openapi_bearerFormat = "np_…"
    openapi_description = (
        "A staff member's API token, created in the staff UI (API tokens) or with "
        "`manage.py api_token <username>`. It carries that member's role."
    )

    def __init__(self, permission: str) -> None:
        self.permission = permission
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        token = token.strip()
        api_token = api_token_authenticate(secret=token)
        if api_token is None:
            if token:
                _refused(request, token)
            return None
        staff = api_token.staff
        # From here on the request is this staff member's, for the views and for the audit
        # rows that services write from `request` (never a browser session's user).
        request.user = staff.user
        request.staff = staff  # type: ignore[attr-defined]
        request.organization = staff.organization  # type: ignore[attr-defined]
        if not role_may(staff.role, self.permission):
            audit_record(
                action=AuditAction.DENIED,
                request=request,
                detail={"reason": f"role lacks {self.permission}", "via": "api"},
            )
            raise AuthorizationError(message="Your role may not do this.")
        api_token_mark_used(token=api_token)
        return api_token


# Refused tokens per address per minute that are audited; beyond that the address gets 429s
# until the minute is over, so guessing cannot flood the (serialized) audit chain.
REFUSED_TOKEN_LIMIT = (20, 60)


def _refused(request: HttpRequest, secret: str) -> None:
    """Audit a token that did not open the API (unknown, revoked, or its user inactive)."""
    limit, seconds = REFUSED_TOKEN_LIMIT
    if not _count_within(f"np-api-refused:{_ident(request)}", limit, seconds):
        raise Throttled(wait=int(seconds - time.time() % seconds) + 1)
    known = api_token_find(secret=secret)
    audit_record(
        action=AuditAction.DENIED,
        request=request,
        organization=known.staff.organization if known is not None else None,
        obj=known,
        detail={"reason": "api token refused", "known": known is not None, "via": "api"},
    )


def staff_auth(permission: str) -> BearerToken:
    """The auth of a staff route: a valid token whose role holds `permission`."""
    return BearerToken(permission)


# --- Rate limit -----------------------------------------------------------------------

# Requests per address per endpoint family per window (a fixed window, in the shared cache).
DEFAULT_PUBLIC_RATE = (120, 60)


class PublicRateLimit(BaseThrottle):
    """At most N requests per client address per window for one family of public endpoints.
    The limit is `settings.NEEDLEPOINT_API_PUBLIC_RATE` (count, seconds), default 120/minute.
    The address is REMOTE_ADDR, as for the login lockout (the proxy sets it)."""

    def __init__(self, family: str) -> None:
        self.family = family

    @staticmethod
    def rate() -> tuple[int, int]:
        count, seconds = getattr(settings, "NEEDLEPOINT_API_PUBLIC_RATE", DEFAULT_PUBLIC_RATE)
        return int(count), max(int(seconds), 1)

    def allow_request(self, request: HttpRequest) -> bool:
        limit, seconds = self.rate()
        return _count_within(f"np-api-rate:{self.family}:{_ident(request)}", limit, seconds)

    def wait(self) -> float:
        _limit, seconds = self.rate()
        return seconds - time.time() % seconds


def throttled(family: str) -> list[Any]:
    return [PublicRateLimit(family)]


# The counter is shared with the booking wizard's limit (core/ratelimit.py).
_ident = client_key
_count_within = count_within


def token_organization(request: HttpRequest) -> Organization:
    """The clinic of the staff member whose token authenticated the request."""
    return request.organization  # type: ignore[attr-defined]
