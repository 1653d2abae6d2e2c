"""E-consent: a clinic's versioned documents, signing, verifying, withdrawing the marketing
authorization, what a visit still needs, the signed PDF, and the patients' signed links.

A signature keeps the text the patient read (names filled in). Its SHA-256 covers that text, the
document's kind, version and title, the signer, the typed name, the drawn image, the signing time
and the expiry, so `consent_verify` shows the row is unchanged (docs/security-targets.md C4);
database triggers refuse any UPDATE or DELETE of it. Writes: check, validate, save, audit, in one
transaction (docs/style.md).

- `documents`: the versioned documents, seeding them, the text as the patient reads it
- `validation`: the typed name and the drawn signature
- `integrity`: the hash over what was signed, its check, and the signature's zone
- `signing`: the signature, and the emailed copy (a background task)
- `withdrawal`: the marketing-photo authorization, withdrawn or in force
- `status`: each signature's status, what a visit still needs, the overviews
- `pdf`: the signed document as a PDF
- `tokens`: the patients' signed links
- `errors`: what a consent write refuses with
"""

from needlepoint.intake.consents.documents import (
    DOCUMENTS_FILE,
    ConsentBlock,
    consent_blocks,
    consent_documents_current,
    consent_text,
    consents_required,
    default_consent_documents,
    intake_seed_consents,
    text_digest,
)
from needlepoint.intake.consents.errors import ConsentError, ConsentNotConfigured
from needlepoint.intake.consents.integrity import consent_hash, consent_verify, consent_zone
from needlepoint.intake.consents.pdf import PDF_FONT_DIR, consent_pdf
from needlepoint.intake.consents.signing import consent_copy_send, consent_sign
from needlepoint.intake.consents.status import (
    SIGNABLE_STATUSES,
    ConsentItem,
    ConsentStatus,
    SignatureRow,
    consent_missing,
    consent_overview,
    consent_signature_status,
    consent_signatures_for_patient,
    consent_upcoming_visits,
    signature_withdrawal,
)
from needlepoint.intake.consents.tokens import (
    CONSENT_SALT,
    WITHDRAW_SALT,
    appointment_from_consent_token,
    consent_sign_url,
    consent_token,
    marketing_withdraw_token,
    marketing_withdraw_url,
    signature_from_withdraw_token,
)
from needlepoint.intake.consents.validation import (
    BLANK_SIGNATURE,
    MAX_SIGNATURE_BYTES,
    MAX_SIGNATURE_PIXELS,
    MIN_INK_PIXELS,
    NOT_A_SIGNATURE,
    PNG_MAGIC,
    signature_png_clean,
    typed_name_clean,
)
from needlepoint.intake.consents.withdrawal import consent_withdraw, marketing_photos_authorized
from needlepoint.intake.models import ConsentKind

__all__ = [
    "BLANK_SIGNATURE",
    "CONSENT_SALT",
    "DOCUMENTS_FILE",
    "MAX_SIGNATURE_BYTES",
    "MAX_SIGNATURE_PIXELS",
    "MIN_INK_PIXELS",
    "NOT_A_SIGNATURE",
    "PDF_FONT_DIR",
    "PNG_MAGIC",
    "SIGNABLE_STATUSES",
    "WITHDRAW_SALT",
    "ConsentBlock",
    "ConsentError",
    "ConsentItem",
    "ConsentKind",
    "ConsentNotConfigured",
    "ConsentStatus",
    "SignatureRow",
    "appointment_from_consent_token",
    "consent_blocks",
    "consent_copy_send",
    "consent_documents_current",
    "consent_hash",
    "consent_missing",
    "consent_overview",
    "consent_pdf",
    "consent_sign",
    "consent_sign_url",
    "consent_signature_status",
    "consent_signatures_for_patient",
    "consent_text",
    "consent_token",
    "consent_upcoming_visits",
    "consent_verify",
    "consent_withdraw",
    "consent_zone",
    "consents_required",
    "default_consent_documents",
    "intake_seed_consents",
    "marketing_photos_authorized",
    "marketing_withdraw_token",
    "marketing_withdraw_url",
    "signature_from_withdraw_token",
    "signature_png_clean",
    "signature_withdrawal",
    "text_digest",
    "typed_name_clean",
]
