"""Public pages. No login, no patient data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from needlepoint.site.selectors import public_clinic


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "site/home.html", public_clinic())


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
