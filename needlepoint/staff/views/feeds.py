"""Messaging pages: the practitioner's calendar feed (and the page to get or rotate its
URL), and the webhook Twilio calls with replies to our texts."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.messaging.selectors import (
    FEED_PERMISSION,
    calendar_feed_for_staff,
)
from needlepoint.messaging.services import (
    calendar_feed_revoke,
    calendar_feed_rotate,
)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _feed_urls(token: str) -> dict[str, str]:
    path = reverse("site:calendar-feed", kwargs={"token": token})
    https = f"{settings.SITE_URL.rstrip('/')}{path}"
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[-1]}


@require_http_methods(["GET", "POST"])
@staff_required(FEED_PERMISSION)
def calendar_feed_manage(request: StaffRequest) -> HttpResponse:
    staff = request.staff
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if calendar_feed_revoke(staff=staff, by=request.actor):
                messages.success(request, "Your calendar link is turned off.")
        else:
            calendar_feed_rotate(staff=staff, by=request.actor)
            messages.success(
                request, "Here is your new calendar link. Any earlier link has stopped working."
            )
        return redirect("messaging:calendar-feed-manage")
    feed = calendar_feed_for_staff(staff=staff)
    context = {"feed": feed, "urls": _feed_urls(feed.token) if feed else None}
    return render(request, "messaging/calendar_feed.html", context)
