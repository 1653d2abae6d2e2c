"""The one shape of a refusal: a rule said no.

Domain services raise a `Refusal` (or a subclass named for its family); one API handler
(`api/api.py`) answers it as `{code, message, errors?}` with its `status`, and one page
helper (`refusal_form_error`, `refusal_page_status` below) puts it on a page. So a rule
refuses with the same code through every door.

- `code`: the machine code integrators and tests read (docs/api-contract.md);
- `message`: a plain sentence for the person at the screen;
- `field`: the input it is about, when there is one;
- `status`: the HTTP status the API answers with. A family sets its default (`status` on
  the class); the few codes that differ from their family's are in `STATUS_BY_CODE`.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol

STATUS_BY_CODE: dict[str, int] = {
    # Input that breaks a rule's limits, or an identity check with nothing to check: 422.
    "invalid": 422,
    "identity_unchecked": 422,
    # A witness whose credential does not match is not allowed to witness: 403.
    "witness_not_verified": 403,
    # A photo over the size limit: 413, as a web server would say.
    "file_too_large": 413,
    # A signed record, or a photo without the patient's marketing authorization: 409 in
    # every family, the photo family (whose default is 422) included.
    "record_locked": 409,
    "marketing_not_authorized": 409,
}


class Refusal(Exception):
    status: ClassVar[int] = 409
    """The default for a family; a conflict with the state of a record unless it says."""

    def __init__(
        self, code: str, message: str, *, field: str | None = None, status: int | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status or STATUS_BY_CODE.get(code, type(self).status)  # type: ignore[misc]

    def __str__(self) -> str:
        return self.message

    def errors(self) -> list[dict[str, str]] | None:
        """The per-field errors of an API answer, when the refusal is about one field."""
        if not self.field:
            return None
        return [{"field": self.field, "message": self.message, "type": self.code}]

    def details(self) -> dict[str, Any]:
        """Extra keys of the API answer (a family with more to say overrides it)."""
        return {}


def refusal_page_status(refusal: Refusal) -> int:
    """The status a page answers with when it shows a refusal: a form page says 400 for
    bad input where the API says 422; every other status is the API's."""
    return 400 if refusal.status == 422 else refusal.status


class _Form(Protocol):
    fields: dict[str, Any]

    def add_error(self, field: str | None, error: Any) -> None: ...


def refusal_form_error(form: _Form, refusal: Refusal) -> None:
    """Show a refusal on a form: beside its field when the form has that field, else at the
    top of the form."""
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, refusal.message)
