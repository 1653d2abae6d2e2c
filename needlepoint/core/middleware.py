"""Response headers that apply to every page."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class PrivateCacheMiddleware:
    """`Cache-Control: no-store` on every authenticated response, so patient data never
    sits in a shared or back-button cache; and the Permissions-Policy header (a view that
    needs the camera sets `request.permissions_policy` to widen it)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated or request.path.startswith("/accounts/"):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        response.setdefault(
            "Permissions-Policy",
            getattr(request, "permissions_policy", settings.PERMISSIONS_POLICY),
        )
        return response
