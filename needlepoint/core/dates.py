"""Calendar arithmetic and "today" in a clinic's zone: one helper each.

Plain `datetime` only; no other app of ours is imported here (docs/style.md "Time": store UTC,
convert at the edges, each location has an IANA zone)."""

from __future__ import annotations

import calendar
from datetime import date, datetime, tzinfo
from zoneinfo import ZoneInfo

from django.utils import timezone


def _shift(day: date, months: int) -> tuple[int, int]:
    """The (year, month) `months` calendar months after `day`'s month."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return year, month0 + 1


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (or earlier, for negative `months`),
    clamped to the month's last day where that month is shorter: Jan 31 + 1 month is
    Feb 28, or Feb 29 in a leap year. For expiries and follow-ups that must not run past
    the month they fall in."""
    year, month = _shift(day, months)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_months_rolling_over(day: date, months: int) -> date:
    """The same day `months` calendar months later, rolling over to the 1st of the next
    month where that month lacks the day: Jan 31 + 1 month is Mar 1 (leap year or not), and
    Feb 29 + 12 months is Mar 1. For waits and ages, which must last at least
    the full months: a wait of a month from Aug 31 ends on Mar 1, not Feb 28, and someone
    born on Feb 29 comes of age on Mar 1 in a common year."""
    year, month = _shift(day, months)
    if day.day <= calendar.monthrange(year, month)[1]:
        return date(year, month, day.day)
    return month_start(date(year, month, 1), 1)


def month_start(day: date, months: int = 0) -> date:
    """The 1st of the month `months` calendar months after `day`'s month."""
    year, month = _shift(day, months)
    return date(year, month, 1)


def _zone(zone: tzinfo | str) -> tzinfo:
    return ZoneInfo(zone) if isinstance(zone, str) else zone


def local_day(moment: datetime, zone: tzinfo | str) -> date:
    """The calendar date in `zone` (an IANA name or tzinfo) at the aware `moment`."""
    if timezone.is_naive(moment):
        raise ValueError("local_day needs an aware datetime")
    return moment.astimezone(_zone(zone)).date()


def local_today(zone: tzinfo | str, *, now: datetime | None = None) -> date:
    """Today's date in `zone` (the location's zone, else the organization's
    `default_timezone`) at `now`, by default `django.utils.timezone.now()`; never the
    server's zone."""
    return local_day(timezone.now() if now is None else now, zone)
