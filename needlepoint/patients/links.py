"""The one-time "Was this you?" link (docs/security-targets.md A8): sent to the email on file of a
record that a new booking resembles, it lets the owner of that address join the booking to their
record. Signed, expiring, and single use: once the pair is merged (or the desk has decided it) the
link does nothing more."""

from __future__ import annotations

from datetime import timedelta

from needlepoint.core.links import expiring_public_id, expiring_token
from needlepoint.patients.models import DuplicateCandidate, DuplicateReason, DuplicateStatus

SALT = "needlepoint.this-was-me"
VALID_FOR = timedelta(days=7)


def claim_token(candidate: DuplicateCandidate) -> str:
    return expiring_token(candidate.public_id, salt=SALT)


def candidate_from_claim_token(token: str) -> DuplicateCandidate | None:
    """The open candidate a fresh, genuine link names, or None (forged, expired, used)."""
    public_id = expiring_public_id(token, salt=SALT, max_age=VALID_FOR)
    if public_id is None:
        return None
    return (
        DuplicateCandidate.objects.select_related("patient", "other", "organization")
        .filter(public_id=public_id, status=DuplicateStatus.OPEN, reason=DuplicateReason.EMAIL_DOB)
        .first()
    )
