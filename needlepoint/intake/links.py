"""Signed links to a visit's health questionnaire: no account needed, nothing personal in
the token (the appointment's public id only, SECURITY.md D6), time-limited."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from needlepoint.scheduling.models import Appointment

SALT = "needlepoint.health-questionnaire"
MAX_AGE_SECONDS = 400 * 24 * 60 * 60


def questionnaire_token(appointment: Appointment) -> str:
    return signing.dumps(str(appointment.public_id), salt=SALT, compress=True)


def appointment_from_questionnaire_token(token: str) -> Appointment | None:
    try:
        public_id = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    return (
        Appointment.objects.select_related("location", "service", "patient", "organization")
        .filter(public_id=public_id)
        .first()
    )


def questionnaire_url(appointment: Appointment, *, absolute: bool = True) -> str:
    path = reverse("intake:questionnaire", kwargs={"token": questionnaire_token(appointment)})
    return f"{settings.SITE_URL.rstrip('/')}{path}" if absolute else path
