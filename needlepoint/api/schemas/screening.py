"""The health screening's shapes: the answers and plan a staff client sends, and the findings
of the rules (docs/clinical-rules.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from needlepoint.api.schemas.inputs import SLUG_PATTERN


class ScreeningContext(Schema):
    """Facts of the clinic's plan that some skin-type rules read (docs/clinical-rules.md §4)."""

    device_model: str | None = Field(default=None, max_length=100, examples=["SkinPen Precision"])
    indication: list[Annotated[str, Field(max_length=60)]] | None = Field(
        default=None, max_length=10, description="Indication codes, e.g. wrinkles, acne_scars."
    )
    planned_depth_mm: float | None = Field(default=None, ge=0, le=5)
    area_max_depth_mm: float | None = Field(default=None, ge=0, le=5)
    first_full_session: bool | None = None


class ScreeningIn(Schema):
    service: str = Field(pattern=SLUG_PATTERN, max_length=60, examples=["prp-microneedling-face"])
    on: date = Field(description="The planned treatment date; waits are measured to it.")
    areas: list[Annotated[str, Field(max_length=40)]] | None = Field(
        default=None,
        max_length=20,
        description="Treatment area codes; leave out for the service's own areas.",
    )
    answers: dict[str, Any] = Field(
        description=(
            "Intake answers by docs/clinical-rules.md §12 code; null or absent means unknown."
        ),
        examples=[{"isotretinoin_current": False, "isotretinoin_last_dose": "2027-01-15"}],
    )
    context: ScreeningContext | None = Field(
        default=None,
        description="The plan, for FST2-FST4: device, indication, depths, first session. "
        "Rules that need a fact left out are skipped, not reviewed.",
    )


class FindingOut(Schema):
    rule: str = Field(examples=["MN10"])
    outcome: str = Field(examples=["review"])
    until: date | None = Field(description="First date the finding no longer applies, if known.")
    message: str


class ScreeningOut(Schema):
    outcome: str = Field(description="allow, caution, review, block_until or block.")
    findings: list[FindingOut]
