"""core/dates.py: month arithmetic and "today" in a clinic's zone."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st

from needlepoint.core.dates import (
    add_months,
    add_months_rolling_over,
    local_day,
    local_today,
    month_start,
)

DENVER = ZoneInfo("America/Denver")


@pytest.mark.parametrize(
    ("day", "months", "clamped", "rolled"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28), date(2027, 3, 1)),  # 31 Jan, common year
        (date(2028, 1, 31), 1, date(2028, 2, 29), date(2028, 3, 1)),  # 31 Jan, leap year
        (date(2028, 2, 29), 12, date(2029, 2, 28), date(2029, 3, 1)),  # 29 Feb, a year on
        (date(2028, 2, 29), 48, date(2032, 2, 29), date(2032, 2, 29)),  # to a leap year
        (date(2024, 2, 29), 12 * 18, date(2042, 2, 28), date(2042, 3, 1)),  # coming of age
        (date(2027, 3, 31), -1, date(2027, 2, 28), date(2027, 3, 1)),  # negative months
        (date(2027, 5, 31), -3, date(2027, 2, 28), date(2027, 3, 1)),
        (date(2027, 1, 15), -1, date(2026, 12, 15), date(2026, 12, 15)),  # year wrap back
        (date(2026, 12, 31), 1, date(2027, 1, 31), date(2027, 1, 31)),  # year wrap forward
        (date(2026, 11, 15), 14, date(2028, 1, 15), date(2028, 1, 15)),
        (date(2026, 8, 31), 0, date(2026, 8, 31), date(2026, 8, 31)),
        (date(2027, 8, 31), 6, date(2028, 2, 29), date(2028, 3, 1)),
        (date(2028, 1, 29), 1, date(2028, 2, 29), date(2028, 2, 29)),
        (date(2024, 8, 31), 6, date(2025, 2, 28), date(2025, 3, 1)),
        (date(2027, 10, 31), 1, date(2027, 11, 30), date(2027, 12, 1)),
    ],
)
def test_month_arithmetic_clamps_or_rolls_over(day, months, clamped, rolled):
    assert add_months(day, months) == clamped
    assert add_months_rolling_over(day, months) == rolled


def test_month_start():
    assert month_start(date(2027, 1, 31)) == date(2027, 1, 1)
    assert month_start(date(2027, 12, 15), 1) == date(2028, 1, 1)
    assert month_start(date(2027, 1, 15), -1) == date(2026, 12, 1)


days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))
shifts = st.integers(min_value=-1200, max_value=1200)


def target_month(day: date, months: int) -> tuple[int, int]:
    index = day.year * 12 + day.month - 1 + months
    return index // 12, index % 12 + 1


@given(days, shifts)
def test_clamped_result_is_a_date_in_the_target_month(day, months):
    result = add_months(day, months)
    assert (result.year, result.month) == target_month(day, months)
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(day.day, last)


@given(days, shifts)
def test_rolled_result_is_in_the_target_month_or_the_1st_after(day, months):
    result = add_months_rolling_over(day, months)
    clamped = add_months(day, months)
    if clamped.day == day.day:
        assert result == clamped
    else:
        assert result == month_start(clamped, 1)
        assert (result - clamped).days >= 1


@given(days, shifts)
def test_clamped_months_round_trip_when_the_day_exists(day, months):
    assume_day = day.replace(day=min(day.day, 28))
    assert add_months(add_months(assume_day, months), -months) == assume_day


def test_local_day_and_today_use_the_zone_not_the_server():
    late = datetime(2027, 3, 1, 5, 30, tzinfo=UTC)  # still Feb 28 in Denver
    assert local_day(late, DENVER) == date(2027, 2, 28)
    assert local_day(late, "Asia/Tokyo") == date(2027, 3, 1)
    assert local_today("America/Denver", now=late) == date(2027, 2, 28)
    assert local_today(ZoneInfo("Pacific/Kiritimati"), now=late) == date(2027, 3, 1)
    with pytest.raises(ValueError):
        local_day(datetime(2027, 3, 1, 5, 30), DENVER)


@pytest.mark.parametrize(
    ("utc", "denver"),
    [
        # Spring forward (Mar 14 2027 2:00 MST -> 3:00 MDT): 06:59 UTC is 23:59 MST on the 13th.
        (datetime(2027, 3, 14, 6, 59, tzinfo=UTC), date(2027, 3, 13)),
        (datetime(2027, 3, 14, 7, 0, tzinfo=UTC), date(2027, 3, 14)),
        # Fall back (Nov 7 2027): 05:59 UTC is 23:59 MDT on the 6th, 06:00 is midnight MDT.
        (datetime(2027, 11, 7, 5, 59, tzinfo=UTC), date(2027, 11, 6)),
        (datetime(2027, 11, 7, 6, 0, tzinfo=UTC), date(2027, 11, 7)),
    ],
)
def test_local_today_across_daylight_saving_switches(utc, denver):
    with time_machine.travel(utc, tick=False):
        assert local_today(DENVER) == denver
