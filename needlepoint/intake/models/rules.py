"""Screening rules as each clinic's editable data (docs/clinical-rules.md §3–§4)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from needlepoint.core.models import OrganizationScopedModel
from needlepoint.intake.rules import Rule, RuleError


class RuleScope(models.TextChoices):
    MN = "MN", "Every micro-needling service"
    PRP = "PRP", "Services that use PRP"


class ScreeningRule(OrganizationScopedModel):
    """One contraindication or skin-type rule of one clinic, seeded from
    `intake/data/screening_rules.json` and owned by its medical director from then on.
    `definition` is the rule as `intake.rules.Rule.from_dict` reads it; every change is
    validated against that vocabulary and audited. Rules are switched off, never deleted."""

    code = models.CharField(max_length=10)
    title = models.CharField(max_length=120)
    applies = models.CharField(max_length=3, choices=RuleScope.choices)
    definition = models.JSONField(
        help_text="Cases, outcomes, waits and wordings (see the rule vocabulary in the docs)."
    )
    source_ids = models.CharField(max_length=120, help_text="docs/clinical-rules.md §0 source ids.")
    is_active = models.BooleanField(default=True)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code"], name="screening_rule_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def rule(self) -> Rule:
        """The rule as the evaluator reads it; the row's own columns win over the JSON's."""
        return Rule.from_dict(
            {
                **self.definition,
                "code": self.code,
                "title": self.title,
                "applies": self.applies,
                "source_ids": self.source_ids,
            }
        )

    def clean(self) -> None:
        if not isinstance(self.definition, dict):
            raise ValidationError({"definition": "A rule is a JSON object."})
        try:
            self.rule()
        except RuleError as exc:
            raise ValidationError({"definition": str(exc)}) from exc
