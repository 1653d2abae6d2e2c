"""A rule and the screening: which rules apply to a treatment, each rule's finding for the
answers, and the verdict of them all; the shipped rule set.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from needlepoint.intake.answers import AnswerError, parse_answers
from needlepoint.intake.rules.conditions import Area, Case, Outcome, RuleError
from needlepoint.intake.rules.parsing import rule_fields

DEFAULT_RULES_PATH = Path(__file__).parent.parent / "data" / "screening_rules.json"

UNANSWERED_PATIENT_MESSAGE = (
    "We need to check a few of your answers with a clinician before this treatment. "
    "We may call you with a question or two."
)


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
        return cls(**rule_fields(data))

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
    """Screen raw or parsed `answers` (docs/clinical-rules.md §12 codes) for a treatment on `on`.

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


def _severity(outcome: Outcome) -> int:
    return outcome.severity
