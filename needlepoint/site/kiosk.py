"""Kiosk mode: the front desk hands a signed-in tablet to a patient.

Opening a visit's questionnaire or consent pages with `?kiosk=1` while signed in as staff
locks the session to those two sets of pages (and static files). Anything else, such as
the back button into the staff calendar, lands on the unlock page, where a member of staff
types their password to take the tablet back; five wrong passwords sign the session out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.http import require_http_methods

from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.intake.consents import appointment_from_consent_token, consent_sign_url
from needlepoint.intake.links import appointment_from_questionnaire_token, questionnaire_url
from needlepoint.site.forms.kiosk import UnlockForm

SESSION_KEY = "needlepoint_kiosk"
MAX_TRIES = 5
PATIENT_PAGES = {"site:questionnaire", "site:consent-overview"}


def _visit_pages(request: HttpRequest) -> dict | None:
    """When this request opens a visit's patient pages in kiosk mode: what to allow."""

    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    if match.view_name not in PATIENT_PAGES:
        return None
    token = match.kwargs["token"]
    appointment = (
        appointment_from_questionnaire_token(token)
        if match.view_name == "site:questionnaire"
        else appointment_from_consent_token(token)
    )
    if appointment is None:
        return None
    return {
        "allowed": [
            questionnaire_url(appointment, absolute=False),
            consent_sign_url(appointment, absolute=False),
        ],
        "return": reverse("scheduling:appointment-detail", args=[appointment.public_id]),
        "tries": 0,
    }


class KioskMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lock = request.session.get(SESSION_KEY)
        if lock is None and request.GET.get("kiosk") == "1" and request.user.is_authenticated:
            lock = _visit_pages(request)
            if lock is not None:
                request.session[SESSION_KEY] = lock
        if lock is not None and not _allowed(request.path_info, lock):
            return redirect("site:kiosk-unlock")
        return self.get_response(request)


def _allowed(path: str, lock: dict) -> bool:
    return (
        path.startswith(settings.STATIC_URL)
        or path == reverse("site:kiosk-unlock")
        or any(path.startswith(prefix) for prefix in lock["allowed"])
    )


@require_http_methods(["GET", "POST"])
def kiosk_unlock(request: HttpRequest) -> HttpResponse:
    lock = request.session.get(SESSION_KEY)
    if lock is None:
        return redirect("core:dashboard")
    form = UnlockForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.user.check_password(form.cleaned_data["password"]):
            del request.session[SESSION_KEY]
            audit_record(action=AuditAction.UPDATE, request=request, detail={"kiosk": "unlocked"})
            return redirect(lock["return"])
        lock["tries"] += 1
        if lock["tries"] >= MAX_TRIES:
            logout(request)
            return redirect("account_login")
        request.session[SESSION_KEY] = lock
        form.add_error("password", "That is not the password of the staff member signed in.")
    return render(
        request,
        "intake/kiosk_unlock.html",
        {"form": form, "back": lock["allowed"][0] + "?kiosk=1"},
        status=422 if form.errors else 200,
    )
