"""Whether the current session passed the second factor."""

from __future__ import annotations

from allauth.account.authentication import get_authentication_records
from django.http import HttpRequest


def session_passed_mfa(request: HttpRequest) -> bool:
    records = get_authentication_records(request, request.user)  # type: ignore[arg-type]
    return any(record.get("method") == "mfa" for record in records)
