"""The waitlist: ask for a full day, get an email when a time on it frees up."""

from __future__ import annotations

from datetime import date, datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from needlepoint.catalog.models import Service
from needlepoint.resources.models import Location
from needlepoint.scheduling.models import WaitlistEntry, WaitlistStatus
from needlepoint.scheduling.selectors import availability_get


def clock(moment: datetime) -> str:
    """9:30 AM: a time the way people read it."""
    return moment.strftime("%I:%M %p").lstrip("0")


def waitlist_join(
    *, location: Location, service: Service, day: date, first_name: str, email: str
) -> WaitlistEntry:
    """Add someone to a day's waitlist; asking twice for the same day keeps one place."""
    entry, _ = WaitlistEntry.objects.get_or_create(
        organization_id=location.organization_id,
        location=location,
        service=service,
        day=day,
        email=email.strip().lower(),
        status=WaitlistStatus.WAITING,
        defaults={"first_name": first_name.strip()},
    )
    return entry


def waitlist_offer(*, location: Location, day: date, now: datetime | None = None) -> int:
    """Offer freed time to the first waiting person it fits. Returns how many were emailed
    (0 or 1): one offer per freed time keeps it first come, first served."""
    now = now or timezone.now()
    waiting = (
        WaitlistEntry.objects.filter(location=location, day=day, status=WaitlistStatus.WAITING)
        .select_related("service")
        .order_by("created_at")
    )
    for entry in waiting:
        offers = availability_get(
            location=location, service=entry.service, first_day=day, last_day=day, now=now
        )
        if not offers:
            continue
        with transaction.atomic():
            claimed = WaitlistEntry.objects.filter(
                pk=entry.pk, status=WaitlistStatus.WAITING
            ).update(status=WaitlistStatus.OFFERED, offered_at=now)
        if not claimed:
            continue
        path = reverse(
            "site:booking-slots",
            kwargs={"service_slug": entry.service.slug, "location_slug": location.slug},
        )
        link = f"{settings.SITE_URL.rstrip('/')}{path}?day={day.isoformat()}"
        first = offers[0].start
        send_mail(
            subject=f"A time opened up on {day:%A, %B} {day.day}",
            message=(
                f"Hello {entry.first_name},\n\nA time has just opened up at "
                f"{location.name} on {day:%A, %B} {day.day}, from {clock(first)}. "
                f"Times go to whoever books first:\n{link}\n\nIf you no longer need it, "
                "simply ignore this email."
            ),
            from_email=None,
            recipient_list=[entry.email],
        )
        return 1
    return 0


@task()
def waitlist_offer_task(*, location_id: int, day: str) -> int:
    location = Location.objects.filter(pk=location_id).first()
    if location is None:
        return 0
    return waitlist_offer(location=location, day=date.fromisoformat(day))
