"""The medical director's screening decision and the clinician's answers."""

from __future__ import annotations

import math

from django import forms

from needlepoint.intake.answers import CATALOGUE, AnswerType
from needlepoint.intake.models import ReviewScope


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", "Approve: the treatment may go ahead"), ("decline", "Decline")],
        widget=forms.RadioSelect,
    )
    scope = forms.ChoiceField(choices=ReviewScope.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Goes into the chart with your name and the time.",
    )


class ClinicianAnswersForm(forms.Form):
    """The clinician-only questions of the questionnaire (latest lab values)."""

    def __init__(self, *args, questions: list[dict], **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        for question in questions:
            spec = CATALOGUE[question["code"]]
            field_class = (
                forms.IntegerField if spec.type is AnswerType.INTEGER else forms.DecimalField
            )
            self.fields[question["code"]] = field_class(
                label=question["text"],
                required=False,
                min_value=spec.minimum if math.isfinite(spec.minimum) else None,
                max_value=spec.maximum if math.isfinite(spec.maximum) else None,
            )

    def answers(self) -> dict[str, object]:
        return {
            code: (float(value) if value is not None and not isinstance(value, int) else value)
            for code, value in self.cleaned_data.items()
        }
