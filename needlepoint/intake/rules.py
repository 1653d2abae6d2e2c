"""The contraindication and skin-type rule engine (DOMAIN.md §3, §4 and §12).

Pure computation: rules, answers, the planned treatment date and the treated areas in; a
`Screening` out. No ORM, no Django, no clock. The rules themselves are data
(``data/screening_rules.json``, seeded into editable rows by the ORM layer), so a medical
director can change an outcome, a wait or a wording without a code change.

**Rule.** ``code`` (MN01…, PRP01…, FST1…), ``title``, ``applies`` (``"MN"``: every
micro-needling service, including the "MN+PRP" rows of §3; ``"PRP"``: only services that use
PRP), ``area_scoped`` (the question is about the treated areas), optional ``areas`` (only for
area-scoped rules: selectors ``"face"``, ``"perioral"`` or an area code such as ``"neck"``;
the rule applies when a treated area matches one of them), ``cases``, ``unknown`` (the outcome
of an unanswered question, default ``"review"``; never ``"allow"``), ``source_ids`` (DOMAIN §0)
and an optional ``note`` (the evidence behind the numbers).

**Case.** ``when`` (conditions that must all hold), ``outcome``, ``instruction`` (staff-facing)
and ``patient_message`` (kind and non-revealing). A rule with several cases yields one finding:
its most severe case that holds (the first listed on a tie).

**Conditions** read a patient answer (``"answer": code``) or a fact of the clinic's plan
(``"context": key``):

=================  =====================================================================
``true``           bool answer is true
``false``          bool answer is false
``equals``         choice/phototype answer equals ``value``
``in``             choice/phototype answer is one of ``values``
``below``          number answer is strictly below ``limit``
``within``         date answer is less than ``days`` and/or ``months`` before ``on``;
                   ``"never"`` does not hold
``age_below``      ``date_of_birth`` gives an age under ``years`` on ``on``
``context_true``   ``context[key]`` is true
``context_in``     ``context[key]`` (a string or a list of them) is one of ``values``,
                   case-insensitively
``context_above``  ``context[key]`` is greater than ``context[than]``
=================  =====================================================================

**Unknowns.** An absent or ``None`` answer makes its condition unknown (three-valued AND: a
false condition still makes the case false). When a case that cannot be decided could be more
severe than every case that holds, the rule yields its ``unknown`` outcome (REVIEW by default,
never ALLOW) and names the missing answers. Context is the clinic's plan, not a patient
answer: a missing context key makes its condition *false*, so FST2 (device and indication),
FST3 (planned depth, checked at charting) and FST4 (first full session) are skipped until the
plan is known, instead of turning every intake into REVIEW.

**Dates.** Waits are measured from the answer's date to ``on``, the planned treatment date:
``within`` holds while ``on < date + period`` and the finding's ``until`` is ``date + period``,
the first day it no longer applies (likewise the birthday for ``age_below``), whatever the
finding's outcome; a BLOCK_UNTIL finding also tells the patient that date. A case without a
date condition has ``until`` None ("until resolved"). Months are calendar months; a day the
target month lacks rolls to the 1st of the next month, so a wait is never shortened.

**Areas.** With no areas given (not known yet), area-filtered rules apply: an unknown area
cannot rule out the face. Answers are per screening, not per area, so "BLOCK area" rows block
the screening; staff rebook without the area and screen again.

**Judgement calls** (ambiguous rows of §3–§4): MN05 is REVIEW (lesion area blocked; needle
around it only after LIP review); MN11 is BLOCK for either allergy; MN13 (CAUTION + REVIEW)
emits REVIEW with the prophylaxis instruction; MN14 active is BLOCK_UNTIL quiescent (its
"history only → CAUTION" branch has no §12 answer code); MN16 ongoing is BLOCK, past within
3 months or with an unknown date is REVIEW; MN17 controlled is CAUTION, uncontrolled REVIEW;
MN22 is BLOCK; MN23 is REVIEW under 22 and REVIEW with a guardian-consent note under 18;
PRP12 is BLOCK when false; PRP03/PRP07 (lab values) turn unknown into REVIEW like all others.
FST4 ("optional") ships active; a clinic turns it off by deactivating the rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from needlepoint.core.dates import add_months_rolling_over
from needlepoint.intake.answers import (
    CATALOGUE,
    NEVER,
    AnswerError,
    AnswerType,
    parse_answer,
    parse_answers,
)

DEFAULT_RULES_PATH = Path(__file__).parent / "data" / "screening_rules.json"

UNANSWERED_PATIENT_MESSAGE = (
    "We need to check a few of your answers with a clinician before this treatment. "
    "We may call you with a question or two."
)


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
    """One test of an answer or a context fact; see the module docstring for the kinds."""

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


@dataclass(frozen=True)
class Finding:
    rule: str
    outcome: Outcome
    until: date | None
    """First date on which the finding no longer applies; None: until resolved."""
    message: str
    """Staff-facing: the rule's title and instruction, or the missing answers."""
    patient_message: str
    answer: str
    """The answer code that triggered it, or the first missing one."""


@dataclass(frozen=True)
class Screening:
    outcome: Outcome
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class Rule:
    code: str
    title: str
    applies: str
    area_scoped: bool
    cases: tuple[Case, ...]
    source_ids: str
    areas: tuple[str, ...] = ()
    unknown: Outcome = Outcome.REVIEW
    note: str = ""

    @property
    def answers_read(self) -> frozenset[str]:
        """Every answer code the rule's cases test."""
        return frozenset(c.answer for case in self.cases for c in case.when if c.answer)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Rule:
        """Parse and validate one rule of ``screening_rules.json``; raises `RuleError`."""
        code = data.get("code", "?")
        try:
            return cls._from_dict(data)
        except KeyError as exc:
            raise RuleError(f"Rule {code}: missing {exc.args[0]!r}.") from None
        except AnswerError as exc:
            raise RuleError(f"Rule {code}: {exc.message}") from None
        except (TypeError, ValueError) as exc:
            raise RuleError(f"Rule {code}: {exc}") from None

    @classmethod
    def _from_dict(cls, data: Mapping[str, Any]) -> Rule:
        _check_keys(data, _RULE_KEYS, "rule")
        applies = data["applies"]
        if applies not in ("MN", "PRP"):
            raise RuleError(f'applies must be "MN" or "PRP", not {applies!r}.')
        area_scoped, areas = data["area_scoped"], data.get("areas", [])
        if not isinstance(areas, list) or not all(isinstance(a, str) and a for a in areas):
            raise RuleError('areas must be a list such as ["face", "perioral"].')
        if not isinstance(area_scoped, bool) or (areas and not area_scoped):
            raise RuleError("area_scoped must be true or false; areas need area_scoped true.")
        cases = tuple(_case(case) for case in data["cases"])
        if not cases:
            raise RuleError("a rule needs at least one case.")
        return cls(
            code=_text(data, "code"),
            title=_text(data, "title"),
            applies=applies,
            area_scoped=area_scoped,
            cases=cases,
            source_ids=_text(data, "source_ids"),
            areas=tuple(areas),
            unknown=_outcome(data.get("unknown", Outcome.REVIEW)),
            note=data.get("note", ""),
        )

    def applies_to(self, *, uses_prp: bool, areas: Sequence[Area]) -> bool:
        """PRP rules need a PRP service; an area filter needs a matching treated area
        (or no areas known yet)."""
        if self.applies == "PRP" and not uses_prp:
            return False
        if not self.areas or not areas:
            return True
        return any(area.matches(selector) for area in areas for selector in self.areas)

    def evaluate(
        self, answers: Mapping[str, object], *, on: date, context: Mapping[str, object]
    ) -> Finding | None:
        """This rule's finding for parsed answers, or None when it does not fire."""
        held: list[tuple[Case, date | None]] = []
        unanswered: list[tuple[Case, tuple[str, ...]]] = []
        for case in self.cases:
            holds, until, missing = case.test(answers, on, context)
            if holds:
                held.append((case, until))
            elif missing:
                unanswered.append((case, missing))
        top = max((case.outcome for case, _ in held), key=_severity, default=Outcome.ALLOW)
        # An unanswered case matters only if it could be worse than what already holds.
        missing = tuple(
            dict.fromkeys(
                code
                for case, codes in unanswered
                if case.outcome.severity > top.severity
                for code in codes
            )
        )
        if missing and (not held or self.unknown.severity > top.severity):
            return self._unanswered(missing)
        if not held:
            return None
        worst = [(case, until) for case, until in held if case.outcome is top]
        dated = [until for _, until in worst if until is not None]
        return self._finding(worst[0][0], max(dated) if len(dated) == len(worst) else None)

    def _finding(self, case: Case, until: date | None) -> Finding:
        patient_message = case.patient_message
        if case.outcome is Outcome.BLOCK_UNTIL and until is not None:
            patient_message += (
                f" The earliest date we can offer is {until:%B} {until.day}, {until.year}."
            )
        return Finding(
            rule=self.code,
            outcome=case.outcome,
            until=until,
            message=f"{self.title}: {case.instruction}",
            patient_message=patient_message,
            answer=case.answer,
        )

    def _unanswered(self, missing: tuple[str, ...]) -> Finding:
        return Finding(
            rule=self.code,
            outcome=self.unknown,
            until=None,
            message=(
                f"{self.title}: not answered ({', '.join(missing)}). Ask the patient and "
                "screen again, or have the supervising clinician review."
            ),
            patient_message=UNANSWERED_PATIENT_MESSAGE,
            answer=missing[0],
        )


def load_default_rules() -> list[dict[str, Any]]:
    """The shipped rule set as plain dicts (the ORM layer seeds its rows from these)."""
    rules: list[dict[str, Any]] = json.loads(DEFAULT_RULES_PATH.read_text("utf-8"))["rules"]
    return rules


def evaluate(
    rules: Sequence[Rule],
    answers: Mapping[str, object],
    *,
    on: date,
    uses_prp: bool,
    areas: Sequence[Area] = (),
    context: Mapping[str, object] | None = None,
) -> Screening:
    """Screen raw or parsed `answers` (DOMAIN §12 codes) for a treatment on `on`.

    Raises `AnswerError` for an unknown answer code or an unusable value. Findings come most
    severe first, then by rule code; the outcome is the most severe finding, or ALLOW."""
    parsed = parse_answers(answers)
    facts = context or {}
    findings = [
        finding
        for rule in rules
        if rule.applies_to(uses_prp=uses_prp, areas=areas)
        and (finding := rule.evaluate(parsed, on=on, context=facts)) is not None
    ]
    findings.sort(key=lambda finding: (-finding.outcome.severity, finding.rule))
    return Screening(findings[0].outcome if findings else Outcome.ALLOW, tuple(findings))


# ---------------------------------------------------------------- parsing rule data

_RULE_KEYS = {
    "code",
    "title",
    "applies",
    "area_scoped",
    "areas",
    "cases",
    "unknown",
    "source_ids",
    "note",
}
_CASE_KEYS = {"when", "outcome", "instruction", "patient_message"}
_ANSWER_KINDS: dict[str, tuple[set[AnswerType], set[str]]] = {
    # kind: (answer types it reads, its parameters)
    "true": ({AnswerType.BOOL}, set()),
    "false": ({AnswerType.BOOL}, set()),
    "equals": ({AnswerType.CHOICE, AnswerType.FITZPATRICK}, {"value"}),
    "in": ({AnswerType.CHOICE, AnswerType.FITZPATRICK}, {"values"}),
    "below": ({AnswerType.INTEGER, AnswerType.NUMBER}, {"limit"}),
    "within": ({AnswerType.DATE, AnswerType.DATE_OR_NEVER}, {"days", "months"}),
    "age_below": ({AnswerType.DATE}, {"years"}),
}
_CONTEXT_KINDS: dict[str, set[str]] = {
    "context_true": set(),
    "context_in": {"values"},
    "context_above": {"than"},
}


def _severity(outcome: Outcome) -> int:
    return outcome.severity


def _fold(value: object) -> object:
    return value.casefold() if isinstance(value, str) else value


def _number(key: str, value: object) -> float:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"context {key!r} must be a number, not {value!r}")


def _check_keys(data: Mapping[str, Any], allowed: set[str], what: str) -> None:
    extra = set(data) - allowed
    if extra:
        raise RuleError(f"unknown {what} key(s): {', '.join(sorted(extra))}.")


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise RuleError(f"{key} must be a non-empty text.")
    return value


def _outcome(value: object) -> Outcome:
    outcome = Outcome(str(value))
    if outcome is Outcome.ALLOW:
        raise RuleError('"allow" is not a rule outcome (an unanswered rule is never ALLOW).')
    return outcome


def _case(data: Mapping[str, Any]) -> Case:
    _check_keys(data, _CASE_KEYS, "case")
    when = tuple(_condition(condition) for condition in data["when"])
    if not any(condition.answer for condition in when):
        raise RuleError("each case needs at least one answer condition.")
    return Case(
        when=when,
        outcome=_outcome(data["outcome"]),
        instruction=_text(data, "instruction"),
        patient_message=_text(data, "patient_message"),
    )


def _condition(data: Mapping[str, Any]) -> Condition:
    kind = data["kind"]
    if kind in _CONTEXT_KINDS:
        _check_keys(data, {"kind", "context", *_CONTEXT_KINDS[kind]}, f"{kind} condition")
        values, than = tuple(data.get("values", ())), data.get("than", "")
        if (kind == "context_in" and not values) or (kind == "context_above" and not than):
            raise RuleError(f"{kind} needs {'values' if kind == 'context_in' else 'than'}.")
        return Condition(kind=kind, context=_text(data, "context"), values=values, than=than)
    if kind not in _ANSWER_KINDS:
        raise RuleError(f"unknown condition kind {kind!r}.")
    types, params = _ANSWER_KINDS[kind]
    _check_keys(data, {"kind", "answer", *params}, f"{kind} condition")
    code = data["answer"]
    spec = CATALOGUE.get(code)
    if spec is None or spec.type not in types:
        raise RuleError(f"{kind} cannot read answer {code!r}.")
    match kind:
        case "equals" | "in":
            values = (data["value"],) if kind == "equals" else tuple(data["values"])
            if not values:
                raise RuleError("in needs values.")
            for value in values:
                parse_answer(code, value)
            return Condition(kind=kind, answer=code, values=values)
        case "below":
            limit = data["limit"]
            if isinstance(limit, bool) or not isinstance(limit, int | float):
                raise RuleError("below needs a numeric limit.")
            return Condition(kind=kind, answer=code, limit=limit)
        case "within":
            days, months = _count(data.get("days", 0)), _count(data.get("months", 0))
            if days + months == 0:
                raise RuleError("within needs days or months.")
            return Condition(kind=kind, answer=code, days=days, months=months)
        case "age_below":
            return Condition(kind=kind, answer=code, years=_count(data["years"]))
    return Condition(kind=kind, answer=code)  # true, false


def _count(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuleError(f"days, months and years must be whole numbers ≥ 0, not {value!r}.")
    return value
