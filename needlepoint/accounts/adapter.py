"""allauth adapters: staff accounts are created by the clinic, never by sign-up."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.http import HttpRequest
from django.shortcuts import resolve_url

from needlepoint.accounts.mfa import authenticator_self_removal_allowed


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        # Staff land on their dashboard; patients (the portal is still to come) on the
        # clinic's home page rather than on a staff page they may not open.
        if hasattr(request.user, "staff_profile"):
            return super().get_login_redirect_url(request)
        return resolve_url("site:home")


class MFAAdapter(DefaultMFAAdapter):
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Staff cannot remove their own authenticator app. If you lost your phone or "
            "changed to a new one, ask the clinic owner to reset it."
        ),
    }

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        return authenticator_self_removal_allowed(authenticator.user)

    def get_totp_label(self, user) -> str:  # type: ignore[no-untyped-def]
        return user.get_username()
