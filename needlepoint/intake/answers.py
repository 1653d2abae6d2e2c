"""The intake answer codes of docs/clinical-rules.md §12: what each code holds, and parsing raw
values.

Questionnaires word their questions as the clinic likes, but these codes are the stable
contract between questionnaires, the screening rules and `POST /api/v1/screening/evaluate`.
Raw values are JSON values (or values already parsed by this module); `parse_answers` turns
them into typed Python values:

- ``bool``: JSON ``true``/``false`` only (no ``0``/``1``, no ``"yes"``);
- ``date``: an ISO date ``"YYYY-MM-DD"`` (or a ``date``);
- ``date_or_never``: the same, or the string ``"never"`` (kept as `NEVER`);
- ``choice``: one of the listed strings;
- ``integer`` / ``number``: a JSON number within the code's range (no booleans, no strings);
- ``fitzpatrick``: a whole-number phototype from 1 to 6.

``None`` (JSON ``null``) or an absent code means "not asked / unknown"; rules turn it into
REVIEW, never into ALLOW. Pure module: no ORM, no Django.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

NEVER = "never"
"""The value of a date answer for "this has never happened"."""

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
FIRST_DATE, LAST_DATE = date(1900, 1, 1), date(2199, 12, 31)


class AnswerType(StrEnum):
    BOOL = "bool"
    DATE = "date"
    DATE_OR_NEVER = "date_or_never"
    CHOICE = "choice"
    INTEGER = "integer"
    NUMBER = "number"
    FITZPATRICK = "fitzpatrick"


@dataclass(frozen=True)
class AnswerSpec:
    """One answer code: its type, and its choices or range where it has them."""

    code: str
    type: AnswerType
    label: str
    choices: tuple[str, ...] = ()
    minimum: float = -math.inf
    maximum: float = math.inf


class AnswerError(ValueError):
    """A raw answer that cannot be used. `code` is ``"unknown_answer"`` (no such answer
    code) or ``"invalid"`` (wrong type or out of range); `field` is the answer code."""

    def __init__(self, code: str, field: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.field = field
        self.message = message


_B, _D, _DN = AnswerType.BOOL, AnswerType.DATE, AnswerType.DATE_OR_NEVER

CATALOGUE: Mapping[str, AnswerSpec] = {
    spec.code: spec
    for spec in (
        AnswerSpec("pregnant_or_breastfeeding", _B, "Pregnant or breastfeeding"),
        AnswerSpec("active_infection_in_area", _B, "Active infection in the treatment area"),
        AnswerSpec("active_acne_in_area", _B, "Active inflammatory acne in the treatment area"),
        AnswerSpec("open_wounds_or_sunburn_in_area", _B, "Open wounds, irritation or sunburn"),
        AnswerSpec("last_tanning_or_sunburn", _DN, "Last tanning, sunburn or self-tanner"),
        AnswerSpec("suspicious_lesion_in_area", _B, "Suspicious or raised lesion in the area"),
        AnswerSpec("bleeding_disorder", _B, "Bleeding or haemostatic disorder"),
        AnswerSpec("anticoagulant_or_antiplatelet", _B, "Anticoagulant, antiplatelet or aspirin"),
        AnswerSpec("isotretinoin_current", _B, "Currently taking isotretinoin"),
        AnswerSpec("isotretinoin_last_dose", _DN, "Last isotretinoin dose"),
        AnswerSpec("metal_allergy", _B, "Allergy to stainless steel or metal"),
        AnswerSpec("anesthetic_allergy", _B, "Allergy to topical or local anaesthetic"),
        AnswerSpec("keloid_history", _B, "Keloid or hypertrophic scarring"),
        AnswerSpec("herpes_labialis_history", _B, "History of cold sores"),
        AnswerSpec("active_dermatitis_in_area", _B, "Active eczema, psoriasis or rosacea"),
        AnswerSpec("autoimmune_or_immunosuppressed", _B, "Autoimmune disease or immunosuppression"),
        AnswerSpec(
            "radiation_to_area",
            AnswerType.CHOICE,
            "Radiotherapy to the area",
            choices=("none", "ongoing", "past"),
        ),
        AnswerSpec("radiation_last_date", _DN, "Last radiotherapy to the area"),
        AnswerSpec(
            "diabetes",
            AnswerType.CHOICE,
            "Diabetes",
            choices=("none", "controlled", "uncontrolled"),
        ),
        AnswerSpec("last_retinoid_or_acid_use", _DN, "Last topical retinoid, acid or vitamin C"),
        AnswerSpec("last_peel_or_laser_in_area", _DN, "Last peel, dermabrasion or laser"),
        AnswerSpec("last_toxin_or_filler_in_area", _DN, "Last neuromodulator or filler"),
        AnswerSpec("last_surgery_in_area", _DN, "Last surgery or new scar in the area"),
        AnswerSpec("tattoo_or_pmu_in_area", _B, "Tattoo or permanent make-up in the area"),
        AnswerSpec("date_of_birth", _D, "Date of birth"),
        AnswerSpec("bloodborne_infection", _B, "Blood-borne infection (HBV, HCV, HIV)"),
        AnswerSpec("cardiac_disease", _B, "Heart disease"),
        AnswerSpec(
            "fitzpatrick_type",
            AnswerType.FITZPATRICK,
            "Fitzpatrick skin type",
            minimum=1,
            maximum=6,
        ),
        AnswerSpec("pih_or_melasma_history", _B, "Post-inflammatory hyperpigmentation or melasma"),
        AnswerSpec(
            "topical_product_not_for_intradermal_use",
            _B,
            "Product to be applied is not labelled for intradermal use",
        ),
        AnswerSpec("last_nsaid_or_aspirin", _DN, "Last aspirin, NSAID or fish oil"),
        AnswerSpec("platelet_dysfunction", _B, "Platelet dysfunction syndrome"),
        AnswerSpec("critical_thrombocytopenia", _B, "Critical thrombocytopenia"),
        AnswerSpec(
            "platelet_count_per_ul",
            AnswerType.INTEGER,
            "Platelet count (per µL)",
            minimum=0,
            maximum=5_000_000,
        ),
        AnswerSpec("hemodynamic_instability_or_sepsis", _B, "Haemodynamic instability or sepsis"),
        AnswerSpec("recent_fever_or_illness", _B, "Fever or illness in the last two weeks"),
        AnswerSpec(
            "hemoglobin_g_dl", AnswerType.NUMBER, "Haemoglobin (g/dL)", minimum=0, maximum=30
        ),
        AnswerSpec("cancer_history", _B, "Cancer, especially of the blood or bone"),
        AnswerSpec("last_steroid_injection_at_site", _DN, "Last corticosteroid injection at site"),
        AnswerSpec("last_systemic_steroid", _DN, "Last systemic corticosteroid"),
        AnswerSpec("tobacco_use", _B, "Tobacco use"),
        AnswerSpec("accepts_prp_risks", _B, "Accepts the risks of PRP"),
        AnswerSpec("fainting_with_blood_draw", _B, "Fainting with blood draws or difficult veins"),
    )
}


def _invalid(field: str, message: str) -> AnswerError:
    return AnswerError("invalid", field, message)


def _parse_date(spec: AnswerSpec, value: object) -> date | str:
    if spec.type is AnswerType.DATE_OR_NEVER and value == NEVER:
        return NEVER
    if isinstance(value, date) and not isinstance(value, datetime):
        return _in_range(spec, value)
    expected = 'an ISO date (YYYY-MM-DD) or "never"'
    if spec.type is AnswerType.DATE:
        expected = "an ISO date (YYYY-MM-DD)"
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return _in_range(spec, date.fromisoformat(value))
        except ValueError:
            raise _invalid(spec.code, f"{spec.label}: {value!r} is not a real date.") from None
    raise _invalid(spec.code, f"{spec.label} must be {expected}, not {value!r}.")


def _in_range(spec: AnswerSpec, value: date) -> date:
    """Dates from 1900 to 2199 only: waits and ages are added to them."""
    if not FIRST_DATE <= value <= LAST_DATE:
        raise _invalid(spec.code, f"{spec.label}: {value.isoformat()} is not a plausible date.")
    return value


def _show(limit: float) -> str:
    return f"{int(limit):,}" if float(limit).is_integer() else str(limit)


def _parse_number(spec: AnswerSpec, value: object) -> int | float:
    number: int | float | None = None
    if isinstance(value, int) and not isinstance(value, bool):  # INTEGER, NUMBER, FITZPATRICK
        number = value
    elif spec.type is AnswerType.NUMBER and isinstance(value, float | Decimal):
        number = float(value)
    if number is None or not spec.minimum <= number <= spec.maximum:  # NaN fails too
        kind = "a number" if spec.type is AnswerType.NUMBER else "a whole number"
        raise _invalid(
            spec.code,
            f"{spec.label} must be {kind} from {_show(spec.minimum)} to {_show(spec.maximum)}, "
            f"not {value!r}.",
        )
    return number


def parse_answer(code: str, value: object) -> object:
    """The typed value of one raw answer; ``None`` stays ``None`` (unknown).

    Raises `AnswerError` for an unknown code or an unusable value."""
    spec = CATALOGUE.get(code)
    if spec is None:
        raise AnswerError("unknown_answer", code, f"{code!r} is not a known answer code.")
    if value is None:
        return None
    match spec.type:
        case AnswerType.BOOL:
            if isinstance(value, bool):
                return value
            raise _invalid(code, f"{spec.label} must be true or false, not {value!r}.")
        case AnswerType.DATE | AnswerType.DATE_OR_NEVER:
            return _parse_date(spec, value)
        case AnswerType.CHOICE:
            if isinstance(value, str) and value in spec.choices:
                return value
            options = ", ".join(repr(c) for c in spec.choices)
            raise _invalid(code, f"{spec.label} must be one of {options}, not {value!r}.")
        case _:
            return _parse_number(spec, value)


def parse_answers(raw: Mapping[str, object]) -> dict[str, object]:
    """Every raw answer parsed with `parse_answer`; raises on the first bad one."""
    return {code: parse_answer(code, value) for code, value in raw.items()}
