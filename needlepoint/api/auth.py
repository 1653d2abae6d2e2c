"""Who may call the API: staff Bearer tokens for staff routes, a per-address rate limit for
public ones.

A token stands for its staff member. Its user, staff profile and role are read afresh on every
request, so revoking the token, deactivating the user, removing the staff profile or changing the
role takes effect on the next request (docs/security-targets.md A5). Each staff route names one
permission of `accounts/roles.py`; refusals are audited like the staff pages' (C2)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthorizationError, Throttled
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from needlepoint.accounts.bearer import api_token_refused, refused_wait, staff_token_admit
from needlepoint.accounts.models import ApiToken
from needlepoint.accounts.selectors import api_token_authenticate
from needlepoint.core.models import Organization
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
            if token and not api_token_refused(request, token, via="api"):
                raise Throttled(wait=refused_wait())
            return None
        if not staff_token_admit(request, api_token, self.permission, via="api"):
            raise AuthorizationError(message="Your role may not do this.")
        return api_token


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
        return count_within(f"np-api-rate:{self.family}:{client_key(request)}", limit, seconds)

    def wait(self) -> float:
        _limit, seconds = self.rate()
        return seconds - time.time() % seconds


def throttled(family: str) -> list[Any]:
    return [PublicRateLimit(family)]


def token_organization(request: HttpRequest) -> Organization:
    """The clinic of the staff member whose token authenticated the request."""
    return request.organization  # type: ignore[attr-defined]
