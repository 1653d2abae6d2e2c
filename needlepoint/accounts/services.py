"""Writes for staff accounts."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from needlepoint.accounts.models import ApiToken, StaffProfile
from needlepoint.accounts.roles import Role, role_may
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction, Organization


@transaction.atomic
def staff_invite(
    *,
    organization: Organization,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    role: Role | str,
    title: str = "",
    request: HttpRequest | None = None,
) -> StaffProfile:
    """Create a staff member with no usable password and mail them a link to choose one.

    Their first sign-in then makes them enrol an authenticator app before any staff page.
    """
    username = username.strip()
    email = email.strip().lower()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "That username is taken."})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": "Someone already signs in with that email."})
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    profile = StaffProfile(user=user, organization=organization, role=role, title=title)
    profile.full_clean(exclude=["user", "organization"])
    profile.save()
    audit_record(
        action=AuditAction.CREATE,
        request=request,
        organization=organization,
        obj=profile,
        detail={"role": str(role)},
    )
    from needlepoint.accounts.tasks import staff_invitation_send

    transaction.on_commit(lambda: staff_invitation_send.enqueue(user_id=user.pk))
    return profile


# --- API tokens -----------------------------------------------------------------------

API_TOKEN_PREFIX = "np_"  # noqa: S105 - a prefix that marks the secrets, not one
# last_used_at is refreshed at most this often, so a busy client does not write every call.
API_TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def api_token_hash(secret: str) -> str:
    """What is stored for a secret. The secret has 256 random bits, so a plain SHA-256 is
    enough: there is nothing to guess, unlike a password."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def api_token_create(
    *, staff: StaffProfile, name: str, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """A new token for `staff`, and its secret, which is never stored and cannot be shown
    again."""
    secret = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        staff=staff,
        name=name.strip()[:100] or "API token",
        key_hash=api_token_hash(secret),
        prefix=secret[:8],
    )
    audit_record(
        action=AuditAction.CREATE,
        request=request,
        actor=None if request is not None else staff.user,
        actor_label="" if request is not None else "manage.py api_token",
        organization=staff.organization,
        obj=token,
        detail={"for_staff": str(staff.public_id), "prefix": token.prefix},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(
    *, token: ApiToken, request: HttpRequest | None = None, now: datetime | None = None
) -> ApiToken:
    """Revoke a token: the next request made with it is refused. Revoking twice is a no-op."""
    locked = ApiToken.objects.select_for_update().select_related("staff").get(pk=token.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = now or timezone.now()
    locked.save(update_fields=["revoked_at", "updated_at"])
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        organization=locked.staff.organization,
        obj=locked,
        detail={"revoked": True, "prefix": locked.prefix},
    )
    return locked


def api_token_mark_used(*, token: ApiToken, now: datetime | None = None) -> None:
    """Note when a token was last used (at most once a minute; a plain UPDATE, not audited:
    the request it serves is)."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < API_TOKEN_TOUCH_INTERVAL:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


# --- Authenticator reset (SECURITY.md B6) ------------------------------------------------

RESET_REASON_MAX = 500


class StaffRefused(Exception):
    """A staff-account change the rules do not allow; `code` names the rule, `field` the
    form field it concerns (if any)."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def user_sessions_end(*, user: User, now: datetime | None = None) -> int:
    """Delete every live session of `user` (signed out everywhere); how many there were."""
    now = now or timezone.now()
    ended = []
    for session in Session.objects.filter(expire_date__gt=now).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            ended.append(session.session_key)
    Session.objects.filter(session_key__in=ended).delete()
    return len(ended)


@transaction.atomic
def staff_authenticator_reset(
    *,
    actor: StaffProfile,
    staff: StaffProfile,
    reason: str,
    request: HttpRequest | None = None,
) -> StaffProfile:
    """The clinic owner removes another staff member's authenticator app and recovery
    codes, for example after a lost phone. That member is signed out everywhere and must
    enrol a new app at the next sign-in (the staff gate sends them there). Audited with
    the reason. Nobody resets their own: staff cannot remove their own second factor."""
    reason = (reason or "").strip()
    if not role_may(actor.role, "team.reset_authenticator"):
        raise StaffRefused("not_owner", "Only the clinic owner resets an authenticator.")
    if staff.organization_id != actor.organization_id:
        raise StaffRefused("other_organization", "That person is not on your clinic's staff.")
    if staff.pk == actor.pk or staff.user_id == actor.user_id:
        raise StaffRefused(
            "own_authenticator",
            "You cannot reset your own authenticator. Another owner of the clinic can.",
        )
    if not reason:
        raise StaffRefused("reason_required", "Say why the authenticator is reset.", "reason")
    if len(reason) > RESET_REASON_MAX:
        raise StaffRefused(
            "reason_too_long", f"Keep the reason under {RESET_REASON_MAX} characters.", "reason"
        )
    locked = StaffProfile.objects.select_for_update().select_related("user").get(pk=staff.pk)
    removed = Authenticator.objects.filter(
        user_id=locked.user_id,
        type__in=[Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES],
    )
    removed_types = sorted(set(removed.values_list("type", flat=True)))
    removed.delete()
    sessions_ended = user_sessions_end(user=locked.user)
    audit_record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor.user,
        organization=actor.organization,
        obj=locked,
        detail={
            "authenticator_reset": True,
            "removed": removed_types,
            "sessions_ended": sessions_ended,
            "reason": reason,
        },
    )
    return locked
