"""The readiness gate at the chair: whether a clinical step may happen on a visit now.
Pure: the visit's facts in, the reasons it may not (each a machine code and a plain
sentence saying how to resolve it) out. `clinical.gate` gathers the facts and every
clinical write goes through it, whichever door it came in by (chart page, API, admin).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Blocker(StrEnum):
    NOT_VISIT_DAY = "not_visit_day"
    NOT_CHECKED_IN = "not_checked_in"
    SCREENING_NOT_CLEAR = "screening_not_clear"
    CONSENT_MISSING = "consent_missing"
    IDENTITY_NOT_CONFIRMED = "identity_not_confirmed"
    OUT_OF_SCOPE = "out_of_scope"


class Stage(StrEnum):
    """How far into the visit a step is, and so what it needs.

    - CHECK_IN: the desk checks the patient in: the visit's day, screening, consent and
      the booked practitioner's scope.
    - PRE_CARE: starting the chart and its pre-care checklist (the identity check, the
      baseline photos): checked in today, within the performer's scope.
    - TREATMENT: everything after (anaesthetic, pen and cartridges, areas, products, PRP,
      after-photos, sign): all of the above, re-checked now, and identity confirmed.
    """

    CHECK_IN = "check_in"
    PRE_CARE = "pre_care"
    TREATMENT = "treatment"


@dataclass(frozen=True)
class VisitFacts:
    """What the gate reads about one visit at one moment."""

    checked_in: bool
    visit_day: date
    today: date
    screening_problem: str | None
    consent_problem: str | None
    identity_confirmed: bool
    scope_problem: str | None


@dataclass(frozen=True)
class Blocked:
    code: Blocker
    message: str


def _day(value: date) -> str:
    return f"{value:%A}, {value:%B} {value.day}, {value.year}"


def blockers(facts: VisitFacts, stage: Stage) -> list[Blocked]:
    """Everything that stops a step of `stage` now, most basic first (the first is the
    refusal's code)."""
    found: list[Blocked] = []
    if facts.visit_day != facts.today:
        found.append(
            Blocked(
                Blocker.NOT_VISIT_DAY,
                f"This visit is on {_day(facts.visit_day)} and today is {_day(facts.today)}: "
                "check-in and clinical steps happen on the day of the visit.",
            )
        )
    if stage is not Stage.CHECK_IN and not facts.checked_in:
        found.append(
            Blocked(
                Blocker.NOT_CHECKED_IN,
                "The patient is not checked in: the front desk checks them in first, on the "
                "appointment page.",
            )
        )
    if stage is not Stage.PRE_CARE:
        if facts.screening_problem:
            found.append(
                Blocked(
                    Blocker.SCREENING_NOT_CLEAR,
                    f"{facts.screening_problem} Nothing clinical happens until the screening "
                    "is clear or approved for this visit.",
                )
            )
        if facts.consent_problem:
            found.append(Blocked(Blocker.CONSENT_MISSING, facts.consent_problem))
    if stage is Stage.TREATMENT and not facts.identity_confirmed:
        found.append(
            Blocked(
                Blocker.IDENTITY_NOT_CONFIRMED,
                "Confirm the patient's identity with two identifiers (name with date of birth "
                "or record number) in the pre-care checklist first.",
            )
        )
    if facts.scope_problem:
        found.append(Blocked(Blocker.OUT_OF_SCOPE, facts.scope_problem))
    return found
