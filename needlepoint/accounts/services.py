"""Writes for staff accounts."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import Role
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
