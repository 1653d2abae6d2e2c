"""The terms of a rule: the outcomes from least to most severe, a treated area, and the
conditions and cases a rule tests (the condition kinds are listed in `intake.rules`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from needlepoint.core.dates import add_months_rolling_over
from needlepoint.intake.answers import NEVER


class Outcome(StrEnum):
    """A rule's verdict, from least to most severe."""

    ALLOW = "allow"
    CAUTION = "caution"
    REVIEW = "review"
    BLOCK_UNTIL = "block_until"
    BLOCK = "block"

    @property
    def severity(self) -> int:
        return _SEVERITY[self]


_SEVERITY = {outcome: rank for rank, outcome in enumerate(Outcome)}


class RuleError(ValueError):
    """A rule definition that cannot be used (unknown key, kind, answer code or value)."""


@dataclass(frozen=True)
class Area:
    """A treated area as the rules see it (catalog `TreatmentArea` flags)."""

    code: str
    is_face: bool = False
    is_perioral: bool = False

    def matches(self, selector: str) -> bool:
        if selector == "face":
            return self.is_face
        if selector == "perioral":
            return self.is_perioral
        return selector == self.code


@dataclass(frozen=True)
class Condition:
    """One test of an answer or a context fact; the `intake.rules` docstring lists the kinds."""

    kind: str
    answer: str = ""
    context: str = ""
    values: tuple[Any, ...] = ()
    limit: float = 0
    days: int = 0
    months: int = 0
    years: int = 0
    than: str = ""

    def test(
        self, answers: Mapping[str, object], on: date, context: Mapping[str, object]
    ) -> tuple[bool | None, date | None]:
        """Whether it holds (None: unknown answer) and, for a date test, its end date."""
        if self.context:
            return self._test_context(context), None
        value: Any = answers.get(self.answer)
        if value is None:
            return None, None
        match self.kind:
            case "true" | "false":
                return value is (self.kind == "true"), None
            case "equals" | "in":
                return value in self.values, None
            case "below":
                return value < self.limit, None
            case "within":
                if value == NEVER:
                    return False, None
                end = add_months_rolling_over(value, self.months) + timedelta(days=self.days)
                return on < end, end
            case _:  # age_below
                birthday = add_months_rolling_over(value, 12 * self.years)
                return on < birthday, birthday

    def _test_context(self, context: Mapping[str, object]) -> bool:
        value = context.get(self.context)
        if value is None:
            return False
        match self.kind:
            case "context_true":
                return value is True
            case "context_in":
                given = value if isinstance(value, list | tuple) else [value]
                wanted = {_fold(v) for v in self.values}
                return any(_fold(v) in wanted for v in given)
            case _:  # context_above
                limit = context.get(self.than)
                if limit is None:
                    return False
                return _number(self.context, value) > _number(self.than, limit)


@dataclass(frozen=True)
class Case:
    """One branch of a rule: all of `when` holding gives `outcome`."""

    when: tuple[Condition, ...]
    outcome: Outcome
    instruction: str
    patient_message: str

    @property
    def answer(self) -> str:
        """The answer code that names this case: its first answer condition's."""
        return next(c.answer for c in self.when if c.answer)

    def test(
        self, answers: Mapping[str, object], on: date, context: Mapping[str, object]
    ) -> tuple[bool | None, date | None, tuple[str, ...]]:
        """Whether it holds (three-valued), its end date, and the answers it is missing."""
        ends: list[date] = []
        missing: list[str] = []
        for condition in self.when:
            holds, end = condition.test(answers, on, context)
            if holds is False:
                return False, None, ()
            if holds is None:
                missing.append(condition.answer)
            elif end is not None:
                ends.append(end)
        if missing:
            return None, None, tuple(missing)
        return True, min(ends, default=None), ()


def _fold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


def _number(key: str, value: object) -> float:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"context {key!r} must be a number, not {value!r}")
