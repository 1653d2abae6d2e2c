"""The API's own refusals: raised by views, answered by the handler in `api.py`."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An answer other than success, raised by views: status, machine code and message."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        errors: list[dict[str, str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.errors = errors
        self.extra = extra or {}


def invalid(field: str, message: str, *, code: str = "invalid", type_: str = "invalid"):
    """A 422 about one input field."""
    return ApiError(
        422, code, message, errors=[{"field": field, "message": message, "type": type_}]
    )
