"""PRP chain of custody (docs/clinical-rules.md §5, ID1–ID8): which step may follow which, and
whether two identifiers name the same person. Pure: plain values in, a new state or a refusal out.

A sample is drawn, spun (once or twice), extracted, applied (to one area or several) and
finally discarded; a discarded sample accepts nothing, an expired one accepts nothing but
its discard, and application needs the patient's identifiers to match (from a scan, or a
second person's check).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from needlepoint.core.refusals import Refusal

EXPIRY = timedelta(hours=4)
"""Room-temperature stability of PRP (S21); a kit's instructions may be stricter."""


class State(StrEnum):
    DRAWN = "drawn"
    SPUN = "spun"
    EXTRACTED = "extracted"
    APPLIED = "applied"
    DISCARDED = "discarded"


class Step(StrEnum):
    SPIN = "spin"
    EXTRACT = "extract"
    APPLY = "apply"
    DISCARD = "discard"


_NEXT: dict[State, dict[Step, State]] = {
    State.DRAWN: {Step.SPIN: State.SPUN, Step.DISCARD: State.DISCARDED},
    State.SPUN: {
        Step.SPIN: State.SPUN,
        Step.EXTRACT: State.EXTRACTED,
        Step.DISCARD: State.DISCARDED,
    },
    State.EXTRACTED: {Step.APPLY: State.APPLIED, Step.DISCARD: State.DISCARDED},
    State.APPLIED: {Step.APPLY: State.APPLIED, Step.DISCARD: State.DISCARDED},
    State.DISCARDED: {},
}
IN_PROCESS = (State.DRAWN, State.SPUN, State.EXTRACTED)
"""A sample that is still blood or PRP on the bench (ID6: one patient's at a time)."""


class CustodyRefused(Refusal):
    """A step the chain of custody does not allow; `code` is the API's error code."""


@dataclass(frozen=True)
class Identity:
    """Two person-specific identifiers (ID1): full name and date of birth."""

    full_name: str
    date_of_birth: date

    def matches(self, other: Identity) -> bool:
        return self.date_of_birth == other.date_of_birth and _name(self.full_name) == _name(
            other.full_name
        )


def _name(value: str) -> str:
    """Case, accents, hyphens and spacing do not make a different person; letters do."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.replace("-", " ").replace("'", "").split())


SPIN_G_FORCE = (100, 2000)
"""Relative centrifugal force of one spin, in g: from the manual double spin's first spin
(100-300 g, S20) to the study's second (1500 g, S41); rpm is never stored."""
SPIN_MINUTES = (3, 20)
"""Minutes of one spin: 5-17 in S20, 5-15 in S41, with room for a kit's instructions."""
VOLUME_ML = (Decimal("0.1"), Decimal("60"))
"""Plasma extracted, in mL: more than the 15-30 mL of blood drawn (§5) is a typing error."""


def step_values_check(
    step: Step,
    *,
    g_force: int | None = None,
    minutes: int | None = None,
    volume_ml: Decimal | None = None,
    area: str = "",
) -> None:
    """Refuse (`invalid`, with the field) what a step records outside docs/clinical-rules.md §5: a
    spin without its g-force and minutes or outside their ranges, an extraction without a plausible
    volume, an application without the area it went on."""
    if step is Step.SPIN:
        low, high = SPIN_G_FORCE
        if g_force is None or not low <= g_force <= high:
            raise CustodyRefused(
                "invalid",
                f"Record the spin's g-force, from {low} to {high} g (not rpm).",
                field="g_force",
            )
        low, high = SPIN_MINUTES
        if minutes is None or not low <= minutes <= high:
            raise CustodyRefused(
                "invalid", f"Record the spin's minutes, from {low} to {high}.", field="minutes"
            )
    if step is Step.EXTRACT and volume_ml is not None:
        low_ml, high_ml = VOLUME_ML
        if not low_ml <= volume_ml <= high_ml:
            raise CustodyRefused(
                "invalid",
                f"Record the volume extracted in mL, from {low_ml} to {high_ml}.",
                field="volume_ml",
            )
    if step is Step.APPLY and not area.strip():
        raise CustodyRefused("invalid", "Say which area the PRP was applied to.", field="area")


def spin_ends(spins: list[tuple[datetime, int]]) -> datetime | None:
    """When the latest spin finishes: its start plus its minutes, or None without one."""
    if not spins:
        return None
    at, minutes = max(spins)
    return at + timedelta(minutes=minutes)


def expires_at(drawn_at: datetime) -> datetime:
    return drawn_at + EXPIRY


def next_state(
    state: State,
    step: Step,
    *,
    now: datetime,
    expires: datetime,
    identity_checked: bool | None = None,
) -> State:
    """The state after `step`, or `CustodyRefused`. `identity_checked` is for application:
    True when a scan or a second person matched the patient, False on a mismatch, None
    when nobody checked."""
    if state is State.DISCARDED:
        raise CustodyRefused("sample_discarded", "This sample was discarded; it accepts nothing.")
    if step is not Step.DISCARD and now >= expires:
        raise CustodyRefused(
            "sample_expired",
            "This sample is past its expiry (4 hours after the draw): discard it and draw again.",
        )
    allowed = _NEXT[state]
    if step not in allowed:
        raise CustodyRefused(
            "invalid_sequence",
            f"A {state.value} sample cannot be {_past(step)} now; "
            f"next: {', '.join(s.value for s in allowed) or 'nothing'}.",
        )
    if step is Step.APPLY:
        if identity_checked is False:
            raise CustodyRefused(
                "patient_mismatch",
                "The identifiers do not match this sample's patient. Stop: do not apply. "
                "The sample is to be discarded and an incident is recorded.",
            )
        if identity_checked is None:
            raise CustodyRefused(
                "identity_unchecked",
                "Before applying, scan the patient's identifiers or have a second person check.",
            )
    return allowed[step]


def _past(step: Step) -> str:
    return {"spin": "spun", "extract": "extracted", "apply": "applied", "discard": "discarded"}[
        step.value
    ]
