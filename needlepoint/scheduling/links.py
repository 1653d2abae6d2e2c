"""Signed links that let a patient manage their booking without an account
(see core/links.py)."""

from __future__ import annotations

from django.urls import reverse

from needlepoint.core.links import absolute as absolute_url
from needlepoint.core.links import link_public_id, link_token
from needlepoint.scheduling.models import Appointment

SALT = "needlepoint.manage-booking"


def manage_token(appointment: Appointment) -> str:
    return link_token(appointment.public_id, salt=SALT)


def appointment_from_token(token: str) -> Appointment | None:
    """The appointment a manage link points to, or None if the link is forged."""
    public_id = link_public_id(token, salt=SALT)
    if public_id is None:
        return None
    return (
        Appointment.objects.select_related("location", "service", "patient", "practitioner__user")
        .filter(public_id=public_id)
        .first()
    )


def manage_url(appointment: Appointment, *, absolute: bool = True) -> str:
    path = reverse("site:booking-manage", kwargs={"token": manage_token(appointment)})
    return absolute_url(path) if absolute else path
