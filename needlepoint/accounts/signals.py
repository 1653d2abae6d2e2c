"""Authentication events go to the audit log (docs/security-targets.md C2)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.signals import authentication_failed, authenticator_added
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.dispatch import receiver

from needlepoint.accounts.mfa import totp_enrolment_record
from needlepoint.accounts.tasks import lockout_alert_send
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction


def _organization_of(user: Any):
    profile = getattr(user, "staff_profile", None) if user is not None else None
    return profile.organization if profile is not None else None


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit_record(
        action=AuditAction.LOGIN, request=request, actor=user, organization=_organization_of(user)
    )


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit_record(
            action=AuditAction.LOGOUT,
            request=request,
            actor=user,
            organization=_organization_of(user),
        )


@receiver(user_login_failed)
def audit_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kw: Any):
    # The attempted username is recorded to spot attacks; the password never is.
    attempted = str(credentials.get("username") or credentials.get("login") or "")[:150]
    audit_record(
        action=AuditAction.LOGIN_FAILED,
        request=request,
        actor_label=attempted,
        detail={"attempted_login": attempted},
    )


@receiver(user_locked_out)
def audit_lockout(sender: Any, request: Any, username: str | None, ip_address: str, **kw: Any):
    audit_record(
        action=AuditAction.LOCKOUT,
        request=request,
        actor_label=(username or "")[:150],
        detail={"attempted_login": username or "", "ip_address": ip_address},
    )
    if username:
        transaction.on_commit(
            lambda: lockout_alert_send.enqueue(username=username, ip_address=ip_address)
        )


@receiver(authenticator_added)
def audit_mfa_enrolled(sender: Any, request: Any, user: Any, authenticator: Any, **kw: Any):
    audit_record(
        action=AuditAction.MFA_ENROLLED,
        request=request,
        actor=user,
        organization=_organization_of(user),
        detail={"type": authenticator.type},
    )


@receiver(authenticator_added)
def totp_enrolment_code_used(sender: Any, request: Any, authenticator: Any, **kw: Any) -> None:
    # The code typed to enrol counts as used: it cannot sign in afterwards (B2).
    totp_enrolment_record(authenticator=authenticator, request=request)


@receiver(authentication_failed)
def audit_mfa_failed(sender: Any, request: Any, user: Any, **kw: Any) -> None:
    audit_record(
        action=AuditAction.MFA_FAILED,
        request=request,
        actor=user,
        actor_label=user.get_username(),
        organization=_organization_of(user),
    )
