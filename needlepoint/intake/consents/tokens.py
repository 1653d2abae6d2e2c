"""The patients' signed links: to read and sign a visit's consents, and to withdraw the
marketing-photo authorization. Tokens carry a public id only, never a name or a date of birth
(docs/security-targets.md D6)."""

from __future__ import annotations

from django.urls import reverse

from needlepoint.core.links import absolute as absolute_url
from needlepoint.core.links import link_public_id, link_token
from needlepoint.intake.models import ConsentKind, ConsentSignature
from needlepoint.scheduling.models import Appointment

CONSENT_SALT = "needlepoint.consent-sign"
# A patient may withdraw at any time: the link never expires (core/links.py).
WITHDRAW_SALT = "needlepoint.marketing-withdraw"


def _absolute(path: str, absolute: bool) -> str:
    return absolute_url(path) if absolute else path


def consent_token(appointment: Appointment) -> str:
    return link_token(appointment.public_id, salt=CONSENT_SALT)


def appointment_from_consent_token(token: str) -> Appointment | None:
    """The visit a signing link points to, or None if the link is forged."""
    public_id = link_public_id(token, salt=CONSENT_SALT)
    if public_id is None:
        return None
    return (
        Appointment.objects.select_related(
            "location", "service", "patient", "organization", "practitioner__user"
        )
        .filter(public_id=public_id)
        .first()
    )


def consent_sign_url(appointment: Appointment, *, absolute: bool = True) -> str:
    """The patient's link to read and sign the visit's consents (no account needed)."""
    path = reverse("site:consent-overview", kwargs={"token": consent_token(appointment)})
    return _absolute(path, absolute)


def marketing_withdraw_token(signature: ConsentSignature) -> str:
    return link_token(signature.public_id, salt=WITHDRAW_SALT)


def signature_from_withdraw_token(token: str) -> ConsentSignature | None:
    """The marketing authorization a withdrawal link points to, or None."""
    public_id = link_public_id(token, salt=WITHDRAW_SALT)
    if public_id is None:
        return None
    return (
        ConsentSignature.objects.select_related(
            "document", "patient", "organization", "appointment__location", "withdrawal"
        )
        .defer("signature_png", "document_text")
        .filter(public_id=public_id, document__kind=ConsentKind.MARKETING_PHOTOS)
        .first()
    )


def marketing_withdraw_url(signature: ConsentSignature, *, absolute: bool = True) -> str:
    """The patient's link to withdraw a marketing-photo authorization at any time."""
    path = reverse("site:marketing-withdraw", kwargs={"token": marketing_withdraw_token(signature)})
    return _absolute(path, absolute)
