"""Dates as the progress pages write them, and the dates a chart's axis labels."""

from __future__ import annotations

from datetime import date, timedelta

from needlepoint.core.dates import month_start

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def long_date(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def date_ticks(start: date, end: date, *, most: int = 6) -> list[tuple[date, str]]:
    """Dates to label along [start, end], at most `most` of them: weekly or fortnightly
    from `start` for short spans, else the first of every 1, 2, 3, 6 or 12 months (months
    whose number is a multiple of the step, so quarters fall on Jan/Apr/Jul/Oct)."""
    span = (end - start).days
    for days in (7, 14):
        if span // days + 1 <= most:
            count = span // days + 1
            return [
                (start + timedelta(days=days * k), _day_label(start + timedelta(days=days * k)))
                for k in range(count)
            ]
    for months in (1, 2, 3, 6, 12):
        ticks = []
        day = month_start(start, 0 if start.day == 1 else 1)
        while day <= end:
            if (day.month - 1) % months == 0:
                ticks.append(day)
            day = month_start(day, 1)
        if 0 < len(ticks) <= most:
            return [(tick, _month_label(tick, first=n == 0)) for n, tick in enumerate(ticks)]
    return [(start, long_date(start)), (end, long_date(end))]


def _day_label(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.day}"


def _month_label(day: date, *, first: bool) -> str:
    name = MONTHS[day.month - 1]
    return f"{name} {day.year}" if first or day.month == 1 else name
