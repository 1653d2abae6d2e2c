"""The health questionnaire as a form, built from a questionnaire version's questions.

Every question may be left as "Not sure" (an unknown answer, which the rules send to a
clinician, never waved through). A date question offers "Never" or a date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from needlepoint.intake.answers import CATALOGUE, AnswerType

NOT_SURE = "unsure"
YES_NO = [("yes", "Yes"), ("no", "No"), (NOT_SURE, "Not sure")]
WHEN = [("never", "Never"), ("date", "Yes, on or around:"), (NOT_SURE, "Not sure")]
# docs/clinical-rules.md §4, phototypes in the patient's words (S35).
PHOTOTYPES = [
    ("1", "Always burns, never tans"),
    ("2", "Burns easily, tans a little"),
    ("3", "Sometimes burns, tans gradually"),
    ("4", "Rarely burns, tans easily"),
    ("5", "Very rarely burns, tans very easily"),
    ("6", "Never burns; deeply pigmented skin"),
    (NOT_SURE, "Not sure"),
]


def patient_sections(questions: dict[str, Any], *, uses_prp: bool) -> list[dict[str, Any]]:
    """The sections and questions a patient sees for a service (PRP ones only with PRP)."""
    shown = []
    for section in questions["sections"]:
        if section.get("prp_only") and not uses_prp:
            continue
        items = [q for q in section["questions"] if uses_prp or not q.get("prp_only")]
        if items:
            shown.append({**section, "questions": items})
    return shown


class QuestionnaireForm(forms.Form):
    def __init__(self, *args: Any, sections: list[dict[str, Any]], today: date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.sections = sections
        self.today = today
        self.layout: list[dict[str, Any]] = []
        for section in sections:
            names = []
            for question in section["questions"]:
                names += self._add(question)
            self.layout.append({**section, "fields": [self[name] for name in names]})

    def _add(self, question: dict[str, Any]) -> list[str]:
        code, kind = question["code"], question["kind"]
        common = {"label": question["text"], "help_text": question.get("help", "")}
        radio = forms.RadioSelect
        if kind == "yes_no":
            self.fields[code] = forms.ChoiceField(choices=YES_NO, widget=radio, **common)
            return [code]
        if kind == "fitzpatrick":
            self.fields[code] = forms.ChoiceField(choices=PHOTOTYPES, widget=radio, **common)
            return [code]
        if kind == "choice":
            choices = [tuple(c) for c in question["choices"]] + [(NOT_SURE, "Not sure")]
            self.fields[code] = forms.ChoiceField(choices=choices, widget=radio, **common)
            return [code]
        if kind == "date_or_never":
            self.fields[code] = forms.ChoiceField(
                choices=WHEN, widget=radio, required=not question.get("optional"), **common
            )
            self.fields[f"{code}__on"] = forms.DateField(
                required=False,
                label="Date",
                widget=forms.DateInput(attrs={"type": "date", "max": self.today.isoformat()}),
            )
            return [code, f"{code}__on"]
        if kind == "number":
            spec = CATALOGUE.get(code)
            whole = spec is not None and spec.type is AnswerType.INTEGER
            self.fields[code] = (
                forms.IntegerField(required=False, **common)
                if whole
                else forms.DecimalField(required=False, max_digits=12, **common)
            )
            return [code]
        if kind == "text":
            self.fields[code] = forms.CharField(
                required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), **common
            )
            return [code]
        raise ValueError(f"Question {code}: unknown kind {kind!r}.")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for section in self.sections:
            for question in section["questions"]:
                code = question["code"]
                if question["kind"] != "date_or_never" or cleaned.get(code) != "date":
                    continue
                when = cleaned.get(f"{code}__on")
                if when is None:
                    self.add_error(f"{code}__on", "Please give a date, even an approximate one.")
                elif when > self.today:
                    self.add_error(f"{code}__on", "This date is in the future.")
        return cleaned

    def answers(self) -> dict[str, object]:
        """The answers as §12 values: True/False, ISO dates or "never", choices, phototype
        numbers; None for "Not sure" or an optional question left empty."""
        out: dict[str, object] = {}
        for section in self.sections:
            for question in section["questions"]:
                code, kind = question["code"], question["kind"]
                if kind in ("number", "text"):
                    value = self.cleaned_data.get(code)
                    if value in (None, ""):
                        out[code] = None
                    elif kind == "number" and not isinstance(value, int):
                        out[code] = float(value)  # a Decimal; whole numbers come as int
                    else:
                        out[code] = value
                    continue
                value = self.cleaned_data.get(code) or NOT_SURE
                if value == NOT_SURE:
                    out[code] = None
                elif kind == "yes_no":
                    out[code] = value == "yes"
                elif kind == "fitzpatrick":
                    out[code] = int(value)
                elif kind == "date_or_never":
                    when = self.cleaned_data.get(f"{code}__on")
                    out[code] = "never" if value == "never" else when.isoformat()
                else:
                    out[code] = value
        return out
