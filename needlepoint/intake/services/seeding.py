"""A clinic's own copy of the shipped screening rules and its first questionnaire."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from needlepoint.core.models import Organization
from needlepoint.intake.models import Questionnaire, ScreeningRule
from needlepoint.intake.rules import load_default_rules

ROW_FIELDS = ("code", "title", "applies", "source_ids")


QUESTIONNAIRE_FILE = Path(__file__).parent.parent / "data" / "questionnaire.json"


@cache
def default_questionnaire() -> dict[str, Any]:
    return json.loads(QUESTIONNAIRE_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def intake_seed_rules(*, organization: Organization) -> int:
    """Give an organization its own copy of the shipped screening rules; returns how many
    were added. Rules it has already are left alone: they belong to its medical director."""
    added = 0
    for position, data in enumerate(load_default_rules()):
        _, created = ScreeningRule.objects.get_or_create(
            organization=organization,
            code=data["code"],
            defaults={
                "title": data["title"],
                "applies": data["applies"],
                "source_ids": data["source_ids"],
                "definition": {k: v for k, v in data.items() if k not in ROW_FIELDS},
                "sort_order": position,
            },
        )
        added += created
    return added


@transaction.atomic
def intake_seed_questionnaire(*, organization: Organization) -> Questionnaire:
    """The organization's first questionnaire version, published; an existing one is kept."""
    data = default_questionnaire()
    questionnaire, _ = Questionnaire.objects.get_or_create(
        organization=organization,
        version=1,
        defaults={
            "title": data["title"],
            "questions": {"sections": data["sections"], "clinician": data["clinician"]},
            "published_at": timezone.now(),
        },
    )
    return questionnaire
