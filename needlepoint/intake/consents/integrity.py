"""What makes a signature verifiable (docs/security-targets.md C4): the SHA-256 over what was
signed, by whom and when, its check, and the zone a signature's dates are read in."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC
from zoneinfo import ZoneInfo

from needlepoint.intake.models import ConsentSignature
from needlepoint.scheduling.models import Appointment


def consent_zone(signature_or_appointment: ConsentSignature | Appointment) -> ZoneInfo:
    """The visit's location's zone, else the organization's."""
    if isinstance(signature_or_appointment, Appointment):
        return signature_or_appointment.location.zone
    appointment = signature_or_appointment.appointment
    if appointment is not None:
        return appointment.location.zone
    return ZoneInfo(signature_or_appointment.organization.default_timezone)


def consent_hash(signature: ConsentSignature) -> str:
    """SHA-256 over a canonical JSON of what was signed, by whom and when."""
    document = signature.document
    fields = {
        "document": str(document.public_id),
        "kind": document.kind,
        "version": document.version,
        "title": document.title,
        "text": signature.document_text,
        "patient": str(signature.patient.public_id),
        "typed_name": signature.typed_name,
        "signature_png_sha256": hashlib.sha256(bytes(signature.signature_png)).hexdigest(),
        "signed_at": signature.signed_at.astimezone(UTC).isoformat(),
        "expires_on": signature.expires_on.isoformat(),
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def consent_verify(signature: ConsentSignature) -> bool:
    """True when the stored hash recomputes equal from the stored row
    (docs/security-targets.md C4)."""
    return hmac.compare_digest(consent_hash(signature), signature.content_sha256)
