"""The team pages: one's own API tokens, the clinic's team and the owner's
authenticator reset, and the guard in front of allauth's "deactivate authenticator app"."""

from __future__ import annotations

from typing import Any

from allauth.mfa.totp.views import deactivate_totp
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.accounts.mfa import authenticator_self_removal_allowed
from needlepoint.accounts.selectors import api_token_get, api_token_list, staff_get, staff_list
from needlepoint.accounts.services import (
    StaffRefused,
    api_token_create,
    api_token_revoke,
    staff_authenticator_reset,
)
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.core.refusals import refusal_form_error
from needlepoint.staff.forms.team import ApiTokenForm, AuthenticatorResetForm


@staff_required("api_tokens.manage")
def api_token_list_view(request: StaffRequest) -> HttpResponse:
    """List one's tokens; POST creates one and shows its secret on this response only (it
    is never stored, so it is not put in a redirect or a message either)."""
    staff = request.staff
    form = ApiTokenForm(request.POST or None)
    secret, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            _token, secret = api_token_create(
                staff=staff, name=form.cleaned_data["name"], by=request.actor
            )
            form = ApiTokenForm()
        else:
            status = 422
    context = {"tokens": api_token_list(staff=staff), "form": form, "secret": secret}
    return render(request, "accounts/api_tokens.html", context, status=status)


@staff_required("api_tokens.manage")
@require_POST
def api_token_revoke_view(request: StaffRequest, public_id: str) -> HttpResponse:
    token = api_token_get(staff=request.staff, public_id=public_id)
    api_token_revoke(token=token, by=request.actor)
    messages.success(request, f"“{token.name}” is revoked: it no longer opens the API.")
    return redirect("accounts:api-token-list")


# --- The team and the authenticator reset (docs/security-targets.md B6) ---------------------------


@staff_required("team.view")
def staff_list_view(request: StaffRequest) -> HttpResponse:
    """The clinic's staff, whether each has an authenticator app, and the reset action."""
    members = staff_list(organization=request.organization)
    return render(request, "accounts/staff_list.html", {"members": members})


@staff_required("team.reset_authenticator")
def staff_authenticator_reset_view(request: StaffRequest, public_id: str) -> HttpResponse:
    """Ask for a reason, then reset another staff member's authenticator (POST)."""
    actor = request.staff
    member = staff_get(organization=request.organization, public_id=public_id)
    form = AuthenticatorResetForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            staff_authenticator_reset(
                actor=actor, staff=member, reason=form.cleaned_data["reason"], by=request.actor
            )
        except StaffRefused as refusal:
            refusal_form_error(form, refusal)
            status = 422 if refusal.field else 403
        else:
            messages.success(
                request,
                f"{member.display_name}’s authenticator is reset and they are signed out. "
                "They enrol a new authenticator app at their next sign-in.",
            )
            return redirect("accounts:staff-list")
    context = {"member": member, "form": form, "is_self": member.pk == actor.pk}
    return render(request, "accounts/staff_authenticator_reset.html", context, status=status)


def totp_deactivate_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """allauth's "deactivate authenticator app", except for staff: they are told why not
    and whom to ask, and the attempt is audited. Patients keep allauth's page."""
    user = request.user
    if user.is_authenticated and not authenticator_self_removal_allowed(user):
        audit_record(
            action=AuditAction.DENIED,
            request=request,
            detail={"reason": "staff may not remove their own authenticator"},
        )
        return render(request, "accounts/authenticator_locked.html", status=403)
    return deactivate_totp(request, *args, **kwargs)
