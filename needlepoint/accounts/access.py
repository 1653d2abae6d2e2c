"""The staff gate every back-office view goes through.

Order: logged in → is staff of an organization → passed TOTP in this session (enrolling first if
needed) → role holds the permission. Refusals are audited (docs/security-targets.md C2).

A view that an API answer links to (a photo, a PRP label) may also accept a staff API
token in the Authorization header (`staff_required(..., bearer=True)`): the token stands
for its staff member with the same role check and audit rows; it was created by someone
who had passed MFA, as for the JSON API. Without such a header the session path is
unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.mfa.utils import is_mfa_enabled
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from needlepoint.accounts.bearer import (
    api_token_refused,
    bearer_secret,
    refused_wait,
    staff_token_admit,
)
from needlepoint.accounts.mfa import session_passed_mfa
from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import role_may
from needlepoint.accounts.selectors import api_token_authenticate
from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction, Organization


class StaffRequest(HttpRequest):
    """A request that `staff_required` let through, typed once here so that staff views and
    API routes read `request.staff` and friends without casts: the middleware (or the API
    token) set them before the view runs."""

    staff: StaffProfile
    organization: Organization
    actor: Actor
    htmx: Any


View = Callable[..., HttpResponse]


def deny(request: HttpRequest, reason: str) -> PermissionDenied:
    audit_record(action=AuditAction.DENIED, request=request, detail={"reason": reason})
    return PermissionDenied(reason)


def staff_gate(
    request: HttpRequest, permission: str, *, bearer: bool = False
) -> HttpResponse | None:
    """None when the request may go on; otherwise the response to send instead."""
    if bearer:
        secret = bearer_secret(request)
        if secret is not None:
            return token_gate(request, secret, permission)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    staff = getattr(request, "staff", None)
    if staff is None:
        raise deny(request, "not staff")
    if not session_passed_mfa(request):
        if is_mfa_enabled(request.user):
            # Logged in some other way (say a password-only session from before MFA was
            # turned on): start again through the full login.
            return redirect_to_login(request.get_full_path())
        return redirect("mfa_activate_totp")
    if not role_may(staff.role, permission):
        raise deny(request, f"role lacks {permission}")
    return None


def token_gate(request: HttpRequest, secret: str, permission: str) -> HttpResponse | None:
    """The gate for a request carrying a staff API token: 401 for a token that opens
    nothing (audited, 429 past the limit), 403 for a role without the permission."""
    api_token = api_token_authenticate(secret=secret)
    if api_token is None:
        if secret and not api_token_refused(request, secret, via="bearer"):
            response = HttpResponse("Too many refused tokens.", status=429)
            response["Retry-After"] = str(refused_wait())
            return response
        response = HttpResponse("This token does not open Needlepoint.", status=401)
        response["WWW-Authenticate"] = 'Bearer realm="needlepoint"'
        return response
    if not staff_token_admit(request, api_token, permission, via="bearer"):
        raise PermissionDenied(f"role lacks {permission}")
    return None


def staff_required(permission: str, *, bearer: bool = False) -> Callable[[View], View]:
    """Guard a staff view with `staff_gate`; `bearer=True` also admits a staff API token."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = staff_gate(request, permission, bearer=bearer)
            if response is not None:
                return response
            return view(request, *args, **kwargs)

        wrapped.needlepoint_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator
