"""Background jobs for intake: a copy of each signed consent for the patient."""

from __future__ import annotations

import logging

from django.core.mail import EmailMessage
from django_tasks import task

from needlepoint.intake.consents import consent_pdf, marketing_withdraw_url
from needlepoint.intake.models import ConsentKind, ConsentSignature

logger = logging.getLogger(__name__)


@task()
def consent_copy_send(*, signature_id: int) -> str:
    """Email the patient the PDF of what they signed; for the marketing-photo authorization, with
    the link to withdraw it at any time (docs/security-targets.md I2)."""
    signature = (
        ConsentSignature.objects.select_related("patient__organization", "document")
        .filter(pk=signature_id)
        .first()
    )
    if signature is None or not signature.patient.email:
        return "skipped"
    clinic = signature.patient.organization.name
    lines = [
        f"Hello {signature.patient.first_name},",
        "",
        f"Attached is a copy of the form you signed with {clinic}: "
        f"{signature.document.title} (version {signature.document.version}).",
    ]
    if signature.document.kind == ConsentKind.MARKETING_PHOTOS:
        lines += [
            "",
            "You can withdraw this authorization at any time, and we stop using your photos "
            "for marketing straight away:",
            marketing_withdraw_url(signature),
        ]
    lines += ["", clinic]
    message = EmailMessage(
        subject=f"Your signed form: {signature.document.title}",
        body="\n".join(lines),
        to=[signature.patient.email],
    )
    message.attach(
        f"{signature.document.kind}-v{signature.document.version}.pdf",
        consent_pdf(signature),
        "application/pdf",
    )
    message.send()
    logger.info("consent copy sent", extra={"signature": signature.pk})
    return "sent"
