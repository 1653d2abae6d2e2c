"""Consent pages for patients. They read and sign through a signed link, on their phone or on
the front-desk tablet (`?kiosk=1`), with no account, and withdraw a marketing-photo
authorization through its own link. Every page that shows a patient's consents writes an
audit row (docs/security-targets.md C1); the pages are never cached, since a front-desk
tablet passes from one patient to the next. Staff see consents on `staff/views/consents.py`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.core.refusals import refusal_form_error
from needlepoint.intake.consents import (
    SIGNABLE_STATUSES,
    ConsentError,
    ConsentItem,
    ConsentKind,
    ConsentNotConfigured,
    appointment_from_consent_token,
    consent_blocks,
    consent_overview,
    consent_sign,
    consent_text,
    consent_withdraw,
    marketing_withdraw_url,
    signature_from_withdraw_token,
    signature_withdrawal,
    text_digest,
)
from needlepoint.scheduling.models import Appointment
from needlepoint.site.forms.consents import ConsentSignForm, PatientWithdrawForm

PATIENT_LINK = "patient (consent link)"


def _kiosk(request: HttpRequest) -> bool:
    return request.GET.get("kiosk") == "1"


def _kiosk_url(request: HttpRequest, url: str) -> str:
    return f"{url}?kiosk=1" if _kiosk(request) else url


def _visit(token: str) -> Appointment:
    appointment = appointment_from_consent_token(token)
    if appointment is None:
        raise Http404("This link is not valid any more.")
    return appointment


def _items(appointment: Appointment) -> list[ConsentItem]:
    try:
        return consent_overview(appointment=appointment)
    except ConsentNotConfigured:
        return []


def _item(appointment: Appointment, kind: str) -> tuple[list[ConsentItem], ConsentItem]:
    items = _items(appointment)
    for item in items:
        if item.document.kind == kind:
            return items, item
    raise Http404("This visit does not ask for that form.")


def _patient_page_viewed(request: HttpRequest, appointment: Appointment, obj: object) -> None:
    audit_record(
        action=AuditAction.VIEW,
        request=request,
        actor_label=PATIENT_LINK,
        organization=appointment.organization,
        obj=obj,
        patient=appointment.patient,
    )


def _visit_context(request: HttpRequest, appointment: Appointment, token: str) -> dict:
    return {
        "appointment": appointment,
        "organization": appointment.organization,
        "start": appointment.starts_at.astimezone(appointment.location.zone),
        "token": token,
        "kiosk": _kiosk(request),
        "kiosk_query": "?kiosk=1" if _kiosk(request) else "",
        "signable": appointment.status in SIGNABLE_STATUSES,
    }


@never_cache
@require_GET
def consent_overview_view(request: HttpRequest, token: str) -> HttpResponse:
    """The forms a visit needs, where the patient stands on each, and the optional one."""
    appointment = _visit(token)
    items = _items(appointment)
    _patient_page_viewed(request, appointment, appointment)
    required = [item for item in items if item.required]
    optional = [item for item in items if not item.required]
    given = next((item.signature for item in optional if item.signature is not None), None)
    return render(
        request,
        "intake/consent_overview.html",
        {
            **_visit_context(request, appointment, token),
            "unavailable": not items,
            "required": required,
            "optional": optional,
            "all_signed": all(item.signature is not None for item in required),
            "withdraw_url": marketing_withdraw_url(given, absolute=False) if given else "",
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def consent_sign_view(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """Read one form and sign it: tick, type the full name, draw the signature."""
    appointment = _visit(token)
    _, item = _item(appointment, kind)
    overview = _kiosk_url(request, reverse("site:consent-overview", kwargs={"token": token}))
    if appointment.status not in SIGNABLE_STATUSES:
        messages.info(request, "This visit is no longer open for signing. Please call us.")
        return redirect(overview)
    done = _kiosk_url(request, reverse("site:consent-done", kwargs={"token": token, "kind": kind}))
    if item.signature is not None:
        return redirect(done)
    document = item.document
    text = consent_text(document=document, appointment=appointment)
    form = ConsentSignForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            if form.cleaned_data["text_sha256"] != text_digest(text):
                status = 409
                form.add_error(
                    None,
                    "This form was updated while you were reading it. Please read it again, "
                    "then sign.",
                )
            else:
                try:
                    consent_sign(
                        patient=appointment.patient,
                        document=document,
                        typed_name=form.cleaned_data["typed_name"],
                        signature_png=form.cleaned_data["signature"],
                        appointment=appointment,
                        by=request.actor,
                    )
                except ConsentError as refused:
                    refusal_form_error(form, refused)
                else:
                    return redirect(done)
    else:
        _patient_page_viewed(request, appointment, document)
    return render(
        request,
        "intake/consent_sign.html",
        {
            **_visit_context(request, appointment, token),
            "item": item,
            "document": document,
            "blocks": consent_blocks(text),
            "text_sha256": text_digest(text),
            "form": form,
            "overview_url": overview,
        },
        status=status,
    )


@never_cache
@require_GET
def consent_done(request: HttpRequest, token: str, kind: str) -> HttpResponse:
    """Confirmation after signing, with what is still to sign."""
    appointment = _visit(token)
    items, item = _item(appointment, kind)
    if item.signature is None:
        return redirect(
            _kiosk_url(request, reverse("site:consent-sign", kwargs={"token": token, "kind": kind}))
        )
    _patient_page_viewed(request, appointment, item.signature)
    is_marketing = kind == ConsentKind.MARKETING_PHOTOS
    return render(
        request,
        "intake/consent_done.html",
        {
            **_visit_context(request, appointment, token),
            "item": item,
            "signed_at": item.signature.signed_at.astimezone(appointment.location.zone),
            "remaining": [i for i in items if i.required and i.signature is None],
            "offer_marketing": [
                i for i in items if not i.required and i.signature is None and not is_marketing
            ],
            "withdraw_url": marketing_withdraw_url(item.signature, absolute=False)
            if is_marketing
            else "",
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def marketing_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """Withdraw a marketing-photo authorization; it takes effect at once (docs/security-targets.md
    I2)."""
    signature = signature_from_withdraw_token(token)
    if signature is None:
        raise Http404("This link is not valid any more.")
    form = PatientWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        consent_withdraw(
            signature=signature,
            by_patient=True,
            reason=form.cleaned_data["reason"],
            by=request.actor,
        )
        messages.success(
            request, "Your authorization is withdrawn. We no longer use your photos for marketing."
        )
        return redirect("site:marketing-withdraw", token=token)
    if request.method == "GET":
        audit_record(
            action=AuditAction.VIEW,
            request=request,
            actor_label="patient (withdrawal link)",
            organization=signature.organization,
            obj=signature,
            patient=signature.patient,
        )
    zone = (
        signature.appointment.location.zone
        if signature.appointment is not None
        else ZoneInfo(signature.organization.default_timezone)
    )
    withdrawal = signature_withdrawal(signature)
    return render(
        request,
        "intake/consent_withdraw.html",
        {
            "organization": signature.organization,
            "signature": signature,
            "signed_at": signature.signed_at.astimezone(zone),
            "withdrawal": withdrawal,
            "withdrawn_at": withdrawal.withdrawn_at.astimezone(zone) if withdrawal else None,
            "form": form,
        },
        status=422 if request.method == "POST" else 200,
    )


# --- Staff -------------------------------------------------------------------------------
