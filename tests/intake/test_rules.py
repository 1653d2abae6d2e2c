"""The screening rule engine and the answer catalogue (docs/clinical-rules.md §3, §4, §12), no
database.

Every screening starts from SAFE, a patient who answered every question with a harmless value
(which screens ALLOW), and changes only the answers a test is about.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.core.dates import add_months_rolling_over
from needlepoint.intake.answers import CATALOGUE, NEVER, AnswerError, parse_answer, parse_answers
from needlepoint.intake.rules import (
    UNANSWERED_PATIENT_MESSAGE,
    Area,
    Finding,
    Outcome,
    Rule,
    RuleError,
    Screening,
    evaluate,
    load_default_rules,
)
from tests.support.screening_cases import FIRES, ON, QUIET, ago, years_ago

RULES = [Rule.from_dict(data) for data in load_default_rules()]
BY_CODE = {rule.code: rule for rule in RULES}

FACE = Area("cheeks", is_face=True)
PERIORAL = Area("perioral", is_face=True, is_perioral=True)
NECK = Area("neck")
ALL_AREAS = (FACE, NECK)
PLAN = {
    "device_model": "SkinPen Precision",
    "indication": "wrinkles",
    "planned_depth_mm": Decimal("0.75"),
    "area_max_depth_mm": Decimal("0.50"),
    "first_full_session": True,
}

SAFE: dict[str, object] = {
    **{code: False for code, spec in CATALOGUE.items() if spec.type == "bool"},
    **{code: NEVER for code, spec in CATALOGUE.items() if spec.type == "date_or_never"},
    "accepts_prp_risks": True,
    "radiation_to_area": "none",
    "diabetes": "none",
    "date_of_birth": "1990-03-01",
    "fitzpatrick_type": 2,
    "platelet_count_per_ul": 250_000,
    "hemoglobin_g_dl": 13.5,
}


def screen(
    *,
    on: date = ON,
    uses_prp: bool = True,
    areas: tuple[Area, ...] = ALL_AREAS,
    context: dict[str, object] | None = PLAN,
    **answers: object,
) -> Screening:
    return evaluate(
        RULES, {**SAFE, **answers}, on=on, uses_prp=uses_prp, areas=areas, context=context
    )


def finding(screening: Screening, rule: str) -> Finding | None:
    return next((f for f in screening.findings if f.rule == rule), None)


@pytest.mark.parametrize(("rule", "answers", "outcome"), FIRES, ids=[r for r, *_ in FIRES])
def test_each_rule_fires_with_its_outcome(rule: str, answers: dict[str, Any], outcome: Outcome):
    found = finding(screen(**answers), rule)
    assert found is not None
    assert found.outcome is outcome
    assert found.answer in answers
    assert "not answered" not in found.message


@pytest.mark.parametrize(("rule", "answers"), QUIET, ids=[r for r, _ in QUIET])
def test_each_rule_stays_quiet_for_a_harmless_answer(rule: str, answers: dict[str, Any]):
    assert finding(screen(**answers), rule) is None


def test_the_tables_cover_every_rule():
    codes = set(BY_CODE)
    assert {rule for rule, *_ in FIRES} == codes
    assert {rule for rule, _ in QUIET} == codes


def test_a_patient_with_only_harmless_answers_is_allowed():
    assert screen() == Screening(Outcome.ALLOW, ())


# ------------------------------------------------------------------ unknown answers


@pytest.mark.parametrize("rule", sorted(BY_CODE))
def test_an_unanswered_question_is_review_never_allow(rule: str):
    read = {c.answer for case in BY_CODE[rule].cases for c in case.when if c.answer}
    found = finding(screen(**dict.fromkeys(read)), rule)
    assert found is not None
    assert found.outcome is Outcome.REVIEW
    assert found.answer in read
    assert "not answered" in found.message
    assert found.patient_message == UNANSWERED_PATIENT_MESSAGE


def test_an_absent_answer_is_unknown_like_null():
    answers = {code: value for code, value in SAFE.items() if code != "pregnant_or_breastfeeding"}
    screening = evaluate(RULES, answers, on=ON, uses_prp=False)
    assert screening.outcome is Outcome.REVIEW
    assert [(f.rule, f.answer) for f in screening.findings] == [
        ("MN06", "pregnant_or_breastfeeding")
    ]


def test_nothing_answered_is_review():
    screening = evaluate(RULES, {}, on=ON, uses_prp=True)
    assert screening.outcome is Outcome.REVIEW
    assert {f.outcome for f in screening.findings} == {Outcome.REVIEW}


def test_an_unanswered_case_does_not_weaken_a_case_that_holds():
    mn11 = finding(screen(metal_allergy=True, anesthetic_allergy=None), "MN11")
    assert mn11 is not None and mn11.outcome is Outcome.BLOCK
    mn26 = finding(screen(fitzpatrick_type=5, pih_or_melasma_history=None), "MN26")
    assert mn26 is not None and mn26.outcome is Outcome.CAUTION


def test_a_false_condition_settles_a_case_whatever_else_is_unanswered():
    assert finding(screen(radiation_to_area="none", radiation_last_date=None), "MN16") is None
    unknown_date = finding(screen(radiation_to_area="past", radiation_last_date=None), "MN16")
    assert unknown_date is not None
    assert (unknown_date.outcome, unknown_date.answer) == (Outcome.REVIEW, "radiation_last_date")


def test_an_unanswered_allergy_is_review_when_the_other_is_denied():
    found = finding(screen(metal_allergy=False, anesthetic_allergy=None), "MN11")
    assert found is not None
    assert (found.outcome, found.answer) == (Outcome.REVIEW, "anesthetic_allergy")


def test_a_rule_may_make_an_unanswered_question_stricter():
    data = next(d for d in load_default_rules() if d["code"] == "MN06")
    strict = Rule.from_dict({**data, "unknown": "block"})
    screening = evaluate([strict], {}, on=ON, uses_prp=False)
    assert screening.outcome is Outcome.BLOCK


def test_lab_rules_without_a_lab_are_review():
    screening = screen(platelet_count_per_ul=None, hemoglobin_g_dl=None)
    assert [(f.rule, f.outcome) for f in screening.findings] == [
        ("PRP03", Outcome.REVIEW),
        ("PRP07", Outcome.REVIEW),
    ]


# ------------------------------------------------------------------ PRP, areas, context


@pytest.mark.parametrize(
    ("rule", "answers"),
    [(rule, answers) for rule, answers, _ in FIRES if rule.startswith("PRP")],
    ids=[rule for rule, *_ in FIRES if rule.startswith("PRP")],
)
def test_prp_rules_apply_only_to_prp_services(rule: str, answers: dict[str, Any]):
    assert finding(screen(uses_prp=True, **answers), rule) is not None
    assert finding(screen(uses_prp=False, **answers), rule) is None


def test_micro_needling_rules_apply_with_or_without_prp():
    for uses_prp in (False, True):
        assert finding(screen(uses_prp=uses_prp, pregnant_or_breastfeeding=True), "MN06")


@pytest.mark.parametrize(
    ("areas", "fires"),
    [
        ((FACE,), True),
        ((PERIORAL,), True),
        ((Area("upper_lip", is_perioral=True),), True),
        ((NECK,), False),
        ((NECK, Area("hands")), False),
        ((NECK, FACE), True),
        ((), True),
    ],
    ids=["face", "perioral", "perioral-only-flag", "neck", "body", "neck-and-face", "unknown"],
)
def test_cold_sore_history_matters_only_for_face_or_perioral_areas(
    areas: tuple[Area, ...], fires: bool
):
    assert (finding(screen(areas=areas, herpes_labialis_history=True), "MN13") is not None) is fires


def test_cold_sore_rule_follows_the_catalog_area_flags():
    path = Path(__file__).parents[2] / "needlepoint/catalog/data/clinical_defaults.json"
    areas = [
        Area(a["code"], is_face=a["is_face"], is_perioral=a["is_perioral"])
        for a in json.loads(path.read_text("utf-8"))["areas"]
    ]
    for area in areas:
        fired = finding(screen(areas=(area,), herpes_labialis_history=True), "MN13")
        assert (fired is not None) is (area.is_face or area.is_perioral), area.code


def test_an_area_scoped_rule_without_a_filter_applies_to_any_area():
    assert finding(screen(areas=(NECK,), tattoo_or_pmu_in_area=True), "MN22") is not None


def test_neck_wrinkle_rule_needs_the_neck_the_device_and_the_indication():
    assert finding(screen(fitzpatrick_type=5, areas=(FACE,)), "FST2") is None
    other_device = {**PLAN, "device_model": "Dermapen 4"}
    assert finding(screen(fitzpatrick_type=5, context=other_device), "FST2") is None
    scars = {**PLAN, "indication": ["acne_scars"]}
    assert finding(screen(fitzpatrick_type=5, context=scars), "FST2") is None
    both = {**PLAN, "device_model": "skinpen", "indication": ["acne_scars", "Wrinkles"]}
    assert finding(screen(fitzpatrick_type=5, context=both), "FST2") is not None


def test_depth_rule_compares_the_planned_depth_with_the_area_maximum():
    at_max = {**PLAN, "planned_depth_mm": Decimal("0.50")}
    assert finding(screen(fitzpatrick_type=5, context=at_max), "FST3") is None
    above = {**PLAN, "planned_depth_mm": 0.55}
    assert finding(screen(fitzpatrick_type=5, context=above), "FST3") is not None


def test_test_spot_only_before_the_first_full_session():
    later = {**PLAN, "first_full_session": False}
    assert finding(screen(fitzpatrick_type=6, context=later), "FST4") is None


@pytest.mark.parametrize("fitzpatrick", [None, 5])
def test_skin_type_rules_needing_the_plan_wait_for_it(fitzpatrick: int | None):
    screening = screen(context=None, fitzpatrick_type=fitzpatrick)
    assert {"FST2", "FST3", "FST4"}.isdisjoint(f.rule for f in screening.findings)


# ------------------------------------------------------------------ waits and dates

WAITS = [
    # rule, answers besides the dated one, dated answer, its date, first day it stops
    ("MN04", {}, "last_tanning_or_sunburn", date(2025, 3, 10), date(2025, 3, 24)),
    ("MN10", {}, "isotretinoin_last_dose", date(2025, 1, 10), date(2025, 7, 10)),
    (
        "MN16",
        {"radiation_to_area": "past"},
        "radiation_last_date",
        date(2025, 1, 10),
        date(2025, 4, 10),
    ),
    ("MN18", {}, "last_retinoid_or_acid_use", date(2025, 3, 10), date(2025, 3, 13)),
    ("MN19", {}, "last_peel_or_laser_in_area", date(2025, 3, 10), date(2025, 4, 9)),
    ("MN20", {}, "last_toxin_or_filler_in_area", date(2025, 3, 10), date(2025, 3, 24)),
    ("MN21", {}, "last_surgery_in_area", date(2025, 1, 10), date(2025, 7, 10)),
    ("MN28", {}, "last_nsaid_or_aspirin", date(2025, 3, 10), date(2025, 3, 15)),
    ("PRP09", {}, "last_nsaid_or_aspirin", date(2025, 3, 10), date(2025, 3, 12)),
    ("PRP10", {}, "last_steroid_injection_at_site", date(2025, 1, 31), date(2025, 3, 1)),
    ("PRP10", {}, "last_systemic_steroid", date(2025, 3, 10), date(2025, 3, 24)),
]


@pytest.mark.parametrize(
    ("rule", "other", "code", "answered", "ends"), WAITS, ids=[w[0] for w in WAITS]
)
def test_waits_run_from_the_answer_date_to_the_treatment_date(
    rule: str, other: dict[str, Any], code: str, answered: date, ends: date
):
    day_before = finding(screen(on=ends - timedelta(days=1), **other, **{code: answered}), rule)
    assert day_before is not None
    assert day_before.until == ends
    assert finding(screen(on=ends, **other, **{code: answered}), rule) is None


def test_the_done_when_scenario_is_review_for_mn10():
    screening = screen(isotretinoin_current=False, isotretinoin_last_dose=ago(90).isoformat())
    assert screening.outcome is Outcome.REVIEW
    assert [(f.rule, f.answer) for f in screening.findings] == [("MN10", "isotretinoin_last_dose")]
    assert screening.findings[0].until == date(2025, 9, 17)  # 2025-03-17 + 6 months


def test_a_month_wait_from_a_day_the_end_month_lacks_rolls_to_the_first():
    dose = date(2024, 8, 31)
    assert finding(screen(on=date(2025, 2, 28), isotretinoin_last_dose=dose), "MN10")
    assert finding(screen(on=date(2025, 3, 1), isotretinoin_last_dose=dose), "MN10") is None
    assert add_months_rolling_over(date(2024, 2, 29), 12 * 18) == date(2042, 3, 1)
    assert add_months_rolling_over(date(2024, 12, 15), 1) == date(2025, 1, 15)


def test_a_block_until_a_date_carries_it_for_staff_and_patient():
    found = finding(screen(last_peel_or_laser_in_area=date(2025, 6, 1)), "MN19")
    assert found is not None
    assert (found.outcome, found.until) == (Outcome.BLOCK_UNTIL, date(2025, 7, 1))
    assert found.patient_message.endswith("The earliest date we can offer is July 1, 2025.")


def test_a_block_until_resolved_has_no_date():
    found = finding(screen(active_infection_in_area=True), "MN01")
    assert found is not None
    assert (found.outcome, found.until) == (Outcome.BLOCK_UNTIL, None)
    assert "earliest date" not in found.patient_message


def test_a_condition_based_finding_has_no_date():
    found = finding(screen(pregnant_or_breastfeeding=True), "MN06")
    assert found is not None and found.until is None


def test_two_waits_of_one_rule_end_when_the_later_ends():
    found = finding(
        screen(last_steroid_injection_at_site=ago(25), last_systemic_steroid=ago(3)), "PRP10"
    )
    assert found is not None
    assert found.until == ago(3) + timedelta(days=14)  # the systemic wait ends last
    assert "injection" in found.message  # the first listed case names the finding


@pytest.mark.parametrize(
    ("born", "on", "guardian", "until"),
    [
        (date(2007, 6, 15), date(2025, 6, 14), True, date(2029, 6, 15)),
        (date(2007, 6, 15), date(2025, 6, 15), False, date(2029, 6, 15)),
        (date(2007, 6, 15), date(2029, 6, 14), False, date(2029, 6, 15)),
    ],
    ids=["17", "18-today", "21"],
)
def test_under_22_is_review_and_under_18_needs_a_guardian(
    born: date, on: date, guardian: bool, until: date
):
    found = finding(screen(on=on, date_of_birth=born), "MN23")
    assert found is not None
    assert found.outcome is Outcome.REVIEW
    assert found.until == until
    assert ("guardian" in found.message) is guardian
    assert ("guardian" in found.patient_message) is guardian


def test_22_today_is_not_flagged():
    assert finding(screen(on=date(2029, 6, 15), date_of_birth=date(2007, 6, 15)), "MN23") is None


# ------------------------------------------------------------------ overall outcome


def test_outcomes_are_ordered_by_severity():
    order = [Outcome.ALLOW, Outcome.CAUTION, Outcome.REVIEW, Outcome.BLOCK_UNTIL, Outcome.BLOCK]
    assert sorted(Outcome, key=lambda o: o.severity) == order


@pytest.mark.parametrize(
    ("answers", "outcome"),
    [
        ({}, Outcome.ALLOW),
        ({"tobacco_use": True}, Outcome.CAUTION),
        ({"tobacco_use": True, "keloid_history": True}, Outcome.REVIEW),
        (
            {"tobacco_use": True, "keloid_history": True, "active_acne_in_area": True},
            Outcome.BLOCK_UNTIL,
        ),
        (
            {"tobacco_use": True, "active_acne_in_area": True, "bleeding_disorder": True},
            Outcome.BLOCK,
        ),
    ],
)
def test_the_screening_outcome_is_its_most_severe_finding(
    answers: dict[str, Any], outcome: Outcome
):
    assert screen(**answers).outcome is outcome


def test_findings_come_most_severe_first_then_by_rule_code():
    screening = screen(
        tobacco_use=True,
        keloid_history=True,
        cardiac_disease=True,
        active_acne_in_area=True,
        bleeding_disorder=True,
        pregnant_or_breastfeeding=True,
        fitzpatrick_type=4,
        context=None,
    )
    assert [(f.rule, f.outcome.value) for f in screening.findings] == [
        ("MN06", "block"),
        ("MN07", "block"),
        ("MN02", "block_until"),
        ("MN12", "review"),
        ("MN25", "review"),
        ("FST1", "caution"),
        ("MN26", "caution"),
        ("PRP11", "caution"),
    ]


TRIGGERS: dict[str, object] = {
    **{code: True for code, value in SAFE.items() if value is False},
    **{code: ago(1) for code, value in SAFE.items() if value == NEVER},
    "accepts_prp_risks": False,
    "radiation_to_area": "ongoing",
    "diabetes": "uncontrolled",
    "date_of_birth": years_ago(16),
    "fitzpatrick_type": 6,
    "platelet_count_per_ul": 50_000,
    "hemoglobin_g_dl": 8.0,
}


@given(
    st.sets(st.sampled_from(sorted(TRIGGERS))),
    st.sampled_from(sorted(TRIGGERS)),
    st.booleans(),
)
def test_a_further_finding_never_lowers_the_severity(
    triggered: set[str], extra: str, uses_prp: bool
):
    before = screen(uses_prp=uses_prp, **{code: TRIGGERS[code] for code in triggered})
    after = screen(uses_prp=uses_prp, **{code: TRIGGERS[code] for code in triggered | {extra}})
    assert after.outcome.severity >= before.outcome.severity
    worse = {f.rule: f.outcome.severity for f in after.findings}
    assert all(worse.get(f.rule, -1) >= f.outcome.severity for f in before.findings)


def test_every_answer_code_has_a_trigger():
    assert set(TRIGGERS) == set(CATALOGUE)


# ------------------------------------------------------------------ the rule data

DOMAIN_CODES = (
    {f"MN{n:02d}" for n in range(1, 29)}
    | {f"PRP{n:02d}" for n in range(1, 14)}
    | {f"FST{n}" for n in range(1, 5)}
)


def test_the_shipped_rules_are_exactly_those_of_domain_sections_3_and_4():
    codes = [data["code"] for data in load_default_rules()]
    assert len(codes) == len(set(codes))
    assert set(codes) == DOMAIN_CODES


def test_every_rule_cites_its_sources():
    for rule in RULES:
        assert rule.source_ids.strip(), rule.code


def test_rules_read_every_answer_code_and_only_known_ones():
    read = {c.answer for rule in RULES for case in rule.cases for c in case.when if c.answer}
    assert read == set(CATALOGUE)


def test_prp_rules_are_marked_prp():
    assert {rule.code for rule in RULES if rule.applies == "PRP"} == {
        code for code in DOMAIN_CODES if code.startswith("PRP")
    }


SENSITIVE = re.compile(
    r"acne|allerg|aspirin|bleed|cancer|cardiac|cold|diabet|faint|fitzpatrick|heart|hiv|hepatitis|"
    r"herpes|infect|isotretinoin|keloid|lesion|melasma|platelet|pregnan|radi|steroid|tattoo|tobacco",
    re.IGNORECASE,
)


def test_patient_messages_do_not_reveal_medical_detail():
    messages = [UNANSWERED_PATIENT_MESSAGE] + [
        case.patient_message for rule in RULES for case in rule.cases
    ]
    for message in messages:
        assert not SENSITIVE.search(message), message


def _mn16() -> dict[str, Any]:
    return json.loads(json.dumps(next(d for d in load_default_rules() if d["code"] == "MN16")))


def _broken(name: str, change: Any) -> tuple[str, dict[str, Any]]:
    data = _mn16()
    change(data, data["cases"][1]["when"][1])  # the rule, its "within" condition
    return name, data


BROKEN = [
    _broken("unknown-key", lambda d, c: d.update(wait_days=30)),
    _broken("no-applies", lambda d, c: d.pop("applies")),
    _broken("applies", lambda d, c: d.update(applies="LASER")),
    _broken("areas-unscoped", lambda d, c: d.update(area_scoped=False, areas=["face"])),
    _broken("areas-text", lambda d, c: d.update(areas="face_or_perioral")),
    _broken("no-cases", lambda d, c: d.update(cases=[])),
    _broken("no-sources", lambda d, c: d.update(source_ids=" ")),
    _broken("allow-outcome", lambda d, c: d["cases"][0].update(outcome="allow")),
    _broken("allow-unknown", lambda d, c: d.update(unknown="allow")),
    _broken("bogus-outcome", lambda d, c: d["cases"][0].update(outcome="maybe")),
    _broken("no-instruction", lambda d, c: d["cases"][0].update(instruction="")),
    _broken("kind", lambda d, c: c.update(kind="after")),
    _broken("answer-code", lambda d, c: c.update(answer="radiation_date")),
    _broken("answer-type", lambda d, c: c.update(answer="tobacco_use")),
    _broken("no-period", lambda d, c: c.pop("months")),
    _broken("negative-period", lambda d, c: c.update(months=-3)),
    _broken("stray-parameter", lambda d, c: c.update(limit=3)),
    _broken("choice", lambda d, c: d["cases"][0]["when"][0].update(value="sometimes")),
    _broken(
        "context-only",
        lambda d, c: d["cases"][0].update(when=[{"kind": "context_true", "context": "x"}]),
    ),
    _broken(
        "context-in-empty",
        lambda d, c: d["cases"][1].update(when=[{"kind": "context_in", "context": "x"}]),
    ),
]


@pytest.mark.parametrize(("name", "data"), BROKEN, ids=[name for name, _ in BROKEN])
def test_a_broken_rule_is_refused_with_its_code(name: str, data: dict[str, Any]):
    with pytest.raises(RuleError, match=r"^Rule MN16: "):
        Rule.from_dict(data)


def test_the_default_rules_parse_from_their_json():
    assert len(RULES) == len(DOMAIN_CODES)
    assert BY_CODE["MN13"].areas == ("face", "perioral")
    assert all(rule.unknown is Outcome.REVIEW for rule in RULES)


# ------------------------------------------------------------------ answers


@pytest.mark.parametrize(
    ("code", "raw", "parsed"),
    [
        ("tobacco_use", True, True),
        ("tobacco_use", None, None),
        ("isotretinoin_last_dose", "2025-01-31", date(2025, 1, 31)),
        ("isotretinoin_last_dose", date(2025, 1, 31), date(2025, 1, 31)),
        ("isotretinoin_last_dose", "never", NEVER),
        ("date_of_birth", "2000-02-29", date(2000, 2, 29)),
        ("radiation_to_area", "past", "past"),
        ("diabetes", "controlled", "controlled"),
        ("fitzpatrick_type", 1, 1),
        ("fitzpatrick_type", 6, 6),
        ("platelet_count_per_ul", 150_000, 150_000),
        ("hemoglobin_g_dl", 12, 12),
        ("hemoglobin_g_dl", 12.5, 12.5),
        ("hemoglobin_g_dl", Decimal("12.5"), 12.5),
    ],
)
def test_answers_parse_into_typed_values(code: str, raw: object, parsed: object):
    assert parse_answer(code, raw) == parsed


@pytest.mark.parametrize(
    ("code", "raw"),
    [
        ("tobacco_use", 1),
        ("tobacco_use", "yes"),
        ("isotretinoin_last_dose", "2025/01/31"),
        ("isotretinoin_last_dose", "20250131"),
        ("isotretinoin_last_dose", "2025-02-30"),
        ("isotretinoin_last_dose", "Never"),
        ("isotretinoin_last_dose", datetime(2025, 1, 31, 9, 0)),
        ("isotretinoin_last_dose", 20250131),
        ("date_of_birth", "never"),
        ("radiation_to_area", "Past"),
        ("diabetes", True),
        ("fitzpatrick_type", 0),
        ("fitzpatrick_type", 7),
        ("fitzpatrick_type", 3.0),
        ("fitzpatrick_type", "III"),
        ("fitzpatrick_type", True),
        ("platelet_count_per_ul", 150_000.5),
        ("platelet_count_per_ul", -1),
        ("platelet_count_per_ul", "150000"),
        ("hemoglobin_g_dl", False),
        ("hemoglobin_g_dl", float("nan")),
        ("hemoglobin_g_dl", 31),
    ],
)
def test_unusable_answers_are_invalid(code: str, raw: object):
    with pytest.raises(AnswerError) as caught:
        parse_answer(code, raw)
    error = caught.value
    assert (error.code, error.field) == ("invalid", code)
    assert error.message.endswith(".")
    assert repr(raw) in error.message


def test_an_unknown_answer_code_is_refused_by_name():
    with pytest.raises(AnswerError) as caught:
        parse_answers({"tobacco_use": True, "smoker": True})
    assert (caught.value.code, caught.value.field) == ("unknown_answer", "smoker")
    assert str(caught.value) == "'smoker' is not a known answer code."


def test_evaluation_validates_its_answers():
    with pytest.raises(AnswerError) as caught:
        evaluate(RULES, {"fitzpatrick_type": 9}, on=ON, uses_prp=False)
    assert caught.value.code == "invalid"


def test_error_messages_read_as_sentences():
    with pytest.raises(AnswerError) as caught:
        parse_answer("fitzpatrick_type", 7)
    assert (
        caught.value.message == "Fitzpatrick skin type must be a whole number from 1 to 6, not 7."
    )
    with pytest.raises(AnswerError, match=r"0 to 5,000,000"):
        parse_answer("platelet_count_per_ul", -5)
