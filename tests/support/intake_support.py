"""Filling in the health questionnaire the way a patient's browser posts it."""

from __future__ import annotations

from typing import Any

from needlepoint.intake.services import default_questionnaire
from needlepoint.site.forms.questionnaire import patient_sections

# A healthy patient's answers: nothing that any rule picks up.
HARMLESS = {"yes_no": "no", "date_or_never": "never", "choice": "none", "fitzpatrick": "3"}
YES = {"accepts_prp_risks"}


def form_data(*, uses_prp: bool, **answers: Any) -> dict[str, str]:
    """POST data with every question answered harmlessly, then `answers` on top: a value
    for a yes/no or choice question as the radio sends it, a date as an ISO string for a
    "when" question (sent as "date" plus the date field)."""
    questions = default_questionnaire()
    data: dict[str, str] = {}
    for section in patient_sections({"sections": questions["sections"]}, uses_prp=uses_prp):
        for question in section["questions"]:
            code, kind = question["code"], question["kind"]
            data[code] = "yes" if code in YES else HARMLESS[kind]
    for code, value in answers.items():
        if isinstance(value, str) and len(value) == 10 and value[4] == "-":
            data[code], data[f"{code}__on"] = "date", value
        else:
            data[code] = value
    return data
