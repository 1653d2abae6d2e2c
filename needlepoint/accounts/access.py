"""The staff gate every back-office view goes through.

Order: logged in → is staff of an organization → passed TOTP in this session (enrolling
first if needed) → role holds the permission. Refusals are audited (SECURITY.md C2).
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

from needlepoint.accounts.mfa import session_passed_mfa
from needlepoint.accounts.roles import role_may
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction

View = Callable[..., HttpResponse]


def deny(request: HttpRequest, reason: str) -> PermissionDenied:
    audit_record(action=AuditAction.DENIED, request=request, detail={"reason": reason})
    return PermissionDenied(reason)


def staff_gate(request: HttpRequest, permission: str) -> HttpResponse | None:
    """None when the request may go on; otherwise the response to send instead."""
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


def staff_required(permission: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = staff_gate(request, permission)
            if response is not None:
                return response
            return view(request, *args, **kwargs)

        wrapped.needlepoint_permission = permission  # type: ignore[attr-defined]
        return wrapped

    return decorator
