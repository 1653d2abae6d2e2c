"""What a consent write refuses with."""

from __future__ import annotations

from needlepoint.core.refusals import Refusal


class ConsentError(Refusal):
    """A signature or withdrawal that cannot be accepted (422 `consent_refused`); `field`
    names the form field."""

    status = 422
    code_default = "consent_refused"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(self.code_default, message, field=field)


class ConsentNotConfigured(ConsentError):
    """The clinic has no published document for a consent a service requires (409: the
    clinic's set-up, not the patient's input, is missing)."""

    status = 409
    code_default = "consent_not_configured"
