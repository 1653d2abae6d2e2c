"""The configuration back office: Django's admin behind the same staff gate as every page.

Only the owner and the medical director reach it, after MFA; its login page hands over to
the normal staff login so there is no second, weaker way in.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from needlepoint.accounts.mfa import session_passed_mfa
from needlepoint.accounts.roles import role_may


class NeedlepointAdminSite(admin.AdminSite):
    site_header = "Needlepoint configuration"
    site_title = "Needlepoint configuration"
    index_title = "Clinic configuration"
    site_url = "/staff/"

    def has_permission(self, request: HttpRequest) -> bool:
        staff = getattr(request, "staff", None)
        return bool(
            request.user.is_active
            and staff is not None
            and session_passed_mfa(request)
            and role_may(staff.role, "admin.configure")
        )

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.user.is_authenticated:
            # Signed in but not allowed here: say so rather than loop through the login.
            return redirect("core:dashboard")
        next_url = request.GET.get("next", reverse("admin:index"))
        return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
