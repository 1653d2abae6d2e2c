"""Booking writes: book, reschedule, cancel, check in, mark no-show.

The write path never trusts an earlier read. Inside one transaction it recomputes the
slot, locks the resources it would take (PostgreSQL: transaction-level advisory locks on
the sorted resource keys, the pattern pretix documents; SQLite: the IMMEDIATE transaction
already holds the database's write lock), re-checks that no active hold overlaps, and only
then inserts. PostgreSQL's exclusion constraint on holds is the last line of defence. A lost
race, a lock timeout or a constraint violation becomes `SlotUnavailable`, which interfaces
answer with 409 and the next free slots — never a 500. See docs/booking-concurrency.md.

One module per concern:

- `errors`: the refusals (`SlotUnavailable`, `BookingRuleError`, `IdempotencyConflict`) and
  the retry loop's `LostRace` and `NotOffered`
- `locks`: advisory locks on resources and patients, and the claim of an appointment's holds
- `rules`: the clinic rules that depend on the patient's other appointments and answers
- `offers`: the slot a write takes, and the next free slots a refusal offers
- `booking`: booking, and the replay of a retried request by its idempotency key
- `changes`: moving, cancelling, marking a no-show
"""

from needlepoint.scheduling.services.booking import appointment_book, booking_replayed
from needlepoint.scheduling.services.changes import (
    appointment_cancel,
    appointment_mark_no_show,
    appointment_reschedule,
)
from needlepoint.scheduling.services.errors import (
    BookingRuleError,
    IdempotencyConflict,
    LostRace,
    SlotUnavailable,
)
from needlepoint.scheduling.services.locks import holds_claim
from needlepoint.scheduling.services.offers import next_offers
from needlepoint.scheduling.services.rules import booking_rules_check

__all__ = [
    "BookingRuleError",
    "IdempotencyConflict",
    "LostRace",
    "SlotUnavailable",
    "appointment_book",
    "appointment_cancel",
    "appointment_mark_no_show",
    "appointment_reschedule",
    "booking_replayed",
    "booking_rules_check",
    "holds_claim",
    "next_offers",
]
