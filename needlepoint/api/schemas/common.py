"""What every audience's answers share: the error shapes, and a practitioner and a free slot
as the API shows them."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Schema
from pydantic import Field

from needlepoint.accounts.models import StaffProfile
from needlepoint.scheduling.selectors import SlotOffer

# --- Errors ---------------------------------------------------------------------------


class FieldError(Schema):
    field: str = Field(description="Where the problem is, e.g. `patient.email` or `start`.")
    message: str
    type: str = Field(description="A machine code for the problem, e.g. `missing`.")


class Error(Schema):
    code: str = Field(
        description="Machine code: invalid, range_too_long, not_found, unauthorized, "
        "forbidden, slot_unavailable, idempotency_conflict, rate_limited, a booking rule "
        "(series_interval, consultation_required, not_active) …",
        examples=["invalid"],
    )
    message: str = Field(description="A sentence a person can read.")
    errors: list[FieldError] | None = Field(
        default=None, description="Field errors, for `invalid`."
    )


# --- Shared output pieces -------------------------------------------------------------


class PractitionerOut(Schema):
    id: uuid.UUID = Field(description="The practitioner's public id.")
    name: str


class SlotOut(Schema):
    start: datetime = Field(description="With the location's UTC offset.")
    end: datetime
    practitioner: PractitionerOut | None = Field(
        description="Null for services that need no practitioner."
    )


class SlotUnavailableError(Error):
    alternatives: list[SlotOut] = Field(
        default_factory=list, description="The next free starts after the one asked for."
    )


def practitioner_out(staff: StaffProfile | None) -> PractitionerOut | None:
    if staff is None:
        return None
    return PractitionerOut(id=staff.public_id, name=staff.display_name)


def slot_out(offer: SlotOffer) -> SlotOut:
    return SlotOut(
        start=offer.start, end=offer.end, practitioner=practitioner_out(offer.practitioner)
    )
