"""The one shape of a refusal: a rule said no. Raised by domain services, rendered by one
API handler (a 4xx with `{code, message}`) and one page helper (the message on the page).

`code` is the machine code integrators and tests read (API.md); `message` is a plain
sentence for the person at the screen; `field` names the input it is about, when one is.
"""

from __future__ import annotations


class Refusal(Exception):
    def __init__(self, code: str, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
