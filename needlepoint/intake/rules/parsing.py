"""Parsing and checking a rule's data (``screening_rules.json``, or a clinic's edited row)
into the terms of `conditions`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from needlepoint.intake.answers import CATALOGUE, AnswerType, parse_answer
from needlepoint.intake.rules.conditions import Case, Condition, Outcome, RuleError

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


def rule_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """A `Rule`'s fields from one rule's data, checked. Raises `RuleError`, or the KeyError,
    `AnswerError`, TypeError or ValueError that `Rule.from_dict` words as one."""
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
    return {
        "code": _text(data, "code"),
        "title": _text(data, "title"),
        "applies": applies,
        "area_scoped": area_scoped,
        "cases": cases,
        "source_ids": _text(data, "source_ids"),
        "areas": tuple(areas),
        "unknown": _outcome(data.get("unknown", Outcome.REVIEW)),
        "note": data.get("note", ""),
    }


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
