"""Signing: the patient's signature on the latest version of a document, and the copy
emailed to them once it is committed (a background task).
"""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from needlepoint.core.actor import Actor
from needlepoint.core.audit import audit_record
from needlepoint.core.dates import add_months, local_day
from needlepoint.core.models import AuditAction
from needlepoint.intake.consents.documents import consent_documents_current, consent_text
from needlepoint.intake.consents.errors import ConsentError
from needlepoint.intake.consents.integrity import consent_hash, consent_zone
from needlepoint.intake.consents.pdf import consent_pdf
from needlepoint.intake.consents.tokens import marketing_withdraw_url
from needlepoint.intake.consents.validation import signature_png_clean, typed_name_clean
from needlepoint.intake.models import ConsentDocument, ConsentKind, ConsentSignature
from needlepoint.patients.models import Patient
from needlepoint.scheduling.models import Appointment

# The copy task logs under the name it had in intake/tasks.py.
logger = logging.getLogger("needlepoint.intake.tasks")


def consent_sign(
    *,
    patient: Patient,
    document: ConsentDocument,
    typed_name: str,
    signature_png: bytes,
    appointment: Appointment | None = None,
    by: Actor | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> ConsentSignature:
    """Record the patient's signature on the latest version of a document and (unless
    `notify=False`: demo data, imports) email them a copy once it is committed."""
    if document.organization_id != patient.organization_id:
        raise ConsentError("This form belongs to another clinic.")
    if appointment is not None and appointment.patient_id != patient.pk:
        raise ConsentError("This visit is booked for someone else.")
    current = consent_documents_current(
        organization_id=patient.organization_id, kinds=[document.kind]
    ).get(document.kind)
    if document.published_at is None or current is None or current.pk != document.pk:
        raise ConsentError("This version of the form is not the current one: please reload it.")
    name = typed_name_clean(patient=patient, typed_name=typed_name)
    png = signature_png_clean(signature_png)
    signed_at = now or timezone.now()
    zone = (
        consent_zone(appointment)
        if appointment is not None
        else ZoneInfo(patient.organization.default_timezone)
    )
    signature = ConsentSignature(
        organization_id=patient.organization_id,
        patient=patient,
        document=document,
        appointment=appointment,
        document_text=consent_text(document=document, appointment=appointment),
        typed_name=name,
        signature_png=png,
        signed_at=signed_at,
        signed_ip=by.address if by is not None else None,
        user_agent=(by.user_agent if by is not None else "")[:300],
        expires_on=add_months(local_day(signed_at, zone), document.valid_months),
    )
    signature.content_sha256 = consent_hash(signature)
    with transaction.atomic():
        signature.save(force_insert=True)
        audit_record(
            action=AuditAction.CREATE,
            by=by,
            actor_label="patient (consent link)",
            organization=patient.organization,
            obj=signature,
            patient=patient,
            detail={"kind": document.kind, "version": document.version},
        )
        if notify:
            transaction.on_commit(
                lambda: consent_copy_send.enqueue(signature_id=signature.pk), robust=True
            )
    return signature


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
