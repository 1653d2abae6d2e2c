"""Signed links that let a patient manage their booking without an account.

The token carries only the appointment's public id, signed with the site's secret and
time-limited; it never carries a name or a date of birth (SECURITY.md D6).
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from needlepoint.scheduling.models import Appointment

SALT = "needlepoint.manage-booking"
MAX_AGE_SECONDS = 400 * 24 * 60 * 60  # longer than any booking horizon


def manage_token(appointment: Appointment) -> str:
    return signing.dumps(str(appointment.public_id), salt=SALT, compress=True)


def appointment_from_token(token: str) -> Appointment | None:
    """The appointment a manage link points to, or None if the link is forged or too old."""
    try:
        public_id = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    return (
        Appointment.objects.select_related("location", "service", "patient", "practitioner__user")
        .filter(public_id=public_id)
        .first()
    )


def manage_url(appointment: Appointment, *, absolute: bool = True) -> str:
    path = reverse("site:booking-manage", kwargs={"token": manage_token(appointment)})
    return f"{settings.SITE_URL.rstrip('/')}{path}" if absolute else path
