"""Unlocking the front-desk tablet from kiosk mode."""

from __future__ import annotations

from django import forms


class UnlockForm(forms.Form):
    password = forms.CharField(
        label="Staff password", widget=forms.PasswordInput(attrs={"autocomplete": "off"})
    )
