"""What a consent write refuses with."""

from __future__ import annotations


class ConsentError(Exception):
    """A signature or withdrawal that cannot be accepted; `field` names the form field."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ConsentNotConfigured(ConsentError):
    """The clinic has no published document for a consent a service requires."""
