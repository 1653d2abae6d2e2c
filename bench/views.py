"""The HTTP ceilings' two views: what any request costs through Needlepoint's middleware
and server, with no work (constant JSON) and with one indexed query."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from needlepoint.resources.models import Location


def constant(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


def one_query(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"location": Location.objects.values_list("slug", flat=True).first()})
