"""POST /api/v1/screening/evaluate (docs/api-contract.md) on each clinic's own, editable rule
rows."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from needlepoint.catalog.models import TreatmentArea
from needlepoint.intake.models import ScreeningRule
from needlepoint.intake.services import intake_seed_rules
from tests.support.api_support import NOW, make_api_world, post
from tests.support.screening_cases import FIRES, ON, QUIET

PATH = "/screening/evaluate"
# The plan some skin-type rules read (FST2-FST4), as the API takes it.
PLAN = {
    "device_model": "SkinPen Precision",
    "indication": ["wrinkles"],
    "planned_depth_mm": 0.75,
    "area_max_depth_mm": 0.5,
    "first_full_session": True,
}


@pytest.fixture
def aw(cast, time_machine):
    time_machine.move_to(NOW, tick=False)
    world = make_api_world(cast)
    intake_seed_rules(organization=cast.clinic)
    TreatmentArea.objects.create(
        organization=cast.clinic,
        code="neck",
        name="Neck",
        min_depth_mm=Decimal("0.25"),
        max_default_mm=Decimal("0.5"),
        source_ids="S40",
    )
    TreatmentArea.objects.create(
        organization=cast.clinic,
        code="perioral",
        name="Around the mouth",
        min_depth_mm=Decimal("0.25"),
        max_default_mm=Decimal("0.5"),
        is_face=True,
        is_perioral=True,
        source_ids="S40",
    )
    return world


def evaluate(client, aw, answers, *, service="prp-face", on=ON, persona="practitioner", **extra):
    body = {
        "service": service,
        "on": on.isoformat(),
        "areas": ["perioral", "neck"],
        "answers": answers,
        "context": PLAN,
    }
    body.update(extra)
    return post(client, PATH, _json(body), token=aw.token(persona))


def _json(value):
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value


@pytest.mark.parametrize(("rule", "answers", "outcome"), FIRES, ids=[r for r, *_ in FIRES])
def test_each_rule_gives_its_outcome(client, aw, rule, answers, outcome):
    response = evaluate(client, aw, answers)
    assert response.status_code == 200, response.content
    findings = {f["rule"]: f for f in response.json()["findings"]}
    assert findings[rule]["outcome"] == str(outcome)
    assert findings[rule]["message"]


@pytest.mark.parametrize(("rule", "answers"), QUIET, ids=[r for r, _ in QUIET])
def test_each_rule_stays_quiet_for_a_harmless_answer(client, aw, rule, answers):
    response = evaluate(client, aw, answers)
    assert rule not in {f["rule"] for f in response.json()["findings"]}


def test_isotretinoin_stopped_three_months_ago_needs_review(client, aw):
    response = evaluate(
        client,
        aw,
        {"isotretinoin_current": False, "isotretinoin_last_dose": "2025-03-17"},
    )
    body = response.json()
    assert body["outcome"] == "review"
    mn10 = next(f for f in body["findings"] if f["rule"] == "MN10")
    assert mn10 == {
        "rule": "MN10",
        "outcome": "review",
        "until": "2025-09-17",
        "message": mn10["message"],
    }


def test_a_block_until_carries_its_date(client, aw):
    body = evaluate(client, aw, {"last_peel_or_laser_in_area": "2025-06-01"}).json()
    mn19 = next(f for f in body["findings"] if f["rule"] == "MN19")
    assert (mn19["outcome"], mn19["until"]) == ("block_until", "2025-07-01")
    assert body["outcome"] == "block_until"


def test_prp_rules_skip_a_service_without_prp(client, aw):
    body = evaluate(client, aw, {"platelet_dysfunction": True}, service="face").json()
    assert "PRP01" not in {f["rule"] for f in body["findings"]}
    body = evaluate(client, aw, {"platelet_dysfunction": True}).json()
    assert body["outcome"] == "block"


def test_an_unknown_answer_code_is_422_unknown_answer(client, aw):
    response = evaluate(client, aw, {"isotretinoin_yesterday": True})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "unknown_answer"
    assert body["errors"][0]["field"] == "answers.isotretinoin_yesterday"


@pytest.mark.parametrize(
    "answers",
    [{"pregnant_or_breastfeeding": "maybe"}, {"isotretinoin_last_dose": "last spring"}],
)
def test_a_value_of_the_wrong_type_is_422_invalid(client, aw, answers):
    response = evaluate(client, aw, answers)
    assert (response.status_code, response.json()["code"]) == (422, "invalid")


def test_an_unknown_area_or_service_is_refused(client, aw):
    response = evaluate(client, aw, {}, areas=["elbow"])
    assert (response.status_code, response.json()["code"]) == (422, "invalid")
    assert evaluate(client, aw, {}, service="no-such-service").status_code == 404


def test_the_medical_directors_edit_changes_the_outcome(client, aw):
    rule = ScreeningRule.objects.get(organization=aw.cast.clinic, code="MN11")
    rule.is_active = False
    rule.save()
    body = evaluate(client, aw, {"metal_allergy": True}).json()
    assert "MN11" not in {f["rule"] for f in body["findings"]}


def test_another_clinics_rules_are_not_used(client, aw, cast):
    from tests.support import factories

    other = factories.OrganizationFactory()
    intake_seed_rules(organization=other)
    ScreeningRule.objects.filter(organization=other).update(is_active=False)
    body = evaluate(client, aw, {"pregnant_or_breastfeeding": True}).json()
    assert body["outcome"] == "block"


@pytest.mark.parametrize(("persona", "status"), [("frontdesk", 403), ("owner", 403)])
def test_only_clinical_staff_evaluate(client, aw, persona, status):
    assert evaluate(client, aw, {}, persona=persona).status_code == status


def test_without_a_token_it_is_401(client, aw):
    response = post(client, PATH, {"service": "face", "on": "2025-06-15", "answers": {}})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("answers", "on"),
    [
        ({"isotretinoin_last_dose": "9999-12-31"}, ON),
        ({"last_tanning_or_sunburn": "9999-12-25"}, ON),
        ({"date_of_birth": "9990-01-01"}, ON),
        ({}, date(9999, 12, 31)),
    ],
)
def test_far_off_dates_are_422_not_500(client, aw, answers, on):
    response = evaluate(client, aw, answers, on=on)
    assert (response.status_code, response.json()["code"]) == (422, "invalid")


def test_without_the_plan_the_skin_type_rules_that_need_it_are_skipped(client, aw):
    body = evaluate(client, aw, {"fitzpatrick_type": 5}, context=None).json()
    rules = {f["rule"] for f in body["findings"]}
    assert {"FST1", "MN26"} <= rules
    assert not rules & {"FST2", "FST3", "FST4"}


def test_a_plan_of_the_wrong_type_is_422(client, aw):
    response = evaluate(client, aw, {}, context={"planned_depth_mm": "deep"})
    assert response.status_code == 422
