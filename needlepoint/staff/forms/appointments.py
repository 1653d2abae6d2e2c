"""Forms of the appointment pages: the staff booking and the cancel reason."""

from __future__ import annotations

from django import forms

from needlepoint.catalog.models import Service
from needlepoint.scheduling.models import AppointmentSource


class StaffCancelForm(forms.Form):
    reason = forms.CharField(max_length=300, label="Reason")


class StaffBookingForm(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.none())
    start = forms.CharField(widget=forms.HiddenInput)
    practitioner = forms.CharField(required=False, widget=forms.HiddenInput)
    source = forms.ChoiceField(
        choices=[(AppointmentSource.PHONE, "Phone"), (AppointmentSource.WALK_IN, "Walk-in")]
    )
    patient = forms.CharField(required=False, widget=forms.HiddenInput)
    first_name = forms.CharField(required=False, max_length=100)
    last_name = forms.CharField(required=False, max_length=100)
    date_of_birth = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    phone = forms.CharField(required=False, max_length=30)
    email = forms.EmailField(required=False)

    def __init__(self, *args, organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = Service.objects.filter(
            organization=organization, is_active=True
        )

    def clean(self):
        data = super().clean()
        if not data.get("patient") and not (
            data.get("first_name") and data.get("last_name") and data.get("date_of_birth")
        ):
            raise forms.ValidationError(
                "Choose a patient, or enter a new patient's name and date of birth."
            )
        return data
