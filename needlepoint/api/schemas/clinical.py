"""The clinical operations' shapes: PRP samples and their steps, readiness, check-in, the
identity check, cartridges and photos."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from ninja import Schema
from pydantic import Field


class PatientIdentifiers(Schema):
    full_name: str = Field(min_length=1, max_length=200, examples=["Rosa Tafoya"])
    date_of_birth: date = Field(examples=["1987-06-02"])


class PrpSampleIn(Schema):
    appointment: uuid.UUID
    patient: PatientIdentifiers


class PrpSampleOut(Schema):
    id: uuid.UUID
    code: str = Field(description="The short code printed as the label's barcode.")
    label_url: str
    drawn_at: datetime
    expires_at: datetime
    warnings: list[str] = Field(default_factory=list)


class WitnessCredential(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=200)


class PrpEventIn(Schema):
    type: str = Field(pattern="^(spin|extract|apply|discard)$")
    scanned_patient: PatientIdentifiers | None = None
    witness_credential: WitnessCredential | None = Field(
        default=None,
        description=(
            "The two-person check (ID5): the second clinician's own username and password, "
            "typed by them. Instead of `scanned_patient` at `apply`."
        ),
    )
    g_force: int | None = Field(default=None, ge=0, le=100_000, description="100 to 2000 g.")
    minutes: int | None = Field(default=None, ge=0, le=1_000, description="3 to 20 minutes.")
    volume_ml: float | None = Field(default=None, ge=0, le=10_000)
    area: str | None = Field(default=None, max_length=40)


class PrpEventOut(Schema):
    sample: uuid.UUID
    type: str
    state: str
    at: datetime


class TreatmentRecordOut(Schema):
    id: uuid.UUID


class BlockerOut(Schema):
    code: str
    message: str


class ReadinessOut(Schema):
    ready: bool
    checked_in: bool
    blockers: list[BlockerOut]


class CheckInIn(Schema):
    nothing_changed: bool = Field(
        description="The patient says nothing has changed since their health answers."
    )


class CheckInOut(Schema):
    status: str


class IdentityCheckIn(Schema):
    full_name: str = Field(min_length=1, max_length=200)
    date_of_birth: date | None = None
    record_number: str = Field(default="", max_length=20)


class CartridgeIn(Schema):
    lot: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$")
    serial: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9 ._/-]*$")
    expires_on: date | None = Field(
        default=None, description="The lot's expiry, recorded when the lot is first seen."
    )


class CartridgeOut(Schema):
    id: uuid.UUID
    lot: str
    serial: str
    expires_on: date | None


# --- Photos ---------------------------------------------------------------------------

PhotoViewName = Literal[
    "frontal", "left_oblique", "right_oblique", "left_lateral", "right_lateral", "close_up"
]
PhotoStageName = Literal["before", "after", "follow_up"]


class PhotoOut(Schema):
    id: uuid.UUID
    url: str = Field(
        description="Where staff signed in to Needlepoint see the stored image: re-encoded, "
        "upright, without EXIF/GPS/XMP; no public URL exists."
    )
