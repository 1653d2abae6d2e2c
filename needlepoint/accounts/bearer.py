"""Staff API tokens sent as `Authorization: Bearer <token>`: the one place that turns a
token into a staff member for a request, for the JSON API and for the few page views an
API answer links to (a photo's `url`, a PRP sample's `label_url`).

A token is read from the Authorization header only, never from the query string (a URL ends up in
logs and browser history). Its user, staff profile and role are read afresh on every request
(docs/security-targets.md A5); a role that lacks the permission and a token that does not open
anything are both audited (C2), the latter at most `REFUSED_TOKEN_LIMIT` times per address per
minute so that guessing cannot flood the audit chain."""

from __future__ import annotations

from django.http import HttpRequest

from needlepoint.accounts.models import ApiToken
from needlepoint.accounts.roles import role_may
from needlepoint.accounts.selectors import api_token_find
from needlepoint.accounts.services import api_token_mark_used
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.core.ratelimit import client_key, count_within, seconds_left

# Refused tokens per address per minute that are audited; beyond that the caller answers
# "too many requests" until the minute is over.
REFUSED_TOKEN_LIMIT = (20, 60)


def bearer_secret(request: HttpRequest) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None when there is none."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return secret.strip()


def staff_token_admit(
    request: HttpRequest, api_token: ApiToken, permission: str, *, via: str
) -> bool:
    """Make the request the token's staff member's (for the view and for the audit rows
    written from `request`, never a browser session's user); whether their role holds
    `permission`. A refusal is audited."""
    staff = api_token.staff
    request.user = staff.user
    request.staff = staff  # type: ignore[attr-defined]
    request.organization = staff.organization  # type: ignore[attr-defined]
    request.api_token = api_token  # type: ignore[attr-defined]
    if not role_may(staff.role, permission):
        audit_record(
            action=AuditAction.DENIED,
            request=request,
            detail={"reason": f"role lacks {permission}", "via": via},
        )
        return False
    api_token_mark_used(token=api_token)
    return True


def api_token_refused(request: HttpRequest, secret: str, *, via: str) -> bool:
    """Audit a token that opened nothing (unknown, revoked, or its user inactive). False
    when this address has had too many refusals this minute: nothing is written then."""
    limit, seconds = REFUSED_TOKEN_LIMIT
    if not count_within(f"np-api-refused:{client_key(request)}", limit, seconds):
        return False
    known = api_token_find(secret=secret)
    audit_record(
        action=AuditAction.DENIED,
        request=request,
        organization=known.staff.organization if known is not None else None,
        obj=known,
        detail={"reason": "api token refused", "known": known is not None, "via": via},
    )
    return True


def refused_wait() -> int:
    """Seconds until refused tokens are audited (and answered) again."""
    _limit, seconds = REFUSED_TOKEN_LIMIT
    return seconds_left(seconds)
