"""Forms of the public booking wizard."""

from __future__ import annotations

from datetime import date, tzinfo

from django import forms

from needlepoint.core.dates import local_today


class PatientDetailsForm(forms.Form):
    first_name = forms.CharField(max_length=100, label="First name")
    last_name = forms.CharField(max_length=100, label="Last name")
    email = forms.EmailField(label="Email", help_text="We send the confirmation here.")
    phone = forms.CharField(
        max_length=30,
        label="Mobile phone",
        help_text="For reminders if you choose text messages.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
    )
    reminders_by_text = forms.BooleanField(
        required=False, label="Send my reminders by text message as well as email"
    )

    def __init__(self, *args, zone: tzinfo | str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.zone = zone  # the location's, for "today"
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        today = local_today(self.zone)
        if born >= today or born.year < today.year - 120:
            raise forms.ValidationError("Please check the date of birth.")
        return born

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if sum(ch.isdigit() for ch in phone) < 10:
            raise forms.ValidationError("Please enter a phone number with its area code.")
        return phone


class PatientCancelForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        required=False,
        label="Anything we should know? (optional)",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WaitlistForm(forms.Form):
    first_name = forms.CharField(max_length=100, label="First name")
    email = forms.EmailField(label="Email")
    day = forms.DateField(widget=forms.HiddenInput)
