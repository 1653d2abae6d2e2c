"""A practitioner's calendar feed (.ics): the secret token in the URL is the credential, so
the events carry initials only and every fetch is audited. The page that issues the link
is a staff page (`staff/views/feeds.py`)."""

from __future__ import annotations

import copy

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from needlepoint.core.audit import audit_record
from needlepoint.core.models import AuditAction
from needlepoint.messaging.ics import practitioner_feed
from needlepoint.messaging.selectors import (
    calendar_feed_appointments,
    calendar_feed_get,
)


def _without_token(request: HttpRequest) -> HttpRequest:
    """The request as the audit log may see it: the feed token is a credential, so the
    path is recorded without it."""
    redacted = copy.copy(request)
    redacted.path = reverse("site:calendar-feed", kwargs={"token": "redacted"})
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
