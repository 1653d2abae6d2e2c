"""The staff's form to record a patient's withdrawal of a consent."""

from __future__ import annotations

from django import forms


class StaffWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=1000,
        help_text="How the patient asked, for example “by phone” or “in person at the desk”.",
        error_messages={"required": "Please give the reason: how the patient asked."},
        widget=forms.Textarea(attrs={"rows": 2}),
    )
