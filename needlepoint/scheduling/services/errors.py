"""What a booking write refuses with, and the two signals its retry loop reads.

`SlotUnavailable`, `BookingRuleError` and `IdempotencyConflict` are refusals the interfaces
answer (409, 422, 409); `LostRace` and `NotOffered` never leave the package: they tell a
booking or a move whether to try again.
"""

from __future__ import annotations

from collections.abc import Sequence

from needlepoint.core.refusals import Refusal
from needlepoint.scheduling.selectors import SlotOffer


class SlotUnavailable(Refusal):
    """The slot was taken meanwhile, or never existed. Carries the next free offers (the API
    adds them to its answer)."""

    def __init__(self, message: str, alternatives: Sequence[SlotOffer] = ()):
        super().__init__("slot_unavailable", message)
        self.alternatives = list(alternatives)


class BookingRuleError(Refusal):
    """A clinic rule refuses the booking (interval between sessions, consultation first,
    the health screening…): 422 with the rule's own code."""

    status = 422


class IdempotencyConflict(Refusal):
    """The idempotency key was used before for a different request."""

    def __init__(
        self, message: str = "This Idempotency-Key was already used with a different request body."
    ) -> None:
        super().__init__("idempotency_conflict", message)


class LostRace(Exception):
    """Another booking took a resource between computing the slot and locking it."""


class NotOffered(Exception):
    """The start is not free (or never was): no point in trying again."""
