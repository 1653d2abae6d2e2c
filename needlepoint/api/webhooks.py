"""Webhooks from outside services. Twilio posts replies to our texts here (STOP, START…);
its request signature is checked instead of a CSRF token."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from needlepoint.messaging.policy import START_WORDS, STOP_WORDS
from needlepoint.messaging.services import (
    sms_opt_in,
    sms_opt_out,
)
from needlepoint.messaging.sms import twilio_signature_valid

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


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
        sms_opt_out(phone=sender, by=request.actor)
    elif keyword in START_WORDS:
        sms_opt_in(phone=sender, by=request.actor)
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
