"""Request context for staff, and session lifetimes (docs/security-targets.md A5, A6)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from needlepoint.accounts.models import StaffProfile
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction

LOGIN_AT = "np_login_at"
LAST_SEEN = "np_last_seen"


class StaffContextMiddleware:
    """Sets `request.staff` (the StaffProfile or None) and `request.organization`.

    A deactivated user or a removed staff profile takes effect on the very next request,
    because both are read fresh every time.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:

        request.staff = None  # type: ignore[attr-defined]
        request.organization = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            profile = (
                StaffProfile.objects.select_related("organization")
                .filter(user=request.user)
                .first()
            )
            request.staff = profile  # type: ignore[attr-defined]
            if profile is not None:
                request.organization = profile.organization  # type: ignore[attr-defined]
        return self.get_response(request)


class SessionTimeoutMiddleware:
    """Ends staff sessions after 15 minutes idle or 12 hours in all; patients' after 30
    minutes idle. Uses wall-clock seconds kept in the session. Runs after
    StaffContextMiddleware (it reads `request.staff` and files the audit row under the
    clinic) and after MessageMiddleware (it leaves a note for the login page)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            expired = self._expired(request)
            if expired:
                audit_record(
                    action=AuditAction.SESSION_EXPIRED, request=request, detail={"why": expired}
                )
                logout(request)
                messages.info(request, "You were signed out to protect patient information.")
                if request.headers.get("HX-Request"):
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = reverse("account_login")
                    return response
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> str:
        now = time.time()
        session = request.session
        login_at = session.setdefault(LOGIN_AT, now)
        last_seen = session.get(LAST_SEEN, now)
        is_staff = getattr(request, "staff", None) is not None
        idle_limit = (
            settings.NEEDLEPOINT_STAFF_IDLE_SECONDS
            if is_staff
            else settings.NEEDLEPOINT_PATIENT_IDLE_SECONDS
        )
        if now - last_seen > idle_limit:
            return "idle"
        if is_staff and now - login_at > settings.NEEDLEPOINT_STAFF_ABSOLUTE_SECONDS:
            return "absolute"
        session[LAST_SEEN] = now
        return ""
