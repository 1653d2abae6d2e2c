"""Reads for messaging: the calendar feed behind a token and the appointments it lists."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import QuerySet

from needlepoint.accounts.models import StaffProfile
from needlepoint.accounts.roles import role_may
from needlepoint.messaging.models import CalendarFeed
from needlepoint.scheduling.models import Appointment, AppointmentStatus

FEED_PAST = timedelta(days=30)
FEED_AHEAD = timedelta(days=90)
FEED_PERMISSION = "calendar_feed.manage"


def calendar_feed_get(*, token: str) -> CalendarFeed | None:
    """The active feed for a token, or None. A revoked or rotated token, a deactivated
    user or a role that may no longer have a feed all answer None (a 404 to the caller)."""
    if not token:
        return None
    feed = (
        CalendarFeed.objects.select_related("staff__user", "staff__organization")
        .filter(token=token, revoked_at__isnull=True)
        .first()
    )
    if feed is None or not feed.staff.user.is_active:
        return None
    if not role_may(feed.staff.role, FEED_PERMISSION):
        return None
    return feed


def calendar_feed_for_staff(*, staff: StaffProfile) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(staff=staff, revoked_at__isnull=True).first()


def calendar_feed_appointments(*, staff: StaffProfile, now: datetime) -> QuerySet[Appointment]:
    """A practitioner's booked and checked-in appointments, 30 days back to 90 ahead."""
    return (
        Appointment.objects.filter(
            organization_id=staff.organization_id,
            practitioner=staff,
            status__in=[AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN],
            starts_at__gte=now - FEED_PAST,
            starts_at__lt=now + FEED_AHEAD,
        )
        .select_related("service", "location", "room", "patient")
        .order_by("starts_at")
    )
