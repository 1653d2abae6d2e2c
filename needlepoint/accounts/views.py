"""Staff pages owned by accounts: one's own API tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from needlepoint.accounts.access import staff_required
from needlepoint.accounts.selectors import api_token_get, api_token_list
from needlepoint.accounts.services import api_token_create, api_token_revoke


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        label="What is it for?",
        help_text="For example “Front desk tablet” or “Scanning station 2”.",
    )


@staff_required("api_tokens.manage")
def api_token_list_view(request: HttpRequest) -> HttpResponse:
    """List one's tokens; POST creates one and shows its secret on this response only (it
    is never stored, so it is not put in a redirect or a message either)."""
    staff = request.staff  # type: ignore[attr-defined]
    form = ApiTokenForm(request.POST or None)
    secret, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            _token, secret = api_token_create(
                staff=staff, name=form.cleaned_data["name"], request=request
            )
            form = ApiTokenForm()
        else:
            status = 422
    context = {"tokens": api_token_list(staff=staff), "form": form, "secret": secret}
    return render(request, "accounts/api_tokens.html", context, status=status)


@staff_required("api_tokens.manage")
@require_POST
def api_token_revoke_view(request: HttpRequest, public_id: str) -> HttpResponse:
    token = api_token_get(staff=request.staff, public_id=public_id)  # type: ignore[attr-defined]
    api_token_revoke(token=token, request=request)
    messages.success(request, f"“{token.name}” is revoked: it no longer opens the API.")
    return redirect("accounts:api-token-list")
