"""Background jobs for staff accounts, run by the job worker (`manage.py db_worker`)."""

from __future__ import annotations

from django.core.mail import send_mail
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
