"""The outcome form (docs/clinical-rules.md §7): each scale offered with its values' words; the
service (`outcome_record`) decides what is acceptable, and its refusals land on these fields."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from needlepoint.catalog.models import Indication
from needlepoint.clinical.progress import (
    GAIS_CLINICIAN,
    GAIS_SUBJECT,
    GOODMAN_BARON,
    SATISFACTION,
    Scale,
)

NOT_ASSESSED = "Not assessed"


def _score(scale: Scale, *, widget: type[forms.Widget], help_text: str = "") -> forms.Field:
    return forms.TypedChoiceField(
        label=scale.name,
        choices=[("", NOT_ASSESSED), *scale.choices()],
        coerce=int,
        empty_value=None,
        required=False,
        initial="",
        widget=widget,
        help_text=help_text,
    )


class OutcomeForm(forms.Form):
    """Scores at a visit or a follow-up. Prefixed ("outcome-…") so its ids never clash
    with the other forms of the page it sits on."""

    prefix = "outcome"

    assessed_on = forms.DateField(label="Assessed on", widget=forms.DateInput({"type": "date"}))
    indication = forms.ModelChoiceField(
        queryset=Indication.objects.none(), required=False, empty_label="Not specified"
    )
    gais_clinician = _score(GAIS_CLINICIAN, widget=forms.RadioSelect)
    gais_subject = _score(
        GAIS_SUBJECT, widget=forms.RadioSelect, help_text="As the patient rates it."
    )
    goodman_baron = _score(
        GOODMAN_BARON,
        widget=forms.RadioSelect,
        help_text=" ".join(f"{v}: {hint}" for v, hint in GOODMAN_BARON.hints.items()),
    )
    satisfaction = _score(SATISFACTION, widget=forms.Select)
    note = forms.CharField(max_length=300, required=False, widget=forms.Textarea({"rows": 2}))

    def __init__(self, *args: Any, organization_id: int, today: date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indication"].queryset = Indication.objects.filter(  # type: ignore[attr-defined]
            organization_id=organization_id
        )
        self.fields["assessed_on"].widget.attrs["max"] = today.isoformat()

    @property
    def radio_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("gais_clinician", "gais_subject", "goodman_baron")]

    def outcome(self) -> dict[str, Any]:
        """The cleaned values as `outcome_record` keywords."""
        data = self.cleaned_data
        return {
            "assessed_on": data["assessed_on"],
            "indication": data.get("indication"),
            "gais_clinician": data.get("gais_clinician"),
            "gais_subject": data.get("gais_subject"),
            "goodman_baron": data.get("goodman_baron"),
            "satisfaction": data.get("satisfaction"),
            "note": data.get("note", ""),
        }
