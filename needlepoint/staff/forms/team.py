"""Forms of the team pages: API tokens and the authenticator reset."""

from __future__ import annotations

from django import forms


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="What is it for?",
        help_text="For example “Front desk tablet” or “Scanning station 2”.",
    )


class AuthenticatorResetForm(forms.Form):
    # Not required here: the service refuses a missing reason, for every caller alike.
    reason = forms.CharField(
        required=False,
        label="Why reset it?",
        help_text="For example “Lost phone” or “New phone”. Kept in the audit log.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
