"""Signed links to a visit's health questionnaire (see core/links.py)."""

from __future__ import annotations

from django.urls import reverse

from needlepoint.core.links import absolute as absolute_url
from needlepoint.core.links import link_public_id, link_token
from needlepoint.intake.selectors import screening_current, screens_needed
from needlepoint.scheduling.models import Appointment

SALT = "needlepoint.health-questionnaire"


def questionnaire_token(appointment: Appointment) -> str:
    return link_token(appointment.public_id, salt=SALT)


def appointment_from_questionnaire_token(token: str) -> Appointment | None:
    public_id = link_public_id(token, salt=SALT)
    if public_id is None:
        return None
    return (
        Appointment.objects.select_related("location", "service", "patient", "organization")
        .filter(public_id=public_id)
        .first()
    )


def questionnaire_url(appointment: Appointment, *, absolute: bool = True) -> str:
    path = reverse("site:questionnaire", kwargs={"token": questionnaire_token(appointment)})
    return absolute_url(path) if absolute else path


def questionnaire_link(
    appointment: Appointment, *, absolute: bool = True, only_unanswered: bool = False
) -> str | None:
    """The visit's questionnaire link when there is one to offer: treatments only (a
    consultation asks in person), and with `only_unanswered` only while the visit has
    no screening yet (what a reminder email needs)."""

    if not screens_needed(appointment):
        return None
    if only_unanswered and screening_current(appointment=appointment) is not None:
        return None
    return questionnaire_url(appointment, absolute=absolute)
