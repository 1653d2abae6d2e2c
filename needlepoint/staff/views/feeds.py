"""The practitioner's calendar feed page: get, renew or turn off the link (the feed itself
is public, `site/views/feeds.py`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from needlepoint.accounts.access import StaffRequest, staff_required
from needlepoint.messaging.selectors import (
    FEED_PERMISSION,
    calendar_feed_for_staff,
)
from needlepoint.messaging.services import (
    calendar_feed_revoke,
    calendar_feed_rotate,
)


def _feed_urls(token: str) -> dict[str, str]:
    path = reverse("site:calendar-feed", kwargs={"token": token})
    https = f"{settings.SITE_URL.rstrip('/')}{path}"
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[-1]}


@staff_required(FEED_PERMISSION)
@require_GET
def calendar_feed_manage(request: StaffRequest) -> HttpResponse:
    feed = calendar_feed_for_staff(staff=request.staff)
    context = {"feed": feed, "urls": _feed_urls(feed.token) if feed else None}
    return render(request, "messaging/calendar_feed.html", context)


@staff_required(FEED_PERMISSION)
@require_POST
def calendar_feed_new(request: StaffRequest) -> HttpResponse:
    """A new link; any earlier one stops working."""
    calendar_feed_rotate(staff=request.staff, by=request.actor)
    messages.success(
        request, "Here is your new calendar link. Any earlier link has stopped working."
    )
    return redirect("messaging:calendar-feed-manage")


@staff_required(FEED_PERMISSION)
@require_POST
def calendar_feed_off(request: StaffRequest) -> HttpResponse:
    if calendar_feed_revoke(staff=request.staff, by=request.actor):
        messages.success(request, "Your calendar link is turned off.")
    return redirect("messaging:calendar-feed-manage")
