"""Messaging pages: the practitioner's calendar feed (and the page to get or rotate its
URL), and the webhook Twilio calls with replies to our texts."""

from __future__ import annotations

import copy

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from needlepoint.accounts.access import staff_required
from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.messaging.ics import practitioner_feed
from needlepoint.messaging.policy import START_WORDS, STOP_WORDS
from needlepoint.messaging.selectors import (
    FEED_PERMISSION,
    calendar_feed_appointments,
    calendar_feed_for_staff,
    calendar_feed_get,
)
from needlepoint.messaging.services import (
    calendar_feed_revoke,
    calendar_feed_rotate,
    sms_opt_in,
    sms_opt_out,
)
from needlepoint.messaging.sms import twilio_signature_valid

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _without_token(request: HttpRequest) -> HttpRequest:
    """The request as the audit log may see it: the feed token is a credential, so the
    path is recorded without it."""
    redacted = copy.copy(request)
    redacted.path = reverse("messaging:calendar-feed", kwargs={"token": "redacted"})
    return redacted


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = calendar_feed_get(token=token)
    if feed is None:
        raise Http404("No such calendar.")
    now = timezone.now()
    staff = feed.staff
    body, count = practitioner_feed(
        name=f"{staff.organization.name} — {staff.display_name}",
        appointments=calendar_feed_appointments(staff=staff, now=now),
        now=now,
    )
    audit_record(
        action=AuditAction.EXPORT,
        request=_without_token(request),
        actor=staff.user,
        organization=staff.organization,
        obj=feed,
        detail={"calendar_feed": True, "events": count},
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="needlepoint.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def _feed_urls(token: str) -> dict[str, str]:
    path = reverse("messaging:calendar-feed", kwargs={"token": token})
    https = f"{settings.SITE_URL.rstrip('/')}{path}"
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[-1]}


@require_http_methods(["GET", "POST"])
@staff_required(FEED_PERMISSION)
def calendar_feed_manage(request: HttpRequest) -> HttpResponse:
    staff = request.staff  # type: ignore[attr-defined]
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if calendar_feed_revoke(staff=staff, request=request):
                messages.success(request, "Your calendar link is turned off.")
        else:
            calendar_feed_rotate(staff=staff, request=request)
            messages.success(
                request, "Here is your new calendar link. Any earlier link has stopped working."
            )
        return redirect("messaging:calendar-feed-manage")
    feed = calendar_feed_for_staff(staff=staff)
    context = {"feed": feed, "urls": _feed_urls(feed.token) if feed else None}
    return render(request, "messaging/calendar_feed.html", context)


@csrf_exempt  # Twilio cannot send a CSRF token; its request signature is checked instead.
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    """Replies to our texts. STOP and its synonyms opt the sender out of texts at once;
    START opts back in. Anything else is ignored (and never logged: it may be PHI)."""
    token = settings.TWILIO_AUTH_TOKEN
    if token:
        candidates = {
            f"{settings.SITE_URL.rstrip('/')}{request.get_full_path()}",
            request.build_absolute_uri(),
        }
        signature = request.headers.get("X-Twilio-Signature", "")
        if not any(
            twilio_signature_valid(url, request.POST, token, signature) for url in candidates
        ):
            return HttpResponseForbidden("Bad signature.")
    elif not (settings.DEBUG or settings.TESTING):
        return HttpResponseForbidden("Replies are not accepted without TWILIO_AUTH_TOKEN.")
    sender = request.POST.get("From", "")
    keyword = request.POST.get("Body", "").strip().upper()
    if keyword in STOP_WORDS:
        sms_opt_out(phone=sender, request=request)
    elif keyword in START_WORDS:
        sms_opt_in(phone=sender, request=request)
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
