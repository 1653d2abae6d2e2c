"""The follow-up assessments due after a patient's last session (docs/clinical-rules.md §2)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from needlepoint.clinical.progress.dates import long_date
from needlepoint.core.dates import add_months


@dataclass(frozen=True)
class FollowUp:
    label: str
    when: str
    start: date
    end: date
    done: bool


def follow_up_windows(last_session: date, *, assessed: Sequence[date] = ()) -> list[FollowUp]:
    """docs/clinical-rules.md §2: assess 1 month and 3–6 months after the last session (S7 used 1
    and 6 months). The first counts as done with an assessment within two weeks either side of its
    date, the second with one from 3 to 6 months after the session."""
    one, three, six = (add_months(last_session, n) for n in (1, 3, 6))
    windows = [
        ("1 month", f"around {long_date(one)}", one - timedelta(days=14), one + timedelta(days=14)),
        ("3–6 months", f"{long_date(three)} to {long_date(six)}", three, six),
    ]
    return [
        FollowUp(label, when, start, end, any(start <= day <= end for day in assessed))
        for label, when, start, end in windows
    ]
