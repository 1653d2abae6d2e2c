"""How django-axes names the account behind a login attempt."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def attempted_login(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    """allauth's form posts `login`, but its failure signal reports `username` or `email`;
    read whichever is there so that failures count against the account, not against
    "nobody" (which would lump every account's failures together)."""
    for key in ("login", "username", "email"):
        value = (credentials or {}).get(key)
        if value:
            return str(value).strip().lower()
    if request is not None and request.method == "POST":
        return request.POST.get("login", "").strip().lower()
    return ""
