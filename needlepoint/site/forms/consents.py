"""The patient's consent signature and marketing withdrawal forms."""

from __future__ import annotations

import base64
import binascii

from django import forms
from django.core.exceptions import ValidationError

from needlepoint.intake.consents import (
    BLANK_SIGNATURE,
    MAX_SIGNATURE_BYTES,
    NOT_A_SIGNATURE,
)

DATA_URL_PREFIX = "data:image/png;base64,"


class ConsentSignForm(forms.Form):
    agree = forms.BooleanField(
        label="I have read this form, and my questions have been answered.",
        error_messages={"required": "Please tick the box to confirm that you have read the form."},
    )
    typed_name = forms.CharField(
        label="Your full name",
        max_length=200,
        error_messages={
            "required": "Please type your full name to sign.",
            "max_length": "That name is too long: please type your first and last name.",
        },
    )
    signature = forms.CharField(required=False)
    text_sha256 = forms.CharField(required=False)

    def clean_signature(self) -> bytes:
        """The drawn signature arrives as a PNG data URL from the signature pad."""
        value = self.cleaned_data["signature"]
        if not value:
            raise ValidationError(BLANK_SIGNATURE)
        if len(value) > len(DATA_URL_PREFIX) + MAX_SIGNATURE_BYTES * 4 // 3 + 4:
            raise ValidationError(
                "The signature image is too large. Please clear the box and sign again."
            )
        if not value.startswith(DATA_URL_PREFIX):
            raise ValidationError(NOT_A_SIGNATURE)
        try:
            return base64.b64decode(value[len(DATA_URL_PREFIX) :], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValidationError(NOT_A_SIGNATURE) from exc


class PatientWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Anything you would like to tell us (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
