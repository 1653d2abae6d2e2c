"""Background jobs for staff accounts, run by the job worker (`manage.py db_worker`)."""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import Role


@task()
def lockout_alert_send(*, username: str, ip_address: str) -> int:
    """Tell a clinic's owners that one of their staff accounts was locked out.

    Unknown usernames alert nobody (that would let strangers spam owners). Returns the
    number of owners told.
    """
    profile = (
        StaffProfile.objects.select_related("organization").filter(user__username=username).first()
    )
    if profile is None:
        return 0
    owners = list(
        StaffProfile.objects.filter(
            organization=profile.organization, role=Role.OWNER, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if owners:
        send_mail(
            subject="Needlepoint: a staff sign-in was locked",
            message=(
                f"The account '{username}' was locked for 15 minutes after repeated failed "
                f"sign-in attempts from address {ip_address}.\n\nIf this was not the staff "
                "member, review the audit log and consider resetting their password."
            ),
            from_email=None,
            recipient_list=owners,
        )
    return len(owners)


@task()
def staff_invitation_send(*, user_id: int) -> bool:
    """Mail a new staff member the link that lets them choose a password."""
    user = User.objects.filter(pk=user_id, is_active=True).select_related("staff_profile").first()
    if user is None or not user.email:
        return False
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    clinic = user.staff_profile.organization.name
    send_mail(
        subject=f"Your Needlepoint account at {clinic}",
        message=(
            f"Hello {user.first_name},\n\n{clinic} has created a Needlepoint staff account for "
            f"you with the username '{user.username}'.\n\nChoose your password here:\n"
            f"{settings.SITE_URL.rstrip('/')}{path}\n\nAfter that you will be asked to set up "
            "an authenticator app; staff sign-in always needs one."
        ),
        from_email=None,
        recipient_list=[user.email],
    )
    return True
